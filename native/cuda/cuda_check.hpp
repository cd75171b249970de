// One checking macro for every CUDA runtime call: failures throw snig::Error(E_CUDA) naming the
// GPU (the current device, where the call ran), the call, the file and line, and CUDA's own message.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "../core/error.hpp"

namespace snig::cuda {

[[noreturn]] inline void throwCuda(cudaError_t status, const char* call, const char* file, int line) {
  int device = -1;
  const std::string gpu = cudaGetDevice(&device) == cudaSuccess ? "GPU " + std::to_string(device) + ": " : "";
  throw Error(ErrorCode::Cuda, gpu + call + " failed at " + file + ":" + std::to_string(line) + ": " +
                                   cudaGetErrorName(status) + ": " + cudaGetErrorString(status));
}

}  // namespace snig::cuda

#define SNIG_CUDA_CHECK(call)                                                  \
  do {                                                                         \
    const cudaError_t snig_status_ = (call);                                   \
    if (snig_status_ != cudaSuccess) {                                         \
      ::snig::cuda::throwCuda(snig_status_, #call, __FILE__, __LINE__);        \
    }                                                                          \
  } while (0)

// After a kernel launch: reports launch-configuration errors at the launch site.
#define SNIG_CUDA_CHECK_LAUNCH() SNIG_CUDA_CHECK(cudaGetLastError())
