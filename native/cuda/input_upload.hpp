// Uploads a batch of input rows at the link's speed. The host packs the nonzeros chunk by chunk into
// pinned staging: 16-bit columns up to N = 65536, values only for a chunk where some value is not 1
// (the challenge's are all 1). While one chunk crosses the link, the host packs the next; on the
// device each chunk is widened into the 32-bit columns and float values the kernels read.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../core/inputs.hpp"
#include "cuda_raii.hpp"

namespace snig::cuda {

class InputUploader {
 public:
  // Enqueues rows [begin, end) of `inputs` on `stream`. Returns once the host has packed every chunk
  // (the inputs may then change); the device arrays are ready when the stream reaches this point.
  void upload(const SparseRows& inputs, uint64_t begin, uint64_t end, cudaStream_t stream);

  // The last upload on the device: row offsets from its first nonzero, 0-based columns, values.
  const uint32_t* rowptr() const { return rowptr_.get(); }
  const uint32_t* cols() const { return cols_.get(); }
  const float* values() const { return values_.get(); }

 private:
  struct Slot {
    PinnedBuffer<uint8_t> host;    // packed columns, then values when the chunk has any
    DeviceBuffer<uint8_t> device;  // where the chunk lands before it is widened
    Event copied;                  // the chunk has left the host buffer
    bool used = false;
  };
  Slot slots_[2];
  PinnedBuffer<uint32_t> hostRowptr_;
  Event rowptrCopied_;
  DeviceBuffer<uint32_t> rowptr_, cols_;
  DeviceBuffer<float> values_;
};

}  // namespace snig::cuda
