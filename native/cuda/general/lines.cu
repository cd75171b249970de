#include "lines.cuh"

#include <algorithm>
#include <type_traits>

#include "../cuda_check.hpp"
#include "line_access.cuh"
#include "padded_terms.cuh"

namespace snig::cuda::general {
namespace {

constexpr uint32_t kLinesThreads = 1024;
constexpr uint32_t kWarps = kLinesThreads / 32;
constexpr uint32_t kMoveThreads = 256;
constexpr uint32_t kScatterThreads = 256;

template <int M, bool Uniform>
__global__ void __launch_bounds__(kLinesThreads, 1) linesKernel(DeviceLayer layer, Lines s, uint32_t span) {
  using Mask = MaskOf<M>;
  extern __shared__ uint4 staged[];
  const Mask* masks = reinterpret_cast<const Mask*>(staged);
  const uint32_t tile = blockIdx.y;
  if (tile * M >= *s.count) return;  // the whole block: past the live rows
  const uint32_t stride = linesMaskStride(s.n);
  const uint4* tileMasks = reinterpret_cast<const uint4*>(static_cast<const Mask*>(s.inMask) + size_t{tile} * stride);
  for (uint32_t v = threadIdx.x; v < stride * sizeof(Mask) / 16; v += kLinesThreads) staged[v] = tileMasks[v];
  __syncthreads();
  constexpr uint32_t kPerWarp = 32 / M;  // outputs a warp computes at a time
  const uint32_t warp = threadIdx.x / 32, lane = threadIdx.x & 31, r = lane % M;
  const float* tileIn = s.in + size_t{tile} * s.n * M;
  const uint32_t begin = blockIdx.x * span, end = min(s.n, begin + span);
  uint32_t aliveBits = 0, notFullBits = 0;
  for (uint32_t j0 = begin + warp * kPerWarp; j0 < end; j0 += kWarps * kPerWarp) {
    const uint32_t j = j0 + lane / M;
    const bool valid = j < end;
    const auto fetch = [&](uint32_t i) { return lineValue<M>(tileIn + size_t{i} * M, masks[i], r); };
    const float acc = valid ? paddedSum<Uniform>(layer, j, fetch, [](float x) { return x; }) : 0.0f;
    const float y = valid ? activate(acc, layer.bias[j]) : 0.0f;
    const size_t line = size_t{tile} * s.n + j;
    aliveBits |= writeLine<M>(y, valid, lane, s.out + line * M, static_cast<Mask*>(s.outMask) + size_t{tile} * stride + j);
    notFullBits |= groupBits<M>(__ballot_sync(0xffffffffu, valid && y != kClamp), lane);
  }
  aliveBits = __reduce_or_sync(0xffffffffu, aliveBits);
  notFullBits = __reduce_or_sync(0xffffffffu, notFullBits);
  if (lane == 0) {
    if (aliveBits) atomicOr(s.alive + tile, aliveBits);
    if (notFullBits) atomicOr(s.notFull + tile, notFullBits);
  }
}

// A warp packs 32 / M new lines at a time: lane r of a group takes new slot tile' * M + r from its
// old slot's line.
template <int M>
__global__ void moveLinesKernel(Lines s, const uint32_t* from, const uint32_t* nextCount) {
  using Mask = MaskOf<M>;
  constexpr uint32_t kPerWarp = 32 / M;
  const uint32_t count = *nextCount;
  const uint32_t stride = linesMaskStride(s.n);
  const uint64_t lines = uint64_t{(count + M - 1) / M} * s.n;
  const uint32_t lane = threadIdx.x & 31, r = lane % M;
  const uint64_t warps = uint64_t{gridDim.x} * blockDim.x / 32;
  for (uint64_t base = (uint64_t{blockIdx.x} * blockDim.x + threadIdx.x) / 32 * kPerWarp; base < lines; base += warps * kPerWarp) {
    const uint64_t line = base + lane / M;
    const bool valid = line < lines;
    const uint32_t tile = static_cast<uint32_t>(line / s.n), j = static_cast<uint32_t>(line % s.n);
    const uint32_t slot = tile * M + r;
    float v = 0.0f;
    if (valid && slot < count) {
      const uint32_t old = from[slot];
      const uint32_t oldTile = old / M;
      v = lineValue<M>(s.out + (size_t{oldTile} * s.n + j) * M, static_cast<const Mask*>(s.outMask)[size_t{oldTile} * stride + j], old % M);
    }
    writeLine<M>(v, valid, lane, s.in + line * M, static_cast<Mask*>(s.inMask) + size_t{tile} * stride + j);
  }
}

// Scatter, pass 1: every nonzero's bit into its line's mask (a 16-bit mask through its 32-bit word).
template <int M>
__global__ void scatterMasksKernel(const uint32_t* rowptr, const uint32_t* cols, uint32_t rows, Lines s) {
  const uint32_t row = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  if (row >= rows) return;
  const uint32_t stride = linesMaskStride(s.n);
  const uint32_t r = row % M;
  auto* words = static_cast<uint32_t*>(s.inMask);
  for (uint32_t k = rowptr[row] + (threadIdx.x & 31); k < rowptr[row + 1]; k += 32) {
    const uint64_t at = uint64_t{row / M} * stride + cols[k];  // the mask's index
    if (M == 32) atomicOr(words + at, 1u << r);
    else atomicOr(words + at / 2, 1u << (r + 16 * (at % 2)));
  }
}

// Scatter, pass 2: every nonzero's value at its place in the line.
template <int M>
__global__ void scatterValuesKernel(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows, Lines s) {
  using Mask = MaskOf<M>;
  const uint32_t row = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  if (row >= rows) return;
  const uint32_t stride = linesMaskStride(s.n);
  const uint32_t tile = row / M, r = row % M;
  for (uint32_t k = rowptr[row] + (threadIdx.x & 31); k < rowptr[row + 1]; k += 32) {
    const uint32_t m = static_cast<const Mask*>(s.inMask)[size_t{tile} * stride + cols[k]];
    s.in[(size_t{tile} * s.n + cols[k]) * M + __popc(m & ((1u << r) - 1))] = values[k];
  }
}

template <int M>
void launchWith(const DeviceLayer& layer, const Lines& s, uint32_t tiles, cudaStream_t stream) {
  // Spans of 32768 / M outputs (a million multiply-adds per block of 32 rows, for one staging of
  // the masks): the blocks of a tile run together, so its lines are read from L2 (a tile is 2 MB
  // at N = 16384, 4 MB at 65536 with 16 rows).
  constexpr uint32_t kSpan = 32768 / M;
  const dim3 grid((s.n + kSpan - 1) / kSpan, tiles);
  const size_t bytes = size_t{linesMaskStride(s.n)} * sizeof(MaskOf<M>);
  if (layer.values) linesKernel<M, false><<<grid, kLinesThreads, bytes, stream>>>(layer, s, kSpan);
  else linesKernel<M, true><<<grid, kLinesThreads, bytes, stream>>>(layer, s, kSpan);
}

}  // namespace

void configureLines() {
  for (auto kernel : {linesKernel<32, true>, linesKernel<32, false>, linesKernel<16, true>, linesKernel<16, false>}) {
    SNIG_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kFirstBitsBytes));
  }
}

