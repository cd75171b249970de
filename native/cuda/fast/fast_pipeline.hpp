// The "fast" GPU pipeline: inference over the exact neuron-equivalence reduction of the model
// (native/core/structure), with row compaction after every layer and early exit of rows that are
// zero or all-32 for good. See fast_kernels.cuh for the kernels.
#pragma once

#include <memory>

#include "../../core/structure/reduced_network.hpp"
#include "../gpu_pipeline.hpp"

namespace snig::cuda {

// The fast pipeline on options.device, over a reduction of the model (reduced_network.hpp) that the
// caller holds: the CUDA engine makes it once for all its GPUs, the bench once for several depths.
std::unique_ptr<GpuPipeline> makeFastPipeline(std::shared_ptr<const ReducedNetwork> network,
                                              const PipelineOptions& options);

}  // namespace snig::cuda
