// Errors the native core raises. Every error carries a stable code that TypeScript maps to
// an Error with `.code`, and a message that names the file and line where it applies.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace snig {

enum class ErrorCode {
  Format,     // a file's content is malformed (E_FORMAT)
  Io,         // a file could not be opened, read or written (E_IO)
  Argument,   // a request is inconsistent with the model or inputs (E_ARGUMENT)
  Cancelled,  // the caller cancelled the work (E_CANCELLED)
  Cuda,       // a CUDA call failed (E_CUDA)
};

const char* errorCodeName(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// "<file>:<line>: <what>" (line 0 means the file as a whole).
[[noreturn]] void throwFormat(const std::string& file, uint64_t line, const std::string& what);
[[noreturn]] void throwIo(const std::string& file, const std::string& what);
[[noreturn]] void throwArgument(const std::string& what);

}  // namespace snig
