// The official TSV layout: `n<N>-l<k>.tsv[.gz]`, lines `i<TAB>j<TAB>w` (1-based, i = input neuron,
// j = output neuron), in any order; optionally `n<N>-l<k>-bias.tsv[.gz]` beside a layer, N lines of
// one bias each (line j: output neuron j).
#include <omp.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <regex>

#include "atomic_file.hpp"
#include "error.hpp"
#include "model_io.hpp"
#include "tsv_triplets.hpp"

namespace snig {
namespace {

namespace fs = std::filesystem;

struct LayerFiles {
  fs::path dir;
  uint32_t n = 0;
  std::map<uint32_t, fs::path> byLayer;  // k -> file
  std::map<uint32_t, fs::path> biasByLayer;  // k -> bias file, where one exists
};

struct ParsedLayer {
  Compressed<double> columns;  // by output neuron: input neurons ascending, their weights
  std::vector<double> biases;  // empty: the scalar bias
};

// Finds the layer files in `dir`, or in its `neuron<N>` subdirectory.
LayerFiles findLayerFiles(const fs::path& dir) {
  static const std::regex pattern(R"(n(\d+)-l(\d+)(-bias)?\.tsv(\.gz)?)");
  LayerFiles found;
  found.dir = dir;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::smatch match;
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !std::regex_match(name, match, pattern)) continue;
    const auto n = static_cast<uint32_t>(std::stoul(match[1]));
    const auto k = static_cast<uint32_t>(std::stoul(match[2]));
    if (found.n != 0 && n != found.n) {
      throwFormat(dir.string(), 0, "layer files for different N (" + std::to_string(found.n) + " and " +
                                       std::to_string(n) + ")");
    }
    found.n = n;
    auto& files = match[3].matched ? found.biasByLayer : found.byLayer;
    auto [it, inserted] = files.emplace(k, entry.path());
    if (!inserted && !match[4].matched) it->second = entry.path();  // prefer the plain .tsv
  }
  if (ec) throwIo(dir.string(), "cannot list directory: " + ec.message());
  if (!found.byLayer.empty()) return found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory() && std::regex_match(entry.path().filename().string(), std::regex(R"(neuron\d+)"))) {
      return findLayerFiles(entry.path());
    }
  }
  throwFormat(dir.string(), 0, "no layer files (n<N>-l<k>.tsv or .tsv.gz) found");
}

Compressed<double> parseLayer(const std::string& path, uint32_t n, const ChunkOptions& chunking) {
  // Key: the 0-based output neuron; index: the 0-based input neuron.
  const Triplets<double> entries = readTriplets<double>(path, chunking, {"input neuron", n, "output neuron", n, "weight", true});
  if (entries.keys == 0) throwFormat(path, 0, "empty layer file (no weights)");
  Compressed<double> columns = bucketSort(entries.chunks, n, chunking.threads > 0 ? chunking.threads : omp_get_max_threads());
  if (columns.duplicated) throwDuplicate(path, uint64_t{columns.duplicateIndex} + 1, uint64_t{columns.duplicateKey} + 1);
  return columns;
}

// One bias per line, exactly n lines.
std::vector<double> parseBiases(const std::string& path, uint32_t n) {
  TextReader reader(path);
  std::vector<double> biases;
  biases.reserve(n);
  std::string_view line;
  std::string_view field;
  while (reader.next(&line)) {
    reader.split(line, &field, 1);
    if (biases.size() == n) reader.fail("more than " + std::to_string(n) + " biases (one per neuron)");
    biases.push_back(reader.number(field, "bias"));
  }
  if (biases.size() != n) {
    throwFormat(path, 0, "expected " + std::to_string(n) + " biases (one per neuron), found " + std::to_string(biases.size()));
  }
  return biases;
}

void fillLayer(Model& model, uint32_t l, const Compressed<double>& columns) {
  const uint32_t n = model.neurons();
  uint32_t* colptr = model.colptr(l);
  for (uint32_t j = 0; j <= n; ++j) colptr[j] = static_cast<uint32_t>(columns.ptr[j]);
  uint16_t* index16 = model.indexBytes() == 2 ? model.index16(l) : nullptr;
  uint32_t* index32 = index16 ? nullptr : model.index32(l);
  float* values = model.info(l).uniform ? nullptr : model.values(l);
  double* values64 = model.values64(l);
  for (size_t k = 0; k < columns.index.size(); ++k) {
    if (index16) index16[k] = static_cast<uint16_t>(columns.index[k]);
    else index32[k] = columns.index[k];
    if (values) values[k] = static_cast<float>(columns.value[k]);
    if (values64) values64[k] = columns.value[k];
  }
  if (!values) model.info(l).uniformValue = columns.value[0];
}

// The arrays a parsed layer needs: values unless every weight is equal, values64 unless every
// weight is exactly a float, a bias vector when it has a bias file.
LayerShape shapeOf(const ParsedLayer& layer) {
  const auto& weights = layer.columns.value;
  LayerShape shape;
  shape.nnz = weights.size();
  shape.uniform = std::all_of(weights.begin(), weights.end(), [&](double w) { return w == weights[0]; });
  shape.values64 = !std::all_of(weights.begin(), weights.end(), [](double w) { return static_cast<double>(static_cast<float>(w)) == w; });
  shape.biasVector = !layer.biases.empty();
  return shape;
}

