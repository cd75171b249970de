#include "sections.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "../../core/error.hpp"

namespace snig::cuda::sectioned {
namespace {

constexpr uint64_t kAlign = 16;
// Shared memory the runtime reserves per block, plus the kernel's own static flags.
constexpr uint64_t kReservedSmemPerBlock = 1024 + 64;

uint64_t alignUp(uint64_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

}  // namespace

SectionPlan planSections(uint32_t n, uint64_t smemPerBlockOptin, uint64_t smemPerSm, uint32_t blocksPerSm,
                         uint32_t elementBytes) {
  const uint64_t share = std::min(smemPerBlockOptin, smemPerSm / std::max(blocksPerSm, 1u));
  const uint64_t perBlock = share > kReservedSmemPerBlock ? share - kReservedSmemPerBlock : 0;
  const uint64_t maxSection = std::min<uint64_t>(perBlock / elementBytes / 32 * 32, 65536);
  if (maxSection < 32) throwArgument("the GPU's shared memory is too small for SNIG's sections");
  uint64_t sections = (n + maxSection - 1) / maxSection;
  uint64_t size = 0;
  for (;; ++sections) {
    size = ((n + sections - 1) / sections + 31) / 32 * 32;
    if (size <= maxSection) break;
  }
  size = std::min<uint64_t>(size, n);
  SectionPlan plan;
  plan.n = n;
  plan.sectionSize = static_cast<uint32_t>(size);
  plan.sections = static_cast<uint32_t>((n + size - 1) / size);
  plan.blocksPerSm = blocksPerSm;
  return plan;
}

SectionedLayout layoutSections(const Model& model, const SectionPlan& plan, uint32_t first, uint32_t last) {
  SectionedLayout layout;
  layout.plan = plan;
  uint64_t offset = 0;
  for (uint32_t l = first; l < last; ++l) {
    const LayerInfo& info = model.layers().at(l);
    SectionedLayer layer;
    layer.offset = offset;
    layer.nnz = info.nnz;
    layer.bias = info.bias;
    layer.uniform = info.uniform;
    layer.uniformValue = info.uniform ? info.uniformValue : 0.0;
    layer.idxOffset = alignUp((uint64_t{plan.sections} * plan.n + 1) * 4);
    uint64_t bytes = alignUp(layer.idxOffset + info.nnz * 2);
    if (!info.uniform) {
      layer.valOffset = bytes;
      bytes = alignUp(bytes + info.nnz * 4);
    }
    if (info.values64) {
      layer.val64Offset = bytes;
      bytes = alignUp(bytes + info.nnz * 8);
    }
    if (info.biasVector) {
      layer.biasOffset = bytes;
      bytes = alignUp(bytes + uint64_t{plan.n} * 8);
    }
    layer.bytes = bytes;
    offset += bytes;
    layout.maxLayerBytes = std::max(layout.maxLayerBytes, bytes);
    layout.layers.push_back(layer);
  }
  layout.totalBytes = offset;
  return layout;
}

void fillSections(const Model& model, uint32_t firstLayer, const SectionedLayout& layout, uint8_t* dest) {
  const SectionPlan plan = layout.plan;
  const uint64_t slots = uint64_t{plan.sections} * plan.n;
  const int64_t count = static_cast<int64_t>(layout.layers.size());
#pragma omp parallel
  {
    std::vector<uint32_t> cursor(slots + 1);
#pragma omp for schedule(dynamic, 1)
    for (int64_t i = 0; i < count; ++i) {
      const SectionedLayer& out = layout.layers[static_cast<size_t>(i)];
      const LayerView in = model.layer(firstLayer + static_cast<uint32_t>(i));
      uint8_t* block = dest + out.offset;
      std::memset(block, 0, out.bytes);
      auto* ptr = reinterpret_cast<uint32_t*>(block);
      auto* idx = reinterpret_cast<uint16_t*>(block + out.idxOffset);
      auto* val = out.uniform ? nullptr : reinterpret_cast<float*>(block + out.valOffset);
      auto* val64 = out.val64Offset ? reinterpret_cast<double*>(block + out.val64Offset) : nullptr;
      if (out.biasOffset) std::copy(in.biases, in.biases + plan.n, reinterpret_cast<double*>(block + out.biasOffset));
      // Count the edges of every (section, input), then turn the counts into offsets.
      std::fill(cursor.begin(), cursor.end(), 0u);
      for (uint32_t j = 0; j < plan.n; ++j) {
        const uint64_t base = uint64_t{j / plan.sectionSize} * plan.n;
        for (uint64_t k = in.colptr[j]; k < in.colptr[j + 1]; ++k) ++cursor[base + in.input(k)];
      }
      uint32_t running = 0;
      for (uint64_t s = 0; s < slots; ++s) {
        ptr[s] = running;
        running += cursor[s];
        cursor[s] = ptr[s];
      }
      ptr[slots] = running;
      // Outputs ascend within each (section, input), as j ascends.
      for (uint32_t j = 0; j < plan.n; ++j) {
        const uint32_t section = j / plan.sectionSize;
        const uint64_t base = uint64_t{section} * plan.n;
        const auto local = static_cast<uint16_t>(j - section * plan.sectionSize);
        for (uint64_t k = in.colptr[j]; k < in.colptr[j + 1]; ++k) {
          const uint32_t pos = cursor[base + in.input(k)]++;
          idx[pos] = local;
          if (val) val[pos] = in.values[k];
          if (val64) val64[pos] = in.values64[k];
        }
      }
    }
  }
}

}  // namespace snig::cuda::sectioned
