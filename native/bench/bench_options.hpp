// Command-line options of snig-bench, the standalone benchmark (no node needed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snig::bench {

struct BenchOptions {
  std::string name;            // the benchmark's label in the report (default: n<N>-l<L>)
  // The model: a file/directory, or generated (RadiX-Net) when generateNeurons is set.
  std::string model;
  uint32_t generateNeurons = 0;
  uint32_t layers = 0;         // generated: the layer count; loaded: keep the first `layers` (0: all)
  uint64_t seed = 1;
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
  std::string kernel = "auto";
  std::string weights = "auto";
  std::vector<int> gpus;
  std::vector<int> alsoGpus;   // time again on these GPUs (e.g. 0 alone, for the scaling table)
  // Launch settings, each a list: the first value of each is the checked run; every other
  // combination is timed after it on the same inputs and must give the same categories.
  std::vector<uint64_t> batchRows{0};     // rows per GPU batch (0: from memory)
  std::vector<uint64_t> blocksPerSm{0};   // SNIG kernel: layer blocks per multiprocessor (0: the default)
  bool f64 = false;
  int threads = 0;
  // Timing.
  uint32_t warmup = 1;
  uint32_t repeat = 5;
};

// Parses argv; prints the usage and exits 0 for --help; throws E_ARGUMENT on a bad option.
BenchOptions parseBenchOptions(int argc, char** argv);

}  // namespace snig::bench
