// What SNIG's pipeline needs to know about a device to size its sections and batches.
#pragma once

#include <cstdint>

#include "../cuda_check.hpp"

namespace snig::cuda::sectioned {

struct DeviceLimits {
  uint64_t smemPerBlockOptin = 0;
  uint64_t smemPerSm = 0;
  uint64_t freeBytes = 0;
  uint64_t totalBytes = 0;
  uint32_t maxThreadsPerSm = 0;
  int multiprocessors = 0;
};

// Limits of the current device.
inline DeviceLimits currentDeviceLimits() {
  int device = 0;
  SNIG_CUDA_CHECK(cudaGetDevice(&device));
  cudaDeviceProp props{};
  SNIG_CUDA_CHECK(cudaGetDeviceProperties(&props, device));
  DeviceLimits limits;
  limits.smemPerBlockOptin = props.sharedMemPerBlockOptin;
  limits.smemPerSm = props.sharedMemPerMultiprocessor;
  limits.maxThreadsPerSm = static_cast<uint32_t>(props.maxThreadsPerMultiProcessor);
  limits.multiprocessors = props.multiProcessorCount;
  size_t freeBytes = 0, totalBytes = 0;
  SNIG_CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
  limits.freeBytes = freeBytes;
  limits.totalBytes = totalBytes;
  return limits;
}

}  // namespace snig::cuda::sectioned
