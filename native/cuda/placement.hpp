// The CUDA engine's choices that depend only on sizes, not on a GPU: where a pipeline keeps the layers'
// weights, and whether auto's general kernel leaves room for its batches. Host code, so that CI tests
// them (native/tests/placement_test.cpp) without a GPU or nvcc.
#pragma once

#include <cstdint>
#include <string>

#include "gpu_pipeline.hpp"

namespace snig::cuda {

// A --weights name as a placement; "partitioned" places each GPU's share of the layers as "auto" does.
// Throws E_ARGUMENT for any other name.
WeightMode weightModeOf(const std::string& name);

// What "auto" places: resident when the weights and `reserveBytes` (room for batches) fit in
// `freeBytes`, else streamed from pinned host memory.
WeightMode autoPlacement(uint64_t weightBytes, uint64_t reserveBytes, uint64_t freeBytes);

// Whether auto may pick the general kernel: its layout takes at most half a GPU's free memory, so a
// batch fits beside it (SNIG's pipeline, which can stream or partition, runs otherwise).
bool generalLayoutFits(uint64_t layoutBytes, uint64_t freeBytes);

}  // namespace snig::cuda
