#include "helper_pool.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>

namespace snig::cuda {
namespace {

// How long a helper looks for the next job before it sleeps: longer than the gap between the chunks
// of one upload, shorter than most calls.
constexpr auto kSpin = std::chrono::microseconds(500);
constexpr uint64_t kIndexMask = 0xffffffffu;

void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

HelperPool::HelperPool(unsigned helpers) {
  for (unsigned h = 0; h < helpers; ++h) helpers_.emplace_back([this] { serve(); });
}

HelperPool::~HelperPool() {
  stopping_ = true;
  job_.fetch_add(1);
  job_.notify_all();
  for (std::thread& helper : helpers_) helper.join();
}

void HelperPool::run(uint64_t parts, const std::function<void(uint64_t)>& part) {
  if (parts <= 1 || helpers_.empty()) {
    for (uint64_t i = 0; i < parts; ++i) part(i);
    return;
  }
  part_ = &part;
  parts_ = parts;
  done_ = 0;
  claim_ = (((claim_ >> 32) + 1) << 32);  // the next job, from part 0
  job_.fetch_add(1);
  job_.notify_all();
  work(true);
  // Every part is claimed; those a helper claimed may still be running.
  while (done_.load(std::memory_order_acquire) != parts) relax();
}

void HelperPool::work(bool own) {
  for (;;) {
    uint64_t claim = claim_.load(std::memory_order_acquire);
    const Part* part = part_.load(std::memory_order_relaxed);
    const uint64_t parts = parts_.load(std::memory_order_relaxed);
    if ((claim & kIndexMask) >= parts) return;
    if (own) {
      claim = claim_.fetch_add(1, std::memory_order_acq_rel);
      if ((claim & kIndexMask) >= parts) return;
    } else if (!claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel)) {
      continue;  // another claim, or another job, came first: read them again
    }
    (*part)(claim & kIndexMask);
    done_.fetch_add(1, std::memory_order_release);
  }
}

void HelperPool::serve() {
  uint32_t seen = job_.load();
  while (!stopping_) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (uint32_t i = 1; job_.load() == seen; ++i) {
      if (i % 64 == 0 && std::chrono::steady_clock::now() > until) job_.wait(seen);
      else relax();
    }
    seen = job_.load();
    if (!stopping_) work(false);
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
