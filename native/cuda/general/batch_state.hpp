// A batch's state on the device in the general pipeline: its live rows packed in tiles (or lines,
// with their masks) before and after a layer, the tiles' flags, the live slots' batch rows, the
// plan's moves, every row's fate (row_fate.hpp) and the live count after every layer.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../cuda_raii.hpp"
#include "fused_kernel.cuh"
#include "lines.cuh"

namespace snig::cuda::general {

struct BatchState {
  // Device bytes per row of a batch at n neurons: two dense rows (or lines) and their masks' share,
  // three row lists, its fate, its fused resumption layer.
  static uint64_t bytesPerRow(uint32_t n);
  // Grows the buffers for `rows` rows at n neurons in tiles of `lanes` rows, for `layers` layers
  // (lines: with their masks); their contents are not kept.
  void reserve(uint32_t rows, uint32_t n, uint32_t lanes, uint32_t layers, bool lines);
  // Starts a batch of `rows` rows in tiles of `lanes` rows on `stream`, in one launch: every row's
  // fate kDead, slot r holding row r (rowOf[0]), the tiles' flags and the fused counters zero,
  // counts[0] = rows.
  void start(uint32_t rows, uint32_t lanes, cudaStream_t stream);
  // Layer l's lines: in to out (the move packs them back).
  Lines lines(uint32_t l, uint32_t n, uint32_t lanes);

  DeviceBuffer<float> in, out;
  DeviceBuffer<uint8_t> inMask, outMask;  // lines: the masks of in's and out's lines
  DeviceBuffer<uint32_t> alive, notFull;  // per tile
  DeviceBuffer<uint32_t> rowOf[2];        // the live slots' batch rows, before and after a layer
  DeviceBuffer<uint32_t> from;            // the plan: the kept slots' old slots
  DeviceBuffer<uint8_t> fate;             // per row
  DeviceBuffer<uint32_t> counts;          // live slots before layer 0 .. after the last
  DeviceBuffer<FusedCounters> fusedCounters;  // one, zero at the batch's start
  DeviceBuffer<uint16_t> resumeAt;        // per slot: the layer a row handed from one fused launch to the next resumes at
  uint32_t finalRowOf = 0;                // which rowOf holds the packed rows' batch rows at the end
};

}  // namespace snig::cuda::general
