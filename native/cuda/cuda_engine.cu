// The CUDA engine: one GpuPipeline per GPU (or one pipeline spanning the GPUs when the model's layers
// are partitioned across them), GPUs pulling row batches from an atomic counter like SNIG's
// scheduler, results merged in row order.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <utility>

#include "../core/structure/kernel_choice.hpp"
#include "../core/structure/reduced_cache.hpp"
#include "../core/structure/reduced_network.hpp"
#include "batches.hpp"
#include "cuda_check.hpp"
#include "cuda_engine.hpp"
#include "cuda_raii.hpp"
#include "fast/fast_pipeline.hpp"
#include "general/general_pipeline.hpp"
#include "gpu_pipeline.hpp"
#include "pinned_inputs.hpp"
#include "placement.hpp"
#include "snig/partitioned.hpp"

namespace snig {
namespace {

// Batches per GPU when several GPUs share the rows. One: once most rows are dead, a layer's real
// work is (live rows x sections) blocks, a few waves of the GPU at most, so smaller batches add a
// partly empty wave per layer per batch (model: 1498 live rows x 3 sections at N = 65536 is 17 waves
// of 264 blocks on one H100; 4 GPUs x 1 batch -> ~3.7x, x 3 batches -> ~3.0x). The counter still
// balances whatever does not fit in one batch per GPU.
constexpr uint64_t kBatchesPerGpu = 1;

// The kernel that runs, and why: "auto" measures the model's structure (the reduction, which the
// fast kernel then reuses, or a probe of its first layers: chooseAutoKernel) and picks fast or
// general; float64 goes to SNIG's pipeline (see choose).
// The reduction is made (or read from the cache) once, and shared by every GPU's fast pipeline.
struct Resolved {
  std::string kernel;
  std::string reason;
  std::shared_ptr<const ReducedNetwork> reduced;  // when the model was reduced
  std::string reducedFrom;                         // how: read from the cache, reduced (and saved), or probed
};

std::pair<std::shared_ptr<const ReducedNetwork>, std::string> reduceOnce(const Model& model) {
  ReductionSource source;
  auto reduced = std::make_shared<const ReducedNetwork>(reduceModelCached(model, defaultReductionCache(), &source));
  return {std::move(reduced), source.describe()};
}

// The least free memory over the devices.
uint64_t leastFreeBytes(const std::vector<int>& devices) {
  uint64_t least = UINT64_MAX;
  for (int d : devices) {
    cuda::DeviceGuard guard(d);
    size_t freeBytes = 0, totalBytes = 0;
    SNIG_CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
    least = std::min<uint64_t>(least, freeBytes);
  }
  return least;
}

Resolved resolveKernel(const std::string& kernel, const Model& model, const std::vector<int>& devices) {
  if (kernel == "snig") return {kernel, "", nullptr, ""};
  if (kernel != "auto" && kernel != "fast" && kernel != "general") {
    throw Error(ErrorCode::Argument, "unknown CUDA kernel \"" + kernel + "\" (expected auto, snig, fast or general)");
  }
  if (kernel == "fast") {
    auto [reduced, from] = reduceOnce(model);
    return {kernel, "", std::move(reduced), std::move(from)};
  }
  if (kernel == "auto") {
    AutoChoice chosen = chooseAutoKernel(model, defaultReductionCache());
    const KernelChoice& choice = chosen.choice;
    // The general layout must fit beside a batch; SNIG's pipeline can stream or partition instead.
    if (choice.kernel == "general" && !cuda::generalLayoutFits(cuda::generalModelBytes(model), leastFreeBytes(devices))) {
      return {"snig", "auto chose snig: " + choice.reason + "; the general layout (" +
                          std::to_string(cuda::generalModelBytes(model) >> 20) + " MiB) takes over half a GPU's free memory",
              nullptr, ""};
    }
    return {choice.kernel, "auto chose " + choice.kernel + ": " + choice.reason, std::move(chosen.reduced), std::move(chosen.from)};
  }
  return {kernel, "", nullptr, ""};
}

std::unique_ptr<cuda::GpuPipeline> makePipeline(const Resolved& kernel, std::shared_ptr<const Model> model,
                                                const cuda::PipelineOptions& options) {
  if (kernel.kernel == "fast") return cuda::makeFastPipeline(kernel.reduced, options);
  if (kernel.kernel == "general") return cuda::makeGeneralPipeline(std::move(model), options);
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
        devices_(chooseDevices(options.gpus)),
        kernel_(resolveKernel(options.kernel, *model_, devices_)) {
    cuda::weightModeOf(options.weights);  // reject a bad value before any upload
    if (options.weights == "partitioned" && kernel_.kernel != "snig") {
      throw Error(ErrorCode::Argument, "partitioning the layers across GPUs is SNIG's (use --kernel snig)");
    }
    primary_ = build(kernel_);
  }

  std::string name() const override { return "cuda"; }
  bool readsCompactRows() const override { return true; }  // every pipeline reads them through InputUploader
  std::shared_ptr<const SparseRows> placeInputs(const SparseRows& rows) const override {
    cuda::DeviceGuard guard(devices_.front());
    return cuda::pinnedCopy(rows);
  }

  InferResult infer(const SparseRows& inputs, const InferRequest& request) override {
    validateRequest(*model_, inputs, request, readsCompactRows());
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
    result.gpuSeconds = gpuSeconds_;
    result.kernel = describe(pipelines);
    return result;
  }

  // The busiest GPU's event-timed seconds in the last infer (batches summed).
  double lastGpuSeconds() const { return gpuSeconds_; }

 private:
  PipelineSet build(const Resolved& kernel) const {
    // The fast kernel reads the reduction alone: a lazily opened model's layers stay unread when it
    // came from the cache. The others read them now, on all cores.
    if (kernel.kernel != "fast") model_->load();
    PipelineSet pipelines;
    const bool partition = options_.weights == "partitioned" ||
                           (options_.weights == "auto" && kernel.kernel == "snig" &&
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
      po.weights = cuda::weightModeOf(options_.weights);
      po.snigBlocksPerSm = options_.snigBlocksPerSm;
      pipelines[i] = makePipeline(kernel, model_, po);
    });
    return pipelines;
  }

  // "auto" runs the fast or the general kernel, which compute float32 only: float64 requests go to
  // SNIG's pipelines, built on first need.
  PipelineSet& choose(const InferRequest& request) {
    if (options_.kernel != "auto" || kernel_.kernel == "snig" || request.precision != Precision::F64) return primary_;
    if (fallback_.empty()) fallback_ = build({"snig", "", nullptr, ""});
    return fallback_;
  }

  std::string describe(const PipelineSet& pipelines) const {
    std::string text = pipelines.front()->describe();
    if (&pipelines == &primary_ && !kernel_.reason.empty()) text += " [" + kernel_.reason + "]";
    if (&pipelines == &primary_ && !kernel_.reducedFrom.empty()) text += " [" + kernel_.reducedFrom + "]";
    if (pipelines.size() > 1) text += " (+" + std::to_string(pipelines.size() - 1) + " more GPUs, data parallel)";
    return text;
  }

  std::shared_ptr<const Model> model_;
  CudaOptions options_;
  std::vector<int> devices_;
  Resolved kernel_;  // what options.kernel resolved to
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
