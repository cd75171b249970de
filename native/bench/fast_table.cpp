// `snig-bench fast-table`: the fast pipeline on the challenge benchmarks, generated in memory: RadiX-Net networks
// (native/core/generator) of N = 1024..65536 with the deepest layer count, reduced once, then run at
// every requested depth on 60000 augmented images made from the 1200 real ones. Every run is checked
// against the reduced network evaluated on the CPU (bit-identical by construction: same order, no
// contraction); the official 1024x120 network with the real images is checked against its truth;
// generated benchmarks with robust truth (--truth-max-n) against the float64 CPU engine's truth.
// Prints one table row per benchmark: median ms of --repeat runs (CUDA events), edges/s.
// Usage: snig-bench fast-table <data/hpec-1024> [--sizes 1024,4096] [--layers 120,480] [--rows 60000]
//                               [--repeat 5] [--truth-max-n 1024] [--official 0|1]
//                               [--profile 1,2,4,8] (time shallow prefixes too, no checks)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "../core/engine.hpp"
#include "../core/error.hpp"
#include "../core/generator/image_augment.hpp"
#include "../core/generator/radixnet.hpp"
#include "../core/generator/robust_truth.hpp"
#include "../core/model_io.hpp"
#include "../core/structure/reduced_eval.hpp"
#include "../core/structure/reduced_network.hpp"
#include "../core/truth.hpp"
#include "../cuda/fast/fast_pipeline.hpp"
#include "fast_table.hpp"
#include "option_text.hpp"

namespace snig::bench {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<uint32_t> toCounts(const std::string& flag, const std::string& text) {
  std::vector<uint32_t> out;
  for (uint64_t value : toNumbers(flag, text)) out.push_back(static_cast<uint32_t>(value));
  return out;
}

struct Options {
  std::string data;
  std::vector<uint32_t> sizes{1024, 4096, 16384, 65536};
  std::vector<uint32_t> layers{120, 480, 1920};
  uint64_t rows = 60000;
  int repeat = 5;
  uint32_t truthMaxN = 1024;
  bool official = true;
  std::vector<uint32_t> profile;  // extra shallow depths to time: where the time goes
};

struct Timing {
  double medianMs = 0;
  double minMs = 0;
  cuda::BatchResult result;
};

Timing timeRuns(cuda::GpuPipeline& pipeline, const SparseRows& inputs, int repeat) {
  InferRequest request;
  request.rowEnd = inputs.rows();
  Timing timing;
  timing.result = pipeline.run(inputs, 0, inputs.rows(), request);  // warm-up
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    cuda::BatchResult again = pipeline.run(inputs, 0, inputs.rows(), request);
    if (again.categories != timing.result.categories) throw std::runtime_error("categories changed between runs");
    ms.push_back(again.seconds * 1e3);
  }
  std::sort(ms.begin(), ms.end());
  timing.medianMs = ms[ms.size() / 2];
  timing.minMs = ms.front();
  return timing;
}

// GPU rows against the CPU evaluation of the same reduced network: categories and row sums equal.
std::string checkAgainstCpu(const ReducedNetwork& net, cuda::GpuPipeline& pipeline, const SparseRows& inputs,
                            const std::vector<uint64_t>& categories) {
  InferRequest request;
  request.rowEnd = inputs.rows();
  request.wantRowSums = true;
  const InferResult cpu = inferReduced(net, inputs, request);
  const cuda::BatchResult gpu = pipeline.run(inputs, 0, inputs.rows(), request);
  uint64_t sums = 0;
  for (uint64_t r = 0; r < inputs.rows(); ++r) sums += cpu.rowSums[r] != gpu.rowSums[r];
  const bool ok = cpu.categories == categories && gpu.categories == categories && sums == 0;
  return std::string(ok ? "cpu-equal" : "CPU-MISMATCH") + "(" + std::to_string(cpu.categories.size()) + " cat, " +
         std::to_string(sums) + " sums differ)";
}

void printRow(const std::string& name, const Timing& t, uint64_t rows, uint64_t edges, const std::string& verdict) {
  const double edgesPerSecond = double(rows) * double(edges) / (t.medianMs / 1e3);
  std::printf("| %s | %.3f | %.3f | %.3e | %zu | %s |\n", name.c_str(), t.medianMs, t.minMs, edgesPerSecond,
              t.result.categories.size(), verdict.c_str());
  std::fflush(stdout);
}

void official(const Options& o) {
  ModelRequest request;
  request.path = o.data + "/neuron1024";
  auto model = std::make_shared<const Model>(loadModel(request));
  const SparseRows images = readSparseRows(o.data + "/sparse-images-1024-first1200.tsv.gz", 1024);
  const std::vector<uint64_t> truth = readCategories(o.data + "/first1200-l120-categories.tsv", images.rows());
  auto net = std::make_shared<const ReducedNetwork>(reduceModel(*model));
  auto pipeline = cuda::makeFastPipeline(net, {});
  const Timing t = timeRuns(*pipeline, images, o.repeat);
  const std::string check = checkAgainstCpu(*net, *pipeline, images, t.result.categories);
  printRow("official 1024x120, 1200 real images", t, images.rows(), model->totalNnz(),
           std::string(t.result.categories == truth ? "PASSED" : "FAILED") + " vs truth, " + check);
}

