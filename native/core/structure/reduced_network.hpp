// Exact neuron-equivalence reduction of a sparse DNN, discovered at load time for any model.
//
// If two outputs of a layer read the same inputs with the same weights, their values are equal for
// every input. Layer by layer, neurons are partitioned into classes of provably equal values: the
// image neurons are singletons; output j of layer l gets the reduced column p -> sum of w_ij over
// the inputs i in class p (summed in double, rounded to float; zero sums dropped), and outputs with
// identical reduced columns form one class. Each layer then becomes a sparse matrix from the input
// classes to the output classes, and a row's final output is nonzero iff one of its class values is.
//
// In a RadiX-Net challenge layer 16 outputs share one input set, so N neurons fold into N/16
// classes and the work per row drops about 16x per layer (more within a group, where an output
// class reads only 2 input classes). On a network with no such structure every class is a singleton
// and the reduced network is the model itself. The reduction is exact in real arithmetic; in float32
// only the summation order changes (a class's weights are added before multiplying).
#pragma once

#include <cstdint>
#include <vector>

#include "../model.hpp"

namespace snig {

struct ReducedLayer {
  uint32_t inClasses = 0;
  uint32_t outClasses = 0;
  float bias = 0;                // float(the layer's scalar bias)
  std::vector<float> classBias;  // per output class, when the layer has per-neuron biases (else empty)
  std::vector<uint32_t> ptr;     // outClasses + 1: class c reads entries [ptr[c], ptr[c+1])
  std::vector<uint32_t> input;   // input class of each entry, ascending within a class
  std::vector<float> weight;     // reduced weight of each entry
  std::vector<uint32_t> classOf;    // N entries: the output class of every neuron
  std::vector<uint32_t> classSize;  // outClasses entries: neurons in each output class
  // An all-32 input row maps to an all-32 output row, whatever the summation order.
  bool saturating = false;
  // The model layer's fewest and most stored weights per output neuron (reported by `auto`'s choice,
  // kept here so that a cached reduction answers without the model's layers).
  uint32_t fanInMin = 0, fanInMax = 0;
  uint64_t entries() const { return input.size(); }
  float biasOf(uint32_t c) const { return classBias.empty() ? bias : classBias[c]; }
};

struct ReducedNetwork {
  uint32_t neurons = 0;
  std::vector<ReducedLayer> layers;  // layer 0 reads the N image neurons (singleton classes)

  uint64_t totalEntries() const;
  uint32_t maxClasses() const;  // largest outClasses over the layers
};

// Builds the reduced network of the first `layers` layers (0: all); `threads` 0 uses all cores.
ReducedNetwork reduceModel(const Model& model, uint32_t layers = 0, int threads = 0);

// The first `layers` layers of a reduced network (the reduction of a prefix is the prefix).
ReducedNetwork prefixOf(const ReducedNetwork& network, uint32_t layers);

// Per layer l: may a row leave the working set after layer l? A zero row always may: the bias
// reaches only nonzero entries of Y·W, so it stays zero to the end. An all-32 row may where
// saturatedExit[l]: every later layer is saturating, so it stays all-32 to the end.
struct ExitRules {
  std::vector<uint8_t> saturatedExit;
};
ExitRules exitRules(const ReducedNetwork& network);

}  // namespace snig
