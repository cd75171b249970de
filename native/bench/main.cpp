// snig-bench: loads or generates a benchmark, runs one engine on it (warm-up, then timed repeats),
// checks the categories and prints one RESULT line: benchmark, rows, GPUs, median ms, edges/s, and
// PASSED or FAILED (UNCHECKED with --check none: a run nothing checked is never called PASSED).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>

#include "../core/error.hpp"
#include "../core/generator/random.hpp"
#include "../core/truth.hpp"
#include "../cuda/cuda_engine.hpp"
#include "bench_options.hpp"
#include "fast_table.hpp"
#include "npy_dump.hpp"
#include "workload.hpp"

namespace snig::bench {
namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t m = values.size() / 2;
  return values.size() % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
}

// Where and how one timed engine runs: its kernel, GPUs and launch settings, and where its inputs lie.
struct Launch {
  std::string kernel;
  std::vector<int> gpus;
  uint64_t batchRows = 0;
  uint64_t blocksPerSm = 0;
  std::string inputMemory = "pageable";
};

std::unique_ptr<Engine> makeEngine(const BenchOptions& o, const Workload& w, const Launch& launch) {
  if (o.engine == "cpu") return makeCpuEngine(w.model, o.threads);
  CudaOptions options;
  options.gpus = launch.gpus;
  options.kernel = launch.kernel;
  options.weights = o.weights;
  options.batchRows = launch.batchRows;
  options.snigBlocksPerSm = static_cast<uint32_t>(launch.blocksPerSm);
  return makeCudaEngine(w.model, options);
}

struct Timing {
  std::vector<uint64_t> categories;  // of the first run
  bool stable = true;                // every run gave the same categories
  double ms = 0;                     // median wall time of infer
  double gpuMs = -1;                 // median CUDA-event time (CUDA engine)
  std::string kernel;
  int gpus = 0;
  Launch launch;
};

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// Warm-up runs, then `repeat` timed runs of one engine (the inputs placed first when asked: once,
// for this and every later run).
Timing timeEngine(const BenchOptions& o, Workload& w, const Launch& launch) {
  // Earlier starts, each engine closed before the next: a later one reads what the first saved.
  std::unique_ptr<Engine> engine;
  for (uint32_t s = 1; s <= o.starts; ++s) {
    engine.reset();
    const auto start = std::chrono::steady_clock::now();
    engine = makeEngine(o, w, launch);
    std::fprintf(stderr, "engine: %s ready in %.2f s (start %u of %u)\n", engine->name().c_str(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), s, o.starts);
  }
  InferRequest request;
  request.rowEnd = w.inputs.rows();
  request.precision = o.f64 ? Precision::F64 : Precision::F32;
  std::shared_ptr<const SparseRows> placed;
  if (launch.inputMemory == "pinned") {
    const auto start = std::chrono::steady_clock::now();
    placed = engine->placeInputs(w.inputs);
    std::fprintf(stderr, "inputs: placed in %.1f ms%s\n", msSince(start), placed ? "" : " (nothing to place: read as they are)");
  }
  const SparseRows& inputs = placed ? *placed : w.inputs;
  Timing t;
  t.launch = launch;
  for (uint32_t i = 0; i < o.warmup; ++i) {
    const auto start = std::chrono::steady_clock::now();
    t.categories = engine->infer(inputs, request).categories;
    std::fprintf(stderr, "warm-up %u: %.3f ms\n", i + 1, msSince(start));
  }
  std::vector<double> wall, gpu;
  for (uint32_t i = 0; i < o.repeat; ++i) {
    InferResult result = engine->infer(inputs, request);
    wall.push_back(result.seconds);
    gpu.push_back(cudaEngineGpuSeconds(*engine));
    std::fprintf(stderr, "run %u: %.3f ms (gpu %.3f ms), %zu categories\n", i + 1, result.seconds * 1e3,
                 gpu.back() * 1e3, result.categories.size());
    if (i == 0 && o.warmup == 0) t.categories = result.categories;
    t.stable = t.stable && result.categories == t.categories;
    t.kernel = result.kernel;
  }
  t.ms = median(wall) * 1e3;
  if (gpu.front() >= 0) t.gpuMs = median(gpu) * 1e3;
  if (o.engine == "cuda") {
    t.gpus = launch.gpus.empty() ? static_cast<int>(listGpus().size()) : static_cast<int>(launch.gpus.size());
  }
  return t;
}

struct Verdict {
  std::string how;
  bool passed = true;
  uint64_t mismatches = 0;
};

