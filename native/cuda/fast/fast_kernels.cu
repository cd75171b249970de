#include <algorithm>

#include "../cuda_check.hpp"
#include "fast_kernels.cuh"

namespace snig::cuda::fast {
namespace {

constexpr uint32_t kThreads = 256;
constexpr uint32_t kRowsPerThread = 8;     // register accumulators per thread
constexpr uint32_t kMaxRowGroups = 32;
constexpr uint32_t kMaxRows = kRowsPerThread * kMaxRowGroups;
constexpr size_t kSharedBudget = 110 * 1024;  // two blocks per multiprocessor
constexpr float kClampValue = 32.0f;

// The fate of a row whose outputs of `layer` are all computed: recorded, or listed for the next layer.
__device__ void decideFate(const Step& s, uint32_t slot, bool any, bool all32) {
  if (s.layer.last) {
    s.fate[slot] = any ? (all32 ? kSaturated : kLive) : kDead;
  } else if (!any && s.layer.deadExit) {
    s.fate[slot] = kDead;
  } else if (all32 && s.layer.saturatedExit) {
    s.fate[slot] = kSaturated;
  } else {
    s.liveOut[atomicAdd(s.countOut, 1u)] = slot;
  }
}

__global__ void firstLayerSumsKernel(const uint32_t* __restrict__ rowptr, const uint32_t* __restrict__ cols,
                                     const float* __restrict__ values, uint32_t rows,
                                     const uint32_t* __restrict__ tptr, const uint32_t* __restrict__ tclass,
                                     const float* __restrict__ tweight, float* state, uint32_t stride) {
  const uint32_t r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  float* sums = state + uint64_t{r} * stride;
  for (uint32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
    const uint32_t i = cols[k];
    const float x = values[k];
    for (uint32_t e = tptr[i]; e < tptr[i + 1]; ++e) {
      const uint32_t c = tclass[e];
      sums[c] = __fadd_rn(sums[c], __fmul_rn(tweight[e], x));
    }
  }
}

// One layer for the live rows: blocks take tiles of rowsPerBlock rows; a thread computes one output
// class for rowsPerThread rows of its row group, reading the inputs from shared memory (kStaged) or
// straight from the state (rows too wide to stage).
template <bool kStaged, bool kActivate>
__global__ void __launch_bounds__(kThreads) stepKernel(Step s, uint32_t rowsPerBlock, uint32_t rowsPerThread,
                                                       uint32_t rowGroups) {
  extern __shared__ float staged[];
  __shared__ uint32_t slot[kMaxRows];
  __shared__ uint32_t anyNonzero[kMaxRows];
  __shared__ uint32_t notAll32[kMaxRows];
  const DeviceLayer& layer = s.layer;
  const uint32_t count = *s.countIn;
  const uint32_t inClasses = layer.inClasses;
  const uint32_t outClasses = layer.outClasses;
  for (uint32_t base = blockIdx.x * rowsPerBlock; base < count; base += gridDim.x * rowsPerBlock) {
    const uint32_t rows = min(rowsPerBlock, count - base);
    for (uint32_t t = threadIdx.x; t < rows; t += blockDim.x) {
      slot[t] = s.liveIn ? s.liveIn[base + t] : base + t;
      anyNonzero[t] = 0;
      notAll32[t] = 0;
    }
    __syncthreads();
    if constexpr (kStaged) {
      for (uint32_t r = 0; r < rows; ++r) {
        const float* src = s.in + uint64_t{slot[r]} * s.stride;
        for (uint32_t p = threadIdx.x; p < inClasses; p += blockDim.x) staged[r * inClasses + p] = src[p];
      }
      __syncthreads();
    }
    const uint32_t items = outClasses * rowGroups;
    for (uint32_t item = threadIdx.x; item < items; item += blockDim.x) {
      const uint32_t c = item % outClasses;
      const uint32_t r0 = (item / outClasses) * rowsPerThread;
      if (r0 >= rows) continue;
      const uint32_t nr = min(rowsPerThread, rows - r0);
      float acc[kRowsPerThread];
#pragma unroll
      for (uint32_t r = 0; r < kRowsPerThread; ++r) acc[r] = 0.0f;
      if constexpr (kActivate) {
#pragma unroll
        for (uint32_t r = 0; r < kRowsPerThread; ++r) {
          if (r < nr) acc[r] = s.in[uint64_t{slot[r0 + r]} * s.stride + c];
        }
      } else {
        const uint32_t end = layer.ptr[c + 1];
        for (uint32_t e = layer.ptr[c]; e < end; ++e) {
          const uint32_t p = layer.input[e];
          const float w = layer.weight[e];
#pragma unroll
          for (uint32_t r = 0; r < kRowsPerThread; ++r) {
            if (r < nr) {
              const float x = kStaged ? staged[(r0 + r) * inClasses + p] : __ldg(s.in + uint64_t{slot[r0 + r]} * s.stride + p);
              acc[r] = __fadd_rn(acc[r], __fmul_rn(w, x));
            }
          }
        }
      }
#pragma unroll
      for (uint32_t r = 0; r < kRowsPerThread; ++r) {
        if (r < nr) {
          const float v = fminf(fmaxf(__fadd_rn(acc[r], layer.bias), 0.0f), kClampValue);
          s.out[uint64_t{slot[r0 + r]} * s.stride + c] = v;
          // Benign races: every writer stores the same 1.
          if (v != 0.0f && !anyNonzero[r0 + r]) anyNonzero[r0 + r] = 1;
          if (v != kClampValue && !notAll32[r0 + r]) notAll32[r0 + r] = 1;
        }
      }
    }
    __syncthreads();
    for (uint32_t t = threadIdx.x; t < rows; t += blockDim.x) decideFate(s, slot[t], anyNonzero[t] != 0, notAll32[t] == 0);
    __syncthreads();
  }
}

constexpr uint32_t kWarpsPerBlock = 4;

__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    firstLayerWarpKernel(const uint32_t* __restrict__ rowptr, const uint32_t* __restrict__ cols,
                         const float* __restrict__ values, uint32_t rows, const uint32_t* __restrict__ tptr,
                         const uint32_t* __restrict__ tclass, const float* __restrict__ tweight, uint32_t maxFanOut,
                         Step s) {
  extern __shared__ float shared[];
  const uint32_t lane = threadIdx.x % 32;
  const uint32_t warp = threadIdx.x / 32;
  const uint32_t classes = s.layer.outClasses;
  float* acc = shared + warp * (classes + 64 * maxFanOut);
  uint32_t* stagedClass = reinterpret_cast<uint32_t*>(acc + classes);
  float* stagedProduct = acc + classes + 32 * maxFanOut;
  for (uint32_t row = blockIdx.x * kWarpsPerBlock + warp; row < rows; row += gridDim.x * kWarpsPerBlock) {
    for (uint32_t c = lane; c < classes; c += 32) acc[c] = 0.0f;
    __syncwarp();
    const uint32_t end = rowptr[row + 1];
    for (uint32_t base = rowptr[row]; base < end; base += 32) {
      const uint32_t k = base + lane;
      const bool valid = k < end;
      const uint32_t i = valid ? cols[k] : 0;
      const float x = valid ? values[k] : 0.0f;
      const uint32_t e0 = valid ? tptr[i] : 0;
      const uint32_t fanOut = valid ? tptr[i + 1] - e0 : 0;
      uint32_t offset = fanOut;  // inclusive scan over the lanes
#pragma unroll
      for (uint32_t d = 1; d < 32; d *= 2) {
        const uint32_t t = __shfl_up_sync(0xffffffffu, offset, d);
        if (lane >= d) offset += t;
      }
      const uint32_t total = __shfl_sync(0xffffffffu, offset, 31);
      offset -= fanOut;
      for (uint32_t q = 0; q < fanOut; ++q) {
        stagedClass[offset + q] = tclass[e0 + q];
        stagedProduct[offset + q] = __fmul_rn(tweight[e0 + q], x);
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
    }
    bool any = false;
    bool not32 = false;
    float* out = s.out + uint64_t{row} * s.stride;
    for (uint32_t c = lane; c < classes; c += 32) {
      const float v = fminf(fmaxf(__fadd_rn(acc[c], s.layer.bias), 0.0f), kClampValue);
      out[c] = v;
      any = any || v != 0.0f;
      not32 = not32 || v != kClampValue;
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

template <bool kStaged, bool kActivate>
void launchWith(const Step& step, const StepShape& shape, uint32_t maxRows, int multiprocessors, cudaStream_t stream) {
  auto kernel = stepKernel<kStaged, kActivate>;
  int perSm = 0;
  SNIG_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, kernel, kThreads, shape.sharedBytes));
  const uint64_t wanted = (uint64_t{maxRows} + shape.rowsPerBlock - 1) / shape.rowsPerBlock;
  const uint64_t blocks = std::max<uint64_t>(1, std::min<uint64_t>(wanted, uint64_t(std::max(perSm, 1)) * multiprocessors));
  kernel<<<static_cast<unsigned>(blocks), kThreads, shape.sharedBytes, stream>>>(step, shape.rowsPerBlock, shape.rowsPerThread,
                                                                                  shape.rowGroups);
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace

void launchFirstLayerSums(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows,
                          const uint32_t* tptr, const uint32_t* tclass, const float* tweight, float* state,
                          uint32_t stride, cudaStream_t stream) {
  if (rows == 0) return;
  constexpr uint32_t threads = 128;
  firstLayerSumsKernel<<<(rows + threads - 1) / threads, threads, 0, stream>>>(rowptr, cols, values, rows, tptr, tclass,
                                                                               tweight, state, stride);
  SNIG_CUDA_CHECK_LAUNCH();
}

void launchFirstLayerWarp(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows,
                          const uint32_t* tptr, const uint32_t* tclass, const float* tweight, uint32_t maxFanOut,
                          const Step& step, int multiprocessors, cudaStream_t stream) {
  if (rows == 0) return;
  const size_t shared = firstLayerWarpShared(step.layer.outClasses, maxFanOut);
  int perSm = 0;
  SNIG_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, firstLayerWarpKernel, kWarpsPerBlock * 32, shared));
  const uint64_t wanted = (uint64_t{rows} + kWarpsPerBlock - 1) / kWarpsPerBlock;
  const uint64_t blocks = std::max<uint64_t>(1, std::min<uint64_t>(wanted, uint64_t(std::max(perSm, 1)) * multiprocessors));
  firstLayerWarpKernel<<<static_cast<unsigned>(blocks), kWarpsPerBlock * 32, shared, stream>>>(
      rowptr, cols, values, rows, tptr, tclass, tweight, maxFanOut, step);
  SNIG_CUDA_CHECK_LAUNCH();
}

StepShape stepShape(uint32_t inClasses, uint32_t outClasses, bool activateOnly) {
  StepShape shape;
  shape.rowsPerThread = kRowsPerThread;
  // Small layers: several row groups per block, so that every thread has a class to compute.
  shape.rowGroups = std::clamp<uint32_t>(kThreads / std::max<uint32_t>(outClasses, 1), 1, kMaxRowGroups);
  uint32_t rows = shape.rowsPerThread * shape.rowGroups;
  const uint64_t rowBytes = uint64_t{inClasses} * sizeof(float);
  if (!activateOnly && rowBytes <= kSharedBudget) {
    shape.staged = true;
    rows = static_cast<uint32_t>(std::min<uint64_t>(rows, kSharedBudget / rowBytes));
    shape.rowsPerThread = std::min(kRowsPerThread, rows);
    shape.rowGroups = rows / shape.rowsPerThread;
    rows = shape.rowsPerThread * shape.rowGroups;
    shape.sharedBytes = rows * rowBytes;
  }
  shape.rowsPerBlock = rows;
  return shape;
}

void launchStep(const Step& step, const StepShape& shape, uint32_t maxRows, int multiprocessors, cudaStream_t stream) {
  if (maxRows == 0) return;
  if (step.activateOnly) return launchWith<false, true>(step, shape, maxRows, multiprocessors, stream);
  if (shape.staged) return launchWith<true, false>(step, shape, maxRows, multiprocessors, stream);
  launchWith<false, false>(step, shape, maxRows, multiprocessors, stream);
}

void configureKernels() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(stepKernel<true, false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       static_cast<int>(kSharedBudget)));
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerWarpKernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       static_cast<int>(firstLayerWarpShared(kWarpFirstMaxClasses, kWarpFirstMaxFanOut))));
}

}  // namespace snig::cuda::fast
