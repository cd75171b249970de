// Sparse input rows (the challenge's images): compressed sparse rows over N columns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "text_chunks.hpp"

namespace snig {

struct SparseRows {
  uint32_t n = 0;                 // columns (neurons)
  std::vector<uint64_t> rowptr;   // rows + 1, from 0 to nnz
  std::vector<uint32_t> cols;     // 0-based, ascending within a row; empty in compact rows
  std::vector<float> values;      // empty in compact rows whose values are all 1
  // Every value is 1 (the challenge's images), as the producer knows it; false: unknown. Lets an
  // upload skip reading the values. Whoever writes values keeps it true only if they are all 1.
  bool unitValues = false;
  // The same columns as 16-bit indices (n <= 65536), when the producer holds them in that form (a
  // mapped binary input file, the generator): an upload sends them as they are, 2 bytes per
  // nonzero, instead of narrowing every column again. Null: only `cols`. Whoever changes `cols`
  // drops it.
  std::shared_ptr<const uint16_t> narrowCols;
  // The same rows as runs of consecutive columns (n <= 65536), when the producer holds them in that
  // form (Engine::placeInputs' copy, where they take fewer bytes than 16-bit columns: images upscaled to N
  // hold runs of ~3.5 columns at N = 1024, longer above): a run covers columns [start, start +
  // length), packed as start | (length - 1) << 16; row r's are runs[runPtr[r] .. runPtr[r + 1]).
  // runPtr owns both arrays. Null: none. Whoever changes `cols` drops them.
  std::shared_ptr<const uint32_t> runPtr;
  const uint32_t* runs = nullptr;

  uint64_t rows() const { return rowptr.empty() ? 0 : rowptr.size() - 1; }
  uint64_t nnz() const { return rowptr.empty() ? 0 : rowptr.back(); }
  // Compact rows hold their columns in narrowCols only (cols left empty) and their values only when
  // some is not 1: what a GPU upload reads, without widening every column on the host first (a
  // mapped binary input file read for an engine that takes them, Engine::readsCompactRows).
  bool compact() const { return cols.size() != nnz(); }
  // No rows yet, over n columns.
  static SparseRows empty(uint32_t n);
  // Appends row `row` of `from` (same n, not compact) as this matrix's next row.
  void appendRow(const SparseRows& from, uint64_t row);
  // Rows [begin, end) as a new matrix (row 0 of the result is row `begin`), compact if these are.
  SparseRows slice(uint64_t begin, uint64_t end) const;
  // The listed rows, in the listed order (not compact).
  SparseRows gather(const std::vector<uint64_t>& rows) const;
};

// `cols` as a SparseRows::narrowCols (every column below 65536), narrowed on all cores.
std::shared_ptr<const uint16_t> narrowColumns(const std::vector<uint32_t>& cols);

// Reads `sparse-images-<N>.tsv[.gz]` (lines `row<TAB>col<TAB>value`, 1-based, any order), a plain
// file on all cores (text_chunks.hpp). The row count is the largest row index, or `rows` when given
// (larger indices are errors).
SparseRows readSparseRows(const std::string& path, uint32_t n, uint64_t rows = 0, const ChunkOptions& chunking = {});

// Writes the same format, sorted by row then column (atomically: temp file, then rename).
void writeSparseRows(const SparseRows& rows, const std::string& path);

}  // namespace snig