// The CPU engine on `rows` (0-based) versus `categories` restricted to them.
Verdict checkWithCpu(const BenchOptions& o, const Workload& w, const std::vector<uint64_t>& rows,
                     const std::vector<uint64_t>& categories, const std::string& how) {
  const SparseRows subset = w.inputs.gather(rows);
  auto cpu = makeCpuEngine(w.model, o.threads);
  InferRequest request;
  request.rowEnd = subset.rows();
  request.precision = o.f64 ? Precision::F64 : Precision::F32;
  const auto start = std::chrono::steady_clock::now();
  const InferResult expected = cpu->infer(subset, request);
  std::fprintf(stderr, "check: cpu engine on %zu rows in %.1f s\n", rows.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  std::set<uint64_t> alive(categories.begin(), categories.end());
  std::set<uint64_t> cpuAlive;
  for (uint64_t c : expected.categories) cpuAlive.insert(rows[c - 1] + 1);
  Verdict v;
  v.how = how;
  for (uint64_t r : rows) {
    if (alive.count(r + 1) != cpuAlive.count(r + 1)) ++v.mismatches;
  }
  v.passed = v.mismatches == 0;
  return v;
}

Verdict check(const BenchOptions& o, const Workload& w, const std::vector<uint64_t>& categories) {
  const uint64_t rows = w.inputs.rows();
  if (o.check == "none") return {"unchecked", true, 0};
  if (o.check == "truth") {
    const std::vector<uint64_t> truth = readCategories(o.truth, rows);
    Verdict v{"truth file", truth == categories, 0};
    std::set<uint64_t> a(truth.begin(), truth.end()), b(categories.begin(), categories.end());
    for (uint64_t r = 1; r <= rows; ++r) v.mismatches += a.count(r) != b.count(r);
    return v;
  }
  std::vector<uint64_t> sample;
  if (o.check == "cpu" || o.sampleRows >= rows) {
    for (uint64_t r = 0; r < rows; ++r) sample.push_back(r);
    return checkWithCpu(o, w, sample, categories, "cpu engine, all rows");
  }
  // Random rows, plus up to half the sample from the surviving rows (the ones that cost the most).
  SplitMix64 random(o.seed, 0x5eed);
  std::set<uint64_t> chosen;
  const uint64_t survivors = std::min<uint64_t>(categories.size(), o.sampleRows / 2);
  for (uint64_t i = 0; i < survivors; ++i) chosen.insert(categories[random.below(static_cast<uint32_t>(categories.size()))] - 1);
  while (chosen.size() < o.sampleRows) chosen.insert(random.below(static_cast<uint32_t>(rows)));
  sample.assign(chosen.begin(), chosen.end());
  return checkWithCpu(o, w, sample, categories,
                      "cpu engine, sample of " + std::to_string(sample.size()) + " rows incl. " +
                          std::to_string(survivors) + " drawn from surviving rows");
}

void report(const BenchOptions& o, const Workload& w, const Timing& t, bool passed) {
  const char* verdict = !passed ? "FAILED" : o.check == "none" ? "UNCHECKED" : "PASSED";
  const double edges = static_cast<double>(w.inputs.rows()) * static_cast<double>(w.model->totalNnz()) / (t.ms / 1e3);
  const std::string name = o.name.empty() ? "n" + std::to_string(w.model->neurons()) + "-l" + std::to_string(w.model->layerCount()) : o.name;
  std::printf("engine: %s\n", t.kernel.c_str());
  std::printf("RESULT benchmark=%s rows=%llu gpus=%d batch=%llu bps=%llu kernel=%s inputs=%s ms=%.2f gpu_ms=%.2f edges_per_s=%.4g categories=%zu %s\n",
              name.c_str(), static_cast<unsigned long long>(w.inputs.rows()), t.gpus,
              static_cast<unsigned long long>(t.launch.batchRows), static_cast<unsigned long long>(t.launch.blocksPerSm),
              o.engine == "cpu" ? "cpu" : t.launch.kernel.c_str(), t.launch.inputMemory.c_str(), t.ms, t.gpuMs, edges,
              t.categories.size(), verdict);
}

// The checked run's settings: the first of every list.
Launch checked(const BenchOptions& o) {
  return {o.kernels.front(), o.gpus, o.batchRows.front(), o.blocksPerSm.front(), o.inputMemory.front()};
}

// Runs after the checked one, on the same inputs: every other combination of the launch lists (the
// inputs' memory outermost: placed inputs stay placed), then the checked settings on --also-gpus.
std::vector<Launch> variants(const BenchOptions& o) {
  std::vector<Launch> out;
  const Launch first = checked(o);
  for (const std::string& memory : o.inputMemory) {
    for (const std::string& kernel : o.kernels) {
      for (uint64_t batch : o.batchRows) {
        for (uint64_t blocks : o.blocksPerSm) {
          const Launch launch{kernel, o.gpus, batch, blocks, memory};
          if (kernel != first.kernel || batch != first.batchRows || blocks != first.blocksPerSm || memory != first.inputMemory) {
            out.push_back(launch);
          }
        }
      }
    }
  }
  if (!o.alsoGpus.empty()) {
    Launch again = checked(o);
    again.gpus = o.alsoGpus;
    out.push_back(again);
  }
  return out;
}

int run(const BenchOptions& o) {
  Workload w = prepareWorkload(o);
  if (!o.dump.empty()) dumpNpy(w, o.dump);
  if (!o.save.empty() || !o.saveTsv.empty()) {
    saveWorkload(w, o);
    return 0;
  }
  const Timing main = timeEngine(o, w, checked(o));
  const Verdict verdict = check(o, w, main.categories);
  std::printf("check: %s: %llu mismatching rows%s\n", verdict.how.c_str(), static_cast<unsigned long long>(verdict.mismatches),
              main.stable ? "" : "; categories changed between runs");
  const bool passed = verdict.passed && main.stable;
  report(o, w, main, passed);
  bool allPassed = passed;
  for (const Launch& launch : variants(o)) {
    // Passes when it agrees with the checked run.
    const Timing other = timeEngine(o, w, launch);
    const bool same = other.stable && other.categories == main.categories;
    if (!same) std::printf("check: a variant run gave other categories than the checked run\n");
    report(o, w, other, passed && same);
    allPassed = allPassed && same;
  }
  return allPassed ? 0 : 1;
}

}  // namespace
}  // namespace snig::bench

int main(int argc, char** argv) {
  // Modes: the default times one engine on one benchmark; `fast-table` the fast pipeline's table.
  if (argc > 1 && std::string(argv[1]) == "fast-table") return snig::bench::fastTable(argc - 1, argv + 1);
  try {
    return snig::bench::run(snig::bench::parseBenchOptions(argc, argv));
  } catch (const snig::Error& e) {
    std::fprintf(stderr, "snig-bench: %s: %s\n", snig::errorCodeName(e.code()), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "snig-bench: %s\n", e.what());
  }
  return 2;
}
