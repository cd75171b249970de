// Networks without structure: every output neuron reads k distinct random inputs (k fixed or drawn
// from a range), with challenge weights (1/16) or random ones (positive, or mixed sign). Such
// networks have no shared input sets for the structure analysis to merge, so they measure a kernel's
// general speed (issue 12). The bias is one scalar for every layer; chooseSurvivalBias finds one by
// bisection so that a chosen share of rows survives the last layer, as in the challenge (its own
// biases keep 0.1 % of the rows at N = 1024 and none at 16384 on such networks).
#pragma once

#include <cstdint>
#include <string>

#include "../engine.hpp"
#include "../model.hpp"

namespace snig {

enum class RandomWeights {
  Uniform,   // every weight 1/16, as in the challenge
  Positive,  // uniform in [1/32, 3/32): mean 1/16
  Mixed,     // uniform in [-1/16, 3/16): mean 1/16, a quarter of them negative
};

struct RandomNetSpec {
  uint32_t neurons = 1024;
  uint32_t layers = 120;
  uint32_t fanInMin = 32;  // inputs per neuron, drawn uniformly from [fanInMin, fanInMax]
  uint32_t fanInMax = 32;
  RandomWeights weights = RandomWeights::Uniform;
  float bias = -0.3f;
  uint64_t seed = 1;
  int threads = 0;  // OpenMP threads (0: all)
};

// "uniform", "positive" or "mixed"; throws E_ARGUMENT otherwise.
RandomWeights parseRandomWeights(const std::string& name);

// Throws E_ARGUMENT unless 1 <= fanInMin <= fanInMax <= neurons and layers >= 1.
void validateRandomNetSpec(const RandomNetSpec& spec);

// The whole network, sealed; each layer drawn from its own stream (seed, layer), columns ascending.
Model generateRandomNet(const RandomNetSpec& spec);

struct SurvivalBias {
  float bias = 0;
  double survivors = 0;  // share of the sample's rows that survive the last layer with that bias
  uint32_t steps = 0;    // bisection steps taken
};

// Bisects one bias for every layer of `model` so that between `low` and `high` of `sample`'s rows
// survive the last layer (the CPU engine, float32), and sets it on the model. Throws E_ARGUMENT when
// no bias in [-4, 0] gets there within 40 steps.
SurvivalBias chooseSurvivalBias(Model& model, const SparseRows& sample, double low, double high, int threads);

}  // namespace snig
