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

// Fields of option objects that TypeScript builds complete (NativeEngineOptions): a missing or
// mistyped one is a bug on the TypeScript side, reported as a TypeError naming the field.
inline Napi::Value requiredField(const Napi::Object& options, const char* name, napi_valuetype type) {
  const Napi::Value value = options.Get(name);
  if (value.Type() != type) throw Napi::TypeError::New(options.Env(), std::string("option \"") + name + "\" is missing or of the wrong type");
  return value;
}

inline std::string requiredString(const Napi::Object& options, const char* name) {
  return requiredField(options, name, napi_string).As<Napi::String>().Utf8Value();
}

inline double requiredNumber(const Napi::Object& options, const char* name) {
  return requiredField(options, name, napi_number).As<Napi::Number>().DoubleValue();
}

inline Napi::Object objectArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsObject()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(index + 1) + " must be an object");
  }
  return info[index].As<Napi::Object>();
}

}  // namespace snig::addon
