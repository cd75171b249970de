#include "npy_dump.hpp"

#include <filesystem>
#include <type_traits>
#include <vector>

#include "../core/atomic_file.hpp"

namespace snig::bench {
namespace {

template <typename T>
constexpr const char* npyType() {
  if constexpr (std::is_same_v<T, float>) return "<f4";
  else if constexpr (std::is_same_v<T, uint32_t>) return "<u4";
  else return "<u8";
}

// NumPy format 1.0: magic, header length, a dict padded so the data starts at a multiple of 64.
template <typename T>
void writeNpy(const std::string& path, const std::vector<T>& data) {
  std::string header = std::string("{'descr': '") + npyType<T>() + "', 'fortran_order': False, 'shape': (" +
                       std::to_string(data.size()) + ",), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  const uint16_t length = static_cast<uint16_t>(header.size());
  AtomicFile file(path);
  file.write("\x93NUMPY\x01\x00", 8);
  file.write(&length, sizeof length);
  file.write(header);
  file.write(data.data(), sizeof(T) * data.size());
  file.commit();
}

}  // namespace

void dumpNpy(const Workload& w, const std::string& dir) {
  std::filesystem::create_directories(dir);
  const Model& model = *w.model;
  std::vector<uint64_t> layerNnz;
  std::vector<uint32_t> colptr, index;
  std::vector<float> weight, bias;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const LayerView layer = model.layer(l);
    layerNnz.push_back(layer.nnz);
    colptr.insert(colptr.end(), layer.colptr, layer.colptr + layer.n + 1);
    for (uint64_t k = 0; k < layer.nnz; ++k) {
      index.push_back(layer.input(k));
      weight.push_back(layer.weight(k));
    }
    for (uint32_t j = 0; j < layer.n; ++j) bias.push_back(layer.biasOf32(j));
  }
  writeNpy(dir + "/layer_nnz.npy", layerNnz);
  writeNpy(dir + "/colptr.npy", colptr);
  writeNpy(dir + "/index.npy", index);
  writeNpy(dir + "/weight.npy", weight);
  writeNpy(dir + "/bias.npy", bias);
  writeNpy(dir + "/rowptr.npy", w.inputs.rowptr);
  writeNpy(dir + "/cols.npy", w.inputs.cols);
  writeNpy(dir + "/values.npy", w.inputs.values);
  std::fprintf(stderr, "dump: %s (N=%u, %u layers, %llu rows)\n", dir.c_str(), model.neurons(), model.layerCount(),
               static_cast<unsigned long long>(w.inputs.rows()));
}

}  // namespace snig::bench
