#include "final_rows.hpp"

#include <bit>
#include <cstring>

#include "../row_fate.hpp"

namespace snig::cuda::general {
namespace {

template <typename T>
void copyBack(T* host, const T* device, size_t count) {
  if (count) SNIG_CUDA_CHECK(cudaMemcpy(host, device, count * sizeof(T), cudaMemcpyDeviceToHost));
}

}  // namespace

void readFinalRows(const BatchState& state, const std::vector<uint8_t>& fate, uint32_t count, uint32_t n, uint32_t lanes,
                   bool lines, const InferRequest& request, BatchResult* result) {
  const uint32_t rows = static_cast<uint32_t>(fate.size());
  const uint32_t tiles = (count + lanes - 1) / lanes;
  std::vector<float> packed(uint64_t{tiles} * lanes * n);
  std::vector<uint32_t> rowOf(count);
  copyBack(packed.data(), state.in.get(), packed.size());
  copyBack(rowOf.data(), state.rowOf[state.finalRowOf].get(), count);
  if (request.wantRowSums) result->rowSums.assign(rows, 0.0);
  if (request.wantRows) result->rows.assign(uint64_t{rows} * n, 0.0f);
  const auto emit = [&](uint32_t r, auto valueOf) {
    double sum = 0;
    for (uint32_t j = 0; j < n; ++j) {
      const float v = valueOf(j);
      sum += static_cast<double>(v);
      if (request.wantRows) result->rows[uint64_t{r} * n + j] = v;
    }
    if (request.wantRowSums) result->rowSums[r] = sum;
  };
  for (uint32_t r = 0; r < rows; ++r) {
    if (fate[r] == kSaturated) emit(r, [](uint32_t) { return kClamp; });
  }
  if (lines) {
    const uint32_t stride = linesMaskStride(n), maskBytes = linesMaskBytes(lanes);
    std::vector<uint8_t> masks(uint64_t{tiles} * stride * maskBytes);
    copyBack(masks.data(), state.inMask.get(), masks.size());
    for (uint32_t s = 0; s < count; ++s) {
      const uint32_t tile = s / lanes, r = s % lanes;
      emit(rowOf[s], [&](uint32_t j) {
        uint32_t m = 0;
        std::memcpy(&m, masks.data() + (uint64_t{tile} * stride + j) * maskBytes, maskBytes);  // little-endian
        const float* line = packed.data() + (uint64_t{tile} * n + j) * lanes;
        return (m >> r) & 1u ? line[std::popcount(m & ((1u << r) - 1))] : 0.0f;
      });
    }
    return;
  }
  for (uint32_t s = 0; s < count; ++s) {
    const float* base = packed.data() + uint64_t{s / lanes} * n * lanes + s % lanes;
    emit(rowOf[s], [&](uint32_t j) { return base[uint64_t{j} * lanes]; });
  }
}

}  // namespace snig::cuda::general
