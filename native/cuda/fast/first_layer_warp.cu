// The fast pipeline's first layer, one warp per row (fast_kernels.cuh: launchFirstLayerWarp).
#include "kernel_common.cuh"

namespace snig::cuda::fast {

using namespace detail;

namespace {

constexpr uint32_t kWarpsPerBlock = 4;

// kFanOut 0: each input's classes from tptr; else every input feeds exactly kFanOut classes, at
// tentry[i * kFanOut]. The row's nonzeros are read two chunks ahead and (uniform fan-out) the next
// chunk's entries one chunk ahead, so their latency hides behind the current chunk's additions.
template <uint32_t kFanOut>
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    firstLayerWarpKernel(const uint32_t* __restrict__ rowptr, const uint32_t* __restrict__ cols,
                         const float* __restrict__ values, uint32_t rowBegin, uint32_t rowEnd, const uint32_t* __restrict__ tptr,
                         const uint2* __restrict__ tentry, uint32_t maxFanOut, Step s) {
  extern __shared__ float shared[];
  const uint32_t lane = threadIdx.x % 32;
  const uint32_t warp = threadIdx.x / 32;
  const uint32_t classes = s.layer.outClasses;
  float* acc = shared + warp * (classes + 64 * maxFanOut);
  uint32_t* stagedClass = reinterpret_cast<uint32_t*>(acc + classes);
  float* stagedProduct = acc + classes + 32 * maxFanOut;
  constexpr uint32_t kEntries = kFanOut ? kFanOut : 1;
  for (uint32_t row = rowBegin + blockIdx.x * kWarpsPerBlock + warp; row < rowEnd; row += gridDim.x * kWarpsPerBlock) {
    for (uint32_t c = lane; c < classes; c += 32) acc[c] = 0.0f;
    __syncwarp();
    const uint32_t begin = rowptr[row];
    const uint32_t end = rowptr[row + 1];
    auto col = [&](uint32_t k) { return k < end ? cols[k] : 0u; };
    auto value = [&](uint32_t k) { return k < end ? values[k] : 0.0f; };
    uint32_t i = col(begin + lane);
    float x = value(begin + lane);
    uint32_t iNext = col(begin + 32 + lane);
    float xNext = value(begin + 32 + lane);
    uint2 entry[kEntries];
    if constexpr (kFanOut > 0) {
#pragma unroll
      for (uint32_t q = 0; q < kFanOut; ++q) entry[q] = begin + lane < end ? tentry[i * kFanOut + q] : make_uint2(0, 0);
    }
    for (uint32_t base = begin; base < end; base += 32) {
      const bool valid = base + lane < end;
      const uint32_t iAfter = col(base + 64 + lane);
      const float xAfter = value(base + 64 + lane);
      uint32_t offset = 0;
      uint32_t total = 0;
      if constexpr (kFanOut > 0) {
        uint2 entryNext[kFanOut];
#pragma unroll
        for (uint32_t q = 0; q < kFanOut; ++q) {
          entryNext[q] = base + 32 + lane < end ? tentry[iNext * kFanOut + q] : make_uint2(0, 0);
        }
        offset = lane * kFanOut;
        total = kFanOut * min(32u, end - base);
        if (valid) {
#pragma unroll
          for (uint32_t q = 0; q < kFanOut; ++q) {
            stagedClass[offset + q] = entry[q].x;
            stagedProduct[offset + q] = __fmul_rn(__uint_as_float(entry[q].y), x);
          }
        }
#pragma unroll
        for (uint32_t q = 0; q < kFanOut; ++q) entry[q] = entryNext[q];
      } else {
        const uint32_t e0 = valid ? tptr[i] : 0;
        const uint32_t fanOut = valid ? tptr[i + 1] - e0 : 0;
        offset = fanOut;  // inclusive scan over the lanes
#pragma unroll
        for (uint32_t d = 1; d < 32; d *= 2) {
          const uint32_t t = __shfl_up_sync(0xffffffffu, offset, d);
          if (lane >= d) offset += t;
        }
        total = __shfl_sync(0xffffffffu, offset, 31);
        offset -= fanOut;
        for (uint32_t q = 0; q < fanOut; ++q) {
          const uint2 e = tentry[e0 + q];
          stagedClass[offset + q] = e.x;
          stagedProduct[offset + q] = __fmul_rn(__uint_as_float(e.y), x);
        }
      }
      __syncwarp();
      for (uint32_t q0 = 0; q0 < total; q0 += 32) {
        const uint32_t q = q0 + lane;
        const bool has = q < total;
        const uint32_t c = has ? stagedClass[q] : classes + lane;  // idle lanes match no one
        const float p = has ? stagedProduct[q] : 0.0f;
        const uint32_t peers = __match_any_sync(0xffffffffu, c);
        const uint32_t rank = __popc(peers & ((1u << lane) - 1));
        const uint32_t rounds = __reduce_max_sync(0xffffffffu, rank);
        for (uint32_t r = 0; r <= rounds; ++r) {
          if (has && rank == r) acc[c] = __fadd_rn(acc[c], p);
          __syncwarp();
        }
      }
      i = iNext;
      x = xNext;
      iNext = iAfter;
      xNext = xAfter;
    }
    bool any = false;
    bool not32 = false;
    float* out = s.out + uint64_t{row} * s.stride;
    for (uint32_t c = lane; c < classes; c += 32) {
      const float v = activate(acc[c], s.layer.bias);
      out[c] = v;
      any = any || v != 0.0f;
      not32 = not32 || v != kClamp;
    }
    any = __any_sync(0xffffffffu, any);
    not32 = __any_sync(0xffffffffu, not32);
    if (lane == 0) decideFate(s, row, any, !not32);
    __syncwarp();
  }
}

size_t firstLayerWarpShared(uint32_t classes, uint32_t maxFanOut) {
  return size_t{kWarpsPerBlock} * (classes + 64 * maxFanOut) * sizeof(float);
}

template <uint32_t kFanOut>
void launchFirstLayerWarpWith(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rowBegin, uint32_t rowEnd,
                              const uint32_t* tptr, const uint2* tentry, uint32_t maxFanOut, const Step& step,
                              int multiprocessors, cudaStream_t stream) {
  auto kernel = firstLayerWarpKernel<kFanOut>;
  const size_t shared = firstLayerWarpShared(step.layer.outClasses, maxFanOut);
  const uint64_t wanted = (uint64_t{rowEnd - rowBegin} + kWarpsPerBlock - 1) / kWarpsPerBlock;
  const unsigned blocks = residentBlocks(kernel, kWarpsPerBlock * 32, shared, wanted, multiprocessors);
  kernel<<<blocks, kWarpsPerBlock * 32, shared, stream>>>(rowptr, cols, values, rowBegin, rowEnd, tptr, tentry,
                                                                                  maxFanOut, step);
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace

void launchFirstLayerWarp(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rowBegin, uint32_t rowEnd,
                          const uint32_t* tptr, const uint2* tentry, uint32_t maxFanOut, uint32_t uniformFanOut,
                          const Step& step, int multiprocessors, cudaStream_t stream) {
  if (rowEnd <= rowBegin) return;
  switch (uniformFanOut) {
    case 1: return launchFirstLayerWarpWith<1>(rowptr, cols, values, rowBegin, rowEnd, tptr, tentry, maxFanOut, step, multiprocessors, stream);
    case 2: return launchFirstLayerWarpWith<2>(rowptr, cols, values, rowBegin, rowEnd, tptr, tentry, maxFanOut, step, multiprocessors, stream);
    default: return launchFirstLayerWarpWith<0>(rowptr, cols, values, rowBegin, rowEnd, tptr, tentry, maxFanOut, step, multiprocessors, stream);
  }
}

void configureFirstLayerWarpKernels() {
  const int warpShared = static_cast<int>(firstLayerWarpShared(kWarpFirstMaxClasses, kWarpFirstMaxFanOut));
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerWarpKernel<0>, cudaFuncAttributeMaxDynamicSharedMemorySize, warpShared));
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerWarpKernel<1>, cudaFuncAttributeMaxDynamicSharedMemorySize, warpShared));
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerWarpKernel<2>, cudaFuncAttributeMaxDynamicSharedMemorySize, warpShared));
}

}  // namespace snig::cuda::fast
