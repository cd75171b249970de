#include "helper_pool.hpp"

#include <algorithm>
#include <memory>

namespace snig::cuda {
namespace {

// Runs parts until none is left (each claimed by exactly one thread).
void claim(std::atomic<uint64_t>& next, uint64_t parts, const std::function<void(uint64_t)>& part) {
  for (uint64_t i = next.fetch_add(1, std::memory_order_relaxed); i < parts; i = next.fetch_add(1, std::memory_order_relaxed)) part(i);
}

}  // namespace

HelperPool::HelperPool(unsigned helpers) {
  for (unsigned h = 0; h < helpers; ++h) helpers_.emplace_back([this] { serve(); });
}

HelperPool::~HelperPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& helper : helpers_) helper.join();
}

void HelperPool::run(uint64_t parts, const std::function<void(uint64_t)>& part) {
  if (parts <= 1 || helpers_.empty()) {
    for (uint64_t i = 0; i < parts; ++i) part(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    part_ = &part;
    parts_ = parts;
    next_.store(0, std::memory_order_relaxed);
    ++job_;
  }
  wake_.notify_all();
  claim(next_, parts, part);
  // Every part is claimed: close the job (a helper not yet inside stays out) and wait for the parts
  // that helpers inside are still running.
  std::unique_lock<std::mutex> lock(mutex_);
  part_ = nullptr;
  finished_.wait(lock, [this] { return inside_ == 0; });
}

void HelperPool::serve() {
  uint64_t seen = 0;  // the last job this helper joined or passed
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || (part_ && job_ != seen); });
    if (stopping_) return;
    seen = job_;
    ++inside_;
    const std::function<void(uint64_t)>& part = *part_;  // the job stays open while this helper is inside
    const uint64_t parts = parts_;
    lock.unlock();
    claim(next_, parts, part);
    lock.lock();
    if (--inside_ == 0) finished_.notify_all();
  }
}

void runOnHelpers(uint64_t parts, const std::function<void(uint64_t)>& part) {
  if (parts <= 1) {
    if (parts) part(0);
    return;
  }
  static std::mutex mutex;
  static std::vector<std::unique_ptr<HelperPool>> idle;
  std::unique_ptr<HelperPool> pool;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!idle.empty()) {
      pool = std::move(idle.back());
      idle.pop_back();
    }
  }
  if (!pool) pool = std::make_unique<HelperPool>(std::max(1u, std::thread::hardware_concurrency()) - 1);
  pool->run(parts, part);
  std::lock_guard<std::mutex> lock(mutex);
  idle.push_back(std::move(pool));
}

}  // namespace snig::cuda
