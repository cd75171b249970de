// What a wrapped JS object (NativeModel, NativeInputs, NativeEngine) holds, for the operations that
// take one: the one check of its class and of its being open, shared by every unwrap function.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "async.hpp"

namespace snig::addon {

// The pointer `member` of the Wrapped object behind `value`: a JS TypeError "expected <type>" for
// anything not made by `constructor`, an E_ARGUMENT error "the <noun> is/are closed" once closed.
template <typename Wrapped, typename Held>
std::shared_ptr<Held> unwrapHeld(Napi::Value value, const Napi::FunctionReference& constructor, std::shared_ptr<Held> Wrapped::*member,
                                 const char* type, const char* closed) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(constructor.Value())) {
    throw Napi::TypeError::New(env, std::string("expected ") + type);
  }
  std::shared_ptr<Held> held = Wrapped::Unwrap(value.As<Napi::Object>())->*member;
  if (!held) throwJs(env, "E_ARGUMENT", closed);
  return held;
}

}  // namespace snig::addon
