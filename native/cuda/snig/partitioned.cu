#include "partitioned.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

#include "device_limits.hpp"
#include "program.cuh"
#include "sizing.hpp"

namespace snig::cuda::sectioned {
namespace {

// Micro-batches per stage in one run: enough to keep every stage busy most of the time.
constexpr uint64_t kMicroBatchesPerStage = 4;

struct DeviceFacts {
  int device = 0;
  DeviceLimits limits;
};

std::vector<DeviceFacts> gatherFacts(const std::vector<int>& devices) {
  std::vector<DeviceFacts> facts;
  for (int d : devices) {
    DeviceGuard guard(d);
    facts.push_back({d, currentDeviceLimits()});
  }
  return facts;
}

// One plan for every stage (rows and flags pass between them): the smallest device's.
SectionPlan commonPlan(uint32_t n, const std::vector<DeviceFacts>& facts, uint32_t blocksPerSm) {
  DeviceLimits smallest = facts.front().limits;
  for (const auto& f : facts) {
    smallest.smemPerBlockOptin = std::min(smallest.smemPerBlockOptin, f.limits.smemPerBlockOptin);
    smallest.smemPerSm = std::min(smallest.smemPerSm, f.limits.smemPerSm);
    smallest.maxThreadsPerSm = std::min(smallest.maxThreadsPerSm, f.limits.maxThreadsPerSm);
  }
  return planDeviceSections(n, smallest, blocksPerSm);
}

// Contiguous layer ranges, each device's share of the bytes proportional to its free memory.
std::vector<uint32_t> splitLayers(const SectionedLayout& layout, const std::vector<DeviceFacts>& facts) {
  double freeTotal = 0;
  for (const auto& f : facts) freeTotal += static_cast<double>(f.limits.freeBytes);
  std::vector<uint32_t> bounds{0};
  const auto layers = static_cast<uint32_t>(layout.layers.size());
  double share = 0;
  uint32_t l = 0;
  for (size_t g = 0; g + 1 < facts.size(); ++g) {
    share += static_cast<double>(facts[g].limits.freeBytes) / freeTotal;
    const double target = share * static_cast<double>(layout.totalBytes);
    // Leave at least one layer for every later stage.
    const uint32_t limit = layers - static_cast<uint32_t>(facts.size() - 1 - g);
    while (l < limit && static_cast<double>(layout.layers[l].offset + layout.layers[l].bytes) <= target) ++l;
    l = std::max(l, bounds.back() + 1);
    bounds.push_back(l);
  }
  bounds.push_back(layers);
  return bounds;
}

class PartitionedPipeline final : public GpuPipeline {
 public:
  PartitionedPipeline(std::shared_ptr<const Model> model, const std::vector<int>& devices, uint64_t batchRows,
                      uint32_t blocksPerSm)
      : model_(std::move(model)) {
    if (devices.size() < 2) throwArgument("partitioning the layers needs at least two GPUs");
    if (model_->layerCount() < devices.size()) {
      throwArgument("cannot partition " + std::to_string(model_->layerCount()) + " layers across " +
                    std::to_string(devices.size()) + " GPUs");
    }
    const std::vector<DeviceFacts> facts = gatherFacts(devices);
    plan_ = commonPlan(model_->neurons(), facts, blocksPerSm);
    bounds_ = splitLayers(layoutSections(*model_, plan_, 0, model_->layerCount()), facts);
    capacity_ = batchRows ? std::min(batchRows, kMaxBatchRows) : kMaxBatchRows;
    for (size_t g = 0; g < devices.size(); ++g) {
      Stage stage;
      stage.device = devices[g];
      DeviceGuard guard(stage.device);
      auto host = sharedHostSections(model_, plan_, bounds_[g], bounds_[g + 1]);
      stage.weights = std::make_unique<DeviceWeights>(placeWeights(std::move(host), WeightMode::Resident, 0));
      if (!batchRows) capacity_ = std::min(capacity_, defaultBatchRows(plan_, sizeof(float), currentDeviceLimits().freeBytes));
      stage.done = makeEvent(cudaEventDisableTiming);
      stage.copied = makeEvent(cudaEventDisableTiming);
      for (int other : devices) {
        if (other == stage.device) continue;
        int can = 0;
        SNIG_CUDA_CHECK(cudaDeviceCanAccessPeer(&can, stage.device, other));
        if (can && cudaDeviceEnablePeerAccess(other, 0) != cudaSuccess) cudaGetLastError();  // already enabled
      }
      stages_.push_back(std::move(stage));
    }
  }

  ~PartitionedPipeline() override = default;  // every buffer is freed on its own stage's device
  PartitionedPipeline(const PartitionedPipeline&) = delete;
  PartitionedPipeline& operator=(const PartitionedPipeline&) = delete;

  std::string name() const override { return "snig"; }
  int device() const override { return stages_.front().device; }
  // Any batch: run() cuts it into micro-batches that flow through the stages.
  uint64_t maxBatchRows() const override { return std::numeric_limits<uint64_t>::max() / 2; }

  std::string describe() const override {
    std::string text = "snig, layers partitioned across " + std::to_string(stages_.size()) + " GPUs (";
    for (size_t g = 0; g < stages_.size(); ++g) {
      text += (g ? ", " : "") + std::string("GPU ") + std::to_string(stages_[g].device) + ": layers " +
              std::to_string(bounds_[g] + 1) + "-" + std::to_string(bounds_[g + 1]);
    }
    return text + "), " + std::to_string(plan_.sections) + " section(s) of " + std::to_string(plan_.sectionSize) +
           " outputs, micro-batches of up to " + std::to_string(capacity_) + " rows";
  }