// `value` as text that reads back as the same double: the official files' %e where that is exact,
// else the shortest round-trip form.
void appendNumber(std::string& text, double value) {
  char buffer[32];
  int length = std::snprintf(buffer, sizeof buffer, "%e", value);
  if (std::strtod(buffer, nullptr) != value) {
    length = static_cast<int>(std::to_chars(buffer, buffer + sizeof buffer, value).ptr - buffer);
  }
  text.append(buffer, static_cast<size_t>(length));
}

}  // namespace

Model readModelTsv(const std::string& dir, uint32_t layers, double bias, bool hasBias, const ChunkOptions& chunking) {
  const LayerFiles files = findLayerFiles(dir);
  const uint32_t n = files.n;
  const uint32_t count = layers ? layers : files.byLayer.rbegin()->first;
  bool everyBiasFile = true;
  for (uint32_t k = 1; k <= count; ++k) everyBiasFile = everyBiasFile && files.biasByLayer.count(k);
  if (!hasBias && !challengeBias(n, &bias) && !everyBiasFile) {
    throwArgument("N = " + std::to_string(n) + " is not a challenge size: give the bias (--bias) or a bias file per layer");
  }
  std::vector<std::string> paths(count);
  for (uint32_t k = 1; k <= count; ++k) {
    auto it = files.byLayer.find(k);
    if (it == files.byLayer.end()) {
      const fs::path expected = files.dir / ("n" + std::to_string(n) + "-l" + std::to_string(k) + ".tsv");
      throwFormat(expected.string(), 0, "missing layer file (layers 1.." + std::to_string(count) +
                                            " are needed; neither .tsv nor .tsv.gz exists)");
    }
    paths[k - 1] = it->second.string();
  }

  // Parse a wave of layers in parallel, then append them in order; waves bound the memory held.
  // Fewer layers than cores: one layer at a time, each on all cores (cut into chunks).
  Model model(n);
  const int cores = chunking.threads > 0 ? chunking.threads : omp_get_max_threads();
  const int workers = count >= static_cast<uint32_t>(cores) ? cores : 1;
  const ChunkOptions layerChunking{workers == 1 ? cores : 1, chunking.chunkBytes};
  for (uint32_t first = 0; first < count; first += static_cast<uint32_t>(workers)) {
    const uint32_t last = std::min<uint32_t>(count, first + static_cast<uint32_t>(workers));
    std::vector<ParsedLayer> parsed(last - first);
    std::vector<std::exception_ptr> errors(last - first);
#pragma omp parallel for num_threads(workers) schedule(dynamic, 1)
    for (uint32_t k = first; k < last; ++k) {
      try {
        parsed[k - first].columns = parseLayer(paths[k], n, layerChunking);
        const auto biasFile = files.biasByLayer.find(k + 1);
        if (biasFile != files.biasByLayer.end()) parsed[k - first].biases = parseBiases(biasFile->second.string(), n);
      } catch (...) {
        errors[k - first] = std::current_exception();
      }
    }
    for (const auto& error : errors) {
      if (error) std::rethrow_exception(error);  // the first failing layer, in layer order
    }
    for (uint32_t k = first; k < last; ++k) {
      const ParsedLayer& layer = parsed[k - first];
      const uint32_t l = model.addLayer(shapeOf(layer), layer.biases.empty() ? bias : 0.0);
      fillLayer(model, l, layer.columns);
      if (!layer.biases.empty()) std::copy(layer.biases.begin(), layer.biases.end(), model.biases(l));
    }
  }
  model.seal();
  return model;
}

void writeModelTsv(const Model& model, const std::string& dir, bool gzip) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throwIo(dir, "cannot create directory: " + ec.message());
  const uint32_t n = model.neurons();
  std::vector<std::exception_ptr> errors(model.layerCount());
#pragma omp parallel for schedule(dynamic, 1)
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    try {
      const LayerView layer = model.layer(l);
      const std::string stem = "n" + std::to_string(n) + "-l" + std::to_string(l + 1);
      const std::string suffix = gzip ? ".tsv.gz" : ".tsv";
      AtomicFile out((fs::path(dir) / (stem + suffix)).string(), gzip);
      std::string text;
      std::string uniform;  // a uniform layer's weight, formatted once
      if (layer.uniform()) appendNumber(uniform, layer.uniformValue);
      char line[32];
      for (uint32_t j = 0; j < n; ++j) {
        for (uint64_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k) {
          const int length = std::snprintf(line, sizeof line, "%u\t%u\t", layer.input(k) + 1, j + 1);
          text.append(line, static_cast<size_t>(length));
          if (layer.uniform()) text += uniform;
          else appendNumber(text, layer.weight64(k));
          text += '\n';
        }
        out.writeWhenLarge(text);
      }
      out.write(text);
      out.commit();
      if (layer.biases) {
        AtomicFile biases((fs::path(dir) / (stem + "-bias" + suffix)).string(), gzip);
        std::string lines;
        for (uint32_t j = 0; j < n; ++j) {
          appendNumber(lines, layer.biases[j]);
          lines += '\n';
        }
        biases.write(lines);
        biases.commit();
      }
    } catch (...) {
      errors[l] = std::current_exception();
    }
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace snig
