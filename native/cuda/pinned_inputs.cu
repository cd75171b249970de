#include "pinned_inputs.hpp"

#include <memory>

#include "cuda_check.hpp"
#include "cuda_raii.hpp"
#include "input_pack.hpp"

namespace snig::cuda {
namespace {

bool qualifies(const SparseRows& rows) { return rows.n <= 65536 && rows.unitValues && rows.nnz() > 0; }

bool pageLocked(const void* p) {
  cudaPointerAttributes attributes{};
  SNIG_CUDA_CHECK(cudaPointerGetAttributes(&attributes, p));
  return attributes.type == cudaMemoryTypeHost;
}

// Page-locked memory (portable between devices under unified addressing: every 64-bit build) is
// owned by the rows' shared pointer.
std::shared_ptr<const uint64_t> bitsOf(const SparseRows& rows) {
  auto bits = std::make_shared<PinnedBuffer<uint64_t>>(rows.rows() * rowWords(rows.n));
  packBits(rows, bits->get());
  return {bits, bits->get()};
}

std::shared_ptr<const uint16_t> columnsOf(const SparseRows& rows) {
  auto columns = std::make_shared<PinnedBuffer<uint16_t>>(rows.nnz());
  packNonzeros(rows, 0, rows.nnz(), true, reinterpret_cast<uint8_t*>(columns->get()));  // columns only: every value is 1
  return {columns, columns->get()};
}

}  // namespace

const uint64_t* pageLockedBits(const SparseRows& rows) {
  return qualifies(rows) && rows.rowBits && pageLocked(rows.rowBits.get()) ? rows.rowBits.get() : nullptr;
}

const uint16_t* pageLockedColumns(const SparseRows& rows) {
  return qualifies(rows) && rows.narrowCols && pageLocked(rows.narrowCols.get()) ? rows.narrowCols.get() : nullptr;
}

void pinRows(SparseRows& rows) {
  if (!qualifies(rows) || pageLockedBits(rows) || pageLockedColumns(rows)) return;
  if (rows.rows() * rowWords(rows.n) * sizeof(uint64_t) < rows.nnz() * sizeof(uint16_t)) {
    rows.rowBits = bitsOf(rows);
  } else {
    rows.narrowCols = columnsOf(rows);
  }
}

}  // namespace snig::cuda
