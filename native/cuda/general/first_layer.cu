#include "first_layer.cuh"

#include "../cuda_check.hpp"
#include "codes.cuh"
#include "line_access.cuh"
#include "lines.cuh"
#include "padded_terms.cuh"

namespace snig::cuda::general {
namespace {

constexpr uint32_t kFirstThreads = 1024;
constexpr uint32_t kWarps = kFirstThreads / 32;
// A block's fewest outputs (firstLayerSplits): the count kernel's threads own an output each, so a
// share below kFirstThreads outputs leaves threads idle and takes as long; the rows kernel's warps
// one (M = 32) or two (M = 16) at a time: 16 a warp.
constexpr uint32_t kMinCountOutputs = kFirstThreads;
constexpr uint32_t kMinRowsOutputs = 16 * kWarps;

// The block's tile of M rows as bits in shared memory: input i, row r is bit r + M * (i % (32 / M))
// of word i / (32 / M).
template <int M>
__device__ void fillBits(uint32_t* bits, const FirstLayer& f) {
  constexpr uint32_t kPerWord = 32 / M;
  const uint32_t warp = threadIdx.x / 32, lane = threadIdx.x & 31;
  const uint32_t row0 = blockIdx.x * M;
  for (uint32_t v = threadIdx.x; v < (f.n + kPerWord - 1) / kPerWord; v += kFirstThreads) bits[v] = 0;
  __syncthreads();
  for (uint32_t r = warp; r < M && row0 + r < f.rows; r += kWarps) {
    const uint32_t end = f.rowptr[row0 + r + 1];
    for (uint32_t k = f.rowptr[row0 + r] + lane; k < end; k += 32) {
      const uint32_t c = f.cols[k];
      atomicOr(bits + c / kPerWord, 1u << (r + M * (c % kPerWord)));
    }
  }
  __syncthreads();
}

// Input i's M row bits.
template <int M>
__device__ __forceinline__ uint32_t bitsOf(const uint32_t* bits, uint32_t i) {
  return M == 32 ? bits[i] : (bits[i / 2] >> (16 * (i % 2))) & 0xffffu;
}

// The tile's rows' flags (bit r: row0 + r), ORed over the warp, into the flags of the output tiles
// of f.lanes rows they fall in. Every lane of the warp calls it.
template <int M>
__device__ void publishTileFlags(uint32_t aliveBits, uint32_t notFullBits, const FirstLayer& f) {
  const uint32_t lane = threadIdx.x & 31, row0 = blockIdx.x * M;
  aliveBits = __reduce_or_sync(0xffffffffu, aliveBits);
  notFullBits = __reduce_or_sync(0xffffffffu, notFullBits);
  if (lane < M / f.lanes) {
    const uint32_t tile = row0 / f.lanes + lane;
    const uint32_t own = f.lanes == 32 ? 0xffffffffu : ((1u << f.lanes) - 1) << (lane * f.lanes);
    const uint32_t shift = lane * f.lanes;
    if (aliveBits & own) atomicOr(f.alive + tile, (aliveBits & own) >> shift);
    if (notFullBits & own) atomicOr(f.notFull + tile, (notFullBits & own) >> shift);
  }
}

// "rows": M rows per tile, lane = row; a block computes outputs [blockIdx.y * outputsPerBlock,
// + outputsPerBlock).
template <int M, bool Uniform>
__global__ void __launch_bounds__(kFirstThreads, 1) firstLayerKernel(DeviceLayer layer, FirstLayer f, uint32_t outputsPerBlock) {
  extern __shared__ uint32_t bits[];
  fillBits<M>(bits, f);
  constexpr uint32_t kPerWarp = 32 / M;
  const uint32_t warp = threadIdx.x / 32, lane = threadIdx.x & 31;
  const uint32_t row0 = blockIdx.x * M, r = lane % M, slot = row0 + r;
  const uint32_t begin = blockIdx.y * outputsPerBlock, end = min(f.n, begin + outputsPerBlock);
  uint32_t aliveBits = 0, notFullBits = 0;
  for (uint32_t j0 = begin + warp * kPerWarp; j0 < end; j0 += kWarps * kPerWarp) {
    const uint32_t j = j0 + lane / M;
    const bool valid = j < end;  // a warp's lanes all go on: lines are written by ballots
    float acc = 0.0f;
    const uint32_t stop = valid ? layer.start[j + 1] : 0;
    for (uint32_t e = valid ? layer.start[j] : 0; e < stop; e += kPadEntries) {
      uint32_t i[kPadEntries];
      float w[kPadEntries];
      loadPaddedTerms<Uniform>(layer, e, i, w);
#pragma unroll
      for (int h = 0; h < kPadEntries; ++h) acc = __fadd_rn(acc, (bitsOf<M>(bits, i[h]) >> r) & 1u ? w[h] : 0.0f);
    }
    const bool row = valid && slot < f.rows;
    const float y = row ? activate(acc, layer.bias[j]) : 0.0f;
    if (f.outMask) {
      const uint32_t tile = row0 / M;
      writeLine<M>(y, valid, lane, f.out + (size_t{tile} * f.n + j) * M,
                   static_cast<MaskOf<M>*>(f.outMask) + size_t{tile} * linesMaskStride(f.n) + j);
    } else if (row) {
      f.out[(size_t{slot / f.lanes} * f.n + j) * f.lanes + slot % f.lanes] = y;
    }
    if (row) {
      aliveBits |= uint32_t{y > 0.0f} << r;
      notFullBits |= uint32_t{y != kClamp} << r;
    }
  }
  publishTileFlags<M>(aliveBits, notFullBits, f);
}

// "count", for a layer whose every term has the same weight w (no padding): an output's sum over
// its c set terms in stored order is c copies of w added one by one (each set term is w * 1 = w,
// each other one +0), sums[c], which the block computes once. A thread owns an output for the
// tile's M rows and counts their set terms bit-sliced (kCountPlanes planes of M-bit words, one
// shared read per term for all M rows), then writes the M rows' outputs, or their counts (codes:
// M bytes, one or two 16-byte stores).
template <int M>
__global__ void __launch_bounds__(kFirstThreads, 1) firstLayerCountKernel(DeviceLayer layer, FirstLayer f,
                                                                            uint32_t outputsPerBlock) {
  extern __shared__ uint32_t bits[];
  __shared__ float sums[kMaxCount + 1];
  if (threadIdx.x == 0) countSums(sums, layer.uniform);
  fillBits<M>(bits, f);  // its barriers also publish sums
  const uint32_t row0 = blockIdx.x * M;
  const uint32_t begin = blockIdx.y * outputsPerBlock, end = min(f.n, begin + outputsPerBlock);
  uint32_t aliveBits = 0, notFullBits = 0;
  for (uint32_t j = begin + threadIdx.x; j < end; j += kFirstThreads) {
    uint32_t plane[kCountPlanes] = {};
    forPaddedTerms<true>(layer, j, [&](const uint32_t (&i)[kPadEntries], const float (&)[kPadEntries]) {
#pragma unroll
      for (int h = 0; h < kPadEntries; ++h) {
        uint32_t carry = bitsOf<M>(bits, i[h]);  // + 1 in every row whose bit is set
#pragma unroll
        for (int p = 0; p < kCountPlanes; ++p) {
          const uint32_t next = plane[p] & carry;
          plane[p] ^= carry;
          carry = next;
        }
      }
    });
    const float b = layer.bias[j];
    float y[M];
    uint32_t code[M / 4] = {};  // the counts, four rows' bytes a word
    uint32_t nonzero = 0;
#pragma unroll
    for (int r = 0; r < M; ++r) {
      uint32_t c = 0;
#pragma unroll
      for (int p = 0; p < kCountPlanes; ++p) c |= ((plane[p] >> r) & 1u) << p;
      code[r / 4] |= c << (8 * (r % 4));
      y[r] = row0 + r < f.rows ? activate(sums[c], b) : 0.0f;
      nonzero |= uint32_t{y[r] != 0.0f} << r;
      aliveBits |= uint32_t{y[r] > 0.0f} << r;
      notFullBits |= uint32_t{row0 + r < f.rows && y[r] != kClamp} << r;
    }
    if (f.codes) {
      auto* at = reinterpret_cast<uint4*>(f.codes + (size_t{row0 / kCodeRows} * f.n + j) * kCodeRows + row0 % kCodeRows);
#pragma unroll
      for (int q = 0; q < M / 16; ++q) at[q] = make_uint4(code[4 * q], code[4 * q + 1], code[4 * q + 2], code[4 * q + 3]);
    } else if (f.outMask) {
      const uint32_t tile = row0 / M;
      float* line = f.out + (size_t{tile} * f.n + j) * M;
      uint32_t at = 0;
#pragma unroll
      for (int r = 0; r < M; ++r) {
        if (y[r] != 0.0f) line[at++] = y[r];
      }
      static_cast<MaskOf<M>*>(f.outMask)[size_t{tile} * linesMaskStride(f.n) + j] = static_cast<MaskOf<M>>(nonzero);
    } else {
#pragma unroll
      for (int r = 0; r < M; r += 4) {
        const uint32_t slot = row0 + r;  // 4 rows in one tile of f.lanes >= 4 rows
        if (slot < f.rows) {
          *reinterpret_cast<float4*>(f.out + (size_t{slot / f.lanes} * f.n + j) * f.lanes + slot % f.lanes) =
              make_float4(y[r], y[r + 1], y[r + 2], y[r + 3]);
        }
      }
    }
  }
  publishTileFlags<M>(aliveBits, notFullBits, f);
}

template <int M>
void configure() {
  for (auto kernel : {firstLayerKernel<M, true>, firstLayerKernel<M, false>}) {
    SNIG_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kFirstBitsBytes));
  }
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerCountKernel<M>, cudaFuncAttributeMaxDynamicSharedMemorySize, kFirstBitsBytes));
}

