// The general pipeline's fused layers (N <= 4096, few live rows): one launch carries the live rows
// through every remaining layer. A block takes a tile of R live rows (R = 1 unless forced: a row's
// block stops when the row dies, so dead rows cost nothing and need no compaction) and keeps it in
// shared memory (a layer's inputs and its outputs: two buffers of R x n floats), computing each layer
// as the tile kernel does (a group of R lanes per output, lane = row; terms in stored order with
// separate multiply and add; the bias on nonzero sums only), so rows stay bit-identical to the CPU
// engine. There is no launch, plan or move per layer; a tile whose rows have all left (dead, or all
// 32 at a saturated exit) stops, and its block takes the next tile. In the per-layer path a layer on
// a few hundred rows costs ~35 us (three launches, and the gather kernel's index-then-input loads
// from L2 in a chain): most of a small batch's time (docs/performance.md). Above n = 1024 the last
// few rows continue in a second launch, each on two multiprocessors (launchFused).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "general_kernels.cuh"

namespace snig::cuda::general {

// The most rows a fused tile holds at n neurons: two tiles within the tile kernel's shared memory
// (0 where the tile kernel's padded layout is not held).
constexpr uint32_t fusedMaxLanes(uint32_t n) { return tileLanes(n) >= 8 ? tileLanes(n) / 2 : 0; }

// Whether a fused batch's last rows run on two multiprocessors each (launchFused), for fused tiles of
// `lanes` rows at n neurons and `cluster` (Fused::cluster): one-row tiles, where a block's threads
// compute two outputs or more (at n <= 1024 half of them would idle).
constexpr bool fusedTailPaired(uint32_t cluster, uint32_t lanes, uint32_t n) { return cluster == 2 && lanes == 1 && n > 1024; }

// The fused launches' counters (BatchState::fusedCounters), zero before the first launch.
struct FusedCounters {
  uint32_t tiles[2];  // tiles the first and the second launch took
  uint32_t leftRows;  // rows that left during the first launch
};

struct Fused {
  uint32_t n = 0;
  uint32_t lanes = 1;                    // rows per fused tile: 1, 2, 4, 8 or 16, dividing srcLanes
  uint32_t srcLanes = 16;                // rows per tile of the compacted state
  uint32_t cluster = 2;                  // 2: the last rows on two blocks each (launchFused); 1: never
  uint32_t firstLayer = 0;               // computes layers [firstLayer, layers)
  uint32_t layers = 0;
  const DeviceLayer* layer = nullptr;    // device array, per layer: the padded layout
  const uint8_t* saturatedExit = nullptr;  // device array, per layer
  const float* in = nullptr;             // the live rows, compacted in tiles of srcLanes
  float* out = nullptr;                  // the rows still live at the end: their values, same slots
  const uint32_t* count = nullptr;       // live slots
  const uint32_t* rowOf = nullptr;       // slot -> batch row
  uint8_t* fate = nullptr;               // rows that leave all 32 at a saturated exit: kSaturated
  uint32_t* alive = nullptr;             // per srcLanes tile: the slots still live at the end (zero before)
  FusedCounters* counters = nullptr;     // zero before the first launch
  uint16_t* resumeAt = nullptr;          // per slot: where a row handed over resumes (cluster 2)
  // Set by launchFused for its launches: the first hands its live rows over once at most this many
  // are live (0: never); the second resumes the rows handed over (f.out, resumeAt).
  uint32_t handOver = 0;
  bool resume = false;
};

// Raises the fused kernel's dynamic shared-memory limit (once per device).
void configureFused();

// Runs f for at most `maxSlots` live slots (the exact count is read on the device), one block per
// multiprocessor at most. With f.cluster 2 (one-row tiles, n > 1024), in two launches: the first
// hands its rows over once no more are live than half the multiprocessors; the second carries each
// of them on two multiprocessors, a block on each computing half of every layer's outputs (a
// row's layer on one multiprocessor is bound by its loads there, not by the L2 or latency:
// docs/performance.md).
void launchFused(const Fused& f, uint32_t maxSlots, int multiprocessors, cudaStream_t stream);

}  // namespace snig::cuda::general
