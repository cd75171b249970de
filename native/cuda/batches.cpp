#include "batches.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace snig::cuda {

void onEachThread(size_t count, const std::function<void(size_t)>& work) {
  if (count == 1) {  // on this thread, which keeps its OpenMP team between calls
    work(0);
    return;
  }
  std::vector<std::exception_ptr> errors(count);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      try {
        work(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

uint64_t batchRows(uint64_t rows, const std::vector<uint64_t>& maxBatchRows, uint64_t batchesPerPipeline) {
  uint64_t batch = rows ? rows : 1;
  for (uint64_t most : maxBatchRows) batch = std::min(batch, most);
  if (maxBatchRows.size() > 1) {
    const uint64_t shares = maxBatchRows.size() * batchesPerPipeline;
    batch = std::max<uint64_t>(1, std::min(batch, (rows + shares - 1) / shares));
  }
  return batch;
}

BatchedResult inferInBatches(const std::vector<GpuPipeline*>& pipelines, const SparseRows& inputs, const InferRequest& request,
                             uint32_t layers, uint64_t batchesPerPipeline) {
  const uint64_t rows = request.rowEnd - request.rowBegin;
  std::vector<uint64_t> limits;
  for (const auto* p : pipelines) limits.push_back(p->maxBatchRows());
  const uint64_t batch = batchRows(rows, limits, batchesPerPipeline);
  const uint64_t batches = (rows + batch - 1) / batch;
  std::vector<BatchResult> results(batches);
  BatchedResult out;
  out.gpuSeconds.assign(pipelines.size(), 0);
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> rowsDone{0};
  std::atomic<bool> failed{false};
  std::mutex progressMutex;
  onEachThread(pipelines.size(), [&](size_t p) {
    try {
      for (uint64_t b = next.fetch_add(1); b < batches && !failed; b = next.fetch_add(1)) {
        throwIfCancelled(request);
        const uint64_t begin = request.rowBegin + b * batch;
        const uint64_t end = std::min(request.rowEnd, begin + batch);
        results[b] = pipelines[p]->run(inputs, begin, end, request);
        out.gpuSeconds[p] += results[b].seconds;
        const uint64_t done = rowsDone += end - begin;
        if (request.onProgress) {
          std::lock_guard<std::mutex> guard(progressMutex);
          Progress progress;
          progress.layers = progress.layersDone = layers;
          progress.rowsDone = done;
          progress.rowsTotal = rows;
          request.onProgress(progress);
        }
      }
    } catch (...) {
      failed = true;
      throw;
    }
  });
  for (auto& r : results) {
    out.result.categories.insert(out.result.categories.end(), r.categories.begin(), r.categories.end());
    if (request.wantRowSums) out.result.rowSums.insert(out.result.rowSums.end(), r.rowSums.begin(), r.rowSums.end());
    if (request.wantRows) out.result.rows.insert(out.result.rows.end(), r.rows.begin(), r.rows.end());
  }
  return out;
}

}  // namespace snig::cuda
