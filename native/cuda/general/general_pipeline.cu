// The general pipeline on one device. Per batch: the sparse rows scattered into tiles, then per
// layer one launch over the live tiles, a one-block plan of the rows that stay and a move that packs
// them into tiles again (dense tiles, or lines: lines.cuh). The host polls the live count now and
// then to size the grids and to stop once every row has left. At N <= 4096, once few rows are live
// (or from the start in a small batch), one fused launch carries them through every remaining layer
// (fused_kernel.cuh). The layer kernel and the rows per tile come from N (measured on an H200,
// docs/performance.md). Where every input value is 1, a batch that runs the tile, staged or lines
// kernel computes layer 1 from the input rows' bits (first_layer.cuh) instead of scattering them into
// tiles; before the lines kernel a counted layer 1 writes its counts, which layer 2 reads (codes.cuh).
// For comparisons SNIG_GENERAL_KERNEL=gather|staged|tile|lines, SNIG_GENERAL_LANES=4|8|16|32,
// SNIG_GENERAL_FIRST=dense|lines (lines: no counts), SNIG_GENERAL_FUSE_ROWS (live rows at or under which the fused layers take
// over; 0: never) and SNIG_GENERAL_FUSE_LANES=1|2|4|8|16 (rows per fused tile) override the choices,
// and SNIG_GENERAL_PROFILE=1 polls after every layer and prints each layer's live rows and time to
// stderr.
#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <optional>
#include <string>

#include "../../core/structure/saturation.hpp"
#include "../batch_setup.hpp"
#include "../cuda_check.hpp"
#include "../cuda_raii.hpp"
#include "../input_upload.hpp"
#include "codes.cuh"
#include "first_layer.cuh"
#include "fused_kernel.cuh"
#include "general_kernels.cuh"
#include "general_pipeline.hpp"
#include "lines.cuh"
#include "padded_layer.hpp"
#include "padded_terms.cuh"
#include "sliced_layer.hpp"

