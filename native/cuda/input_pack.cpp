#include "input_pack.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>

namespace snig::cuda {
namespace {

// A small first chunk (0.5 MiB of 16-bit columns, ~10 us on the link) lets the GPU start soon; the
// others are about 1/16 of the batch, but at least 8 MiB (~170 us at ~50 GB/s) when staged, so that
// a chunk's host work (a parallel copy, an event wait, ~8 CUDA calls: ~50 us) hides behind the
// previous chunk's time on the link (at 3 MiB per chunk it did not: docs/performance.md), and at
// most 16 MiB. A chunk sent from page-locked inputs costs the host ~6 CUDA calls (~15 us) alone:
// 2 MiB (~40 us on the link) hide them, and layer 0 follows the link more closely.
constexpr uint64_t kFirstChunkNnz = uint64_t{1} << 18;
constexpr uint64_t kChunksPerBatch = 16;
constexpr uint64_t kMinStagedChunkNnz = uint64_t{1} << 22;
constexpr uint64_t kMinDirectChunkNnz = uint64_t{1} << 20;
constexpr uint64_t kMaxChunkNnz = uint64_t{1} << 23;

// memcpy on all cores: large chunks are read and written faster by many threads than by one.
void copyOnAllCores(uint8_t* to, const uint8_t* from, uint64_t bytes) {
#pragma omp parallel
  {
    const auto threads = static_cast<uint64_t>(omp_get_num_threads());
    const auto t = static_cast<uint64_t>(omp_get_thread_num());
    const uint64_t share = (bytes + threads - 1) / threads;
    const uint64_t begin = std::min(bytes, t * share);
    const uint64_t end = std::min(bytes, begin + share);
    if (begin < end) std::memcpy(to + begin, from + begin, end - begin);
  }
}

}  // namespace

uint64_t chunkTarget(uint64_t nnz, uint32_t chunk, bool staged) {
  if (chunk == 0) return kFirstChunkNnz;
  return std::clamp(nnz / kChunksPerBatch, staged ? kMinStagedChunkNnz : kMinDirectChunkNnz, kMaxChunkNnz);
}

uint32_t chunkEnd(const uint32_t* offsets, uint32_t rows, uint32_t begin, uint64_t target) {
  const uint32_t* end = std::lower_bound(offsets + begin + 1, offsets + rows + 1, offsets[begin] + target);
  return std::min(static_cast<uint32_t>(end - offsets), rows);
}

bool packNonzeros(const SparseRows& inputs, uint64_t first, uint64_t count, bool narrow, uint8_t* out) {
  const auto total = static_cast<int64_t>(count);
  const uint32_t* cols = inputs.cols.empty() ? nullptr : inputs.cols.data() + first;  // empty in compact rows
  const float* values = inputs.values.empty() ? nullptr : inputs.values.data() + first;
  bool unit = true;
  if (narrow && inputs.narrowCols) {  // already compact: 2 bytes per nonzero read, none narrowed
    copyOnAllCores(out, reinterpret_cast<const uint8_t*>(inputs.narrowCols.get() + first), count * sizeof(uint16_t));
    if (!inputs.unitValues) unit = std::all_of(values, values + count, [](float v) { return v == 1.0f; });
  } else if (inputs.unitValues) {  // the columns alone: half the bytes to read
    if (narrow) {
      auto* packed = reinterpret_cast<uint16_t*>(out);
#pragma omp parallel for schedule(static)
      for (int64_t k = 0; k < total; ++k) packed[k] = static_cast<uint16_t>(cols[k]);
    } else {
      copyOnAllCores(out, reinterpret_cast<const uint8_t*>(cols), count * sizeof(uint32_t));
    }
  } else if (narrow) {
    auto* packed = reinterpret_cast<uint16_t*>(out);
#pragma omp parallel for schedule(static) reduction(&& : unit)
    for (int64_t k = 0; k < total; ++k) {
      packed[k] = static_cast<uint16_t>(cols[k]);
      unit = unit && values[k] == 1.0f;
    }
  } else {
    auto* packed = reinterpret_cast<uint32_t*>(out);
#pragma omp parallel for schedule(static) reduction(&& : unit)
    for (int64_t k = 0; k < total; ++k) {
      packed[k] = cols[k];
      unit = unit && values[k] == 1.0f;
    }
  }
  if (!unit) copyOnAllCores(out + packedValuesOffset(count, narrow), reinterpret_cast<const uint8_t*>(values), count * sizeof(float));
  return !unit;
}

void packBits(const SparseRows& inputs, uint64_t* out) {
  const uint64_t words = rowWords(inputs.n);
  const auto rows = static_cast<int64_t>(inputs.rows());
  const uint32_t* cols = inputs.compact() ? nullptr : inputs.cols.data();
  const uint16_t* narrow = inputs.narrowCols.get();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    uint64_t* row = out + static_cast<uint64_t>(r) * words;
    std::fill(row, row + words, uint64_t{0});
    for (uint64_t k = inputs.rowptr[r]; k < inputs.rowptr[r + 1]; ++k) {
      const uint32_t column = cols ? cols[k] : narrow[k];
      row[column / 64] |= uint64_t{1} << (column % 64);
    }
  }
}

}  // namespace snig::cuda
