#include "saturation.hpp"

#include <algorithm>

#include "../engine.hpp"

namespace snig {

bool keepsSaturated(const LayerView& layer) {
  for (uint32_t j = 0; j < layer.n; ++j) {
    float z = 0.0f;
    for (uint32_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k) z += layer.weight(k) * kClamp;
    if (z == 0.0f) return false;  // no bias, stays 0
    if (std::min(std::max(z + layer.biasOf32(j), 0.0f), kClamp) != kClamp) return false;
  }
  return true;
}

std::vector<bool> saturatedExits(const Model& model) {
  const uint32_t layers = model.layerCount();
  std::vector<bool> exits(layers, false);
  bool rest = true;  // every layer after l keeps all-32 rows
  for (uint32_t l = layers; l-- > 0;) {
    exits[l] = rest;
    rest = rest && keepsSaturated(model.layer(l));
  }
  return exits;
}

}  // namespace snig
