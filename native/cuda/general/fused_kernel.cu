#include <algorithm>

#include "../../core/engine.hpp"
#include "../cuda_check.hpp"
#include "fused_kernel.cuh"
#include "padded_terms.cuh"
#include "sliced_layer.hpp"

namespace snig::cuda::general {
namespace {

constexpr uint32_t kFusedThreads = 1024;

// Output j's sums for the tile's R rows, x[input * R + row], from the sliced layout: position t's
// entries in stored order (sliced_layer.hpp), a warp's index and weight loads coalesced.
template <int R, bool Uniform>
__device__ __forceinline__ void outputSums(const DeviceLayer& layer, uint32_t t, const float* x, float (&acc)[R]) {
  const uint16_t* __restrict__ index = static_cast<const uint16_t*>(layer.index);
#pragma unroll
  for (int r = 0; r < R; ++r) acc[r] = 0.0f;
  const uint32_t end = layer.slicePtr[t / kSliceWidth + 1];
#pragma unroll 4
  for (uint32_t e = layer.slicePtr[t / kSliceWidth] + t % kSliceWidth; e < end; e += kSliceWidth) {
    const float w = Uniform ? layer.uniform : __ldg(layer.values + e);
    const float* in = x + uint32_t{__ldg(index + e)} * R;
#pragma unroll
    for (int r = 0; r < R; ++r) acc[r] = __fadd_rn(acc[r], __fmul_rn(w, in[r]));
  }
}

// Each block takes tiles of R live slots from f.nextTile until none is left (fused_kernel.cuh).
template <int R>
__global__ void __launch_bounds__(kFusedThreads, 1) fusedKernel(Fused f) {
  extern __shared__ float buffers[];  // two tiles of R x n: a layer's inputs and its outputs
  __shared__ uint32_t flags[3][2];    // per layer (mod 3): lanes with a positive output, lanes with one below 32
  __shared__ uint32_t rowOf[R];
  __shared__ uint32_t taken;
  const uint32_t n = f.n;
  const uint32_t count = *f.count;
  for (;;) {
    if (threadIdx.x == 0) taken = atomicAdd(f.nextTile, 1u);
    if (threadIdx.x < 2) flags[0][threadIdx.x] = 0;
    __syncthreads();
    const uint32_t slot0 = taken * R;
    if (slot0 >= count) return;  // the whole block
    const uint32_t srcTile = slot0 / f.srcLanes, laneBase = slot0 % f.srcLanes;
    const float* src = f.in + size_t{srcTile} * n * f.srcLanes + laneBase;
    float* x = buffers;
    float* y = buffers + R * n;
    for (uint32_t v = threadIdx.x; v < n * R; v += kFusedThreads) {
      x[v] = slot0 + v % R < count ? src[size_t{v / R} * f.srcLanes + v % R] : 0.0f;
    }
    if (threadIdx.x < R && slot0 + threadIdx.x < count) rowOf[threadIdx.x] = f.rowOf[slot0 + threadIdx.x];
    // Lanes still live: not dead, not left all 32 at a saturated exit.
    uint32_t live = count - slot0 >= R ? (1u << R) - 1 : (1u << (count - slot0)) - 1;
    __syncthreads();
    for (uint32_t l = f.firstLayer, k = 0; l < f.layers; ++l, ++k) {
      const DeviceLayer layer = f.layer[l];
      uint32_t aliveBits = 0, notFullBits = 0;
      for (uint32_t t = threadIdx.x; t < n; t += kFusedThreads) {
        float acc[R];
        if (layer.values) outputSums<R, false>(layer, t, x, acc);
        else outputSums<R, true>(layer, t, x, acc);
        const uint32_t j = layer.order ? layer.order[t] : t;
        const float b = layer.bias[j];
#pragma unroll
        for (int r = 0; r < R; ++r) {
          const float out = activate(acc[r], b);
          y[j * R + r] = out;
          aliveBits |= uint32_t{out > 0.0f} << r;
          notFullBits |= uint32_t{out != kClamp} << r;
        }
      }
      aliveBits = __reduce_or_sync(0xffffffffu, aliveBits);
      notFullBits = __reduce_or_sync(0xffffffffu, notFullBits);
      if ((threadIdx.x & 31) == 0) {
        if (aliveBits) atomicOr(&flags[k % 3][0], aliveBits);
        if (notFullBits) atomicOr(&flags[k % 3][1], notFullBits);
      }
      // The next layer's flags: last read before the previous barrier, first written after the next.
      if (threadIdx.x < 2) flags[(k + 1) % 3][threadIdx.x] = 0;
      __syncthreads();  // y and the flags complete; x read
      const uint32_t alive = flags[k % 3][0], notFull = flags[k % 3][1];
      const uint32_t leaving = f.saturatedExit[l] ? live & alive & ~notFull : 0;
      if (threadIdx.x < R && ((leaving >> threadIdx.x) & 1u)) f.fate[rowOf[threadIdx.x]] = kSaturated;
      live &= alive & ~leaving;
      float* swap = x;
      x = y;
      y = swap;
      if (!live) break;  // the whole block
    }
    if (live) {  // x holds the last layer's outputs
      float* dst = f.out + size_t{srcTile} * n * f.srcLanes + laneBase;
      for (uint32_t v = threadIdx.x; v < n * R; v += kFusedThreads) dst[size_t{v / R} * f.srcLanes + v % R] = x[v];
      if (threadIdx.x == 0) atomicOr(f.alive + srcTile, live << laneBase);
    }
    __syncthreads();  // the buffers, rowOf and taken are free for the next tile
  }
}

template <int R>
void configureLanes() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(fusedKernel<R>, cudaFuncAttributeMaxDynamicSharedMemorySize, kTileBytes));
}

template <int R>
void launch(const Fused& f, uint32_t blocks, cudaStream_t stream) {
  fusedKernel<R><<<blocks, kFusedThreads, size_t{2} * R * f.n * sizeof(float), stream>>>(f);
}

}  // namespace

void configureFused() {
  configureLanes<1>();
  configureLanes<2>();
  configureLanes<4>();
  configureLanes<8>();
  configureLanes<16>();
}

void launchFused(const Fused& f, uint32_t maxSlots, int multiprocessors, cudaStream_t stream) {
  if (f.lanes > fusedMaxLanes(f.n) || f.srcLanes % f.lanes != 0) {
    throw Error(ErrorCode::Argument, "fused tiles must fit shared memory and divide the state's tiles");
  }
  const uint32_t tiles = (maxSlots + f.lanes - 1) / f.lanes;
  if (tiles == 0 || f.firstLayer >= f.layers) return;
  const uint32_t blocks = std::min<uint32_t>(tiles, static_cast<uint32_t>(multiprocessors));
  switch (f.lanes) {
    case 1: launch<1>(f, blocks, stream); break;
    case 2: launch<2>(f, blocks, stream); break;
    case 4: launch<4>(f, blocks, stream); break;
    case 8: launch<8>(f, blocks, stream); break;
    case 16: launch<16>(f, blocks, stream); break;
    default: throw Error(ErrorCode::Argument, "fused tiles hold 1, 2, 4, 8 or 16 rows");
  }
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace snig::cuda::general
