// Evaluates a reduced network on the CPU, row by row, in the summation order the fast GPU kernels
// use: a class adds its entries in stored order (ascending input class) with separate multiply and
// add. A row leaves early when it is zero (or all 32) and stays so by the exit rules. Used to check
// the reduction against the full CPU engine, and the GPU kernels against the reduction.
#pragma once

#include "../engine.hpp"
#include "reduced_network.hpp"

namespace snig {

// Honours rowBegin/rowEnd, wantRowSums, wantRows and cancel (not wantTrace, not Precision::F64).
InferResult inferReduced(const ReducedNetwork& network, const SparseRows& inputs, const InferRequest& request,
                         int threads = 0);

// A final class-value row expanded to the N neuron values of the network's last layer.
void expandRow(const ReducedNetwork& network, const float* classValues, float* neuronValues);
// The sum of a row's N neuron values (in neuron order, in double), from its final class values.
double rowSum(const ReducedNetwork& network, const float* classValues);

}  // namespace snig
