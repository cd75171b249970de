// Uploads a batch of input rows at the link's speed, in chunks of whole rows. The host packs each
// chunk into pinned staging: 16-bit columns up to N = 65536 (copied as they are when the inputs
// hold them in that form, SparseRows::narrowCols), values only for a chunk where some value is not
// 1 (the challenge's are all 1). A chunk crosses the link on the uploader's copy stream while the
// host packs the next one. Rows already in page-locked memory (pinned_inputs.hpp) are not packed:
// each chunk crosses straight from them, as 16-bit columns or as runs of consecutive columns. Each
// arrived chunk is widened (its runs expanded) into the 32-bit columns and float values the
// kernels read, and the caller's work on its rows runs after it, on one of a few chunk streams
// (layer 0 of chunk k runs while chunk k+1 crosses; at N = 65536 one warp's row takes ~1 ms, so
// the chunks' kernels must run side by side, not one after another on one stream).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "../core/inputs.hpp"
#include "cuda_raii.hpp"

namespace snig::cuda {

class InputUploader {
 public:
  // Enqueues the caller's work on rows [rowBegin, rowEnd) of the batch (0-based in the batch) on
  // `chunkStream`, where their nonzeros are ready. Chunks come in row order and cover the batch.
  using ChunkReady = std::function<void(uint32_t rowBegin, uint32_t rowEnd, cudaStream_t chunkStream)>;

  // Uploads rows [begin, end) of `inputs`: the chunks' work starts after everything enqueued on
  // `stream` so far, and `stream` waits for all of it. Returns once the host has packed every chunk
  // (the inputs may then change); rows in page-locked memory (pinned_inputs.hpp) are sent as they
  // are, with no packing, and the device reads them until `stream` has passed the upload.
  void upload(const SparseRows& inputs, uint64_t begin, uint64_t end, cudaStream_t stream, const ChunkReady& onChunk = {});

  // The last upload on the device: row offsets from its first nonzero, 0-based columns, values.
  const uint32_t* rowptr() const { return rowptr_.get(); }
  const uint32_t* cols() const { return cols_.get(); }
  const float* values() const { return values_.get(); }
  // Whether every value of the last upload is 1.
  bool unitValues() const { return unitValues_; }

 private:
  struct Slot {
    PinnedBuffer<uint8_t> host;    // packed columns, then values when the chunk has any (staged chunks only)
    DeviceBuffer<uint8_t> device;  // where the chunk lands before it is widened (or its runs expanded)
    Event copied;                  // copy stream: the chunk left the host buffer and arrived
    Event widened;                 // chunk stream: the chunk was read out of the device slot
    bool used = false;
  };
  // Where a batch's chunks cross from: packed into staging (all null), or as they are, the inputs'
  // page-locked runs (runPtr from the batch's first row, indexing runs) or 16-bit columns (from the
  // batch's first nonzero).
  struct Source {
    const uint32_t* runPtr = nullptr;
    const uint32_t* runs = nullptr;
    const uint16_t* cols = nullptr;
    std::shared_ptr<const void> owner;  // holds them while the device may read them
  };
  void start();
  // Bytes the chunk of rows [r0, r1) of the batch, `count` nonzeros over n columns, takes in a slot.
  uint64_t chunkBytes(uint32_t n, uint32_t r0, uint32_t r1, uint64_t count) const;
  // Sends rows [r0, r1) of the batch (row offsets `offsets`), which begins at nonzero `first` of
  // `inputs`, and writes their columns and values on `chunkStream`.
  void sendChunk(const SparseRows& inputs, uint64_t first, const uint32_t* offsets, uint32_t r0, uint32_t r1, uint64_t slotBytes,
                 Slot& slot, cudaStream_t chunkStream);

  static constexpr int kChunkStreams = 4;
  Stream copyStream_;
  Stream chunkStreams_[kChunkStreams];
  Event chunksDone_[kChunkStreams];
  Event computeReady_;  // the caller's stream: earlier work there is ordered before this upload
  Slot slots_[2];
  PinnedBuffer<uint32_t> hostRowptr_;
  Event rowptrCopied_;
  bool rowptrUsed_ = false;
  DeviceBuffer<uint32_t> rowptr_, cols_;
  DeviceBuffer<uint32_t> runPtr_;  // the batch's run offsets, when it crosses as runs
  DeviceBuffer<float> values_;
  bool unitValues_ = true;
  Source source_;  // the last upload's
};

}  // namespace snig::cuda
