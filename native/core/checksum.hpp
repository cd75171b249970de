// CRC-32 (zlib's polynomial) of large buffers, computed in parallel slices joined with crc32_combine.
#pragma once

#include <cstdint>

namespace snig {

uint32_t crc32Parallel(const uint8_t* data, uint64_t bytes, uint32_t seed = 0);

}  // namespace snig
