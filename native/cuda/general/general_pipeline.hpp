// The "general" GPU pipeline: the model's layers as they are (no structure needed), row tiles
// compacted after every layer, dead and saturated rows leaving early. See general_kernels.cuh.
#pragma once

#include <memory>

#include "../gpu_pipeline.hpp"

namespace snig::cuda {

// Device bytes the general pipeline keeps for the model (sliced layers, per-neuron biases, output
// orders), at most.
uint64_t generalModelBytes(const Model& model);

std::unique_ptr<GpuPipeline> makeGeneralPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options);

}  // namespace snig::cuda
