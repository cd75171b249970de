#include "reduced_network.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>

#include "../engine.hpp"
#include "../error.hpp"

namespace snig {
namespace {

// One output neuron's reduced column, stored at its own colptr offset in shared scratch arrays.
struct Scratch {
  std::vector<uint32_t> cls;    // input class per entry
  std::vector<float> weight;    // reduced weight per entry
  std::vector<uint32_t> count;  // entries per output neuron
  std::vector<uint64_t> hash;   // per output neuron
};

uint64_t mixHash(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

// Reduced column of output j: (class, summed weight) pairs sorted by class, zero sums dropped.
// Within a class the weights are added in stored (ascending input) order, in double.
void reduceColumn(const LayerView& layer, const std::vector<uint32_t>& inClass, uint32_t j,
                  std::vector<std::pair<uint32_t, uint32_t>>& order, Scratch& s) {
  const uint64_t begin = layer.colptr[j];
  const uint64_t end = layer.colptr[j + 1];
  order.clear();
  for (uint64_t k = begin; k < end; ++k) order.emplace_back(inClass[layer.input(k)], static_cast<uint32_t>(k - begin));
  std::sort(order.begin(), order.end());
  uint32_t n = 0;
  uint64_t h = 0x12345678ULL;
  for (size_t a = 0; a < order.size();) {
    const uint32_t c = order[a].first;
    double sum = 0;
    for (; a < order.size() && order[a].first == c; ++a) sum += static_cast<double>(layer.weight(begin + order[a].second));
    const float w = static_cast<float>(sum);
    if (w == 0.0f) continue;
    s.cls[begin + n] = c;
    s.weight[begin + n] = w;
    h = mixHash(mixHash(h, c), std::bit_cast<uint32_t>(w));
    ++n;
  }
  s.count[j] = n;
  s.hash[j] = mixHash(h, n);
}

// Hash of output j's stored column (inputs and weights), before any reduction.
uint64_t rawHash(const LayerView& layer, uint32_t j) {
  uint64_t h = 0x9876543ULL;
  for (uint64_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k) {
    h = mixHash(mixHash(h, layer.input(k)), std::bit_cast<uint32_t>(layer.weight(k)));
  }
  return mixHash(h, layer.colptr[j + 1] - layer.colptr[j]);
}

// Neurons of one class must share their bias too (per-neuron biases).
bool sameBias(const LayerView& layer, uint32_t a, uint32_t b) { return layer.biasOf32(a) == layer.biasOf32(b); }

bool sameRawColumn(const LayerView& layer, uint32_t a, uint32_t b) {
  if (!sameBias(layer, a, b)) return false;
  const uint64_t pa = layer.colptr[a];
  const uint64_t pb = layer.colptr[b];
  if (layer.colptr[a + 1] - pa != layer.colptr[b + 1] - pb) return false;
  for (uint64_t e = 0; e < layer.colptr[a + 1] - pa; ++e) {
    if (layer.input(pa + e) != layer.input(pb + e)) return false;
    if (std::bit_cast<uint32_t>(layer.weight(pa + e)) != std::bit_cast<uint32_t>(layer.weight(pb + e))) return false;
  }
  return true;
}

// Groups keys by an exact equality, given their hashes: first[j] is the first key equal to j.
// The table (a power of two in size, larger than the key count) is scratch.
template <typename Same>
void groupEqual(const std::vector<uint64_t>& hash, const std::vector<uint32_t>& keys, std::vector<uint32_t>& table,
                std::vector<uint32_t>& first, Same same) {
  const uint64_t mask = table.size() - 1;
  std::fill(table.begin(), table.end(), UINT32_MAX);
  for (uint32_t j : keys) {
    for (uint64_t slot = hash[j] & mask;; slot = (slot + 1) & mask) {
      const uint32_t other = table[slot];
      if (other == UINT32_MAX) {
        table[slot] = j;
        first[j] = j;
        break;
      }
      if (hash[other] == hash[j] && same(other, j)) {
        first[j] = other;
        break;
      }
    }
  }
}

bool sameColumn(const LayerView& layer, const Scratch& s, uint32_t a, uint32_t b) {
  if (s.hash[a] != s.hash[b] || s.count[a] != s.count[b] || !sameBias(layer, a, b)) return false;
  const uint64_t pa = layer.colptr[a];
  const uint64_t pb = layer.colptr[b];
  for (uint32_t e = 0; e < s.count[a]; ++e) {
    if (s.cls[pa + e] != s.cls[pb + e]) return false;
    if (std::bit_cast<uint32_t>(s.weight[pa + e]) != std::bit_cast<uint32_t>(s.weight[pb + e])) return false;
  }
  return true;
}

// An all-32 row stays all-32: for every class, z = 32 * sum(w) is surely nonzero (so it takes the
// bias) and z + b >= 32, with room for any rounding of the float sum (n terms: error below
// (n + 2) * 2^-23 * (sum |32 w| + |b|)).
bool isSaturating(const ReducedLayer& layer) {
  for (uint32_t c = 0; c < layer.outClasses; ++c) {
    const double bias = layer.biasOf(c);
    double z = 0;
    double magnitude = std::abs(bias);
    for (uint32_t e = layer.ptr[c]; e < layer.ptr[c + 1]; ++e) {
      z += double(kClamp) * layer.weight[e];
      magnitude += double(kClamp) * std::abs(static_cast<double>(layer.weight[e]));
    }
    const double slack = double(layer.ptr[c + 1] - layer.ptr[c] + 2) * 0x1.0p-23 * magnitude;
    if (z - slack <= 0 || z + bias - slack < double(kClamp)) return false;
  }
  return true;
}

}  // namespace

uint64_t ReducedNetwork::totalEntries() const {
  uint64_t total = 0;
  for (const auto& layer : layers) total += layer.entries();
  return total;
}

uint32_t ReducedNetwork::maxClasses() const {
  uint32_t most = 0;
  for (const auto& layer : layers) most = std::max(most, layer.outClasses);
  return most;
}

ReducedNetwork reduceModel(const Model& model, uint32_t layers, int threads) {
  const uint32_t n = model.neurons();
  if (layers == 0 || layers > model.layerCount()) layers = model.layerCount();
  if (threads <= 0) threads = omp_get_max_threads();
  ReducedNetwork net;
  net.neurons = n;
  net.layers.reserve(layers);

  std::vector<uint32_t> inClass(n);
  std::iota(inClass.begin(), inClass.end(), 0u);
  uint32_t inClasses = n;
  Scratch s;
  s.count.resize(n);
  s.hash.resize(n);
  std::vector<uint32_t> table(std::bit_ceil(2 * n));  // open addressing for groupEqual
  std::vector<uint64_t> raw(n);
  std::vector<uint32_t> all(n), rawFirst(n), reducedFirst(n), distinct, classFirst;
  std::iota(all.begin(), all.end(), 0u);
  for (uint32_t l = 0; l < layers; ++l) {
    const LayerView layer = model.layer(l);
    s.cls.resize(layer.nnz);
    s.weight.resize(layer.nnz);
    // Outputs with identical stored columns (16 of every RadiX-Net neuron group) are reduced once.
#pragma omp parallel for num_threads(threads) schedule(static, 1024)
    for (int64_t j = 0; j < int64_t{n}; ++j) raw[j] = rawHash(layer, static_cast<uint32_t>(j));
    groupEqual(raw, all, table, rawFirst, [&](uint32_t a, uint32_t b) { return sameRawColumn(layer, a, b); });
    distinct.clear();
    for (uint32_t j = 0; j < n; ++j) {
      if (rawFirst[j] == j) distinct.push_back(j);
    }
#pragma omp parallel num_threads(threads)
    {
      std::vector<std::pair<uint32_t, uint32_t>> order;
#pragma omp for schedule(static, 64)
      for (int64_t d = 0; d < static_cast<int64_t>(distinct.size()); ++d) reduceColumn(layer, inClass, distinct[d], order, s);
    }
    groupEqual(s.hash, distinct, table, reducedFirst, [&](uint32_t a, uint32_t b) { return sameColumn(layer, s, a, b); });
    ReducedLayer out;
    out.inClasses = inClasses;
    out.bias = static_cast<float>(layer.bias);
    out.classOf.resize(n);
    classFirst.clear();
    // Classes numbered by their first neuron; a neuron joins the class of its reduced column.
    for (uint32_t j = 0; j < n; ++j) {
      const uint32_t rep = reducedFirst[rawFirst[j]];
      if (rep == j) {
        out.classOf[j] = static_cast<uint32_t>(classFirst.size());
        classFirst.push_back(j);
      } else {
        out.classOf[j] = out.classOf[rep];
      }
    }
    out.outClasses = static_cast<uint32_t>(classFirst.size());
    if (layer.biases) {
      for (uint32_t j : classFirst) out.classBias.push_back(layer.biasOf32(j));
    }
    out.classSize.assign(out.outClasses, 0);
    for (uint32_t j = 0; j < n; ++j) ++out.classSize[out.classOf[j]];
    out.ptr.resize(out.outClasses + 1);
    out.ptr[0] = 0;
    for (uint32_t c = 0; c < out.outClasses; ++c) {
      const uint32_t j = classFirst[c];
      const uint64_t base = layer.colptr[j];
      out.input.insert(out.input.end(), s.cls.begin() + base, s.cls.begin() + base + s.count[j]);
      out.weight.insert(out.weight.end(), s.weight.begin() + base, s.weight.begin() + base + s.count[j]);
      out.ptr[c + 1] = static_cast<uint32_t>(out.input.size());
    }
    out.saturating = isSaturating(out);
    out.fanInMin = UINT32_MAX;
    for (uint32_t j = 0; j < n; ++j) {
      const uint32_t fanIn = layer.colptr[j + 1] - layer.colptr[j];
      out.fanInMin = std::min(out.fanInMin, fanIn);
      out.fanInMax = std::max(out.fanInMax, fanIn);
    }
    inClass = out.classOf;
    inClasses = out.outClasses;
    net.layers.push_back(std::move(out));
  }
  return net;
}

ReducedNetwork prefixOf(const ReducedNetwork& network, uint32_t layers) {
  if (layers == 0 || layers > network.layers.size()) throwArgument("prefix of " + std::to_string(layers) + " layers of a " +
                                                                   std::to_string(network.layers.size()) + "-layer network");
  ReducedNetwork prefix;
  prefix.neurons = network.neurons;
  prefix.layers.assign(network.layers.begin(), network.layers.begin() + layers);
  return prefix;
}

ExitRules exitRules(const ReducedNetwork& network) {
  const size_t layers = network.layers.size();
  ExitRules rules;
  rules.saturatedExit.assign(layers, 0);
  bool saturated = true;
  for (size_t l = layers; l-- > 0;) {
    rules.saturatedExit[l] = saturated;
    saturated = saturated && network.layers[l].saturating;
  }
  return rules;
}

}  // namespace snig
