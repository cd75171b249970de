// Kernels of the fast pipeline, one file per family: first_layer_sums.cu, first_layer_warp.cu,
// step_kernel.cu and fused_kernel.cu (what they share: kernel_common.cuh). Rows of a batch live in
// slots (their batch index); a slot's class values are stored at state[slot * stride + class]. Each
// layer reads the live slots listed for it, writes their outputs, and lists the slots still live for
// the next layer; a row leaves when it is zero (or all 32) and stays so by the exit rules, and its
// fate is recorded. Every class sums its entries in stored order with separate multiply and add (no
// contraction), exactly as the CPU evaluator (structure/reduced_eval.cpp) does, so results are
// bit-identical to it and repeatable.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../row_fate.hpp"

namespace snig::cuda::fast {

// One reduced layer on the device.
struct DeviceLayer {
  const uint32_t* ptr = nullptr;     // outClasses + 1
  const uint2* entry = nullptr;      // {input class, weight bits}
  uint32_t inClasses = 0;
  uint32_t outClasses = 0;
  float bias = 0;
  bool saturatedExit = false;  // (a zero row always exits: it stays zero)
  bool last = false;
};

// Layer 0 from the sparse input rows, before its bias: row r's nonzero (i, x) adds x * w to every
// class that input i feeds (tptr/tentry: the layer transposed, classes ascending, each entry
// {class, weight bits}), in input order. `state` must be zero. One thread per row: deterministic
// order, no atomics.
void launchFirstLayerSums(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rowBegin, uint32_t rowEnd,
                          const uint32_t* tptr, const uint2* tentry, float* state, uint32_t stride,
                          cudaStream_t stream);

// The whole of layer 0 for rows [rowBegin, rowEnd) with one warp per row: its class sums in shared memory, bias and clamp, the
// row's fate. The row's (input, class) contributions are staged 32 inputs at a time and added in
// the same order as the one-thread-per-row path (input order, then class order), conflicting lanes
// in lane order, so the sums are the same bits. For layers of at most kWarpFirstMaxClasses classes
// whose inputs feed at most kWarpFirstMaxFanOut classes each; uniformFanOut (every input feeds that
// many classes, 0 if they differ) selects a variant that needs no tptr and prefetches entries.
constexpr uint32_t kWarpFirstMaxClasses = 4096;
constexpr uint32_t kWarpFirstMaxFanOut = 32;
struct Step;
void launchFirstLayerWarp(const uint32_t* rowptr, const uint32_t* cols, const float* values, uint32_t rowBegin, uint32_t rowEnd,
                          const uint32_t* tptr, const uint2* tentry, uint32_t maxFanOut, uint32_t uniformFanOut,
                          const Step& step, int multiprocessors, cudaStream_t stream);

struct Step {
  DeviceLayer layer;
  const float* in = nullptr;       // input class values (for the first layer: its sums)
  float* out = nullptr;            // output class values
  uint32_t stride = 0;
  const uint32_t* liveIn = nullptr;  // live slots; nullptr: slots 0..countIn-1
  const uint32_t* countIn = nullptr;
  uint32_t* liveOut = nullptr;
  uint32_t* countOut = nullptr;    // zero before the launch
  uint8_t* fate = nullptr;
  bool activateOnly = false;       // first layer: out = clamp(in + bias) (in may equal out)
};

// Shared memory the step's kernel asks for, and rows per block, for a layer shape.
struct StepShape {
  uint32_t rowsPerBlock = 0;
  uint32_t rowsPerThread = 0;
  uint32_t rowGroups = 0;
  bool staged = false;             // input rows copied into shared memory
  size_t sharedBytes = 0;
};
StepShape stepShape(uint32_t inClasses, uint32_t outClasses, bool activateOnly);

// Enough blocks for `maxRows` live rows, capped at what the device keeps resident.
void launchStep(const Step& step, const StepShape& shape, uint32_t maxRows, int multiprocessors,
                cudaStream_t stream);

// Layers [first, count) in one launch for the rows listed in step.liveIn (their values in step.in),
// each block keeping its rows in shared memory across layers; every row's fate is decided, and the
// survivors' final values land in step.out. For networks whose classes per layer (width) let at
// least kRowsPerThread rows fit (rowsPerBlock > 0).
struct FusedShape {
  uint32_t width = 0;
  uint32_t rowsPerBlock = 0;
  uint32_t rowsPerThread = 0;
  uint32_t rowGroups = 0;
  uint32_t blocksPerSm = 0;
  size_t sharedBytes = 0;
};
FusedShape fusedShape(uint32_t width);
void launchFused(const DeviceLayer* layers, uint32_t first, uint32_t count, const Step& step, const FusedShape& shape,
                 uint32_t maxRows, int multiprocessors, cudaStream_t stream);

// Raise each kernel family's dynamic shared-memory limit (once per device, through configureKernels).
void configureStepKernel();
void configureFusedKernel();
void configureFirstLayerWarpKernels();

inline void configureKernels() {
  configureFusedKernel();
  configureStepKernel();
  configureFirstLayerWarpKernels();
}

}  // namespace snig::cuda::fast
