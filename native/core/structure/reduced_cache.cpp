#include "reduced_cache.hpp"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "../atomic_file.hpp"
#include "../checksum.hpp"
#include "../error.hpp"
#include "../read_at.hpp"

namespace snig {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'S', 'N', 'I', 'G', 'R', 'E', 'D', '2'};  // 2: with the fan-in range
constexpr char kPrefix[] = "reduced-";

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
  uint32_t fanInMin, fanInMax;
  uint64_t classBias, ptr, input, weight, classOf, classSize;  // element counts
};
#pragma pack(pop)

std::string cachePath(const std::string& dir, const Model& model) {
  char name[96];
  std::snprintf(name, sizeof name, "%sn%u-l%u-%08x-%llu.bin", kPrefix, model.neurons(), model.layerCount(),
                model.checksum(), static_cast<unsigned long long>(model.totalNnz()));
  return (fs::path(dir) / name).string();
}

LayerRecord recordOf(const ReducedLayer& layer) {
  return {layer.inClasses,       layer.outClasses, layer.bias,         layer.saturating ? 1u : 0u, layer.fanInMin,
          layer.fanInMax,         layer.classBias.size(), layer.ptr.size(), layer.input.size(), layer.weight.size(),
          layer.classOf.size(),   layer.classSize.size()};
}

// Calls f(bytes, size) for every piece of a layer's body, in file order.
template <typename F>
void eachPiece(const ReducedLayer& layer, const LayerRecord& record, F f) {
  f(&record, sizeof record);
  f(layer.classBias.data(), layer.classBias.size() * sizeof(float));
  f(layer.ptr.data(), layer.ptr.size() * sizeof(uint32_t));
  f(layer.input.data(), layer.input.size() * sizeof(uint32_t));
  f(layer.weight.data(), layer.weight.size() * sizeof(float));
  f(layer.classOf.data(), layer.classOf.size() * sizeof(uint32_t));
  f(layer.classSize.data(), layer.classSize.size() * sizeof(uint32_t));
}

uint64_t bodyBytes(const LayerRecord& r) {
  return sizeof r + (r.classBias + r.weight) * sizeof(float) + (r.ptr + r.input + r.classOf + r.classSize) * sizeof(uint32_t);
}

// Reads `count` elements at `offset` into `out`, chaining their CRC into `crc`.
template <typename T>
bool readPiece(int fd, uint64_t& offset, uint64_t count, std::vector<T>& out, uint32_t& crc) {
  out.resize(count);
  const uint64_t bytes = count * sizeof(T);
  if (!readAt(fd, out.data(), bytes, offset)) return false;
  crc = crc32Parallel(reinterpret_cast<const uint8_t*>(out.data()), bytes, crc);
  offset += bytes;
  return true;
}

// The layer records are read in turn (each says where the next one starts); then every layer's
// arrays straight into place, on all cores, each layer checksummed as it is read (the file is
// read once, never mapped or copied twice); the layers' CRCs joined in order must give the header's.
bool load(const std::string& path, const Model& model, ReducedNetwork* out) {
  const ReadOnlyFd file(path);
  if (file.fd() < 0) return false;
  const uint64_t size = file.size();
  Header h;
  if (size < sizeof h || !readAt(file.fd(), &h, sizeof h, 0)) return false;
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.n != model.neurons() || h.layers != model.layerCount() ||
      h.modelChecksum != model.checksum() || h.modelNnz != model.totalNnz()) {
    return false;
  }
  std::vector<LayerRecord> records(h.layers);
  std::vector<uint64_t> starts(h.layers);
  uint64_t at = sizeof h;
  for (uint32_t l = 0; l < h.layers; ++l) {
    if (size - at < sizeof(LayerRecord) || !readAt(file.fd(), &records[l], sizeof(LayerRecord), at)) return false;
    starts[l] = at;
    const uint64_t bytes = bodyBytes(records[l]);
    if (bytes > size - at) return false;
    at += bytes;
  }
  if (at != size) return false;
  ReducedNetwork net;
  net.neurons = h.n;
  net.layers.resize(h.layers);
  std::vector<uint32_t> crcs(h.layers);
  bool complete = true;
#pragma omp parallel for schedule(dynamic, 4) reduction(&& : complete)
  for (int64_t l = 0; l < int64_t{h.layers}; ++l) {
    const auto i = static_cast<size_t>(l);
    const LayerRecord& r = records[i];
    ReducedLayer& layer = net.layers[i];
    layer.inClasses = r.inClasses;
    layer.outClasses = r.outClasses;
    layer.bias = r.bias;
    layer.saturating = r.saturating != 0;
    layer.fanInMin = r.fanInMin;
    layer.fanInMax = r.fanInMax;
    uint32_t crc = crc32Parallel(reinterpret_cast<const uint8_t*>(&r), sizeof r);
    uint64_t offset = starts[i] + sizeof r;
    complete = complete && readPiece(file.fd(), offset, r.classBias, layer.classBias, crc) &&
               readPiece(file.fd(), offset, r.ptr, layer.ptr, crc) && readPiece(file.fd(), offset, r.input, layer.input, crc) &&
               readPiece(file.fd(), offset, r.weight, layer.weight, crc) &&
               readPiece(file.fd(), offset, r.classOf, layer.classOf, crc) &&
               readPiece(file.fd(), offset, r.classSize, layer.classSize, crc);
    crcs[i] = crc;
  }
  if (!complete) return false;
  uint32_t crc = 0;
  for (uint32_t l = 0; l < h.layers; ++l) {
    crc = static_cast<uint32_t>(::crc32_combine(crc, crcs[l], static_cast<z_off_t>(bodyBytes(records[l]))));
  }
  if (crc != h.bodyCrc) return false;
  *out = std::move(net);
  return true;
}

