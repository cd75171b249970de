// Reading the flat option objects that common/native.ts builds (already validated there).
#pragma once

#include <napi.h>

#include <string>

namespace snig::addon {

inline double numberField(const Napi::Object& options, const char* name, double fallback = 0) {
  const Napi::Value value = options.Get(name);
  return value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : fallback;
}

inline bool boolField(const Napi::Object& options, const char* name) {
  const Napi::Value value = options.Get(name);
  return value.IsBoolean() && value.As<Napi::Boolean>().Value();
}

inline std::string stringField(const Napi::Object& options, const char* name, const std::string& fallback = "") {
  const Napi::Value value = options.Get(name);
  return value.IsString() ? value.As<Napi::String>().Utf8Value() : fallback;
}

inline Napi::Object objectArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsObject()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(index + 1) + " must be an object");
  }
  return info[index].As<Napi::Object>();
}

}  // namespace snig::addon
