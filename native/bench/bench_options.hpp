// Command-line options of snig-bench, the standalone benchmark (no node needed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snig::bench {

struct BenchOptions {
  std::string name;            // the benchmark's label in the report (default: n<N>-l<L>)
  // The model: a file/directory, or generated when generateNeurons is set.
  std::string model;
  uint32_t generateNeurons = 0;
  uint32_t layers = 0;         // generated: the layer count; loaded: keep the first `layers` (0: all)
  uint64_t seed = 1;
  // Generated: a RadiX-Net ("radix", the challenge's bias) or a network without structure ("random").
  std::string structure = "radix";
  uint32_t fanInMin = 32;      // random: inputs per neuron, drawn from [min, max]
  uint32_t fanInMax = 32;
  std::string randomWeights = "uniform";  // random: uniform | positive | mixed
  bool hasBias = false;        // random: this bias, else bisected so that `survive` of the rows survive
  float bias = 0;
  double surviveLow = 0.015;
  double surviveHigh = 0.025;
  uint64_t biasSampleRows = 1000;  // random: the first rows of the inputs, for the bisection
  // The inputs: a file, or generated from `source` images when `inputs` is empty.
  std::string inputs;
  std::string source = "data/hpec-1024/sparse-images-1024-first1200.tsv.gz";
  uint64_t rows = 0;           // 0: every row of the input file (generated: 60000)
  // Checking: a truth file, or the CPU engine on every row ("cpu") or on a sample ("sample").
  std::string truth;
  std::string check = "none";  // none | truth | cpu | sample
  uint64_t sampleRows = 1000;
  // The engine.
  std::string engine = "cuda"; // cuda | cpu
  std::vector<std::string> kernels{"auto"};  // the first is checked; the others must agree with it
  std::string weights = "auto";
  std::vector<int> gpus;
  std::vector<int> alsoGpus;   // time again on these GPUs (e.g. 0 alone, for the scaling table)
  // Launch settings, each a list: the first value of each is the checked run; every other
  // combination is timed after it on the same inputs and must give the same categories.
  std::vector<uint64_t> batchRows{0};     // rows per GPU batch (0: from memory)
  std::vector<uint64_t> blocksPerSm{0};   // SNIG kernel: layer blocks per multiprocessor (0: the default)
  // Where the inputs lie for the timed calls: "pageable" (as loaded or generated), then "pinned"
  // (placed by Engine::placeInputs, once, before the engine's first call); a list times each in turn.
  std::vector<std::string> inputMemory{"pageable"};
  bool f64 = false;
  int threads = 0;
  uint32_t starts = 1;         // engines built in turn (the last one is timed)
  std::string dump;            // write the workload as .npy files here first (for peers on the same data)
  std::string save;            // write the workload in the binary formats here, then exit
  std::string saveTsv;         // write it in the official TSV layout here, then exit
  bool tsvGzip = false;        // that layout's layers gzipped (.tsv.gz)
  // Timing.
  uint32_t warmup = 1;
  uint32_t repeat = 5;
};

// Parses argv; prints the usage and exits 0 for --help; throws E_ARGUMENT on a bad option.
BenchOptions parseBenchOptions(int argc, char** argv);

}  // namespace snig::bench
