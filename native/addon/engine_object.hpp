// The JS object that owns an engine (NativeEngine in common/native.ts).
#pragma once

#include <napi.h>

#include <memory>

#include "../core/engine.hpp"

namespace snig::addon {

// The engine behind a NativeEngine; throws a JS TypeError for anything else, or an error for a
// closed engine.
std::shared_ptr<Engine> unwrapEngine(Napi::Value value);

}  // namespace snig::addon
