// The JS object that owns a loaded model (NativeModel in common/native.ts).
#pragma once

#include <napi.h>

#include <memory>

#include "../core/model.hpp"

namespace snig::addon {

Napi::Object wrapModel(Napi::Env env, std::shared_ptr<Model> model);
// The model behind a NativeModel; throws a JS TypeError for anything else or a closed model.
std::shared_ptr<Model> unwrapModel(Napi::Value value);

}  // namespace snig::addon
