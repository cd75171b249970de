#include "device_model.hpp"

#include <cstring>
#include <optional>

#include "../../core/structure/saturation.hpp"
#include "general_pipeline.hpp"
#include "kernel_choice.hpp"
#include "padded_layer.hpp"
#include "sliced_layer.hpp"

namespace snig::cuda {
namespace general {
namespace {

// One layer's device arrays packed in one host block (16-byte aligned parts), then copied at once.
class Packer {
 public:
  template <typename T>
  uint64_t add(const std::vector<T>& part) {
    const uint64_t at = (bytes_.size() + 15) / 16 * 16;
    bytes_.resize(at + part.size() * sizeof(T));
    if (!part.empty()) std::memcpy(bytes_.data() + at, part.data(), part.size() * sizeof(T));
    return at;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Where a part packed at `offset` lies in the device block (nullptr when not packed).
template <typename T>
const T* partAt(const DeviceBuffer<uint8_t>& block, const std::optional<uint64_t>& offset) {
  return offset ? reinterpret_cast<const T*>(block.get() + *offset) : nullptr;
}

}  // namespace

DeviceModel::DeviceModel(const Model& model, const LayoutNeeds& needs) {
  const uint32_t n = model.neurons();
  const std::vector<bool> exits = snig::saturatedExits(model);
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const LayerView view = model.layer(l);
    Packer packer;
    // Where each part lands in the block (nullopt: not in it).
    using Part = std::optional<uint64_t>;
    Part start, paddedIndex, paddedValues, slicePtr, slicedIndex, slicedValues, order;
    const auto add = [&](const auto& part) { return part.empty() ? Part() : Part(packer.add(part)); };
    if (needs.padded || (l == 0 && needs.paddedFirst)) {
      const PaddedLayer layout = padLayer(view);
      start = add(layout.start);
      paddedIndex = add(layout.index);
      paddedValues = add(layout.values);
    }
    if (needs.sliced) {
      const SlicedLayer layout = sliceLayer(view);
      slicePtr = add(layout.slicePtr);
      slicedIndex = view.index16 ? add(layout.index16) : add(layout.index32);
      slicedValues = add(layout.values);
      order = add(layout.order);
    }
    std::vector<float> biases(n);
    for (uint32_t j = 0; j < n; ++j) biases[j] = view.biasOf32(j);
    const uint64_t bias = packer.add(biases);
    DeviceBuffer<uint8_t> block(packer.bytes().size());
    copyToDevice(block.get(), packer.bytes().data(), packer.bytes().size());
    Layouts d;
    d.padded.start = partAt<uint32_t>(block, start);
    d.padded.index = partAt<uint16_t>(block, paddedIndex);
    d.padded.values = partAt<float>(block, paddedValues);
    d.sliced.slicePtr = partAt<uint32_t>(block, slicePtr);
    d.sliced.index = partAt<uint8_t>(block, slicedIndex);
    d.sliced.values = partAt<float>(block, slicedValues);
    d.sliced.order = partAt<uint32_t>(block, order);
    for (DeviceLayer* layer : {&d.padded, &d.sliced}) {
      layer->uniform = static_cast<float>(view.uniformValue);
      layer->bias = reinterpret_cast<const float*>(block.get() + bias);
    }
    bytes_ += block.bytes();
    blocks_.push_back(std::move(block));
    layers_.push_back(d);
    saturatedExit_.push_back(exits[l]);
  }
  if (needs.fused) {  // what the fused layers read on the device: every layer, its saturated exit
    std::vector<DeviceLayer> paddedLayers;
    for (const Layouts& d : layers_) paddedLayers.push_back(d.padded);
    paddedLayers_ = DeviceBuffer<DeviceLayer>(paddedLayers.size());
    copyToDevice(paddedLayers_.get(), paddedLayers.data(), paddedLayers.size());
    const std::vector<uint8_t> exitFlags(exits.begin(), exits.end());
    exitsOnDevice_ = DeviceBuffer<uint8_t>(exitFlags.size());
    copyToDevice(exitsOnDevice_.get(), exitFlags.data(), exitFlags.size());
  }
}

}  // namespace general

uint64_t generalModelBytes(const Model& model) {
  using namespace general;
  const bool lines = linesByDefault(model);
  uint64_t bytes = 0;
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const LayerView layer = model.layer(l);
    const uint64_t slices = (layer.n + kSliceWidth - 1) / kSliceWidth;
    const uint64_t widest = maxFanIn(layer);
    // At most: every slice (sliced layout) or output (padded layout, also held where batches may run
    // the tile kernel) as wide as the widest output, with weights (padding needs them).
    const uint64_t sliced = slices * kSliceWidth * widest * (model.indexBytes() + sizeof(float)) + (slices + 1) * 4 +
                            uint64_t{layer.n} * 8 + 5 * 16;
    const uint64_t padded = uint64_t{layer.n} * ((widest + kPadEntries - 1) / kPadEntries * kPadEntries) *
                                (sizeof(uint16_t) + sizeof(float)) + (uint64_t{layer.n} + 1) * 4 + uint64_t{layer.n} * 4 + 4 * 16;
    bytes += (lines ? 0 : sliced) + (tileable(layer.n) || lines || (l == 0 && firstLayerable(layer.n)) ? padded : 0);
  }
  return bytes;
}

}  // namespace snig::cuda
