// The sectioned layout of a model's layers in page-locked host memory, built once and shared by every
// pipeline that asks for the same (model, plan, layers) while any of them holds it: the source of
// resident uploads and of the streamed weights' copies.
#pragma once

#include <memory>

#include "../cuda_raii.hpp"
#include "sections.hpp"

namespace snig::cuda::sectioned {

struct HostSections {
  SectionedLayout layout;
  PinnedBuffer<uint8_t> bytes;
};

std::shared_ptr<const HostSections> sharedHostSections(const std::shared_ptr<const Model>& model,
                                                       const SectionPlan& plan, uint32_t firstLayer,
                                                       uint32_t lastLayer);

}  // namespace snig::cuda::sectioned
