// SNIG's column-sectioned weight layout (Lin & Huang, HPEC 2020, section III-A).
//
// The outputs of a layer are split into sections small enough that one section's partial sums fit in
// a thread block's shared memory; the section size comes from the device's limits at load time, not
// from any file. Within a section the layer is stored by INPUT neuron (the transpose of the model's
// by-output storage), so a block can push each nonzero input along its edges into shared memory.
//
// One layer's block (all offsets 16-byte aligned):
//   ptr[S*N + 1] (u32): edges of input i into section s are idx[ptr[s*N+i] .. ptr[s*N+i+1])
//   idx[nnz]     (u16): the output neuron, relative to its section's first output
//   val[nnz]     (f32): the weights, omitted when the layer is uniform
//   val64[nnz]   (f64): the exact weights, only when some weight is not a float (Model values64)
//   bias[N]      (f64): per-neuron biases, only when the layer has them
#pragma once

#include <cstdint>
#include <vector>

#include "../../core/model.hpp"

namespace snig::cuda::sectioned {

// How a layer's outputs split into sections.
struct SectionPlan {
  uint32_t n = 0;
  uint32_t sectionSize = 0;  // outputs per section (the last one may be shorter)
  uint32_t sections = 0;
  // The layer kernel's launch: `blocksPerSm` blocks of `blockThreads` threads share a multiprocessor
  // (its threads and its shared memory, which is what sized the sections).
  uint32_t blocksPerSm = 0;
  uint32_t blockThreads = 0;
};

// The largest section (in elements of `elementBytes`) that lets `blocksPerSm` blocks share one
// multiprocessor's shared memory, within one block's opt-in limit and 65536 outputs (16-bit local
// indices); sections are balanced and a multiple of 32. Throws E_ARGUMENT when the shared memory
// cannot hold even 32 outputs.
SectionPlan planSections(uint32_t n, uint64_t smemPerBlockOptin, uint64_t smemPerSm, uint32_t blocksPerSm,
                         uint32_t elementBytes);

struct SectionedLayer {
  uint64_t offset = 0;  // of the layer's block in the whole layout
  uint64_t bytes = 0;
  uint64_t nnz = 0;
  uint64_t idxOffset = 0;  // relative to the layer's block
  uint64_t valOffset = 0;  // relative to the layer's block; 0 when uniform
  uint64_t val64Offset = 0;  // relative to the layer's block; 0 when absent
  uint64_t biasOffset = 0;   // relative to the layer's block; 0 when the scalar bias applies
  double bias = 0;
  double uniformValue = 0;
  bool uniform = false;
};

struct SectionedLayout {
  SectionPlan plan;
  std::vector<SectionedLayer> layers;
  uint64_t totalBytes = 0;
  uint64_t maxLayerBytes = 0;
};

// Offsets and sizes of every layer of `model` under `plan` (layers [first, last)).
SectionedLayout layoutSections(const Model& model, const SectionPlan& plan, uint32_t first, uint32_t last);

// Writes layout.totalBytes bytes at `dest`: every layer of the layout in SNIG's sectioned form
// (layers in parallel, OpenMP).
void fillSections(const Model& model, uint32_t firstLayer, const SectionedLayout& layout, uint8_t* dest);

}  // namespace snig::cuda::sectioned
