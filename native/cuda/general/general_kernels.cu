#include <cub/block/block_scan.cuh>

#include <algorithm>
#include <type_traits>

#include "../../core/engine.hpp"
#include "../cuda_check.hpp"
#include "general_kernels.cuh"
#include "padded_layer.hpp"
#include "padded_terms.cuh"
#include "sliced_layer.hpp"

namespace snig::cuda::general {
namespace {

constexpr uint32_t kLayerThreads = 256;
constexpr uint32_t kStagedThreads = 512;
constexpr uint32_t kStagedBytes = 96 * 1024;  // per block: two blocks share a multiprocessor
constexpr uint32_t kTileThreads = 1024;
constexpr uint32_t kPlanThreads = 1024;
constexpr uint32_t kMoveThreads = 256;


// The activation of one output's R sums; writes them and marks the lanes that are alive or below 32.
template <int R>
__device__ void finishOutput(const float (&acc)[R], float b, float* out, uint32_t& aliveBits, uint32_t& notFullBits) {
  float4* o = reinterpret_cast<float4*>(out);
#pragma unroll
  for (int q = 0; q < R / 4; ++q) {
    float y[4];
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const int r = 4 * q + k;
      y[k] = activate(acc[r], b);
      aliveBits |= uint32_t{y[k] > 0.0f} << r;
      notFullBits |= uint32_t{y[k] != kClamp} << r;
    }
    o[q] = make_float4(y[0], y[1], y[2], y[3]);
  }
}

// acc[r] += w * x[r] for 4 lanes, with separate multiply and add (no contraction): the CPU
// engine's rounding.
__device__ __forceinline__ void addTerms(float* acc, float w, float4 x) {
  acc[0] = __fadd_rn(acc[0], __fmul_rn(w, x.x));
  acc[1] = __fadd_rn(acc[1], __fmul_rn(w, x.y));
  acc[2] = __fadd_rn(acc[2], __fmul_rn(w, x.z));
  acc[3] = __fadd_rn(acc[3], __fmul_rn(w, x.w));
}

// The warp's lanes' bits ORed into the tile's flags (every lane of the warp must call this).
__device__ void publishFlags(uint32_t tile, uint32_t aliveBits, uint32_t notFullBits, uint32_t* alive, uint32_t* notFull) {
  aliveBits = __reduce_or_sync(0xffffffffu, aliveBits);
  notFullBits = __reduce_or_sync(0xffffffffu, notFullBits);
  if ((threadIdx.x & 31) == 0) {
    if (aliveBits) atomicOr(alive + tile, aliveBits);
    if (notFullBits) atomicOr(notFull + tile, notFullBits);
  }
}

// "gather": R / 4 threads per (output, tile), each adding the terms of 4 of the tile's rows (one
// float4 of each input) read straight from device memory (L1/L2), so the R / 4 lanes of an output
// read an input's R values in one load instruction. One thread per output, loading them as R / 4
// 16-byte loads, was L1-bound (2000x30's dense layers, R = 8: 94 % busy, half of each 32-byte
// sector used per load); this way they ran 7-12 % faster, 1024 mixed on 6000 rows 13 %.
template <int R, typename Index, bool Uniform>
__global__ void __launch_bounds__(kLayerThreads) gatherKernel(DeviceLayer layer, uint32_t n, const float* __restrict__ in,
                                                             float* __restrict__ out, uint32_t* alive,
                                                             uint32_t* notFull, const uint32_t* count) {
  constexpr uint32_t kQuads = R / 4;  // threads per output
  const uint32_t tile = blockIdx.y;
  if (tile * R >= *count) return;  // the whole block: past the live rows
  const uint32_t u = blockIdx.x * blockDim.x + threadIdx.x;
  const uint32_t t = u / kQuads, q = u % kQuads;
  uint32_t aliveBits = 0, notFullBits = 0;
  if (t < n) {
    const uint32_t j = layer.order ? layer.order[t] : t;
    const Index* __restrict__ index = static_cast<const Index*>(layer.index);
    const float4* base = reinterpret_cast<const float4*>(in + size_t{tile} * n * R) + q;
    float acc[4] = {};
    const uint32_t end = layer.slicePtr[t / kSliceWidth + 1];
#pragma unroll 4
    for (uint32_t e = layer.slicePtr[t / kSliceWidth] + t % kSliceWidth; e < end; e += kSliceWidth) {
      const float w = Uniform ? layer.uniform : __ldg(layer.values + e);
      addTerms(acc, w, __ldg(base + size_t{__ldg(index + e)} * kQuads));
    }
    finishOutput<4>(acc, layer.bias[j], out + (size_t{tile} * n + j) * R + 4 * q, aliveBits, notFullBits);
    aliveBits <<= 4 * q;
    notFullBits <<= 4 * q;
  }
  publishFlags(tile, aliveBits, notFullBits, alive, notFull);
}

// Where float4 q of a staged input neuron i lives: XOR-swizzled so that a warp's random neurons
// spread over the shared-memory banks (unswizzled, R = 16 would put every neuron's q-th vector in
// the same 2 of 8 bank groups).
template <int R>
__device__ __forceinline__ uint32_t stagedSlot(uint32_t i, uint32_t q) {
  return i * (R / 4) + (q ^ (i & (R / 4 - 1)));
}

// "staged": a block owns kStagedThreads * P outputs of one tile; the tile's input neurons are staged
// in shared memory a chunk at a time (coalesced, once per block instead of once per edge), and each
// thread adds the terms of its P outputs whose inputs fall in the chunk. Inputs ascend within an
// output, so chunk by chunk is still the stored order.
template <int R, int P, typename Index, bool Uniform>
__global__ void __launch_bounds__(kStagedThreads, 2) stagedKernel(DeviceLayer layer, uint32_t n, uint32_t chunk,
                                                              const float* __restrict__ in, float* __restrict__ out,
                                                              uint32_t* alive, uint32_t* notFull, const uint32_t* count) {
  extern __shared__ float4 staged[];
  const uint32_t tile = blockIdx.y;
  if (tile * R >= *count) return;  // the whole block: past the live rows
  const Index* __restrict__ index = static_cast<const Index*>(layer.index);
  uint32_t j[P], e[P], end[P];
  float acc[P][R];
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const uint32_t t = (blockIdx.x * P + p) * kStagedThreads + threadIdx.x;
    j[p] = t < n ? (layer.order ? layer.order[t] : t) : 0;
    e[p] = t < n ? layer.slicePtr[t / kSliceWidth] + t % kSliceWidth : 0;
    end[p] = t < n ? layer.slicePtr[t / kSliceWidth + 1] : 0;
#pragma unroll
    for (int r = 0; r < R; ++r) acc[p][r] = 0.0f;
  }
  const float4* src = reinterpret_cast<const float4*>(in + size_t{tile} * n * R);
  for (uint32_t c0 = 0; c0 < n; c0 += chunk) {
    const uint32_t c1 = min(n, c0 + chunk);
    __syncthreads();  // the previous chunk is consumed
    for (uint32_t v = threadIdx.x; v < (c1 - c0) * (R / 4); v += kStagedThreads) {
      staged[stagedSlot<R>(v / (R / 4), v % (R / 4))] = src[size_t{c0} * (R / 4) + v];
    }
    __syncthreads();
#pragma unroll
    for (int p = 0; p < P; ++p) {
      for (; e[p] < end[p]; e[p] += kSliceWidth) {
        const uint32_t i = __ldg(index + e[p]);
        if (i >= c1) break;
        const float w = Uniform ? layer.uniform : __ldg(layer.values + e[p]);
#pragma unroll
        for (int q = 0; q < R / 4; ++q) addTerms(acc[p] + 4 * q, w, staged[stagedSlot<R>(i - c0, q)]);
      }
    }
  }
  uint32_t aliveBits = 0, notFullBits = 0;
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const uint32_t t = (blockIdx.x * P + p) * kStagedThreads + threadIdx.x;
    if (t < n) finishOutput<R>(acc[p], layer.bias[j[p]], out + (size_t{tile} * n + j[p]) * R, aliveBits, notFullBits);
  }
  publishFlags(tile, aliveBits, notFullBits, alive, notFull);
}