void size(const Options& o, uint32_t n, const SparseRows& source) {
  const uint32_t deepest = *std::max_element(o.layers.begin(), o.layers.end());
  RadixNetSpec spec;
  spec.neurons = n;
  spec.layers = deepest;
  challengeBias(n, &spec.bias);
  auto t0 = Clock::now();
  const Model model = generateRadixNet(spec);
  const double generate = since(t0);
  t0 = Clock::now();
  const ReducedNetwork full = reduceModel(model);
  const double reduce = since(t0);
  ImageSpec images;
  images.neurons = n;
  images.rows = o.rows;
  t0 = Clock::now();
  SparseRows inputs;
  std::vector<uint64_t> truth;
  bool haveTruth = false;
  if (n <= o.truthMaxN) {
    // Robust truth (float64 CPU engine, fragile rows redrawn) for the shallowest depth.
    Model truthModel = generateRadixNet(spec);
    truthModel.truncate(o.layers.front());
    auto shared = std::make_shared<const Model>(std::move(truthModel));
    auto cpu = makeCpuEngine(shared, 0);
    RobustImages robust = generateRobustImages(*cpu, source, images, {});
    inputs = std::move(robust.inputs);
    truth = std::move(robust.categories);
    haveTruth = true;
    std::printf("# %ux%u: robust truth in %.1f s (%llu rows redrawn)\n", n, o.layers.front(), since(t0),
                static_cast<unsigned long long>(robust.replacedRows));
  } else {
    inputs = generateImages(source, images);
  }
  std::printf("# N=%u: generated %u layers in %.1f s, reduced in %.1f s (%llu entries for %llu edges, %u classes max), "
              "inputs %.1f s (%llu nonzeros)\n",
              n, deepest, generate, reduce, static_cast<unsigned long long>(full.totalEntries()),
              static_cast<unsigned long long>(model.totalNnz()), full.maxClasses(), since(t0),
              static_cast<unsigned long long>(inputs.nnz()));
  std::fflush(stdout);
  for (uint32_t layers : o.profile) {
    auto prefix = std::make_shared<const ReducedNetwork>(prefixOf(full, layers));
    // The pipeline's variants (see fast_pipeline.cu): the same bits, different speed.
    const std::pair<const char*, const char*> variants[] = {
        {"SNIG_FAST_FIRST_LAYER", "thread"}, {"SNIG_FAST_FUSE", "0"}, {nullptr, "default"}};
    for (const auto& [variable, value] : variants) {
      if (variable) setenv(variable, value, 1);
      auto pipeline = cuda::makeFastPipeline(prefix, {});
      if (variable) unsetenv(variable);
      const Timing t = timeRuns(*pipeline, inputs, o.repeat);
      const std::string label = variable ? std::string(variable) + "=" + value : value;
      printRow(std::to_string(n) + "x" + std::to_string(layers) + " (profile, " + label + ")", t, inputs.rows(),
               uint64_t{n} * 32 * layers, "-");
    }
  }
  for (uint32_t layers : o.layers) {
    auto net = std::make_shared<const ReducedNetwork>(layers == deepest ? full : prefixOf(full, layers));
    auto pipeline = cuda::makeFastPipeline(net, {});
    const Timing t = timeRuns(*pipeline, inputs, o.repeat);
    std::string verdict = checkAgainstCpu(*net, *pipeline, inputs, t.result.categories);
    if (haveTruth && layers == o.layers.front()) verdict = std::string(t.result.categories == truth ? "PASSED" : "FAILED") + " vs f64 truth, " + verdict;
    printRow(std::to_string(n) + "x" + std::to_string(layers), t, inputs.rows(), uint64_t{n} * 32 * layers, verdict);
  }
}

}  // namespace

int fastTable(int argc, char** argv) {
  Options o;
  if (argc < 2) {
    std::fprintf(stderr, "usage: snig-bench fast-table <data/hpec-1024> [--sizes a,b] [--layers a,b] [--rows n] [--repeat n] [--truth-max-n n]\n");
    return 2;
  }
  o.data = argv[1];
  try {
    for (int i = 2; i < argc; i += 2) {
      const std::string key = argv[i];
      if (i + 1 >= argc) throwArgument("option " + key + " needs a value");
      const std::string value = argv[i + 1];
      if (key == "--sizes") o.sizes = toCounts(key, value);
      else if (key == "--layers") o.layers = toCounts(key, value);
      else if (key == "--rows") o.rows = toNumber(key, value);
      else if (key == "--repeat") o.repeat = static_cast<int>(toNumber(key, value));
      else if (key == "--profile") o.profile = toCounts(key, value);
      else if (key == "--official") o.official = toNumber(key, value) != 0;
      else if (key == "--truth-max-n") o.truthMaxN = static_cast<uint32_t>(toNumber(key, value));
      else throwArgument("unknown option " + key);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  try {
    std::printf("| benchmark | median ms | min ms | edges/s | categories | check |\n|---|---|---|---|---|---|\n");
    if (o.official) official(o);
    const SparseRows source = readSparseRows(o.data + "/sparse-images-1024-first1200.tsv.gz", 1024);
    for (uint32_t n : o.sizes) size(o, n, source);
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace snig::bench
