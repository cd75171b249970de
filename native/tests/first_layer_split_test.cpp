// How the first-layer kernels split a batch's tiles over the multiprocessors
// (cuda/general/first_layer_split.hpp), host code only: values derived by hand from the rule (one
// block a multiprocessor at a time; s splits cost ceil(tiles * s / multiprocessors) * (1 / s + 1/16)
// tile-times) for an H200 (132 multiprocessors). No GPU needed.
#include <cstdio>
#include <string>

#include "cuda/general/first_layer_split.hpp"
#include "test_support.hpp"

using snig::cuda::general::firstLayerSplits;
using snig::testing::check;

namespace {

// The kernels' fewest outputs a block: the rows kernel's (16 a warp) and the count kernel's (one a
// thread).
constexpr uint32_t kRows = 512, kCount = 1024;

void expect(uint32_t tiles, uint32_t n, uint32_t minOutputs, uint32_t splits, const std::string& why) {
  const uint32_t got = firstLayerSplits(tiles, n, minOutputs, 132);  // an H200's multiprocessors
  check(got == splits, why + ": " + std::to_string(got) + " (expected " + std::to_string(splits) + ")");
}

}  // namespace

int main() {
  // 3000 rows at N = 2000 on an H200: 1 split 1 round (1.0625), 2 splits 2 rounds (1.125), 3 splits
  // 3 rounds (1.19), 4 splits 3 rounds of 1/4 (0.9375); 4 is the most at 2000 outputs.
  expect(94, 2000, kRows, 4, "2000 x 3000 rows splits 4 ways");
  // Large batches never split (60000 rows in tiles of 32 or 16 rows).
  expect(1875, 1024, kRows, 1, "1024 x 60000 rows");
  expect(3750, 65536, kRows, 1, "65536 x 60000 rows");
  expect(264, 65536, kRows, 1, "two rounds of whole tiles");
  // 1200 rows at N = 1024: 38 tiles, 2 splits in one round (0.5625); 1024 outputs allow only 2.
  expect(38, 1024, kRows, 2, "1024 x 1200 rows");
  // 3000 rows at N = 1024: 2 splits take 2 rounds of 1/2, no better than 1 round: no split.
  expect(94, 1024, kRows, 1, "1024 x 3000 rows");
  // 6000 rows at N = 1024: 188 tiles, 2 rounds whole (2.125) or 3 rounds of halves (1.6875).
  expect(188, 1024, kRows, 2, "1024 x 6000 rows");
  // Few tiles, many outputs: 7 tiles at N = 65536 on 132: 18 splits fill one round (126 blocks,
  // 1/18 + 1/16), more take two.
  expect(7, 65536, kRows, 18, "65536 x 100 rows");
  // Fewer than 512 outputs: one block a tile.
  expect(4, 300, kRows, 1, "300 outputs never split");
  // The count kernel at N = 1024: a thread an output, so 1024 outputs a block at least: no split.
  expect(38, 1024, kCount, 1, "1024 x 1200 rows, counted");
  // ... and at 2000 at most 2, which 94 tiles do not gain by (2 rounds of halves).
  expect(94, 2000, kCount, 1, "2000 x 3000 rows, counted");
  std::printf("%s\n", snig::testing::failures ? "FAILED" : "PASSED");
  return snig::testing::failures ? 1 : 0;
}
