// A batch row's fate, one byte per row, as the one-device pipelines' kernels (fast, general) record it:
// a dead row leaves (all zero), a saturated one is all 32 from then on, a live one ends as computed.
#pragma once

#include <cstdint>

namespace snig::cuda {

enum Fate : uint8_t { kDead = 0, kSaturated = 1, kLive = 2 };

}  // namespace snig::cuda
