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
// by the copy's shared pointers: for runs, one allocation of the offsets, then the runs.
std::shared_ptr<const SparseRows> pinnedCopy(const SparseRows& rows) {
  if (!qualifies(rows)) return nullptr;
  auto out = std::make_shared<SparseRows>();
  out->n = rows.n;
  out->rowptr = rows.rowptr;
  out->unitValues = true;
  if (pageLockedRunPtr(rows)) {
    out->runPtr = rows.runPtr;
    out->runs = rows.runs;
    return out;
  }
  if (pageLockedColumns(rows)) {
    out->narrowCols = rows.narrowCols;
    return out;
  }
  std::vector<uint32_t> ptr(rows.rows() + 1);
  const uint64_t runs = countRuns(rows, ptr.data());
  if (runs < UINT32_MAX && (ptr.size() + runs) * sizeof(uint32_t) < rows.nnz() * sizeof(uint16_t)) {
    auto pinned = std::make_shared<PinnedBuffer<uint32_t>>(ptr.size() + runs);
    std::copy(ptr.begin(), ptr.end(), pinned->get());
    packRuns(rows, pinned->get(), pinned->get() + ptr.size());
    out->runPtr = std::shared_ptr<const uint32_t>(pinned, pinned->get());
    out->runs = pinned->get() + ptr.size();
    return out;
  }
  auto columns = std::make_shared<PinnedBuffer<uint16_t>>(rows.nnz());
  packNonzeros(rows, 0, rows.nnz(), true, reinterpret_cast<uint8_t*>(columns->get()));  // columns only: every value is 1
  out->narrowCols = std::shared_ptr<const uint16_t>(columns, columns->get());
  return out;
}

}  // namespace snig::cuda
