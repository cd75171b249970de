// Checks the exact neuron-equivalence reduction (native/core/structure) against the full CPU engine:
// RadiX-Net networks, random networks with and without duplicated columns (negative weights,
// positive biases, which reach only nonzero sums), and the official 1024-neuron network with the
// 1200 real images against their truth. Prints one line per check; exits non-zero on any failure.
// Usage: structure-test <data/hpec-1024 directory>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/engine.hpp"
#include "core/error.hpp"
#include "core/generator/radixnet.hpp"
#include "core/generator/random.hpp"
#include "core/model_io.hpp"
#include "core/structure/kernel_choice.hpp"
#include "core/structure/reduced_eval.hpp"
#include "core/structure/reduced_cache.hpp"
#include "core/structure/reduced_network.hpp"
#include "core/truth.hpp"
#include "test_support.hpp"

namespace {

using namespace snig;
using testing::check;
using testing::randomModel;
using testing::randomRows;

std::vector<uint8_t> rowFlags(const std::vector<uint64_t>& categories, uint64_t rows) {
  std::vector<uint8_t> flags(rows, 0);
  for (uint64_t c : categories) flags[c - 1] = 1;
  return flags;
}

// Every value within 1e-5 of the row's largest magnitude (at least 1).
bool closeRows(const float* a, const float* b, uint32_t n) {
  float largest = 1;
  for (uint32_t j = 0; j < n; ++j) largest = std::max(largest, std::abs(a[j]));
  for (uint32_t j = 0; j < n; ++j) {
    if (std::abs(a[j] - b[j]) > 1e-5f * largest) return false;
  }
  return true;
}

// The reduced network on the CPU against the full CPU engine: same categories on every row whose
// liveness margin is not a rounding tie, and values within 1e-5 relative (of the row's largest).
void compare(const std::string& name, const Model& model, const SparseRows& inputs) {
  auto shared = std::shared_ptr<const Model>(&model, [](const Model*) {});
  InferRequest request;
  request.rowEnd = inputs.rows();
  request.wantRows = true;
  request.wantRowSums = true;
  InferRequest traced = request;
  traced.wantTrace = true;
  const std::unique_ptr<Engine> cpu = makeCpuEngine(shared, 2);
  const InferResult full = cpu->infer(inputs, traced);
  InferRequest wide = request;
  wide.precision = Precision::F64;
  const InferResult exact = cpu->infer(inputs, wide);
  const ReducedNetwork net = reduceModel(model, 0, 2);
  const InferResult reduced = inferReduced(net, inputs, request, 2);
  const uint32_t n = model.neurons();
  uint64_t fragile = 0, categoryMismatch = 0, valueMismatch = 0;
  const std::vector<uint8_t> inFull = rowFlags(full.categories, inputs.rows());
  const std::vector<uint8_t> inExact = rowFlags(exact.categories, inputs.rows());
  const std::vector<uint8_t> inReduced = rowFlags(reduced.categories, inputs.rows());
  for (uint64_t r = 0; r < inputs.rows(); ++r) {
    // Issue 7: a row whose float32 result depends on rounding (a near-tie, or float64 disagrees)
    // may differ under another summation order; every other row must not.
    if (full.minMargin[r] < 1e-4 || inFull[r] != inExact[r] || !closeRows(full.rows.data() + r * n, exact.rows.data() + r * n, n)) {
      ++fragile;
      continue;
    }
    if (inFull[r] != inReduced[r]) ++categoryMismatch;
    if (!closeRows(full.rows.data() + r * n, reduced.rows.data() + r * n, n)) ++valueMismatch;
  }
  const ReducedLayer& last = net.layers.back();
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: %llu rows, %zu categories, classes after layer 1: %u, last: %u, entries %llu of %llu edges, "
                "%llu fragile, %llu category and %llu value mismatches",
                name.c_str(), static_cast<unsigned long long>(inputs.rows()), full.categories.size(), net.layers[0].outClasses,
                last.outClasses, static_cast<unsigned long long>(net.totalEntries()),
                static_cast<unsigned long long>(model.totalNnz()), static_cast<unsigned long long>(fragile),
                static_cast<unsigned long long>(categoryMismatch), static_cast<unsigned long long>(valueMismatch));
  // Rows alive and dead both, and few ties: a comparison that can fail.
  const bool mixed = !full.categories.empty() && full.categories.size() < inputs.rows();
  check(categoryMismatch == 0 && valueMismatch == 0 && fragile * 10 <= inputs.rows() && mixed, line);
}

