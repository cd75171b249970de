#include "row_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "atomic_file.hpp"
#include "error.hpp"

namespace snig {
namespace {

constexpr char kMagic[8] = {'S', 'N', 'I', 'G', 'R', 'O', 'W', 'S'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kValuesFlag = 1;
constexpr uint32_t kSegmentEntries = 1 << 10;  // range reads check (and read) whole segments: 2 KiB at N <= 65536
constexpr uint64_t kMaxCount = uint64_t{1} << 40;  // rows or nonzeros; keeps the layout sums exact

#pragma pack(push, 1)
struct Header {
  char magic[8];
  uint32_t version;
  uint32_t n;
  uint64_t rows;
  uint64_t nnz;
  uint32_t indexBytes;
  uint32_t flags;
  uint32_t segmentEntries;
  uint32_t crc;
  uint8_t reserved[16];
};
#pragma pack(pop)
static_assert(sizeof(Header) == 64);

constexpr uint64_t pad8(uint64_t bytes) { return (bytes + 7) / 8 * 8; }

// Byte offsets of each part, from the header's counts.
struct Layout {
  uint64_t segments, tableAt, colsAt, valuesAt, end;
  explicit Layout(const Header& h) {
    segments = (h.nnz + h.segmentEntries - 1) / h.segmentEntries;
    tableAt = sizeof(Header) + (h.rows + 1) * 8;
    colsAt = tableAt + pad8(segments * 4);
    valuesAt = colsAt + pad8(h.nnz * h.indexBytes);
    end = valuesAt + ((h.flags & kValuesFlag) ? h.nnz * 4 : 0);
  }
};

uint32_t crc(const void* data, uint64_t bytes, uint32_t seed = 0) {
  return static_cast<uint32_t>(::crc32_z(seed, static_cast<const Bytef*>(data), static_cast<z_size_t>(bytes)));
}

// CRC-32 of segment s: its column indices, then its values when stored (values may be null).
uint32_t segmentCrc(const uint8_t* cols, const uint8_t* values, uint32_t indexBytes, uint64_t segmentEntries,
                    uint64_t nnz, uint64_t s) {
  const uint64_t first = s * segmentEntries;
  const uint64_t count = std::min(segmentEntries, nnz - first);
  const uint32_t c = crc(cols + first * indexBytes, count * indexBytes);
  return values ? crc(values + first * 4, count * 4, c) : c;
}

// CRC of the header (its crc field taken as 0), the row offsets and the segment table.
uint32_t indexCrc(Header h, const uint8_t* offsets, const uint8_t* table, uint64_t segments) {
  h.crc = 0;
  return crc(table, segments * 4, crc(offsets, (h.rows + 1) * 8, crc(&h, sizeof h)));
}

}  // namespace

RowFile::RowFile(std::string path) : path_(std::move(path)), map_(std::make_shared<const MappedFile>(path_)) {
  const auto fail = [&](const std::string& what) { throwFormat(path_, 0, what); };
  if (map_->size() < sizeof(Header)) fail("truncated binary inputs (" + std::to_string(map_->size()) + " bytes, no full header)");
  Header h;
  std::memcpy(&h, map_->data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) fail("not a snig binary input file (bad magic)");
  if (h.version != kVersion) fail("unsupported binary input version " + std::to_string(h.version));
  if (h.n == 0 || h.rows > kMaxCount || h.nnz > kMaxCount || h.segmentEntries == 0 || (h.flags & ~kValuesFlag) != 0 ||
      h.indexBytes != (h.n <= 65536 ? 2u : 4u)) {
    fail("corrupt header (N, counts, index width or flags)");
  }
  const Layout layout(h);
  if (map_->size() < layout.end) {
    fail("truncated binary inputs (" + std::to_string(map_->size()) + " bytes, the header promises " + std::to_string(layout.end) + ")");
  }
  if (map_->size() > layout.end) fail("trailing bytes after the binary inputs (" + std::to_string(map_->size() - layout.end) + ")");
  n_ = h.n;
  rows_ = h.rows;
  nnz_ = h.nnz;
  indexBytes_ = h.indexBytes;
  valuesStored_ = (h.flags & kValuesFlag) != 0;
  segmentEntries_ = h.segmentEntries;
  colsAt_ = layout.colsAt;
  valuesAt_ = layout.valuesAt;
  if (indexCrc(h, map_->data() + sizeof(Header), map_->data() + layout.tableAt, layout.segments) != h.crc) {
    fail("checksum mismatch in the header or row offsets: the file is corrupt");
  }
  const uint64_t* off = offsets();
  bool ascending = off[0] == 0 && off[rows_] == nnz_;
  for (uint64_t r = 0; r < rows_ && ascending; ++r) ascending = off[r] <= off[r + 1];
  if (!ascending) fail("row offsets do not ascend from 0 to the nonzero count");
  bytesRead_ = layout.colsAt;
}

const uint64_t* RowFile::offsets() const { return reinterpret_cast<const uint64_t*>(map_->data() + sizeof(Header)); }

const uint32_t* RowFile::segmentCrcs() const {
  return reinterpret_cast<const uint32_t*>(map_->data() + sizeof(Header) + (rows_ + 1) * 8);
}

void RowFile::populate(uint64_t first, uint64_t last) const {
  constexpr uint64_t kPart = uint64_t{4} << 20;
  const auto inParts = [&](uint64_t at, uint64_t bytes) {
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < static_cast<int64_t>((bytes + kPart - 1) / kPart); ++p) {
      const uint64_t from = static_cast<uint64_t>(p) * kPart;
      map_->populate(at + from, std::min(kPart, bytes - from));
    }
  };
  inParts(colsAt_ + first * indexBytes_, (last - first) * indexBytes_);
  if (valuesStored_) inParts(valuesAt_ + first * 4, (last - first) * 4);
}

void RowFile::verifySegments(uint64_t first, uint64_t last) const {
  if (first == last) return;
  const uint8_t* cols = map_->data() + colsAt_;
  const uint8_t* values = valuesStored_ ? map_->data() + valuesAt_ : nullptr;
  const auto from = static_cast<int64_t>(first / segmentEntries_);
  const auto to = static_cast<int64_t>((last - 1) / segmentEntries_ + 1);
  int64_t bad = -1;
#pragma omp parallel for schedule(dynamic, 4) reduction(max : bad)
  for (int64_t s = from; s < to; ++s) {
    const uint32_t expected = segmentCrcs()[s];
    if (segmentCrc(cols, values, indexBytes_, segmentEntries_, nnz_, static_cast<uint64_t>(s)) != expected) bad = std::max(bad, s);
  }
  if (bad >= 0) {
    throwFormat(path_, 0, "checksum mismatch in nonzeros " + std::to_string(bad * segmentEntries_ + 1) + " onwards: the file is corrupt");
  }
  const uint64_t entries = std::min(nnz_, static_cast<uint64_t>(to) * segmentEntries_) - static_cast<uint64_t>(from) * segmentEntries_;
  bytesRead_ += entries * (indexBytes_ + (valuesStored_ ? 4 : 0));
}

void RowFile::checkColumns(uint64_t begin, uint64_t end) const {
  const uint64_t* off = offsets();
  const uint8_t* cols = map_->data() + colsAt_;
  const auto badRow = [&](const auto* col) {  // the first row with a column out of range or out of order
    int64_t bad = INT64_MAX;
#pragma omp parallel for schedule(static) reduction(min : bad)
    for (int64_t r = static_cast<int64_t>(begin); r < static_cast<int64_t>(end); ++r) {
      for (uint64_t k = off[r]; k < off[r + 1]; ++k) {
        if (col[k] >= n_ || (k > off[r] && col[k] <= col[k - 1])) bad = std::min(bad, r);
      }
    }
    return bad;
  };
  const int64_t bad = indexBytes_ == 2 ? badRow(reinterpret_cast<const uint16_t*>(cols)) : badRow(reinterpret_cast<const uint32_t*>(cols));
  if (bad != INT64_MAX) {
    throwFormat(path_, 0, "row " + std::to_string(bad + 1) + ": columns out of range or not ascending");
  }
}

SparseRows RowFile::read(uint64_t begin, uint64_t end, bool compact) const {
  if (begin > end || end > rows_) throwArgument("row range outside the inputs in " + path_);
  const uint64_t* off = offsets();
  const uint64_t first = off[begin];
  const uint64_t last = off[end];
  populate(first, last);
  verifySegments(first, last);
  checkColumns(begin, end);
  SparseRows out;
  out.n = n_;
  out.rowptr.resize(end - begin + 1);
  for (uint64_t r = begin; r <= end; ++r) out.rowptr[r - begin] = off[r] - first;
  out.unitValues = !valuesStored_;
  const uint8_t* cols = map_->data() + colsAt_;
  // The file's own 16-bit columns, kept mapped for uploads (2-byte aligned: the columns start at
  // a multiple of 8 in a page-aligned map).
  if (indexBytes_ == 2) out.narrowCols = std::shared_ptr<const uint16_t>(map_, reinterpret_cast<const uint16_t*>(cols) + first);
  const auto total = static_cast<int64_t>(last - first);
  if (valuesStored_) {
    const auto* values = reinterpret_cast<const float*>(map_->data() + valuesAt_) + first;
    out.values.assign(values, values + total);
  } else if (!compact || indexBytes_ != 2) {
    out.values.assign(last - first, 1.0f);
  }
  if (compact && indexBytes_ == 2) return out;
  out.cols.resize(last - first);
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < total; ++k) {
    const uint64_t at = first + static_cast<uint64_t>(k);
    if (indexBytes_ == 2) {
      out.cols[k] = reinterpret_cast<const uint16_t*>(cols)[at];
    } else {
      out.cols[k] = reinterpret_cast<const uint32_t*>(cols)[at];
    }
  }
  return out;
}