template <int M>
void launch(const DeviceLayer& layer, const FirstLayer& f, dim3 grid, uint32_t outputsPerBlock, cudaStream_t stream) {
  const size_t bytes = (size_t{f.n} * M / 8 + 3) / 4 * 4;
  if (countedFirstLayer(layer, f.maxTerms)) {
    firstLayerCountKernel<M><<<grid, kFirstThreads, bytes, stream>>>(layer, f, outputsPerBlock);
  } else if (layer.values) {
    firstLayerKernel<M, false><<<grid, kFirstThreads, bytes, stream>>>(layer, f, outputsPerBlock);
  } else {
    firstLayerKernel<M, true><<<grid, kFirstThreads, bytes, stream>>>(layer, f, outputsPerBlock);
  }
}

}  // namespace

bool countedFirstLayer(const DeviceLayer& padded, uint32_t maxTerms) { return !padded.values && maxTerms <= kMaxCount; }

void configureFirstLayer() {
  configure<32>();
  configure<16>();
}

void launchFirstLayer(const DeviceLayer& padded, const FirstLayer& first, int multiprocessors, cudaStream_t stream) {
  const uint32_t m = firstLayerRows(first.n);
  if (m == 0 || m % first.lanes != 0 || (first.outMask && first.lanes != m)) {
    throw Error(ErrorCode::Argument, "the first-layer kernel cannot run at this N or tile width");
  }
  if (first.codes && !countedFirstLayer(padded, first.maxTerms)) {
    throw Error(ErrorCode::Argument, "the first layer writes counts only where it is counted");
  }
  const uint32_t tiles = (first.rows + m - 1) / m;
  if (tiles == 0) return;
  const uint32_t minOutputs = countedFirstLayer(padded, first.maxTerms) ? kMinCountOutputs : kMinRowsOutputs;
  const uint32_t splits = firstLayerSplits(tiles, first.n, minOutputs, static_cast<uint32_t>(multiprocessors));
  const uint32_t outputsPerBlock = (first.n + splits - 1) / splits;
  const dim3 grid(tiles, splits);
  if (m == 32) launch<32>(padded, first, grid, outputsPerBlock, stream);
  else launch<16>(padded, first, grid, outputsPerBlock, stream);
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace snig::cuda::general
