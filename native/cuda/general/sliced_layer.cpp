#include "sliced_layer.hpp"

#include <algorithm>
#include <numeric>

namespace snig::cuda::general {

SlicedLayer sliceLayer(const LayerView& layer) {
  const uint32_t n = layer.n;
  const auto fanIn = [&](uint32_t j) { return layer.colptr[j + 1] - layer.colptr[j]; };
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  const bool equal = std::all_of(order.begin(), order.end(), [&](uint32_t j) { return fanIn(j) == fanIn(0); });
  if (!equal) std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return fanIn(a) > fanIn(b); });
  SlicedLayer out;
  const uint32_t slices = (n + kSliceWidth - 1) / kSliceWidth;
  out.slicePtr.assign(slices + 1, 0);
  bool padded = false;
  for (uint32_t s = 0; s < slices; ++s) {
    uint32_t width = 0;
    for (uint32_t t = s * kSliceWidth; t < std::min(n, (s + 1) * kSliceWidth); ++t) {
      width = std::max(width, fanIn(order[t]));
      padded = padded || (t > s * kSliceWidth && fanIn(order[t]) != fanIn(order[s * kSliceWidth]));
    }
    out.slicePtr[s + 1] = out.slicePtr[s] + width * kSliceWidth;
  }
  const uint32_t entries = out.slicePtr[slices];
  const bool withValues = !layer.uniform() || padded;
  std::vector<uint32_t> index(entries, n - 1);
  if (withValues) out.values.assign(entries, 0.0f);
  for (uint32_t t = 0; t < n; ++t) {
    const uint32_t j = order[t];
    const uint32_t at = out.slicePtr[t / kSliceWidth] + t % kSliceWidth;
    for (uint32_t e = 0; e < fanIn(j); ++e) {
      index[at + e * kSliceWidth] = layer.input(layer.colptr[j] + e);
      if (withValues) out.values[at + e * kSliceWidth] = layer.weight(layer.colptr[j] + e);
    }
  }
  if (layer.index16) out.index16.assign(index.begin(), index.end());
  else out.index32 = std::move(index);
  if (!equal) out.order = std::move(order);
  return out;
}

}  // namespace snig::cuda::general
