// What the one-device pipelines (fast, general) share for their batches: how many rows a batch may
// hold, the stream, timing events and pinned live-row counter it runs with, and how it ends (the
// rows' fates read back, the categories taken from them).
#pragma once

#include <cstdint>
#include <vector>

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
  // Ends a batch on the stream: records stop, then reads back the fates (row_fate.hpp) of its `rows`
  // rows from the device and waits for both.
  std::vector<uint8_t> finish(const uint8_t* fate, uint32_t rows) const;
};

// The batch's categories: the 1-based input rows (its first row is input row `begin`) not dead.
std::vector<uint64_t> categoriesOf(const std::vector<uint8_t>& fate, uint64_t begin);

}  // namespace snig::cuda