// "tile": a block stages its whole tile (R rows x n inputs, [input][row]) in shared memory, and each
// group of R lanes computes one output for the tile's R rows (lane = row, output_sum.cuh), so a
// group reads one input's R values as one contiguous run (conflict-free at R = 32). A warp's 32/R
// outputs are consecutive: its stores are one contiguous 128-byte run.
template <int R, bool Uniform>
__global__ void __launch_bounds__(kTileThreads, 1) tileKernel(DeviceLayer layer, uint32_t n, const float* __restrict__ in,
                                                          float* __restrict__ out, uint32_t* alive, uint32_t* notFull,
                                                          const uint32_t* count) {
  extern __shared__ float4 staged[];
  const uint32_t tile = blockIdx.x;
  if (tile * R >= *count) return;  // the whole block: past the live rows
  const float4* src = reinterpret_cast<const float4*>(in + size_t{tile} * n * R);
  for (uint32_t v = threadIdx.x; v < n * (R / 4); v += kTileThreads) staged[v] = src[v];
  __syncthreads();
  const float* x = reinterpret_cast<const float*>(staged);
  constexpr uint32_t kGroups = 32 / R;  // outputs per warp at a time
  const uint32_t lane = threadIdx.x & 31, r = lane % R;
  uint32_t aliveBits = 0, notFullBits = 0;
  for (uint32_t j0 = threadIdx.x / 32 * kGroups; j0 < n; j0 += kTileThreads / 32 * kGroups) {
    const uint32_t j = j0 + lane / R;
    if (j >= n) continue;
    float acc = 0.0f;
    forPaddedTerms<Uniform>(layer, j, [&](const uint32_t (&i)[kPadEntries], const float (&w)[kPadEntries]) {
#pragma unroll
      for (int h = 0; h < kPadEntries; ++h) acc = __fadd_rn(acc, __fmul_rn(w[h], x[i[h] * R + r]));
    });
    const float y = activate(acc, layer.bias[j]);
    out[(size_t{tile} * n + j) * R + r] = y;
    aliveBits |= uint32_t{y > 0.0f} << r;
    notFullBits |= uint32_t{y != kClamp} << r;
  }
  publishFlags(tile, aliveBits, notFullBits, alive, notFull);
}

