// Checks SNIG's column-sectioned layout (native/cuda/snig/sections), the host side of the SNIG kernel:
// section plans for an H100's limits at every launch shape, and that the sectioned layers list exactly
// the model's edges (RadiX-Net with uniform weights, a random network with stored weights, one section
// and several). Prints one line per check; exits non-zero on any failure. Needs no GPU.
#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "core/generator/radixnet.hpp"
#include "cuda/snig/sections.hpp"
#include "test_support.hpp"

namespace {

using namespace snig;
using namespace snig::cuda::sectioned;
using testing::check;

// An H100's shared memory: 227 KB per block (opt-in), 228 KB per multiprocessor.
constexpr uint64_t kOptin = 232448;
constexpr uint64_t kPerSm = 233472;

void plans() {
  struct Case {
    uint32_t n, blocksPerSm, sections, sectionSize;
  };
  // Float sums in each block's share of the multiprocessor, less 1 KB the runtime reserves: 113 KB at
  // 2 blocks (65536 needs 3 sections), 75 KB at 3 (4 of 16384), 56 KB at 4 (16384 needs 2).
  const Case cases[] = {{1024, 2, 1, 1024},   {16384, 2, 1, 16384}, {65536, 2, 3, 21856}, {16384, 3, 1, 16384},
                        {65536, 3, 4, 16384}, {16384, 4, 2, 8192},  {65536, 4, 5, 13120}, {4096, 8, 1, 4096}};
  for (const Case& c : cases) {
    const SectionPlan plan = planSections(c.n, kOptin, kPerSm, c.blocksPerSm, sizeof(float));
    const bool covers = uint64_t{plan.sections} * plan.sectionSize >= c.n && uint64_t{plan.sections - 1} * plan.sectionSize < c.n;
    const bool fits = uint64_t{plan.sectionSize} * sizeof(float) * c.blocksPerSm <= kPerSm;
    check(plan.sections == c.sections && plan.sectionSize == c.sectionSize && plan.blocksPerSm == c.blocksPerSm &&
              covers && fits,
          "plan N=" + std::to_string(c.n) + ", " + std::to_string(c.blocksPerSm) + " blocks per multiprocessor: " +
              std::to_string(plan.sections) + " x " + std::to_string(plan.sectionSize));
  }
  bool threw = false;
  try {
    planSections(1024, 1024, 2048, 2, sizeof(float));
  } catch (const Error& e) {
    threw = e.code() == ErrorCode::Argument;
  }
  check(threw, "a shared memory too small for 32 outputs is an E_ARGUMENT error");
}

using Edge = std::tuple<uint32_t, uint32_t, float>;  // input, output, weight

std::vector<Edge> modelEdges(const Model& model, uint32_t l) {
  const LayerView view = model.layer(l);
  std::vector<Edge> edges;
  for (uint32_t j = 0; j < view.n; ++j) {
    for (uint64_t k = view.colptr[j]; k < view.colptr[j + 1]; ++k) edges.emplace_back(view.input(k), j, view.weight(k));
  }
  std::sort(edges.begin(), edges.end());
  return edges;
}

// Every layer's sectioned block, read back as edges, equals the model's layer (and its per-neuron
// biases, where it has them); outputs ascend within each (section, input) list.
void roundTrip(const std::string& name, const Model& model, const SectionPlan& plan) {
  const SectionedLayout layout = layoutSections(model, plan, 0, model.layerCount());
  std::vector<uint8_t> bytes(layout.totalBytes);
  fillSections(model, 0, layout, bytes.data());
  bool same = true, ascending = true;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const SectionedLayer& layer = layout.layers[l];
    const uint8_t* block = bytes.data() + layer.offset;
    const auto* ptr = reinterpret_cast<const uint32_t*>(block);
    const auto* idx = reinterpret_cast<const uint16_t*>(block + layer.idxOffset);
    const auto* val = layer.uniform ? nullptr : reinterpret_cast<const float*>(block + layer.valOffset);
    std::vector<Edge> edges;
    for (uint32_t s = 0; s < plan.sections; ++s) {
      for (uint32_t i = 0; i < plan.n; ++i) {
        const uint64_t slot = uint64_t{s} * plan.n + i;
        for (uint32_t k = ptr[slot]; k < ptr[slot + 1]; ++k) {
          edges.emplace_back(i, s * plan.sectionSize + idx[k], val ? val[k] : layer.uniformValue);
          ascending = ascending && (k == ptr[slot] || idx[k - 1] < idx[k]);
        }
      }
    }
    std::sort(edges.begin(), edges.end());
    same = same && edges == modelEdges(model, l) && ptr[uint64_t{plan.sections} * plan.n] == layer.nnz;
    const double* biases = model.layer(l).biases;
    same = same && (biases != nullptr) == (layer.biasOffset != 0);
    if (biases) same = same && std::equal(biases, biases + plan.n, reinterpret_cast<const double*>(block + layer.biasOffset));
  }
  check(same && ascending, name + ", " + std::to_string(plan.sections) + " section(s) of " +
                               std::to_string(plan.sectionSize) + ": the sectioned layers hold exactly the model's edges");
}

}  // namespace

int main() {
  try {
    plans();
    RadixNetSpec spec;
    spec.neurons = 1024;
    spec.layers = 12;
    const Model radix = generateRadixNet(spec);
    const Model random = testing::randomModel(1000, 4, 24, 1, 3, true);  // layer 2 has per-neuron biases
    for (uint64_t perSm : {kPerSm, uint64_t{2 * (1088 + 352 * 4)}}) {  // one section; three of 352 outputs
      roundTrip("RadiX-Net 1024x12 (uniform)", radix, planSections(1024, kOptin, perSm, 2, sizeof(float)));
      roundTrip("random 1000x4 (stored weights, per-neuron biases)", random, planSections(1000, kOptin, perSm, 2, sizeof(float)));
    }
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
