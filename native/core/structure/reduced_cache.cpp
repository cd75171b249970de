#include "reduced_cache.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "../atomic_file.hpp"
#include "../checksum.hpp"
#include "../error.hpp"
#include "../mapped_file.hpp"

namespace snig {
namespace {

constexpr char kMagic[8] = {'S', 'N', 'I', 'G', 'R', 'E', 'D', '1'};

#pragma pack(push, 1)
struct Header {
  char magic[8];
  uint32_t n;
  uint32_t layers;
  uint32_t modelChecksum;
  uint32_t bodyCrc;  // CRC-32 of everything after the header
  uint64_t modelNnz;
};
struct LayerRecord {
  uint32_t inClasses;
  uint32_t outClasses;
  float bias;
  uint32_t saturating;
  uint64_t classBias, ptr, input, weight, classOf, classSize;  // element counts
};
#pragma pack(pop)

std::string cachePath(const std::string& dir, const Model& model) {
  char name[96];
  std::snprintf(name, sizeof name, "reduced-n%u-l%u-%08x-%llu.bin", model.neurons(), model.layerCount(), model.checksum(),
                static_cast<unsigned long long>(model.totalNnz()));
  return (std::filesystem::path(dir) / name).string();
}

// Appends the bytes of a vector to `body`.
template <typename T>
void put(std::vector<uint8_t>& body, const std::vector<T>& v) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(v.data());
  body.insert(body.end(), bytes, bytes + v.size() * sizeof(T));
}

// Reads `count` elements at `at`, advancing it; false when the body is too short.
template <typename T>
bool take(const uint8_t* body, uint64_t size, uint64_t& at, uint64_t count, std::vector<T>& out) {
  if (count > (size - at) / sizeof(T)) return false;
  out.resize(count);
  std::memcpy(out.data(), body + at, count * sizeof(T));
  at += count * sizeof(T);
  return true;
}

bool load(const std::string& path, const Model& model, ReducedNetwork* out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  const MappedFile file(path);
  Header h;
  if (file.size() < sizeof h) return false;
  std::memcpy(&h, file.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.n != model.neurons() || h.layers != model.layerCount() ||
      h.modelChecksum != model.checksum() || h.modelNnz != model.totalNnz()) {
    return false;
  }
  const uint8_t* body = file.data() + sizeof h;
  const uint64_t size = file.size() - sizeof h;
  if (crc32Parallel(body, size) != h.bodyCrc) return false;
  ReducedNetwork net;
  net.neurons = h.n;
  net.layers.resize(h.layers);
  uint64_t at = 0;
  for (ReducedLayer& layer : net.layers) {
    LayerRecord r;
    if (size - at < sizeof r) return false;
    std::memcpy(&r, body + at, sizeof r);
    at += sizeof r;
    layer.inClasses = r.inClasses;
    layer.outClasses = r.outClasses;
    layer.bias = r.bias;
    layer.saturating = r.saturating != 0;
    if (!take(body, size, at, r.classBias, layer.classBias) || !take(body, size, at, r.ptr, layer.ptr) ||
        !take(body, size, at, r.input, layer.input) || !take(body, size, at, r.weight, layer.weight) ||
        !take(body, size, at, r.classOf, layer.classOf) || !take(body, size, at, r.classSize, layer.classSize)) {
      return false;
    }
  }
  if (at != size) return false;
  *out = std::move(net);
  return true;
}

void save(const std::string& path, const Model& model, const ReducedNetwork& net) {
  std::vector<uint8_t> body;
  for (const ReducedLayer& layer : net.layers) {
    const LayerRecord r{layer.inClasses, layer.outClasses, layer.bias, layer.saturating ? 1u : 0u,
                        layer.classBias.size(), layer.ptr.size(), layer.input.size(), layer.weight.size(),
                        layer.classOf.size(), layer.classSize.size()};
    const auto* bytes = reinterpret_cast<const uint8_t*>(&r);
    body.insert(body.end(), bytes, bytes + sizeof r);
    put(body, layer.classBias);
    put(body, layer.ptr);
    put(body, layer.input);
    put(body, layer.weight);
    put(body, layer.classOf);
    put(body, layer.classSize);
  }
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.n = model.neurons();
  h.layers = model.layerCount();
  h.modelChecksum = model.checksum();
  h.modelNnz = model.totalNnz();
  h.bodyCrc = crc32Parallel(body.data(), body.size());
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  AtomicFile out(path);
  out.write(&h, sizeof h);
  out.write(body.data(), body.size());
  out.commit();
}

}  // namespace

std::string reductionCacheDir() {
  if (const char* dir = std::getenv("SNIG_REDUCTION_CACHE")) return std::strcmp(dir, "off") == 0 ? "" : dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/snig";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/snig";
  return "";
}

ReducedNetwork reduceModelCached(const Model& model, const std::string& dir, bool* loaded) {
  ReducedNetwork net;
  const std::string path = dir.empty() ? "" : cachePath(dir, model);
  bool hit = false;
  try {
    hit = !path.empty() && load(path, model, &net);
  } catch (const std::exception&) {
    // An unreadable cache file is a miss.
  }
  if (loaded) *loaded = hit;
  if (hit) return net;
  net = reduceModel(model);
  if (!path.empty()) {
    try {
      save(path, model, net);
    } catch (const std::exception&) {
      // An unwritable cache costs the next start a reduction, nothing else.
    }
  }
  return net;
}

}  // namespace snig
