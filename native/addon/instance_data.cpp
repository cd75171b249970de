#include "instance_data.hpp"

namespace snig::addon {

InstanceData& instanceData(Napi::Env env) {
  auto* data = env.GetInstanceData<InstanceData>();
  if (!data) {
    data = new InstanceData();
    env.SetInstanceData(data);  // node-addon-api deletes it when the environment exits
  }
  return *data;
}

}  // namespace snig::addon
