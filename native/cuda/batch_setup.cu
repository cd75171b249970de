#include "batch_setup.hpp"

#include <algorithm>

#include "cuda_check.hpp"
#include "row_fate.hpp"

namespace snig::cuda {
namespace {

constexpr uint64_t kMaxAutoBatchRows = 1 << 17;
constexpr double kMemoryShare = 0.6;        // of the free device memory, for one batch
constexpr uint32_t kInputNnzPerNeuron = 8;  // budgeted input nonzeros per row: N / 8

}  // namespace

uint64_t batchCapacity(uint64_t requested, uint64_t stateBytesPerRow, uint32_t neurons) {
  if (requested) return requested;
  // A row's inputs: its nonzeros as a 32-bit column and a float value, and its offset.
  const uint64_t perRow = stateBytesPerRow + uint64_t{neurons / kInputNnzPerNeuron} * 8 + 4;
  size_t freeBytes = 0, totalBytes = 0;
  SNIG_CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
  return std::clamp<uint64_t>(static_cast<uint64_t>(static_cast<double>(freeBytes) * kMemoryShare) / perRow, 1, kMaxAutoBatchRows);
}

BatchStream BatchStream::make() {
  BatchStream out;
  out.stream = makeStream();
  out.start = makeEvent();
  out.stop = makeEvent();
  out.hostCount = PinnedBuffer<uint32_t>(1);
  return out;
}

double BatchStream::seconds() const {
  float ms = 0;
  SNIG_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return ms / 1000.0;
}

std::vector<uint8_t> BatchStream::finish(const uint8_t* fate, uint32_t rows) const {
  SNIG_CUDA_CHECK(cudaEventRecord(stop.get(), stream.get()));
  std::vector<uint8_t> out(rows);
  SNIG_CUDA_CHECK(cudaMemcpyAsync(out.data(), fate, rows, cudaMemcpyDeviceToHost, stream.get()));
  SNIG_CUDA_CHECK(cudaStreamSynchronize(stream.get()));
  return out;
}

std::vector<uint64_t> categoriesOf(const std::vector<uint8_t>& fate, uint64_t begin) {
  std::vector<uint64_t> rows;
  for (uint64_t r = 0; r < fate.size(); ++r) {
    if (fate[r] != kDead) rows.push_back(begin + r + 1);
  }
  return rows;
}

}  // namespace snig::cuda
