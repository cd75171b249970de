// A small, portable, seedable random generator (SplitMix64) for the generator. std::mt19937 plus
// std::*_distribution would differ between standard libraries; these streams are identical
// everywhere, so a seed names the same network and inputs on every machine.
#pragma once

#include <cmath>
#include <cstdint>

namespace snig {

class SplitMix64 {
 public:
  // A stream for (seed, a, b): independent streams for every group, row and attempt.
  explicit SplitMix64(uint64_t seed, uint64_t a = 0, uint64_t b = 0)
      : state_(mix(mix(seed ^ 0x6a09e667f3bcc909ULL) ^ (a + 0x9e3779b97f4a7c15ULL)) ^ (b * 0xbf58476d1ce4e5b9ULL)) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix(state_);
  }
  // Uniform in [0, bound).
  uint32_t below(uint32_t bound) {
    return static_cast<uint32_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [-1, 1).
  double symmetric() { return 2.0 * unit() - 1.0; }

 private:
  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

}  // namespace snig
