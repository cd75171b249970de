// The fast pipeline's first layer, one thread per row: its class sums before the bias.
#include "kernel_common.cuh"

namespace snig::cuda::fast {

using namespace detail;

namespace {

__global__ void firstLayerSumsKernel(const uint32_t* __restrict__ rowptr, const uint32_t* __restrict__ cols,
                                     const float* __restrict__ values, uint32_t rowBegin, uint32_t rowEnd,
                                     const uint32_t* __restrict__ tptr, const uint2* __restrict__ tentry,
                                     float* state, uint32_t stride) {
  const uint32_t r = rowBegin + blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rowEnd) return;
  float* sums = state + uint64_t{r} * stride;
  for (uint32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
    const uint32_t i = cols[k];
    const float x = values[k];
    for (uint32_t e = tptr[i]; e < tptr[i + 1]; ++e) {
      const uint2 entry = tentry[e];
      sums[entry.x] = __fadd_rn(sums[entry.x], __fmul_rn(__uint_as_float(entry.y), x));
    }
  }
}

}  // namespace

void launchFirstLayerSums(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rowBegin, uint32_t rowEnd,
                          const uint32_t* tptr, const uint2* tentry, float* state, uint32_t stride,
                          cudaStream_t stream) {
  if (rowEnd <= rowBegin) return;
  constexpr uint32_t threads = 128;
  firstLayerSumsKernel<<<(rowEnd - rowBegin + threads - 1) / threads, threads, 0, stream>>>(rowptr, cols, values, rowBegin, rowEnd, tptr, tentry,
                                                                               state, stride);
  SNIG_CUDA_CHECK_LAUNCH();
}

}  // namespace snig::cuda::fast
