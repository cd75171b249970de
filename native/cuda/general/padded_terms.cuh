// Device helpers the row-per-lane kernels (tile, first layer, lines, codes) share: an output's next 8
// terms of the padded layout, a counted layer's sums, and the activation of a finished sum.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../../core/engine.hpp"
#include "general_kernels.cuh"
#include "padded_layer.hpp"

namespace snig::cuda::general {

static_assert(kPadEntries == 8, "one 16-byte load holds 8 16-bit inputs");

// Entries e .. e + 7 of a padded layer (e a multiple of kPadEntries): inputs with one 16-byte load,
// weights with two (or the layer's uniform weight).
template <bool Uniform>
__device__ __forceinline__ void loadPaddedTerms(const DeviceLayer& layer, uint32_t e, uint32_t (&input)[kPadEntries],
                                                float (&weight)[kPadEntries]) {
  const uint4 packed = __ldg(reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(layer.index) + e));
  const uint32_t words[4] = {packed.x, packed.y, packed.z, packed.w};
#pragma unroll
  for (int h = 0; h < 8; ++h) input[h] = (words[h / 2] >> (16 * (h % 2))) & 0xffffu;
  if (Uniform) {
#pragma unroll
    for (int h = 0; h < 8; ++h) weight[h] = layer.uniform;
  } else {
    const float4 a = __ldg(reinterpret_cast<const float4*>(layer.values + e));
    const float4 b = __ldg(reinterpret_cast<const float4*>(layer.values + e) + 1);
    weight[0] = a.x, weight[1] = a.y, weight[2] = a.z, weight[3] = a.w;
    weight[4] = b.x, weight[5] = b.y, weight[6] = b.z, weight[7] = b.w;
  }
}

// Calls terms(i, w) for each 8 of output j's padded terms in stored order: their inputs i and
// weights w (every row-per-lane kernel walks an output's terms so).
template <bool Uniform, typename Terms>
__device__ __forceinline__ void forPaddedTerms(const DeviceLayer& layer, uint32_t j, Terms terms) {
  const uint32_t stop = layer.start[j + 1];
  for (uint32_t e = layer.start[j]; e < stop; e += kPadEntries) {
    uint32_t i[kPadEntries];
    float w[kPadEntries];
    loadPaddedTerms<Uniform>(layer, e, i, w);
    terms(i, w);
  }
}

// Output j's sum over its padded terms in stored order (separate multiply and add): input i's value
// is decode(fetch(i)). Each 8 terms' fetches (the loads) come before any decoding, so they overlap.
template <bool Uniform, typename Fetch, typename Decode>
__device__ __forceinline__ float paddedSum(const DeviceLayer& layer, uint32_t j, Fetch fetch, Decode decode) {
  float acc = 0.0f;
  forPaddedTerms<Uniform>(layer, j, [&](const uint32_t (&i)[kPadEntries], const float (&w)[kPadEntries]) {
    decltype(fetch(0u)) raw[kPadEntries];
#pragma unroll
    for (int h = 0; h < kPadEntries; ++h) raw[h] = fetch(i[h]);
#pragma unroll
    for (int h = 0; h < kPadEntries; ++h) acc = __fadd_rn(acc, __fmul_rn(w[h], decode(raw[h])));
  });
  return acc;
}

// A counted layer (first_layer.cuh, codes.cuh): every term's weight is w and every input 1 or 0, so
// an output's sum over c set terms in stored order is c copies of w added one by one. Counts of up
// to kMaxCount terms (six bit planes).
constexpr int kCountPlanes = 6;
constexpr uint32_t kMaxCount = (1u << kCountPlanes) - 1;

// sums[c] for c = 0 .. kMaxCount (one thread computes them).
__device__ __forceinline__ void countSums(float* sums, float w) {
  float sum = 0.0f;
  sums[0] = sum;
  for (uint32_t c = 1; c <= kMaxCount; ++c) sums[c] = sum = __fadd_rn(sum, w);
}

// Bias (on a nonzero sum only: the reference's Z + logical(Z) .* b), ReLU and clamp.
__device__ __forceinline__ float activate(float z, float b) {
  return z != 0.0f ? fminf(fmaxf(__fadd_rn(z, b), 0.0f), kClamp) : 0.0f;
}

}  // namespace snig::cuda::general
