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

// The entries of one chunk in file order, held as runs of one key (files are usually grouped by
// key: ~400 entries a run in an input row, 32 in a layer column), their indices, and their values
// only once one is not 1 (the challenge's inputs are all 1): 4 bytes an input entry, not 12.
template <typename Value>
class KeyedEntries {
 public:
  struct Run {
    uint32_t key;
    uint32_t length;
  };

  void reserve(size_t entries) { index_.reserve(entries); }
  void add(const Entry3<Value>& e) {
    if (runs_.empty() || runs_.back().key != e.key || runs_.back().length == UINT32_MAX) runs_.push_back({e.key, 0});
    ++runs_.back().length;
    keys_ = std::max(keys_, e.key + 1);
    index_.push_back(e.index);
    if (unit_ && e.value != Value{1}) {
      unit_ = false;
      values_.reserve(index_.capacity());
      values_.assign(index_.size() - 1, Value{1});
    }
    if (!unit_) values_.push_back(e.value);
  }

  const std::vector<Run>& runs() const { return runs_; }
  const std::vector<uint32_t>& index() const { return index_; }
  // Null: every value is 1.
  const Value* values() const { return unit_ ? nullptr : values_.data(); }
  uint32_t keys() const { return keys_; }  // one more than the largest key (0: no entries)

 private:
  std::vector<Run> runs_;
  std::vector<uint32_t> index_;
  std::vector<Value> values_;  // empty while every value is 1
  bool unit_ = true;
  uint32_t keys_ = 0;
};

template <typename Value>
struct Compressed {
  std::vector<uint64_t> ptr;  // keys + 1
  std::vector<uint32_t> index;
  std::vector<Value> value;
  bool unitValues = false;  // every value is 1
  // The first (key, index) that occurs more than once, in key then index order, if one does.
  bool duplicated = false;
  uint32_t duplicateKey = 0;
  uint32_t duplicateIndex = 0;
};

// Every key must be below `keys`.
template <typename Value>
Compressed<Value> bucketSort(const std::vector<KeyedEntries<Value>>& chunks, uint64_t keys, int threads) {
  Compressed<Value> out;
  out.ptr.assign(keys + 1, 0);
  const auto chunkCount = static_cast<int64_t>(chunks.size());
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < chunkCount; ++c) {
    for (const auto& run : chunks[static_cast<size_t>(c)].runs()) {
      std::atomic_ref<uint64_t>(out.ptr[run.key + 1]).fetch_add(run.length, std::memory_order_relaxed);
    }
  }
  for (uint64_t k = 0; k < keys; ++k) out.ptr[k + 1] += out.ptr[k];
  out.unitValues = std::all_of(chunks.begin(), chunks.end(), [](const auto& chunk) { return !chunk.values(); });
  // The two arrays are zeroed by std::vector on one thread each: side by side, not one after the other.
#pragma omp parallel sections num_threads(std::min(threads, 2))
  {
#pragma omp section
    out.index.resize(out.ptr[keys]);
#pragma omp section
    out.value.resize(out.ptr[keys]);
  }
  std::vector<uint64_t> cursor(out.ptr.begin(), out.ptr.end() - 1);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < chunkCount; ++c) {
    const KeyedEntries<Value>& chunk = chunks[static_cast<size_t>(c)];
    const uint32_t* index = chunk.index().data();
    const Value* values = chunk.values();
    for (const auto& run : chunk.runs()) {
      const uint64_t at = std::atomic_ref<uint64_t>(cursor[run.key]).fetch_add(run.length, std::memory_order_relaxed);
      std::copy(index, index + run.length, out.index.begin() + static_cast<ptrdiff_t>(at));
      if (values) {
        std::copy(values, values + run.length, out.value.begin() + static_cast<ptrdiff_t>(at));
        values += run.length;
      } else {
        std::fill_n(out.value.begin() + static_cast<ptrdiff_t>(at), run.length, Value{1});
      }
      index += run.length;
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
