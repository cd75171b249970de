// The fast pipeline on one device: the reduced network resident on the GPU, one batch of rows per
// run: layer 0 from the sparse inputs, chunk by chunk of rows as they arrive (input_upload.hpp), then
// one launch per layer over the live rows only. The host reads the live count now and then to size
// the grids and to stop once every row has left.
// Layer 0 runs one warp per row when its shape allows (SNIG_FAST_FIRST_LAYER=thread forces the
// one-thread-per-row sums, for comparison; both give the same bits). Once the live rows fit the GPU
// in one wave of fused tiles (narrow networks), one launch runs every remaining layer with the rows
// kept in shared memory (SNIG_FAST_FUSE=0 keeps one launch per layer, for comparison).
#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "../batch_setup.hpp"
#include "../batches.hpp"
#include "../cuda_check.hpp"
#include "../cuda_raii.hpp"
#include "../input_upload.hpp"
#include "fast_kernels.cuh"
#include "../../core/structure/reduced_eval.hpp"
#include "fast_pipeline.hpp"

namespace snig::cuda {
namespace {

using fast::DeviceLayer;
using fast::Step;
using fast::StepShape;

template <typename T>
DeviceBuffer<T> upload(const T* host, size_t count) {
  DeviceBuffer<T> buffer(std::max<size_t>(count, 1));
  copyToDevice(buffer.get(), host, count);
  return buffer;
}

template <typename T>
DeviceBuffer<T> upload(const std::vector<T>& host) {
  return upload(host.data(), host.size());
}

class FastPipeline final : public GpuPipeline {
 public:
  FastPipeline(std::shared_ptr<const ReducedNetwork> network, const PipelineOptions& options)
      : net_(std::move(network)), device_(options.device) {
    if (net_->layers.empty()) throw Error(ErrorCode::Argument, "the fast pipeline needs at least one layer");
    for (const ReducedLayer& layer : net_->layers) {
      if (!layer.classBias.empty()) {
        throw Error(ErrorCode::Argument, "the fast kernel takes one bias per layer: use --kernel snig for per-neuron biases");
      }
    }
    DeviceGuard guard(device_);
    fast::configureKernels();
    cudaDeviceProp prop{};
    SNIG_CUDA_CHECK(cudaGetDeviceProperties(&prop, device_));
    multiprocessors_ = prop.multiProcessorCount;
    uploadLayers();
    stride_ = (net_->maxClasses() + 3) / 4 * 4;  // rows 16-byte aligned, for vector copies
    const char* fuse = std::getenv("SNIG_FAST_FUSE");
    if (!(fuse && std::strcmp(fuse, "0") == 0)) {
      fused_ = fast::fusedShape(stride_);
      fuseRows_ = uint64_t{fused_.rowsPerBlock} * fused_.blocksPerSm * multiprocessors_;
    }
    // Per row: two state rows, two live-list entries, its fate.
    capacity_ = batchCapacity(options.batchRows, 2 * uint64_t{stride_} * sizeof(float) + 2 * sizeof(uint32_t) + 1, net_->neurons);
    batch_ = BatchStream::make();
  }

  ~FastPipeline() override = default;  // every buffer is freed on its own device

  std::string name() const override { return "fast"; }
  int device() const override { return device_; }
  uint64_t maxBatchRows() const override { return capacity_; }
  std::string describe() const override {
    return "fast on GPU " + std::to_string(device_) + (warpFirst_ ? " (warp" : " (thread") + "-per-row layer 0): reduced network of " + std::to_string(net_->totalEntries()) +
           " entries (" + std::to_string(net_->maxClasses()) + " classes at most), batches of up to " +
           std::to_string(capacity_) + " rows";
  }

