// The JS object that owns sparse input rows (NativeInputs in common/native.ts): rows in memory
// (parsed, generated or received), or a mapped binary input file whose rows are read range by range.
#pragma once

#include <napi.h>

#include <memory>

#include "../core/inputs.hpp"
#include "../core/row_file.hpp"

namespace snig::addon {

class HeldInputs {
 public:
  // `sourceBytes`: the bytes read to make them (the file parsed), 0 when none were.
  HeldInputs(std::shared_ptr<const SparseRows> rows, uint64_t sourceBytes) : rows_(std::move(rows)), sourceBytes_(sourceBytes) {}
  explicit HeldInputs(std::shared_ptr<const RowFile> file) : file_(std::move(file)) {}
  // Rows [offset, offset + rows->rows()) of `from`, which an engine placed (Engine::placeInputs):
  // they keep their numbers among from's rows, and only they can be inferred on.
  HeldInputs(const HeldInputs& from, std::shared_ptr<const SparseRows> rows, uint64_t offset)
      : rows_(std::move(rows)), sourceBytes_(from.bytesRead()), offset_(offset), total_(from.rows()) {}

  uint32_t n() const { return file_ ? file_->n() : rows_->n; }
  uint64_t rows() const { return file_ ? file_->rows() : total_; }
  uint64_t nnz() const { return file_ ? file_->nnz() : rows_->nnz(); }
  uint64_t bytesRead() const { return file_ ? file_->bytesRead() : sourceBytes_; }
  bool mapped() const { return file_ != nullptr; }

  // Rows [begin, end) in memory: all the rows held, or only that range read from the file (compact
  // when asked and the file allows: SparseRows::compact). Placed rows come only to a caller that
  // reads compact rows (an engine that takes them; what else reads them checks for columns).
  struct Range {
    std::shared_ptr<const SparseRows> rows;
    uint64_t offset = 0;  // global index of rows->row 0
  };
  Range range(uint64_t begin, uint64_t end, bool compact = false) const;
  std::shared_ptr<const SparseRows> all() const { return range(0, rows()).rows; }

 private:
  std::shared_ptr<const SparseRows> rows_;
  std::shared_ptr<const RowFile> file_;
  uint64_t sourceBytes_ = 0;
  uint64_t offset_ = 0;                            // the number of rows_'s row 0
  uint64_t total_ = rows_ ? rows_->rows() : 0;     // rows in the set rows_ belongs to
};

Napi::Object wrapInputs(Napi::Env env, std::shared_ptr<const HeldInputs> inputs);
Napi::Object wrapInputs(Napi::Env env, std::shared_ptr<const SparseRows> rows);
std::shared_ptr<const HeldInputs> unwrapInputs(Napi::Value value);

}  // namespace snig::addon
