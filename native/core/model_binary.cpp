// The binary model format (layout in model_io.hpp): written atomically, read with one read per
// layer block, verified by its checksum and a structural check of every layer.
#include <omp.h>
#include <stdio.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "atomic_file.hpp"
#include "checksum.hpp"
#include "error.hpp"
#include "model_io.hpp"
#include "read_at.hpp"

namespace snig {
namespace {

constexpr char kMagic[8] = {'S', 'N', 'I', 'G', 'M', 'D', 'L', '\0'};
constexpr char kTrailerMagic[4] = {'S', 'N', 'I', 'G'};
constexpr uint32_t kVersion = 2;
constexpr uint32_t kUniformFlag = 1;
constexpr uint32_t kValues64Flag = 2;
constexpr uint32_t kBiasVectorFlag = 4;

#pragma pack(push, 1)
struct Header {
  char magic[8];
  uint32_t version;
  uint32_t n;
  uint32_t layers;
  uint32_t indexBytes;
  uint64_t totalNnz;
  uint8_t reserved[32];
};
struct LayerRecord {
  double bias;
  double uniformValue;
  uint32_t flags;
  uint32_t zero;
  uint64_t nnz;
};
struct LayerRecordV1 {  // version 1: float32 bias and uniform value, no values64 or bias vectors
  float bias;
  float uniformValue;
  uint32_t flags;
  uint32_t zero;
  uint64_t nnz;
};
struct Trailer {
  uint32_t checksum;
  char magic[4];
};
#pragma pack(pop)
static_assert(sizeof(Header) == 64 && sizeof(LayerRecord) == 32 && sizeof(LayerRecordV1) == 24 &&
              sizeof(Trailer) == 8);

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File openForRead(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) throwIo(path, std::string("cannot open: ") + std::strerror(errno));
  return file;
}

void readExactly(std::FILE* file, void* data, uint64_t bytes, const std::string& path, const char* what) {
  if (std::fread(data, 1, bytes, file) != bytes) {
    throwFormat(path, 0, std::string("truncated binary model (while reading ") + what + ")");
  }
}

// Structure every engine relies on: offsets ascending from 0 to nnz, indices below N.
void checkLayer(const LayerView& layer, uint32_t l, const std::string& path) {
  const uint32_t n = layer.n;
  if (layer.colptr[0] != 0 || layer.colptr[n] != layer.nnz) {
    throwFormat(path, 0, "layer " + std::to_string(l + 1) + ": column offsets do not span its weights");
  }
  bool ok = true;
#pragma omp parallel for reduction(&& : ok) schedule(static)
  for (uint32_t j = 0; j < n; ++j) {
    if (layer.colptr[j] > layer.colptr[j + 1] || layer.colptr[j + 1] > layer.nnz) {
      ok = false;
      continue;
    }
    for (uint64_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k) ok = ok && layer.input(k) < n;
  }
  if (!ok) throwFormat(path, 0, "layer " + std::to_string(l + 1) + ": malformed column offsets or indices");
}

// The decimal a version-1 file's float32 bias was written from (the challenge table or --bias): the
// shortest text that reads back as that float, read as a double (float(-0.3) gives back -0.3).
double decimalOf(float value) {
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, value);
  double exact = value;
  std::from_chars(text, written.ptr, exact);
  return exact;
}

// The layer table in version 2's records; a version-1 file's own records are kept in *v1 (for its
// checksum).
std::vector<LayerRecord> readLayerTable(std::FILE* file, const Header& header, const std::string& path,
                                        std::vector<LayerRecordV1>* v1) {
  std::vector<LayerRecord> records(header.layers);
  if (header.version == kVersion) {
    readExactly(file, records.data(), records.size() * sizeof(LayerRecord), path, "layer table");
    return records;
  }
  v1->resize(header.layers);
  readExactly(file, v1->data(), v1->size() * sizeof(LayerRecordV1), path, "layer table");
  for (uint32_t l = 0; l < header.layers; ++l) {
    const LayerRecordV1& old = (*v1)[l];
    records[l] = {decimalOf(old.bias), old.uniformValue, old.flags & kUniformFlag, 0, old.nnz};
  }
  return records;
}

// Version 1's checksum: as Model::seal, with the float32 fields and no flags.
uint32_t checksumV1(const Model& model, const std::vector<LayerRecordV1>& records) {
  const uint32_t n = model.neurons();
  uint32_t crc = static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(&n), sizeof n));
  for (uint32_t l = 0; l < model.layerCount(); ++l) {
    const LayerRecordV1& record = records[l];
    const float fields[2] = {record.bias, (record.flags & kUniformFlag) ? record.uniformValue : 0.0f};
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(fields), sizeof fields));
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(&record.nnz), sizeof record.nnz));
    crc = crc32Parallel(model.block(l), model.blockBytes(l), crc);
  }
  return crc;
}

}  // namespace

bool isBinaryModel(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  File file(std::fopen(path.c_str(), "rb"));
  char magic[sizeof kMagic] = {};
  return file && std::fread(magic, 1, sizeof magic, file.get()) == sizeof magic &&
         std::memcmp(magic, kMagic, sizeof kMagic) == 0;
}

