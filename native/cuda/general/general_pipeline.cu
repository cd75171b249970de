// The general pipeline on one device. Per batch: the sparse rows scattered into tiles, then per
// layer one launch over the live tiles, a one-block plan of the rows that stay and a move that packs
// them into tiles again (dense tiles, or lines: lines.cuh). The host polls the live count now and
// then to size the grids and to stop once every row has left. At N <= 4096, once few rows are live
// (or from the start in a small batch), one fused launch carries them through every remaining layer
// (fused_kernel.cuh). Where every input value is 1, layer 1 is computed from the input rows' bits
// (first_layer.cuh) instead of scattering them into tiles; before the lines kernel a counted layer 1
// writes its counts, which layer 2 reads (codes.cuh).
// Which kernel runs is kernel_choice.hpp's; the model's layouts are device_model.hpp's, the
// batch's buffers batch_state.hpp's. SNIG_GENERAL_PROFILE=1 polls after every layer and prints each
// layer's live rows and time to stderr.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../batch_setup.hpp"
#include "../cuda_check.hpp"
#include "../cuda_raii.hpp"
#include "../input_upload.hpp"
#include "codes.cuh"
#include "device_model.hpp"
#include "final_rows.hpp"
#include "first_layer.cuh"
#include "fused_kernel.cuh"
#include "general_kernels.cuh"
#include "general_pipeline.hpp"
#include "kernel_choice.hpp"
#include "lines.cuh"

namespace snig::cuda {
namespace {

using general::DeviceLayer;
using general::LayerKernel;

constexpr uint64_t kMaxBatchRows = 1 << 17;  // the plan kernel's one block

std::shared_ptr<const Model> withLayers(std::shared_ptr<const Model> model) {
  if (model->layerCount() == 0) throw Error(ErrorCode::Argument, "the general pipeline needs at least one layer");
  return model;
}

int multiprocessorsOf(int device) {
  cudaDeviceProp prop{};
  SNIG_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return prop.multiProcessorCount;
}

// The layouts the model is held in: what the chosen kernels read.
general::LayoutNeeds layoutNeeds(const general::KernelChoice& choice, uint32_t n) {
  general::LayoutNeeds needs;
  needs.padded = choice.padded();
  needs.paddedFirst = general::firstLayerable(n);
  needs.sliced = choice.sliced();
  needs.fused = choice.fusable();
  return needs;
}

// The model in the general layout on the current device, or an error naming it when it does not fit.
general::DeviceModel uploadModel(const Model& model, const general::KernelChoice& choice, int device) {
  size_t freeBytes = 0, totalBytes = 0;
  SNIG_CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
  if (generalModelBytes(model) > freeBytes) {
    throw Error(ErrorCode::Cuda, "the model (" + std::to_string(generalModelBytes(model) >> 20) +
                                     " MiB in the general layout) does not fit GPU " + std::to_string(device) + " (" +
                                     std::to_string(freeBytes >> 20) + " MiB free); use --kernel snig, which streams");
  }
  return general::DeviceModel(model, layoutNeeds(choice, model.neurons()));
}

class GeneralPipeline final : public GpuPipeline {
 public:
  GeneralPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options)
      : model_(withLayers(std::move(model))),
        device_(options.device),
        multiprocessors_(multiprocessorsOf(device_)),
        choice_(*model_, multiprocessors_),
        kernels_(choice_.describe()),  // also checks SNIG_GENERAL_LANES against each kernel
        firstMaxTerms_(general::maxFanIn(model_->layer(0))),
        profile_(std::getenv("SNIG_GENERAL_PROFILE") != nullptr) {
    DeviceGuard guard(device_);
    general::configureKernels();
    general::configureFirstLayer();
    general::configureLines();
    general::configureFused();
    deviceModel_ = uploadModel(*model_, choice_, device_);
    const uint32_t n = model_->neurons();
    capacity_ = std::min(batchCapacity(options.batchRows, general::BatchState::bytesPerRow(n), n), kMaxBatchRows);
    batch_ = BatchStream::make();
    layerDone_ = makeEvent();
  }

  ~GeneralPipeline() override = default;  // every buffer is freed on its own device

