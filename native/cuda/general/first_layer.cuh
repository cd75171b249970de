// The first layer straight from the sparse input rows, when every input value is 1 (the challenge's
// images; the inputs are ~10 % dense). A block owns a tile of M rows and sets one bit per (input,
// row) for the tile's nonzeros in shared memory (M = 32: a word per input, M = 16: a half-word), so
// the whole tile fits there at any N up to 65536; each group of M lanes then computes one output for
// the M rows (lane = row) from the padded layout: per term one broadcast read of the input's bits,
// and the weight (w * 1 = w) added where the row's bit is set. Where every weight of the layer is
// the same, a thread instead counts an output's set terms for all M rows at once (bit-sliced) and
// looks the sum up (first_layer.cu). A zero input's term is +0, which
// changes no sum (a sum is never -0), so the sums are still the CPU engine's bit for bit. It replaces
// the dense tiles' zeroing and scatter and the dense first layer, which read 4 M bytes of shared
// memory per input (with bank conflicts above N = 4096) where this reads M / 8.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "first_layer_split.hpp"
#include "general_kernels.cuh"

namespace snig::cuda::general {

// The bits of a tile take at most this much shared memory (one block of 1024 threads per
// multiprocessor at N = 65536).
constexpr uint32_t kFirstBitsBytes = 128 * 1024;

// Rows per tile of the first-layer kernel at n neurons: 32, or 16 where 32 rows' bits do not fit;
// 0 when it cannot run (n above 65536).
constexpr uint32_t firstLayerRows(uint32_t n) {
  return uint64_t{n} * 32 / 8 <= kFirstBitsBytes ? 32 : uint64_t{n} * 16 / 8 <= kFirstBitsBytes ? 16 : 0;
}

// Where the first layer reads and writes: the batch's `rows` input rows (row offsets and 0-based
// columns, every value 1), the outputs as the later layers' kernels write them (dense tiles of
// `lanes` rows, a divisor of firstLayerRows(n); or, with outMask, lines of firstLayerRows(n) rows,
// lines.cuh; or, with codes, the counts of a counted layer, codes.cuh), and the tiles' flags (of
// tiles of `lanes` rows; zero before).
struct FirstLayer {
  uint32_t n = 0;
  uint32_t rows = 0;
  uint32_t lanes = 4;
  const uint32_t* rowptr = nullptr;
  const uint32_t* cols = nullptr;
  float* out = nullptr;
  void* outMask = nullptr;  // lines: their masks (lanes = firstLayerRows(n))
  uint8_t* codes = nullptr;  // instead of out: the counts, in tiles of kCodeRows rows (codes.cuh)
  uint32_t maxTerms = 0;    // the layer's largest fan-in
  uint32_t* alive = nullptr;
  uint32_t* notFull = nullptr;
};

// Whether layer 1 is counted (the "count" kernel; needed for codes): every weight the same, no
// padding, fan-in at most kMaxCount.
bool countedFirstLayer(const DeviceLayer& padded, uint32_t maxTerms);

// Raises the kernel's dynamic shared-memory limit (once per device).
void configureFirstLayer();

// Layer 1 (padded layout) for the batch; more blocks per tile, each a share of the outputs, when
// the tiles alone would leave multiprocessors idle (firstLayerSplits).
void launchFirstLayer(const DeviceLayer& padded, const FirstLayer& first, int multiprocessors, cudaStream_t stream);

}  // namespace snig::cuda::general
