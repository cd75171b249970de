// Host work split into parts that the calling thread and a few helper threads claim one at a time.
// An OpenMP region ends only when every thread of its team has arrived, so one team thread that is
// not running when the work starts (its CPU busy, or a VM's vCPU descheduled: a time slice, ~4 ms)
// holds up the caller; on the GPU machine the input upload's packing on all 16 cores cost 4-45 ms
// per call now and then (docs/performance.md). Here the caller waits only for parts already
// claimed: a helper that starts late finds nothing left and delays nothing, and idle helpers block
// instead of spinning, leaving the cores to the rest of the process.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace snig::cuda {

class HelperPool {
 public:
  explicit HelperPool(unsigned helpers);
  ~HelperPool();  // stops and joins the helpers
  HelperPool(const HelperPool&) = delete;
  HelperPool& operator=(const HelperPool&) = delete;

  // Runs part(i) once for every i in [0, parts), on the calling thread and whichever helpers join
  // while parts are left, and returns when every part has run. `part` must not throw. One call at a
  // time (the pool is not for concurrent callers).
  void run(uint64_t parts, const std::function<void(uint64_t)>& part);

 private:
  void serve();

  std::mutex mutex_;
  std::condition_variable wake_;      // a job opened, or the pool stops
  std::condition_variable finished_;  // the last helper left a job
  const std::function<void(uint64_t)>* part_ = nullptr;  // the open job (null: none, or closed)
  uint64_t parts_ = 0;
  uint64_t job_ = 0;  // counts the jobs opened
  std::atomic<uint64_t> next_{0};  // the next unclaimed part
  unsigned inside_ = 0;  // helpers working on the job
  bool stopping_ = false;
  std::vector<std::thread> helpers_;
};

// Runs part(i) for i in [0, parts) with a pool of one helper per further hardware thread: an idle
// one of the process's, or a new one (callers on several threads, one per GPU, each get their own).
void runOnHelpers(uint64_t parts, const std::function<void(uint64_t)>& part);

}  // namespace snig::cuda
