// The binary input format (.snigrows): sparse input rows laid out for memory mapping, so that a row
// range is read, and checked, without touching the rest of the file.
//
// Layout (little-endian), version 1:
//   header (64 bytes): magic "SNIGROWS" | u32 version | u32 N | u64 rows | u64 nnz
//                      | u32 index bytes (2 when N <= 65536, else 4) | u32 flags (bit 0: values stored)
//                      | u32 segment entries | u32 CRC-32 of the header (this field 0), row offsets and
//                      segment table | u8[16] reserved (0)
//   row offsets:       (rows + 1) x u64, ascending from 0 to nnz
//   segment table:     ceil(nnz / segment entries) x u32: each segment's CRC-32 over its column
//                      indices, then its values when stored; zero-padded to a multiple of 8 bytes
//   column indices:    nnz x u16|u32, 0-based, ascending within a row; zero-padded to 8 bytes
//   values:            nnz x f32, stored only when some value is not 1 (the challenge's are all 1)
// At N <= 65536 with unit values that is 2 bytes per nonzero plus 8 per row.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "inputs.hpp"
#include "mapped_file.hpp"

namespace snig {

class RowFile {
 public:
  // Maps the file and checks its header, row offsets and their checksum (names the file on error).
  explicit RowFile(std::string path);

  const std::string& path() const { return path_; }
  uint32_t n() const { return n_; }
  uint64_t rows() const { return rows_; }
  uint64_t nnz() const { return nnz_; }
  // Rows [begin, end) in memory, after checking every checksum segment they touch and every column.
  // `compact`: at N <= 65536, rows whose columns stay in the mapping (SparseRows::compact), with
  // values only when the file stores them; else the columns and values widened into memory.
  SparseRows read(uint64_t begin, uint64_t end, bool compact = false) const;
  // Bytes of the file read so far: the header, offsets and table, and the segments of every read.
  uint64_t bytesRead() const { return bytesRead_.load(); }

 private:
  const uint64_t* offsets() const;
  const uint32_t* segmentCrcs() const;
  // Maps the pages of nonzeros [first, last) before the checks read them, 4 MiB a part on every
  // core: one call a part instead of a fault every few pages from threads that read side by side
  // (segments of 2 KiB claimed in turn), which contend in the kernel (as text_chunks does for TSV).
  void populate(uint64_t first, uint64_t last) const;
  void verifySegments(uint64_t first, uint64_t last) const;
  void checkColumns(uint64_t begin, uint64_t end) const;

  std::string path_;
  std::shared_ptr<const MappedFile> map_;  // shared with the rows read (their narrowCols)
  uint32_t n_ = 0;
  uint64_t rows_ = 0;
  uint64_t nnz_ = 0;
  uint32_t indexBytes_ = 0;
  bool valuesStored_ = false;
  uint64_t segmentEntries_ = 0;
  uint64_t colsAt_ = 0;    // byte offsets of the column indices and values
  uint64_t valuesAt_ = 0;
  mutable std::atomic<uint64_t> bytesRead_{0};
};

// Whether the path names binary inputs: the file starts with their magic, or its name ends in
// .snigrows (so that a damaged one is reported as such, not parsed as text).
bool isRowFile(const std::string& path);

// Maps a binary input file, checking that it has N = n and, when rows > 0, that many rows.
std::shared_ptr<const RowFile> openRowFile(const std::string& path, uint32_t n, uint64_t rows = 0);

// Reads inputs of N = n wholly into memory, from either format (the binary one known by its magic).
SparseRows readInputRows(const std::string& path, uint32_t n, uint64_t rows = 0);

// Writes `rows` in the binary input format (atomically: temp file, sync, rename).
void writeRowFile(const SparseRows& rows, const std::string& path);

}  // namespace snig
