// Row batches across a machine's GPUs, the host side of the CUDA engine: the batch size, the GPUs
// pulling batches from one counter (SNIG's scheduler) and the results merged in row order. No CUDA
// here, so that its test (native/tests/batches_test.cpp) runs without a GPU or nvcc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "../core/engine.hpp"
#include "gpu_pipeline.hpp"

namespace snig::cuda {

// Runs work(i) for i in [0, count), each on a thread of its own (one on this thread); rethrows the
// first failure.
void onEachThread(size_t count, const std::function<void(size_t)>& work);

// Rows per batch for `rows` rows: no pipeline gets more than it can take, and with several
// pipelines each gets at least `batchesPerPipeline` batches when there are rows enough.
uint64_t batchRows(uint64_t rows, const std::vector<uint64_t>& maxBatchRows, uint64_t batchesPerPipeline);

struct BatchedResult {
  InferResult result;               // categories, row sums and rows of every batch, in row order
  std::vector<double> gpuSeconds;   // per pipeline: its batches' GPU seconds summed
};

// Infers the request's rows on `pipelines`, each on its own thread pulling the next batch from a
// shared counter; calls request.onProgress after each batch (with `layers` layers done).
BatchedResult inferInBatches(const std::vector<GpuPipeline*>& pipelines, const SparseRows& inputs, const InferRequest& request,
                             uint32_t layers, uint64_t batchesPerPipeline);

}  // namespace snig::cuda
