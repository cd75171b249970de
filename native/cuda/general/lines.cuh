// The "lines" layout and kernels (N = 4097 .. 65536): a batch's live rows in tiles of M rows (32, or
// 16 where a tile's masks would not fit shared memory), and for each tile and neuron one line of M
// floats holding only the nonzero values, packed at its front in row order, with an M-bit mask of
// the rows they belong to (row r's value sits at popc(mask & (2^r - 1))). The early layers' rows
// are 10-40 % nonzero, so a line is mostly read in one or two 32-byte sectors instead of four.
//
// A layer kernel block stages one tile's masks in shared memory and computes a span of outputs for
// its M rows, lane = row (a warp computes 32 / M outputs at a time): per term one broadcast read of
// the input's mask and, for a row whose bit is set, its value from device memory (L2: the blocks
// of one tile run together), so no shared-memory bank conflicts at any N. Zero inputs add +0,
// which changes no sum: the sums are the CPU engine's bit for bit.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "first_layer.cuh"
#include "general_kernels.cuh"

namespace snig::cuda::general {

// Rows per tile of the lines layout at n neurons: the first-layer kernel's, whose bits take as
// much shared memory as a tile's masks (0: the layout cannot hold n).
constexpr uint32_t linesRows(uint32_t n) { return firstLayerRows(n); }
// Masks per tile: n rounded up to 8 (16-byte aligned tiles of masks).
__host__ __device__ constexpr uint32_t linesMaskStride(uint32_t n) { return (n + 7) / 8 * 8; }
// Bytes of one mask: 4 for 32-row tiles, 2 for 16-row ones.
constexpr uint32_t linesMaskBytes(uint32_t rows) { return rows == 32 ? 4 : 2; }

struct Lines {
  uint32_t n = 0;
  uint32_t rows = 32;             // per tile: linesRows(n)
  float* in = nullptr;            // tiles * n lines of `rows` floats (the move writes them)
  void* inMask = nullptr;         // tiles * linesMaskStride(n) masks
  float* out = nullptr;
  void* outMask = nullptr;
  uint32_t* alive = nullptr;      // per tile, as for the other kernels (zero before)
  uint32_t* notFull = nullptr;
  const uint32_t* count = nullptr;  // live slots before the layer
};

// Raises the kernel's dynamic shared-memory limit (once per device).
void configureLines();

// One layer (padded layout) for at most `maxSlots` live slots.
void launchLines(const DeviceLayer& padded, const Lines& lines, uint32_t maxSlots, cudaStream_t stream);

// Packs the kept slots' rows (from, nextCount) of the layer's output lines into input lines.
void launchMoveLines(const Lines& lines, const uint32_t* from, const uint32_t* nextCount, uint32_t maxSlots,
                     int multiprocessors, cudaStream_t stream);

// The batch's `rows` sparse input rows into input lines (for inputs with values other than 1; the
// first-layer kernel reads rows of ones directly). Zeroes the masks first.
void launchScatterLines(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows,
                        const Lines& lines, cudaStream_t stream);

}  // namespace snig::cuda::general
