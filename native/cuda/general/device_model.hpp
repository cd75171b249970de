// The model on one device in the layouts the general pipeline's kernels read: per layer, padded
// (padded_layer.hpp: tile, lines, layer 1 from the input bits, the fused layers) and sliced
// (sliced_layer.hpp: gather, staged), with its per-neuron float32 biases, in one device block; and
// where the fused layers may run, every layer's padded view and saturated exit on the device.
#pragma once

#include <cstdint>
#include <vector>

#include "../../core/model.hpp"
#include "../cuda_raii.hpp"
#include "general_kernels.cuh"

namespace snig::cuda::general {

// What the model is uploaded in (KernelChoice says which its batches need).
struct LayoutNeeds {
  bool padded = false;       // every layer's padded layout
  bool paddedFirst = false;  // layer 0's padded layout (layer 1 from the input bits)
  bool sliced = false;       // every layer's sliced layout
  bool fused = false;        // the fused layers' view (needs padded)
};

class DeviceModel {
 public:
  DeviceModel() = default;  // no layer
  // Uploads `model` to the current device.
  DeviceModel(const Model& model, const LayoutNeeds& needs);

  struct Layouts {
    DeviceLayer padded, sliced;  // a layout not uploaded has null arrays
  };
  const Layouts& layer(uint32_t l) const { return layers_[l]; }
  // Whether every row that is all 32 after layer l stays so to the end (saturation.hpp).
  bool saturatedExit(uint32_t l) const { return saturatedExit_[l]; }
  // The fused layers' view: every layer's padded layout, and the saturated exits as bytes (null
  // unless uploaded for them).
  const DeviceLayer* paddedLayers() const { return paddedLayers_.get(); }
  const uint8_t* saturatedExits() const { return exitsOnDevice_.get(); }
  // Device bytes of the layers' blocks.
  uint64_t bytes() const { return bytes_; }

 private:
  std::vector<Layouts> layers_;
  std::vector<bool> saturatedExit_;
  std::vector<DeviceBuffer<uint8_t>> blocks_;  // per layer
  DeviceBuffer<DeviceLayer> paddedLayers_;
  DeviceBuffer<uint8_t> exitsOnDevice_;
  uint64_t bytes_ = 0;
};

}  // namespace snig::cuda::general
