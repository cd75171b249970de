// info(): what this build can do and which GPUs it sees.
#include <omp.h>

#include "../cuda/cuda_engine.hpp"
#include "registry.hpp"

namespace snig::addon {
namespace {

Napi::Value info(const Napi::CallbackInfo& callInfo) {
  Napi::Env env = callInfo.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", Napi::String::New(env, SNIG_VERSION));
  out.Set("cudaCompiled", Napi::Boolean::New(env, cudaCompiled()));
  out.Set("threads", Napi::Number::New(env, omp_get_num_procs()));
  Napi::Array gpus = Napi::Array::New(env);
  for (const GpuInfo& gpu : listGpus()) {
    Napi::Object g = Napi::Object::New(env);
    g.Set("id", gpu.id);
    g.Set("name", gpu.name);
    g.Set("memoryBytes", static_cast<double>(gpu.memoryBytes));
    g.Set("multiprocessors", gpu.multiprocessors);
    g.Set("computeCapability", std::to_string(gpu.major) + "." + std::to_string(gpu.minor));
    gpus.Set(gpus.Length(), g);
  }
  out.Set("gpus", gpus);
  return out;
}

}  // namespace

void registerInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New<info>(env, "info"));
}

}  // namespace snig::addon
