// Writes a file under a temporary name in the same directory and renames it into place on commit(),
// so readers never see half a file and a failed write leaves nothing behind. Optionally gzipped.
#pragma once

#include <zlib.h>

#include <cstdio>
#include <string>

namespace snig {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path, bool gzip = false);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t bytes);
  void write(const std::string& text) { write(text.data(), text.size()); }
  // For text built up in a buffer: writes and clears it once it holds a megabyte or more.
  void writeWhenLarge(std::string& text) {
    if (text.size() >= (size_t{1} << 20)) {
      write(text);
      text.clear();
    }
  }
  // Flushes, syncs and renames the temporary file to its final name.
  void commit();

 private:
  std::string path_;
  std::string temp_;
  std::FILE* file_ = nullptr;
  gzFile gz_ = nullptr;
  bool committed_ = false;
};

}  // namespace snig
