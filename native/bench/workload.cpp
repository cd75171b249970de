#include "workload.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "../core/error.hpp"
#include "../core/generator/image_augment.hpp"
#include "../core/generator/radixnet.hpp"
#include "../core/generator/random_net.hpp"
#include "../core/model_io.hpp"
#include "../core/row_file.hpp"

namespace snig::bench {
namespace {

// The seed images (the official first 1200) are 32x32: 1024 columns.
constexpr uint32_t kSourceNeurons = 1024;
constexpr uint64_t kDefaultGeneratedRows = 60000;

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Model makeModel(const BenchOptions& o) {
  if (!o.generateNeurons) {
    ModelRequest request;
    request.path = o.model;
    request.layers = o.layers;
    request.threads = o.threads;
    return loadModel(request);
  }
  if (o.structure == "random") {
    RandomNetSpec spec;
    spec.neurons = o.generateNeurons;
    spec.layers = o.layers;
    spec.fanInMin = o.fanInMin;
    spec.fanInMax = o.fanInMax;
    spec.weights = parseRandomWeights(o.randomWeights);
    spec.bias = o.bias;  // replaced by the bisection unless given
    spec.seed = o.seed;
    spec.threads = o.threads;
    return generateRandomNet(spec);
  }
  RadixNetSpec spec;
  spec.neurons = o.generateNeurons;
  spec.layers = o.layers;
  spec.seed = o.seed;
  spec.threads = o.threads;
  if (!challengeBias(spec.neurons, &spec.bias)) {
    throwArgument("no challenge bias for " + std::to_string(spec.neurons) + " neurons");
  }
  return generateRadixNet(spec);
}

SparseRows makeInputs(const BenchOptions& o, uint32_t n) {
  if (!o.inputs.empty()) {
    SparseRows rows = readInputRows(o.inputs, n);
    if (o.rows && o.rows < rows.rows()) rows = rows.slice(0, o.rows);
    return rows;
  }
  // Images are square: for another N, the largest square below it (the other columns stay empty).
  const auto side = static_cast<uint32_t>(std::sqrt(static_cast<double>(n)));
  ImageSpec spec;
  spec.neurons = side * side;
  spec.rows = o.rows ? o.rows : kDefaultGeneratedRows;
  spec.seed = o.seed;
  spec.threads = o.threads;
  SparseRows rows = generateImages(readSparseRows(o.source, kSourceNeurons), spec);
  rows.n = n;
  return rows;
}

// A random network without --bias: the bias that keeps the wanted share of the first rows alive.
void chooseBias(const BenchOptions& o, Model& model, const SparseRows& inputs) {
  if (o.structure != "random" || o.hasBias) return;
  const auto start = std::chrono::steady_clock::now();
  const SparseRows sample = inputs.slice(0, std::min(o.biasSampleRows, inputs.rows()));
  const SurvivalBias found = chooseSurvivalBias(model, sample, o.surviveLow, o.surviveHigh, o.threads);
  std::fprintf(stderr, "bias: %.9g (%.2f %% of %llu sample rows survive; %u bisection steps, %.1f s)\n", found.bias,
               found.survivors * 100, static_cast<unsigned long long>(sample.rows()), found.steps, secondsSince(start));
}

}  // namespace

Workload prepareWorkload(const BenchOptions& options) {
  Workload w;
  auto start = std::chrono::steady_clock::now();
  Model model = makeModel(options);
  std::fprintf(stderr, "model: N=%u L=%u nnz=%llu (%s in %.1f s)\n", model.neurons(), model.layerCount(),
               static_cast<unsigned long long>(model.totalNnz()), options.generateNeurons ? "generated" : "loaded",
               secondsSince(start));
  start = std::chrono::steady_clock::now();
  w.inputs = makeInputs(options, model.neurons());
  std::fprintf(stderr, "inputs: %llu rows, %llu nonzeros (%s in %.1f s)\n", static_cast<unsigned long long>(w.inputs.rows()),
               static_cast<unsigned long long>(w.inputs.nnz()), options.inputs.empty() ? "generated" : "loaded",
               secondsSince(start));
  chooseBias(options, model, w.inputs);
  w.model = std::make_shared<const Model>(std::move(model));
  return w;
}

void saveWorkload(const Workload& w, const BenchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::string n = std::to_string(w.model->neurons());
  if (!options.save.empty()) {
    std::filesystem::create_directories(options.save);
    writeModelBinary(*w.model, options.save + "/model.snig");
    writeRowFile(w.inputs, options.save + "/inputs.snigrows");
  }
  if (!options.saveTsv.empty()) {
    writeModelTsv(*w.model, options.saveTsv + "/neuron" + n, options.tsvGzip);
    writeSparseRows(w.inputs, options.saveTsv + "/sparse-images-" + n + ".tsv");
  }
  std::fprintf(stderr, "saved: the workload in %.1f s\n", secondsSince(start));
}

}  // namespace snig::bench
