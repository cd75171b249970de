#include "workload.hpp"

#include <chrono>
#include <cstdio>

#include "../core/error.hpp"
#include "../core/generator/image_augment.hpp"
#include "../core/generator/radixnet.hpp"
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
  ImageSpec spec;
  spec.neurons = n;
  spec.rows = o.rows ? o.rows : kDefaultGeneratedRows;
  spec.seed = o.seed;
  spec.threads = o.threads;
  return generateImages(readSparseRows(o.source, kSourceNeurons), spec);
}

}  // namespace

Workload prepareWorkload(const BenchOptions& options) {
  Workload w;
  auto start = std::chrono::steady_clock::now();
  w.model = std::make_shared<const Model>(makeModel(options));
  std::fprintf(stderr, "model: N=%u L=%u nnz=%llu (%s in %.1f s)\n", w.model->neurons(), w.model->layerCount(),
               static_cast<unsigned long long>(w.model->totalNnz()), options.generateNeurons ? "generated" : "loaded",
               secondsSince(start));
  start = std::chrono::steady_clock::now();
  w.inputs = makeInputs(options, w.model->neurons());
  std::fprintf(stderr, "inputs: %llu rows, %llu nonzeros (%s in %.1f s)\n", static_cast<unsigned long long>(w.inputs.rows()),
               static_cast<unsigned long long>(w.inputs.nnz()), options.inputs.empty() ? "generated" : "loaded",
               secondsSince(start));
  return w;
}

}  // namespace snig::bench
