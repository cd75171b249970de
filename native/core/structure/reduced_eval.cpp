#include "reduced_eval.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>

#include "../error.hpp"

namespace snig {
namespace {

enum class RowFate : uint8_t { Dead, Saturated, Live };

// Runs one row through every layer; `a` holds its final class values when the fate is Live.
RowFate runRow(const ReducedNetwork& net, const ExitRules& rules, const SparseRows& inputs, uint64_t row,
               std::vector<float>& a, std::vector<float>& b) {
  std::fill(a.begin(), a.begin() + net.neurons, 0.0f);
  for (uint64_t k = inputs.rowptr[row]; k < inputs.rowptr[row + 1]; ++k) a[inputs.cols[k]] = inputs.values[k];
  for (size_t l = 0; l < net.layers.size(); ++l) {
    const ReducedLayer& layer = net.layers[l];
    bool any = false;
    bool all32 = true;
    for (uint32_t c = 0; c < layer.outClasses; ++c) {
      float acc = 0;
      for (uint32_t e = layer.ptr[c]; e < layer.ptr[c + 1]; ++e) {
        const float product = layer.weight[e] * a[layer.input[e]];
        acc = acc + product;
      }
      const float v = acc != 0.0f ? std::min(std::max(acc + layer.biasOf(c), 0.0f), kClamp) : 0.0f;
      b[c] = v;
      any = any || v != 0.0f;
      all32 = all32 && v == kClamp;
    }
    std::swap(a, b);
    if (!any) return RowFate::Dead;
    if (all32 && rules.saturatedExit[l]) return RowFate::Saturated;
  }
  return RowFate::Live;
}

}  // namespace

void expandRow(const ReducedNetwork& network, const float* classValues, float* neuronValues) {
  const std::vector<uint32_t>& classOf = network.layers.back().classOf;
  for (uint32_t j = 0; j < network.neurons; ++j) neuronValues[j] = classValues[classOf[j]];
}

double rowSum(const ReducedNetwork& network, const float* classValues) {
  const std::vector<uint32_t>& classOf = network.layers.back().classOf;
  double sum = 0;
  for (uint32_t j = 0; j < network.neurons; ++j) sum += static_cast<double>(classValues[classOf[j]]);
  return sum;
}

InferResult inferReduced(const ReducedNetwork& network, const SparseRows& inputs, const InferRequest& request,
                         int threads) {
  if (network.layers.empty()) throwArgument("the reduced network has no layers");
  if (inputs.n != network.neurons) {
    throwArgument("inputs have " + std::to_string(inputs.n) + " columns, the network " + std::to_string(network.neurons) + " neurons");
  }
  if (request.rowBegin > request.rowEnd || request.rowEnd > inputs.rows()) throwArgument("row range outside the inputs");
  if (request.precision != Precision::F32) throwArgument("the reduced CPU evaluator computes in float32 only");
  if (threads <= 0) threads = omp_get_max_threads();
  const auto start = std::chrono::steady_clock::now();
  const ExitRules rules = exitRules(network);
  const uint64_t rows = request.rowEnd - request.rowBegin;
  const uint32_t n = network.neurons;
  InferResult result;
  std::vector<uint8_t> nonzero(rows, 0);
  if (request.wantRowSums) result.rowSums.assign(rows, 0.0);
  if (request.wantRows) result.rows.assign(rows * n, 0.0f);
  const size_t width = std::max<size_t>(n, network.maxClasses());
#pragma omp parallel num_threads(threads)
  {
    std::vector<float> a(width), b(width), full(n, kClamp);
#pragma omp for schedule(dynamic, 16)
    for (int64_t r = 0; r < static_cast<int64_t>(rows); ++r) {
      if (request.cancel && request.cancel->load()) continue;
      const uint64_t row = request.rowBegin + static_cast<uint64_t>(r);
      const RowFate fate = runRow(network, rules, inputs, row, a, b);
      if (fate == RowFate::Dead) continue;
      float* out = request.wantRows ? result.rows.data() + static_cast<uint64_t>(r) * n : nullptr;
      if (fate == RowFate::Saturated) {
        nonzero[r] = 1;
        if (request.wantRowSums) result.rowSums[r] = double(kClamp) * n;
        if (out) std::fill(out, out + n, kClamp);
        continue;
      }
      const uint32_t classes = network.layers.back().outClasses;
      nonzero[r] = std::any_of(a.begin(), a.begin() + classes, [](float v) { return v != 0.0f; });
      if (request.wantRowSums) result.rowSums[r] = rowSum(network, a.data());
      if (out) expandRow(network, a.data(), out);
    }
  }
  throwIfCancelled(request);
  for (uint64_t r = 0; r < rows; ++r) {
    if (nonzero[r]) result.categories.push_back(request.rowBegin + r + 1);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.kernel = "reduced-cpu";
  return result;
}

}  // namespace snig
