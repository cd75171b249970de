// Kernels of the general pipeline (networks without structure). A batch's live rows sit in tiles of
// `lanes` rows stored lane-interleaved, state[(tile * n + neuron) * lanes + lane], like the CPU
// engine's tiles: one thread computes one output neuron for a whole tile, reading each weight once
// and each input neuron's `lanes` values as 16-byte vectors. Every output adds its terms in stored
// order (ascending input) with separate multiply and add, then adds its bias only when the sum is
// nonzero, exactly as the CPU engine does, so rows are bit-identical to it and from run to run.
// After every layer the live rows are compacted (plan, then move), so the work follows them.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../row_fate.hpp"

namespace snig::cuda::general {

// Row tiles: 4, 8, 16 or 32 rows (lanes) each.
constexpr bool validLanes(uint32_t lanes) { return lanes == 4 || lanes == 8 || lanes == 16 || lanes == 32; }

// The tile kernel stages a whole tile (lanes x n inputs) in shared memory: 128 KB, one block of 1024
// threads per multiprocessor.
constexpr uint32_t kTileBytes = 128 * 1024;

// Rows per tile for the tile kernel at n neurons: the most (up to 32) whose tile fits kTileBytes;
// 0 when not even 4 do.
constexpr uint32_t tileLanes(uint32_t n) {
  for (uint32_t lanes = 32; lanes >= 4; lanes /= 2) {
    if (uint64_t{lanes} * n * sizeof(float) <= kTileBytes) return lanes;
  }
  return 0;
}

// Which layer kernel runs (general_kernels.cu says how the first three work, lines.cuh the last).
enum class LayerKernel { Gather, Staged, Tile, Lines };

// One layer on the device. Sliced (sliced_layer.hpp), for gather and staged: thread t computes
// output order[t] (or t) from entries slicePtr[t / 32] + t % 32 + 32 k, k = 0, 1, ... up to the
// next slice's start. Padded (padded_layer.hpp), for tile: output j's entries are start[j] ..
// start[j + 1].
struct DeviceLayer {
  const uint32_t* slicePtr = nullptr;  // slices + 1 (sliced)
  const uint32_t* start = nullptr;     // n + 1 (padded)
  const void* index = nullptr;         // uint16_t (n <= 65536) or uint32_t inputs, ascending per output
  const float* values = nullptr;       // nullptr: every weight is `uniform`
  float uniform = 0;
  const float* bias = nullptr;         // n, per output neuron
  const uint32_t* order = nullptr;     // nullptr: output t is thread t (sliced)
};

// Where a layer's kernels read and write. Counts are live rows (slots) kept on the device.
struct Step {
  uint32_t n = 0;
  uint32_t lanes = 16;
  bool shortIndex = true;           // uint16_t indices
  LayerKernel kernel = LayerKernel::Staged;
  const float* in = nullptr;        // compacted tiles
  float* out = nullptr;             // the layer's outputs, same slots
  uint32_t* alive = nullptr;        // per tile: bit r set when row r has a positive output (zero before)
  uint32_t* notFull = nullptr;      // per tile: bit r set when row r has an output below 32 (zero before)
  const uint32_t* count = nullptr;  // live slots before the layer
};

// The sparse input rows [0, rows) scattered into zeroed tiles.
void launchScatter(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows, uint32_t n,
                   uint32_t lanes, float* state, cudaStream_t stream);

// Raises the staged and tile kernels' dynamic shared-memory limit (once per device).
void configureKernels();

// One layer for at most `maxSlots` live slots (the exact count is read on the device).
void launchLayer(const DeviceLayer& layer, const Step& step, uint32_t maxSlots, cudaStream_t stream);

// Which slots stay after the layer: live rows, less the saturated ones when saturatedExit (their
// fate is kSaturated); when last, the kept rows' fate is kLive. Writes the kept slots' old slot
// (from) and batch row (rowOut) in order, the new count, and zeroes the tile flags it read.
struct Plan {
  uint32_t lanes = 16;
  const uint32_t* count = nullptr;
  uint32_t* nextCount = nullptr;
  uint32_t* alive = nullptr;
  uint32_t* notFull = nullptr;
  const uint32_t* rowIn = nullptr;
  uint32_t* rowOut = nullptr;
  uint32_t* from = nullptr;
  uint8_t* fate = nullptr;
  bool saturatedExit = false;
  bool last = false;
};
void launchPlan(const Plan& plan, cudaStream_t stream);

// Copies the kept slots' rows (from) to dense tiles, zeroing the last tile's unused lanes.
void launchMove(const float* out, float* in, const uint32_t* from, const uint32_t* nextCount, uint32_t n,
                uint32_t lanes, uint32_t maxSlots, int multiprocessors, cudaStream_t stream);

}  // namespace snig::cuda::general
