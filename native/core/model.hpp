// The in-memory sparse DNN model. Every layer is an N×N sparse matrix stored by output neuron
// (compressed sparse columns of W, where W[i][j] links input i to output j), plus its bias: one
// scalar, or one value per output neuron.
//
// Weights and biases are kept as the doubles parsed from their text, so the float64 engines compute
// the challenge's double-precision function; the float32 engines use float(w) and float(b).
//
// Each layer's arrays live in one block laid out exactly as in the binary model file
// (model_binary.hpp), so loading is one read per layer and the CUDA engine uploads a layer without
// reshuffling. A layer block:
//   colptr[N+1] (u32) | index[nnz] (u16 when N <= 65536, else u32) | pad to 8
//   | values[nnz] (f32) | pad to 8          -- omitted when uniform
//   | values64[nnz] (f64)                    -- only when some weight is not exactly a float
//   | biases[N] (f64)                        -- only with per-neuron biases
// `values` is omitted when every weight of the layer is equal (the challenge's 0.0625), which makes
// a 65536x1920 challenge model 2.1 bytes per edge.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace snig {

// Shape of a layer to allocate: its edge count and which arrays its block holds.
struct LayerShape {
  uint64_t nnz = 0;
  bool uniform = false;     // every weight equals uniformValue: no values arrays
  bool values64 = false;    // the exact weights as doubles beside their floats (not when uniform)
  bool biasVector = false;  // one bias per output neuron instead of the scalar
};

struct LayerInfo : LayerShape {
  double bias = 0;          // the scalar bias (unused by a layer with a bias vector)
  double uniformValue = 0;
};

// A read-only view of one layer. input(k) is the input neuron of the k-th stored weight.
// The float32 engines read `values`/`uniformValue` rounded to float and float(bias) (weight(),
// biasOf32()); the float64 engines read weight64() and biasOf().
struct LayerView {
  uint32_t n = 0;
  double bias = 0;                     // the scalar bias; see biases
  uint64_t nnz = 0;
  const uint32_t* colptr = nullptr;    // n + 1 entries
  const uint16_t* index16 = nullptr;   // set when the model uses 2-byte indices
  const uint32_t* index32 = nullptr;   // set when the model uses 4-byte indices
  const float* values = nullptr;       // nullptr when uniform
  const double* values64 = nullptr;    // the exact weights; nullptr when every weight is a float
  const double* biases = nullptr;      // n per-neuron biases; nullptr when the scalar applies
  double uniformValue = 0;

  bool uniform() const { return values == nullptr; }
  uint32_t input(uint64_t k) const { return index16 ? index16[k] : index32[k]; }
  float weight(uint64_t k) const { return values ? values[k] : static_cast<float>(uniformValue); }
  double weight64(uint64_t k) const { return values64 ? values64[k] : values ? values[k] : uniformValue; }
  double biasOf(uint32_t j) const { return biases ? biases[j] : bias; }
  float biasOf32(uint32_t j) const { return static_cast<float>(biasOf(j)); }
};

class Model {
 public:
  static constexpr uint32_t kMaxShortIndexN = 65536;

  // An empty model of n neurons; add layers with addLayer.
  explicit Model(uint32_t n);
  // Appends a layer of the given shape (contents uninitialised: fill it through the mutable views)
  // and returns its number.
  uint32_t addLayer(const LayerShape& shape, double bias);
  Model(Model&&) = default;
  Model& operator=(Model&&) = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  uint32_t neurons() const { return n_; }
  uint32_t layerCount() const { return static_cast<uint32_t>(layers_.size()); }
  uint32_t indexBytes() const { return n_ <= kMaxShortIndexN ? 2 : 4; }
  uint64_t totalNnz() const;
  bool hasBiasVectors() const;  // does some layer have per-neuron biases?
  const std::vector<LayerInfo>& layers() const { return layers_; }

  LayerView layer(uint32_t l) const;

  // Writable access while building. Set bias/uniformValue through these, then call seal().
  LayerInfo& info(uint32_t l) { return layers_.at(l); }
  uint32_t* colptr(uint32_t l);
  uint16_t* index16(uint32_t l);
  uint32_t* index32(uint32_t l);
  float* values(uint32_t l);
  double* values64(uint32_t l);
  double* biases(uint32_t l);

  // Computes the checksum over N, the layer table and every layer block; call once the model is
  // complete (truncate and setBias call it again).
  void seal();
  uint32_t checksum() const { return checksum_; }

  // Defers the layer blocks: `checksum` is what the blocks will seal to, and `fill` reads them into
  // the given blocks (blockBytes(l) each), seals the model and checks it, throwing on a bad source;
  // it runs once, when the first block is needed (anything but the shape, biases and checksum), or
  // at load(). A binary model opened lazily (model_io.hpp) costs nothing until then, so an engine
  // that needs only the checksum (the fast kernel with its reduction cached) never reads the layers.
  using BlockFill = std::function<void(Model& model, const std::vector<uint8_t*>& blocks)>;
  void deferBlocks(uint32_t checksum, BlockFill fill);
  // Reads deferred blocks now (on all cores: call it outside parallel regions before a parallel use).
  void load() const;

  // The raw block of a layer: layerBytes(n, shape) bytes laid out as described above.
  const uint8_t* block(uint32_t l) const;
  uint8_t* block(uint32_t l);
  uint64_t blockBytes(uint32_t l) const;

  // Keeps only the first `count` layers (for --layers smaller than the model).
  void truncate(uint32_t count);
  // Replaces the scalar bias of every layer (for --bias on a model that stores another one); layers
  // with a bias vector keep it.
  void setBias(double bias);

  // Bytes a layer block of this shape takes.
  static uint64_t layerBytes(uint32_t n, const LayerShape& shape);

 private:
  struct Deferred {
    BlockFill fill;
    std::recursive_mutex mutex;  // the fill's own checks may ask for blocks again (see load)
    std::atomic<bool> loaded{false};
    bool loading = false;
  };
  LayerView view(uint32_t l) const;  // without loading

  uint32_t n_ = 0;
  std::vector<LayerInfo> layers_;
  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
  uint32_t checksum_ = 0;
  std::unique_ptr<Deferred> deferred_;  // null: the blocks are in memory
};

// The challenge's bias for its four network sizes (the doubles -0.3 .. -0.45): true and *bias set,
// or false for any other N.
bool challengeBias(uint32_t n, double* bias);

}  // namespace snig
