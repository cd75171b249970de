#include "input_upload.hpp"

#include <algorithm>

#include "../core/error.hpp"
#include "cuda_check.hpp"
#include "input_pack.hpp"

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
  reserve(hostRowptr_, rows + 1);
  uint32_t* offsets = hostRowptr_.get();
  for (uint32_t r = 0; r <= rows; ++r) offsets[r] = static_cast<uint32_t>(inputs.rowptr[begin + r] - first);
  reserve(rowptr_, rows + 1);
  reserve(cols_, std::max<uint64_t>(nnz, 1));
  reserve(values_, std::max<uint64_t>(nnz, 1));
  SNIG_CUDA_CHECK(cudaEventRecord(computeReady_.get(), stream));
  SNIG_CUDA_CHECK(cudaStreamWaitEvent(copy, computeReady_.get(), 0));
  SNIG_CUDA_CHECK(cudaMemcpyAsync(rowptr_.get(), offsets, (uint64_t{rows} + 1) * 4, cudaMemcpyHostToDevice, copy));
  SNIG_CUDA_CHECK(cudaEventRecord(rowptrCopied_.get(), copy));
  rowptrUsed_ = true;
  unitValues_ = true;  // until a chunk holds another value
  // The offsets arrived after the caller's earlier work was done: the chunks' work may start.
  for (const Stream& chunkStream : chunkStreams_) SNIG_CUDA_CHECK(cudaStreamWaitEvent(chunkStream.get(), rowptrCopied_.get(), 0));

  // A chunk ends at the first row boundary at or past its target: at most one row (n nonzeros) over.
  const uint64_t slotEntries = std::min(nnz, chunkTarget(nnz, 1) + inputs.n);
  for (uint32_t r0 = 0, r1 = 0, chunk = 0; r0 < rows; r0 = r1, ++chunk) {
    r1 = chunkEnd(offsets, rows, r0, chunkTarget(nnz, chunk));
    const uint64_t count = offsets[r1] - offsets[r0];
    cudaStream_t chunkStream = chunkStreams_[chunk % kChunkStreams].get();
    if (count) sendChunk(inputs, first, offsets[r0], count, slotEntries, slots_[chunk % 2], chunkStream);
    if (onChunk) onChunk(r0, r1, chunkStream);
  }
  for (int i = 0; i < kChunkStreams; ++i) {
    SNIG_CUDA_CHECK(cudaEventRecord(chunksDone_[i].get(), chunkStreams_[i].get()));
    SNIG_CUDA_CHECK(cudaStreamWaitEvent(stream, chunksDone_[i].get(), 0));
  }
}

void InputUploader::sendChunk(const SparseRows& inputs, uint64_t first, uint64_t at, uint64_t count, uint64_t slotEntries,
                              Slot& slot, cudaStream_t chunkStream) {
  const bool narrow = inputs.n <= 65536;
  const uint64_t slotBytes = packedValuesOffset(slotEntries, narrow) + slotEntries * sizeof(float);
  if (slot.used) SNIG_CUDA_CHECK(cudaEventSynchronize(slot.copied.get()));  // its last chunk has left
  if (slot.host.size() < slotBytes) {
    slot.host = PinnedBuffer<uint8_t>(slotBytes);
    slot.device = DeviceBuffer<uint8_t>(slotBytes);
  }
  const bool withValues = packNonzeros(inputs, first + at, count, narrow, slot.host.get());
  unitValues_ = unitValues_ && !withValues;
  const uint64_t bytes = withValues ? packedValuesOffset(count, narrow) + count * sizeof(float) : count * (narrow ? 2 : 4);
  cudaStream_t copy = copyStream_.get();
  if (slot.used) SNIG_CUDA_CHECK(cudaStreamWaitEvent(copy, slot.widened.get(), 0));  // its last chunk was widened
  SNIG_CUDA_CHECK(cudaMemcpyAsync(slot.device.get(), slot.host.get(), bytes, cudaMemcpyHostToDevice, copy));
  SNIG_CUDA_CHECK(cudaEventRecord(slot.copied.get(), copy));
  SNIG_CUDA_CHECK(cudaStreamWaitEvent(chunkStream, slot.copied.get(), 0));
  const auto* packedValues = withValues ? reinterpret_cast<const float*>(slot.device.get() + packedValuesOffset(count, narrow)) : nullptr;
  const unsigned blocks = static_cast<unsigned>(std::min<uint64_t>((count + kWidenThreads - 1) / kWidenThreads, 4096));
  if (narrow) {
    widenKernel<<<blocks, kWidenThreads, 0, chunkStream>>>(reinterpret_cast<const uint16_t*>(slot.device.get()), packedValues,
                                                      count, cols_.get() + at, values_.get() + at);
  } else {
    widenKernel<<<blocks, kWidenThreads, 0, chunkStream>>>(reinterpret_cast<const uint32_t*>(slot.device.get()), packedValues,
                                                      count, cols_.get() + at, values_.get() + at);
  }
  SNIG_CUDA_CHECK_LAUNCH();
  SNIG_CUDA_CHECK(cudaEventRecord(slot.widened.get(), chunkStream));
  slot.used = true;
}

}  // namespace snig::cuda
