#include "input_pack.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>

#include "helper_pool.hpp"

namespace snig::cuda {
namespace {

// A small first chunk (0.5 MiB of 16-bit columns, ~10 us on the link) lets the GPU start soon; the
// others are about 1/16 of the batch, but at least 8 MiB (~170 us at ~50 GB/s), so that a chunk's
// host work (a parallel copy, an event wait, ~8 CUDA calls: ~50 us) hides behind the previous
// chunk's time on the link (at 3 MiB per chunk it did not: docs/performance.md), and at most 16 MiB.
constexpr uint64_t kFirstChunkNnz = uint64_t{1} << 18;
constexpr uint64_t kChunksPerBatch = 16;
constexpr uint64_t kMinChunkNnz = uint64_t{1} << 22;
constexpr uint64_t kMaxChunkNnz = uint64_t{1} << 23;

// The packing's parts: 2^16 nonzeros (256 KiB of 32-bit columns read, ~10 us on one core), claimed
// by the caller and the helper threads (helper_pool.hpp), so a small chunk costs no waiting for
// threads and a large one runs on every core.
constexpr uint64_t kPartNonzeros = uint64_t{1} << 16;

// Runs pack(begin, end) over [0, count) in parts on the helpers.
void inParts(uint64_t count, const std::function<void(uint64_t, uint64_t)>& pack) {
  runOnHelpers((count + kPartNonzeros - 1) / kPartNonzeros, [&](uint64_t p) {
    pack(p * kPartNonzeros, std::min(count, (p + 1) * kPartNonzeros));
  });
}

// memcpy of `count` elements of `size` bytes in parts on the helpers.
void copyInParts(uint8_t* to, const uint8_t* from, uint64_t count, uint64_t size) {
  inParts(count, [&](uint64_t begin, uint64_t end) { std::memcpy(to + begin * size, from + begin * size, (end - begin) * size); });
}

}  // namespace

uint64_t chunkTarget(uint64_t nnz, uint32_t chunk) {
  return chunk == 0 ? kFirstChunkNnz : std::clamp(nnz / kChunksPerBatch, kMinChunkNnz, kMaxChunkNnz);
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

}  // namespace snig::cuda
