// The host's half of an input upload (input_upload.hpp): nonzeros packed for the link, on all cores.
#pragma once

#include <cstdint>

#include "../core/inputs.hpp"

namespace snig::cuda {

// Where the values of `count` packed nonzeros start: after their columns, 16-byte aligned.
inline uint64_t packedValuesOffset(uint64_t count, bool narrow) { return (count * (narrow ? 2 : 4) + 15) / 16 * 16; }

// Writes nonzeros [first, first + count) of `inputs` to `out`: their columns (16-bit when `narrow`,
// else 32-bit), then, only when some value among them is not 1, their values (at
// packedValuesOffset). Returns whether the values were written.
bool packNonzeros(const SparseRows& inputs, uint64_t first, uint64_t count, bool narrow, uint8_t* out);

}  // namespace snig::cuda
