#include "error.hpp"

#include <cerrno>
#include <cstring>

namespace snig {

const char* errorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Format: return "E_FORMAT";
    case ErrorCode::Io: return "E_IO";
    case ErrorCode::Argument: return "E_ARGUMENT";
    case ErrorCode::Cancelled: return "E_CANCELLED";
    case ErrorCode::Cuda: return "E_CUDA";
  }
  return "E_UNKNOWN";
}

void throwFormat(const std::string& file, uint64_t line, const std::string& what) {
  std::string where = line > 0 ? file + ":" + std::to_string(line) : file;
  throw Error(ErrorCode::Format, where + ": " + what);
}

void throwIo(const std::string& file, const std::string& what) {
  throw Error(ErrorCode::Io, file + ": " + what);
}

void throwArgument(const std::string& what) { throw Error(ErrorCode::Argument, what); }

}  // namespace snig
