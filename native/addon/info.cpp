// info(): what this build can do and which GPUs it sees; kernelChoice(model): what --kernel auto runs.
#include <omp.h>

#include "../core/structure/kernel_choice.hpp"
#include "../cuda/cuda_engine.hpp"
#include "async.hpp"
#include "model_object.hpp"
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

// kernelChoice(model) -> Promise<{kernel, reason}>: the CUDA kernel --kernel auto picks from the
// model's structure (the reduction and the fan-ins).
Napi::Value kernelChoice(const Napi::CallbackInfo& callInfo) {
  std::shared_ptr<Model> model = unwrapModel(callInfo[0]);
  return runAsync<KernelChoice>(
      callInfo.Env(), [=] { return chooseAutoKernel(*model, defaultReductionCache()).choice; },
      [](Napi::Env env, KernelChoice& choice) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("kernel", Napi::String::New(env, choice.kernel));
        out.Set("reason", Napi::String::New(env, choice.reason));
        return out;
      });
}

}  // namespace

void registerInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New<info>(env, "info"));
  exports.Set("kernelChoice", Napi::Function::New<kernelChoice>(env, "kernelChoice"));
}

}  // namespace snig::addon
