// Which GPU kernel "--kernel auto" runs, from the model's measured structure: the fast kernel where
// the exact neuron-equivalence reduction removes most of the work (RadiX-Nets: ~1/16 of the
// entries), the general kernel where it removes little (random or trained networks) or where layers
// have per-neuron biases. The reason names the numbers, for `snig info` and the bench.
#pragma once

#include <string>

#include "../model.hpp"
#include "reduced_network.hpp"

namespace snig {

// The fast kernel needs the reduced entries to be at most this share of the model's edges.
constexpr double kFastMaxEntryShare = 0.5;

struct KernelChoice {
  std::string kernel;  // "fast" or "general"
  std::string reason;
};

KernelChoice chooseKernel(const Model& model, const ReducedNetwork& reduced);

}  // namespace snig