  BatchResult run(const SparseRows& inputs, uint64_t begin, uint64_t end, const InferRequest& request) override {
    if (request.precision != Precision::F32) throw Error(ErrorCode::Argument, "the fast CUDA kernel computes in float32 only");
    if (request.wantTrace) throw Error(ErrorCode::Argument, "the fast CUDA kernel does not trace rows (use the CPU engine)");
    if (end < begin || end - begin > capacity_) throw Error(ErrorCode::Argument, "batch larger than the fast pipeline's capacity");
    if (inputs.n != net_->neurons) throw Error(ErrorCode::Argument, "inputs do not match the model's neuron count");
    DeviceGuard guard(device_);
    const uint32_t rows = static_cast<uint32_t>(end - begin);
    BatchResult result;
    if (rows == 0) return result;
    reserveBatch(rows);
    const uint32_t last = infer(inputs, begin, end, request);
    const std::vector<uint8_t> fate = batch_.finish(fate_.get(), rows);
    result.seconds = batch_.seconds();
    result.categories = categoriesOf(fate, begin);
    if (request.wantRows || request.wantRowSums) finalRows(fate, state_[last % 2].get(), request, &result);
    return result;
  }

 private:
  void uploadLayers() {
    const ExitRules rules = exitRules(*net_);
    const size_t layers = net_->layers.size();
    std::vector<uint64_t> ptrAt(layers + 1, 0), entryAt(layers + 1, 0);
    for (size_t l = 0; l < layers; ++l) {
      ptrAt[l + 1] = ptrAt[l] + net_->layers[l].ptr.size();
      entryAt[l + 1] = entryAt[l] + net_->layers[l].entries();
    }
    // Every layer's arrays concatenated, on all cores (65536x1920: 2.4e8 entries, ~1.5 s on one).
    std::vector<uint32_t> ptr(ptrAt[layers]);
    const auto entry = std::make_unique_for_overwrite<uint2[]>(entryAt[layers]);  // not zeroed first
    const size_t threads = std::max(1u, std::thread::hardware_concurrency());
    onEachThread(threads, [&](size_t t) {
      for (size_t l = t; l < layers; l += threads) {
        const ReducedLayer& layer = net_->layers[l];
        std::copy(layer.ptr.begin(), layer.ptr.end(), ptr.begin() + static_cast<ptrdiff_t>(ptrAt[l]));
        for (size_t e = 0; e < layer.input.size(); ++e) {
          entry[entryAt[l] + e] = make_uint2(layer.input[e], std::bit_cast<uint32_t>(layer.weight[e]));
        }
      }
    });
    ptr_ = upload(ptr);
    entry_ = upload(entry.get(), entryAt[layers]);
    for (size_t l = 0; l < net_->layers.size(); ++l) {
      const ReducedLayer& layer = net_->layers[l];
      DeviceLayer d;
      d.ptr = ptr_.get() + ptrAt[l];
      d.entry = entry_.get() + entryAt[l];
      d.inClasses = layer.inClasses;
      d.outClasses = layer.outClasses;
      d.bias = layer.bias;
      d.saturatedExit = rules.saturatedExit[l];
      d.last = l + 1 == net_->layers.size();
      layers_.push_back(d);
      shapes_.push_back(fast::stepShape(layer.inClasses, layer.outClasses, l == 0));
    }
    layersOnDevice_ = upload(layers_);
    // Layer 0 transposed: for every input neuron, the classes it feeds (ascending) and the weights.
    const ReducedLayer& first = net_->layers[0];
    std::vector<uint32_t> tptr(net_->neurons + 1, 0);
    std::vector<uint2> tentry(first.entries());
    for (uint32_t i : first.input) ++tptr[i + 1];
    for (uint32_t i = 0; i < net_->neurons; ++i) tptr[i + 1] += tptr[i];
    std::vector<uint32_t> fill(tptr.begin(), tptr.end() - 1);
    for (uint32_t c = 0; c < first.outClasses; ++c) {
      for (uint32_t e = first.ptr[c]; e < first.ptr[c + 1]; ++e) {
        tentry[fill[first.input[e]]++] = make_uint2(c, std::bit_cast<uint32_t>(first.weight[e]));
      }
    }
    uniformFanOut_ = tptr[1];
    for (uint32_t i = 0; i < net_->neurons; ++i) {
      maxFanOut_ = std::max(maxFanOut_, tptr[i + 1] - tptr[i]);
      if (tptr[i + 1] - tptr[i] != uniformFanOut_) uniformFanOut_ = 0;
    }
    const char* forced = std::getenv("SNIG_FAST_FIRST_LAYER");
    warpFirst_ = first.outClasses <= fast::kWarpFirstMaxClasses && maxFanOut_ <= fast::kWarpFirstMaxFanOut &&
                 !(forced && std::strcmp(forced, "thread") == 0);
    tptr_ = upload(tptr);
    tentry_ = upload(tentry);
  }

