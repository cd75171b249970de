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

  uint32_t n() const { return file_ ? file_->n() : rows_->n; }
  uint64_t rows() const { return file_ ? file_->rows() : rows_->rows(); }
  uint64_t nnz() const { return file_ ? file_->nnz() : rows_->nnz(); }
  uint64_t bytesRead() const { return file_ ? file_->bytesRead() : sourceBytes_; }
  bool mapped() const { return file_ != nullptr; }

  // Rows [begin, end) in memory: all the rows held, or only that range read from the file (compact
  // when asked and the file allows: SparseRows::compact).
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
};

Napi::Object wrapInputs(Napi::Env env, std::shared_ptr<const HeldInputs> inputs);
Napi::Object wrapInputs(Napi::Env env, std::shared_ptr<const SparseRows> rows);
std::shared_ptr<const HeldInputs> unwrapInputs(Napi::Value value);

}  // namespace snig::addon
