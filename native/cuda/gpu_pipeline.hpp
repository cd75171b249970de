// A GPU pipeline: one kernel family (SNIG's, the fast path, ...) prepared on one device for one
// model, inferring batches of input rows there. The CUDA engine (cuda_engine.cu) owns one pipeline
// per device, hands out row batches dynamically and merges the results in row order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../core/engine.hpp"

namespace snig::cuda {

struct BatchResult {
  std::vector<uint64_t> categories;  // 1-based input rows (global numbering), ascending
  std::vector<double> rowSums;       // per row of the batch, when the request asks
  std::vector<float> rows;           // batch rows x N, when the request asks
  double seconds = 0;                // GPU time of the batch (CUDA events)
};

class GpuPipeline {
 public:
  virtual ~GpuPipeline() = default;
  virtual std::string name() const = 0;  // the kernel's name, e.g. "snig"
  virtual int device() const = 0;
  // Infers rows [begin, end) of `inputs` (a batch no larger than maxBatchRows()).
  virtual BatchResult run(const SparseRows& inputs, uint64_t begin, uint64_t end, const InferRequest& request) = 0;
  virtual uint64_t maxBatchRows() const = 0;
  // One line for reports: the kernel and how it placed the model (weights resident or streamed, ...).
  virtual std::string describe() const { return name(); }
};

// Where a pipeline keeps the layers' weights.
enum class WeightMode {
  Auto,      // resident when they fit the device's memory, else streamed
  Resident,  // uploaded once, kept on the device
  Streamed,  // kept in pinned host memory, copied layer by layer (double-buffered) during inference
};

struct PipelineOptions {
  int device = 0;
  uint64_t batchRows = 0;  // 0: chosen from the device's memory
  WeightMode weights = WeightMode::Auto;
  uint32_t snigBlocksPerSm = 0;  // SNIG's layer blocks per multiprocessor (0: the default, 3)
};

// SNIG (Lin & Huang, HPEC 2020): column-sectioned layers, one CUDA graph for the whole pipeline.
std::unique_ptr<GpuPipeline> makeSnigPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options);

}  // namespace snig::cuda
