// Reading and writing models: the official TSV layout and the binary format.
//
// Binary format (little-endian), version 2:
//   header (64 bytes):   magic "SNIGMDL\0" | u32 version | u32 N | u32 L | u32 index bytes (2|4)
//                        | u64 total nnz | u8[32] reserved (0)
//   layer table (L × 32): f64 bias | f64 uniform value | u32 flags | u32 0 | u64 nnz
//                        flags: bit 0 uniform, bit 1 values64, bit 2 bias vector (see model.hpp)
//   layer blocks:        as described in model.hpp, in layer order
//   trailer (8 bytes):   u32 checksum (Model::checksum) | magic "SNIG"
// Version 1 files (24-byte records: f32 bias, f32 uniform value, flags bit 0 only) still load; their
// float32 bias is read back as the shortest decimal that rounds to it (float(-0.3) -> -0.3).
//
// TSV layout: `n<N>-l<k>.tsv[.gz]` per layer, and optionally `n<N>-l<k>-bias.tsv[.gz]` beside it:
// N lines, line j the bias of output neuron j. A layer without a bias file takes the scalar bias.
#pragma once

#include <cstdint>
#include <string>

#include "model.hpp"
#include "text_chunks.hpp"

namespace snig {

struct ModelRequest {
  std::string path;    // a binary model file, or a directory holding the official layout
  uint32_t layers = 0; // 0: every layer present
  bool hasBias = false;
  double bias = 0;     // the scalar bias (--bias); for TSV models of a non-challenge N it is required
                       // unless every layer has a bias file
  int threads = 0;     // parsing threads (0: all)
  bool lazy = false;   // a binary model's layers read when first needed (Model::deferBlocks), not now;
                       // fewer layers or another bias than the file's read them at once
};

// Loads a model from either format (detected from the path), validating everything.
Model loadModel(const ModelRequest& request);

bool isBinaryModel(const std::string& path);
// Checks the header, layer table, size and trailer now; the layers are read and checked (checksum and
// structure) now, or when first needed if `lazy` (a version-1 file is always read now).
Model readModelBinary(const std::string& path, bool lazy = false);
void writeModelBinary(const Model& model, const std::string& path);

// Reads `<dir>/n<N>-l<k>.tsv[.gz]` for k = 1..layers (or every one present), or the same inside
// `<dir>/neuron<N>/`, with any per-neuron bias files. N comes from the file names. Layers are parsed
// in parallel; fewer layers than threads are each cut into chunks parsed on all of them.
Model readModelTsv(const std::string& dir, uint32_t layers, double bias, bool hasBias, const ChunkOptions& chunking);

// Writes the official layout: `<dir>/n<N>-l<k>.tsv` (or .tsv.gz), lines sorted by output then input,
// weights printed as the official files do (%e). Each file is written atomically.
void writeModelTsv(const Model& model, const std::string& dir, bool gzip);

}  // namespace snig