  void reserveBatch(uint32_t rows) {
    for (auto& state : state_) reserve(state, uint64_t{rows} * stride_);
    for (auto& list : live_) reserve(list, rows);
    reserve(fate_, rows);
    reserve(counts_, layers_.size() + 1);
  }

  // Uploads rows [begin, end) and runs every layer (or until no row is left); returns the layer
  // whose state buffer holds the final rows. Layer 0 runs chunk by chunk as the rows arrive; the
  // GPU time starts with the first chunk on the device.
  uint32_t infer(const SparseRows& inputs, uint64_t begin, uint64_t end, const InferRequest& request) {
    cudaStream_t stream = batch_.stream.get();
    const auto rows = static_cast<uint32_t>(end - begin);
    const uint32_t layers = static_cast<uint32_t>(layers_.size());
    SNIG_CUDA_CHECK(cudaMemsetAsync(fate_.get(), kDead, rows, stream));
    SNIG_CUDA_CHECK(cudaMemsetAsync(counts_.get(), 0, (layers + 1) * sizeof(uint32_t), stream));
    *batch_.hostCount.get() = rows;
    SNIG_CUDA_CHECK(cudaMemcpyAsync(counts_.get(), batch_.hostCount.get(), sizeof(uint32_t), cudaMemcpyHostToDevice, stream));
    if (!warpFirst_) SNIG_CUDA_CHECK(cudaMemsetAsync(state_[0].get(), 0, uint64_t{rows} * stride_ * sizeof(float), stream));
    Step first;
    first.layer = layers_[0];
    first.out = state_[0].get();
    first.stride = stride_;
    first.liveOut = live_[0].get();
    first.countOut = counts_.get() + 1;
    first.fate = fate_.get();
    uploader_.upload(inputs, begin, end, stream, [&](uint32_t rowBegin, uint32_t rowEnd, cudaStream_t chunkStream) {
      if (rowBegin == 0) SNIG_CUDA_CHECK(cudaEventRecord(batch_.start.get(), chunkStream));
      if (warpFirst_) {
        fast::launchFirstLayerWarp(uploader_.rowptr(), uploader_.cols(), uploader_.values(), rowBegin, rowEnd, tptr_.get(),
                                   tentry_.get(), maxFanOut_, uniformFanOut_, first, multiprocessors_, chunkStream);
      } else {
        fast::launchFirstLayerSums(uploader_.rowptr(), uploader_.cols(), uploader_.values(), rowBegin, rowEnd, tptr_.get(),
                                   tentry_.get(), state_[0].get(), stride_, chunkStream);
      }
    });
    uint32_t known = rows;  // an upper bound of the live rows: they only ever leave
    for (uint32_t l = warpFirst_ ? 1 : 0; l < layers; ++l) {
      Step step;
      step.layer = layers_[l];
      step.in = state_[(l + 1) % 2].get();
      step.out = state_[l % 2].get();
      step.stride = stride_;
      step.liveIn = live_[(l + 1) % 2].get();
      step.countIn = counts_.get() + l;
      step.liveOut = live_[l % 2].get();
      step.countOut = counts_.get() + l + 1;
      step.fate = fate_.get();
      if (l == 0) {
        step.in = state_[0].get();
        step.liveIn = nullptr;
        step.activateOnly = true;
      }
      fast::launchStep(step, shapes_[l], known, multiprocessors_, stream);
      if (l + 1 < layers && shouldPoll(l)) {
        throwIfCancelled(request);
        SNIG_CUDA_CHECK(cudaMemcpyAsync(batch_.hostCount.get(), counts_.get() + l + 1, sizeof(uint32_t), cudaMemcpyDeviceToHost, stream));
        SNIG_CUDA_CHECK(cudaStreamSynchronize(stream));
        known = *batch_.hostCount.get();
        if (known == 0) return l;
        if (known <= fuseRows_) {
          Step rest;
          rest.in = state_[l % 2].get();
          rest.out = state_[(layers - 1) % 2].get();
          rest.stride = stride_;
          rest.liveIn = live_[l % 2].get();
          rest.countIn = counts_.get() + l + 1;
          rest.fate = fate_.get();
          fast::launchFused(layersOnDevice_.get(), l + 1, layers, rest, fused_, known, multiprocessors_, stream);
          return layers - 1;
        }
      }
    }
    return layers - 1;
  }

