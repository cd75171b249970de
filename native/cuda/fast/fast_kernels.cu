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
    for (uint32_t t = threadIdx.x; t < rows; t += blockDim.x) {
      const bool any = anyNonzero[t] != 0;
      const bool all32 = notAll32[t] == 0;
      if (layer.last) {
        s.fate[slot[t]] = any ? (all32 ? kSaturated : kLive) : kDead;
      } else if (!any && layer.deadExit) {
        s.fate[slot[t]] = kDead;
      } else if (all32 && layer.saturatedExit) {
        s.fate[slot[t]] = kSaturated;
      } else {
        s.liveOut[atomicAdd(s.countOut, 1u)] = slot[t];
      }
    }
    __syncthreads();
  }
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
}

}  // namespace snig::cuda::fast
