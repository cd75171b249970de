// A layer in the general kernels' device layout: sliced ELL with slices of 32 outputs (one warp).
// Outputs are taken in `order` (by falling fan-in when fan-ins differ, so a warp's threads do about
// the same work); the k-th edge of the slice's 32 outputs are 32 consecutive entries, so a warp's
// index and weight loads are coalesced. A slice is as wide as its widest output; shorter outputs
// are padded at their end with input n-1 and weight 0, which adds +0 after every real term and so
// changes no sum (the inputs are never negative). Each output's real edges keep their stored,
// ascending order: sums are the CPU engine's bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "../../core/model.hpp"

namespace snig::cuda::general {

constexpr uint32_t kSliceWidth = 32;

struct SlicedLayer {
  std::vector<uint32_t> order;     // empty: outputs in their own order (every fan-in equal)
  std::vector<uint32_t> slicePtr;  // slices + 1 entry offsets
  std::vector<uint16_t> index16;   // when the model's indices are 16-bit
  std::vector<uint32_t> index32;
  std::vector<float> values;       // empty: every weight is the layer's uniform value (no padding)
};

SlicedLayer sliceLayer(const LayerView& layer);

}  // namespace snig::cuda::general
