#include <cooperative_groups.h>

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

// Shares a block's writes with the other blocks of its cluster: every block of the cluster runs the
// same tile and layer, and holds the whole tile (a layer's inputs are every block's outputs).
template <int C>
struct Cluster {
  __device__ uint32_t rank() const { return C > 1 ? cooperative_groups::this_cluster().block_rank() : 0; }
  // Block q's copy of this block's shared variable at p.
  template <typename T>
  __device__ T* at(T* p, uint32_t q) const {
    return C > 1 ? cooperative_groups::this_cluster().map_shared_rank(p, q) : p;
  }
  // Every block's shared writes (its own and the ones into it) complete.
  __device__ void sync() const {
    if constexpr (C > 1) cooperative_groups::this_cluster().sync();
    else __syncthreads();
  }
};

// Each cluster of C blocks takes tiles of R live slots from f.counters->tiles[0] (or [1]) until none is left
// (fused_kernel.cuh); block q of the cluster computes its C-th share of every layer's outputs and
// writes them into every block's tile. A first launch (f.handOver, one-row tiles) hands its rows
// over to a second (f.resume), by slot: their values in f.out, their alive bits set, and the layer
// they resume at.
template <int R, int C>
__global__ void __launch_bounds__(kFusedThreads, 1) fusedKernel(Fused f) {
  extern __shared__ float buffers[];  // two tiles of R x n: a layer's inputs and its outputs
  // Per layer (mod 3): lanes with a positive output, lanes with one below 32, and whether the rows
  // are handed over after it.
  __shared__ uint32_t flags[3][3];
  __shared__ uint32_t rowOf[R];
  __shared__ uint32_t taken;
  __shared__ bool handOverFirst;  // hand the tile over before its first layer
  const Cluster<C> cluster;
  const uint32_t n = f.n;
  const uint32_t count = *f.count;
  const uint32_t r = threadIdx.x % R;
  const uint32_t rank = cluster.rank();
  const uint32_t share = (n + C - 1) / C;
  const uint32_t lo = std::min(n, rank * share), hi = std::min(n, lo + share);  // the block's outputs
  constexpr uint32_t kGroups = kFusedThreads / R;  // outputs computed at a time
  // Rows that left the first launch so far (f.counters->leftRows), and whether at most f.handOver are live then.
  const auto leftRows = [&] { return *static_cast<volatile uint32_t*>(&f.counters->leftRows); };
  const auto fewLive = [&](uint32_t left) { return f.handOver && count - left <= f.handOver; };
  const bool first = f.handOver && !f.resume;  // the first launch: it hands its rows over
  if (f.resume && !fewLive(leftRows())) return;  // no row was handed over: every one finished
  if (C > 1) cluster.sync();  // every block of the cluster has started: its shared memory may be written
  for (;;) {
    if (rank == 0 && threadIdx.x == 0) {
      const uint32_t tile = atomicAdd(&f.counters->tiles[f.resume ? 1 : 0], 1u);
      for (uint32_t q = 0; q < C; ++q) *cluster.at(&taken, q) = tile;
    }
    if (threadIdx.x < 2) flags[0][threadIdx.x] = 0;
    cluster.sync();
    const uint32_t slot0 = taken * R;
    if (slot0 >= count) return;  // the whole cluster, none of whose blocks reads another's memory any more
    const uint32_t srcTile = slot0 / f.srcLanes, laneBase = slot0 % f.srcLanes;
    uint32_t l = f.firstLayer;
    if (f.resume) {  // one-row tiles: a row the first launch handed over, or none
      l = (f.alive[srcTile] >> laneBase) & 1u ? f.resumeAt[slot0] : f.layers;
      if (l >= f.layers) {
        cluster.sync();  // taken read
        continue;
      }
    }
    const float* src = f.in + size_t{srcTile} * n * f.srcLanes + laneBase;
    float* x = buffers;
    float* y = buffers + R * n;
    for (uint32_t v = threadIdx.x; v < n * R; v += kFusedThreads) {
      x[v] = slot0 + v % R < count ? src[size_t{v / R} * f.srcLanes + v % R] : 0.0f;
    }
    if (threadIdx.x < R && slot0 + threadIdx.x < count) rowOf[threadIdx.x] = f.rowOf[slot0 + threadIdx.x];
    if (threadIdx.x == 0) handOverFirst = first && fewLive(leftRows());
    // Lanes still live: not dead, not left all 32 at a saturated exit.
    uint32_t live = count - slot0 >= R ? (1u << R) - 1 : (1u << (count - slot0)) - 1;
    __syncthreads();
    for (uint32_t k = 0; l < f.layers && !handOverFirst; ++l, ++k) {
      const DeviceLayer layer = f.layer[l];
      const uint32_t left = first && threadIdx.x == 0 ? leftRows() : 0;  // first used after the layer
      uint32_t aliveBits = 0, notFullBits = 0;
      for (uint32_t j = lo + threadIdx.x / R; j < hi; j += kGroups) {
        const float z = layer.values ? outputSum<R, false>(layer, j, x, r) : outputSum<R, true>(layer, j, x, r);
        const float out = activate(z, layer.bias[j]);
        for (uint32_t q = 0; q < C; ++q) cluster.at(y, q)[j * R + r] = out;
        aliveBits |= uint32_t{out > 0.0f} << r;
        notFullBits |= uint32_t{out != kClamp} << r;
      }
      aliveBits = __reduce_or_sync(0xffffffffu, aliveBits);
      notFullBits = __reduce_or_sync(0xffffffffu, notFullBits);
      if ((threadIdx.x & 31) == 0) {
        for (uint32_t q = 0; q < C; ++q) {
          if (aliveBits) atomicOr(cluster.at(&flags[k % 3][0], q), aliveBits);
          if (notFullBits) atomicOr(cluster.at(&flags[k % 3][1], q), notFullBits);
        }
      }
      // The next layer's flags: last read before the previous barrier, first written after the next.
      if (threadIdx.x < 2) flags[(k + 1) % 3][threadIdx.x] = 0;
      if (threadIdx.x == 0) flags[k % 3][2] = first && fewLive(left);
      cluster.sync();  // y and the flags complete in every block; x read
      const uint32_t alive = flags[k % 3][0], notFull = flags[k % 3][1];
      const uint32_t leaving = f.saturatedExit[l] ? live & alive & ~notFull : 0;
      if (rank == 0 && threadIdx.x < R && ((leaving >> threadIdx.x) & 1u)) f.fate[rowOf[threadIdx.x]] = kSaturated;
      live &= alive & ~leaving;
      float* swap = x;
      x = y;
      y = swap;
      if (!live) break;  // the whole cluster: every block has the same flags
      if (flags[k % 3][2]) {
        ++l;  // where the row resumes
        break;
      }
    }
    if (live) {  // x holds the last layer's outputs: the block's share of them out
      float* dst = f.out + size_t{srcTile} * n * f.srcLanes + laneBase;
      for (uint32_t v = lo * R + threadIdx.x; v < hi * R; v += kFusedThreads) dst[size_t{v / R} * f.srcLanes + v % R] = x[v];
      if (rank == 0 && threadIdx.x == 0) {
        atomicOr(f.alive + srcTile, live << laneBase);
        if (first) f.resumeAt[slot0] = static_cast<uint16_t>(l);
      }
    } else if (rank == 0 && threadIdx.x == 0) {
      if (first) atomicAdd(&f.counters->leftRows, 1u);
      if (f.resume) atomicAnd(f.alive + srcTile, ~(1u << laneBase));
    }
    cluster.sync();  // the buffers, rowOf, taken and handOverFirst are free for the next tile, in every block
  }
}

