// The "fast" GPU pipeline: inference over the exact neuron-equivalence reduction of the model
// (native/core/structure), with row compaction after every layer and early exit of rows that are
// zero or all-32 for good. See fast_kernels.cuh for the kernels.
#pragma once

#include <memory>

#include "../../core/structure/reduced_network.hpp"
#include "../gpu_pipeline.hpp"

namespace snig::cuda {

// Reduces the model (all cores; or reads its reduction from the cache, reduced_cache.hpp) and prepares
// the fast pipeline on options.device.
std::unique_ptr<GpuPipeline> makeFastPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options);

// For callers that already hold the reduction (the bench reduces once and runs several depths).
std::unique_ptr<GpuPipeline> makeFastPipeline(std::shared_ptr<const ReducedNetwork> network,
                                              const PipelineOptions& options);

}  // namespace snig::cuda
