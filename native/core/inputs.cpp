#include "inputs.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdio>

#include "atomic_file.hpp"
#include "error.hpp"
#include "tsv_triplets.hpp"

namespace snig {

SparseRows SparseRows::empty(uint32_t n) {
  SparseRows out;
  out.n = n;
  out.rowptr.push_back(0);
  out.unitValues = true;  // no values yet
  return out;
}

void SparseRows::appendRow(const SparseRows& from, uint64_t row) {
  if (from.compact()) throwArgument("rows are appended from wide rows only");
  const auto begin = static_cast<ptrdiff_t>(from.rowptr.at(row));
  const auto end = static_cast<ptrdiff_t>(from.rowptr.at(row + 1));
  cols.insert(cols.end(), from.cols.begin() + begin, from.cols.begin() + end);
  values.insert(values.end(), from.values.begin() + begin, from.values.begin() + end);
  rowptr.push_back(cols.size());
  unitValues = unitValues && from.unitValues;
  narrowCols = nullptr;
  runPtr = nullptr;
  runs = nullptr;
}

SparseRows SparseRows::gather(const std::vector<uint64_t>& rows) const {
  SparseRows out = empty(n);
  for (uint64_t r : rows) out.appendRow(*this, r);
  return out;
}

SparseRows SparseRows::slice(uint64_t begin, uint64_t end) const {
  if (begin > end || end > rows()) throwArgument("row range outside the inputs");
  SparseRows out;
  out.n = n;
  const uint64_t first = rowptr[begin];
  const uint64_t last = rowptr[end];
  out.rowptr.resize(end - begin + 1);
  for (uint64_t r = begin; r <= end; ++r) out.rowptr[r - begin] = rowptr[r] - first;
  if (!cols.empty()) out.cols.assign(cols.begin() + static_cast<ptrdiff_t>(first), cols.begin() + static_cast<ptrdiff_t>(last));
  if (!values.empty()) out.values.assign(values.begin() + static_cast<ptrdiff_t>(first), values.begin() + static_cast<ptrdiff_t>(last));
  out.unitValues = unitValues;
  if (narrowCols) out.narrowCols = std::shared_ptr<const uint16_t>(narrowCols, narrowCols.get() + first);  // a view
  if (runPtr) {  // a view: its offsets still index the same runs
    out.runPtr = std::shared_ptr<const uint32_t>(runPtr, runPtr.get() + begin);
    out.runs = runs;
  }
  return out;
}

std::shared_ptr<const uint16_t> narrowColumns(const std::vector<uint32_t>& cols) {
  auto narrow = std::make_shared<std::vector<uint16_t>>(cols.size());
  const auto total = static_cast<int64_t>(cols.size());
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < total; ++k) (*narrow)[k] = static_cast<uint16_t>(cols[k]);
  return std::shared_ptr<const uint16_t>(narrow, narrow->data());
}

SparseRows readSparseRows(const std::string& path, uint32_t n, uint64_t rows, const ChunkOptions& chunking) {
  const uint32_t maxRow = rows ? static_cast<uint32_t>(std::min<uint64_t>(rows, UINT32_MAX)) : UINT32_MAX;
  // Key: the 0-based row; index: the 0-based column.
  Triplets<float> pixels = readTriplets<float>(path, chunking, {"row", maxRow, "column", n, "value", false});
  if (pixels.keys == 0) throwFormat(path, 0, "empty input file (no entries)");
  const int threads = chunking.threads > 0 ? chunking.threads : omp_get_max_threads();
  Compressed<float> sorted = bucketSort(pixels.chunks, rows ? rows : pixels.keys, threads);
  pixels.chunks.clear();
  if (sorted.duplicated) throwDuplicate(path, uint64_t{sorted.duplicateKey} + 1, uint64_t{sorted.duplicateIndex} + 1);
  SparseRows out;
  out.n = n;
  out.rowptr = std::move(sorted.ptr);
  out.cols = std::move(sorted.index);
  out.values = std::move(sorted.value);
  out.unitValues = sorted.unitValues;
  return out;
}

void writeSparseRows(const SparseRows& rows, const std::string& path) {
  const bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  AtomicFile out(path, gzip);
  // Blocks of rows formatted on all cores, a wave at a time, written in order.
  constexpr uint64_t kBlockRows = 256;
  const int threads = omp_get_max_threads();
  std::vector<std::string> texts(static_cast<size_t>(threads));
  for (uint64_t wave = 0; wave < rows.rows(); wave += kBlockRows * static_cast<uint64_t>(threads)) {
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int b = 0; b < threads; ++b) {
      std::string& text = texts[static_cast<size_t>(b)];
      text.clear();
      const uint64_t first = wave + static_cast<uint64_t>(b) * kBlockRows;
      char line[64];
      for (uint64_t r = first; r < std::min(rows.rows(), first + kBlockRows); ++r) {
        for (uint64_t k = rows.rowptr[r]; k < rows.rowptr[r + 1]; ++k) {
          const int length = std::snprintf(line, sizeof line, "%llu\t%u\t%g\n", static_cast<unsigned long long>(r + 1),
                                           rows.cols[k] + 1, static_cast<double>(rows.values[k]));
          text.append(line, static_cast<size_t>(length));
        }
      }
    }
    for (const std::string& text : texts) out.write(text);
  }
  out.commit();
}

}  // namespace snig
