#include "kernel_choice.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace snig {
namespace {

// The model's edges in the layers the reduction covers.
uint64_t coveredEdges(const Model& model, const ReducedNetwork& reduced) {
  uint64_t edges = 0;
  for (size_t l = 0; l < reduced.layers.size(); ++l) edges += model.layers()[l].nnz;
  return edges;
}

// The share of those edges the reduction keeps as entries.
double entryShare(const Model& model, const ReducedNetwork& reduced) {
  const uint64_t edges = coveredEdges(model, reduced);
  return edges ? static_cast<double>(reduced.totalEntries()) / static_cast<double>(edges) : 1.0;
}

}  // namespace

KernelChoice chooseKernel(const Model& model, const ReducedNetwork& reduced) {
  uint32_t least = UINT32_MAX, most = 0;  // from the reduction: the model's layers may be unread (Model::deferBlocks)
  for (const ReducedLayer& layer : reduced.layers) {
    least = std::min(least, layer.fanInMin);
    most = std::max(most, layer.fanInMax);
  }
  const bool whole = reduced.layers.size() == model.layerCount();
  const double share = entryShare(model, reduced);
  const double limit = whole ? kFastMaxEntryShare : kProbeGeneralShare;
  KernelChoice choice;
  // The fast kernel takes one bias per layer.
  const bool biasVectors = model.hasBiasVectors();
  choice.kernel = share <= kFastMaxEntryShare && !biasVectors ? "fast" : "general";
  const std::string scope = whole ? "the reduction" : "the reduction of the first " + std::to_string(reduced.layers.size()) + " layers";
  char text[320];
  std::snprintf(text, sizeof text, "%s keeps %.1f %% of the %llu edges (%s %.0f %%), %u classes at most; fan-in %u..%u%s", scope.c_str(),
                share * 100, static_cast<unsigned long long>(coveredEdges(model, reduced)), share <= limit ? "at most" : "more than",
                limit * 100, reduced.maxClasses(), least, most, biasVectors ? "; per-neuron biases (fast takes one bias per layer)" : "");
  choice.reason = text;
  return choice;
}

AutoChoice chooseAutoKernel(const Model& model, const ReductionCache& cache) {
  ReductionSource source;
  std::optional<ReducedNetwork> reduced = readCachedReduction(model, cache, &source);
  if (!reduced && model.layerCount() > kProbeLayers) {
    const auto start = std::chrono::steady_clock::now();
    ReducedNetwork probe = reduceModel(model, kProbeLayers);
    if (entryShare(model, probe) > kProbeGeneralShare) {
      char from[96];
      std::snprintf(from, sizeof from, "%u layers reduced in %.2f s, the rest not", kProbeLayers,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      return {chooseKernel(model, probe), nullptr, from};
    }
  }
  if (!reduced) reduced = reduceAndCache(model, cache, &source);
  auto whole = std::make_shared<const ReducedNetwork>(std::move(*reduced));
  return {chooseKernel(model, *whole), whole, source.describe()};
}

}  // namespace snig
