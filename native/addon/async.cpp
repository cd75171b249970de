#include "async.hpp"

namespace snig::addon {

Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

void throwJs(Napi::Env env, const std::string& code, const std::string& message) {
  throw makeError(env, code, message);
}

}  // namespace snig::addon
