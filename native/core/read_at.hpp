// Positioned reads of whole ranges of a file (pread until done), safe to issue from many threads at
// once, and a file descriptor closed on scope exit.
#pragma once

#include <cstdint>
#include <string>

namespace snig {

// `bytes` at `offset` of the open file `fd`; false when the file ends first or a read fails.
bool readAt(int fd, void* data, uint64_t bytes, uint64_t offset);

class ReadOnlyFd {
 public:
  explicit ReadOnlyFd(const std::string& path);  // fd() < 0 when it cannot be opened
  ~ReadOnlyFd();
  ReadOnlyFd(const ReadOnlyFd&) = delete;
  ReadOnlyFd& operator=(const ReadOnlyFd&) = delete;
  int fd() const { return fd_; }
  uint64_t size() const;  // 0 when it cannot be told

 private:
  int fd_;
};

}  // namespace snig
