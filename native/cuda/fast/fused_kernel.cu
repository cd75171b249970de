// The fast pipeline's fused kernel: the remaining layers in one launch (fast_kernels.cuh: launchFused).
#include "kernel_common.cuh"

namespace snig::cuda::fast {

using namespace detail;

namespace {

// Every layer from `first` to the last for the live rows, in one launch: a block keeps its tile of
// rows in shared memory (two buffers of `width` classes per row) from layer to layer; a row that
// leaves stops being computed; the block moves on when all of its rows have left. The last layer
// also writes the surviving rows' values to s.out.
__global__ void __launch_bounds__(kThreads) fusedKernel(const DeviceLayer* __restrict__ layers, uint32_t first,
                                                        uint32_t count, Step s, uint32_t width, uint32_t rowsPerBlock,
                                                        uint32_t rowsPerThread, uint32_t rowGroups) {
  extern __shared__ float tiles[];
  __shared__ uint32_t slot[kMaxRows];
  __shared__ uint32_t active[kMaxRows];
  __shared__ uint32_t anyNonzero[kMaxRows];
  __shared__ uint32_t notAll32[kMaxRows];
  const uint32_t live = *s.countIn;
  for (uint32_t base = blockIdx.x * rowsPerBlock; base < live; base += gridDim.x * rowsPerBlock) {
    const uint32_t rows = min(rowsPerBlock, live - base);
    for (uint32_t t = threadIdx.x; t < rows; t += blockDim.x) {
      slot[t] = s.liveIn[base + t];
      active[t] = 1;
    }
    __syncthreads();
    float* cur = tiles;
    float* next = tiles + rowsPerBlock * width;
    stageRows(cur, width, s.in, s.stride, slot, rows, layers[first].inClasses);
    for (uint32_t l = first; l < count; ++l) {
      const DeviceLayer layer = layers[l];
      for (uint32_t t = threadIdx.x; t < rows; t += blockDim.x) {
        anyNonzero[t] = 0;
        notAll32[t] = 0;
      }
      __syncthreads();
      const uint32_t items = layer.outClasses * rowGroups;
      for (uint32_t item = threadIdx.x; item < items; item += blockDim.x) {
        const uint32_t c = item % layer.outClasses;
        const uint32_t r0 = (item / layer.outClasses) * rowsPerThread;
        if (r0 >= rows) continue;
        uint32_t nr = min(rowsPerThread, rows - r0);
        while (nr > 0 && !active[r0 + nr - 1]) --nr;  // trailing rows that left need no sums
        if (nr == 0) continue;
        float acc[kRowsPerThread];
#pragma unroll
        for (uint32_t r = 0; r < kRowsPerThread; ++r) acc[r] = 0.0f;
        sumClass(layer, c, nr, acc, [&](uint32_t r, uint32_t p) { return cur[(r0 + r) * width + p]; });
#pragma unroll
        for (uint32_t r = 0; r < kRowsPerThread; ++r) {
          if (r < nr && active[r0 + r]) {
            const float v = activate(acc[r], layer.bias);
            next[(r0 + r) * width + c] = v;
            if (layer.last) s.out[uint64_t{slot[r0 + r]} * s.stride + c] = v;
            if (v != 0.0f && !anyNonzero[r0 + r]) anyNonzero[r0 + r] = 1;
            if (v != kClamp && !notAll32[r0 + r]) notAll32[r0 + r] = 1;
          }
        }
      }
      __syncthreads();
      int mine = 0;
      for (uint32_t t = threadIdx.x; t < rows; t += blockDim.x) {
        if (!active[t]) continue;
        const bool any = anyNonzero[t] != 0;
        const bool all32 = notAll32[t] == 0;
        if (layer.last) {
          s.fate[slot[t]] = any ? (all32 ? kSaturated : kLive) : kDead;
          active[t] = 0;
        } else if (!any) {
          active[t] = 0;
        } else if (all32 && layer.saturatedExit) {
          s.fate[slot[t]] = kSaturated;
          active[t] = 0;
        }
        mine |= active[t];
      }
      float* swap = cur;
      cur = next;
      next = swap;
      if (!__syncthreads_or(mine)) break;
    }
    __syncthreads();
  }
}

}  // namespace

FusedShape fusedShape(uint32_t width) {
  FusedShape shape;
  shape.width = width;
  shape.rowsPerThread = kRowsPerThread;
  shape.rowGroups = std::clamp<uint32_t>(kThreads / std::max<uint32_t>(width, 1), 1, kMaxRowGroups);
  const uint64_t rowBytes = 2 * uint64_t{width} * sizeof(float);
  const uint32_t fit = static_cast<uint32_t>(std::min<uint64_t>(kSharedBudget / rowBytes, kMaxRows));
  shape.rowGroups = std::min(shape.rowGroups, fit / kRowsPerThread);
  shape.rowsPerBlock = shape.rowsPerThread * shape.rowGroups;
  shape.sharedBytes = shape.rowsPerBlock * rowBytes;
  if (shape.rowsPerBlock > 0) {
    int perSm = 0;
    SNIG_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, fusedKernel, kThreads, shape.sharedBytes));
    shape.blocksPerSm = static_cast<uint32_t>(perSm);
  }
  return shape;
}

void launchFused(const DeviceLayer* layers, uint32_t first, uint32_t count, const Step& step, const FusedShape& shape,
                 uint32_t maxRows, int multiprocessors, cudaStream_t stream) {
  if (maxRows == 0) return;
  const uint64_t wanted = (uint64_t{maxRows} + shape.rowsPerBlock - 1) / shape.rowsPerBlock;
  const uint64_t blocks = std::max<uint64_t>(1, std::min<uint64_t>(wanted, uint64_t{shape.blocksPerSm} * multiprocessors));
  fusedKernel<<<static_cast<unsigned>(blocks), kThreads, shape.sharedBytes, stream>>>(
      layers, first, count, step, shape.width, shape.rowsPerBlock, shape.rowsPerThread, shape.rowGroups);
  SNIG_CUDA_CHECK_LAUNCH();
}

void configureFusedKernel() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(fusedKernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       static_cast<int>(kSharedBudget)));
}

}  // namespace snig::cuda::fast
