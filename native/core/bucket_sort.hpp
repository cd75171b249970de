// Entries parsed in parallel chunks (key, index, value), gathered into compressed form: grouped by
// key with a counting sort over all chunks at once, indices ascending within a key. The TSV readers
// use it for input rows (key: row) and layer columns (key: output neuron).
#pragma once

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

namespace snig {

template <typename Value>
struct Entry3 {
  uint32_t key;
  uint32_t index;
  Value value;
};

template <typename Value>
struct Compressed {
  std::vector<uint64_t> ptr;  // keys + 1
  std::vector<uint32_t> index;
  std::vector<Value> value;
  // The first (key, index) that occurs more than once, in key then index order, if one does.
  bool duplicated = false;
  uint32_t duplicateKey = 0;
  uint32_t duplicateIndex = 0;
};

// Every key must be below `keys`.
template <typename Value>
Compressed<Value> bucketSort(const std::vector<std::vector<Entry3<Value>>>& chunks, uint64_t keys, int threads) {
  Compressed<Value> out;
  out.ptr.assign(keys + 1, 0);
  const auto chunkCount = static_cast<int64_t>(chunks.size());
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < chunkCount; ++c) {
    for (const auto& e : chunks[static_cast<size_t>(c)]) {
      std::atomic_ref<uint64_t>(out.ptr[e.key + 1]).fetch_add(1, std::memory_order_relaxed);
    }
  }
  for (uint64_t k = 0; k < keys; ++k) out.ptr[k + 1] += out.ptr[k];
  out.index.resize(out.ptr[keys]);
  out.value.resize(out.ptr[keys]);
  std::vector<uint64_t> cursor(out.ptr.begin(), out.ptr.end() - 1);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < chunkCount; ++c) {
    for (const auto& e : chunks[static_cast<size_t>(c)]) {
      const uint64_t at = std::atomic_ref<uint64_t>(cursor[e.key]).fetch_add(1, std::memory_order_relaxed);
      out.index[at] = e.index;
      out.value[at] = e.value;
    }
  }
  // Within a key, entries are in file order except where a key spans chunks: sort where needed.
  uint64_t firstDuplicate = UINT64_MAX;
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::pair<uint32_t, Value>> pairs;
    uint64_t mine = UINT64_MAX;
#pragma omp for schedule(static, 1024) nowait
    for (int64_t k = 0; k < static_cast<int64_t>(keys); ++k) {
      const uint64_t begin = out.ptr[static_cast<size_t>(k)];
      const uint64_t end = out.ptr[static_cast<size_t>(k) + 1];
      uint32_t* index = out.index.data();
      if (!std::is_sorted(index + begin, index + end)) {
        pairs.clear();
        for (uint64_t a = begin; a < end; ++a) pairs.emplace_back(index[a], out.value[a]);
        std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        for (uint64_t a = begin; a < end; ++a) std::tie(index[a], out.value[a]) = pairs[a - begin];
      }
      if (mine != UINT64_MAX) continue;  // this thread's keys ascend: its first duplicate is its least
      for (uint64_t a = begin + 1; a < end; ++a) {
        if (index[a] == index[a - 1]) {
          mine = (static_cast<uint64_t>(k) << 32) | index[a];
          break;
        }
      }
    }
#pragma omp critical
    firstDuplicate = std::min(firstDuplicate, mine);
  }
  if (firstDuplicate != UINT64_MAX) {
    out.duplicated = true;
    out.duplicateKey = static_cast<uint32_t>(firstDuplicate >> 32);
    out.duplicateIndex = static_cast<uint32_t>(firstDuplicate);
  }
  return out;
}

}  // namespace snig
