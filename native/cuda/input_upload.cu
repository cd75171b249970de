#include "input_upload.hpp"

#include <algorithm>
#include <vector>

#include "../core/error.hpp"
#include "cuda_check.hpp"
#include "input_pack.hpp"
#include "pinned_inputs.hpp"

namespace snig::cuda {
namespace {

constexpr unsigned kWidenThreads = 256;

// cols[k] = packed[k], values[k] = packedValues ? packedValues[k] : 1.
template <typename Col>
__global__ void widenKernel(const Col* __restrict__ packed, const float* __restrict__ packedValues, uint64_t count,
                            uint32_t* __restrict__ cols, float* __restrict__ values) {
  for (uint64_t k = blockIdx.x * uint64_t{blockDim.x} + threadIdx.x; k < count; k += uint64_t{gridDim.x} * blockDim.x) {
    cols[k] = packed[k];
    values[k] = packedValues ? packedValues[k] : 1.0f;
  }
}

// Rows [rowBegin, rowEnd) of the batch as runs (`runs` from the first of row rowBegin on; the
// batch's run offsets `runPtr`) written as ascending columns from rowptr[row] on, values 1: a warp
// a row, 32 runs at a time placed by the lanes' prefix sum of their lengths, then written one run
// after another by the whole warp, a column a lane (coalesced, where a lane a run was not).
__global__ void expandRunsKernel(const uint32_t* __restrict__ runs, const uint32_t* __restrict__ runPtr, const uint32_t* __restrict__ rowptr,
                                 uint32_t rowBegin, uint32_t rowEnd, uint32_t* __restrict__ cols, float* __restrict__ values) {
  const uint32_t lane = threadIdx.x % 32;
  const uint32_t warps = gridDim.x * (blockDim.x / 32);
  for (uint32_t row = rowBegin + (blockIdx.x * blockDim.x + threadIdx.x) / 32; row < rowEnd; row += warps) {
    const uint32_t last = runPtr[row + 1] - runPtr[rowBegin];
    uint32_t at = rowptr[row];
    for (uint32_t k0 = runPtr[row] - runPtr[rowBegin]; k0 < last; k0 += 32) {
      const uint32_t run = k0 + lane < last ? runs[k0 + lane] : 0;
      const uint32_t length = k0 + lane < last ? (run >> 16) + 1 : 0;
      uint32_t through = length;  // columns in the runs of lanes 0..lane
      for (uint32_t d = 1; d < 32; d *= 2) {
        const uint32_t below = __shfl_up_sync(0xffffffffu, through, d);
        if (lane >= d) through += below;
      }
      for (uint32_t j = 0; j < 32 && k0 + j < last; ++j) {
        const uint32_t start = __shfl_sync(0xffffffffu, run & 0xffffu, j);
        const uint32_t columns = __shfl_sync(0xffffffffu, length, j);
        const uint32_t from = at + __shfl_sync(0xffffffffu, through, j) - columns;
        for (uint32_t c = lane; c < columns; c += 32) {
          cols[from + c] = start + c;
          values[from + c] = 1.0f;
        }
      }
      at += __shfl_sync(0xffffffffu, through, 31);
    }
  }
}

}  // namespace

void InputUploader::start() {
  copyStream_ = makeStream();
  for (int i = 0; i < kChunkStreams; ++i) {
    chunkStreams_[i] = makeStream();
    chunksDone_[i] = makeEvent(cudaEventDisableTiming);
  }
  computeReady_ = makeEvent(cudaEventDisableTiming);
  rowptrCopied_ = makeEvent(cudaEventDisableTiming);
  for (Slot& slot : slots_) {
    slot.copied = makeEvent(cudaEventDisableTiming);
    slot.widened = makeEvent(cudaEventDisableTiming);
  }
}

void InputUploader::upload(const SparseRows& inputs, uint64_t begin, uint64_t end, cudaStream_t stream, const ChunkReady& onChunk) {
  const auto rows = static_cast<uint32_t>(end - begin);
  const uint64_t first = inputs.rowptr[begin];
  const uint64_t nnz = inputs.rowptr[end] - first;
  if (end - begin > UINT32_MAX - 1 || nnz > UINT32_MAX) throw Error(ErrorCode::Argument, "an input batch holds at most 2^32 nonzeros");
  if (!copyStream_) start();
  cudaStream_t copy = copyStream_.get();

  if (rowptrUsed_) SNIG_CUDA_CHECK(cudaEventSynchronize(rowptrCopied_.get()));  // the last batch's offsets left
  // The device reads page-locked inputs after this returns: they are held until the next upload,
  // which waits for the last one's copies (a batch cut short by an error may still be reading them).
  if (source_.owner) SNIG_CUDA_CHECK(cudaStreamSynchronize(copy));
  source_ = {};
  if (const uint32_t* runPtr = pageLockedRunPtr(inputs)) {
    source_ = {runPtr + begin, inputs.runs, nullptr, inputs.runPtr};
  } else if (const uint16_t* cols = pageLockedColumns(inputs)) {
    source_ = {nullptr, nullptr, cols + first, inputs.narrowCols};
  }
  reserve(hostRowptr_, rows + 1);
  uint32_t* offsets = hostRowptr_.get();
  for (uint32_t r = 0; r <= rows; ++r) offsets[r] = static_cast<uint32_t>(inputs.rowptr[begin + r] - first);
  reserve(rowptr_, rows + 1);
  reserve(cols_, std::max<uint64_t>(nnz, 1));
  reserve(values_, std::max<uint64_t>(nnz, 1));
  SNIG_CUDA_CHECK(cudaEventRecord(computeReady_.get(), stream));
  SNIG_CUDA_CHECK(cudaStreamWaitEvent(copy, computeReady_.get(), 0));
  SNIG_CUDA_CHECK(cudaMemcpyAsync(rowptr_.get(), offsets, (uint64_t{rows} + 1) * 4, cudaMemcpyHostToDevice, copy));
  if (source_.runPtr) {
    reserve(runPtr_, rows + 1);
    SNIG_CUDA_CHECK(cudaMemcpyAsync(runPtr_.get(), source_.runPtr, (uint64_t{rows} + 1) * 4, cudaMemcpyHostToDevice, copy));
  }
  SNIG_CUDA_CHECK(cudaEventRecord(rowptrCopied_.get(), copy));
  rowptrUsed_ = true;
  unitValues_ = true;  // until a chunk holds another value
  // The offsets arrived after the caller's earlier work was done: the chunks' work may start.
  for (const Stream& chunkStream : chunkStreams_) SNIG_CUDA_CHECK(cudaStreamWaitEvent(chunkStream.get(), rowptrCopied_.get(), 0));

  // Chunks of whole rows, each ending at the first row boundary at or past its target; a device
  // slot holds the largest.
  const bool staged = !source_.owner;
  std::vector<uint32_t> ends;
  uint64_t slotBytes = 0;
  for (uint32_t r0 = 0; r0 < rows; r0 = ends.back()) {
    ends.push_back(chunkEnd(offsets, rows, r0, chunkTarget(nnz, static_cast<uint32_t>(ends.size()), staged)));
    slotBytes = std::max(slotBytes, chunkBytes(inputs.n, r0, ends.back(), offsets[ends.back()] - offsets[r0]));
  }
  for (uint32_t chunk = 0, r0 = 0; chunk < ends.size(); r0 = ends[chunk++]) {
    cudaStream_t chunkStream = chunkStreams_[chunk % kChunkStreams].get();
    if (offsets[ends[chunk]] > offsets[r0]) sendChunk(inputs, first, offsets, r0, ends[chunk], slotBytes, slots_[chunk % 2], chunkStream);
    if (onChunk) onChunk(r0, ends[chunk], chunkStream);
  }
  for (int i = 0; i < kChunkStreams; ++i) {
    SNIG_CUDA_CHECK(cudaEventRecord(chunksDone_[i].get(), chunkStreams_[i].get()));
    SNIG_CUDA_CHECK(cudaStreamWaitEvent(stream, chunksDone_[i].get(), 0));
  }
}

uint64_t InputUploader::chunkBytes(uint32_t n, uint32_t r0, uint32_t r1, uint64_t count) const {
  if (source_.runPtr) return uint64_t{source_.runPtr[r1] - source_.runPtr[r0]} * sizeof(uint32_t);
  if (source_.cols) return count * sizeof(uint16_t);
  return packedValuesOffset(count, n <= 65536) + count * sizeof(float);  // staged: the most it packs
}

void InputUploader::sendChunk(const SparseRows& inputs, uint64_t first, const uint32_t* offsets, uint32_t r0, uint32_t r1,
                              uint64_t slotBytes, Slot& slot, cudaStream_t chunkStream) {
  const bool narrow = inputs.n <= 65536;
  const uint64_t at = offsets[r0];
  const uint64_t count = offsets[r1] - at;
  reserve(slot.device, slotBytes);
  const uint8_t* from = nullptr;
  bool withValues = false;
  if (source_.runPtr) {
    from = reinterpret_cast<const uint8_t*>(source_.runs + source_.runPtr[r0]);
  } else if (source_.cols) {
    from = reinterpret_cast<const uint8_t*>(source_.cols + at);
  } else {  // packed into the slot's staging buffer, once its last chunk has left it
    if (slot.used) SNIG_CUDA_CHECK(cudaEventSynchronize(slot.copied.get()));
    reserve(slot.host, slotBytes);
    withValues = packNonzeros(inputs, first + at, count, narrow, slot.host.get());
    from = slot.host.get();
  }
  unitValues_ = unitValues_ && !withValues;
  const uint64_t bytes = source_.runPtr ? chunkBytes(inputs.n, r0, r1, count)
                         : withValues ? packedValuesOffset(count, narrow) + count * sizeof(float)
                                      : count * (narrow ? 2 : 4);
  cudaStream_t copy = copyStream_.get();
  if (slot.used) SNIG_CUDA_CHECK(cudaStreamWaitEvent(copy, slot.widened.get(), 0));  // its last chunk was widened
  SNIG_CUDA_CHECK(cudaMemcpyAsync(slot.device.get(), from, bytes, cudaMemcpyHostToDevice, copy));
  SNIG_CUDA_CHECK(cudaEventRecord(slot.copied.get(), copy));
  SNIG_CUDA_CHECK(cudaStreamWaitEvent(chunkStream, slot.copied.get(), 0));
  if (source_.runPtr) {
    const uint64_t warpsPerBlock = kWidenThreads / 32;
    const unsigned blocks = static_cast<unsigned>(std::min<uint64_t>((r1 - r0 + warpsPerBlock - 1) / warpsPerBlock, 4096));
    expandRunsKernel<<<blocks, kWidenThreads, 0, chunkStream>>>(reinterpret_cast<const uint32_t*>(slot.device.get()), runPtr_.get(),
                                                                rowptr_.get(), r0, r1, cols_.get(), values_.get());
  } else {
    const auto* packedValues = withValues ? reinterpret_cast<const float*>(slot.device.get() + packedValuesOffset(count, narrow)) : nullptr;
    const unsigned blocks = static_cast<unsigned>(std::min<uint64_t>((count + kWidenThreads - 1) / kWidenThreads, 4096));
    if (narrow) {
      widenKernel<<<blocks, kWidenThreads, 0, chunkStream>>>(reinterpret_cast<const uint16_t*>(slot.device.get()), packedValues,
                                                        count, cols_.get() + at, values_.get() + at);
    } else {
      widenKernel<<<blocks, kWidenThreads, 0, chunkStream>>>(reinterpret_cast<const uint32_t*>(slot.device.get()), packedValues,
                                                        count, cols_.get() + at, values_.get() + at);
    }
  }
  SNIG_CUDA_CHECK_LAUNCH();
  SNIG_CUDA_CHECK(cudaEventRecord(slot.widened.get(), chunkStream));
  slot.used = true;
}

}  // namespace snig::cuda
