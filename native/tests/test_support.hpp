// What the native test programs share: a check that prints and counts, a random network and random
// input rows.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/generator/random.hpp"
#include "core/inputs.hpp"
#include "core/model.hpp"

namespace snig::testing {

inline int failures = 0;

// Prints "ok" or "FAIL" and the check's name; counts failures.
inline void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

// A random network: every output reads `fanIn` random inputs with random weights; with `copies`,
// outputs come in runs of that many identical columns, so the partition is non-trivial. With
// `perNeuronBias`, every third layer has a bias vector that differs inside each run of copies
// (even neurons -0.5, odd ones 0.05), so those copies must not share a class.
inline Model randomModel(uint32_t n, uint32_t layers, uint32_t fanIn, uint32_t copies, uint64_t seed,
                         bool perNeuronBias = false) {
  SplitMix64 rng(seed, 11);
  Model model(n);
  for (uint32_t l = 0; l < layers; ++l) {
    const double bias = l % 5 == 3 ? 0.05 : -0.5;  // an occasional positive bias
    LayerShape shape;
    shape.nnz = uint64_t{n} * fanIn;
    shape.biasVector = perNeuronBias && l % 3 == 1;
    const uint32_t id = model.addLayer(shape, bias);
    if (shape.biasVector) {
      for (uint32_t j = 0; j < n; ++j) model.biases(id)[j] = j % 2 ? 0.05 : -0.5;
    }
    uint32_t* colptr = model.colptr(id);
    float* values = model.values(id);
    std::vector<uint32_t> picked;
    std::vector<float> weights;
    for (uint32_t j = 0; j < n; ++j) {
      colptr[j] = j * fanIn;
      if (j % copies == 0) {
        picked.clear();
        weights.clear();
        while (picked.size() < fanIn) {
          const uint32_t i = rng.below(n);
          if (std::find(picked.begin(), picked.end(), i) == picked.end()) picked.push_back(i);
        }
        std::sort(picked.begin(), picked.end());
        for (uint32_t k = 0; k < fanIn; ++k) weights.push_back(static_cast<float>(rng.symmetric() * 0.3 + 0.1));
      }
      for (uint32_t k = 0; k < fanIn; ++k) {
        if (model.indexBytes() == 2) model.index16(id)[j * fanIn + k] = static_cast<uint16_t>(picked[k]);
        else model.index32(id)[j * fanIn + k] = picked[k];
        values[j * fanIn + k] = weights[k];
      }
    }
    colptr[n] = n * fanIn;
  }
  model.seal();
  return model;
}

// Rows of random density in [0, maxDensity): some die early, some saturate.
inline SparseRows randomRows(uint32_t n, uint64_t rows, double maxDensity, bool binary, uint64_t seed) {
  SplitMix64 rng(seed, 7);
  SparseRows out;
  out.n = n;
  out.rowptr.push_back(0);
  for (uint64_t r = 0; r < rows; ++r) {
    const double density = maxDensity * rng.unit();
    for (uint32_t j = 0; j < n; ++j) {
      if (rng.unit() >= density) continue;
      out.cols.push_back(j);
      out.values.push_back(binary ? 1.0f : static_cast<float>(0.25 + rng.unit()));
    }
    out.rowptr.push_back(out.cols.size());
  }
  return out;
}

}  // namespace snig::testing
