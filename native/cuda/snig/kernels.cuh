// SNIG's kernels (Lin & Huang, HPEC 2020): the per-layer inference kernel over column sections, the
// scatter of sparse input rows into the first dense buffer, and the final kernel that sums each row.
//
// Buffers: Y is rows x N dense (row-major); flags is rows x S bytes, flags[r*S+s] != 0 iff section s
// of row r may hold a nonzero. Invariant kept by every kernel: a cleared flag means the section is all
// zero, so all-zero inputs are skipped and stale outputs are reset only where a flag says so (no memset).
#pragma once

#include <cstdint>

#include "../../core/engine.hpp"

namespace snig::cuda::sectioned {

// Launch shape of the layer kernel: 2 threads per input's edge list (SNIG's), blockThreads / 2 inputs
// at a time, blocksPerSm blocks per multiprocessor (the section plan, sizing.hpp). SNIG's own shape
// is two 1024-thread blocks. Ours by default is three of 640 threads: once ~2.5 % of the rows are
// alive a layer is a few waves of live-row blocks, and 396 slots on an H100 instead of 264 cut the
// last, partly empty wave (one H100, 60000 rows, ms for 2 / 3 / 4 blocks: 4096x1920 1509 / 1373 /
// 1363; 16384x480 1576 / 1569 / 1352; 65536x480 5429 / 5225 / 5639; in 15000-row batches, a GPU's
// share of 4, 3 was best on all three; docs/performance.md).
struct LayerPolicy {
  static constexpr unsigned kEdgeThreads = 2;
  static constexpr unsigned kMaxThreads = 1024;
  static constexpr unsigned kDefaultBlocksPerSm = 3;
};

// The float64 kernels read val64 and the double biases where present; the float32 kernels their floats.
struct LayerWeights {
  const uint32_t* ptr = nullptr;  // S*N + 1
  const uint16_t* idx = nullptr;
  const float* val = nullptr;     // nullptr: every weight is `uniform`
  const double* val64 = nullptr;  // the exact weights, when some is not a float
  const double* bias = nullptr;   // N per-neuron biases; nullptr: the scalar applies
  double uniform = 0;
};

struct LayerShape {
  uint32_t n = 0;
  uint32_t sectionSize = 0;
  uint32_t sections = 0;
};

namespace detail {

template <typename T>
__device__ inline T clampRelu(T v) {
  return v < T(0) ? T(0) : (v > T(kClamp) ? T(kClamp) : v);
}

// One block per (output section = blockIdx.x, row = blockIdx.y): SNIG's grid with the axes swapped
// so that the blocks of one row run together and share its input row in L2.
template <typename T, bool Uniform>
__global__ void __launch_bounds__(LayerPolicy::kMaxThreads)
layerKernel(const T* __restrict__ yIn, const uint8_t* __restrict__ flagsIn, T* __restrict__ yOut,
            uint8_t* __restrict__ flagsOut, LayerWeights w, LayerShape shape, T bias) {
  extern __shared__ unsigned char smemRaw[];
  T* sums = reinterpret_cast<T*>(smemRaw);
  const unsigned tid = threadIdx.y * blockDim.x + threadIdx.x;
  const unsigned threads = blockDim.x * blockDim.y;
  const uint64_t row = blockIdx.y;
  const uint32_t section = blockIdx.x;
  const uint32_t outBegin = section * shape.sectionSize;
  const uint32_t outLen = min(shape.sectionSize, shape.n - outBegin);
  const uint8_t* rowFlags = flagsIn + row * shape.sections;
  T* out = yOut + row * shape.n + outBegin;
  uint8_t* outFlag = flagsOut + row * shape.sections + section;

  bool anyInput = false;
  for (uint32_t s = tid; s < shape.sections; s += threads) anyInput |= rowFlags[s] != 0;
  anyInput = __syncthreads_or(anyInput);
  // A zero row stays zero (the bias reaches only nonzero sums): reset stale outputs only where flagged.
  if (!anyInput) {
    if (*outFlag) {
      for (uint32_t j = tid; j < outLen; j += threads) out[j] = T(0);
      __syncthreads();  // every thread has read the flag before it is cleared
      if (tid == 0) *outFlag = 0;
    }
    return;
  }

  for (uint32_t j = tid; j < outLen; j += threads) sums[j] = T(0);
  __syncthreads();

  const T* in = yIn + row * shape.n;
  const uint32_t* ptr = w.ptr + uint64_t{section} * shape.n;
  for (uint32_t s = 0; s < shape.sections; ++s) {
    if (!rowFlags[s]) continue;
    const uint32_t inEnd = min((s + 1) * shape.sectionSize, shape.n);
    for (uint32_t i = s * shape.sectionSize + threadIdx.y; i < inEnd; i += blockDim.y) {
      const T y = in[i];
      if (y == T(0)) continue;
      const uint32_t end = ptr[i + 1];
      for (uint32_t k = ptr[i] + threadIdx.x; k < end; k += blockDim.x) {
        const T weight = Uniform ? T(w.uniform) : (sizeof(T) == 8 && w.val64 ? T(w.val64[k]) : T(w.val[k]));
        atomicAdd(&sums[w.idx[k]], y * weight);
      }
    }
  }
  __syncthreads();

  bool anyOutput = false;
  for (uint32_t j = tid; j < outLen; j += threads) {
    // As the challenge's reference: Y = Z + logical(Z) .* b, then ReLU and the clamp.
    const T b = w.bias ? T(w.bias[outBegin + j]) : bias;
    const T v = sums[j] != T(0) ? clampRelu(sums[j] + b) : T(0);
    out[j] = v;
    anyOutput |= v != T(0);
  }
  anyOutput = __syncthreads_or(anyOutput);
  if (tid == 0) *outFlag = anyOutput ? 1 : 0;
}

// One block per batch row from rowBegin on: clears the flagged sections of the row's previous
// contents, scatters the row's entries (rowptr: the batch's offsets, from its first nonzero) and
// sets the flags. Dynamic shared memory: S bytes.
template <typename T>
__global__ void scatterKernel(const uint32_t* __restrict__ rowptr, uint32_t rowBegin, const uint32_t* __restrict__ cols,
                              const float* __restrict__ vals, T* __restrict__ y, uint8_t* __restrict__ flags,
                              LayerShape shape) {
  extern __shared__ unsigned char sectionHit[];
  const uint64_t row = rowBegin + blockIdx.x;
  T* out = y + row * shape.n;
  uint8_t* rowFlags = flags + row * shape.sections;
  for (uint32_t s = threadIdx.x; s < shape.sections; s += blockDim.x) sectionHit[s] = 0;
  for (uint32_t s = 0; s < shape.sections; ++s) {
    if (!rowFlags[s]) continue;
    const uint32_t end = min((s + 1) * shape.sectionSize, shape.n);
    for (uint32_t j = s * shape.sectionSize + threadIdx.x; j < end; j += blockDim.x) out[j] = T(0);
  }
  __syncthreads();
  const uint32_t end = rowptr[row + 1];
  for (uint32_t k = rowptr[row] + threadIdx.x; k < end; k += blockDim.x) {
    out[cols[k]] = T(vals[k]);
    if (vals[k] != 0.0f) sectionHit[cols[k] / shape.sectionSize] = 1;
  }
  __syncthreads();
  for (uint32_t s = threadIdx.x; s < shape.sections; s += blockDim.x) rowFlags[s] = sectionHit[s];
}

// SNIG's final step: one block per row (blockIdx.y, like the layer kernel); sum[r] is the row's sum
// (0 iff the row is all zero, since every entry is >= 0). Rows with no flagged section are skipped.
template <typename T, unsigned Threads>
__global__ void __launch_bounds__(Threads)
rowSumKernel(const T* __restrict__ y, const uint8_t* __restrict__ flags, LayerShape shape, double* __restrict__ sums) {
  __shared__ double partial[Threads / 32];
  const uint64_t row = blockIdx.y;
  const uint8_t* rowFlags = flags + row * shape.sections;
  const T* in = y + row * shape.n;
  double sum = 0;
  for (uint32_t s = 0; s < shape.sections; ++s) {
    if (!rowFlags[s]) continue;
    const uint32_t end = min((s + 1) * shape.sectionSize, shape.n);
    for (uint32_t j = s * shape.sectionSize + threadIdx.x; j < end; j += Threads) sum += double(in[j]);
  }
  for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_down_sync(0xffffffffu, sum, offset);
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = sum;
  __syncthreads();
  if (threadIdx.x == 0) {
    double total = 0;
    for (unsigned i = 0; i < Threads / 32; ++i) total += partial[i];
    sums[row] = total;
  }
}

}  // namespace detail
}  // namespace snig::cuda::sectioned
