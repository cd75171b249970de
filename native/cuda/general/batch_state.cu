#include "batch_state.hpp"

#include <algorithm>

#include "../cuda_check.hpp"
#include "../row_fate.hpp"

namespace snig::cuda::general {
namespace {

__global__ void startKernel(uint32_t rows, uint32_t tiles, uint8_t* fate, uint32_t* rowOf, uint32_t* alive, uint32_t* notFull,
                            uint32_t* counts, FusedCounters* fusedCounters) {
  const uint32_t stride = gridDim.x * blockDim.x;
  for (uint32_t r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += stride) {
    fate[r] = kDead;
    rowOf[r] = r;
    if (r < tiles) alive[r] = notFull[r] = 0;
  }
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    counts[0] = rows;
    *fusedCounters = {};
  }
}

}  // namespace

uint64_t BatchState::bytesPerRow(uint32_t n) {
  return 2 * uint64_t{n} * sizeof(float) + 2 * uint64_t{n} / 8 + 3 * sizeof(uint32_t) + 1 + sizeof(uint16_t);
}

void BatchState::reserve(uint32_t rows, uint32_t n, uint32_t lanes, uint32_t layers, bool lines) {
  using cuda::reserve;
  const uint32_t tiles = (rows + lanes - 1) / lanes;
  const uint64_t cells = uint64_t{tiles} * lanes * n;
  reserve(in, cells);
  reserve(out, cells);
  reserve(alive, tiles);
  reserve(notFull, tiles);
  for (auto& r : rowOf) reserve(r, rows);
  reserve(from, rows);
  reserve(fate, rows);
  reserve(counts, layers + 1);
  reserve(fusedCounters, 1);
  reserve(resumeAt, rows);
  if (lines) {
    const uint64_t maskBytes = uint64_t{tiles} * linesMaskStride(n) * linesMaskBytes(lanes);
    reserve(inMask, maskBytes);
    reserve(outMask, maskBytes);
  }
}

void BatchState::start(uint32_t rows, uint32_t lanes, cudaStream_t stream) {
  constexpr uint32_t threads = 256;
  const uint32_t blocks = std::clamp<uint32_t>((rows + threads - 1) / threads, 1, 1024);
  startKernel<<<blocks, threads, 0, stream>>>(rows, (rows + lanes - 1) / lanes, fate.get(), rowOf[0].get(), alive.get(),
                                              notFull.get(), counts.get(), fusedCounters.get());
  SNIG_CUDA_CHECK_LAUNCH();
}

Lines BatchState::lines(uint32_t l, uint32_t n, uint32_t lanes) {
  Lines s;
  s.n = n;
  s.rows = lanes;
  s.in = in.get();
  s.inMask = inMask.get();
  s.out = out.get();
  s.outMask = outMask.get();
  s.alive = alive.get();
  s.notFull = notFull.get();
  s.count = counts.get() + l;
  return s;
}

}  // namespace snig::cuda::general
