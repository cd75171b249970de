// How the first-layer kernels (first_layer.cuh) spread a batch over the multiprocessors, host code
// only (its test runs without a GPU).
#pragma once

#include <cstdint>

namespace snig::cuda::general {

// What a block costs beyond its share of the outputs (its tile's bits filled again, its start, its
// warps' uneven last outputs), as a fraction 1 / kBlockOverhead of a whole tile's outputs.
constexpr uint32_t kBlockOverhead = 16;

// Into how many blocks the first layer splits each of `tiles` tiles' n outputs, each block with
// about `minOutputs` of them at least (n / minOutputs splits at most, rounded up). The kernels'
// registers let one block of 1024 threads run on a multiprocessor at a time, so s splits take
// ceil(tiles * s / multiprocessors) rounds of a block each (1 / s tile plus the overhead): the s
// that takes the least time, the fewest splits on a tie. From two rounds of whole tiles on (large
// batches: 60000 rows at any N) the last round's idle share is small: no split. At 2000 neurons,
// 3000 rows (94 tiles), 512 outputs a block and 132 multiprocessors: 4 (376 blocks in 3 rounds,
// not 94 in 1 with 38 multiprocessors idle).
uint32_t firstLayerSplits(uint32_t tiles, uint32_t n, uint32_t minOutputs, uint32_t multiprocessors);

}  // namespace snig::cuda::general
