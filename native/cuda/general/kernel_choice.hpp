// Which layer kernel a batch of the general pipeline runs, in tiles of how many rows, when the fused
// layers take over, and so which layouts the model is held in on the device. The choices come from
// N, the batch's rows and the model (measured on an H200, docs/performance.md); for comparisons
// SNIG_GENERAL_KERNEL=gather|staged|tile|lines, SNIG_GENERAL_LANES=4|8|16|32,
// SNIG_GENERAL_FIRST=dense|lines (lines: layer 1 writes lines, not its counts), SNIG_GENERAL_FUSE_ROWS (live rows at or under which the fused layers take over; 0: never) and
// SNIG_GENERAL_FUSE_LANES=1|2|4|8|16 (rows per fused tile) and SNIG_GENERAL_FUSE_CLUSTER=1|2 (multiprocessors a
// fused batch's last rows run on each) override them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../../core/model.hpp"
#include "general_kernels.cuh"

namespace snig::cuda::general {

// Whether the tile kernel (and so the fused layers) may run at n neurons: a tile of 8 rows fits.
bool tileable(uint32_t n);
// Whether layer 1 may run from the input bits at n neurons (its padded layout is then held too).
bool firstLayerable(uint32_t n);
// The layer's largest fan-in.
uint32_t maxFanIn(const LayerView& layer);
// Whether layer 1 may write its counts for layer 2 (codes.cuh) where the inputs are 1: it is
// counted (one weight, no padding, fan-in up to kMaxCount), its outputs have one float32 bias, and
// a layer 2 reads them.
bool countsFirstLayer(const Model& model);
// Whether batches run the lines kernel (unless SNIG_GENERAL_KERNEL says otherwise).
bool linesByDefault(const Model& model);

class KernelChoice {
 public:
  // Reads the SNIG_GENERAL_* overrides (a bad one throws E_ARGUMENT).
  KernelChoice(const Model& model, int multiprocessors);

  // The layer kernel of a batch of `rows` rows, and its rows per tile.
  LayerKernel kernelFor(uint64_t rows) const;
  uint32_t lanesFor(LayerKernel kernel) const;

  // Which layouts batches read: padded (tile, lines, the fused layers; layer 1 from the bits reads
  // layer 0's padded layout wherever firstLayerable) and sliced (gather, staged).
  bool padded() const;
  bool sliced() const;
  // Whether the fused layers may run (they read the padded layout of every layer).
  bool fusable() const;
  // Live rows at or under which the fused layers take over (0: never), rows per fused tile, and the
  // multiprocessors a fused batch's last rows run on each (fused_kernel.cuh).
  uint64_t fuseRows() const { return fuseRows_; }
  uint32_t fuseLanes() const { return fuseLanes_; }
  uint32_t fuseCluster() const { return fuseCluster_; }
  // SNIG_GENERAL_FIRST=dense: layer 1 from the scattered dense tiles, never from the input bits.
  bool denseFirst() const { return denseFirst_; }
  // Whether layer 1 from the input bits writes its counts before the lines kernel (countsFirstLayer,
  // unless SNIG_GENERAL_FIRST=lines).
  bool firstCounts() const { return firstCounts_; }

  // For reports, e.g. "tile in tiles of 32 rows for batches of 16896+ rows, else gather in tiles of
  // 16 rows; fused layers in tiles of 1 row(s) once 4096 rows or fewer are live".
  std::string describe() const;

 private:
  uint32_t n_ = 0;
  bool lines_ = false;  // linesByDefault
  std::optional<LayerKernel> forced_;
  uint64_t tileMinRows_ = UINT64_MAX;  // batches of this many rows or more run the tile kernel
  uint64_t fuseRows_ = 0;
  uint32_t fuseLanes_ = 1;
  uint32_t fuseCluster_ = 2;
  bool denseFirst_ = false;
  bool firstCounts_ = false;
};

}  // namespace snig::cuda::general
