#include "device_weights.hpp"

#include <cstdio>

#include "../placement.hpp"
#include "device_limits.hpp"

namespace snig::cuda::sectioned {
namespace {

std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

DeviceWeights placeWeights(std::shared_ptr<const HostSections> host, WeightMode mode, uint64_t reserveBytes) {
  DeviceWeights weights;
  weights.host = std::move(host);
  const SectionedLayout& layout = weights.layout();
  if (mode == WeightMode::Auto) {
    const DeviceLimits limits = currentDeviceLimits();
    mode = autoPlacement(layout.totalBytes, reserveBytes, limits.freeBytes);
  }
  weights.streamed = mode == WeightMode::Streamed;
  if (weights.streamed) {
    for (auto& slot : weights.slots) slot = DeviceBuffer<uint8_t>(layout.maxLayerBytes);
  } else {
    weights.resident = DeviceBuffer<uint8_t>(layout.totalBytes);
    if (layout.totalBytes) {
      SNIG_CUDA_CHECK(cudaMemcpy(weights.resident.get(), weights.host->bytes.get(), layout.totalBytes,
                                 cudaMemcpyHostToDevice));
    }
  }
  return weights;
}

std::string describeWeights(const DeviceWeights& weights) {
  if (weights.streamed) {
    return "weights streamed from pinned host memory (" + megabytes(weights.layout().totalBytes) + ", 2 x " +
           megabytes(weights.layout().maxLayerBytes) + " slots)";
  }
  return "weights resident (" + megabytes(weights.layout().totalBytes) + ")";
}

}  // namespace snig::cuda::sectioned
