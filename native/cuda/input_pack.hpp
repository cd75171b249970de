// The host's half of an input upload (input_upload.hpp): nonzeros packed for the link, on all cores.
#pragma once

#include <cstdint>

#include "../core/inputs.hpp"

namespace snig::cuda {

// Writes nonzeros [first, first + count) of `inputs` to `out`: their columns (16-bit when `narrow`,
// else 32-bit), then, only when some value among them is not 1, their values. Returns whether the
// values were written.
bool packNonzeros(const SparseRows& inputs, uint64_t first, uint64_t count, bool narrow, uint8_t* out);

}  // namespace snig::cuda
