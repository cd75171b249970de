#include "inputs.hpp"

#include <algorithm>
#include <cstdio>

#include "atomic_file.hpp"
#include "error.hpp"
#include "text_reader.hpp"

namespace snig {
namespace {

struct Pixel {
  uint32_t row;  // 0-based
  uint32_t col;  // 0-based
  float value;
  uint32_t line;
};

}  // namespace

SparseRows SparseRows::empty(uint32_t n) {
  SparseRows out;
  out.n = n;
  out.rowptr.push_back(0);
  out.unitValues = true;  // no values yet
  return out;
}

void SparseRows::appendRow(const SparseRows& from, uint64_t row) {
  const auto begin = static_cast<ptrdiff_t>(from.rowptr.at(row));
  const auto end = static_cast<ptrdiff_t>(from.rowptr.at(row + 1));
  cols.insert(cols.end(), from.cols.begin() + begin, from.cols.begin() + end);
  values.insert(values.end(), from.values.begin() + begin, from.values.begin() + end);
  rowptr.push_back(cols.size());
  unitValues = unitValues && from.unitValues;
  narrowCols = nullptr;
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
  out.cols.assign(cols.begin() + static_cast<ptrdiff_t>(first), cols.begin() + static_cast<ptrdiff_t>(last));
  out.values.assign(values.begin() + static_cast<ptrdiff_t>(first), values.begin() + static_cast<ptrdiff_t>(last));
  out.unitValues = unitValues;
  if (narrowCols) out.narrowCols = std::shared_ptr<const uint16_t>(narrowCols, narrowCols.get() + first);  // a view
  return out;
}

std::shared_ptr<const uint16_t> narrowColumns(const std::vector<uint32_t>& cols) {
  auto narrow = std::make_shared<std::vector<uint16_t>>(cols.size());
  const auto total = static_cast<int64_t>(cols.size());
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < total; ++k) (*narrow)[k] = static_cast<uint16_t>(cols[k]);
  return std::shared_ptr<const uint16_t>(narrow, narrow->data());
}

SparseRows readSparseRows(const std::string& path, uint32_t n, uint64_t rows) {
  TextReader reader(path);
  const uint32_t maxRow = rows ? static_cast<uint32_t>(std::min<uint64_t>(rows, UINT32_MAX)) : UINT32_MAX;
  std::vector<Pixel> pixels;
  std::string_view line;
  std::string_view fields[3];
  uint32_t highest = 0;
  while (reader.next(&line)) {
    reader.split(line, fields, 3);
    Pixel p;
    p.row = reader.index(fields[0], maxRow, "row") - 1;
    p.col = reader.index(fields[1], n, "column") - 1;
    p.value = static_cast<float>(reader.number(fields[2], "value"));
    p.line = static_cast<uint32_t>(reader.lineNumber());
    highest = std::max(highest, p.row + 1);
    pixels.push_back(p);
  }
  if (pixels.empty()) throwFormat(path, 0, "empty input file (no entries)");
  std::sort(pixels.begin(), pixels.end(), [](const Pixel& a, const Pixel& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  SparseRows out;
  out.n = n;
  out.rowptr.assign((rows ? rows : highest) + 1, 0);
  out.cols.reserve(pixels.size());
  out.values.reserve(pixels.size());
  for (size_t k = 0; k < pixels.size(); ++k) {
    const Pixel& p = pixels[k];
    if (k > 0 && pixels[k - 1].row == p.row && pixels[k - 1].col == p.col) {
      const uint32_t first = std::min(p.line, pixels[k - 1].line);
      throwFormat(path, std::max(p.line, pixels[k - 1].line),
                  "duplicate entry " + std::to_string(p.row + 1) + " " + std::to_string(p.col + 1) +
                      " (first on line " + std::to_string(first) + ")");
    }
    ++out.rowptr[p.row + 1];
    out.cols.push_back(p.col);
    out.values.push_back(p.value);
  }
  for (size_t r = 1; r < out.rowptr.size(); ++r) out.rowptr[r] += out.rowptr[r - 1];
  out.unitValues = std::all_of(out.values.begin(), out.values.end(), [](float v) { return v == 1.0f; });
  return out;
}

void writeSparseRows(const SparseRows& rows, const std::string& path) {
  const bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  AtomicFile out(path, gzip);
  std::string text;
  char line[64];
  for (uint64_t r = 0; r < rows.rows(); ++r) {
    for (uint64_t k = rows.rowptr[r]; k < rows.rowptr[r + 1]; ++k) {
      const int length = std::snprintf(line, sizeof line, "%llu\t%u\t%g\n", static_cast<unsigned long long>(r + 1),
                                       rows.cols[k] + 1, static_cast<double>(rows.values[k]));
      text.append(line, static_cast<size_t>(length));
    }
    out.writeWhenLarge(text);
  }
  out.write(text);
  out.commit();
}

}  // namespace snig
