// SNIG's decomposition of the model across GPUs: when the layers do not fit one GPU, each GPU keeps
// a contiguous range of layers resident (one graph per GPU for its range) and row micro-batches flow
// through the GPUs as a pipeline, the dense rows and their section flags copied peer to peer.
#pragma once

#include <memory>
#include <vector>

#include "../gpu_pipeline.hpp"

namespace snig::cuda::sectioned {

// True when there are several devices, the model's weights do not fit the smallest one beside a
// minimal batch, and they do fit the devices together (sections planned for `blocksPerSm`, see sizing.hpp).
bool shouldPartition(const Model& model, const std::vector<int>& devices, uint32_t blocksPerSm);

// One pipeline over `devices` (in that order); batchRows 0 sizes micro-batches from memory;
// blocksPerSm 0 is the default launch shape (sizing.hpp).
std::unique_ptr<GpuPipeline> makePartitionedPipeline(std::shared_ptr<const Model> model,
                                                     const std::vector<int>& devices, uint64_t batchRows,
                                                     uint32_t blocksPerSm);

}  // namespace snig::cuda::sectioned
