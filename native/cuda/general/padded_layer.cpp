#include "padded_layer.hpp"

#include <stdexcept>

namespace snig::cuda::general {
namespace {

uint32_t paddedWidth(uint32_t fanIn) { return (fanIn + kPadEntries - 1) / kPadEntries * kPadEntries; }

uint32_t fanIn(const LayerView& layer, uint32_t j) { return layer.colptr[j + 1] - layer.colptr[j]; }

}  // namespace

bool storesValues(const LayerView& layer) {
  if (!layer.uniform()) return true;
  for (uint32_t j = 0; j < layer.n; ++j) {
    if (paddedWidth(fanIn(layer, j)) != fanIn(layer, j)) return true;
  }
  return false;
}

PaddedLayer padLayer(const LayerView& layer) {
  if (layer.n > Model::kMaxShortIndexN) throw std::invalid_argument("the padded layout holds 16-bit indices only");
  const uint32_t n = layer.n;
  PaddedLayer out;
  out.start.assign(n + 1, 0);
  for (uint32_t j = 0; j < n; ++j) out.start[j + 1] = out.start[j] + paddedWidth(fanIn(layer, j));
  const bool withValues = storesValues(layer);
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

uint64_t paddedLayerBytes(const LayerView& layer) {
  uint64_t entries = 0;
  for (uint32_t j = 0; j < layer.n; ++j) entries += paddedWidth(fanIn(layer, j));
  return entries * (sizeof(uint16_t) + (storesValues(layer) ? sizeof(float) : 0));
}

}  // namespace snig::cuda::general
