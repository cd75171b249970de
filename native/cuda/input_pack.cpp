#include "input_pack.hpp"

#include <cstring>

namespace snig::cuda {

bool packNonzeros(const SparseRows& inputs, uint64_t first, uint64_t count, bool narrow, uint8_t* out) {
  const auto total = static_cast<int64_t>(count);
  const uint32_t* cols = inputs.cols.data() + first;
  const float* values = inputs.values.data() + first;
  bool unit = true;
  if (inputs.unitValues) {  // the columns alone: half the bytes to read
    if (narrow) {
      auto* packed = reinterpret_cast<uint16_t*>(out);
#pragma omp parallel for schedule(static)
      for (int64_t k = 0; k < total; ++k) packed[k] = static_cast<uint16_t>(cols[k]);
    } else {
      std::memcpy(out, cols, count * sizeof(uint32_t));
    }
  } else if (narrow) {
    auto* packed = reinterpret_cast<uint16_t*>(out);
#pragma omp parallel for schedule(static) reduction(&& : unit)
    for (int64_t k = 0; k < total; ++k) {
      packed[k] = static_cast<uint16_t>(cols[k]);
      unit = unit && values[k] == 1.0f;
    }
  } else {
    auto* packed = reinterpret_cast<uint32_t*>(out);
#pragma omp parallel for schedule(static) reduction(&& : unit)
    for (int64_t k = 0; k < total; ++k) {
      packed[k] = cols[k];
      unit = unit && values[k] == 1.0f;
    }
  }
  if (!unit) std::memcpy(out + packedValuesOffset(count, narrow), values, count * sizeof(float));
  return !unit;
}

}  // namespace snig::cuda
