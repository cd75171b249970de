// --dump DIR: the workload as NumPy .npy files, for peers that run on the same data
// (scripts/device/cusparse_spmm.py): the layers as CSR of W transposed (one row per output neuron),
// concatenated (layer_nnz.npy: each layer's edge count; colptr.npy: L x (N+1); index.npy; weight.npy;
// bias.npy: L x N), and the input rows (rowptr.npy, cols.npy, values.npy).
#pragma once

#include <string>

#include "workload.hpp"

namespace snig::bench {

void dumpNpy(const Workload& workload, const std::string& dir);

}  // namespace snig::bench
