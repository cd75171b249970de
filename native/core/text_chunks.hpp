// Parsing a text file on all cores. A plain file is mapped and cut at newlines into chunks, each read
// by its own TextReader that numbers its lines from where the chunk starts, so an error still names
// the file and the line. A gzip file cannot be cut: it is one chunk, streamed. Results are the
// caller's, one per chunk in file order; when chunks fail, the earliest one's error is rethrown (the
// first bad line of the file, as a sequential read reports it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mapped_file.hpp"
#include "text_reader.hpp"

namespace snig {

struct ChunkOptions {
  int threads = 0;          // 0: all cores; 1: one streamed chunk, nothing mapped
  uint64_t chunkBytes = 0;  // 0: about four chunks per thread, at least kMinChunkBytes each
};

class TextChunks {
 public:
  static constexpr uint64_t kMinChunkBytes = uint64_t{4} << 20;

  TextChunks(std::string path, const ChunkOptions& options);
  size_t count() const { return chunks_.empty() ? 1 : chunks_.size(); }
  int threads() const { return threads_; }
  // A reader of chunk `i` (the whole file, streamed, when it is not cut).
  TextReader reader(size_t i) const;

 private:
  struct Chunk {
    std::string_view text;
    uint64_t firstLine;
    uint64_t lines;  // newlines in it, plus one for a last line without
  };
  std::string path_;
  int threads_ = 1;
  std::unique_ptr<MappedFile> map_;
  std::vector<Chunk> chunks_;  // empty: one streamed chunk
};

// parse(reader, i) for every chunk i, in parallel; the earliest failing chunk's error is rethrown.
void parseEachChunk(const TextChunks& chunks, const std::function<void(TextReader&, size_t)>& parse);

// parse(reader, result) for every chunk of `path`, in parallel; the results in file order.
template <typename Result, typename Parse>
std::vector<Result> parseChunks(const std::string& path, const ChunkOptions& options, Parse parse) {
  const TextChunks chunks(path, options);
  std::vector<Result> results(chunks.count());
  parseEachChunk(chunks, [&](TextReader& reader, size_t i) { parse(reader, results[i]); });
  return results;
}

// Throws "<path>:<line>: duplicate entry <first> <second> (first on line <l>)" at the second line
// whose first two fields are the whole numbers `first` and `second` (found by reading the file again:
// parsers keep no line numbers, and this happens only for a bad file).
[[noreturn]] void throwDuplicate(const std::string& path, uint64_t first, uint64_t second);

}  // namespace snig
