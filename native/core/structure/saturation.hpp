// Rows that are 32 in every neuron: a layer keeps such a row at 32 everywhere when every output's
// float32 sum of 32 * w (in stored order, separate multiply and add, as the float32 engines sum),
// plus its float32 bias, clamps to 32. Once every remaining layer does, an all-32 row is a category for good and can
// leave early: that is the saturated exit of the GPU pipelines.
#pragma once

#include <vector>

#include "../model.hpp"

namespace snig {

// True when the layer maps the all-32 row to itself (bias on nonzero sums only).
bool keepsSaturated(const LayerView& layer);

// exit[l]: an all-32 row after layer l stays all-32 through the last layer (true for the last).
std::vector<bool> saturatedExits(const Model& model);

}  // namespace snig
