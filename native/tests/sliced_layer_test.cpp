// The general kernels' device layouts (cuda/general/sliced_layer.hpp for gather and staged,
// padded_layer.hpp for tile), host code only: every output's entries are its column in stored order
// followed by +0 padding, and evaluating a network through either layout with the kernels'
// arithmetic (separate multiply and add, the bias on nonzero sums only, ReLU, clamp) gives the CPU
// engine's rows bit for bit. No GPU needed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/engine.hpp"
#include "core/generator/random.hpp"
#include "core/generator/random_net.hpp"
#include "cuda/general/padded_layer.hpp"
#include "cuda/general/sliced_layer.hpp"
#include "test_support.hpp"

using namespace snig;
using cuda::general::kSliceWidth;
using cuda::general::PaddedLayer;
using cuda::general::SlicedLayer;

namespace {

// A layout's terms: fills output slot t of layer l's (input, weight) terms in the order a kernel adds
// them and returns the output's neuron.
using Term = std::pair<uint32_t, float>;
using Terms = std::function<uint32_t(uint32_t l, uint32_t t, std::vector<Term>& terms)>;

Terms slicedTerms(const Model& model, const std::vector<SlicedLayer>& sliced) {
  return [&model, &sliced](uint32_t l, uint32_t t, std::vector<Term>& terms) {
    const SlicedLayer& s = sliced[l];
    terms.clear();
    for (uint32_t e = s.slicePtr[t / kSliceWidth] + t % kSliceWidth; e < s.slicePtr[t / kSliceWidth + 1]; e += kSliceWidth) {
      const uint32_t input = s.index16.empty() ? s.index32[e] : s.index16[e];
      terms.emplace_back(input, s.values.empty() ? static_cast<float>(model.layer(l).uniformValue) : s.values[e]);
    }
    return s.order.empty() ? t : s.order[t];
  };
}

Terms paddedTerms(const Model& model, const std::vector<PaddedLayer>& padded) {
  return [&model, &padded](uint32_t l, uint32_t j, std::vector<Term>& terms) {
    const PaddedLayer& p = padded[l];
    terms.clear();
    for (uint32_t e = p.start[j]; e < p.start[j + 1]; ++e) {
      terms.emplace_back(p.index[e], p.values.empty() ? static_cast<float>(model.layer(l).uniformValue) : p.values[e]);
    }
    return j;
  };
}

// Every output's terms are its column in stored order, then only +0 padding (input n-1, weight 0),
// and every output appears once.
bool holdsColumns(const Model& model, const Terms& termsOf) {
  std::vector<Term> terms;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const LayerView layer = model.layer(l);
    std::vector<bool> seen(layer.n, false);
    for (uint32_t t = 0; t < layer.n; ++t) {
      const uint32_t j = termsOf(l, t, terms);
      if (seen[j]) return false;
      seen[j] = true;
      const uint64_t fanIn = layer.colptr[j + 1] - layer.colptr[j];
      if (terms.size() < fanIn) return false;
      for (uint64_t k = 0; k < terms.size(); ++k) {
        const Term expected = k < fanIn ? Term(layer.input(layer.colptr[j] + k), layer.weight(layer.colptr[j] + k)) : Term(layer.n - 1, 0.0f);
        if (terms[k] != expected) return false;
      }
    }
  }
  return true;
}

// One row through every layer as the kernels compute it: terms in order with separate multiply and
// add, the bias on nonzero sums only, ReLU, clamp.
std::vector<float> kernelRow(const Model& model, const Terms& termsOf, std::vector<float> y) {
  std::vector<Term> terms;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const LayerView layer = model.layer(l);
    std::vector<float> out(layer.n);
    for (uint32_t t = 0; t < layer.n; ++t) {
      const uint32_t j = termsOf(l, t, terms);
      float z = 0.0f;
      for (const auto& [input, w] : terms) z += w * y[input];
      out[j] = z != 0.0f ? std::min(std::max(z + layer.biasOf32(j), 0.0f), kClamp) : 0.0f;
    }
    y = std::move(out);
  }
  return y;
}

