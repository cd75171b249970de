// The general kernels' device layout (cuda/general/sliced_layer.hpp), host code only: every output's
// slice entries are its column in stored order followed by +0 padding, and evaluating a network
// through the sliced layers with the kernels' arithmetic (separate multiply and add, the bias on
// nonzero sums only, ReLU, clamp) gives the CPU engine's rows bit for bit. No GPU needed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/engine.hpp"
#include "core/generator/random.hpp"
#include "core/generator/random_net.hpp"
#include "cuda/general/sliced_layer.hpp"
#include "test_support.hpp"

using namespace snig;
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

// One row through every sliced layer as the kernels compute it.
std::vector<float> slicedRow(const Model& model, const std::vector<SlicedLayer>& sliced, std::vector<float> y) {
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
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
      out[j] = z != 0.0f ? std::min(std::max(z + layer.biasOf32(j), 0.0f), kClamp) : 0.0f;
    }
    y = std::move(out);
  }
  return y;
}

void check(const std::string& name, const Model& model, uint64_t seed) {
  std::vector<SlicedLayer> sliced;
  bool holds = true;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    sliced.push_back(cuda::general::sliceLayer(model.layer(l)));
    holds = holds && slicesHoldColumns(model.layer(l), sliced.back());
  }
  testing::check(holds, name + ": every output's slice entries are its column, then +0 padding");
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
    std::vector<float> y(n, 0.0f);
    for (uint64_t k = inputs.rowptr[r]; k < inputs.rowptr[r + 1]; ++k) y[inputs.cols[k]] = inputs.values[k];
    const std::vector<float> out = slicedRow(model, sliced, y);
    for (uint32_t j = 0; j < n; ++j) differ += out[j] != cpu.rows[uint64_t{r} * n + j];
    alive += std::any_of(out.begin(), out.end(), [](float v) { return v != 0.0f; });
  }
  testing::check(differ == 0 && alive > 0 && alive < rows,
                 name + ": sliced evaluation equals the CPU engine on every value (" + std::to_string(differ) + " differ, " +
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
