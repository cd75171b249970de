// Which kernel and weight placement the CUDA engine runs for the options it is given. Host logic
// only (no CUDA), so that its test (native/tests/kernel_choice_test.cpp) runs without a GPU or nvcc.
#pragma once

#include <string>

#include "../core/engine.hpp"
#include "gpu_pipeline.hpp"

namespace snig::cuda {

// What `kernel` resolves to: "auto" is the fast kernel where this build has it (`fastBuilt`) and it
// applies (one bias per layer, not `biasVectors`), else SNIG's. Throws E_ARGUMENT for an unknown
// kernel or a fast kernel this build lacks.
std::string resolveKernel(const std::string& kernel, bool fastBuilt, bool biasVectors);

// Each pipeline's weight placement for `weights` ("partitioned" is the engine's decision: Auto for
// the pipeline), checked against the resolved `kernel` (only SNIG's partitions). Throws E_ARGUMENT.
WeightMode resolveWeights(const std::string& weights, const std::string& kernel);

// Whether a request of `precision` runs on SNIG's pipelines rather than the resolved kernel's: an
// "auto" choice of the fast kernel, which computes float32 only, sends float64 to SNIG.
bool runsOnSnig(const std::string& requested, const std::string& kernel, Precision precision);

}  // namespace snig::cuda