// Writes the file (the CRC chained over the pieces, so the body is never copied); returns its size.
uint64_t save(const std::string& path, const Model& model, const ReducedNetwork& net) {
  std::vector<LayerRecord> records;
  for (const ReducedLayer& layer : net.layers) records.push_back(recordOf(layer));
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.n = model.neurons();
  h.layers = model.layerCount();
  h.modelChecksum = model.checksum();
  h.modelNnz = model.totalNnz();
  uint64_t bytes = sizeof h;
  for (size_t l = 0; l < net.layers.size(); ++l) {
    eachPiece(net.layers[l], records[l], [&](const void* data, uint64_t size) {
      h.bodyCrc = crc32Parallel(static_cast<const uint8_t*>(data), size, h.bodyCrc);
      bytes += size;
    });
  }
  fs::create_directories(fs::path(path).parent_path());
  AtomicFile out(path);
  out.write(&h, sizeof h);
  for (size_t l = 0; l < net.layers.size(); ++l) {
    eachPiece(net.layers[l], records[l], [&](const void* data, uint64_t size) { out.write(data, size); });
  }
  out.commit();
  return bytes;
}

// Removes the least recently used reductions (a hit refreshes a file's time) until the directory
// holds at most `maxBytes`; `keep` stays.
void evict(const std::string& dir, uint64_t maxBytes, const std::string& keep) {
  std::vector<fs::directory_entry> files;
  uint64_t total = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().rfind(kPrefix, 0) != 0) continue;
    files.push_back(entry);
    total += entry.file_size();
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.last_write_time() < b.last_write_time(); });
  for (const auto& file : files) {
    if (total <= maxBytes) break;
    if (file.path() == fs::path(keep)) continue;
    total -= file.file_size();
    fs::remove(file.path());
  }
}

std::string gigabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f GB", static_cast<double>(bytes) / 1e9);
  return text;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ReductionCache defaultReductionCache() {
  ReductionCache cache;
  cache.minSeconds = 1.0;
  cache.maxBytes = uint64_t{16} << 30;
  if (const char* dir = std::getenv("SNIG_REDUCTION_CACHE")) {
    cache.dir = std::strcmp(dir, "off") == 0 ? "" : dir;
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    cache.dir = std::string(xdg) + "/snig";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    cache.dir = std::string(home) + "/.cache/snig";
  }
  return cache;
}

std::string ReductionSource::describe() const {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f s", this->seconds);
  if (loaded) return "reduction read from " + path + " (" + gigabytes(bytes) + ") in " + seconds;
  if (saved) return "reduced in " + std::string(seconds) + ", saved to " + path + " (" + gigabytes(bytes) + ")";
  return "reduced in " + std::string(seconds);
}

std::optional<ReducedNetwork> readCachedReduction(const Model& model, const ReductionCache& cache, ReductionSource* source) {
  const auto start = std::chrono::steady_clock::now();
  ReductionSource what;
  what.path = cache.dir.empty() ? "" : cachePath(cache.dir, model);
  ReducedNetwork net;
  try {
    what.loaded = !what.path.empty() && load(what.path, model, &net);
    if (what.loaded) {
      what.bytes = fs::file_size(what.path);
      fs::last_write_time(what.path, fs::file_time_type::clock::now());  // recently used
    }
  } catch (const std::exception&) {
    // An unreadable cache file is a miss; one that cannot be touched is still a hit.
  }
  what.seconds = secondsSince(start);
  if (source) *source = what;
  if (!what.loaded) return std::nullopt;
  return net;
}

ReducedNetwork reduceAndCache(const Model& model, const ReductionCache& cache, ReductionSource* source) {
  const auto start = std::chrono::steady_clock::now();
  ReductionSource what;
  what.path = cache.dir.empty() ? "" : cachePath(cache.dir, model);
  ReducedNetwork net = reduceModel(model);
  if (!what.path.empty() && secondsSince(start) >= cache.minSeconds) {
    try {
      what.bytes = save(what.path, model, net);
      what.saved = true;
      evict(cache.dir, cache.maxBytes, what.path);
    } catch (const std::exception&) {
      // An unwritable cache costs the next start a reduction, nothing else.
    }
  }
  what.seconds = secondsSince(start);
  if (source) *source = what;
  return net;
}

ReducedNetwork reduceModelCached(const Model& model, const ReductionCache& cache, ReductionSource* source) {
  if (std::optional<ReducedNetwork> cached = readCachedReduction(model, cache, source)) return std::move(*cached);
  return reduceAndCache(model, cache, source);
}

}  // namespace snig
