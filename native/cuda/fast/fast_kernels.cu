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
  } else if (!any) {
    s.fate[slot] = kDead;
  } else if (all32 && s.layer.saturatedExit) {
    s.fate[slot] = kSaturated;
  } else {
    s.liveOut[atomicAdd(s.countOut, 1u)] = slot;
  }
}

__global__ void firstLayerSumsKernel(const uint32_t* __restrict__ rowptr, const uint32_t* __restrict__ cols,
                                     const float* __restrict__ values, uint32_t rows,
                                     const uint32_t* __restrict__ tptr, const uint2* __restrict__ tentry,
                                     float* state, uint32_t stride) {
  const uint32_t r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  float* sums = state + uint64_t{r} * stride;
  for (uint32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
    const uint32_t i = cols[k];
    const float x = values[k];
    for (uint32_t e = tptr[i]; e < tptr[i + 1]; ++e) {
      const uint2 entry = tentry[e];
      sums[entry.x] = __fadd_rn(sums[entry.x], __fmul_rn(__uint_as_float(entry.y), x));
    }
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
  return sum != 0.0f ? fminf(fmaxf(__fadd_rn(sum, bias), 0.0f), kClampValue) : 0.0f;
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
          if (v != kClampValue && !notAll32[r0 + r]) notAll32[r0 + r] = 1;
        }
      }
    }
    __syncthreads();
    for (uint32_t t = threadIdx.x; t < rows; t += blockDim.x) decideFate(s, slot[t], anyNonzero[t] != 0, notAll32[t] == 0);
    __syncthreads();
  }
}

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
            if (v != kClampValue && !notAll32[r0 + r]) notAll32[r0 + r] = 1;
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

constexpr uint32_t kWarpsPerBlock = 4;

// kFanOut 0: each input's classes from tptr; else every input feeds exactly kFanOut classes, at
// tentry[i * kFanOut]. The row's nonzeros are read two chunks ahead and (uniform fan-out) the next
// chunk's entries one chunk ahead, so their latency hides behind the current chunk's additions.
template <uint32_t kFanOut>
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    firstLayerWarpKernel(const uint32_t* __restrict__ rowptr, const uint32_t* __restrict__ cols,
                         const float* __restrict__ values, uint32_t rows, const uint32_t* __restrict__ tptr,
                         const uint2* __restrict__ tentry, uint32_t maxFanOut, Step s) {
  extern __shared__ float shared[];
  const uint32_t lane = threadIdx.x % 32;
  const uint32_t warp = threadIdx.x / 32;
  const uint32_t classes = s.layer.outClasses;
  float* acc = shared + warp * (classes + 64 * maxFanOut);
  uint32_t* stagedClass = reinterpret_cast<uint32_t*>(acc + classes);
  float* stagedProduct = acc + classes + 32 * maxFanOut;
  constexpr uint32_t kEntries = kFanOut ? kFanOut : 1;
  for (uint32_t row = blockIdx.x * kWarpsPerBlock + warp; row < rows; row += gridDim.x * kWarpsPerBlock) {
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
                          const uint32_t* tptr, const uint2* tentry, float* state, uint32_t stride,
                          cudaStream_t stream) {
  if (rows == 0) return;
  constexpr uint32_t threads = 128;
  firstLayerSumsKernel<<<(rows + threads - 1) / threads, threads, 0, stream>>>(rowptr, cols, values, rows, tptr, tentry,
                                                                               state, stride);
  SNIG_CUDA_CHECK_LAUNCH();
}

template <uint32_t kFanOut>
void launchFirstLayerWarpWith(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows,
                              const uint32_t* tptr, const uint2* tentry, uint32_t maxFanOut, const Step& step,
                              int multiprocessors, cudaStream_t stream) {
  auto kernel = firstLayerWarpKernel<kFanOut>;
  const size_t shared = firstLayerWarpShared(step.layer.outClasses, maxFanOut);
  int perSm = 0;
  SNIG_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, kernel, kWarpsPerBlock * 32, shared));
  const uint64_t wanted = (uint64_t{rows} + kWarpsPerBlock - 1) / kWarpsPerBlock;
  const uint64_t blocks = std::max<uint64_t>(1, std::min<uint64_t>(wanted, uint64_t(std::max(perSm, 1)) * multiprocessors));
  kernel<<<static_cast<unsigned>(blocks), kWarpsPerBlock * 32, shared, stream>>>(rowptr, cols, values, rows, tptr, tentry,
                                                                                  maxFanOut, step);
  SNIG_CUDA_CHECK_LAUNCH();
}

void launchFirstLayerWarp(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows,
                          const uint32_t* tptr, const uint2* tentry, uint32_t maxFanOut, uint32_t uniformFanOut,
                          const Step& step, int multiprocessors, cudaStream_t stream) {
  if (rows == 0) return;
  switch (uniformFanOut) {
    case 1: return launchFirstLayerWarpWith<1>(rowptr, cols, values, rows, tptr, tentry, maxFanOut, step, multiprocessors, stream);
    case 2: return launchFirstLayerWarpWith<2>(rowptr, cols, values, rows, tptr, tentry, maxFanOut, step, multiprocessors, stream);
    default: return launchFirstLayerWarpWith<0>(rowptr, cols, values, rows, tptr, tentry, maxFanOut, step, multiprocessors, stream);
  }
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

void configureKernels() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(fusedKernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       static_cast<int>(kSharedBudget)));
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(stepKernel<true, false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       static_cast<int>(kSharedBudget)));
  const int warpShared = static_cast<int>(firstLayerWarpShared(kWarpFirstMaxClasses, kWarpFirstMaxFanOut));
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerWarpKernel<0>, cudaFuncAttributeMaxDynamicSharedMemorySize, warpShared));
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerWarpKernel<1>, cudaFuncAttributeMaxDynamicSharedMemorySize, warpShared));
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerWarpKernel<2>, cudaFuncAttributeMaxDynamicSharedMemorySize, warpShared));
}

}  // namespace snig::cuda::fast
