#include "kernel_choice.hpp"

#include <algorithm>
#include <cstdio>

namespace snig {

KernelChoice chooseKernel(const Model& model, const ReducedNetwork& reduced) {
  uint32_t least = UINT32_MAX, most = 0;  // from the reduction: the model's layers may be unread (Model::deferBlocks)
  for (const ReducedLayer& layer : reduced.layers) {
    least = std::min(least, layer.fanInMin);
    most = std::max(most, layer.fanInMax);
  }
  const double share = model.totalNnz() ? static_cast<double>(reduced.totalEntries()) / static_cast<double>(model.totalNnz()) : 1.0;
  KernelChoice choice;
  // The fast kernel takes one bias per layer.
  const bool biasVectors = model.hasBiasVectors();
  choice.kernel = share <= kFastMaxEntryShare && !biasVectors ? "fast" : "general";
  char text[256];
  std::snprintf(text, sizeof text, "the reduction keeps %.1f %% of the %llu edges (%s %.0f %%), %u classes at most; fan-in %u..%u%s",
                share * 100, static_cast<unsigned long long>(model.totalNnz()),
                share <= kFastMaxEntryShare ? "at most" : "more than", kFastMaxEntryShare * 100, reduced.maxClasses(), least, most,
                biasVectors ? "; per-neuron biases (fast takes one bias per layer)" : "");
  choice.reason = text;
  return choice;
}

}  // namespace snig
