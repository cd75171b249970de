// Per-environment state of the addon: the constructors of its wrapped classes.
#pragma once

#include <napi.h>

namespace snig::addon {

struct InstanceData {
  Napi::FunctionReference model;
  Napi::FunctionReference inputs;
  Napi::FunctionReference engine;
  Napi::FunctionReference cancelToken;
};

// Created on first use and freed with the environment.
InstanceData& instanceData(Napi::Env env);

}  // namespace snig::addon
