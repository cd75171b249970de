#include "random_net.hpp"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "../error.hpp"
#include "random.hpp"

namespace snig {
namespace {

constexpr float kUnit = 0.0625f;  // the challenge's weight, and the random weights' mean
constexpr uint32_t kMaxBisectionSteps = 40;
constexpr float kLowestBias = -4.0f;

float drawWeight(RandomWeights kind, SplitMix64& random) {
  switch (kind) {
    case RandomWeights::Uniform: return kUnit;
    case RandomWeights::Positive: return static_cast<float>(kUnit * (0.5 + random.unit()));
    case RandomWeights::Mixed: return static_cast<float>(kUnit * (4.0 * random.unit() - 1.0));
  }
  return kUnit;
}

// k distinct inputs in [0, n), ascending (rejection into a sorted list: k is small next to n).
void drawInputs(uint32_t n, uint32_t k, SplitMix64& random, std::vector<uint32_t>& out) {
  out.clear();
  while (out.size() < k) {
    const uint32_t i = random.below(n);
    const auto at = std::lower_bound(out.begin(), out.end(), i);
    if (at == out.end() || *at != i) out.insert(at, i);
  }
}

template <typename Index>
void fillLayer(Model& model, uint32_t l, const std::vector<uint32_t>& degree, Index* index, const RandomNetSpec& spec,
               SplitMix64& random) {
  uint32_t* colptr = model.colptr(l);
  float* values = spec.weights == RandomWeights::Uniform ? nullptr : model.values(l);
  std::vector<uint32_t> inputs;
  colptr[0] = 0;
  for (uint32_t j = 0; j < spec.neurons; ++j) {
    drawInputs(spec.neurons, degree[j], random, inputs);
    const uint32_t at = colptr[j];
    for (uint32_t e = 0; e < degree[j]; ++e) {
      index[at + e] = static_cast<Index>(inputs[e]);
      if (values) values[at + e] = drawWeight(spec.weights, random);
    }
    colptr[j + 1] = at + degree[j];
  }
}

}  // namespace

RandomWeights parseRandomWeights(const std::string& name) {
  if (name == "uniform") return RandomWeights::Uniform;
  if (name == "positive") return RandomWeights::Positive;
  if (name == "mixed") return RandomWeights::Mixed;
  throwArgument("random weights must be uniform, positive or mixed, not \"" + name + "\"");
}

void validateRandomNetSpec(const RandomNetSpec& spec) {
  if (spec.layers == 0) throwArgument("a network needs at least one layer");
  if (spec.fanInMin == 0 || spec.fanInMin > spec.fanInMax || spec.fanInMax > spec.neurons) {
    throwArgument("inputs per neuron must satisfy 1 <= min <= max <= N (" + std::to_string(spec.neurons) + "), not " +
                  std::to_string(spec.fanInMin) + ".." + std::to_string(spec.fanInMax));
  }
  if (uint64_t{spec.neurons} * spec.fanInMax > UINT32_MAX) {
    throwArgument("N x inputs per neuron must fit 32-bit column offsets");
  }
}

Model generateRandomNet(const RandomNetSpec& spec) {
  validateRandomNetSpec(spec);
  Model model(spec.neurons);
  // Degrees first (stream (seed, layer, 0)), so each layer's shape is known before it is filled.
  std::vector<std::vector<uint32_t>> degrees(spec.layers);
  for (uint32_t l = 0; l < spec.layers; ++l) {
    SplitMix64 random(spec.seed, l, 0);
    degrees[l].resize(spec.neurons);
    uint64_t nnz = 0;
    for (uint32_t& k : degrees[l]) {
      k = spec.fanInMin + random.below(spec.fanInMax - spec.fanInMin + 1);
      nnz += k;
    }
    model.addLayer({nnz, spec.weights == RandomWeights::Uniform}, spec.bias);
    if (spec.weights == RandomWeights::Uniform) model.info(l).uniformValue = kUnit;
  }
  const int threads = spec.threads > 0 ? spec.threads : omp_get_num_procs();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (uint32_t l = 0; l < spec.layers; ++l) {
    SplitMix64 random(spec.seed, l, 1);
    if (model.indexBytes() == 2) fillLayer(model, l, degrees[l], model.index16(l), spec, random);
    else fillLayer(model, l, degrees[l], model.index32(l), spec, random);
  }
  model.seal();
  return model;
}

SurvivalBias chooseSurvivalBias(Model& model, const SparseRows& sample, double low, double high, int threads) {
  if (sample.rows() == 0) throwArgument("choosing a bias needs sample rows");
  // The engine reads the model the caller owns; the bias is set on it between runs.
  auto engine = makeCpuEngine(std::shared_ptr<const Model>(&model, [](const Model*) {}), threads);
  InferRequest request;
  request.rowEnd = sample.rows();
  const auto survivors = [&](float bias) {
    model.setBias(bias);
    return static_cast<double>(engine->infer(sample, request).categories.size()) / static_cast<double>(sample.rows());
  };
  // Survival grows with the bias: keep [lo, hi] around the target band.
  float lo = kLowestBias, hi = 0.0f;
  SurvivalBias found;
  found.survivors = survivors(hi);
  if (found.survivors < low) throwArgument("too few rows survive even with bias 0; no bias in [-4, 0] fits");
  for (found.steps = 1; found.steps <= kMaxBisectionSteps; ++found.steps) {
    const float mid = (lo + hi) / 2;
    const double share = survivors(mid);
    if (share >= low && share <= high) {
      found.bias = mid;
      found.survivors = share;
      return found;
    }
    (share < low ? lo : hi) = mid;
  }
  throwArgument("no bias in [-4, 0] keeps " + std::to_string(low * 100) + "-" + std::to_string(high * 100) +
                " % of the sample's rows alive (the survival curve jumps over the band)");
}

}  // namespace snig
