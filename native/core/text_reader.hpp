// Reads a text file line by line, plain or gzip-compressed (zlib detects which), and splits each
// line into tab- or space-separated numeric fields with named errors ("<file>:<line>: ...").
// A reader may also cover one chunk of a file already in memory (text_chunks.hpp cuts a plain file
// at newlines so that chunks are parsed in parallel), numbering its lines from where the chunk starts.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snig {

class TextReader {
 public:
  explicit TextReader(std::string path);
  // The `lines` lines of `text`, a part of `path` whose first line is line `firstLine` of the file.
  TextReader(std::string path, std::string_view text, uint64_t firstLine, uint64_t lines);
  ~TextReader();
  TextReader(const TextReader&) = delete;
  TextReader& operator=(const TextReader&) = delete;

  // The next line that is neither blank nor a `#` comment, without its terminator; false at the end.
  bool next(std::string_view* line);
  uint64_t lineNumber() const { return lineNumber_; }
  // The lines of a chunk in memory, blank and comment lines included (0: not known, streamed).
  uint64_t knownLines() const { return knownLines_; }
  const std::string& path() const { return path_; }
  // The text after the lines read so far that is already in memory (the rest of a chunk, or of the
  // buffer): a caller may parse whole lines from it itself, then skip() them.
  std::string_view pending() const { return {data_ + begin_, end_ - begin_}; }
  // Skips the first `bytes` of pending(), which hold `lines` whole lines.
  void skip(size_t bytes, uint64_t lines) {
    begin_ += bytes;
    lineNumber_ += lines;
  }

  // Splits `line` into exactly `count` fields (error otherwise).
  void split(std::string_view line, std::string_view* fields, int count) const;
  // A positive 1-based index no larger than `max`, named `what` in errors.
  uint32_t index(std::string_view field, uint32_t max, const char* what) const;
  // A finite decimal number, as the nearest double.
  double number(std::string_view field, const char* what) const;
  [[noreturn]] void fail(const std::string& what) const;

 private:
  bool refill();

  std::string path_;
  gzFile file_ = nullptr;  // null for a chunk in memory
  std::vector<char> buffer_;
  const char* data_ = nullptr;  // the buffer, or the chunk
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t lineNumber_ = 0;
  uint64_t knownLines_ = 0;
};

}  // namespace snig
