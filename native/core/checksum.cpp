#include "checksum.hpp"

#include <zlib.h>

#include <algorithm>
#include <vector>

namespace snig {

uint32_t crc32Parallel(const uint8_t* data, uint64_t bytes, uint32_t seed) {
  constexpr uint64_t kSlice = uint64_t{64} << 20;  // 64 MiB: small models stay on one thread
  const int64_t slices = static_cast<int64_t>((bytes + kSlice - 1) / kSlice);
  std::vector<uLong> crcs(static_cast<size_t>(slices));
#pragma omp parallel for schedule(static) if (slices > 1)
  for (int64_t s = 0; s < slices; ++s) {
    const uint64_t begin = static_cast<uint64_t>(s) * kSlice;
    const uint64_t length = std::min(kSlice, bytes - begin);
    crcs[static_cast<size_t>(s)] = ::crc32_z(0, data + begin, static_cast<z_size_t>(length));
  }
  uLong crc = seed;
  for (int64_t s = 0; s < slices; ++s) {
    const uint64_t begin = static_cast<uint64_t>(s) * kSlice;
    const uint64_t length = std::min(kSlice, bytes - begin);
    crc = ::crc32_combine(crc, crcs[static_cast<size_t>(s)], static_cast<z_off_t>(length));
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace snig
