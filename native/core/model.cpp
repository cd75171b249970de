#include "model.hpp"

#include <zlib.h>

#include <cstring>

#include "checksum.hpp"
#include "error.hpp"

namespace snig {
namespace {

uint64_t alignUp(uint64_t bytes) { return (bytes + 7) & ~uint64_t{7}; }

}  // namespace

uint64_t Model::layerBytes(uint32_t n, const LayerShape& shape) {
  const uint64_t indexBytes = n <= kMaxShortIndexN ? 2 : 4;
  uint64_t bytes = alignUp(uint64_t{n + 1} * 4 + shape.nnz * indexBytes);
  if (!shape.uniform) bytes += alignUp(shape.nnz * 4);
  return bytes;
}

Model::Model(uint32_t n) : n_(n) {
  if (n == 0) throwArgument("a model needs at least one neuron");
}

uint32_t Model::addLayer(const LayerShape& shape, float bias) {
  LayerInfo info;
  info.bias = bias;
  info.nnz = shape.nnz;
  info.uniform = shape.uniform;
  // Left uninitialised (the builder fills it, in parallel where it likes) except for the padding
  // bytes, which the checksum covers and files store: those are zeroed.
  const uint64_t bytes = layerBytes(n_, shape);
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  const uint64_t indexEnd = uint64_t{n_ + 1} * 4 + shape.nnz * indexBytes();
  std::memset(block.get() + indexEnd, 0, alignUp(indexEnd) - indexEnd);
  if (!shape.uniform) {
    const uint64_t valuesEnd = alignUp(indexEnd) + shape.nnz * 4;
    std::memset(block.get() + valuesEnd, 0, bytes - valuesEnd);
  }
  blocks_.push_back(std::move(block));
  layers_.push_back(info);
  return layerCount() - 1;
}

uint64_t Model::blockBytes(uint32_t l) const {
  const LayerInfo& info = layers_.at(l);
  return layerBytes(n_, {info.nnz, info.uniform});
}

uint64_t Model::totalNnz() const {
  uint64_t total = 0;
  for (const auto& info : layers_) total += info.nnz;
  return total;
}

LayerView Model::layer(uint32_t l) const {
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
  if (info.uniform) {
    view.uniformValue = info.uniformValue;
  } else {
    view.values = reinterpret_cast<const float*>(base + alignUp(uint64_t{n_ + 1} * 4 + info.nnz * indexBytes()));
  }
  return view;
}

uint32_t* Model::colptr(uint32_t l) { return const_cast<uint32_t*>(layer(l).colptr); }
uint16_t* Model::index16(uint32_t l) { return const_cast<uint16_t*>(layer(l).index16); }
uint32_t* Model::index32(uint32_t l) { return const_cast<uint32_t*>(layer(l).index32); }
float* Model::values(uint32_t l) { return const_cast<float*>(layer(l).values); }

void Model::seal() {
  uint32_t crc = static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(&n_), sizeof n_));
  for (uint32_t l = 0; l < layerCount(); ++l) {
    const LayerInfo& info = layers_[l];
    const float fields[2] = {info.bias, info.uniform ? info.uniformValue : 0.0f};
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(fields), sizeof fields));
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(&info.nnz), sizeof info.nnz));
    crc = crc32Parallel(blocks_[l].get(), blockBytes(l), crc);
  }
  checksum_ = crc;
}

void Model::truncate(uint32_t count) {
  if (count == 0 || count > layerCount()) {
    throwArgument("cannot keep " + std::to_string(count) + " layers of a model with " +
                  std::to_string(layerCount()));
  }
  layers_.resize(count);
  blocks_.resize(count);
  seal();
}

void Model::setBias(float bias) {
  for (auto& info : layers_) info.bias = bias;
  seal();
}

bool challengeBias(uint32_t n, float* bias) {
  switch (n) {
    case 1024: *bias = -0.30f; return true;
    case 4096: *bias = -0.35f; return true;
    case 16384: *bias = -0.40f; return true;
    case 65536: *bias = -0.45f; return true;
    default: return false;
  }
}

}  // namespace snig
