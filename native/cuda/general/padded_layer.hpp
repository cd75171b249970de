// A layer in the tile kernel's device layout: every output's column in stored (ascending) order,
// padded at its end to a multiple of 8 entries with input n-1 and weight 0, which adds +0 after
// every real term and so changes no sum (the inputs are never negative). A group of lanes that
// computes one output reads its 8 next 16-bit indices (and weights) with one 16-byte load.
#pragma once

#include <cstdint>
#include <vector>

#include "../../core/model.hpp"

namespace snig::cuda::general {

constexpr uint32_t kPadEntries = 8;

struct PaddedLayer {
  std::vector<uint32_t> start;   // n + 1 entry offsets, multiples of kPadEntries
  std::vector<uint16_t> index;   // inputs (n <= 65536)
  std::vector<float> values;     // empty: every weight is the layer's uniform value (no padding)
};

PaddedLayer padLayer(const LayerView& layer);

// Whether the padded layout stores weights: unless every weight is the layer's one value and no
// output needs padding.
bool storesValues(const LayerView& layer);

// The bytes of the layer's padded layout (its indices and stored weights) without building it:
// what one row's pass over the layer reads.
uint64_t paddedLayerBytes(const LayerView& layer);

}  // namespace snig::cuda::general
