// The general kernels' device layouts (cuda/general/sliced_layer.hpp, fanout_layer.hpp), host code
// only: every output's slice entries are its column in stored order followed by +0 padding; the
// first layer's fanout holds every edge once, by span, input and output; and evaluating a network as
// the kernels do (the first layer pushed from the sparse row's nonzeros in ascending order, the
// others through the slices; separate multiply and add, the bias on nonzero sums only, ReLU, clamp)
// gives the CPU engine's rows bit for bit. No GPU needed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/engine.hpp"
#include "core/generator/random.hpp"
#include "core/generator/random_net.hpp"
#include "cuda/general/fanout_layer.hpp"
#include "cuda/general/sliced_layer.hpp"
#include "test_support.hpp"

using namespace snig;
using cuda::general::FanoutLayer;
using cuda::general::kSliceWidth;
using cuda::general::SlicedLayer;

namespace {

uint32_t entryInput(const SlicedLayer& s, uint32_t e) { return s.index16.empty() ? s.index32[e] : s.index16[e]; }

// Output order[t]'s entries: its column's (input, weight) in stored order, then only padding.
bool slicesHoldColumns(const LayerView& layer, const SlicedLayer& s) {
  for (uint32_t t = 0; t < layer.n; ++t) {
    const uint32_t j = s.order.empty() ? t : s.order[t];
    uint64_t k = layer.colptr[j];
    for (uint32_t e = s.slicePtr[t / kSliceWidth] + t % kSliceWidth; e < s.slicePtr[t / kSliceWidth + 1]; e += kSliceWidth) {
      const float w = s.values.empty() ? static_cast<float>(layer.uniformValue) : s.values[e];
      if (k < layer.colptr[j + 1]) {
        if (entryInput(s, e) != layer.input(k) || w != layer.weight(k)) return false;
        ++k;
      } else if (entryInput(s, e) != layer.n - 1 || w != 0.0f) {
        return false;
      }
    }
    if (k != layer.colptr[j + 1]) return false;
  }
  return true;
}

// The fanout's entries of span g and input i are the edges i -> j with j in the span, by ascending j,
// with their weights; every edge is listed once.
bool fanoutHoldsEdges(const LayerView& layer, const FanoutLayer& f) {
  const uint32_t n = layer.n;
  if (f.spans != (n + f.span - 1) / f.span || f.start.size() != uint64_t{f.spans} * n + 1 || f.start.back() != layer.nnz) return false;
  std::vector<std::vector<std::pair<uint32_t, float>>> edges(uint64_t{f.spans} * n);  // (output, weight) by (span, input)
  for (uint32_t j = 0; j < n; ++j) {
    for (uint64_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k) edges[uint64_t{j / f.span} * n + layer.input(k)].emplace_back(j, layer.weight(k));
  }
  for (uint64_t pair = 0; pair < edges.size(); ++pair) {
    const uint32_t g = static_cast<uint32_t>(pair / n);
    if (f.start[pair + 1] - f.start[pair] != edges[pair].size()) return false;
    for (uint32_t q = 0; q < edges[pair].size(); ++q) {
      const uint32_t at = f.start[pair] + q;
      const float w = f.values.empty() ? static_cast<float>(layer.uniformValue) : f.values[at];
      if (g * f.span + f.output[at] != edges[pair][q].first || w != edges[pair][q].second) return false;
    }
  }
  return true;
}

// The first layer's sums pushed from a sparse row: its nonzeros in ascending order, each adding its
// terms to the outputs that read it.
std::vector<float> pushedSums(const FanoutLayer& f, uint32_t n, const SparseRows& inputs, uint32_t r) {
  std::vector<float> z(n, 0.0f);
  for (uint32_t g = 0; g < f.spans; ++g) {
    for (uint64_t k = inputs.rowptr[r]; k < inputs.rowptr[r + 1]; ++k) {
      const uint64_t pair = uint64_t{g} * n + inputs.cols[k];
      for (uint32_t at = f.start[pair]; at < f.start[pair + 1]; ++at) {
        const float w = f.values.empty() ? f.uniform : f.values[at];
        z[g * f.span + f.output[at]] += w * inputs.values[k];
      }
    }
  }
  return z;
}

// One row through every layer as the kernels compute it: the first pushed, the others sliced.
std::vector<float> kernelRow(const Model& model, const FanoutLayer& first, const std::vector<SlicedLayer>& sliced,
                             const SparseRows& inputs, uint32_t row) {
  const auto finish = [](float z, float b) { return z != 0.0f ? std::min(std::max(z + b, 0.0f), kClamp) : 0.0f; };
  std::vector<float> y = pushedSums(first, model.neurons(), inputs, row);
  for (uint32_t j = 0; j < model.neurons(); ++j) y[j] = finish(y[j], model.layer(0).biasOf32(j));
  for (uint32_t l = 1; l < model.layerCount(); ++l) {
    const LayerView layer = model.layer(l);
    const SlicedLayer& s = sliced[l];
    std::vector<float> out(layer.n);
    for (uint32_t t = 0; t < layer.n; ++t) {
      const uint32_t j = s.order.empty() ? t : s.order[t];
      float z = 0.0f;
      for (uint32_t e = s.slicePtr[t / kSliceWidth] + t % kSliceWidth; e < s.slicePtr[t / kSliceWidth + 1]; e += kSliceWidth) {
        const float w = s.values.empty() ? static_cast<float>(layer.uniformValue) : s.values[e];
        z += w * y[entryInput(s, e)];
      }
      out[j] = finish(z, layer.biasOf32(j));
    }
    y = std::move(out);
  }
  return y;
}

void check(const std::string& name, const Model& model, uint32_t lanes, uint64_t seed) {
  std::vector<SlicedLayer> sliced;
  bool holds = true;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    sliced.push_back(cuda::general::sliceLayer(model.layer(l)));
    holds = holds && slicesHoldColumns(model.layer(l), sliced.back());
  }
  testing::check(holds, name + ": every output's slice entries are its column, then +0 padding");
  const FanoutLayer first = cuda::general::fanoutLayer(model.layer(0), cuda::general::pushSpan(model.neurons(), lanes));
  testing::check(fanoutHoldsEdges(model.layer(0), first),
                 name + ": the first layer's fanout (" + std::to_string(first.spans) + " spans) lists every edge by span, input, output");
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
  uint64_t differ = 0, alive = 0;
  for (uint32_t r = 0; r < rows; ++r) {
    const std::vector<float> out = kernelRow(model, first, sliced, inputs, r);
    for (uint32_t j = 0; j < n; ++j) differ += out[j] != cpu.rows[uint64_t{r} * n + j];
    alive += std::any_of(out.begin(), out.end(), [](float v) { return v != 0.0f; });
  }
  testing::check(differ == 0 && alive > 0 && alive < rows,
                 name + ": pushed and sliced evaluation equals the CPU engine on every value (" + std::to_string(differ) + " differ, " +
                     std::to_string(alive) + " of " + std::to_string(rows) + " rows alive)");
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
    // Push spans of 512 (16-row tiles: a shorter last span), 256 (32-row tiles), 1000 (one span).
    check("random 1000x4, fan-in 32, uniform weights", randomNet(1000, 32, 32, RandomWeights::Uniform, -0.1f), 16, 1);
    check("random 1000x4, fan-in 8-48, mixed weights (padded slices)", randomNet(1000, 8, 48, RandomWeights::Mixed, -0.1f), 32, 2);
    // Per-neuron biases on every third layer, an occasional positive one.
    check("random 1000x4, fan-in 24, per-neuron biases", testing::randomModel(1000, 4, 24, 1, 3, true), 4, 3);
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
