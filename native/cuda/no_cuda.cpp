// The CUDA engine's face in builds without nvcc: no GPUs, and a clear error when one is asked for.
#include "../core/error.hpp"
#include "cuda_engine.hpp"

namespace snig {

bool cudaCompiled() { return false; }

std::vector<GpuInfo> listGpus() { return {}; }

std::unique_ptr<Engine> makeCudaEngine(std::shared_ptr<const Model>, const CudaOptions&) {
  throw Error(ErrorCode::Cuda, "this build of snig has no CUDA engine (nvcc was not found when it was built)");
}

double cudaEngineGpuSeconds(const Engine&) { return -1; }

}  // namespace snig
