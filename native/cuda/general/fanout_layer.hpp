// A layer transposed for pushing from sparse rows (the first layer, whose inputs are ~10 % dense):
// for every input i, the outputs that read it and their weights. The outputs are cut into spans of
// `span` neurons (one span's sums fit a warp's share of shared memory) and the entries are ordered by
// span, then input, then output, so a (span, input) pair's entries are contiguous:
// start[g * n + i] .. start[g * n + i + 1]. A kernel that walks a row's nonzeros in ascending input
// order adds every output's terms in the stored (ascending) order, as the CPU engine does; inputs
// that are zero add nothing, which changes no sum (adding +0 or -0 to a sum that starts at +0 and is
// never -0 leaves it as it is).
#pragma once

#include <cstdint>
#include <vector>

#include "../../core/model.hpp"

namespace snig::cuda::general {

struct FanoutLayer {
  uint32_t span = 0;              // outputs per span (the last span may be shorter)
  uint32_t spans = 0;
  std::vector<uint32_t> start;    // spans * n + 1 entry offsets
  std::vector<uint16_t> output;   // output - g * span, per entry
  std::vector<float> values;      // per entry; empty when the layer is uniform
  float uniform = 0;              // every weight, when values is empty
};

// The push kernel's block holds the sums of one tile's rows (one warp each) for one span: 32 KB.
constexpr uint32_t kPushSums = 8192;
constexpr uint32_t pushSpan(uint32_t n, uint32_t lanes) { return n < kPushSums / lanes ? n : kPushSums / lanes; }

FanoutLayer fanoutLayer(const LayerView& layer, uint32_t span);

}  // namespace snig::cuda::general
