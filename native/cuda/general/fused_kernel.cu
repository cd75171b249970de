#include <algorithm>

#include "../../core/engine.hpp"
#include "../cuda_check.hpp"
#include "fused_kernel.cuh"
#include "padded_terms.cuh"

namespace snig::cuda::general {
namespace {

constexpr uint32_t kFusedThreads = 1024;

// An output's next kPadEntries terms: their 16-bit inputs and weights.
struct Terms {
  uint4 index;
  float4 w0, w1;
};

template <bool Uniform>
__device__ __forceinline__ Terms loadTerms(const DeviceLayer& layer, uint32_t e) {
  Terms t;
  t.index = __ldg(reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(layer.index) + e));
  if (Uniform) {
    t.w0 = t.w1 = make_float4(layer.uniform, layer.uniform, layer.uniform, layer.uniform);
  } else {
    t.w0 = __ldg(reinterpret_cast<const float4*>(layer.values + e));
    t.w1 = __ldg(reinterpret_cast<const float4*>(layer.values + e) + 1);
  }
  return t;
}

// Output j's sum for lane r of the tile x[input * R + lane], its terms in stored order (padded
// layout, padded_terms.cuh); the next 8 terms are loaded while the current 8 are added. (The tile
// kernel, which reads the same terms, measured 3-6 % slower loading ahead on full-width layers.)
template <int R, bool Uniform>
__device__ float outputSum(const DeviceLayer& layer, uint32_t j, const float* x, uint32_t r) {
  uint32_t e = layer.start[j];
  const uint32_t end = layer.start[j + 1];
  float acc = 0.0f;
  if (e == end) return acc;
  Terms next = loadTerms<Uniform>(layer, e);
  for (; e < end; e += kPadEntries) {
    const Terms t = next;
    if (e + kPadEntries < end) next = loadTerms<Uniform>(layer, e + kPadEntries);
    const uint32_t words[4] = {t.index.x, t.index.y, t.index.z, t.index.w};
    const float w[8] = {t.w0.x, t.w0.y, t.w0.z, t.w0.w, t.w1.x, t.w1.y, t.w1.z, t.w1.w};
#pragma unroll
    for (int h = 0; h < 8; ++h) {
      const uint32_t i = (words[h / 2] >> (16 * (h % 2))) & 0xffffu;
      acc = __fadd_rn(acc, __fmul_rn(w[h], x[i * R + r]));
    }
  }
  return acc;
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
  const uint32_t r = threadIdx.x % R;
  constexpr uint32_t kGroups = kFusedThreads / R;  // outputs computed at a time
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
      for (uint32_t j = threadIdx.x / R; j < n; j += kGroups) {
        const float z = layer.values ? outputSum<R, false>(layer, j, x, r) : outputSum<R, true>(layer, j, x, r);
        const float out = activate(z, layer.bias[j]);
        y[j * R + r] = out;
        aliveBits |= uint32_t{out > 0.0f} << r;
        notFullBits |= uint32_t{out != kClamp} << r;
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
