#include "kernel_choice.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "../../core/error.hpp"
#include "first_layer.cuh"
#include "fused_kernel.cuh"
#include "lines.cuh"
#include "padded_layer.hpp"
#include "padded_terms.cuh"

namespace snig::cuda::general {
namespace {

// Where a tile of at least 8 rows fits the tile kernel's shared memory (N <= 4096), a batch with at
// least 4 tiles per multiprocessor runs the tile kernel (60000 rows at N = 1024 / 4096: the layers
// 1.4 / 1.6 times faster than gather's); a smaller batch runs the gather kernel (on 1200-6000 rows
// the tile kernel's one block per tile leaves most multiprocessors idle: up to 1.9 times slower).
// Above, the staged kernel up to N = 16384 (16384: 207 ms against gather's 246; with layer 1 counted,
// 56.4 ms of GPU time against the lines kernel's 59.8), the lines kernel up to 65536 (65536: 239 ms
// against the staged kernel's 538 with the dense first layer; 194 with layer 1's counts), else the
// staged kernel; at 16384 the lines kernel too where layer 1 writes its counts (46.6 ms).
constexpr uint32_t kTileMinLanes = 8;
constexpr uint64_t kTileMinTilesPerMultiprocessor = 4;
constexpr uint32_t kLinesMinN = 16385;
constexpr uint32_t kCountedLinesMinN = 16384;
// The fused layers take over once the live rows would read at most this many bytes of a layer's
// weights: a fused tile of one row reads the whole layer (from L2) for itself, so a layer costs them
// about live x layer bytes / ~3 TB/s (2000x30's dense layers), against ~35 us a layer of launches
// and latency in the per-layer path once few rows are live. Measured on an H200 (docs/performance.md):
// 2000x30 fused from 188 live rows (713 allowed) 0.99 ms, from its 3000 1.54, unfused 1.54; 1024
// mixed, 6000 rows: from 1365 rows 1.84 ms, from 6000 2.70; random 1024 from 3758 rows 3.29 ms
// against 4.08 unfused; 4096 from 1024 rows 11.60 against 12.09.
constexpr uint64_t kFuseLayerBytes = uint64_t{256} << 20;

// SNIG_GENERAL_KERNEL, when set (and not empty): that kernel for every batch.
std::optional<LayerKernel> forcedKernel(uint32_t n) {
  const char* text = std::getenv("SNIG_GENERAL_KERNEL");
  if (!text || !*text) return std::nullopt;
  const std::string name = text;
  if (name == "gather") return LayerKernel::Gather;
  if (name == "staged") return LayerKernel::Staged;
  if (name == "tile" && tileLanes(n) > 0) return LayerKernel::Tile;
  if (name == "lines" && linesRows(n) > 0) return LayerKernel::Lines;
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

// Live rows at or under which the fused layers take over (0: never; they need the padded layout).
uint64_t fuseRowsFor(const Model& model, bool fusable) {
  if (!fusable) return 0;
  const char* text = std::getenv("SNIG_GENERAL_FUSE_ROWS");
  if (text) return std::strtoull(text, nullptr, 10);
  uint64_t bytes = 0;
  for (uint32_t l = 0; l < model.layerCount(); ++l) bytes += paddedLayerBytes(model.layer(l));
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

// 2: a fused batch's last rows (at most half the multiprocessors' count, n > 1024) run on two
// multiprocessors each (launchFused), as measured faster on 2000x30 (docs/performance.md); 1 (never)
// where SNIG_GENERAL_FUSE_CLUSTER=1 says so.
uint32_t fuseClusterFor() {
  const char* text = std::getenv("SNIG_GENERAL_FUSE_CLUSTER");
  if (!text) return 2;
  const auto blocks = static_cast<uint32_t>(std::strtoul(text, nullptr, 10));
  if (blocks != 1 && blocks != 2) throw Error(ErrorCode::Argument, "SNIG_GENERAL_FUSE_CLUSTER must be 1 or 2");
  return blocks;
}

}  // namespace

bool tileable(uint32_t n) { return tileLanes(n) >= kTileMinLanes; }

bool firstLayerable(uint32_t n) { return firstLayerRows(n) > 0; }

uint32_t maxFanIn(const LayerView& layer) {
  uint32_t most = 0;
  for (uint32_t j = 0; j < layer.n; ++j) most = std::max(most, layer.colptr[j + 1] - layer.colptr[j]);
  return most;
}

bool countsFirstLayer(const Model& model) {
  if (model.layerCount() < 2) return false;
  const LayerView first = model.layer(0);
  if (storesValues(first) || maxFanIn(first) > kMaxCount) return false;
  for (uint32_t j = 1; j < first.n; ++j) {
    if (first.biasOf32(j) != first.biasOf32(0)) return false;
  }
  return true;
}

bool linesByDefault(const Model& model) {
  const uint32_t n = model.neurons();
  return linesRows(n) > 0 && (n >= kLinesMinN || (n >= kCountedLinesMinN && countsFirstLayer(model)));
}

KernelChoice::KernelChoice(const Model& model, int multiprocessors)
    : n_(model.neurons()), lines_(linesByDefault(model)), forced_(forcedKernel(n_)), fuseLanes_(fuseLanesFor()),
      fuseCluster_(fuseClusterFor()) {
  if (tileable(n_)) tileMinRows_ = kTileMinTilesPerMultiprocessor * static_cast<uint64_t>(multiprocessors) * tileLanes(n_);
  fuseRows_ = fuseRowsFor(model, fusable());
  const std::string first = std::getenv("SNIG_GENERAL_FIRST") ? std::getenv("SNIG_GENERAL_FIRST") : "";
  denseFirst_ = first == "dense";
  firstCounts_ = first != "lines" && countsFirstLayer(model);
}

LayerKernel KernelChoice::kernelFor(uint64_t rows) const {
  if (forced_) return *forced_;
  if (lines_) return LayerKernel::Lines;
  if (!tileable(n_)) return LayerKernel::Staged;
  return rows >= tileMinRows_ ? LayerKernel::Tile : LayerKernel::Gather;
}

// Rows per tile: the tile kernel's as many as fit its shared memory; the staged kernel keeps 32 sums
// per thread, so fewer rows per tile let a block own more outputs, and re-stage each tile for fewer
// blocks, as N grows. Gather: 16 at 1024; 8 above (2000x30: 1.54 ms against 1.78 with 16).
uint32_t KernelChoice::lanesFor(LayerKernel kernel) const {
  if (kernel == LayerKernel::Lines) return linesRows(n_);  // fixed by the masks' shared memory
  const char* text = std::getenv("SNIG_GENERAL_LANES");
  if (!text) return kernel == LayerKernel::Tile ? tileLanes(n_) : n_ <= 1024 ? 16 : n_ <= 8192 ? 8 : 4;
  const uint32_t lanes = static_cast<uint32_t>(std::strtoul(text, nullptr, 10));
  if (!validLanes(lanes)) throw Error(ErrorCode::Argument, "SNIG_GENERAL_LANES must be 4, 8, 16 or 32");
  if (kernel == LayerKernel::Tile && uint64_t{lanes} * n_ * sizeof(float) > kTileBytes) {
    throw Error(ErrorCode::Argument, "SNIG_GENERAL_LANES: a tile of that many rows does not fit the tile kernel's shared memory");
  }
  return lanes;
}

bool KernelChoice::padded() const {
  if (forced_) return *forced_ == LayerKernel::Tile || *forced_ == LayerKernel::Lines;
  return tileable(n_) || lines_;
}

bool KernelChoice::sliced() const {
  if (forced_) return *forced_ == LayerKernel::Gather || *forced_ == LayerKernel::Staged;
  return !lines_;
}

bool KernelChoice::fusable() const { return forced_ ? *forced_ == LayerKernel::Tile : tileable(n_); }

std::string KernelChoice::describe() const {
  const auto named = [this](LayerKernel kernel) {
    return std::string(kernelName(kernel)) + " in tiles of " + std::to_string(lanesFor(kernel)) + " rows";
  };
  std::string text = forced_ || !tileable(n_) ? named(kernelFor(1))
                                              : named(LayerKernel::Tile) + " for batches of " + std::to_string(tileMinRows_) +
                                                    "+ rows, else " + named(LayerKernel::Gather);
  if (fuseRows_) {
    text += "; fused layers in tiles of " + std::to_string(fuseLanes_) + " row(s) once " + std::to_string(fuseRows_) +
            " rows or fewer are live" + (fusedTailPaired(fuseCluster_, fuseLanes_, n_) ? ", the last on two multiprocessors each" : "");
  }
  return text;
}

}  // namespace snig::cuda::general
