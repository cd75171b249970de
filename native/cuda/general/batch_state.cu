#include "batch_state.hpp"

namespace snig::cuda::general {

uint64_t BatchState::bytesPerRow(uint32_t n) {
  return 2 * uint64_t{n} * sizeof(float) + 2 * uint64_t{n} / 8 + 3 * sizeof(uint32_t) + 1;
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
  reserve(nextTile, 1);
  if (lines) {
    const uint64_t maskBytes = uint64_t{tiles} * linesMaskStride(n) * linesMaskBytes(lanes);
    reserve(inMask, maskBytes);
    reserve(outMask, maskBytes);
  }
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
