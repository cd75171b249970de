// Layer 1's outputs as counts ("codes"), for the lines kernels. Where layer 1 is counted (every
// input 1, every weight the same, first_layer.cuh) and has one bias b, an output's value is a
// function of its count c of set terms alone: activate(sums[c], b), at most 64 values. Layer 1 then
// writes c, one byte per row and neuron, in tiles of 32 rows: codes[(tile * n + j) * 32 + r]. A
// tile's 32 rows of one neuron are one 32-byte sector, against the ~2.3 sectors and two mask reads
// of two 16-row lines (the rows are ~40 % nonzero there), and the buffer is a quarter of a dense
// one.
//
// Layer 2 reads them (lane = row, a warp computes one output for 32 rows): per term one sector and
// the value looked up in a 64-entry table in shared memory, added in stored order with separate
// multiply and add, so the sums are the CPU engine's bit for bit. It reads its rows through the
// plan after layer 1 (slot s is the old slot from[s]; layer 1 rarely drops a row), so no move
// packs the codes, and it writes lines (lines.cuh) for the later layers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "general_kernels.cuh"
#include "lines.cuh"

namespace snig::cuda::general {

// Rows per tile of codes (one byte each: a 32-byte sector).
constexpr uint32_t kCodeRows = 32;

struct Codes {
  const uint8_t* in = nullptr;      // layer 1's counts, tiles of kCodeRows rows by old slot
  const uint32_t* from = nullptr;   // the plan after layer 1: old slot of each live slot
  DeviceLayer first;                // layer 1 (padded): its weight and bias give a count's value
};

// Layer 2 (padded layout) from the codes into `lines` (its in and inMask unused), for at most
// `maxSlots` live slots (lines.count on the device).
void launchCodesLayer(const DeviceLayer& padded, const Codes& codes, const Lines& lines, uint32_t maxSlots,
                      cudaStream_t stream);

}  // namespace snig::cuda::general