  std::string name() const override { return "general"; }
  int device() const override { return device_; }
  uint64_t maxBatchRows() const override { return capacity_; }
  std::string describe() const override {
    const bool first = general::firstLayerable(model_->neurons()) && !choice_.denseFirst();
    return "general on GPU " + std::to_string(device_) + " (" + kernels_ +
           (first ? "; layer 1 from the input bits when every input is 1" : "") + "): " +
           std::to_string(model_->indexBytes() * 8) + "-bit indices, model " + std::to_string(deviceModel_.bytes() >> 20) +
           " MiB on the device, batches of up to " + std::to_string(capacity_) + " rows";
  }

  BatchResult run(const SparseRows& inputs, uint64_t begin, uint64_t end, const InferRequest& request) override {
    if (request.precision != Precision::F32) throw Error(ErrorCode::Argument, "the general CUDA kernel computes in float32 only");
    if (request.wantTrace) throw Error(ErrorCode::Argument, "the general CUDA kernel does not trace rows (use the CPU engine)");
    if (end < begin || end - begin > capacity_) throw Error(ErrorCode::Argument, "batch larger than the general pipeline's capacity");
    if (inputs.n != model_->neurons()) throw Error(ErrorCode::Argument, "inputs do not match the model's neuron count");
    DeviceGuard guard(device_);
    const uint32_t rows = static_cast<uint32_t>(end - begin);
    BatchResult result;
    if (rows == 0) return result;
    kernel_ = choice_.kernelFor(rows);
    lanes_ = choice_.lanesFor(kernel_);
    state_.reserve(rows, model_->neurons(), lanes_, model_->layerCount(), kernel_ == LayerKernel::Lines);
    cudaStream_t stream = batch_.stream.get();
    uploader_.upload(inputs, begin, end, stream);
    SNIG_CUDA_CHECK(cudaEventRecord(batch_.start.get(), stream));  // the GPU time starts with every input there
    copyCount(infer(rows, request));  // the live rows at the end come back with the fates, in one wait
    const std::vector<uint8_t> fate = batch_.finish(state_.fate.get(), rows);
    const uint32_t finalCount = *batch_.hostCount.get();
    result.seconds = batch_.seconds();
    result.categories = categoriesOf(fate, begin);
    if (request.wantRows || request.wantRowSums) {
      general::readFinalRows(state_, fate, finalCount, model_->neurons(), lanes_, kernel_ == LayerKernel::Lines, request, &result);
    }
    return result;
  }

 private:
  // Runs every layer (or until no row is left); returns the slot of state_.counts that holds the
  // live rows packed in state_.in at the end.
  uint32_t infer(uint32_t rows, const InferRequest& request) {
    cudaStream_t stream = batch_.stream.get();
    const uint32_t layers = model_->layerCount();
    state_.start(rows, lanes_, stream);
    const bool first = firstFromBits();
    codes_ = first && kernel_ == LayerKernel::Lines && choice_.firstCounts();
    if (!first) scatterInputs(rows);
    if (profile_) {
      SNIG_CUDA_CHECK(cudaEventRecord(layerDone_.get(), stream));
      SNIG_CUDA_CHECK(cudaStreamSynchronize(stream));
      printLayer(0, rows);  // the inputs scattered
    }
    uint32_t known = rows;  // an upper bound of the live rows: they only ever leave
    for (uint32_t l = 0; l < layers; ++l) {
      if (known <= choice_.fuseRows() && !(l == 0 && first)) {
        fuseRest(l, known);
        break;
      }
      if (l == 0 && first) firstLayer(rows);
      else layer(l, known);
      packKept(l, l + 1, deviceModel_.saturatedExit(l), l + 1 == layers, known);
      if (l + 1 < layers && (shouldPoll(l) || profile_)) {
        known = poll(l + 1, request);
        if (known == 0) return l + 1;
      }
    }
    if (profile_) poll(layers, request);
    return layers;
  }