template <int R, int C>
void configure() {
  SNIG_CUDA_CHECK(cudaFuncSetAttribute(fusedKernel<R, C>, cudaFuncAttributeMaxDynamicSharedMemorySize, kTileBytes));
}

// f on `clusters` clusters of C blocks (C = 1: a plain launch, as measured before clusters).
template <int R, int C>
void launch(const Fused& f, uint32_t clusters, cudaStream_t stream) {
  const size_t bytes = size_t{2} * R * f.n * sizeof(float);
  if constexpr (C == 1) {
    fusedKernel<R, 1><<<clusters, kFusedThreads, bytes, stream>>>(f);
    SNIG_CUDA_CHECK_LAUNCH();
  } else {
    cudaLaunchConfig_t config{};
    config.gridDim = dim3(clusters * C);
    config.blockDim = dim3(kFusedThreads);
    config.dynamicSmemBytes = bytes;
    config.stream = stream;
    cudaLaunchAttribute cluster{};
    cluster.id = cudaLaunchAttributeClusterDimension;
    cluster.val.clusterDim.x = C;
    cluster.val.clusterDim.y = 1;
    cluster.val.clusterDim.z = 1;
    config.attrs = &cluster;
    config.numAttrs = 1;
    SNIG_CUDA_CHECK(cudaLaunchKernelEx(&config, fusedKernel<R, C>, f));
  }
}

}  // namespace

void configureFused() {
  configure<1, 1>();
  configure<2, 1>();
  configure<4, 1>();
  configure<8, 1>();
  configure<16, 1>();
  configure<1, 2>();
}

void launchFused(const Fused& f, uint32_t maxSlots, int multiprocessors, cudaStream_t stream) {
  if (f.lanes > fusedMaxLanes(f.n) || f.srcLanes % f.lanes != 0) {
    throw Error(ErrorCode::Argument, "fused tiles must fit shared memory and divide the state's tiles");
  }
  if (f.cluster != 1 && f.cluster != 2) throw Error(ErrorCode::Argument, "fused rows end on 1 or 2 multiprocessors");
  const uint32_t tiles = (maxSlots + f.lanes - 1) / f.lanes;
  if (tiles == 0 || f.firstLayer >= f.layers) return;
  const uint32_t blocks = std::min<uint32_t>(tiles, static_cast<uint32_t>(multiprocessors));
  if (fusedTailPaired(f.cluster, f.lanes, f.n) && multiprocessors >= 2) {
    Fused first = f;
    first.handOver = static_cast<uint32_t>(multiprocessors) / 2;
    launch<1, 1>(first, blocks, stream);
    Fused rest = first;
    rest.resume = true;
    rest.in = f.out;
    launch<1, 2>(rest, std::min<uint32_t>(tiles, first.handOver), stream);
    return;
  }
  switch (f.lanes) {
    case 1: launch<1, 1>(f, blocks, stream); break;
    case 2: launch<2, 1>(f, blocks, stream); break;
    case 4: launch<4, 1>(f, blocks, stream); break;
    case 8: launch<8, 1>(f, blocks, stream); break;
    case 16: launch<16, 1>(f, blocks, stream); break;
    default: throw Error(ErrorCode::Argument, "fused tiles hold 1, 2, 4, 8 or 16 rows");
  }
}

}  // namespace snig::cuda::general