void check(const std::string& name, const Model& model, uint64_t seed) {
  std::vector<SlicedLayer> sliced;
  std::vector<PaddedLayer> padded;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    sliced.push_back(cuda::general::sliceLayer(model.layer(l)));
    padded.push_back(cuda::general::padLayer(model.layer(l)));
  }
  const std::vector<std::pair<std::string, Terms>> layouts = {{"sliced", slicedTerms(model, sliced)}, {"padded", paddedTerms(model, padded)}};
  bool aligned = true;
  for (const PaddedLayer& p : padded) {
    for (const uint32_t at : p.start) aligned = aligned && at % cuda::general::kPadEntries == 0;
  }
  testing::check(aligned, name + ": padded outputs start at multiples of " + std::to_string(cuda::general::kPadEntries) + " entries");
  bool sized = true;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const uint64_t built = padded[l].index.size() * sizeof(uint16_t) + padded[l].values.size() * sizeof(float);
    sized = sized && cuda::general::paddedLayerBytes(model.layer(l)) == built;
  }
  testing::check(sized, name + ": paddedLayerBytes is the padded layout's indices and weights");
  for (const auto& [layout, termsOf] : layouts) {
    testing::check(holdsColumns(model, termsOf), name + ", " + layout + ": every output's entries are its column, then +0 padding");
  }
  const uint32_t n = model.neurons(), rows = 40;
  SparseRows inputs = SparseRows::empty(n);
  SplitMix64 random(seed, 3);
  for (uint32_t r = 0; r < rows; ++r) {
    const double density = 0.3 * random.unit() * random.unit();  // sparse rows die, denser ones live
    for (uint32_t i = 0; i < n; ++i) {
      if (random.unit() < density) {
        inputs.cols.push_back(i);
        inputs.values.push_back(static_cast<float>(2 * random.unit()));
      }
    }
    inputs.rowptr.push_back(inputs.cols.size());
  }
  InferRequest request;
  request.rowEnd = rows;
  request.wantRows = true;
  const std::shared_ptr<const Model> shared(&model, [](const Model*) {});
  const InferResult cpu = makeCpuEngine(shared, 1)->infer(inputs, request);
  for (const auto& [layout, termsOf] : layouts) {
    uint64_t differ = 0, alive = 0;
    for (uint32_t r = 0; r < rows; ++r) {
      std::vector<float> y(n, 0.0f);
      for (uint64_t k = inputs.rowptr[r]; k < inputs.rowptr[r + 1]; ++k) y[inputs.cols[k]] = inputs.values[k];
      const std::vector<float> out = kernelRow(model, termsOf, y);
      for (uint32_t j = 0; j < n; ++j) differ += out[j] != cpu.rows[uint64_t{r} * n + j];
      alive += std::any_of(out.begin(), out.end(), [](float v) { return v != 0.0f; });
    }
    testing::check(differ == 0 && alive > 0 && alive < rows,
                   name + ", " + layout + ": evaluation equals the CPU engine on every value (" + std::to_string(differ) +
                       " differ, " + std::to_string(alive) + " of " + std::to_string(rows) + " rows alive)");
  }
}

Model randomNet(uint32_t n, uint32_t fanInMin, uint32_t fanInMax, RandomWeights weights, float bias) {
  RandomNetSpec spec;
  spec.neurons = n;
  spec.layers = 4;
  spec.fanInMin = fanInMin;
  spec.fanInMax = fanInMax;
  spec.weights = weights;
  spec.bias = bias;
  spec.seed = 9;
  spec.threads = 1;
  return generateRandomNet(spec);
}

}  // namespace

int main() {
  try {
    // 1000 outputs: a partial last slice.
    check("random 1000x4, fan-in 32, uniform weights", randomNet(1000, 32, 32, RandomWeights::Uniform, -0.1f), 1);
    check("random 1000x4, fan-in 8-48, mixed weights (padded slices)", randomNet(1000, 8, 48, RandomWeights::Mixed, -0.1f), 2);
    // Per-neuron biases on every third layer, an occasional positive one.
    check("random 1000x4, fan-in 24, per-neuron biases", testing::randomModel(1000, 4, 24, 1, 3, true), 3);
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
