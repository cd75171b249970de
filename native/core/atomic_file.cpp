#include "atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.hpp"

namespace snig {

AtomicFile::AtomicFile(std::string path, bool gzip)
    : path_(std::move(path)), temp_(path_ + ".tmp-" + std::to_string(::getpid())) {
  file_ = std::fopen(temp_.c_str(), "wb");
  if (!file_) throwIo(path_, std::string("cannot create: ") + std::strerror(errno));
  if (gzip) {
    // zlib writes through its own descriptor; the FILE keeps ours for fsync. Level 1: on the
    // challenge's TSV about 4x faster than zlib's default 6 for ~20 % more bytes (dev VM: 104 against
    // 27 MB/s, 4.6 against 5.7 times smaller), and read back as fast (saving 65536x1920 with its
    // ~99 GB of layer text gzipped took 292 s at level 6 on 16 cores).
    gz_ = gzdopen(::dup(::fileno(file_)), "wb1");
    if (!gz_) throwIo(path_, "cannot start gzip stream");
    gzbuffer(gz_, 1 << 20);
  } else {
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }
}

AtomicFile::~AtomicFile() {
  if (gz_) gzclose(gz_);
  if (file_) std::fclose(file_);
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::write(const void* data, size_t bytes) {
  if (bytes == 0) return;
  const bool ok = gz_ ? gzwrite(gz_, data, static_cast<unsigned>(bytes)) == static_cast<int>(bytes)
                      : std::fwrite(data, 1, bytes, file_) == bytes;
  if (!ok) throwIo(path_, std::string("write failed: ") + std::strerror(errno));
}

void AtomicFile::commit() {
  if (gz_) {
    const int status = gzclose(gz_);
    gz_ = nullptr;
    if (status != Z_OK) throwIo(path_, "gzip write failed");
  }
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
    throwIo(path_, std::string("write failed: ") + std::strerror(errno));
  }
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) throwIo(path_, std::string("close failed: ") + std::strerror(errno));
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
    throwIo(path_, std::string("rename failed: ") + std::strerror(errno));
  }
  committed_ = true;
}

}  // namespace snig
