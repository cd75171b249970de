// How SNIG's pipeline sizes its sections and batches from a device's limits.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "../../core/error.hpp"

#include "device_limits.hpp"
#include "kernels.cuh"
#include "sections.hpp"

namespace snig::cuda::sectioned {

// Batches never go above this many rows: the kernels' grids put rows on gridDim.y (at most 65535).
// (A 65536-neuron batch of this size takes 34 GB of buffers.)
constexpr uint64_t kMaxBatchRows = 65535;
// Share of the free device memory (after the weights) the batch buffers may take.
constexpr double kBatchMemoryShare = 0.6;
// Weights are resident only if at least a batch of this many rows still fits beside them.
constexpr uint64_t kMinAutoBatchRows = 4096;

// Sections sized for float partial sums with `blocksPerSm` layer blocks per multiprocessor (0: the
// default, kernels.cuh), each block with as many threads as its share of the multiprocessor allows
// (whole warps, at most 1024).
inline SectionPlan planDeviceSections(uint32_t n, const DeviceLimits& limits, uint32_t blocksPerSm) {
  const uint32_t blocks = blocksPerSm ? blocksPerSm : LayerPolicy::kDefaultBlocksPerSm;
  constexpr uint32_t granule = 32 * LayerPolicy::kEdgeThreads;
  const uint32_t threads = std::min(LayerPolicy::kMaxThreads, limits.maxThreadsPerSm / blocks / granule * granule);
  if (threads == 0) {
    throwArgument("SNIG's layer kernel cannot fit " + std::to_string(blocks) + " blocks on one multiprocessor of this GPU");
  }
  SectionPlan plan = planSections(n, limits.smemPerBlockOptin, limits.smemPerSm, blocks, sizeof(float));
  plan.blockThreads = threads;
  return plan;
}

// Device bytes a batch of `rows` rows takes: two dense buffers, their flags, row sums and input.
inline uint64_t batchBytes(const SectionPlan& plan, uint64_t elementBytes, uint64_t rows) {
  return rows * (2 * (uint64_t{plan.n} * elementBytes + plan.sections) + 8 + 8);
}

inline uint64_t defaultBatchRows(const SectionPlan& plan, uint64_t elementBytes, uint64_t freeBytes) {
  const uint64_t perRow = batchBytes(plan, elementBytes, 1);
  const auto fit = static_cast<uint64_t>(static_cast<double>(freeBytes) * kBatchMemoryShare) / perRow;
  return std::max<uint64_t>(1, std::min(kMaxBatchRows, fit));
}

}  // namespace snig::cuda::sectioned
