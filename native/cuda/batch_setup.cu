#include "batch_setup.hpp"

#include <algorithm>

#include "cuda_check.hpp"

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

}  // namespace snig::cuda
