#include <cub/block/block_scan.cuh>

#include <algorithm>

#include "../../core/engine.hpp"
#include "../cuda_check.hpp"
#include "fanout_layer.hpp"
#include "general_kernels.cuh"
#include "sliced_layer.hpp"

namespace snig::cuda::general {
namespace {

constexpr uint32_t kLayerThreads = 256;
constexpr uint32_t kStagedThreads = 512;
constexpr uint32_t kStagedBytes = 96 * 1024;  // per block: two blocks share a multiprocessor
constexpr uint32_t kPlanThreads = 1024;
constexpr uint32_t kMoveThreads = 256;


// Bias (on nonzero sums only: the reference's Z + logical(Z) .* b), ReLU and clamp of one output's
// R sums; writes them and marks the lanes that are alive or below 32.
template <int R>
__device__ void finishOutput(const float (&acc)[R], float b, float* out, uint32_t& aliveBits, uint32_t& notFullBits) {
  float4* o = reinterpret_cast<float4*>(out);
#pragma unroll
  for (int q = 0; q < R / 4; ++q) {
    float y[4];
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const int r = 4 * q + k;
      const float z = acc[r];
      y[k] = z != 0.0f ? fminf(fmaxf(__fadd_rn(z, b), 0.0f), kClamp) : 0.0f;
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

// "gather": one thread per (output, tile), reading its inputs' lanes straight from device memory
// (L1/L2).
template <int R, typename Index, bool Uniform>
__global__ void __launch_bounds__(kLayerThreads) gatherKernel(DeviceLayer layer, uint32_t n, const float* __restrict__ in,
                                                             float* __restrict__ out, uint32_t* alive,
                                                             uint32_t* notFull, const uint32_t* count) {
  const uint32_t tile = blockIdx.y;
  if (tile * R >= *count) return;  // the whole block: past the live rows
  const uint32_t t = blockIdx.x * blockDim.x + threadIdx.x;
  uint32_t aliveBits = 0, notFullBits = 0;
  if (t < n) {
    const uint32_t j = layer.order ? layer.order[t] : t;
    const Index* __restrict__ index = static_cast<const Index*>(layer.index);
    const float4* base = reinterpret_cast<const float4*>(in + size_t{tile} * n * R);
    float acc[R];
#pragma unroll
    for (int r = 0; r < R; ++r) acc[r] = 0.0f;
    const uint32_t end = layer.slicePtr[t / kSliceWidth + 1];
#pragma unroll 2
    for (uint32_t e = layer.slicePtr[t / kSliceWidth] + t % kSliceWidth; e < end; e += kSliceWidth) {
      const float w = Uniform ? layer.uniform : __ldg(layer.values + e);
      const float4* x = base + size_t{__ldg(index + e)} * (R / 4);
#pragma unroll
      for (int q = 0; q < R / 4; ++q) addTerms(acc + 4 * q, w, __ldg(x + q));
    }
    finishOutput<R>(acc, layer.bias[j], out + (size_t{tile} * n + j) * R, aliveBits, notFullBits);
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
// output, so chunk by chunk is still the stored order. Ahead: each output's next input index is
// loaded one term ahead and the P outputs advance together, so P index loads are in flight at once
// (otherwise each term waits for its own index load, then its chunk test).
template <int R, int P, typename Index, bool Uniform, bool Ahead>
__global__ void __launch_bounds__(kStagedThreads, 2) stagedKernel(DeviceLayer layer, uint32_t n, uint32_t chunk,
                                                              const float* __restrict__ in, float* __restrict__ out,
                                                              uint32_t* alive, uint32_t* notFull, const uint32_t* count) {
  extern __shared__ float4 staged[];
  const uint32_t tile = blockIdx.y;
  if (tile * R >= *count) return;  // the whole block: past the live rows
  const Index* __restrict__ index = static_cast<const Index*>(layer.index);
  uint32_t e[P], end[P], next[P];  // next: the input of term e, n when none is left
  float acc[P][R];
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const uint32_t t = (blockIdx.x * P + p) * kStagedThreads + threadIdx.x;
    e[p] = t < n ? layer.slicePtr[t / kSliceWidth] + t % kSliceWidth : 0;
    end[p] = t < n ? layer.slicePtr[t / kSliceWidth + 1] : 0;
    if (Ahead) next[p] = e[p] < end[p] ? __ldg(index + e[p]) : n;
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
    const auto add = [&](int p, uint32_t i, uint32_t at) {
      const float w = Uniform ? layer.uniform : __ldg(layer.values + at);
#pragma unroll
      for (int q = 0; q < R / 4; ++q) addTerms(acc[p] + 4 * q, w, staged[stagedSlot<R>(i - c0, q)]);
    };
    if (Ahead) {
      for (bool any = true; any;) {
        any = false;
#pragma unroll
        for (int p = 0; p < P; ++p) {
          if (next[p] >= c1) continue;
          const uint32_t i = next[p], at = e[p];
          e[p] += kSliceWidth;
          next[p] = e[p] < end[p] ? __ldg(index + e[p]) : n;
          add(p, i, at);
          any = true;
        }
      }
    } else {
#pragma unroll
      for (int p = 0; p < P; ++p) {
        for (; e[p] < end[p]; e[p] += kSliceWidth) {
          const uint32_t i = __ldg(index + e[p]);
          if (i >= c1) break;
          add(p, i, e[p]);
        }
      }
    }
  }
  uint32_t aliveBits = 0, notFullBits = 0;
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const uint32_t t = (blockIdx.x * P + p) * kStagedThreads + threadIdx.x;
    if (t < n) {
      const uint32_t j = layer.order ? layer.order[t] : t;
      finishOutput<R>(acc[p], layer.bias[j], out + (size_t{tile} * n + j) * R, aliveBits, notFullBits);
    }
  }
  publishFlags(tile, aliveBits, notFullBits, alive, notFull);
}

// The sum of output `jl` gets term p. Lanes hold terms in input order; two lanes may hold terms of
// the same output (from two inputs), so peers add in lane order, one rank per round.
__device__ __forceinline__ void addInOrder(float* sums, bool active, uint32_t jl, float p) {
  const uint32_t lane = threadIdx.x & 31;
  const uint32_t peers = __match_any_sync(0xffffffffu, active ? jl : 0x10000u + lane);
  const uint32_t rank = __popc(peers & ((1u << lane) - 1));
  const uint32_t rounds = __reduce_max_sync(0xffffffffu, rank);
  for (uint32_t t = 0; t <= rounds; ++t) {
    if (active && rank == t) sums[jl] = __fadd_rn(sums[jl], p);
    __syncwarp();
  }
}

// "push" (the first layer): a block of R warps owns tile blockIdx.y's R rows (a warp each) and span
// blockIdx.x's outputs, their sums in shared memory. A warp reads its row's nonzeros 32 at a time,
// ascending, finds each one's entries in the span (fanout_layer.hpp) and spreads all those entries
// over its lanes, 32 terms a step in input order. Work follows the nonzeros (~10 % of the inputs),
// not N x fan-in. The tile's outputs are then written lane-interleaved, coalesced.
template <int R, bool Uniform>
__global__ void __launch_bounds__(32 * R) pushKernel(DeviceFanout f, const float* __restrict__ bias, SparseInput input,
                                                     uint32_t n, float* __restrict__ out, uint32_t* alive,
                                                     uint32_t* notFull) {
  extern __shared__ float sums[];
  constexpr uint32_t kPad = 32 / R;  // row stride span + 32/R: the write-out reads R rows conflict-free
  const uint32_t stride = f.span + kPad;
  const uint32_t lane = threadIdx.x & 31, r = threadIdx.x / 32;
  const uint32_t tile = blockIdx.y, g = blockIdx.x;
  const uint32_t row = tile * R + r;
  float* mine = sums + r * stride;
  for (uint32_t jl = lane; jl < f.span; jl += 32) mine[jl] = 0.0f;
  __syncwarp();
  const uint32_t kEnd = row < input.rows ? input.rowptr[row + 1] : 0;
  for (uint32_t k0 = row < input.rows ? input.rowptr[row] : 0; k0 < kEnd; k0 += 32) {
    const uint32_t k = k0 + lane;
    uint32_t begin = 0, len = 0;
    float v = 0.0f;
    if (k < kEnd) {
      const uint32_t* at = f.start + size_t{g} * n + input.cols[k];
      begin = at[0];
      len = at[1] - begin;
      v = input.values[k];
    }
    uint32_t incl = len;  // inclusive scan of the entry counts over the lanes
#pragma unroll
    for (uint32_t d = 1; d < 32; d <<= 1) {
      const uint32_t below = __shfl_up_sync(0xffffffffu, incl, d);
      if (lane >= d) incl += below;
    }
    const uint32_t excl = incl - len;
    const uint32_t total = __shfl_sync(0xffffffffu, incl, 31);
    for (uint32_t s0 = 0; s0 < total; s0 += 32) {
      const uint32_t e = s0 + lane;
      uint32_t src = 0;  // the lane whose entries hold e: how many lanes end at or before e
#pragma unroll
      for (uint32_t b = 16; b; b >>= 1) {
        if (__shfl_sync(0xffffffffu, incl, src + b - 1) <= e) src += b;
      }
      src &= 31;
      const uint32_t q = __shfl_sync(0xffffffffu, begin, src) + e - __shfl_sync(0xffffffffu, excl, src);
      const float x = __shfl_sync(0xffffffffu, v, src);
      const bool active = e < total;
      uint32_t jl = 0;
      float p = 0.0f;
      if (active) {
        jl = f.output[q];
        p = __fmul_rn(Uniform ? f.uniform : f.values[q], x);
      }
      addInOrder(mine, active, jl, p);
    }
  }
  __syncthreads();
  const uint32_t j0 = g * f.span;
  const uint32_t width = min(f.span, n - j0);
  uint32_t aliveBits = 0, notFullBits = 0;
  const uint32_t rr = threadIdx.x % R;  // 32 * R threads: every thread keeps its row
  for (uint32_t d = threadIdx.x; d < width * R; d += 32 * R) {
    const uint32_t jl = d / R;
    const float z = sums[rr * stride + jl];
    const float y = z != 0.0f ? fminf(fmaxf(__fadd_rn(z, bias[j0 + jl]), 0.0f), kClamp) : 0.0f;
    out[(size_t{tile} * n + j0 + jl) * R + rr] = y;
    aliveBits |= uint32_t{y > 0.0f} << rr;
    notFullBits |= uint32_t{y != kClamp} << rr;
  }
  publishFlags(tile, aliveBits, notFullBits, alive, notFull);
}

// Outputs per thread of the staged kernel: 32 sums in registers.
template <int R>
constexpr int kStagedOutputs = R >= 32 ? 1 : 32 / R;

template <int R, typename Index, bool Uniform>
void configureStaged() {
  for (const auto kernel : {stagedKernel<R, kStagedOutputs<R>, Index, Uniform, false>, stagedKernel<R, kStagedOutputs<R>, Index, Uniform, true>}) {
    SNIG_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kStagedBytes));
  }
}

template <int R, typename Index, bool Uniform>
void layerWith(const DeviceLayer& layer, const Step& s, uint32_t tiles, cudaStream_t stream) {
  if (s.staged) {
    constexpr int P = kStagedOutputs<R>;
    const uint32_t chunk = std::min<uint32_t>(s.n, kStagedBytes / (R * sizeof(float)));
    const size_t bytes = size_t{chunk} * R * sizeof(float);
    const dim3 grid((s.n + kStagedThreads * P - 1) / (kStagedThreads * P), tiles);
    const auto kernel = s.ahead ? stagedKernel<R, P, Index, Uniform, true> : stagedKernel<R, P, Index, Uniform, false>;
    kernel<<<grid, kStagedThreads, bytes, stream>>>(layer, s.n, chunk, s.in, s.out, s.alive, s.notFull, s.count);
  } else {
    const dim3 grid((s.n + kLayerThreads - 1) / kLayerThreads, tiles);
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
void pushWith(const DeviceFanout& f, const float* bias, const SparseInput& input, const Step& s, cudaStream_t stream) {
  const dim3 grid(f.spans, (input.rows + R - 1) / R);
  const size_t bytes = size_t{f.span + 32 / R} * R * sizeof(float);
  if (f.values) pushKernel<R, false><<<grid, 32 * R, bytes, stream>>>(f, bias, input, s.n, s.out, s.alive, s.notFull);
  else pushKernel<R, true><<<grid, 32 * R, bytes, stream>>>(f, bias, input, s.n, s.out, s.alive, s.notFull);
}

template <int R>
void configureLanes() {
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

void launchPush(const DeviceFanout& fanout, const float* bias, const SparseInput& input, const Step& step,
                cudaStream_t stream) {
  if (input.rows == 0) return;
  switch (step.lanes) {
    case 4: pushWith<4>(fanout, bias, input, step, stream); break;
    case 8: pushWith<8>(fanout, bias, input, step, stream); break;
    case 16: pushWith<16>(fanout, bias, input, step, stream); break;
    default: pushWith<32>(fanout, bias, input, step, stream); break;
  }
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