  // Layers [l, L) in one fused launch on the live rows of layer l (at most `known`), whose kept rows
  // are then packed as after the last layer.
  void fuseRest(uint32_t l, uint32_t known) {
    const uint32_t layers = model_->layerCount();
    general::Fused f;
    f.n = model_->neurons();
    f.lanes = std::min({choice_.fuseLanes(), general::fusedMaxLanes(f.n), lanes_});
    f.srcLanes = lanes_;
    f.cluster = choice_.fuseCluster();
    f.firstLayer = l;
    f.layers = layers;
    f.layer = deviceModel_.paddedLayers();
    f.saturatedExit = deviceModel_.saturatedExits();
    f.in = state_.in.get();
    f.out = state_.out.get();
    f.count = state_.counts.get() + l;
    f.rowOf = state_.rowOf[l % 2].get();
    f.fate = state_.fate.get();
    f.alive = state_.alive.get();
    f.counters = state_.fusedCounters.get();
    f.resumeAt = state_.resumeAt.get();
    general::launchFused(f, known, multiprocessors_, batch_.stream.get());
    // Its saturated rows have their fate: the rest of the flagged rows are kept, as live.
    packKept(l, layers, false, true, known);
  }

  // The plan of the rows that stay after the layer(s) from slot state `l` (flags in alive/notFull),
  // and the move that packs them as state `next`.
  void packKept(uint32_t l, uint32_t next, bool saturatedExit, bool last, uint32_t known) {
    general::Plan plan;
    plan.lanes = lanes_;
    plan.count = state_.counts.get() + l;
    plan.nextCount = state_.counts.get() + next;
    plan.alive = state_.alive.get();
    plan.notFull = state_.notFull.get();
    plan.rowIn = state_.rowOf[l % 2].get();
    plan.rowOut = state_.rowOf[(l + 1) % 2].get();
    plan.from = state_.from.get();
    plan.fate = state_.fate.get();
    plan.saturatedExit = saturatedExit;
    plan.last = last;
    general::launchPlan(plan, batch_.stream.get());
    const uint32_t* nextCount = state_.counts.get() + next;
    if (kernel_ == LayerKernel::Lines) {
      // Layer 1's counts are not moved: layer 2 reads them through the plan (state_.from).
      if (!(l == 0 && codes_)) general::launchMoveLines(lines(l), state_.from.get(), nextCount, known, multiprocessors_, batch_.stream.get());
    } else {
      general::launchMove(state_.out.get(), state_.in.get(), state_.from.get(), nextCount, model_->neurons(), lanes_, known,
                          multiprocessors_, batch_.stream.get());
    }
    state_.finalRowOf = (l + 1) % 2;
  }

  // Enqueues the copy of the live count after layer `l` to batch_.hostCount.
  void copyCount(uint32_t l) {
    SNIG_CUDA_CHECK(cudaMemcpyAsync(batch_.hostCount.get(), state_.counts.get() + l, sizeof(uint32_t), cudaMemcpyDeviceToHost,
                                    batch_.stream.get()));
  }

  // Waits for the live count after layer `l` (the profile prints it with the time so far).
  uint32_t poll(uint32_t l, const InferRequest& request) {
    cudaStream_t stream = batch_.stream.get();
    if (profile_) SNIG_CUDA_CHECK(cudaEventRecord(layerDone_.get(), stream));
    throwIfCancelled(request);
    copyCount(l);
    SNIG_CUDA_CHECK(cudaStreamSynchronize(stream));
    const uint32_t live = *batch_.hostCount.get();
    if (profile_) printLayer(l, live);
    return live;
  }

  // The batch's input rows into the layer kernels' tiles (zeroed dense tiles, or lines).
  void scatterInputs(uint32_t rows) {
    cudaStream_t stream = batch_.stream.get();
    const uint32_t n = model_->neurons();
    if (kernel_ == LayerKernel::Lines) {
      general::launchScatterLines(uploader_.rowptr(), uploader_.cols(), uploader_.values(), rows, lines(0), stream);
      return;
    }
    const uint32_t tiles = (rows + lanes_ - 1) / lanes_;
    SNIG_CUDA_CHECK(cudaMemsetAsync(state_.in.get(), 0, uint64_t{tiles} * lanes_ * n * sizeof(float), stream));
    general::launchScatter(uploader_.rowptr(), uploader_.cols(), uploader_.values(), rows, n, lanes_, state_.in.get(), stream);
  }

