// The CUDA engine: one GpuPipeline per GPU (or one pipeline spanning the GPUs when the model's layers
// are partitioned across them), GPUs pulling row batches from an atomic counter like SNIG's
// scheduler, results merged in row order.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <type_traits>
#include <utility>

#include "batches.hpp"
#include "cuda_check.hpp"
#include "cuda_engine.hpp"
#include "cuda_raii.hpp"
#include "gpu_pipeline.hpp"
#include "kernel_choice.hpp"
#include "snig/partitioned.hpp"
// SNIG_WITHOUT_FAST: the device script's fallback build, made when the rest of native/cuda/ does not build.
#if __has_include("fast/fast_pipeline.hpp") && !defined(SNIG_WITHOUT_FAST)
#include "fast/fast_pipeline.hpp"
#define SNIG_FAST_PIPELINE_HEADER 1
#endif

namespace snig {
namespace {

// Batches per GPU when several GPUs share the rows. One: once most rows are dead, a layer's real
// work is (live rows x sections) blocks, a few waves of the GPU at most, so smaller batches add a
// partly empty wave per layer per batch (model: 1498 live rows x 3 sections at N = 65536 is 17 waves
// of 264 blocks on one H100; 4 GPUs x 1 batch -> ~3.7x, x 3 batches -> ~3.0x). The counter still
// balances whatever does not fit in one batch per GPU.
constexpr uint64_t kBatchesPerGpu = 1;

// The "fast" pipeline (native/cuda/fast/), when this build has one taking a Model: detected rather
// than declared, so the engine builds before and after it lands.
template <typename M, typename = void>
struct HasFastPipeline : std::false_type {};
#ifdef SNIG_FAST_PIPELINE_HEADER
template <typename M>
struct HasFastPipeline<M, std::void_t<decltype(cuda::makeFastPipeline(std::declval<std::shared_ptr<M>>(),
                                                                      std::declval<const cuda::PipelineOptions&>()))>>
    : std::true_type {};
#endif

template <typename M>
std::unique_ptr<cuda::GpuPipeline> makeFast(std::shared_ptr<M> model, const cuda::PipelineOptions& options) {
#ifdef SNIG_FAST_PIPELINE_HEADER
  if constexpr (HasFastPipeline<M>::value) {
    return cuda::makeFastPipeline(std::move(model), options);
  } else
#endif
  {
    (void)model;
    (void)options;
    throw Error(ErrorCode::Argument, "the \"fast\" CUDA kernel is not part of this build");
  }
}

bool fastAvailable() { return HasFastPipeline<const Model>::value; }

std::unique_ptr<cuda::GpuPipeline> makePipeline(const std::string& kernel, std::shared_ptr<const Model> model,
                                                const cuda::PipelineOptions& options) {
  if (kernel == "fast") return makeFast(std::move(model), options);
  return cuda::makeSnigPipeline(std::move(model), options);
}

std::vector<int> chooseDevices(const std::vector<int>& requested) {
  int count = 0;
  SNIG_CUDA_CHECK(cudaGetDeviceCount(&count));
  if (count == 0) throw Error(ErrorCode::Cuda, "no CUDA GPU is visible");
  std::vector<int> devices = requested;
  if (devices.empty()) {
    for (int d = 0; d < count; ++d) devices.push_back(d);
  }
  for (int d : devices) {
    if (d < 0 || d >= count) {
      throw Error(ErrorCode::Argument, "GPU " + std::to_string(d) + " does not exist (" + std::to_string(count) +
                                           " visible)");
    }
  }
  return devices;
}

using PipelineSet = std::vector<std::unique_ptr<cuda::GpuPipeline>>;

class CudaEngine final : public Engine {
 public:
  CudaEngine(std::shared_ptr<const Model> model, const CudaOptions& options)
      : model_(std::move(model)),
        options_(options),
        devices_(chooseDevices(options.devices)),
        kernel_(cuda::resolveKernel(options.kernel, fastAvailable(), model_->hasBiasVectors())) {
    cuda::resolveWeights(options.weights, kernel_);  // reject a bad value before any upload
    primary_ = build(kernel_);
  }

