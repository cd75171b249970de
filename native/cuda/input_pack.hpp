// The host's half of an input upload (input_upload.hpp): the batch cut into chunks of whole rows,
// and each chunk's nonzeros packed for the link in parts on the calling thread and helper threads
// (helper_pool.hpp). No CUDA here, so that its test (native/tests/input_pack_test.cpp) runs without
// a GPU or nvcc.
#pragma once

#include <cstdint>

#include "../core/inputs.hpp"

namespace snig::cuda {

// The nonzeros chunk number `chunk` of a batch of `nnz` aims at: 2^18 for the first, then about 1/16
// of the batch within [2^22, 2^23] when the host packs the chunks into staging (`staged`), within
// [2^20, 2^23] when they are sent from page-locked inputs as they are. The first is never the largest.
uint64_t chunkTarget(uint64_t nnz, uint32_t chunk, bool staged);

// The end of the chunk of rows that starts at row `begin` (< rows) of a batch with row offsets
// `offsets` (rows + 1): the first row boundary at least `target` nonzeros on, or the batch's end.
uint32_t chunkEnd(const uint32_t* offsets, uint32_t rows, uint32_t begin, uint64_t target);

// Where the values of `count` packed nonzeros start: after their columns, 16-byte aligned.
inline uint64_t packedValuesOffset(uint64_t count, bool narrow) { return (count * (narrow ? 2 : 4) + 15) / 16 * 16; }

// Writes nonzeros [first, first + count) of `inputs` to `out`: their columns (16-bit when `narrow`,
// else 32-bit; copied as they are from inputs.narrowCols when it is there), then, only when some
// value among them is not 1, their values (at packedValuesOffset). Returns whether the values were
// written. Compact inputs (SparseRows::compact) at `narrow` are read from narrowCols alone.
bool packNonzeros(const SparseRows& inputs, uint64_t first, uint64_t count, bool narrow, uint8_t* out);

// The runs of consecutive columns of every row of `inputs` (SparseRows::runs' layout), in parts on
// the helper threads: countRuns writes each row's first run to ptr[0 .. rows] (from 0) and returns
// the runs in all; packRuns then writes them. They read narrowCols in compact rows; the values are
// not looked at.
uint64_t countRuns(const SparseRows& inputs, uint32_t* ptr);
void packRuns(const SparseRows& inputs, const uint32_t* ptr, uint32_t* runs);

}  // namespace snig::cuda
