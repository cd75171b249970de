// The addon's entry point: registers the exports of each operation's file.
#include <napi.h>

#include "registry.hpp"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  snig::addon::registerInfo(env, exports);
  snig::addon::registerModel(env, exports);
  snig::addon::registerInputs(env, exports);
  snig::addon::registerFiles(env, exports);
  snig::addon::registerEngine(env, exports);
  snig::addon::registerPlaceInputs(env, exports);
  snig::addon::registerGenerate(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(snig, init)