  // Early layers lose rows fast: poll often there, then every 8 layers.
  static bool shouldPoll(uint32_t l) { return l < 16 ? l % 2 == 0 : l % 8 == 7; }

  void finalRows(const std::vector<uint8_t>& fate, const float* state, const InferRequest& request, BatchResult* result) {
    const uint32_t rows = static_cast<uint32_t>(fate.size());
    const uint32_t classes = net_->layers.back().outClasses;
    const uint32_t n = net_->neurons;
    std::vector<float> values(uint64_t{rows} * classes);
    SNIG_CUDA_CHECK(cudaMemcpy2D(values.data(), classes * sizeof(float), state, stride_ * sizeof(float),
                                 classes * sizeof(float), rows, cudaMemcpyDeviceToHost));
    if (request.wantRowSums) result->rowSums.assign(rows, 0.0);
    if (request.wantRows) result->rows.assign(uint64_t{rows} * n, 0.0f);
    std::vector<float> full(classes, kClamp);
    for (uint32_t r = 0; r < rows; ++r) {
      if (fate[r] == kDead) continue;
      const float* v = fate[r] == kSaturated ? full.data() : values.data() + uint64_t{r} * classes;
      if (request.wantRowSums) result->rowSums[r] = rowSum(*net_, v);
      if (request.wantRows) expandRow(*net_, v, result->rows.data() + uint64_t{r} * n);
    }
  }

  std::shared_ptr<const ReducedNetwork> net_;
  int device_ = 0;
  int multiprocessors_ = 1;
  uint32_t stride_ = 0;
  fast::FusedShape fused_;
  uint64_t fuseRows_ = 0;  // live rows at or below which the remaining layers run fused (0: never)
  uint32_t maxFanOut_ = 0;      // most classes one input neuron feeds in layer 0
  uint32_t uniformFanOut_ = 0;  // the classes every input feeds, when they all feed as many
  bool warpFirst_ = false;
  uint64_t capacity_ = 0;
  std::vector<DeviceLayer> layers_;
  std::vector<StepShape> shapes_;
  DeviceBuffer<uint32_t> ptr_, tptr_;
  DeviceBuffer<uint2> entry_, tentry_;
  DeviceBuffer<DeviceLayer> layersOnDevice_;
  InputUploader uploader_;
  DeviceBuffer<float> state_[2];
  DeviceBuffer<uint32_t> live_[2];
  DeviceBuffer<uint8_t> fate_;
  DeviceBuffer<uint32_t> counts_;
  BatchStream batch_;
};

}  // namespace

std::unique_ptr<GpuPipeline> makeFastPipeline(std::shared_ptr<const ReducedNetwork> network, const PipelineOptions& options) {
  return std::make_unique<FastPipeline>(std::move(network), options);
}

}  // namespace snig::cuda
