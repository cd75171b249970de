// Each addon source file registers its exports through one of these; addon.cpp only calls them.
#pragma once

#include <napi.h>

namespace snig::addon {

void registerInfo(Napi::Env env, Napi::Object exports);
void registerModel(Napi::Env env, Napi::Object exports);
void registerInputs(Napi::Env env, Napi::Object exports);
void registerFiles(Napi::Env env, Napi::Object exports);
void registerEngine(Napi::Env env, Napi::Object exports);
void registerPlaceInputs(Napi::Env env, Napi::Object exports);
void registerGenerate(Napi::Env env, Napi::Object exports);

}  // namespace snig::addon