// Outputs per thread of the staged kernel: 32 sums in registers.
template <int R>
constexpr int kStagedOutputs = R >= 32 ? 1 : 32 / R;

template <int R, typename Index, bool Uniform>
void configureStaged() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(stagedKernel<R, kStagedOutputs<R>, Index, Uniform>,
                                       cudaFuncAttributeMaxDynamicSharedMemorySize, kStagedBytes));
}

template <int R, bool Uniform>
void configureTile() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(tileKernel<R, Uniform>, cudaFuncAttributeMaxDynamicSharedMemorySize, kTileBytes));
}

template <int R, typename Index, bool Uniform>
void layerWith(const DeviceLayer& layer, const Step& s, uint32_t tiles, cudaStream_t stream) {
  if (s.kernel == LayerKernel::Tile) {
    if constexpr (std::is_same_v<Index, uint16_t>) {
      tileKernel<R, Uniform><<<tiles, kTileThreads, size_t{s.n} * R * sizeof(float), stream>>>(layer, s.n, s.in, s.out, s.alive,
                                                                                            s.notFull, s.count);
    } else {
      throw Error(ErrorCode::Argument, "the tile kernel takes 16-bit indices only");
    }
  } else if (s.kernel == LayerKernel::Staged) {
    constexpr int P = kStagedOutputs<R>;
    const uint32_t chunk = std::min<uint32_t>(s.n, kStagedBytes / (R * sizeof(float)));
    const size_t bytes = size_t{chunk} * R * sizeof(float);
    const dim3 grid((s.n + kStagedThreads * P - 1) / (kStagedThreads * P), tiles);
    stagedKernel<R, P, Index, Uniform><<<grid, kStagedThreads, bytes, stream>>>(layer, s.n, chunk, s.in, s.out, s.alive,
                                                                               s.notFull, s.count);
  } else {
    const dim3 grid((s.n * (R / 4) + kLayerThreads - 1) / kLayerThreads, tiles);
    gatherKernel<R, Index, Uniform><<<grid, kLayerThreads, 0, stream>>>(layer, s.n, s.in, s.out, s.alive, s.notFull, s.count);
  }
}

template <int R>
void layerWith(const DeviceLayer& layer, const Step& s, uint32_t tiles, cudaStream_t stream) {
  const bool uniform = layer.values == nullptr;
  if (s.shortIndex) {
    if (uniform) layerWith<R, uint16_t, true>(layer, s, tiles, stream);
    else layerWith<R, uint16_t, false>(layer, s, tiles, stream);
  } else {
    if (uniform) layerWith<R, uint32_t, true>(layer, s, tiles, stream);
    else layerWith<R, uint32_t, false>(layer, s, tiles, stream);
  }
}

template <int R>
void configureLanes() {
  configureTile<R, true>();
  configureTile<R, false>();
  configureStaged<R, uint16_t, true>();
  configureStaged<R, uint16_t, false>();
  configureStaged<R, uint32_t, true>();
  configureStaged<R, uint32_t, false>();
}

// One warp per row: its nonzeros written into its lane of the tiles.
__global__ void scatterKernel(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows,
                              uint32_t n, uint32_t lanes, float* state) {
  const uint32_t row = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  if (row >= rows) return;
  float* base = state + size_t{row / lanes} * n * lanes + row % lanes;
  for (uint32_t k = rowptr[row] + (threadIdx.x & 31); k < rowptr[row + 1]; k += 32) {
    base[size_t{cols[k]} * lanes] = values[k];
  }
}