namespace snig::cuda {
namespace {

using general::DeviceLayer;
using general::LayerKernel;

constexpr uint64_t kMaxBatchRows = 1 << 17;  // the plan kernel's one block
// Where a tile of at least 8 rows fits the tile kernel's shared memory (N <= 4096), a batch with at
// least 4 tiles per multiprocessor runs the tile kernel (60000 rows at N = 1024 / 4096: the layers
// 1.4 / 1.6 times faster than gather's); a smaller batch runs the gather kernel (on 1200-6000 rows
// the tile kernel's one block per tile leaves most multiprocessors idle: up to 1.9 times slower).
// Above, the staged kernel up to N = 16384 (16384: 207 ms against gather's 246; with layer 1 counted,
// 56.4 ms of GPU time against the lines kernel's 59.8), the lines kernel up to 65536 (65536: 239 ms
// against the staged kernel's 538 with the dense first layer; 194 with layer 1's counts), else the
// staged kernel; at 16384 the lines kernel too where layer 1 writes its counts (linesByDefault).
constexpr uint32_t kTileMinLanes = 8;
constexpr uint64_t kTileMinTilesPerMultiprocessor = 4;
// The fused layers take over once the live rows would read at most this many bytes of a layer's
// weights: a fused tile of one row reads the whole layer (from L2) for itself, so a layer costs them
// about live x layer bytes / ~3 TB/s (2000x30's dense layers), against ~35 us a layer of launches
// and latency in the per-layer path once few rows are live. Measured on an H200 (docs/performance.md):
// 2000x30 fused from 188 live rows (713 allowed) 0.99 ms, from its 3000 1.54, unfused 1.54; 1024
// mixed, 6000 rows: from 1365 rows 1.84 ms, from 6000 2.70; random 1024 from 3758 rows 3.29 ms
// against 4.08 unfused; 4096 from 1024 rows 11.60 against 12.09.
constexpr uint64_t kFuseLayerBytes = uint64_t{256} << 20;

bool tileable(uint32_t n) { return general::tileLanes(n) >= kTileMinLanes; }

// Whether layer 1 may run from the input bits at n neurons (its padded layout is then held too).
bool firstLayerable(uint32_t n) { return general::firstLayerRows(n) > 0; }

uint32_t maxFanIn(const LayerView& layer) {
  uint32_t most = 0;
  for (uint32_t j = 0; j < layer.n; ++j) most = std::max(most, layer.colptr[j + 1] - layer.colptr[j]);
  return most;
}

// Whether layer 1 may write its counts for layer 2 (codes.cuh) where the inputs are 1: it is
// counted (one weight, no padding, fan-in up to kMaxCount), its outputs have one float32 bias, and
// a layer 2 reads them.
bool countsFirstLayer(const Model& model) {
  if (model.layerCount() < 2) return false;
  const LayerView first = model.layer(0);
  if (general::storesValues(first) || maxFanIn(first) > general::kMaxCount) return false;
  for (uint32_t j = 1; j < first.n; ++j) {
    if (first.biasOf32(j) != first.biasOf32(0)) return false;
  }
  return true;
}

// Whether batches run the lines kernel: above 16384 neurons, and at 16384 where layer 1 writes its
// counts (H200, 60000 rows: 46.6 ms of GPU time against the staged kernel's 56.4; without the
// counts lines was the slower there, 59.8).
constexpr uint32_t kLinesMinN = 16385;
constexpr uint32_t kCountedLinesMinN = 16384;
bool linesByDefault(const Model& model) {
  const uint32_t n = model.neurons();
  return general::linesRows(n) > 0 && (n >= kLinesMinN || (n >= kCountedLinesMinN && countsFirstLayer(model)));
}

// SNIG_GENERAL_KERNEL, when set (and not empty): that kernel for every batch.
std::optional<LayerKernel> forcedKernel(uint32_t n) {
  const char* text = std::getenv("SNIG_GENERAL_KERNEL");
  if (!text || !*text) return std::nullopt;
  const std::string name = text;
  if (name == "gather") return LayerKernel::Gather;
  if (name == "staged") return LayerKernel::Staged;
  if (name == "tile" && general::tileLanes(n) > 0) return LayerKernel::Tile;
  if (name == "lines" && general::linesRows(n) > 0) return LayerKernel::Lines;
  throw Error(ErrorCode::Argument, "SNIG_GENERAL_KERNEL must be gather, staged, tile (up to N = 8192) or lines (up to 65536)");
}

const char* kernelName(LayerKernel kernel) {
  switch (kernel) {
    case LayerKernel::Tile: return "tile";
    case LayerKernel::Staged: return "staged";
    case LayerKernel::Lines: return "lines";
    default: return "gather";
  }
}

// Rows per tile: the tile kernel's as many as fit its shared memory; the staged kernel keeps 32 sums
// per thread, so fewer rows per tile let a block own more outputs, and re-stage each tile for fewer
// blocks, as N grows. Gather: 16 at 1024; 8 above (2000x30: 1.54 ms against 1.78 with 16).
uint32_t lanesFor(uint32_t n, LayerKernel kernel) {
  if (kernel == LayerKernel::Lines) return general::linesRows(n);  // fixed by the masks' shared memory
  const char* text = std::getenv("SNIG_GENERAL_LANES");
  if (!text) return kernel == LayerKernel::Tile ? general::tileLanes(n) : n <= 1024 ? 16 : n <= 8192 ? 8 : 4;
  const uint32_t lanes = static_cast<uint32_t>(std::strtoul(text, nullptr, 10));
  if (!general::validLanes(lanes)) throw Error(ErrorCode::Argument, "SNIG_GENERAL_LANES must be 4, 8, 16 or 32");
  if (kernel == LayerKernel::Tile && uint64_t{lanes} * n * sizeof(float) > general::kTileBytes) {
    throw Error(ErrorCode::Argument, "SNIG_GENERAL_LANES: a tile of that many rows does not fit the tile kernel's shared memory");
  }
  return lanes;
}

// Live rows at or under which the fused layers take over (0: never; they need the padded layout).
uint64_t fuseRowsFor(const Model& model, bool padded) {
  if (!padded) return 0;
  const char* text = std::getenv("SNIG_GENERAL_FUSE_ROWS");
  if (text) return std::strtoull(text, nullptr, 10);
  uint64_t bytes = 0;
  for (uint32_t l = 0; l < model.layerCount(); ++l) bytes += general::paddedLayerBytes(model.layer(l));
  return kFuseLayerBytes / std::max<uint64_t>(1, bytes / model.layerCount());
}

// Rows per fused tile: 1, as measured fastest (each row leaves its tile's work when it dies: no
// compaction needed), unless SNIG_GENERAL_FUSE_LANES says otherwise.
uint32_t fuseLanesFor() {
  const char* text = std::getenv("SNIG_GENERAL_FUSE_LANES");
  if (!text) return 1;
  const auto lanes = static_cast<uint32_t>(std::strtoul(text, nullptr, 10));
  if (lanes == 0 || lanes > 16 || (lanes & (lanes - 1)) != 0) throw Error(ErrorCode::Argument, "SNIG_GENERAL_FUSE_LANES must be 1, 2, 4, 8 or 16");
  return lanes;
}


// One layer's device arrays packed in one host block (16-byte aligned parts), then copied at once.
class Packer {
 public:
  template <typename T>
  uint64_t add(const std::vector<T>& part) {
    const uint64_t at = (bytes_.size() + 15) / 16 * 16;
    bytes_.resize(at + part.size() * sizeof(T));
    if (!part.empty()) std::memcpy(bytes_.data() + at, part.data(), part.size() * sizeof(T));
    return at;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Where a part packed at `offset` lies in the device block (nullptr when not packed).
template <typename T>
const T* partAt(const DeviceBuffer<uint8_t>& block, const std::optional<uint64_t>& offset) {
  return offset ? reinterpret_cast<const T*>(block.get() + *offset) : nullptr;
}

class GeneralPipeline final : public GpuPipeline {
 public:
  GeneralPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options)
      : model_(std::move(model)),
        device_(options.device),
        forced_(forcedKernel(model_->neurons())),
        fuseLanes_(fuseLanesFor()) {
    if (model_->layerCount() == 0) throw Error(ErrorCode::Argument, "the general pipeline needs at least one layer");
    DeviceGuard guard(device_);
    general::configureKernels();
    general::configureFirstLayer();
    general::configureLines();
    general::configureFused();
    cudaDeviceProp prop{};
    SNIG_CUDA_CHECK(cudaGetDeviceProperties(&prop, device_));
    multiprocessors_ = prop.multiProcessorCount;
    lines_ = linesByDefault(*model_);
    tileMinRows_ = tileable(model_->neurons()) ? kTileMinTilesPerMultiprocessor * multiprocessors_ * general::tileLanes(model_->neurons()) : UINT64_MAX;
    fuseRows_ = fuseRowsFor(*model_, fusable());
    kernels_ = describeKernels();  // also checks SNIG_GENERAL_LANES against each kernel
    size_t freeBytes = 0, totalBytes = 0;
    SNIG_CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
    if (generalModelBytes(*model_) > freeBytes) {
      throw Error(ErrorCode::Cuda, "the model (" + std::to_string(generalModelBytes(*model_) >> 20) +
                                       " MiB in the general layout) does not fit GPU " + std::to_string(device_) +
                                       " (" + std::to_string(freeBytes >> 20) + " MiB free); use --kernel snig, which streams");
    }
    uploadModel();
    firstMaxTerms_ = maxFanIn(model_->layer(0));
    // Per row: two dense rows (or lines) and their masks' share, three row lists, its fate.
    const uint32_t n = model_->neurons();
    const uint64_t perRow = 2 * uint64_t{n} * sizeof(float) + 2 * uint64_t{n} / 8 + 3 * sizeof(uint32_t) + 1;
    capacity_ = std::min(batchCapacity(options.batchRows, perRow, n), kMaxBatchRows);
    profile_ = std::getenv("SNIG_GENERAL_PROFILE") != nullptr;
    const std::string first = std::getenv("SNIG_GENERAL_FIRST") ? std::getenv("SNIG_GENERAL_FIRST") : "";
    denseFirst_ = first == "dense";
    firstCodes_ = first != "lines" && countsFirstLayer(*model_);
    batch_ = BatchStream::make();
    layerDone_ = makeEvent();
  }

  ~GeneralPipeline() override = default;  // every buffer is freed on its own device

  std::string name() const override { return "general"; }
  int device() const override { return device_; }
  uint64_t maxBatchRows() const override { return capacity_; }
  std::string describe() const override {
    const bool first = firstLayerable(model_->neurons()) && !denseFirst_;
    return "general on GPU " + std::to_string(device_) + " (" + kernels_ +
           (first ? "; layer 1 from the input bits when every input is 1" : "") + "): " +
           std::to_string(model_->indexBytes() * 8) + "-bit indices, model " + std::to_string(modelBytes_ >> 20) +
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
    kernel_ = kernelFor(rows);
    lanes_ = lanesFor(model_->neurons(), kernel_);
    reserveBatch(rows);
    cudaStream_t stream = batch_.stream.get();
    uploader_.upload(inputs, begin, end, stream);
    SNIG_CUDA_CHECK(cudaEventRecord(batch_.start.get(), stream));  // the GPU time starts with every input there
    const uint32_t finalCount = infer(rows, request);
    const std::vector<uint8_t> fate = batch_.finish(fate_.get(), rows);
    result.seconds = batch_.seconds();
    result.categories = categoriesOf(fate, begin);
    if (request.wantRows || request.wantRowSums) finalRows(fate, finalCount, request, &result);
    return result;
  }

 private:
  // The fused layers run where the tile kernel may (they read its padded layout).
  bool fusable() const { return forced_ ? *forced_ == LayerKernel::Tile : tileable(model_->neurons()); }

  // Every layer in the layouts its batches' kernels read (padded for tile, sliced for gather and
  // staged) with its per-neuron biases, in one device block per layer.
  void uploadModel() {
    const uint32_t n = model_->neurons();
    const auto forced = [&](LayerKernel a, LayerKernel b) { return *forced_ == a || *forced_ == b; };
    const bool padded = forced_ ? forced(LayerKernel::Tile, LayerKernel::Lines) : tileable(n) || lines_;
    const bool paddedFirst = firstLayerable(n);
    const bool sliced = forced_ ? forced(LayerKernel::Gather, LayerKernel::Staged) : !lines_;
    const std::vector<bool> exits = saturatedExits(*model_);
    for (uint32_t l = 0; l < model_->layerCount(); ++l) {
      const LayerView view = model_->layer(l);
      Packer packer;
      // Where each part lands in the block (nullopt: not in it).
      using Part = std::optional<uint64_t>;
      Part start, paddedIndex, paddedValues, slicePtr, slicedIndex, slicedValues, order;
      const auto add = [&](const auto& part) { return part.empty() ? Part() : Part(packer.add(part)); };
      if (padded || (l == 0 && paddedFirst)) {
        const general::PaddedLayer layout = general::padLayer(view);
        start = add(layout.start);
        paddedIndex = add(layout.index);
        paddedValues = add(layout.values);
      }
      if (sliced) {
        const general::SlicedLayer layout = general::sliceLayer(view);
        slicePtr = add(layout.slicePtr);
        slicedIndex = view.index16 ? add(layout.index16) : add(layout.index32);
        slicedValues = add(layout.values);
        order = add(layout.order);
      }
      std::vector<float> biases(n);
      for (uint32_t j = 0; j < n; ++j) biases[j] = view.biasOf32(j);
      const uint64_t bias = packer.add(biases);
      DeviceBuffer<uint8_t> block(packer.bytes().size());
      copyToDevice(block.get(), packer.bytes().data(), packer.bytes().size());
      Layouts d;
      d.padded.start = partAt<uint32_t>(block, start);
      d.padded.index = partAt<uint16_t>(block, paddedIndex);
      d.padded.values = partAt<float>(block, paddedValues);
      d.sliced.slicePtr = partAt<uint32_t>(block, slicePtr);
      d.sliced.index = partAt<uint8_t>(block, slicedIndex);
      d.sliced.values = partAt<float>(block, slicedValues);
      d.sliced.order = partAt<uint32_t>(block, order);
      for (DeviceLayer* layer : {&d.padded, &d.sliced}) {
        layer->uniform = static_cast<float>(view.uniformValue);
        layer->bias = reinterpret_cast<const float*>(block.get() + bias);
      }
      modelBytes_ += block.bytes();
      blocks_.push_back(std::move(block));
      layers_.push_back(d);
      saturatedExit_.push_back(exits[l]);
    }
    if (fusable()) {  // what the fused layers read on the device: every layer, its saturated exit
      std::vector<DeviceLayer> paddedLayers;
      for (const Layouts& d : layers_) paddedLayers.push_back(d.padded);
      paddedLayers_ = DeviceBuffer<DeviceLayer>(paddedLayers.size());
      copyToDevice(paddedLayers_.get(), paddedLayers.data(), paddedLayers.size());
      const std::vector<uint8_t> exitFlags(exits.begin(), exits.end());
      exitsOnDevice_ = DeviceBuffer<uint8_t>(exitFlags.size());
      copyToDevice(exitsOnDevice_.get(), exitFlags.data(), exitFlags.size());
      nextTile_ = DeviceBuffer<uint32_t>(1);
    }
  }

  std::string describeKernels() const {
    const uint32_t n = model_->neurons();
    const auto named = [n](LayerKernel kernel) {
      return std::string(kernelName(kernel)) + " in tiles of " + std::to_string(lanesFor(n, kernel)) + " rows";
    };
    std::string text = forced_ || !tileable(n) ? named(kernelFor(1))
                                               : named(LayerKernel::Tile) + " for batches of " + std::to_string(tileMinRows_) +
                                                     "+ rows, else " + named(LayerKernel::Gather);
    if (fuseRows_) {
      text += "; fused layers in tiles of " + std::to_string(fuseLanes_) + " row(s) once " + std::to_string(fuseRows_) +
              " rows or fewer are live";
    }
    return text;
  }

  LayerKernel kernelFor(uint64_t rows) const {
    if (forced_) return *forced_;
    if (lines_) return LayerKernel::Lines;
    if (!tileable(model_->neurons())) return LayerKernel::Staged;
    return rows >= tileMinRows_ ? LayerKernel::Tile : LayerKernel::Gather;
  }

  void reserveBatch(uint32_t rows) {
    const uint64_t cells = (uint64_t{rows} + lanes_ - 1) / lanes_ * lanes_ * model_->neurons();
    reserve(in_, cells);
    reserve(out_, cells);
    const uint32_t tiles = (rows + lanes_ - 1) / lanes_;
    reserve(alive_, tiles);
    reserve(notFull_, tiles);
    for (auto& r : rowOf_) reserve(r, rows);
    reserve(from_, rows);
    reserve(fate_, rows);
    reserve(counts_, model_->layerCount() + 1);
    if (kernel_ == LayerKernel::Lines) {
      const uint64_t maskBytes = uint64_t{tiles} * general::linesMaskStride(model_->neurons()) * general::linesMaskBytes(lanes_);
      reserve(inMask_, maskBytes);
      reserve(outMask_, maskBytes);
    }
  }

  // Runs every layer (or until no row is left); returns the live rows packed in in_ at the end.
  uint32_t infer(uint32_t rows, const InferRequest& request) {
    cudaStream_t stream = batch_.stream.get();
    const uint32_t layers = model_->layerCount();
    const uint32_t tiles = (rows + lanes_ - 1) / lanes_;
    SNIG_CUDA_CHECK(cudaMemsetAsync(fate_.get(), kDead, rows, stream));
    SNIG_CUDA_CHECK(cudaMemsetAsync(alive_.get(), 0, tiles * sizeof(uint32_t), stream));
    SNIG_CUDA_CHECK(cudaMemsetAsync(notFull_.get(), 0, tiles * sizeof(uint32_t), stream));
    std::vector<uint32_t> identity(rows);
    std::iota(identity.begin(), identity.end(), 0u);
    SNIG_CUDA_CHECK(cudaMemcpyAsync(rowOf_[0].get(), identity.data(), rows * sizeof(uint32_t), cudaMemcpyHostToDevice, stream));
    *batch_.hostCount.get() = rows;
    SNIG_CUDA_CHECK(cudaMemcpyAsync(counts_.get(), batch_.hostCount.get(), sizeof(uint32_t), cudaMemcpyHostToDevice, stream));
    const bool first = firstFromBits();
    codes_ = first && kernel_ == LayerKernel::Lines && firstCodes_;
    if (!first) scatterInputs(rows);
    if (profile_) {
      SNIG_CUDA_CHECK(cudaEventRecord(layerDone_.get(), stream));
      SNIG_CUDA_CHECK(cudaStreamSynchronize(stream));
      printLayer(0, rows);  // the inputs scattered
    }
    uint32_t known = rows;  // an upper bound of the live rows: they only ever leave
    for (uint32_t l = 0; l < layers; ++l) {
      if (known <= fuseRows_ && !(l == 0 && first)) return fuseRest(l, known, request);
      if (l == 0 && first) firstLayer(rows);
      else layer(l, known);
      packKept(l, l + 1, saturatedExit_[l], l + 1 == layers, known);
      if (l + 1 == layers || shouldPoll(l) || profile_) {
        known = poll(l + 1, request);
        if (known == 0) break;
      }
    }
    return known;
  }

  // Layers [l, L) in one fused launch on the live rows of layer l (at most `known`), whose kept rows
  // are then packed as after the last layer.
  uint32_t fuseRest(uint32_t l, uint32_t known, const InferRequest& request) {
    const uint32_t layers = model_->layerCount();
    general::Fused f;
    f.n = model_->neurons();
    f.lanes = std::min({fuseLanes_, general::fusedMaxLanes(f.n), lanes_});
    f.srcLanes = lanes_;
    f.firstLayer = l;
    f.layers = layers;
    f.layer = paddedLayers_.get();
    f.saturatedExit = exitsOnDevice_.get();
    f.in = in_.get();
    f.out = out_.get();
    f.count = counts_.get() + l;
    f.rowOf = rowOf_[l % 2].get();
    f.fate = fate_.get();
    f.alive = alive_.get();
    f.nextTile = nextTile_.get();
    SNIG_CUDA_CHECK(cudaMemsetAsync(nextTile_.get(), 0, sizeof(uint32_t), batch_.stream.get()));
    general::launchFused(f, known, multiprocessors_, batch_.stream.get());
    // Its saturated rows have their fate: the rest of the flagged rows are kept, as live.
    packKept(l, layers, false, true, known);
    return poll(layers, request);
  }

  // The plan of the rows that stay after the layer(s) from slot state `l` (flags in alive/notFull),
  // and the move that packs them as state `next`.
  void packKept(uint32_t l, uint32_t next, bool saturatedExit, bool last, uint32_t known) {
    general::Plan plan;
    plan.lanes = lanes_;
    plan.count = counts_.get() + l;
    plan.nextCount = counts_.get() + next;
    plan.alive = alive_.get();
    plan.notFull = notFull_.get();
    plan.rowIn = rowOf_[l % 2].get();
    plan.rowOut = rowOf_[(l + 1) % 2].get();
    plan.from = from_.get();
    plan.fate = fate_.get();
    plan.saturatedExit = saturatedExit;
    plan.last = last;
    general::launchPlan(plan, batch_.stream.get());
    const uint32_t* nextCount = counts_.get() + next;
    if (kernel_ == LayerKernel::Lines) {
      // Layer 1's counts are not moved: layer 2 reads them through the plan (from_).
      if (!(l == 0 && codes_)) general::launchMoveLines(lines(l), from_.get(), nextCount, known, multiprocessors_, batch_.stream.get());
    } else {
      general::launchMove(out_.get(), in_.get(), from_.get(), nextCount, model_->neurons(), lanes_, known, multiprocessors_,
                          batch_.stream.get());
    }
    finalRowOf_ = (l + 1) % 2;
  }

  // Waits for the live count after layer `l` (the profile prints it with the time so far).
  uint32_t poll(uint32_t l, const InferRequest& request) {
    cudaStream_t stream = batch_.stream.get();
    if (profile_) SNIG_CUDA_CHECK(cudaEventRecord(layerDone_.get(), stream));
    throwIfCancelled(request);
    SNIG_CUDA_CHECK(cudaMemcpyAsync(batch_.hostCount.get(), counts_.get() + l, sizeof(uint32_t), cudaMemcpyDeviceToHost, stream));
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
    SNIG_CUDA_CHECK(cudaMemsetAsync(in_.get(), 0, uint64_t{tiles} * lanes_ * n * sizeof(float), stream));
    general::launchScatter(uploader_.rowptr(), uploader_.cols(), uploader_.values(), rows, model_->neurons(), lanes_, in_.get(), stream);
  }

  // Layer 1 from the input rows' bits, into out_ (dense tiles or lines).
  void firstLayer(uint32_t rows) {
    general::FirstLayer f;
    f.n = model_->neurons();
    f.rows = rows;
    f.lanes = lanes_;
    f.rowptr = uploader_.rowptr();
    f.cols = uploader_.cols();
    f.out = out_.get();
    if (codes_) f.codes = reinterpret_cast<uint8_t*>(in_.get());  // free until the move after layer 2
    else if (kernel_ == LayerKernel::Lines) f.outMask = outMask_.get();
    f.alive = alive_.get();
    f.notFull = notFull_.get();
    f.maxTerms = firstMaxTerms_;
    general::launchFirstLayer(layers_[0].padded, f, multiprocessors_, batch_.stream.get());
  }

  // Layer l from in_ into out_, for at most `known` live rows.
  void layer(uint32_t l, uint32_t known) {
    cudaStream_t stream = batch_.stream.get();
    if (l == 1 && codes_) {
      general::Codes codes;
      codes.in = reinterpret_cast<const uint8_t*>(in_.get());
      codes.from = from_.get();
      codes.first = layers_[0].padded;
      general::launchCodesLayer(layers_[1].padded, codes, lines(l), known, stream);
      return;
    }
    if (kernel_ == LayerKernel::Lines) {
      general::launchLines(layers_[l].padded, lines(l), known, stream);
      return;
    }
    general::Step step;
    step.n = model_->neurons();
    step.lanes = lanes_;
    step.shortIndex = model_->indexBytes() == 2;
    step.kernel = kernel_;
    step.in = in_.get();
    step.out = out_.get();
    step.alive = alive_.get();
    step.notFull = notFull_.get();
    step.count = counts_.get() + l;
    general::launchLayer(kernel_ == LayerKernel::Tile ? layers_[l].padded : layers_[l].sliced, step, known, stream);
  }

  // Layer l's lines: in_ to out_ (the move packs them back).
  general::Lines lines(uint32_t l) {
    general::Lines s;
    s.n = model_->neurons();
    s.rows = lanes_;
    s.in = in_.get();
    s.inMask = inMask_.get();
    s.out = out_.get();
    s.outMask = outMask_.get();
    s.alive = alive_.get();
    s.notFull = notFull_.get();
    s.count = counts_.get() + l;
    return s;
  }

  // Layer 1 from the input bits: every input value 1, a batch that runs the tile, staged or lines
  // kernel (small ones at N <= 4096 run gather, which spreads a tile's work over more blocks), tiles
  // that divide the first-layer kernel's.
  bool firstFromBits() const {
    const uint32_t rowsPerTile = general::firstLayerRows(model_->neurons());
    return !denseFirst_ && uploader_.unitValues() && kernel_ != LayerKernel::Gather && rowsPerTile > 0 &&
           rowsPerTile % lanes_ == 0 && layers_[0].padded.start != nullptr;
  }

  void printLayer(uint32_t l, uint32_t live) {
    float ms = 0;
    SNIG_CUDA_CHECK(cudaEventElapsedTime(&ms, batch_.start.get(), layerDone_.get()));
    std::fprintf(stderr, "profile: layer %u live %u cumulative_ms %.3f\n", l, live, ms);
  }

  // Early layers lose rows fast: poll often there, then every 8 layers.
  static bool shouldPoll(uint32_t l) { return l < 16 ? l % 2 == 0 : l % 8 == 7; }

  // Row sums (in neuron order, in double, as the CPU engine sums) and rows from the packed tiles.
  void finalRows(const std::vector<uint8_t>& fate, uint32_t count, const InferRequest& request, BatchResult* result) {
    const uint32_t rows = static_cast<uint32_t>(fate.size());
    const uint32_t n = model_->neurons();
    std::vector<float> tiles(uint64_t{(count + lanes_ - 1) / lanes_} * lanes_ * n);
    std::vector<uint32_t> rowOf(count);
    copyBack(tiles.data(), in_.get(), tiles.size());
    copyBack(rowOf.data(), rowOf_[finalRowOf_].get(), count);
    if (request.wantRowSums) result->rowSums.assign(rows, 0.0);
    if (request.wantRows) result->rows.assign(uint64_t{rows} * n, 0.0f);
    const auto emit = [&](uint32_t r, auto valueOf) {
      double sum = 0;
      for (uint32_t j = 0; j < n; ++j) {
        const float v = valueOf(j);
        sum += static_cast<double>(v);
        if (request.wantRows) result->rows[uint64_t{r} * n + j] = v;
      }
      if (request.wantRowSums) result->rowSums[r] = sum;
    };
    for (uint32_t r = 0; r < rows; ++r) {
      if (fate[r] == kSaturated) emit(r, [](uint32_t) { return kClamp; });
    }
    if (kernel_ == LayerKernel::Lines) {
      const uint32_t stride = general::linesMaskStride(n), maskBytes = general::linesMaskBytes(lanes_);
      std::vector<uint8_t> masks(uint64_t{(count + lanes_ - 1) / lanes_} * stride * maskBytes);
      copyBack(masks.data(), inMask_.get(), masks.size());
      for (uint32_t s = 0; s < count; ++s) {
        const uint32_t tile = s / lanes_, r = s % lanes_;
        emit(rowOf[s], [&](uint32_t j) {
          uint32_t m = 0;
          std::memcpy(&m, masks.data() + (uint64_t{tile} * stride + j) * maskBytes, maskBytes);  // little-endian
          const float* line = tiles.data() + (uint64_t{tile} * n + j) * lanes_;
          return (m >> r) & 1u ? line[std::popcount(m & ((1u << r) - 1))] : 0.0f;
        });
      }
      return;
    }
    for (uint32_t s = 0; s < count; ++s) {
      const float* base = tiles.data() + uint64_t{s / lanes_} * n * lanes_ + s % lanes_;
      emit(rowOf[s], [&](uint32_t j) { return base[uint64_t{j} * lanes_]; });
    }
  }

  template <typename T>
  static void copyBack(T* host, const T* device, size_t count) {
    if (count) SNIG_CUDA_CHECK(cudaMemcpy(host, device, count * sizeof(T), cudaMemcpyDeviceToHost));
  }

  std::shared_ptr<const Model> model_;
  int device_ = 0;
  std::optional<LayerKernel> forced_;
  uint64_t tileMinRows_ = UINT64_MAX;  // batches of this many rows or more run the tile kernel
  uint64_t fuseRows_ = 0;              // the fused layers take over at this many live rows or fewer
  uint32_t fuseLanes_ = 1;             // rows per fused tile
  std::string kernels_;
  LayerKernel kernel_ = LayerKernel::Staged;  // the current batch's kernel and rows per tile
  uint32_t lanes_ = 16;
  int multiprocessors_ = 1;
  uint64_t capacity_ = 0;
  uint64_t modelBytes_ = 0;
  struct Layouts {
    DeviceLayer padded, sliced;  // the tile kernel's, the gather and staged kernels'
  };
  std::vector<Layouts> layers_;
  std::vector<bool> saturatedExit_;
  uint32_t finalRowOf_ = 0;
  std::vector<DeviceBuffer<uint8_t>> blocks_;  // per layer
  DeviceBuffer<DeviceLayer> paddedLayers_;     // the fused layers' view of blocks_
  DeviceBuffer<uint8_t> exitsOnDevice_;        // saturatedExit_
  DeviceBuffer<uint32_t> nextTile_;            // the fused kernel's tile counter
  InputUploader uploader_;
  DeviceBuffer<float> in_, out_;
  DeviceBuffer<uint8_t> inMask_, outMask_;  // lines: the masks of in_'s and out_'s lines
  DeviceBuffer<uint32_t> alive_, notFull_;
  DeviceBuffer<uint32_t> rowOf_[2];
  DeviceBuffer<uint32_t> from_;
  DeviceBuffer<uint8_t> fate_;
  DeviceBuffer<uint32_t> counts_;
  BatchStream batch_;
  Event layerDone_;
  bool profile_ = false;
  bool denseFirst_ = false;
  bool lines_ = false;       // batches run the lines kernel unless SNIG_GENERAL_KERNEL says otherwise
  bool firstCodes_ = false;  // a counted layer 1 before the lines kernel may write counts (codes.cuh)
  bool codes_ = false;       // the current batch's layer 1 writes counts
  uint32_t firstMaxTerms_ = 0;  // layer 1's largest fan-in  // SNIG_GENERAL_FIRST=dense: layer 1 from the scattered dense tiles
};

}  // namespace

uint64_t generalModelBytes(const Model& model) {
  const bool lines = linesByDefault(model);
  uint64_t bytes = 0;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const LayerView layer = model.layer(l);
    const uint64_t slices = (layer.n + general::kSliceWidth - 1) / general::kSliceWidth;
    const uint64_t widest = maxFanIn(layer);
    // At most: every slice (sliced layout) or output (padded layout, also held where batches may run
    // the tile kernel) as wide as the widest output, with weights (padding needs them).
    const uint64_t sliced = slices * general::kSliceWidth * widest * (model.indexBytes() + sizeof(float)) + (slices + 1) * 4 +
                            uint64_t{layer.n} * 8 + 5 * 16;
    const uint64_t padded = uint64_t{layer.n} * ((widest + general::kPadEntries - 1) / general::kPadEntries * general::kPadEntries) *
                                (sizeof(uint16_t) + sizeof(float)) + (uint64_t{layer.n} + 1) * 4 + uint64_t{layer.n} * 4 + 4 * 16;
    bytes += (lines ? 0 : sliced) + (tileable(layer.n) || lines || (l == 0 && firstLayerable(layer.n)) ? padded : 0);
  }
  return bytes;
}

std::unique_ptr<GpuPipeline> makeGeneralPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options) {
  return std::make_unique<GeneralPipeline>(std::move(model), options);
}

}  // namespace snig::cuda
