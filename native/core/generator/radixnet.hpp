// Challenge-shaped RadiX-Net networks, the structure of the official HPEC Sparse DNN networks.
//
// With M = N/16 and G = log2(M) layers per group, layer k of a group (k = 1..G) connects input i to
// output j (0-based) iff  j mod M ∈ {b, (b − 2^(k−1)) mod M},  b = σ_g(i) mod M,  so every neuron has
// 32 inputs and 32 outputs, all weighted 1/16. Group 1 uses σ = identity (its layers equal the
// official layers 1..G byte for byte); each later group a random permutation of the input neurons,
// drawn from the seed (the official groups are random too). Checked against all 120 official
// 1024-neuron layers.
#pragma once

#include <cstdint>
#include <vector>

#include "../model.hpp"

namespace snig {

struct RadixNetSpec {
  uint32_t neurons = 1024;  // 16 * 2^G with G >= 1
  uint32_t layers = 120;
  double bias = -0.3;
  uint64_t seed = 1;
  int threads = 0;          // OpenMP threads (0: all)
};

constexpr float kRadixWeight = 0.0625f;
constexpr uint32_t kRadixFanIn = 32;

// Throws E_ARGUMENT unless neurons is 16 * 2^G (G >= 1) and layers >= 1.
void validateRadixNetSpec(const RadixNetSpec& spec);

// Layers per group (G = log2(N/16)).
uint32_t radixGroupLayers(uint32_t neurons);

// σ_g for group g (0-based): the identity for g = 0, else a permutation drawn from (seed, g).
std::vector<uint32_t> radixPermutation(uint32_t neurons, uint64_t seed, uint32_t group);

// The whole network, sealed; layers are filled in parallel with no per-edge allocation.
Model generateRadixNet(const RadixNetSpec& spec);

}  // namespace snig
