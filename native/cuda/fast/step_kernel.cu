// The fast pipeline's per-layer kernel (fast_kernels.cuh: launchStep).
#include "kernel_common.cuh"

namespace snig::cuda::fast {

using namespace detail;

namespace {

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
      stageRows(staged, inClasses, s.in, s.stride, slot, rows, inClasses);
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
        sumClass(layer, c, nr, acc, [&](uint32_t r, uint32_t p) {
          return kStaged ? staged[(r0 + r) * inClasses + p] : __ldg(s.in + uint64_t{slot[r0 + r]} * s.stride + p);
        });
      }
#pragma unroll
      for (uint32_t r = 0; r < kRowsPerThread; ++r) {
        if (r < nr) {
          const float v = activate(acc[r], layer.bias);
          s.out[uint64_t{slot[r0 + r]} * s.stride + c] = v;
          // Benign races: every writer stores the same 1.
          if (v != 0.0f && !anyNonzero[r0 + r]) anyNonzero[r0 + r] = 1;
          if (v != kClamp && !notAll32[r0 + r]) notAll32[r0 + r] = 1;
        }
      }
    }
    __syncthreads();
    for (uint32_t t = threadIdx.x; t < rows; t += blockDim.x) decideFate(s, slot[t], anyNonzero[t] != 0, notAll32[t] == 0);
    __syncthreads();
  }
}

template <bool kStaged, bool kActivate>
void launchWith(const Step& step, const StepShape& shape, uint32_t maxRows, int multiprocessors, cudaStream_t stream) {
  auto kernel = stepKernel<kStaged, kActivate>;
  const uint64_t wanted = (uint64_t{maxRows} + shape.rowsPerBlock - 1) / shape.rowsPerBlock;
  const unsigned blocks = residentBlocks(kernel, kThreads, shape.sharedBytes, wanted, multiprocessors);
  kernel<<<blocks, kThreads, shape.sharedBytes, stream>>>(step, shape.rowsPerBlock, shape.rowsPerThread,
                                                                                  shape.rowGroups);
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace

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

void configureStepKernel() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(stepKernel<true, false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       static_cast<int>(kSharedBudget)));
}

}  // namespace snig::cuda::fast
