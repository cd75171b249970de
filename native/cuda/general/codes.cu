#include "codes.cuh"

#include "../cuda_check.hpp"
#include "line_access.cuh"
#include "padded_terms.cuh"

namespace snig::cuda::general {
namespace {

constexpr uint32_t kCodeThreads = 512;
constexpr uint32_t kCodeWarps = kCodeThreads / 32;
// Outputs per block (64 a warp): a tile's blocks run together, so its codes (2 MB at N = 65536)
// are read from L2.
constexpr uint32_t kCodeSpan = 1024;

// A warp computes one output j for the code tile's 32 rows (lane = row) and writes it into the
// kCodeRows / M lines of M rows those rows fall in.
template <int M, bool Uniform>
__global__ void __launch_bounds__(kCodeThreads) codesLayerKernel(DeviceLayer layer, Codes c, Lines s) {
  using Mask = MaskOf<M>;
  __shared__ float value[kMaxCount + 1];  // a count's value after layer 1
  const uint32_t tile = blockIdx.y, count = *s.count;
  if (tile * kCodeRows >= count) return;  // the whole block: past the live rows
  if (threadIdx.x == 0) {
    countSums(value, c.first.uniform);
    for (uint32_t k = 0; k <= kMaxCount; ++k) value[k] = activate(value[k], c.first.bias[0]);
  }
  __syncthreads();
  constexpr uint32_t kGroups = kCodeRows / M;
  const uint32_t warp = threadIdx.x / 32, lane = threadIdx.x & 31;
  const uint32_t slot = tile * kCodeRows + lane;
  const bool live = slot < count;
  const uint32_t old = live ? c.from[slot] : 0;
  const uint8_t* rowCodes = c.in + size_t{old / kCodeRows} * s.n * kCodeRows + old % kCodeRows;
  const uint32_t outTile = tile * kGroups + lane / M;
  const bool writes = outTile * M < count;  // the row's line exists
  float* lines = s.out + size_t{outTile} * s.n * M;
  Mask* masks = static_cast<Mask*>(s.outMask) + size_t{outTile} * linesMaskStride(s.n);
  uint32_t aliveBits = 0, notFullBits = 0;
  const uint32_t end = min(s.n, (blockIdx.x + 1) * kCodeSpan);
  for (uint32_t j = blockIdx.x * kCodeSpan + warp; j < end; j += kCodeWarps) {
    const float acc = paddedSum<Uniform>(
        layer, j, [&](uint32_t i) { return __ldg(rowCodes + size_t{i} * kCodeRows); }, [&](uint8_t code) { return value[code]; });
    const float y = live ? activate(acc, layer.bias[j]) : 0.0f;
    writeLine<M>(y, writes, lane, lines + size_t{j} * M, masks + j);
    aliveBits |= __ballot_sync(0xffffffffu, writes && y != 0.0f);
    notFullBits |= __ballot_sync(0xffffffffu, writes && y != kClamp);
  }
  if (lane < kGroups) {  // lane g publishes line tile g's bits
    const uint32_t shift = lane * M, bits = M == 32 ? 0xffffffffu : (1u << M) - 1;
    const uint32_t alive = (aliveBits >> shift) & bits, notFull = (notFullBits >> shift) & bits;
    if (alive) atomicOr(s.alive + tile * kGroups + lane, alive);
    if (notFull) atomicOr(s.notFull + tile * kGroups + lane, notFull);
  }
}

template <int M>
void launchWith(const DeviceLayer& layer, const Codes& codes, const Lines& lines, dim3 grid, cudaStream_t stream) {
  if (layer.values) codesLayerKernel<M, false><<<grid, kCodeThreads, 0, stream>>>(layer, codes, lines);
  else codesLayerKernel<M, true><<<grid, kCodeThreads, 0, stream>>>(layer, codes, lines);
}

}  // namespace

void launchCodesLayer(const DeviceLayer& padded, const Codes& codes, const Lines& lines, uint32_t maxSlots,
                      cudaStream_t stream) {
  const uint32_t tiles = (maxSlots + kCodeRows - 1) / kCodeRows;
  if (tiles == 0) return;
  const dim3 grid((lines.n + kCodeSpan - 1) / kCodeSpan, tiles);
  if (lines.rows == 32) launchWith<32>(padded, codes, lines, grid, stream);
  else launchWith<16>(padded, codes, lines, grid, stream);
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace snig::cuda::general
