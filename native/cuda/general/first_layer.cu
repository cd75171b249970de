#include "first_layer.cuh"

#include <algorithm>

#include "../cuda_check.hpp"
#include "line_access.cuh"
#include "lines.cuh"
#include "padded_terms.cuh"

namespace snig::cuda::general {
namespace {

constexpr uint32_t kFirstThreads = 1024;
constexpr uint32_t kWarps = kFirstThreads / 32;

// M rows per tile; a block computes outputs [blockIdx.y * outputsPerBlock, + outputsPerBlock).
template <int M, bool Uniform>
__global__ void __launch_bounds__(kFirstThreads, 1) firstLayerKernel(DeviceLayer layer, FirstLayer f, uint32_t outputsPerBlock) {
  extern __shared__ uint32_t bits[];  // input i, row r: bit r + M * (i % kPerWord) of word i / kPerWord
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
  const uint32_t r = lane % M, slot = row0 + r;
  const uint32_t begin = blockIdx.y * outputsPerBlock, end = min(f.n, begin + outputsPerBlock);
  uint32_t aliveBits = 0, notFullBits = 0;
  for (uint32_t j0 = begin + warp * kPerWord; j0 < end; j0 += kWarps * kPerWord) {
    const uint32_t j = j0 + lane / M;
    const bool valid = j < end;  // a warp's lanes all go on: lines are written by ballots
    float acc = 0.0f;
    const uint32_t stop = valid ? layer.start[j + 1] : 0;
    for (uint32_t e = valid ? layer.start[j] : 0; e < stop; e += kPadEntries) {
      uint32_t i[kPadEntries];
      float w[kPadEntries];
      loadPaddedTerms<Uniform>(layer, e, i, w);
#pragma unroll
      for (int h = 0; h < kPadEntries; ++h) {
        const bool set = (bits[i[h] / kPerWord] >> (r + M * (i[h] % kPerWord))) & 1u;
        acc = __fadd_rn(acc, set ? w[h] : 0.0f);
      }
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
  // The tile's M rows' bits, then each output tile's share of them.
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

template <int M, bool Uniform>
void configure() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(firstLayerKernel<M, Uniform>, cudaFuncAttributeMaxDynamicSharedMemorySize, kFirstBitsBytes));
}

template <int M>
void launch(const DeviceLayer& layer, const FirstLayer& f, dim3 grid, uint32_t outputsPerBlock, cudaStream_t stream) {
  const size_t bytes = (size_t{f.n} * M / 8 + 3) / 4 * 4;
  if (layer.values) firstLayerKernel<M, false><<<grid, kFirstThreads, bytes, stream>>>(layer, f, outputsPerBlock);
  else firstLayerKernel<M, true><<<grid, kFirstThreads, bytes, stream>>>(layer, f, outputsPerBlock);
}

}  // namespace

void configureFirstLayer() {
  configure<32, true>();
  configure<32, false>();
  configure<16, true>();
  configure<16, false>();
}

void launchFirstLayer(const DeviceLayer& padded, const FirstLayer& first, int multiprocessors, cudaStream_t stream) {
  const uint32_t m = firstLayerRows(first.n);
  if (m == 0 || m % first.lanes != 0 || (first.outMask && first.lanes != m)) throw Error(ErrorCode::Argument, "the first-layer kernel cannot run at this N or tile width");
  const uint32_t tiles = (first.rows + m - 1) / m;
  if (tiles == 0) return;
  // Two blocks per multiprocessor at least, each with 1024 outputs or more.
  const uint32_t wanted = (2 * static_cast<uint32_t>(multiprocessors) + tiles - 1) / tiles;
  const uint32_t splits = std::clamp(wanted, 1u, std::max(1u, first.n / 1024));
  const uint32_t outputsPerBlock = (first.n + splits - 1) / splits;
  const dim3 grid(tiles, splits);
  if (m == 32) launch<32>(padded, first, grid, outputsPerBlock, stream);
  else launch<16>(padded, first, grid, outputsPerBlock, stream);
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace snig::cuda::general