void radixStructure(uint32_t n, uint32_t layers) {
  RadixNetSpec spec;
  spec.neurons = n;
  spec.layers = layers;
  spec.threads = 2;
  const Model model = generateRadixNet(spec);
  const ReducedNetwork net = reduceModel(model, 0, 2);
  const uint32_t m = n / 16;
  const uint32_t g = radixGroupLayers(n);
  bool ok = true;
  for (uint32_t l = 0; l < layers; ++l) {
    const ReducedLayer& layer = net.layers[l];
    const uint32_t expected = (l + 1) % g == 0 ? m / 2 : m;  // a group's last layer merges pairs
    ok = ok && layer.outClasses == expected && layer.saturating;
    for (uint32_t c = 0; c < layer.outClasses; ++c) {
      const uint32_t count = layer.ptr[c + 1] - layer.ptr[c];
      ok = ok && count >= 1 && count <= kRadixFanIn && (l == 0 || l >= g || count == 2);
    }
  }
  check(ok, "RadiX-Net " + std::to_string(n) + "x" + std::to_string(layers) + ": M classes (M/2 after a group), 2 entries per class inside group 1, saturating");
}

// Rows may leave early only where it is exact: all-32 rows once every later layer keeps them at 32
// (RadiX-Net: all; random signed weights: none). Zero rows always leave (the bias reaches only
// nonzero entries), whatever the later biases.
void exits() {
  const ReducedNetwork random = reduceModel(randomModel(300, 12, 24, 1, 5), 0, 2);
  const ExitRules r = exitRules(random);
  bool ok = true;
  for (uint32_t l = 0; l < 12; ++l) {
    // After the last layer every rule holds.
    ok = ok && r.saturatedExit[l] == (l == 11);
  }
  RadixNetSpec spec;
  spec.neurons = 256;
  spec.layers = 10;
  spec.threads = 2;
  const ExitRules x = exitRules(reduceModel(generateRadixNet(spec), 0, 2));
  for (uint32_t l = 0; l < 10; ++l) ok = ok && x.saturatedExit[l];
  check(ok, "exit rules: signed random weights never saturate; RadiX-Net exits everywhere");
}

void official(const std::string& dir) {
  ModelRequest request;
  request.path = dir + "/neuron1024";
  request.threads = 2;
  const Model model = loadModel(request);
  const SparseRows images = readSparseRows(dir + "/sparse-images-1024-first1200.tsv.gz", 1024);
  const std::vector<uint64_t> truth = readCategories(dir + "/first1200-l120-categories.tsv", images.rows());
  const ReducedNetwork net = reduceModel(model, 0, 2);
  InferRequest infer;
  infer.rowEnd = images.rows();
  const InferResult reduced = inferReduced(net, images, infer, 2);
  check(reduced.categories == truth, "official 1024x120, 1200 real images: reduced categories equal the truth (" +
                                         std::to_string(truth.size()) + " rows)");
  compare("official 1024x120 vs CPU engine", model, images);
}

}  // namespace

bool sameReduction(const ReducedNetwork& a, const ReducedNetwork& b) {
  if (a.neurons != b.neurons || a.layers.size() != b.layers.size()) return false;
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const ReducedLayer& x = a.layers[l];
    const ReducedLayer& y = b.layers[l];
    if (x.inClasses != y.inClasses || x.outClasses != y.outClasses || x.bias != y.bias || x.saturating != y.saturating ||
        x.classBias != y.classBias || x.ptr != y.ptr || x.input != y.input || x.weight != y.weight || x.classOf != y.classOf ||
        x.classSize != y.classSize) {
      return false;
    }
  }
  return true;
}

// The reduction cache: a miss reduces and saves, a hit reads back the same reduction, a damaged file
// or another model (a changed bias) is a miss; a reduction quicker than the threshold is not saved;
// past the size limit the least recently used file goes.
void reductionCache() {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("snig-reduced-" + std::to_string(::getpid()));
  const ReductionCache cache{dir.string(), 0, UINT64_MAX};
  RadixNetSpec spec;
  spec.neurons = 256;
  spec.layers = 12;
  spec.threads = 2;
  spec.seed = 3;
  Model model = generateRadixNet(spec);
  const ReducedNetwork direct = reduceModel(model);
  ReductionSource source;
  reduceModelCached(model, {dir.string(), 1e9, UINT64_MAX}, &source);
  const bool quickNotSaved = !source.saved && !std::filesystem::exists(dir);
  const ReducedNetwork first = reduceModelCached(model, cache, &source);
  const bool missed = !source.loaded && source.saved;
  const ReducedNetwork second = reduceModelCached(model, cache, &source);
  const bool hit = source.loaded && source.bytes == std::filesystem::file_size(source.path);
  const auto file = std::filesystem::directory_iterator(dir)->path();
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-5, std::ios::end);
    const char byte = static_cast<char>(f.get() ^ 0x5a);
    f.seekp(-5, std::ios::end);
    f.put(byte);
  }
  const ReducedNetwork third = reduceModelCached(model, cache, &source);
  const bool damagedMissed = !source.loaded;
  model.setBias(-0.25);
  reduceModelCached(model, {dir.string(), 0, 1}, &source);
  const bool otherMissed = !source.loaded;
  const bool evicted = !std::filesystem::exists(file) && std::filesystem::exists(source.path);
  std::filesystem::remove_all(dir);
  check(quickNotSaved && missed && hit && damagedMissed && otherMissed && sameReduction(first, direct) &&
            sameReduction(second, direct) && sameReduction(third, direct),
        "reduction cache: quick reductions not saved; miss, hit, damaged file and another bias miss; same reduction each time");
  check(evicted, "reduction cache: past the size limit the older file is removed, the new one kept");
}