  std::string name() const override { return "cuda"; }

  InferResult infer(const SparseRows& inputs, const InferRequest& request) override {
    validateRequest(*model_, inputs, request);
    if (request.wantTrace) throwArgument("the CUDA engine does not trace rows (use the cpu engine)");
    std::lock_guard<std::mutex> lock(mutex_);
    PipelineSet& pipelines = choose(request);
    const auto began = std::chrono::steady_clock::now();
    std::vector<cuda::GpuPipeline*> running;
    for (const auto& p : pipelines) running.push_back(p.get());
    cuda::BatchedResult batched = cuda::inferInBatches(running, inputs, request, model_->layerCount(), kBatchesPerGpu);
    InferResult result = std::move(batched.result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    gpuSeconds_ = *std::max_element(batched.gpuSeconds.begin(), batched.gpuSeconds.end());
    result.kernel = describe(pipelines);
    return result;
  }

  // The busiest GPU's event-timed seconds in the last infer (batches summed).
  double lastGpuSeconds() const { return gpuSeconds_; }

 private:
  PipelineSet build(const std::string& kernel) const {
    PipelineSet pipelines;
    const bool partition = options_.weights == "partitioned" ||
                           (options_.weights == "auto" && kernel == "snig" &&
                            cuda::sectioned::shouldPartition(*model_, devices_, options_.snigBlocksPerSm));
    if (partition) {
      pipelines.push_back(
          cuda::sectioned::makePartitionedPipeline(model_, devices_, options_.batchRows, options_.snigBlocksPerSm));
      return pipelines;
    }
    pipelines.resize(devices_.size());
    cuda::onEachThread(devices_.size(), [&](size_t i) {
      cuda::PipelineOptions po;
      po.device = devices_[i];
      po.batchRows = options_.batchRows;
      po.weights = cuda::resolveWeights(options_.weights, kernel);
      po.snigBlocksPerSm = options_.snigBlocksPerSm;
      pipelines[i] = makePipeline(kernel, model_, po);
    });
    return pipelines;
  }

  // "auto" runs the fast kernel, which computes float32 only: float64 requests go to SNIG's
  // pipelines, built on first need.
  PipelineSet& choose(const InferRequest& request) {
    if (!cuda::runsOnSnig(options_.kernel, kernel_, request.precision)) return primary_;
    if (fallback_.empty()) fallback_ = build("snig");
    return fallback_;
  }

  static std::string describe(const PipelineSet& pipelines) {
    std::string text = pipelines.front()->describe();
    if (pipelines.size() > 1) text += " (+" + std::to_string(pipelines.size() - 1) + " more GPUs, data parallel)";
    return text;
  }

  std::shared_ptr<const Model> model_;
  CudaOptions options_;
  std::vector<int> devices_;
  std::string kernel_;  // what options.kernel resolved to
  PipelineSet primary_;
  PipelineSet fallback_;
  std::mutex mutex_;
  double gpuSeconds_ = 0;
};

}  // namespace

bool cudaCompiled() { return true; }

std::vector<GpuInfo> listGpus() {
  int count = 0;
  // Never throws: no driver, no device or a device that cannot be queried means no GPU listed.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return {};
  }
  std::vector<GpuInfo> gpus;
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp props{};
    if (cudaGetDeviceProperties(&props, d) != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    GpuInfo info;
    info.id = d;
    info.name = props.name;
    info.memoryBytes = props.totalGlobalMem;
    info.multiprocessors = props.multiProcessorCount;
    info.major = props.major;
    info.minor = props.minor;
    gpus.push_back(info);
  }
  return gpus;
}

std::unique_ptr<Engine> makeCudaEngine(std::shared_ptr<const Model> model, const CudaOptions& options) {
  return std::make_unique<CudaEngine>(std::move(model), options);
}

double cudaEngineGpuSeconds(const Engine& engine) {
  const auto* cuda = dynamic_cast<const CudaEngine*>(&engine);
  return cuda ? cuda->lastGpuSeconds() : -1;
}

}  // namespace snig
