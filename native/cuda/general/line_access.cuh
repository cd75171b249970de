// Device helpers for lines (lines.cuh): reading a row's value from a line and packing a warp's
// values into lines.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

namespace snig::cuda::general {

template <int M>
using MaskOf = std::conditional_t<M == 32, uint32_t, uint16_t>;

// This lane's group's (32 / M groups of M lanes) bits of a ballot.
template <int M>
__device__ __forceinline__ uint32_t groupBits(uint32_t ballot, uint32_t lane) {
  return M == 32 ? ballot : (ballot >> (lane / M * M)) & ((1u << M) - 1);
}

// Row r's value in a line with mask m (0 when its bit is clear). The load is unconditional (a row
// whose bit is clear reads the slot at or next to the nonzeros, in the same sectors; its value is
// dropped), so a warp's loads of several terms are straight-line code and overlap (as a branch per
// term, they did not: the lines kernel measured no faster than the staged one).
template <int M>
__device__ __forceinline__ float lineValue(const float* line, uint32_t m, uint32_t r) {
  const float v = __ldg(line + __popc(m & ((1u << r) - 1)));
  return (m >> r) & 1u ? v : 0.0f;
}

// Packs a group's values v (lane r = row r) into a line: nonzeros at its front, and the mask.
// Every lane of the warp calls it; `valid` lanes write.
template <int M>
__device__ __forceinline__ uint32_t writeLine(float v, bool valid, uint32_t lane, float* line, MaskOf<M>* mask) {
  const uint32_t r = lane % M;
  const uint32_t bits = groupBits<M>(__ballot_sync(0xffffffffu, v != 0.0f), lane);
  if (valid) {
    if (v != 0.0f) line[__popc(bits & ((1u << r) - 1))] = v;
    if (r == 0) *mask = static_cast<MaskOf<M>>(bits);
  }
  return bits;
}

}  // namespace snig::cuda::general