  // Layer 1 from the input rows' bits, into state_.out (dense tiles or lines), or its counts into
  // state_.in.
  void firstLayer(uint32_t rows) {
    general::FirstLayer f;
    f.n = model_->neurons();
    f.rows = rows;
    f.lanes = lanes_;
    f.rowptr = uploader_.rowptr();
    f.cols = uploader_.cols();
    f.out = state_.out.get();
    if (codes_) f.codes = reinterpret_cast<uint8_t*>(state_.in.get());  // free until the move after layer 2
    else if (kernel_ == LayerKernel::Lines) f.outMask = state_.outMask.get();
    f.alive = state_.alive.get();
    f.notFull = state_.notFull.get();
    f.maxTerms = firstMaxTerms_;
    general::launchFirstLayer(deviceModel_.layer(0).padded, f, multiprocessors_, batch_.stream.get());
  }

  // Layer l from state_.in into state_.out, for at most `known` live rows.
  void layer(uint32_t l, uint32_t known) {
    cudaStream_t stream = batch_.stream.get();
    const general::DeviceModel::Layouts& layouts = deviceModel_.layer(l);
    if (l == 1 && codes_) {
      general::Codes codes;
      codes.in = reinterpret_cast<const uint8_t*>(state_.in.get());
      codes.from = state_.from.get();
      codes.first = deviceModel_.layer(0).padded;
      general::launchCodesLayer(layouts.padded, codes, lines(l), known, stream);
      return;
    }
    if (kernel_ == LayerKernel::Lines) {
      general::launchLines(layouts.padded, lines(l), known, stream);
      return;
    }
    general::Step step;
    step.n = model_->neurons();
    step.lanes = lanes_;
    step.shortIndex = model_->indexBytes() == 2;
    step.kernel = kernel_;
    step.in = state_.in.get();
    step.out = state_.out.get();
    step.alive = state_.alive.get();
    step.notFull = state_.notFull.get();
    step.count = state_.counts.get() + l;
    general::launchLayer(kernel_ == LayerKernel::Tile ? layouts.padded : layouts.sliced, step, known, stream);
  }

  general::Lines lines(uint32_t l) { return state_.lines(l, model_->neurons(), lanes_); }

  // Layer 1 from the input bits: every input value 1, tiles that divide the first-layer kernel's (in
  // a gather batch too: on 2000x30 it saves the scatter, ~0.02 ms; the fallback models the same).
  bool firstFromBits() const {
    const uint32_t rowsPerTile = general::firstLayerRows(model_->neurons());
    return !choice_.denseFirst() && uploader_.unitValues() && rowsPerTile > 0 && rowsPerTile % lanes_ == 0 &&
           deviceModel_.layer(0).padded.start != nullptr;
  }

  void printLayer(uint32_t l, uint32_t live) {
    float ms = 0;
    SNIG_CUDA_CHECK(cudaEventElapsedTime(&ms, batch_.start.get(), layerDone_.get()));
    std::fprintf(stderr, "profile: layer %u live %u cumulative_ms %.3f\n", l, live, ms);
  }

  // Early layers lose rows fast: poll often there, then every 8 layers.
  static bool shouldPoll(uint32_t l) { return l < 16 ? l % 2 == 0 : l % 8 == 7; }

  std::shared_ptr<const Model> model_;
  int device_ = 0;
  int multiprocessors_ = 1;
  general::KernelChoice choice_;
  std::string kernels_;  // choice_.describe()
  general::DeviceModel deviceModel_;
  uint32_t firstMaxTerms_ = 0;  // layer 1's largest fan-in
  uint64_t capacity_ = 0;
  bool profile_ = false;
  BatchStream batch_;
  Event layerDone_;
  InputUploader uploader_;
  general::BatchState state_;
  LayerKernel kernel_ = LayerKernel::Staged;  // the current batch's kernel and rows per tile
  uint32_t lanes_ = 16;
  bool codes_ = false;  // the current batch's layer 1 writes its counts (codes.cuh)
};

}  // namespace

std::unique_ptr<GpuPipeline> makeGeneralPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options) {
  return std::make_unique<GeneralPipeline>(std::move(model), options);
}

}  // namespace snig::cuda
