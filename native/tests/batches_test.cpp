// Checks the CUDA engine's row batches across GPUs (native/cuda/batches), the host side of the
// multi-GPU engine, with CPU stand-ins for the GPU pipelines: batch sizes (hand-derived), every row
// inferred exactly once by some pipeline, the merged categories, row sums and final rows equal to
// one CPU engine over the whole range, per-pipeline seconds, progress, and a failing pipeline's
// error reaching the caller. Prints one line per check; exits non-zero on any failure. Needs no GPU.
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/engine.hpp"
#include "cuda/batches.hpp"
#include "test_support.hpp"

namespace {

using namespace snig;
using testing::check;

// A "GPU" that runs its batches on the CPU engine and records them; its seconds are its rows.
class CpuStandIn final : public cuda::GpuPipeline {
 public:
  // `fails`: throws on every batch; `pause`: waits that long before each batch (a slow GPU).
  CpuStandIn(std::shared_ptr<const Model> model, uint64_t maxRows, bool fails = false, std::chrono::milliseconds pause = {})
      : engine_(makeCpuEngine(std::move(model), 1)), maxRows_(maxRows), fails_(fails), pause_(pause) {}

  std::string name() const override { return "cpu stand-in"; }
  int device() const override { return 0; }
  uint64_t maxBatchRows() const override { return maxRows_; }

  cuda::BatchResult run(const SparseRows& inputs, uint64_t begin, uint64_t end, const InferRequest& request) override {
    std::this_thread::sleep_for(pause_);
    if (fails_) throw std::runtime_error("stand-in GPU failed");
    if (end - begin > maxRows_) throw std::runtime_error("a batch larger than the pipeline takes");
    batches.emplace_back(begin, end);
    InferRequest part = request;
    part.rowBegin = begin;
    part.rowEnd = end;
    part.onProgress = nullptr;
    InferResult r = engine_->infer(inputs, part);
    return {std::move(r.categories), std::move(r.rowSums), std::move(r.rows), static_cast<double>(end - begin)};
  }

  std::vector<std::pair<uint64_t, uint64_t>> batches;

 private:
  std::unique_ptr<Engine> engine_;
  uint64_t maxRows_;
  bool fails_;
  std::chrono::milliseconds pause_;
};

void sizes() {
  using cuda::batchRows;
  check(batchRows(100, {1000}, 1) == 100, "one GPU: the whole range in one batch");
  check(batchRows(100, {30}, 1) == 30, "one GPU: no more than it takes");
  check(batchRows(0, {1000}, 1) == 1, "no rows: a batch of one (no division by zero)");
  check(batchRows(10, {1000, 1000, 1000, 1000}, 1) == 3, "4 GPUs, 10 rows: ceil(10 / 4) = 3 each");
  check(batchRows(100, {7, 13, 50}, 1) == 7, "3 GPUs: the smallest limit wins");
  check(batchRows(120, {1000, 1000}, 3) == 20, "2 GPUs x 3 batches: 120 / 6 = 20");
  check(batchRows(1, {1000, 1000}, 1) == 1, "fewer rows than GPUs: batches of one");
}

void merged() {
  const uint32_t n = 96;
  auto model = std::make_shared<const Model>(testing::randomModel(n, 6, 32, 1, 5));
  const SparseRows inputs = testing::randomRows(n, 240, 0.8, false, 9);
  InferRequest request;
  request.rowBegin = 17;
  request.rowEnd = 229;
  request.wantRowSums = true;
  request.wantRows = true;
  const InferResult reference = makeCpuEngine(model, 1)->infer(inputs, request);
  check(!reference.categories.empty() && reference.categories.size() < 212, "the reference keeps some rows and kills others");

  CpuStandIn a(model, 7), b(model, 13), c(model, 50);
  std::mutex progressMutex;
  uint64_t lastDone = 0;
  uint32_t reports = 0;
  InferRequest watched = request;
  watched.onProgress = [&](const Progress& p) {
    std::lock_guard<std::mutex> lock(progressMutex);
    ++reports;
    lastDone = std::max(lastDone, p.rowsDone);
  };
  const cuda::BatchedResult out = cuda::inferInBatches({&a, &b, &c}, inputs, watched, 6, 1);

  check(out.result.categories == reference.categories, "merged categories equal one engine over the range");
  check(out.result.rowSums == reference.rowSums, "merged row sums, in row order");
  check(out.result.rows == reference.rows, "merged final rows, in row order");
  std::vector<int> covered(inputs.rows(), 0);
  double seconds = 0;
  for (const CpuStandIn* p : {&a, &b, &c}) {
    for (auto [begin, end] : p->batches) {
      for (uint64_t r = begin; r < end; ++r) ++covered[r];
    }
  }
  bool once = true;
  for (uint64_t r = 0; r < inputs.rows(); ++r) once = once && covered[r] == (r >= 17 && r < 229 ? 1 : 0);
  check(once, "every row of the range inferred exactly once, none outside it");
  for (size_t i = 0; i < 3; ++i) seconds += out.gpuSeconds[i];
  check(out.gpuSeconds.size() == 3 && seconds == 212, "per-pipeline seconds add up to the rows (1 s per row here)");
  check(reports == (212 + 6) / 7 && lastDone == 212, "progress after each of the 31 batches, ending at 212 rows");
}

void failure() {
  auto model = std::make_shared<const Model>(testing::randomModel(64, 3, 8, 1, 2));
  const SparseRows inputs = testing::randomRows(64, 100, 0.5, false, 4);
  // The healthy GPU is slow, so that the failing one gets a batch before the healthy one takes them all.
  CpuStandIn good(model, 10, false, std::chrono::milliseconds(20)), bad(model, 10, true);
  InferRequest request;
  request.rowEnd = 100;
  std::string message;
  try {
    cuda::inferInBatches({&good, &bad}, inputs, request, 3, 1);
  } catch (const std::exception& e) {
    message = e.what();
  }
  check(message == "stand-in GPU failed", "a failing pipeline's error reaches the caller");
}

}  // namespace

int main() {
  try {
    sizes();
    merged();
    failure();
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