  BatchResult run(const SparseRows& inputs, uint64_t begin, uint64_t end, const InferRequest& request) override {
    if (request.precision == Precision::F64) return runWith<double>(inputs, begin, end, request);
    return runWith<float>(inputs, begin, end, request);
  }

 private:
  struct Stage {
    int device = 0;
    std::unique_ptr<DeviceWeights> weights;
    std::unique_ptr<Program<float>> f32;
    std::unique_ptr<Program<double>> f64;
    Event done;    // the stage's graph finished its latest micro-batch
    Event copied;  // the stage took its latest micro-batch from the previous stage
    template <typename T>
    std::unique_ptr<Program<T>>& program() {
      if constexpr (std::is_same_v<T, float>) return f32; else return f64;
    }
  };

  template <typename T>
  Program<T>& program(size_t g) {
    auto& p = stages_[g].template program<T>();
    if (!p) {
      DeviceGuard guard(stages_[g].device);
      const ProgramRole role{g == 0, g + 1 == stages_.size()};
      const uint64_t rows = std::min(capacity_, defaultBatchRows(plan_, sizeof(T), currentDeviceLimits().freeBytes));
      p = std::make_unique<Program<T>>(*stages_[g].weights, std::max<uint64_t>(rows, 1), role);
    }
    return *p;
  }

  template <typename T>
  BatchResult runWith(const SparseRows& inputs, uint64_t begin, uint64_t end, const InferRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    const size_t last = stages_.size() - 1;
    uint64_t micro = capacity_;
    for (size_t g = 0; g <= last; ++g) micro = std::min(micro, program<T>(g).capacity());
    const uint64_t rows = end - begin;
    const uint64_t spread = stages_.size() * kMicroBatchesPerStage;
    micro = std::max<uint64_t>(1, std::min(micro, (rows + spread - 1) / spread));
    BatchResult result;
    uint64_t pendingFrom = 0, pendingTo = 0;  // the micro-batch the last stage is working on
    auto collect = [&] {
      if (pendingFrom == pendingTo) return;
      DeviceGuard guard(stages_[last].device);
      SNIG_CUDA_CHECK(cudaEventSynchronize(stages_[last].done.get()));
      const double* sums = program<T>(last).hostRowSums();
      for (uint64_t r = 0; r < pendingTo - pendingFrom; ++r) {
        if (sums[r] != 0) result.categories.push_back(pendingFrom + r + 1);
      }
      if (request.wantRowSums) result.rowSums.insert(result.rowSums.end(), sums, sums + (pendingTo - pendingFrom));
      if (request.wantRows) program<T>(last).copyOutputRows(pendingTo - pendingFrom, result.rows);
      pendingFrom = pendingTo = 0;
    };
    for (uint64_t from = begin; from < end; from += micro) {
      const uint64_t to = std::min(end, from + micro);
      const uint64_t count = to - from;
      for (size_t g = 0; g <= last; ++g) {
        Stage& stage = stages_[g];
        Program<T>& p = program<T>(g);
        DeviceGuard guard(stage.device);
        cudaStream_t s = p.stream();
        if (g == last) collect();  // its row sums are about to be overwritten
        // The next stage must have taken the previous micro-batch's output before it is overwritten.
        if (g < last && from != begin) SNIG_CUDA_CHECK(cudaStreamWaitEvent(s, stages_[g + 1].copied.get(), 0));
        if (g == 0) {
          p.enqueueInput(inputs, from, to);
        } else {
          Program<T>& prev = program<T>(g - 1);
          SNIG_CUDA_CHECK(cudaStreamWaitEvent(s, stages_[g - 1].done.get(), 0));
          SNIG_CUDA_CHECK(cudaMemcpyPeerAsync(p.inputY(), stage.device, prev.outputY(), stages_[g - 1].device,
                                              count * plan_.n * sizeof(T), s));
          SNIG_CUDA_CHECK(cudaMemcpyPeerAsync(p.inputFlags(), stage.device, prev.outputFlags(), stages_[g - 1].device,
                                              count * plan_.sections, s));
          SNIG_CUDA_CHECK(cudaEventRecord(stage.copied.get(), s));
        }
        p.enqueueLayers(count);
        SNIG_CUDA_CHECK(cudaEventRecord(stage.done.get(), s));
      }
      pendingFrom = from;
      pendingTo = to;
      throwIfCancelled(request);
    }
    collect();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
  }

  std::shared_ptr<const Model> model_;
  SectionPlan plan_;
  std::vector<uint32_t> bounds_;
  uint64_t capacity_ = 0;
  std::vector<Stage> stages_;
};

}  // namespace

bool shouldPartition(const Model& model, const std::vector<int>& devices, uint32_t blocksPerSm) {
  if (devices.size() < 2 || model.layerCount() < devices.size()) return false;
  const std::vector<DeviceFacts> facts = gatherFacts(devices);
  const SectionPlan plan = commonPlan(model.neurons(), facts, blocksPerSm);
  const uint64_t bytes = layoutSections(model, plan, 0, model.layerCount()).totalBytes;
  const uint64_t reserve = batchBytes(plan, sizeof(float), kMinAutoBatchRows);
  uint64_t smallest = std::numeric_limits<uint64_t>::max(), together = 0;
  for (const auto& f : facts) {
    smallest = std::min(smallest, f.limits.freeBytes);
    together += f.limits.freeBytes;
  }
  return bytes + reserve > smallest && bytes + reserve * facts.size() <= together;
}

std::unique_ptr<GpuPipeline> makePartitionedPipeline(std::shared_ptr<const Model> model,
                                                     const std::vector<int>& devices, uint64_t batchRows,
                                                     uint32_t blocksPerSm) {
  return std::make_unique<PartitionedPipeline>(std::move(model), devices, batchRows, blocksPerSm);
}

}  // namespace snig::cuda::sectioned
