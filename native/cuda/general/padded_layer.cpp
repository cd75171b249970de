#include "padded_layer.hpp"

#include <stdexcept>

namespace snig::cuda::general {

PaddedLayer padLayer(const LayerView& layer) {
  if (layer.n > Model::kMaxShortIndexN) throw std::invalid_argument("the padded layout holds 16-bit indices only");
  const uint32_t n = layer.n;
  PaddedLayer out;
  out.start.assign(n + 1, 0);
  bool padded = false;
  for (uint32_t j = 0; j < n; ++j) {
    const uint32_t fanIn = layer.colptr[j + 1] - layer.colptr[j];
    const uint32_t width = (fanIn + kPadEntries - 1) / kPadEntries * kPadEntries;
    padded = padded || width != fanIn;
    out.start[j + 1] = out.start[j] + width;
  }
  const bool withValues = !layer.uniform() || padded;
  out.index.assign(out.start[n], static_cast<uint16_t>(n - 1));
  if (withValues) out.values.assign(out.start[n], 0.0f);
  for (uint32_t j = 0; j < n; ++j) {
    uint32_t at = out.start[j];
    for (uint64_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k, ++at) {
      out.index[at] = static_cast<uint16_t>(layer.input(k));
      if (withValues) out.values[at] = layer.weight(k);
    }
  }
  return out;
}

}  // namespace snig::cuda::general
