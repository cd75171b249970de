// SNIG on one device: the GpuPipeline the CUDA engine runs on every GPU (data parallel).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "../gpu_pipeline.hpp"
#include "device_limits.hpp"
#include "device_weights.hpp"
#include "program.cuh"
#include "sizing.hpp"

namespace snig::cuda {
namespace {

using namespace sectioned;

class SnigPipeline final : public GpuPipeline {
 public:
  SnigPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options)
      : model_(std::move(model)), device_(options.device) {
    DeviceGuard guard(device_);
    const DeviceLimits limits = currentDeviceLimits();
    const SectionPlan plan = planDeviceSections(model_->neurons(), limits, options.snigBlocksPerSm);
    auto host = sharedHostSections(model_, plan, 0, model_->layerCount());
    const uint64_t reserve = batchBytes(plan, sizeof(float), kMinAutoBatchRows);
    weights_ = placeWeights(std::move(host), options.weights, reserve);
    capacity_ = options.batchRows ? std::min(options.batchRows, kMaxBatchRows)
                                  : defaultBatchRows(plan, sizeof(float), currentDeviceLimits().freeBytes);
    // The float32 program (its buffers and the captured, instantiated L-layer graph) is built now,
    // with the engine, so the first batch does not pay for it: a worker opens its engine before it
    // takes its first shard. Float64 is built when first asked for.
    f32_ = makeProgram<float>();
  }

  ~SnigPipeline() override = default;  // every buffer is freed on its own device
  SnigPipeline(const SnigPipeline&) = delete;
  SnigPipeline& operator=(const SnigPipeline&) = delete;

  std::string name() const override { return "snig"; }
  int device() const override { return device_; }
  uint64_t maxBatchRows() const override { return capacity_; }

  std::string describe() const override {
    const SectionPlan& plan = weights_.layout().plan;
    return "snig on GPU " + std::to_string(device_) + ": " + describeWeights(weights_) + ", " +
           std::to_string(plan.sections) + " section(s) of " + std::to_string(plan.sectionSize) + " outputs, " +
           std::to_string(plan.blocksPerSm) + " blocks of " + std::to_string(plan.blockThreads) +
           " threads per multiprocessor, batches of up to " + std::to_string(capacity_) + " rows";
  }

  BatchResult run(const SparseRows& inputs, uint64_t begin, uint64_t end, const InferRequest& request) override {
    DeviceGuard guard(device_);
    if (request.precision == Precision::F64) return runWith(f64_, inputs, begin, end, request);
    return runWith(f32_, inputs, begin, end, request);
  }

 private:
  template <typename T>
  std::unique_ptr<Program<T>> makeProgram() const {
    const SectionPlan& plan = weights_.layout().plan;
    const uint64_t rows = std::min(capacity_, defaultBatchRows(plan, sizeof(T), currentDeviceLimits().freeBytes));
    return std::make_unique<Program<T>>(weights_, std::max<uint64_t>(rows, 1), ProgramRole{});
  }

  template <typename T>
  BatchResult runWith(std::unique_ptr<Program<T>>& program, const SparseRows& inputs, uint64_t begin, uint64_t end,
                      const InferRequest& request) {
    if (!program) program = makeProgram<T>();
    BatchResult result;
    for (uint64_t from = begin; from < end; from += program->capacity()) {
      const uint64_t to = std::min(end, from + program->capacity());
      const uint64_t rows = to - from;
      program->enqueueInput(inputs, from, to);
      program->enqueueLayers(rows);
      result.seconds += program->finish() / 1e3;
      const double* sums = program->hostRowSums();
      for (uint64_t r = 0; r < rows; ++r) {
        if (sums[r] != 0) result.categories.push_back(from + r + 1);
      }
      if (request.wantRowSums) result.rowSums.insert(result.rowSums.end(), sums, sums + rows);
      if (request.wantRows) program->copyOutputRows(rows, result.rows);
    }
    return result;
  }

  std::shared_ptr<const Model> model_;
  int device_;
  DeviceWeights weights_;
  uint64_t capacity_ = 0;
  std::unique_ptr<Program<float>> f32_;
  std::unique_ptr<Program<double>> f64_;
};

}  // namespace

std::unique_ptr<GpuPipeline> makeSnigPipeline(std::shared_ptr<const Model> model, const PipelineOptions& options) {
  return std::make_unique<SnigPipeline>(std::move(model), options);
}

}  // namespace snig::cuda