namespace {

// Reads every layer block into `blocks` on all cores (a large model in the page cache reads at
// memory speed, not one core's), seals the model and checks it against the trailer's checksum and
// the structure every engine relies on.
void fillBlocks(Model& model, const std::vector<uint8_t*>& blocks, int fd, const std::vector<uint64_t>& offsets,
                uint32_t expected, const std::vector<LayerRecordV1>& v1, const std::string& path) {
  bool complete = true;
#pragma omp parallel for schedule(dynamic, 1) reduction(&& : complete)
  for (int64_t l = 0; l < int64_t{model.layerCount()}; ++l) {
    const auto layer = static_cast<uint32_t>(l);
    complete = complete && readAt(fd, blocks[layer], model.blockBytes(layer), offsets[layer]);
  }
  if (!complete) throwFormat(path, 0, "truncated binary model (while reading layer weights)");
  model.seal();
  if ((v1.empty() ? model.checksum() : checksumV1(model, v1)) != expected) {
    throwFormat(path, 0, "checksum mismatch: the file is corrupt");
  }
  for (uint32_t l = 0; l < model.layerCount(); ++l) checkLayer(model.layer(l), l, path);
}

}  // namespace

Model readModelBinary(const std::string& path, bool lazy) {
  File file = openForRead(path);
  Header header;
  readExactly(file.get(), &header, sizeof header, path, "header");
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0) throwFormat(path, 0, "not a snig binary model");
  if (header.version != kVersion && header.version != 1) {
    throwFormat(path, 0, "unsupported binary model version " + std::to_string(header.version));
  }
  const uint32_t expectedIndexBytes = header.n <= Model::kMaxShortIndexN ? 2 : 4;
  if (header.n == 0 || header.layers == 0 || header.indexBytes != expectedIndexBytes) {
    throwFormat(path, 0, "corrupt header (N, layer count or index width)");
  }
  std::vector<LayerRecordV1> v1;
  const std::vector<LayerRecord> records = readLayerTable(file.get(), header, path, &v1);
  Model model(header.n);
  std::vector<uint64_t> offsets(header.layers);  // of each layer's block in the file
  uint64_t offset = static_cast<uint64_t>(std::ftell(file.get()));
  for (uint32_t l = 0; l < header.layers; ++l) {
    const LayerRecord& record = records[l];
    LayerShape shape;
    shape.nnz = record.nnz;
    shape.uniform = (record.flags & kUniformFlag) != 0;
    shape.values64 = (record.flags & kValues64Flag) != 0;
    shape.biasVector = (record.flags & kBiasVectorFlag) != 0;
    model.addLayer(shape, record.bias);
    model.info(l).uniformValue = record.uniformValue;
    offsets[l] = offset;
    offset += model.blockBytes(l);
  }
  const auto fd = std::make_shared<ReadOnlyFd>(path);  // the blocks come from this file, even if replaced later
  const uint64_t size = fd->size();
  if (fd->fd() < 0 || size < offset + sizeof(Trailer)) {
    throwFormat(path, 0, "truncated binary model (" + std::to_string(size) + " bytes, its layer table needs " +
                             std::to_string(offset + sizeof(Trailer)) + ")");
  }
  Trailer trailer;
  if (!readAt(fd->fd(), &trailer, sizeof trailer, offset)) throwFormat(path, 0, "truncated binary model (while reading the trailer)");
  if (std::memcmp(trailer.magic, kTrailerMagic, sizeof kTrailerMagic) != 0) throwFormat(path, 0, "corrupt trailer");
  // Version 1's trailer holds a checksum of other fields: its blocks are read now, and sealed anew.
  model.deferBlocks(trailer.checksum, [fd, offsets, v1, path, expected = trailer.checksum](Model& m, const std::vector<uint8_t*>& blocks) {
    fillBlocks(m, blocks, fd->fd(), offsets, expected, v1, path);
  });
  if (!lazy || header.version == 1) model.load();
  return model;
}

void writeModelBinary(const Model& model, const std::string& path) {
  AtomicFile out(path);
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.version = kVersion;
  header.n = model.neurons();
  header.layers = model.layerCount();
  header.indexBytes = model.indexBytes();
  header.totalNnz = model.totalNnz();
  out.write(&header, sizeof header);
  for (const LayerInfo& info : model.layers()) {
    LayerRecord record{};
    record.bias = info.biasVector ? 0.0 : info.bias;
    record.uniformValue = info.uniform ? info.uniformValue : 0.0;
    record.flags = (info.uniform ? kUniformFlag : 0) | (info.values64 ? kValues64Flag : 0) |
                   (info.biasVector ? kBiasVectorFlag : 0);
    record.nnz = info.nnz;
    out.write(&record, sizeof record);
  }
  for (uint32_t l = 0; l < model.layerCount(); ++l) out.write(model.block(l), model.blockBytes(l));
  Trailer trailer{};
  trailer.checksum = model.checksum();
  std::memcpy(trailer.magic, kTrailerMagic, sizeof kTrailerMagic);
  out.write(&trailer, sizeof trailer);
  out.commit();
}

Model loadModel(const ModelRequest& request) {
  if (isBinaryModel(request.path)) {
    Model model = readModelBinary(request.path, request.lazy);
    // Asking for what the file holds (all its layers, its bias) changes nothing: a lazy model stays unread.
    const auto otherBias = [&](const LayerInfo& layer) { return !layer.biasVector && layer.bias != request.bias; };
    if (request.layers && request.layers != model.layerCount()) model.truncate(request.layers);
    if (request.hasBias && std::any_of(model.layers().begin(), model.layers().end(), otherBias)) model.setBias(request.bias);
    return model;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(request.path, ec)) {
    return readModelTsv(request.path, request.layers, request.bias, request.hasBias, {request.threads, 0});
  }
  if (!std::filesystem::exists(request.path, ec)) throwIo(request.path, "no such file or directory");
  throwFormat(request.path, 0, "not a model: expected a binary model file (snig convert) or a directory of layer files");
}

}  // namespace snig
