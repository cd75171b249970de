#include "text_chunks.hpp"

#include <omp.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <exception>

#include "error.hpp"

namespace snig {
namespace {

bool isGzip(const MappedFile& file) { return file.size() >= 2 && file.data()[0] == 0x1f && file.data()[1] == 0x8b; }

}  // namespace

TextChunks::TextChunks(std::string path, const ChunkOptions& options)
    : path_(std::move(path)), threads_(options.threads > 0 ? options.threads : omp_get_max_threads()) {
  if (threads_ == 1 && options.chunkBytes == 0) return;
  auto map = std::make_unique<MappedFile>(path_);
  const uint64_t size = map->size();
  const uint64_t target =
      options.chunkBytes ? options.chunkBytes : std::max(kMinChunkBytes, size / (static_cast<uint64_t>(threads_) * 4));
  if (isGzip(*map) || size <= target) {
    threads_ = 1;
    return;  // one chunk, streamed (zlib reads a plain file as it is)
  }
  const char* text = reinterpret_cast<const char*>(map->data());
  for (uint64_t begin = 0; begin < size;) {
    uint64_t end = size;
    if (size - begin > target) {
      const void* newline = std::memchr(text + begin + target, '\n', size - begin - target);
      if (newline) end = static_cast<uint64_t>(static_cast<const char*>(newline) - text) + 1;
    }
    chunks_.push_back({std::string_view(text + begin, end - begin), 0, 0});
    begin = end;
  }
  // Each chunk's first line: one more than the newlines before it. Counting them maps the file's
  // pages, each thread its own chunks' (one thread mapping them all would be a serial step).
  std::vector<uint64_t> newlines(chunks_.size());
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int64_t i = 0; i < static_cast<int64_t>(chunks_.size()); ++i) {
    const std::string_view chunk = chunks_[static_cast<size_t>(i)].text;
    map->populate(static_cast<uint64_t>(chunk.data() - text), chunk.size());
    newlines[static_cast<size_t>(i)] = static_cast<uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
  }
  uint64_t line = 1;
  for (size_t i = 0; i < chunks_.size(); ++i) {
    chunks_[i].firstLine = line;
    chunks_[i].lines = newlines[i] + (chunks_[i].text.back() != '\n');
    line += newlines[i];
  }
  threads_ = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads_), chunks_.size()));
  map_ = std::move(map);
}

TextReader TextChunks::reader(size_t i) const {
  if (chunks_.empty()) return TextReader(path_);
  const Chunk& chunk = chunks_.at(i);
  return TextReader(path_, chunk.text, chunk.firstLine, chunk.lines);
}

void parseEachChunk(const TextChunks& chunks, const std::function<void(TextReader&, size_t)>& parse) {
  std::vector<std::exception_ptr> errors(chunks.count());
#pragma omp parallel for num_threads(chunks.threads()) schedule(dynamic, 1)
  for (int64_t i = 0; i < static_cast<int64_t>(chunks.count()); ++i) {
    try {
      TextReader reader = chunks.reader(static_cast<size_t>(i));
      parse(reader, static_cast<size_t>(i));
    } catch (...) {
      errors[static_cast<size_t>(i)] = std::current_exception();
    }
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

void throwDuplicate(const std::string& path, uint64_t first, uint64_t second) {
  TextReader reader(path);
  std::string_view line;
  std::string_view fields[3];
  uint64_t seen = 0;
  auto is = [](std::string_view field, uint64_t value) {
    uint64_t parsed = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), parsed);
    return ec == std::errc() && end == field.data() + field.size() && parsed == value;
  };
  while (reader.next(&line)) {
    reader.split(line, fields, 3);
    if (!is(fields[0], first) || !is(fields[1], second)) continue;
    if (seen) {
      reader.fail("duplicate entry " + std::to_string(first) + " " + std::to_string(second) + " (first on line " +
                  std::to_string(seen) + ")");
    }
    seen = reader.lineNumber();
  }
  throwFormat(path, 0, "duplicate entry " + std::to_string(first) + " " + std::to_string(second));
}

}  // namespace snig
