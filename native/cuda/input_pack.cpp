#include "input_pack.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>

#include "helper_pool.hpp"

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

// The packing's parts: 2^16 nonzeros (256 KiB of 32-bit columns read, ~10 us on one core), claimed
// by the caller and the helper threads (helper_pool.hpp), so a small chunk costs no waiting for
// threads and a large one runs on every core.
constexpr uint64_t kPartNonzeros = uint64_t{1} << 16;

// Runs of columns are made in parts of 256 rows (~26k to ~1.7M nonzeros at N = 1024 to 65536).
constexpr uint64_t kPartRows = 256;

// Runs pack(begin, end) over [0, count) in parts of `part` on the helpers.
void inParts(uint64_t count, const std::function<void(uint64_t, uint64_t)>& pack, uint64_t part = kPartNonzeros) {
  runOnHelpers((count + part - 1) / part, [&](uint64_t p) { pack(p * part, std::min(count, (p + 1) * part)); });
}

// memcpy of `count` elements of `size` bytes in parts on the helpers.
void copyInParts(uint8_t* to, const uint8_t* from, uint64_t count, uint64_t size) {
  inParts(count, [&](uint64_t begin, uint64_t end) { std::memcpy(to + begin * size, from + begin * size, (end - begin) * size); });
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
  const uint32_t* cols = inputs.cols.empty() ? nullptr : inputs.cols.data() + first;  // empty in compact rows
  const float* values = inputs.values.empty() ? nullptr : inputs.values.data() + first;
  std::atomic<bool> unit = true;
  const auto checkUnit = [&](uint64_t begin, uint64_t end) {
    if (!std::all_of(values + begin, values + end, [](float v) { return v == 1.0f; })) unit.store(false, std::memory_order_relaxed);
  };
  if (narrow && inputs.narrowCols) {  // already compact: 2 bytes per nonzero read, none narrowed
    copyInParts(out, reinterpret_cast<const uint8_t*>(inputs.narrowCols.get() + first), count, sizeof(uint16_t));
    if (!inputs.unitValues) inParts(count, checkUnit);
  } else if (narrow) {  // the columns narrowed (and the values checked, unless all are known to be 1)
    auto* packed = reinterpret_cast<uint16_t*>(out);
    inParts(count, [&](uint64_t begin, uint64_t end) {
      for (uint64_t k = begin; k < end; ++k) packed[k] = static_cast<uint16_t>(cols[k]);
      if (!inputs.unitValues) checkUnit(begin, end);
    });
  } else {
    copyInParts(out, reinterpret_cast<const uint8_t*>(cols), count, sizeof(uint32_t));
    if (!inputs.unitValues) inParts(count, checkUnit);
  }
  if (!unit) copyInParts(out + packedValuesOffset(count, narrow), reinterpret_cast<const uint8_t*>(values), count, sizeof(float));
  return !unit;
}

uint64_t countRuns(const SparseRows& inputs, uint32_t* ptr) {
  const ColumnReader column = columnsOf(inputs);
  ptr[0] = 0;
  inParts(inputs.rows(), [&](uint64_t begin, uint64_t end) {
    for (uint64_t r = begin; r < end; ++r) {
      uint32_t count = 0;
      for (uint64_t k = inputs.rowptr[r]; k < inputs.rowptr[r + 1]; ++k) count += k == inputs.rowptr[r] || column(k) != column(k - 1) + 1;
      ptr[r + 1] = count;
    }
  }, kPartRows);
  uint64_t total = 0;
  for (uint64_t r = 1; r <= inputs.rows(); ++r) {
    total += ptr[r];
    ptr[r] = static_cast<uint32_t>(total);  // wrong past 2^32 runs in all, which the caller refuses
  }
  return total;
}

void packRuns(const SparseRows& inputs, const uint32_t* ptr, uint32_t* runs) {
  const ColumnReader column = columnsOf(inputs);
  inParts(inputs.rows(), [&](uint64_t begin, uint64_t end) {
    for (uint64_t r = begin; r < end; ++r) {
      uint32_t* out = runs + ptr[r];
      for (uint64_t k = inputs.rowptr[r]; k < inputs.rowptr[r + 1];) {
        const uint32_t start = column(k);
        uint32_t length = 1;
        while (k + length < inputs.rowptr[r + 1] && column(k + length) == start + length) ++length;
        *out++ = start | (length - 1) << 16;
        k += length;
      }
    }
  }, kPartRows);
}

}  // namespace snig::cuda
