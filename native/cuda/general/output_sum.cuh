// One output's sum over a tile of R rows held in shared memory as x[input * R + lane], read from the
// padded layout (padded_layer.hpp): the tile and fused kernels' inner loop. Its terms are added in
// stored order with separate multiply and add (the CPU engine's rounding); a group of R lanes reads
// the output's next 8 indices (and weights) with one 16-byte broadcast load each. With Ahead, the
// next 8 are loaded while the current 8 are added (the fused kernel's way; in the tile kernel's
// full-width layers it measured 3-6 % slower, docs/performance.md).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "general_kernels.cuh"
#include "padded_layer.hpp"

namespace snig::cuda::general {

// An output's next kPadEntries terms: their 16-bit inputs and weights.
struct Terms {
  uint4 index;
  float4 w0, w1;
};

template <bool Uniform>
__device__ __forceinline__ Terms loadTerms(const DeviceLayer& layer, uint32_t e) {
  Terms t;
  t.index = __ldg(reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(layer.index) + e));
  if (Uniform) {
    t.w0 = t.w1 = make_float4(layer.uniform, layer.uniform, layer.uniform, layer.uniform);
  } else {
    t.w0 = __ldg(reinterpret_cast<const float4*>(layer.values + e));
    t.w1 = __ldg(reinterpret_cast<const float4*>(layer.values + e) + 1);
  }
  return t;
}

// Output j's sum for lane r.
template <int R, bool Uniform, bool Ahead>
__device__ __forceinline__ float outputSum(const DeviceLayer& layer, uint32_t j, const float* x, uint32_t r) {
  uint32_t e = layer.start[j];
  const uint32_t end = layer.start[j + 1];
  float acc = 0.0f;
  if (e == end) return acc;
  Terms next;
  if (Ahead) next = loadTerms<Uniform>(layer, e);
  for (; e < end; e += kPadEntries) {
    const Terms t = Ahead ? next : loadTerms<Uniform>(layer, e);
    if (Ahead && e + kPadEntries < end) next = loadTerms<Uniform>(layer, e + kPadEntries);
    const uint32_t words[4] = {t.index.x, t.index.y, t.index.z, t.index.w};
    const float w[8] = {t.w0.x, t.w0.y, t.w0.z, t.w0.w, t.w1.x, t.w1.y, t.w1.z, t.w1.w};
#pragma unroll
    for (int h = 0; h < 8; ++h) {
      const uint32_t i = (words[h / 2] >> (16 * (h % 2))) & 0xffffu;
      acc = __fadd_rn(acc, __fmul_rn(w[h], x[i * R + r]));
    }
  }
  return acc;
}

}  // namespace snig::cuda::general
