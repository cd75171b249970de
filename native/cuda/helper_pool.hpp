// Host work split into parts that the calling thread and a few helper threads claim one at a time.
// An OpenMP region ends only when every thread of its team has arrived, so one team thread that is
// not running when the work starts (its CPU taken by another thread, or a VM's vCPU descheduled)
// holds up the caller for a time slice: on the GPU machine, two busy loops beside snig-bench made
// each of the input upload's 16-thread regions cost ~8 ms (docs/performance.md). Here the caller
// waits only for parts that were claimed: a helper that starts late finds nothing left and delays
// nothing. Helpers spin a little after a job (the chunks of one upload come close together), then
// sleep, leaving the cores to the rest of the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
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
  // while parts are left, and returns when every part has run. `part` must not throw. One caller
  // at a time.
  void run(uint64_t parts, const std::function<void(uint64_t)>& part);

 private:
  using Part = std::function<void(uint64_t)>;
  void serve();
  // Claims and runs parts of the job whose claims `claim` counts until none is left; `own`: the
  // caller's (its job cannot change under it).
  void work(bool own);

  std::atomic<const Part*> part_{nullptr};
  std::atomic<uint64_t> parts_{0};
  // The job's number (high 32 bits) and its next unclaimed part (low 32 bits): a helper claims a
  // part of the job it read part_ and parts_ for, or of none.
  std::atomic<uint64_t> claim_{0};
  std::atomic<uint64_t> done_{0};  // parts of the job that have run
  std::atomic<uint32_t> job_{0};   // the helpers wait on it for the next job
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> helpers_;
};

// Runs part(i) for i in [0, parts) with a pool of one helper per further hardware thread: an idle
// one of the process's, or a new one (callers on several threads, one per GPU, each get their own).
void runOnHelpers(uint64_t parts, const std::function<void(uint64_t)>& part);

}  // namespace snig::cuda
