// The CUDA engine's public face, safe to include from code built without CUDA (the addon, the
// bench). When CUDA is not compiled in, listGpus() is empty and makeCudaEngine throws E_CUDA.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../core/engine.hpp"

namespace snig {

struct GpuInfo {
  int id = 0;
  std::string name;
  uint64_t memoryBytes = 0;
  int multiprocessors = 0;
  int major = 0;
  int minor = 0;
};

// Complete options, as the addon (from common/engine.ts) or the bench (from its flags) sets them;
// no field has a default here.
struct CudaOptions {
  std::vector<int> devices;  // empty: every visible GPU
  std::string kernel;        // "auto" picks the fastest correct kernel; "snig" is the baseline; "fast"
  uint64_t batchRows{};      // rows per GPU batch; 0: chosen from the device's memory
  // "auto": resident on every GPU when the model fits one, else layers partitioned across the GPUs
  // when it fits them together, else streamed; or force "resident", "streamed" or "partitioned".
  std::string weights;
  uint32_t snigBlocksPerSm{};  // SNIG kernel: layer blocks sharing a multiprocessor (0: the default, 3)
};

bool cudaCompiled();
std::vector<GpuInfo> listGpus();
std::unique_ptr<Engine> makeCudaEngine(std::shared_ptr<const Model> model, const CudaOptions& options);

// For an engine made by makeCudaEngine: the busiest GPU's event-timed seconds in its last infer (its
// batches summed: inference kernels and input copies, no host work). -1 for any other engine.
double cudaEngineGpuSeconds(const Engine& engine);

}  // namespace snig