bool isRowFile(const std::string& path) {
  if (path.ends_with(".snigrows")) return true;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  char magic[sizeof kMagic] = {};
  const bool match = std::fread(magic, 1, sizeof magic, file) == sizeof magic && std::memcmp(magic, kMagic, sizeof kMagic) == 0;
  std::fclose(file);
  return match;
}

std::shared_ptr<const RowFile> openRowFile(const std::string& path, uint32_t n, uint64_t rows) {
  auto file = std::make_shared<const RowFile>(path);
  if (file->n() != n) {
    throwFormat(path, 0, "inputs of N=" + std::to_string(file->n()) + " for a model of N=" + std::to_string(n));
  }
  if (rows && file->rows() != rows) {
    throwFormat(path, 0, std::to_string(file->rows()) + " rows where " + std::to_string(rows) + " were expected");
  }
  return file;
}

SparseRows readInputRows(const std::string& path, uint32_t n, uint64_t rows) {
  if (!isRowFile(path)) return readSparseRows(path, n, rows);
  const auto file = openRowFile(path, n, rows);
  return file->read(0, file->rows());
}

void writeRowFile(const SparseRows& rows, const std::string& path) {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.n = rows.n;
  h.rows = rows.rows();
  h.nnz = rows.nnz();
  h.indexBytes = rows.n <= 65536 ? 2 : 4;
  const bool stored = std::any_of(rows.values.begin(), rows.values.end(), [](float v) { return v != 1.0f; });
  h.flags = stored ? kValuesFlag : 0;
  h.segmentEntries = kSegmentEntries;
  const Layout layout(h);

  std::vector<uint8_t> cols(pad8(h.nnz * h.indexBytes), 0);
  const auto total = static_cast<int64_t>(h.nnz);
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < total; ++k) {
    if (h.indexBytes == 2) {
      const auto c = static_cast<uint16_t>(rows.cols[k]);
      std::memcpy(cols.data() + k * 2, &c, 2);
    } else {
      std::memcpy(cols.data() + k * 4, &rows.cols[k], 4);
    }
  }
  const auto* values = stored ? reinterpret_cast<const uint8_t*>(rows.values.data()) : nullptr;
  std::vector<uint32_t> table(pad8(layout.segments * 4) / 4, 0);
  const auto segments = static_cast<int64_t>(layout.segments);
#pragma omp parallel for schedule(static)
  for (int64_t s = 0; s < segments; ++s) {
    table[s] = segmentCrc(cols.data(), values, h.indexBytes, h.segmentEntries, h.nnz, static_cast<uint64_t>(s));
  }
  const std::vector<uint64_t> none{0};  // offsets of a matrix that never had a row
  const std::vector<uint64_t>& offsets = rows.rowptr.empty() ? none : rows.rowptr;
  h.crc = indexCrc(h, reinterpret_cast<const uint8_t*>(offsets.data()), reinterpret_cast<const uint8_t*>(table.data()),
                   layout.segments);

  AtomicFile out(path);
  out.write(&h, sizeof h);
  out.write(offsets.data(), offsets.size() * 8);
  out.write(table.data(), table.size() * 4);
  out.write(cols.data(), cols.size());
  if (stored) out.write(rows.values.data(), rows.values.size() * 4);
  out.commit();
}

}  // namespace snig
