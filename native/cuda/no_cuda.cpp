// The CUDA engine's face in builds without nvcc: no GPUs, and a clear error when one is asked for.
#include "../core/error.hpp"
#include "cuda_engine.hpp"
#include "fast/fast_pipeline.hpp"

namespace snig {
namespace {

Error noCuda() { return Error(ErrorCode::Cuda, "this build of snig has no CUDA engine (nvcc was not found when it was built)"); }

}  // namespace

bool cudaCompiled() { return false; }

std::vector<GpuInfo> listGpus() { return {}; }

std::unique_ptr<Engine> makeCudaEngine(std::shared_ptr<const Model>, const CudaOptions&) {
  throw noCuda();
}

double cudaEngineGpuSeconds(const Engine&) { return -1; }

namespace cuda {

std::unique_ptr<GpuPipeline> makeFastPipeline(std::shared_ptr<const ReducedNetwork>, const PipelineOptions&) {
  throw noCuda();
}

}  // namespace cuda

}  // namespace snig
