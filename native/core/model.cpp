#include "model.hpp"

#include <zlib.h>

#include <cstring>
#include <vector>

#include "checksum.hpp"
#include "error.hpp"

namespace snig {
namespace {

uint64_t alignUp(uint64_t bytes) { return (bytes + 7) & ~uint64_t{7}; }

// Offsets of the arrays after the index (see model.hpp), each 8-byte aligned.
struct BlockOffsets {
  uint64_t indexEnd, values, values64, biases, end;
};

BlockOffsets blockOffsets(uint32_t n, const LayerShape& shape) {
  const uint64_t indexBytes = n <= Model::kMaxShortIndexN ? 2 : 4;
  BlockOffsets o{};
  o.indexEnd = uint64_t{n + 1} * 4 + shape.nnz * indexBytes;
  o.values = alignUp(o.indexEnd);
  o.values64 = o.values + (shape.uniform ? 0 : alignUp(shape.nnz * 4));
  o.biases = o.values64 + (shape.values64 && !shape.uniform ? shape.nnz * 8 : 0);
  o.end = o.biases + (shape.biasVector ? uint64_t{n} * 8 : 0);
  return o;
}

}  // namespace

uint64_t Model::layerBytes(uint32_t n, const LayerShape& shape) { return blockOffsets(n, shape).end; }

Model::Model(uint32_t n) : n_(n) {
  if (n == 0) throwArgument("a model needs at least one neuron");
}

uint32_t Model::addLayer(const LayerShape& shape, double bias) {
  LayerInfo info;
  static_cast<LayerShape&>(info) = shape;
  info.values64 = shape.values64 && !shape.uniform;
  info.bias = bias;
  // Left uninitialised (the builder fills it, in parallel where it likes) except for the padding
  // bytes, which the checksum covers and files store: those are zeroed.
  const BlockOffsets o = blockOffsets(n_, info);
  auto block = std::make_unique_for_overwrite<uint8_t[]>(o.end);
  std::memset(block.get() + o.indexEnd, 0, o.values - o.indexEnd);
  if (!shape.uniform) {
    const uint64_t valuesEnd = o.values + shape.nnz * 4;
    std::memset(block.get() + valuesEnd, 0, o.values64 - valuesEnd);
  }
  blocks_.push_back(std::move(block));
  layers_.push_back(info);
  return layerCount() - 1;
}

uint64_t Model::blockBytes(uint32_t l) const {
  return layerBytes(n_, layers_.at(l));
}

uint64_t Model::totalNnz() const {
  uint64_t total = 0;
  for (const auto& info : layers_) total += info.nnz;
  return total;
}

bool Model::hasBiasVectors() const {
  for (const auto& info : layers_) {
    if (info.biasVector) return true;
  }
  return false;
}

void Model::deferBlocks(uint32_t checksum, BlockFill fill) {
  checksum_ = checksum;
  deferred_ = std::make_unique<Deferred>();
  deferred_->fill = std::move(fill);
}

void Model::load() const {
  Deferred* d = deferred_.get();
  if (!d || d->loaded.load(std::memory_order_acquire)) return;
  std::lock_guard<std::recursive_mutex> lock(d->mutex);
  if (d->loaded.load(std::memory_order_relaxed) || d->loading) return;  // loading: the fill's checks, on this thread
  auto& self = const_cast<Model&>(*this);  // the blocks were always this model's; only their bytes arrive now
  std::vector<uint8_t*> blocks;
  for (const auto& block : self.blocks_) blocks.push_back(block.get());
  const uint32_t promised = checksum_;
  d->loading = true;
  try {
    d->fill(self, blocks);
  } catch (...) {
    d->loading = false;
    self.checksum_ = promised;
    throw;
  }
  d->loading = false;
  d->loaded.store(true, std::memory_order_release);
}

const uint8_t* Model::block(uint32_t l) const {
  load();
  return blocks_.at(l).get();
}

uint8_t* Model::block(uint32_t l) {
  load();
  return blocks_.at(l).get();
}

LayerView Model::layer(uint32_t l) const {
  load();
  return view(l);
}

LayerView Model::view(uint32_t l) const {
  const LayerInfo& info = layers_.at(l);
  const uint8_t* base = blocks_[l].get();
  LayerView view;
  view.n = n_;
  view.bias = info.bias;
  view.nnz = info.nnz;
  view.colptr = reinterpret_cast<const uint32_t*>(base);
  const uint8_t* index = base + uint64_t{n_ + 1} * 4;
  if (indexBytes() == 2) {
    view.index16 = reinterpret_cast<const uint16_t*>(index);
  } else {
    view.index32 = reinterpret_cast<const uint32_t*>(index);
  }
  const BlockOffsets o = blockOffsets(n_, info);
  if (info.uniform) {
    view.uniformValue = info.uniformValue;
  } else {
    view.values = reinterpret_cast<const float*>(base + o.values);
  }
  if (info.values64) view.values64 = reinterpret_cast<const double*>(base + o.values64);
  if (info.biasVector) view.biases = reinterpret_cast<const double*>(base + o.biases);
  return view;
}

uint32_t* Model::colptr(uint32_t l) { return const_cast<uint32_t*>(layer(l).colptr); }
uint16_t* Model::index16(uint32_t l) { return const_cast<uint16_t*>(layer(l).index16); }
uint32_t* Model::index32(uint32_t l) { return const_cast<uint32_t*>(layer(l).index32); }
float* Model::values(uint32_t l) { return const_cast<float*>(layer(l).values); }
double* Model::values64(uint32_t l) { return const_cast<double*>(layer(l).values64); }
double* Model::biases(uint32_t l) { return const_cast<double*>(layer(l).biases); }

void Model::seal() {
  // The layers' blocks are checksummed in parallel, then joined in order with the fields between them.
  std::vector<uint32_t> blockCrcs(layerCount());
#pragma omp parallel for schedule(dynamic, 1) if (layerCount() > 1)
  for (int64_t l = 0; l < static_cast<int64_t>(layerCount()); ++l) {
    blockCrcs[static_cast<size_t>(l)] = crc32Parallel(blocks_[static_cast<size_t>(l)].get(), blockBytes(static_cast<uint32_t>(l)));
  }
  uint32_t crc = static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(&n_), sizeof n_));
  for (uint32_t l = 0; l < layerCount(); ++l) {
    const LayerInfo& info = layers_[l];
    const double fields[2] = {info.biasVector ? 0.0 : info.bias, info.uniform ? info.uniformValue : 0.0};
    const uint32_t flags = (info.uniform ? 1u : 0u) | (info.values64 ? 2u : 0u) | (info.biasVector ? 4u : 0u);
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(fields), sizeof fields));
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(&flags), sizeof flags));
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(&info.nnz), sizeof info.nnz));
    crc = static_cast<uint32_t>(::crc32_combine(crc, blockCrcs[l], static_cast<z_off_t>(blockBytes(l))));
  }
  checksum_ = crc;
}

void Model::truncate(uint32_t count) {
  load();
  if (count == 0 || count > layerCount()) {
    throwArgument("cannot keep " + std::to_string(count) + " layers of a model with " +
                  std::to_string(layerCount()));
  }
  layers_.resize(count);
  blocks_.resize(count);
  seal();
}

void Model::setBias(double bias) {
  load();
  for (auto& info : layers_) {
    if (!info.biasVector) info.bias = bias;
  }
  seal();
}

bool challengeBias(uint32_t n, double* bias) {
  switch (n) {
    case 1024: *bias = -0.30; return true;
    case 4096: *bias = -0.35; return true;
    case 16384: *bias = -0.40; return true;
    case 65536: *bias = -0.45; return true;
    default: return false;
  }
}

}  // namespace snig
