#include "first_layer_split.hpp"

#include <algorithm>

namespace snig::cuda::general {

uint32_t firstLayerSplits(uint32_t tiles, uint32_t n, uint32_t minOutputs, uint32_t multiprocessors) {
  if (minOutputs == 0 || multiprocessors == 0 || tiles >= 2 * uint64_t{multiprocessors}) return 1;
  const uint32_t most = std::max(1u, (n + minOutputs - 1) / minOutputs);
  // s splits take rounds(s) * (1 / s + 1 / kBlockOverhead) tile-times: in units of
  // 1 / (s * kBlockOverhead), rounds(s) * (kBlockOverhead + s).
  const auto scaled = [&](uint64_t s) { return (tiles * s + multiprocessors - 1) / multiprocessors * (kBlockOverhead + s); };
  uint32_t best = 1;
  for (uint32_t s = 2; s <= most; ++s) {
    if (scaled(s) * best < scaled(best) * s) best = s;  // compared over the common denominator
  }
  return best;
}

}  // namespace snig::cuda::general
