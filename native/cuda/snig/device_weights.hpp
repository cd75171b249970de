// A pipeline's weights on one device, for a range of layers: either resident (the whole sectioned
// layout uploaded once) or streamed (two device slots that the graph refills from pinned host memory
// while the other slot's layer computes).
#pragma once

#include <memory>
#include <string>

#include "../gpu_pipeline.hpp"
#include "host_sections.hpp"

namespace snig::cuda::sectioned {

struct DeviceWeights {
  std::shared_ptr<const HostSections> host;
  bool streamed = false;
  DeviceBuffer<uint8_t> resident;  // the whole layout, when resident
  DeviceBuffer<uint8_t> slots[2];  // one layer each, when streamed

  const SectionedLayout& layout() const { return host->layout; }
  // Device bytes these weights take.
  uint64_t deviceBytes() const { return streamed ? 2 * layout().maxLayerBytes : layout().totalBytes; }
};

// Uploads (resident) or allocates the slots (streamed) on the current device. `Auto` picks resident
// when the layout plus `reserveBytes` fits the device's free memory.
DeviceWeights placeWeights(std::shared_ptr<const HostSections> host, WeightMode mode, uint64_t reserveBytes);

// "resident, 9.70 GB" / "streamed from pinned host memory, 2 x 5.10 MB slots".
std::string describeWeights(const DeviceWeights& weights);

}  // namespace snig::cuda::sectioned
