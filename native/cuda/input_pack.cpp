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

// Column k of some rows: from narrowCols in compact rows.
struct ColumnReader {
  const uint32_t* cols;
  const uint16_t* narrow;
  uint32_t operator()(uint64_t k) const { return cols ? cols[k] : narrow[k]; }
};

ColumnReader columnsOf(const SparseRows& inputs) { return {inputs.compact() ? nullptr : inputs.cols.data(), inputs.narrowCols.get()}; }

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

uint64_t countRuns(const SparseRows& inputs, uint32_t* ptr) {
  const auto rows = static_cast<int64_t>(inputs.rows());
  const ColumnReader column = columnsOf(inputs);
  ptr[0] = 0;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    uint32_t count = 0;
    for (uint64_t k = inputs.rowptr[r]; k < inputs.rowptr[r + 1]; ++k) count += k == inputs.rowptr[r] || column(k) != column(k - 1) + 1;
    ptr[r + 1] = count;
  }
  uint64_t total = 0;
  for (int64_t r = 1; r <= rows; ++r) {
    total += ptr[r];
    ptr[r] = static_cast<uint32_t>(total);  // wrong past 2^32 runs in all, which the caller refuses
  }
  return total;
}

void packRuns(const SparseRows& inputs, const uint32_t* ptr, uint32_t* runs) {
  const auto rows = static_cast<int64_t>(inputs.rows());
  const ColumnReader column = columnsOf(inputs);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    uint32_t* out = runs + ptr[r];
    for (uint64_t k = inputs.rowptr[r]; k < inputs.rowptr[r + 1];) {
      const uint32_t start = column(k);
      uint32_t length = 1;
      while (k + length < inputs.rowptr[r + 1] && column(k + length) == start + length) ++length;
      *out++ = start | (length - 1) << 16;
      k += length;
    }
  }
}

}  // namespace snig::cuda