// auto's choice: a network without structure is judged by the reduction of its first layers (the
// rest neither reduced nor cached); a RadiX-Net by its whole reduction (cached, and read back from
// the cache the next time), which the fast kernel then uses; a network no longer than the probe by
// its whole reduction.
void autoChoice() {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("snig-auto-" + std::to_string(::getpid()));
  const ReductionCache cache{dir.string(), 0, UINT64_MAX};
  const AutoChoice random = chooseAutoKernel(randomModel(300, 12, 24, 1, 5), cache);
  const bool probed = random.choice.kernel == "general" && !random.reduced && !std::filesystem::exists(dir) &&
                      random.choice.reason.starts_with("the reduction of the first 4 layers keeps 100.0 % of the 28800 edges (more than 90 %)");
  check(probed, "auto on random 300x12: general from the first 4 layers, the rest not reduced (" + random.choice.reason + ")");
  const AutoChoice shortRandom = chooseAutoKernel(randomModel(300, 4, 24, 1, 5), cache);
  check(shortRandom.choice.kernel == "general" && shortRandom.reduced && shortRandom.reduced->layers.size() == 4,
        "auto on random 300x4 (no longer than the probe): general from the whole reduction");
  std::filesystem::remove_all(dir);
  RadixNetSpec spec;
  spec.neurons = 256;
  spec.layers = 12;
  spec.threads = 2;
  const Model radix = generateRadixNet(spec);
  const AutoChoice first = chooseAutoKernel(radix, cache);
  const AutoChoice second = chooseAutoKernel(radix, cache);
  std::filesystem::remove_all(dir);
  const ReducedNetwork direct = reduceModel(radix);
  check(first.choice.kernel == "fast" && first.reduced && sameReduction(*first.reduced, direct) && first.from.find("saved to") != std::string::npos &&
            second.reduced && sameReduction(*second.reduced, direct) && second.from.find("read from") != std::string::npos,
        "auto on RadiX-Net 256x12: fast from the whole reduction, saved, then read back (" + first.choice.reason + ")");
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: structure-test <data/hpec-1024 directory>\n");
    return 2;
  }
  try {
    radixStructure(256, 20);
    radixStructure(1024, 14);
    for (uint32_t n : {256u, 1024u}) {
      RadixNetSpec spec;
      spec.neurons = n;
      spec.layers = 24;
      spec.threads = 2;
      spec.seed = n;
      const Model model = generateRadixNet(spec);
      compare("RadiX-Net " + std::to_string(n) + "x24, binary inputs", model, randomRows(n, 300, 0.6, true, n));
      compare("RadiX-Net " + std::to_string(n) + "x24, real-valued inputs", model, randomRows(n, 300, 0.8, false, n + 1));
    }
    compare("random 300x12 (singleton classes)", randomModel(300, 12, 24, 1, 5), randomRows(300, 200, 0.8, false, 6));
    compare("random 512x12 with 4 copies per column", randomModel(512, 12, 20, 4, 7), randomRows(512, 200, 0.8, false, 8));
    const Model biased = randomModel(512, 12, 20, 4, 7, true);
    compare("random 512x12 with 4 copies per column and per-neuron biases", biased, randomRows(512, 200, 0.8, false, 8));
    // Copies with different biases are different neurons: layer 2 keeps twice the classes.
    const uint32_t plainClasses = reduceModel(randomModel(512, 12, 20, 4, 7), 2, 2).layers[1].outClasses;
    const uint32_t biasedClasses = reduceModel(biased, 2, 2).layers[1].outClasses;
    check(biasedClasses == 2 * plainClasses, "per-neuron biases split the classes of equal columns (" +
                                                 std::to_string(plainClasses) + " -> " + std::to_string(biasedClasses) + ")");
    exits();
    reductionCache();
    autoChoice();
    official(argv[1]);
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
