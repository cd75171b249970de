// Which GPU kernel "--kernel auto" runs, from the model's measured structure: the fast kernel where
// the exact neuron-equivalence reduction removes most of the work (RadiX-Nets: ~1/16 of the
// entries), the general kernel where it removes little (random or trained networks) or where layers
// have per-neuron biases. The reason names the numbers, for `snig info` and the bench.
#pragma once

#include <memory>
#include <string>

#include "../model.hpp"
#include "reduced_cache.hpp"
#include "reduced_network.hpp"

namespace snig {

// The fast kernel needs the reduced entries to be at most this share of the model's edges.
constexpr double kFastMaxEntryShare = 0.5;

// Where the cache holds no reduction of the model, auto first reduces its first kProbeLayers layers.
// Where they keep more than kProbeGeneralShare of their edges, the network has no structure for the
// fast kernel, and general is chosen without reducing (or caching) the rest: the whole reduction of
// a random 16384x1920 network took 34 s on 16 cores and cached 8.4 GB, to keep every edge. A network
// whose structure starts only after its first layers is judged by them: a slower kernel, never a
// wrong answer. Where the probe leaves the choice open, its layers are reduced again with the rest
// (kProbeLayers / L more work).
constexpr uint32_t kProbeLayers = 4;
constexpr double kProbeGeneralShare = 0.9;

struct KernelChoice {
  std::string kernel;  // "fast" or "general"
  std::string reason;
};

// The choice from a reduction of the model's first reduced.layers.size() layers (all, or a probe).
KernelChoice chooseKernel(const Model& model, const ReducedNetwork& reduced);

struct AutoChoice {
  KernelChoice choice;
  std::shared_ptr<const ReducedNetwork> reduced;  // the whole model's; null where the probe decided
  std::string from;  // how: read from the cache, reduced (and saved), or probed
};

// auto's choice: the cached reduction; else the probe; else, when the probe leaves it open, the
// whole reduction, made now and cached when worth it.
AutoChoice chooseAutoKernel(const Model& model, const ReductionCache& cache);

}  // namespace snig
