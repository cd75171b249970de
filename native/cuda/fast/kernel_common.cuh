// What the fast pipeline's kernels share (fast_kernels.cuh says what they do): the launch policy, a
// row's fate after a layer, the class sums in stored order, the activation, and staging rows into
// shared memory. Internal to native/cuda/fast/.
#pragma once

#include <algorithm>

#include "../../core/engine.hpp"
#include "../cuda_check.hpp"
#include "fast_kernels.cuh"

namespace snig::cuda::fast::detail {

constexpr uint32_t kThreads = 256;
constexpr uint32_t kRowsPerThread = 8;     // register accumulators per thread
constexpr uint32_t kMaxRowGroups = 32;
constexpr uint32_t kMaxRows = kRowsPerThread * kMaxRowGroups;
constexpr size_t kSharedBudget = 110 * 1024;  // two blocks per multiprocessor

// The fate of a row whose outputs of `layer` are all computed: recorded, or listed for the next layer.
__device__ inline void decideFate(const Step& s, uint32_t slot, bool any, bool all32) {
  if (s.layer.last) {
    s.fate[slot] = any ? (all32 ? kSaturated : kLive) : kDead;
  } else if (!any) {
    s.fate[slot] = kDead;
  } else if (all32 && s.layer.saturatedExit) {
    s.fate[slot] = kSaturated;
  } else {
    s.liveOut[atomicAdd(s.countOut, 1u)] = slot;
  }
}

// acc[r] += w * x(r, p) over class c's entries in stored order, for the rows r < nr (no contraction).
// Entries are loaded four at a time before use, so that their L2 latency overlaps.
template <typename Input>
__device__ __forceinline__ void sumClass(const DeviceLayer& layer, uint32_t c, uint32_t nr, float (&acc)[kRowsPerThread],
                                         Input x) {
  auto apply = [&](uint2 entry) {
    const float w = __uint_as_float(entry.y);
#pragma unroll
    for (uint32_t r = 0; r < kRowsPerThread; ++r) {
      if (r < nr) acc[r] = __fadd_rn(acc[r], __fmul_rn(w, x(r, entry.x)));
    }
  };
  const uint32_t end = layer.ptr[c + 1];
  uint32_t e = layer.ptr[c];
  for (; e + 4 <= end; e += 4) {
    const uint2 a = layer.entry[e], b = layer.entry[e + 1], d = layer.entry[e + 2], f = layer.entry[e + 3];
    apply(a);
    apply(b);
    apply(d);
    apply(f);
  }
  for (; e < end; ++e) apply(layer.entry[e]);
}

// As the challenge's reference: the bias reaches only a nonzero sum (Y = Z + logical(Z) .* b).
__device__ __forceinline__ float activate(float sum, float bias) {
  return sum != 0.0f ? fminf(fmaxf(__fadd_rn(sum, bias), 0.0f), kClamp) : 0.0f;
}

// Copies `rows` rows of `count` values from the state (row slot[r] at src + slot[r] * stride) to
// dst + r * pitch, as one flat loop over the whole tile (16-byte accesses when everything is a
// multiple of 4), so that many loads are in flight per thread.
__device__ __forceinline__ void stageRows(float* dst, uint32_t pitch, const float* src, uint32_t stride,
                                          const uint32_t* slot, uint32_t rows, uint32_t count) {
  if (count % 4 == 0 && pitch % 4 == 0 && stride % 4 == 0) {
    const uint32_t quads = count / 4;
#pragma unroll 4
    for (uint32_t idx = threadIdx.x; idx < rows * quads; idx += blockDim.x) {
      const uint32_t r = idx / quads;
      const uint32_t q = idx % quads;
      reinterpret_cast<float4*>(dst + r * pitch)[q] = reinterpret_cast<const float4*>(src + uint64_t{slot[r]} * stride)[q];
    }
  } else {
#pragma unroll 4
    for (uint32_t idx = threadIdx.x; idx < rows * count; idx += blockDim.x) {
      const uint32_t r = idx / count;
      dst[r * pitch + idx % count] = src[uint64_t{slot[r]} * stride + idx % count];
    }
  }
}

// Blocks for `wanted` blocks' worth of work, capped at what the device keeps resident at once.
template <typename Kernel>
unsigned residentBlocks(Kernel kernel, unsigned threads, size_t sharedBytes, uint64_t wanted, int multiprocessors) {
  int perSm = 0;
  SNIG_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, kernel, threads, sharedBytes));
  return static_cast<unsigned>(std::max<uint64_t>(1, std::min<uint64_t>(wanted, uint64_t(std::max(perSm, 1)) * multiprocessors)));
}

}  // namespace snig::cuda::fast::detail