void launchLines(const DeviceLayer& padded, const Lines& lines, uint32_t maxSlots, cudaStream_t stream) {
  const uint32_t tiles = (maxSlots + lines.rows - 1) / lines.rows;
  if (tiles == 0) return;
  if (lines.rows == 32) launchWith<32>(padded, lines, tiles, stream);
  else launchWith<16>(padded, lines, tiles, stream);
  SNIG_CUDA_CHECK_LAUNCH();
}

void launchMoveLines(const Lines& lines, const uint32_t* from, const uint32_t* nextCount, uint32_t maxSlots,
                     int multiprocessors, cudaStream_t stream) {
  const uint64_t warps = (uint64_t{maxSlots} + lines.rows - 1) / lines.rows * lines.n / (32 / lines.rows);
  const uint64_t wanted = (warps * 32 + kMoveThreads - 1) / kMoveThreads;
  const auto blocks = static_cast<uint32_t>(std::clamp<uint64_t>(wanted, 1, static_cast<uint64_t>(multiprocessors) * 16));
  if (lines.rows == 32) moveLinesKernel<32><<<blocks, kMoveThreads, 0, stream>>>(lines, from, nextCount);
  else moveLinesKernel<16><<<blocks, kMoveThreads, 0, stream>>>(lines, from, nextCount);
  SNIG_CUDA_CHECK_LAUNCH();
}

void launchScatterLines(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rows,
                        const Lines& lines, cudaStream_t stream) {
  const uint32_t tiles = (rows + lines.rows - 1) / lines.rows;
  const size_t maskBytes = size_t{tiles} * linesMaskStride(lines.n) * linesMaskBytes(lines.rows);
  SNIG_CUDA_CHECK(cudaMemsetAsync(lines.inMask, 0, maskBytes, stream));
  const auto blocks = static_cast<uint32_t>((uint64_t{rows} * 32 + kScatterThreads - 1) / kScatterThreads);
  if (lines.rows == 32) {
    scatterMasksKernel<32><<<blocks, kScatterThreads, 0, stream>>>(rowptr, cols, rows, lines);
    scatterValuesKernel<32><<<blocks, kScatterThreads, 0, stream>>>(rowptr, cols, values, rows, lines);
  } else {
    scatterMasksKernel<16><<<blocks, kScatterThreads, 0, stream>>>(rowptr, cols, rows, lines);
    scatterValuesKernel<16><<<blocks, kScatterThreads, 0, stream>>>(rowptr, cols, values, rows, lines);
  }
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace snig::cuda::general
