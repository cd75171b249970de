// What the one-device pipelines (fast, general) share for their batches: how many rows a batch may
// hold, and the stream, timing events and pinned live-row counter it runs with.
#pragma once

#include <cstdint>

#include "cuda_raii.hpp"

namespace snig::cuda {

// Rows per batch: `requested` when non-zero, else as many as 60 % of the current device's free
// memory holds (1 to 2^17), at `stateBytesPerRow` for the pipeline's own arrays plus the uploaded
// inputs' (input_upload.hpp) budget of N / 8 nonzeros per row.
uint64_t batchCapacity(uint64_t requested, uint64_t stateBytesPerRow, uint32_t neurons);

struct BatchStream {
  Stream stream;
  Event start, stop;                 // a batch's GPU time
  PinnedBuffer<uint32_t> hostCount;  // the live rows, read back now and then
  // Made on the current device (a pipeline makes it under its DeviceGuard).
  static BatchStream make();
  // Seconds from start to stop (both recorded and reached).
  double seconds() const;
};

}  // namespace snig::cuda
