#include "bench_options.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <tuple>
#include <utility>

#include "../core/error.hpp"
#include "option_text.hpp"

namespace snig::bench {
namespace {

constexpr const char* kUsage = R"(snig-bench: time one engine on one benchmark and check its categories.

Model (one of):
  --model PATH            binary model file, or a directory of official n<N>-l<k>.tsv[.gz] layers
  --generate N            a generated network of N neurons (with --layers, --seed)
  --structure radix|random  radix: a RadiX-Net with the challenge's bias [radix]; random: every neuron
                          reads --fan-in distinct random inputs, --random-weights, one bias for all
                          layers (--bias, or bisected on the first --bias-sample input rows so that
                          --survive of them survive the last layer)
  --fan-in K|A-B          random: inputs per neuron, or drawn from [A, B] [32]
  --random-weights W      random: uniform (1/16) | positive | mixed [uniform]
  --bias B                random: the bias (skips the bisection)
  --survive A-B           random: share of rows to survive, for the bisection [0.015-0.025]
  --bias-sample S         random: rows the bisection runs on [1000]
  --layers L              layers to generate, or the first L layers of a loaded model
Inputs (one of):
  --input PATH            sparse-images TSV (row, col, value; 1-based) or binary inputs (.snigrows)
  (none)                  generated from --source images (augmented, --seed), --rows of them
  --source PATH           seed images for generation [data/hpec-1024/sparse-images-1024-first1200.tsv.gz]
  --rows R                rows to use (default: all of the file; generated: 60000)
Check:
  --truth PATH            category file to compare with (implies --check truth)
  --check MODE            none (the RESULT says UNCHECKED) | truth | cpu (CPU engine on every row)
                          | sample (CPU on a sample) [none]
  --sample K              rows for --check sample (random ones plus surviving ones) [1000]
Engine:
  --engine cuda|cpu       [cuda]
  --kernel K[,K...]       auto | snig | fast | general [auto]; with a list, the first is checked and
                          the others are timed on the same inputs and must agree with it
  --weights auto|resident|streamed|partitioned [auto]
  --gpus 0,1,...          GPUs to use [all]
  --also-gpus 0,...       then time again on these GPUs (same inputs and check; one more RESULT line)
  --batch R[,R...]        rows per GPU batch [0: from memory]
  --blocks-per-sm B[,B...] SNIG kernel: layer blocks per multiprocessor [0: default, 3]
                          (with lists, the first values give the checked run; every other
                          combination is timed too and must agree with it: one RESULT line each)
  --input-memory M[,M...]  where the inputs lie for the timed calls: pageable (as loaded) | pinned
                          (the CUDA engine places them in page-locked memory once, before its first
                          call; timed and reported) [pageable]; a list times each, pageable first
  --f64                   infer in float64
  --threads T             CPU threads [all]
  --starts S              build the engine S times and report each start (a later one reads the
                          reduction the first saved in the cache) [1]
  --dump DIR              first write the model and inputs as NumPy files there (for the cuSPARSE peer)
  --save DIR              write the model and inputs in the binary formats there (model.snig,
                          inputs.snigrows), then exit
  --save-tsv DIR          write them in the official TSV layout there (neuron<N>/n<N>-l<k>.tsv,
                          sparse-images-<N>.tsv), then exit
  --tsv-gzip              with --save-tsv: the layers gzipped (n<N>-l<k>.tsv.gz, as the official
                          archives hold them and the readers accept), the input rows plain
Timing:
  --warmup W              untimed runs first [1]
  --repeat R              timed runs; the median is reported [5]
  --name NAME             label of the benchmark [n<N>-l<L>]
)";

// "A-B" (or "A" alone: A-A) as two numbers.
template <typename T>
std::pair<T, T> toRange(const std::string& flag, const std::string& text, T (*parse)(const std::string&, const std::string&)) {
  const size_t dash = text.find('-');
  if (dash == std::string::npos) {
    const T value = parse(flag, text);
    return {value, value};
  }
  return {parse(flag, text.substr(0, dash)), parse(flag, text.substr(dash + 1))};
}

double toReal(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throwArgument("option " + flag + " expects a number, got \"" + text + "\"");
  return value;
}

uint32_t toCount(const std::string& flag, const std::string& text) { return static_cast<uint32_t>(toNumber(flag, text)); }

std::vector<std::string> toWords(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0;;) {
    const size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::vector<int> toList(const std::string& flag, const std::string& text) {
  std::vector<int> out;
  for (uint64_t value : toNumbers(flag, text)) out.push_back(static_cast<int>(value));
  return out;
}

}  // namespace

BenchOptions parseBenchOptions(int argc, char** argv) {
  BenchOptions o;
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, bool*> switches = {{"--f64", &o.f64}, {"--tsv-gzip", &o.tsvGzip}};  // flags without a value
  const std::map<std::string, Setter> valued = {
      {"--name", [&](const std::string& v) { o.name = v; }},
      {"--model", [&](const std::string& v) { o.model = v; }},
      {"--generate", [&](const std::string& v) { o.generateNeurons = static_cast<uint32_t>(toNumber("--generate", v)); }},
      {"--layers", [&](const std::string& v) { o.layers = static_cast<uint32_t>(toNumber("--layers", v)); }},
      {"--seed", [&](const std::string& v) { o.seed = toNumber("--seed", v); }},
      {"--input", [&](const std::string& v) { o.inputs = v; }},
      {"--source", [&](const std::string& v) { o.source = v; }},
      {"--rows", [&](const std::string& v) { o.rows = toNumber("--rows", v); }},
      {"--truth", [&](const std::string& v) { o.truth = v; o.check = "truth"; }},
      {"--check", [&](const std::string& v) { o.check = v; }},
      {"--sample", [&](const std::string& v) { o.sampleRows = toNumber("--sample", v); }},
      {"--engine", [&](const std::string& v) { o.engine = v; }},
      {"--kernel", [&](const std::string& v) { o.kernels = toWords(v); }},
      {"--structure", [&](const std::string& v) { o.structure = v; }},
      {"--fan-in", [&](const std::string& v) { std::tie(o.fanInMin, o.fanInMax) = toRange<uint32_t>("--fan-in", v, toCount); }},
      {"--random-weights", [&](const std::string& v) { o.randomWeights = v; }},
      {"--bias", [&](const std::string& v) { o.bias = static_cast<float>(toReal("--bias", v)); o.hasBias = true; }},
      {"--survive", [&](const std::string& v) { std::tie(o.surviveLow, o.surviveHigh) = toRange<double>("--survive", v, toReal); }},
      {"--bias-sample", [&](const std::string& v) { o.biasSampleRows = toNumber("--bias-sample", v); }},
      {"--weights", [&](const std::string& v) { o.weights = v; }},
      {"--gpus", [&](const std::string& v) { o.gpus = toList("--gpus", v); }},
      {"--also-gpus", [&](const std::string& v) { o.alsoGpus = toList("--also-gpus", v); }},
      {"--batch", [&](const std::string& v) { o.batchRows = toNumbers("--batch", v); }},
      {"--blocks-per-sm", [&](const std::string& v) { o.blocksPerSm = toNumbers("--blocks-per-sm", v); }},
      {"--input-memory", [&](const std::string& v) { o.inputMemory = toWords(v); }},
      {"--dump", [&](const std::string& v) { o.dump = v; }},
      {"--starts", [&](const std::string& v) { o.starts = std::max<uint32_t>(1, toCount("--starts", v)); }},
      {"--save", [&](const std::string& v) { o.save = v; }},
      {"--save-tsv", [&](const std::string& v) { o.saveTsv = v; }},
      {"--threads", [&](const std::string& v) { o.threads = static_cast<int>(toNumber("--threads", v)); }},
      {"--warmup", [&](const std::string& v) { o.warmup = static_cast<uint32_t>(toNumber("--warmup", v)); }},
      {"--repeat", [&](const std::string& v) { o.repeat = static_cast<uint32_t>(toNumber("--repeat", v)); }},
  };
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (const auto on = switches.find(flag); on != switches.end()) {
      *on->second = true;
      continue;
    }
    const auto found = valued.find(flag);
    if (found == valued.end()) throwArgument("unknown option " + flag + " (see --help)");
    if (i + 1 >= argc) throwArgument("option " + flag + " needs a value");
    found->second(argv[++i]);
  }
  if (o.model.empty() == (o.generateNeurons == 0)) throwArgument("give exactly one of --model and --generate");
  if (o.generateNeurons && o.layers == 0) throwArgument("--generate needs --layers");
  if (o.tsvGzip && o.saveTsv.empty()) throwArgument("--tsv-gzip goes with --save-tsv");
  if (o.check != "none" && o.check != "truth" && o.check != "cpu" && o.check != "sample") {
    throwArgument("--check must be none, truth, cpu or sample");
  }
  if (o.check == "truth" && o.truth.empty()) throwArgument("--check truth needs --truth PATH");
  if (o.structure != "radix" && o.structure != "random") throwArgument("--structure must be radix or random");
  if (!(o.surviveLow > 0 && o.surviveLow <= o.surviveHigh && o.surviveHigh < 1)) {
    throwArgument("--survive needs 0 < A <= B < 1");
  }
  if (o.engine != "cuda" && o.engine != "cpu") throwArgument("--engine must be cuda or cpu");
  if (o.repeat == 0) throwArgument("--repeat must be at least 1");
  // Placing the inputs is one way: pinned rows stay pinned for the runs after.
  const auto pinned = std::find(o.inputMemory.begin(), o.inputMemory.end(), "pinned");
  if (std::any_of(o.inputMemory.begin(), o.inputMemory.end(), [](const std::string& m) { return m != "pageable" && m != "pinned"; }) ||
      std::find(pinned, o.inputMemory.end(), "pageable") != o.inputMemory.end()) {
    throwArgument("--input-memory takes pageable and pinned, pageable first");
  }
  if (pinned != o.inputMemory.end() && o.engine != "cuda") throwArgument("--input-memory pinned is for the CUDA engine");
  return o;
}

}  // namespace snig::bench