__global__ void __launch_bounds__(kPlanThreads) planKernel(Plan p) {
  using Scan = cub::BlockScan<uint32_t, kPlanThreads>;
  __shared__ typename Scan::TempStorage scratch;
  const uint32_t slots = *p.count;
  const uint32_t chunk = (slots + kPlanThreads - 1) / kPlanThreads;
  const uint32_t begin = min(slots, threadIdx.x * chunk);
  const uint32_t end = min(slots, begin + chunk);
  const auto bit = [&](const uint32_t* words, uint32_t s) { return (words[s / p.lanes] >> (s % p.lanes)) & 1u; };
  const auto keep = [&](uint32_t s) { return bit(p.alive, s) && !(p.saturatedExit && !bit(p.notFull, s)); };
  uint32_t kept = 0;
  for (uint32_t s = begin; s < end; ++s) kept += keep(s);
  uint32_t at = 0, total = 0;
  Scan(scratch).ExclusiveSum(kept, at, total);
  for (uint32_t s = begin; s < end; ++s) {
    const uint32_t row = p.rowIn[s];
    if (keep(s)) {
      p.from[at] = s;
      p.rowOut[at++] = row;
      if (p.last) p.fate[row] = kLive;
    } else if (bit(p.alive, s)) {
      p.fate[row] = kSaturated;  // alive, all 32 and staying so
    }
  }
  if (threadIdx.x == 0) *p.nextCount = total;
  __syncthreads();  // every flag read before any is cleared for the next layer
  const uint32_t tiles = (slots + p.lanes - 1) / p.lanes;
  for (uint32_t t = threadIdx.x; t < tiles; t += kPlanThreads) {
    p.alive[t] = 0;
    p.notFull[t] = 0;
  }
}

__global__ void moveKernel(const float* __restrict__ out, float* __restrict__ in, const uint32_t* from,
                           const uint32_t* nextCount, uint32_t n, uint32_t lanes) {
  const uint32_t count = *nextCount;
  const size_t total = size_t{(count + lanes - 1) / lanes} * lanes * n;
  for (size_t d = size_t{blockIdx.x} * blockDim.x + threadIdx.x; d < total; d += size_t{gridDim.x} * blockDim.x) {
    const uint32_t lane = static_cast<uint32_t>(d % lanes);
    const size_t cell = d / lanes;  // tile * n + neuron
    const uint32_t slot = static_cast<uint32_t>(cell / n) * lanes + lane;
    float v = 0.0f;
    if (slot < count) {
      const uint32_t s = from[slot];
      v = out[(size_t{s / lanes} * n + cell % n) * lanes + s % lanes];
    }
    in[d] = v;
  }
}

}  // namespace

void launchScatter(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows, uint32_t n,
                   uint32_t lanes, float* state, cudaStream_t stream) {
  constexpr uint32_t threads = 256;
  const uint32_t blocks = static_cast<uint32_t>((uint64_t{rows} * 32 + threads - 1) / threads);
  scatterKernel<<<blocks, threads, 0, stream>>>(rowptr, cols, values, rows, n, lanes, state);
  SNIG_CUDA_CHECK_LAUNCH();
}

void launchLayer(const DeviceLayer& layer, const Step& step, uint32_t maxSlots, cudaStream_t stream) {
  const uint32_t tiles = (maxSlots + step.lanes - 1) / step.lanes;
  if (tiles == 0) return;
  switch (step.lanes) {
    case 4: layerWith<4>(layer, step, tiles, stream); break;
    case 8: layerWith<8>(layer, step, tiles, stream); break;
    case 16: layerWith<16>(layer, step, tiles, stream); break;
    default: layerWith<32>(layer, step, tiles, stream); break;
  }
  SNIG_CUDA_CHECK_LAUNCH();
}

void configureKernels() {
  configureLanes<4>();
  configureLanes<8>();
  configureLanes<16>();
  configureLanes<32>();
}

void launchPlan(const Plan& plan, cudaStream_t stream) {
  planKernel<<<1, kPlanThreads, 0, stream>>>(plan);
  SNIG_CUDA_CHECK_LAUNCH();
}

void launchMove(const float* out, float* in, const uint32_t* from, const uint32_t* nextCount, uint32_t n,
                uint32_t lanes, uint32_t maxSlots, int multiprocessors, cudaStream_t stream) {
  const uint64_t cells = (uint64_t{maxSlots} + lanes - 1) / lanes * lanes * n;
  const uint64_t wanted = (cells + kMoveThreads - 1) / kMoveThreads;
  const uint32_t blocks = static_cast<uint32_t>(std::min<uint64_t>(std::max<uint64_t>(wanted, 1), static_cast<uint64_t>(multiprocessors) * 16));
  moveKernel<<<blocks, kMoveThreads, 0, stream>>>(out, in, from, nextCount, n, lanes);
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace snig::cuda::general
