#include "fanout_layer.hpp"

#include <stdexcept>

namespace snig::cuda::general {

FanoutLayer fanoutLayer(const LayerView& layer, uint32_t span) {
  if (span == 0 || span > 65536) throw std::invalid_argument("fanout span must be 1..65536 outputs");
  const uint32_t n = layer.n;
  FanoutLayer out;
  out.span = span;
  out.spans = (n + span - 1) / span;
  out.uniform = static_cast<float>(layer.uniformValue);
  const uint64_t pairs = uint64_t{out.spans} * n;
  out.start.assign(pairs + 1, 0);
  for (uint32_t j = 0; j < n; ++j) {
    for (uint64_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k) ++out.start[uint64_t{j / span} * n + layer.input(k) + 1];
  }
  for (uint64_t p = 0; p < pairs; ++p) out.start[p + 1] += out.start[p];
  out.output.resize(layer.nnz);
  if (!layer.uniform()) out.values.resize(layer.nnz);
  std::vector<uint32_t> next(out.start.begin(), out.start.end() - 1);
  // Outputs in ascending order: each pair's entries come out sorted by output.
  for (uint32_t j = 0; j < n; ++j) {
    for (uint64_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k) {
      const uint32_t at = next[uint64_t{j / span} * n + layer.input(k)]++;
      out.output[at] = static_cast<uint16_t>(j % span);
      if (!layer.uniform()) out.values[at] = layer.weight(k);
    }
  }
  return out;
}

}  // namespace snig::cuda::general
