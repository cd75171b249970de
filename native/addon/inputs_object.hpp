// The JS object that owns sparse input rows (NativeInputs in common/native.ts).
#pragma once

#include <napi.h>

#include <memory>

#include "../core/inputs.hpp"

namespace snig::addon {

Napi::Object wrapInputs(Napi::Env env, std::shared_ptr<SparseRows> inputs);
std::shared_ptr<SparseRows> unwrapInputs(Napi::Value value);

}  // namespace snig::addon
