#include "pinned_inputs.hpp"

#include <algorithm>
#include <memory>
#include <vector>

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

}  // namespace

const uint32_t* pageLockedRunPtr(const SparseRows& rows) {
  return qualifies(rows) && rows.runPtr && pageLocked(rows.runPtr.get()) ? rows.runPtr.get() : nullptr;
}

const uint16_t* pageLockedColumns(const SparseRows& rows) {
  return qualifies(rows) && rows.narrowCols && pageLocked(rows.narrowCols.get()) ? rows.narrowCols.get() : nullptr;
}

// Page-locked memory (portable between devices under unified addressing: every 64-bit build) owned
// by the rows' shared pointers: for runs, one allocation of the offsets, then the runs.
void pinRows(SparseRows& rows) {
  if (!qualifies(rows) || pageLockedRunPtr(rows) || pageLockedColumns(rows)) return;
  std::vector<uint32_t> ptr(rows.rows() + 1);
  const uint64_t runs = countRuns(rows, ptr.data());
  if (runs < UINT32_MAX && (ptr.size() + runs) * sizeof(uint32_t) < rows.nnz() * sizeof(uint16_t)) {
    auto pinned = std::make_shared<PinnedBuffer<uint32_t>>(ptr.size() + runs);
    std::copy(ptr.begin(), ptr.end(), pinned->get());
    packRuns(rows, pinned->get(), pinned->get() + ptr.size());
    rows.runPtr = std::shared_ptr<const uint32_t>(pinned, pinned->get());
    rows.runs = pinned->get() + ptr.size();
    return;
  }
  auto columns = std::make_shared<PinnedBuffer<uint16_t>>(rows.nnz());
  packNonzeros(rows, 0, rows.nnz(), true, reinterpret_cast<uint8_t*>(columns->get()));  // columns only: every value is 1
  rows.narrowCols = std::shared_ptr<const uint16_t>(columns, columns->get());
}

}  // namespace snig::cuda
