// A whole file mapped read-only into memory (pages are read when first touched, or all at once when
// `populate`: for a file read whole on many threads, whose page faults would contend), unmapped on
// destruction.
#pragma once

#include <cstdint>
#include <string>

namespace snig {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path, bool populate = false);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace snig
