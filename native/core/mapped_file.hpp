// A whole file mapped read-only into memory (pages are mapped when first touched, or a range at once
// by populate()), unmapped on destruction.
#pragma once

#include <cstdint>
#include <string>

namespace snig {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  // Maps the pages of [offset, offset + length) now, in one call instead of a fault every few pages:
  // for a file read whole, each thread its own part. Only advice: an old kernel may ignore it.
  void populate(uint64_t offset, uint64_t length) const;

 private:
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace snig
