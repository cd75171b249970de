#include "radixnet.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <string>

#include "../error.hpp"
#include "random.hpp"

namespace snig {
namespace {

constexpr uint32_t kCopies = 16;  // N / M: inputs sharing each residue b

// members[r * 16 + t]: the inputs i with σ(i) mod M == r, ascending.
std::vector<uint32_t> residueMembers(const std::vector<uint32_t>& sigma, uint32_t m) {
  std::vector<uint32_t> members(sigma.size());
  std::vector<uint32_t> fill(m, 0);
  for (uint32_t i = 0; i < sigma.size(); ++i) {
    const uint32_t r = sigma[i] % m;
    members[r * kCopies + fill[r]++] = i;
  }
  return members;
}

// Output j of a layer with step h reads the inputs whose residue is j mod M or (j mod M + h) mod M:
// two ascending runs of 16, merged so each column is sorted by input.
template <typename Index>
void fillColumn(const uint32_t* a, const uint32_t* b, Index* out) {
  uint32_t x = 0, y = 0, o = 0;
  while (x < kCopies && y < kCopies) out[o++] = static_cast<Index>(a[x] < b[y] ? a[x++] : b[y++]);
  while (x < kCopies) out[o++] = static_cast<Index>(a[x++]);
  while (y < kCopies) out[o++] = static_cast<Index>(b[y++]);
}

template <typename Index>
void fillGroup(Model& model, uint32_t firstLayer, uint32_t layers, const std::vector<uint32_t>& members,
               Index* (*indexOf)(Model&, uint32_t), int threads) {
  const uint32_t n = model.neurons();
  const uint32_t m = n / kCopies;
  std::vector<Index*> index(layers);
  std::vector<uint32_t*> colptr(layers);
  for (uint32_t k = 0; k < layers; ++k) {
    index[k] = indexOf(model, firstLayer + k);
    colptr[k] = model.colptr(firstLayer + k);
  }
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads)
  for (uint32_t k = 0; k < layers; ++k) {
    for (uint32_t j = 0; j < n; ++j) {
      const uint32_t r = j % m;
      const uint32_t s = (r + (1u << k)) % m;
      fillColumn(&members[r * kCopies], &members[s * kCopies], index[k] + uint64_t{j} * kRadixFanIn);
      colptr[k][j] = j * kRadixFanIn;
      if (j == n - 1) colptr[k][n] = n * kRadixFanIn;
    }
  }
}

uint16_t* index16Of(Model& model, uint32_t l) { return model.index16(l); }
uint32_t* index32Of(Model& model, uint32_t l) { return model.index32(l); }

}  // namespace

uint32_t radixGroupLayers(uint32_t neurons) { return static_cast<uint32_t>(std::countr_zero(neurons / kCopies)); }

void validateRadixNetSpec(const RadixNetSpec& spec) {
  const uint32_t n = spec.neurons;
  if (n < 32 || !std::has_single_bit(n)) {
    throwArgument("a RadiX-Net needs N = 16 * 2^G neurons (a power of two >= 32), not " + std::to_string(n));
  }
  if (uint64_t{n} * kRadixFanIn > UINT32_MAX) {
    throwArgument("N = " + std::to_string(n) + " is too large: a layer's " + std::to_string(kRadixFanIn) +
                  " * N edges must fit 32-bit column offsets");
  }
  if (spec.layers == 0) throwArgument("a network needs at least one layer");
}

std::vector<uint32_t> radixPermutation(uint32_t neurons, uint64_t seed, uint32_t group) {
  std::vector<uint32_t> sigma(neurons);
  for (uint32_t i = 0; i < neurons; ++i) sigma[i] = i;
  if (group == 0) return sigma;
  SplitMix64 random(seed, group);
  for (uint32_t i = neurons - 1; i > 0; --i) std::swap(sigma[i], sigma[random.below(i + 1)]);
  return sigma;
}

Model generateRadixNet(const RadixNetSpec& spec) {
  validateRadixNetSpec(spec);
  const uint32_t n = spec.neurons;
  const uint32_t g = radixGroupLayers(n);
  const uint32_t m = n / kCopies;
  const int threads = spec.threads > 0 ? spec.threads : omp_get_max_threads();

  Model model(n);
  const LayerShape shape{uint64_t{n} * kRadixFanIn, true};
  for (uint32_t l = 0; l < spec.layers; ++l) {
    const uint32_t id = model.addLayer(shape, spec.bias);
    model.info(id).uniformValue = kRadixWeight;
  }
  for (uint32_t first = 0, group = 0; first < spec.layers; first += g, ++group) {
    const std::vector<uint32_t> members = residueMembers(radixPermutation(n, spec.seed, group), m);
    const uint32_t layers = std::min(g, spec.layers - first);
    if (model.indexBytes() == 2) {
      fillGroup<uint16_t>(model, first, layers, members, index16Of, threads);
    } else {
      fillGroup<uint32_t>(model, first, layers, members, index32Of, threads);
    }
  }
  model.seal();
  return model;
}

}  // namespace snig
