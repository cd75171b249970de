// A finished batch's final rows and row sums, as a request asks for them (the checks and traces
// of tests), read back from the batch state's packed tiles or lines.
#pragma once

#include <cstdint>
#include <vector>

#include "../gpu_pipeline.hpp"
#include "batch_state.hpp"

namespace snig::cuda::general {

// The batch's rows: `fate` per row (row_fate.hpp), `count` live slots packed in state.in in tiles of
// `lanes` rows at n neurons (as lines when `lines`); saturated rows are all 32, dead ones 0. Sums in
// neuron order, in double, as the CPU engine sums.
void readFinalRows(const BatchState& state, const std::vector<uint8_t>& fate, uint32_t count, uint32_t n, uint32_t lanes,
                   bool lines, const InferRequest& request, BatchResult* result);

}  // namespace snig::cuda::general
