#include "input_upload.hpp"

#include <algorithm>

#include "../core/error.hpp"
#include "input_pack.hpp"

namespace snig::cuda {
namespace {

constexpr uint64_t kChunkNnz = uint64_t{1} << 23;       // 16 MiB of 16-bit columns per chunk
constexpr uint64_t kFirstChunkNnz = uint64_t{1} << 20;  // a small first chunk starts the link sooner
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

template <typename T>
void reserve(DeviceBuffer<T>& buffer, size_t count) {
  if (buffer.size() < count) buffer = DeviceBuffer<T>(std::max(count, buffer.size() * 3 / 2));
}

}  // namespace

void InputUploader::upload(const SparseRows& inputs, uint64_t begin, uint64_t end, cudaStream_t stream) {
  const uint64_t rows = end - begin;
  const uint64_t first = inputs.rowptr[begin];
  const uint64_t nnz = inputs.rowptr[end] - first;
  if (nnz > UINT32_MAX) throw Error(ErrorCode::Argument, "an input batch holds at most 2^32 nonzeros");
  const bool narrow = inputs.n <= 65536;
  const uint64_t colBytes = narrow ? 2 : 4;

  if (rowptrCopied_) SNIG_CUDA_CHECK(cudaEventSynchronize(rowptrCopied_.get()));  // the last batch's offsets left
  if (hostRowptr_.size() < rows + 1) hostRowptr_ = PinnedBuffer<uint32_t>(rows + 1);
  for (uint64_t r = 0; r <= rows; ++r) hostRowptr_.get()[r] = static_cast<uint32_t>(inputs.rowptr[begin + r] - first);
  reserve(rowptr_, rows + 1);
  reserve(cols_, std::max<uint64_t>(nnz, 1));
  reserve(values_, std::max<uint64_t>(nnz, 1));
  SNIG_CUDA_CHECK(cudaMemcpyAsync(rowptr_.get(), hostRowptr_.get(), (rows + 1) * 4, cudaMemcpyHostToDevice, stream));
  if (!rowptrCopied_) rowptrCopied_ = makeEvent(cudaEventDisableTiming);
  SNIG_CUDA_CHECK(cudaEventRecord(rowptrCopied_.get(), stream));

  const uint64_t slotEntries = std::min(kChunkNnz, std::max<uint64_t>(nnz, 1));
  const uint64_t slotBytes = packedValuesOffset(slotEntries, narrow) + slotEntries * sizeof(float);
  for (uint64_t at = 0, chunk = 0, count = 0; at < nnz; at += count, ++chunk) {
    Slot& slot = slots_[chunk % 2];
    if (slot.used) SNIG_CUDA_CHECK(cudaEventSynchronize(slot.copied.get()));  // its last chunk has left
    if (slot.host.size() < slotBytes) {
      slot.host = PinnedBuffer<uint8_t>(slotBytes);
      slot.device = DeviceBuffer<uint8_t>(slotBytes);
    }
    if (!slot.copied) slot.copied = makeEvent(cudaEventDisableTiming);
    count = std::min(chunk == 0 ? kFirstChunkNnz : kChunkNnz, nnz - at);
    const bool withValues = packNonzeros(inputs, first + at, count, narrow, slot.host.get());
    const uint64_t bytes = withValues ? packedValuesOffset(count, narrow) + count * sizeof(float) : count * colBytes;
    SNIG_CUDA_CHECK(cudaMemcpyAsync(slot.device.get(), slot.host.get(), bytes, cudaMemcpyHostToDevice, stream));
    SNIG_CUDA_CHECK(cudaEventRecord(slot.copied.get(), stream));
    slot.used = true;
    const auto* packedValues = withValues ? reinterpret_cast<const float*>(slot.device.get() + packedValuesOffset(count, narrow)) : nullptr;
    const unsigned blocks = static_cast<unsigned>(std::min<uint64_t>((count + kWidenThreads - 1) / kWidenThreads, 4096));
    if (narrow) {
      widenKernel<<<blocks, kWidenThreads, 0, stream>>>(reinterpret_cast<const uint16_t*>(slot.device.get()), packedValues,
                                                        count, cols_.get() + at, values_.get() + at);
    } else {
      widenKernel<<<blocks, kWidenThreads, 0, stream>>>(reinterpret_cast<const uint32_t*>(slot.device.get()), packedValues,
                                                        count, cols_.get() + at, values_.get() + at);
    }
    SNIG_CUDA_CHECK_LAUNCH();
  }
}

}  // namespace snig::cuda
