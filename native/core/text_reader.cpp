#include "text_reader.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "error.hpp"

namespace snig {
namespace {
constexpr size_t kBufferBytes = size_t{1} << 20;
}

TextReader::TextReader(std::string path) : path_(std::move(path)), buffer_(kBufferBytes) {
  file_ = gzopen(path_.c_str(), "rb");
  if (!file_) throwIo(path_, std::string("cannot open: ") + std::strerror(errno));
  gzbuffer(file_, 1 << 18);
  data_ = buffer_.data();
}

TextReader::TextReader(std::string path, std::string_view text, uint64_t firstLine, uint64_t lines)
    : path_(std::move(path)), data_(text.data()), end_(text.size()), eof_(true), lineNumber_(firstLine - 1), knownLines_(lines) {}

TextReader::~TextReader() {
  if (file_) gzclose(file_);
}

bool TextReader::refill() {
  if (eof_) return false;
  // Move the unfinished line to the front, then read after it (growing for very long lines).
  std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  data_ = buffer_.data();
  const int got = gzread(file_, buffer_.data() + end_, static_cast<unsigned>(buffer_.size() - end_));
  if (got < 0) {
    int code = 0;
    const char* message = gzerror(file_, &code);
    throwIo(path_, std::string("read failed: ") + message);
  }
  if (got == 0) {
    // gzread reports a stream cut short (no trailer, or cut inside the deflate data) only here.
    int code = Z_OK;
    gzerror(file_, &code);
    if (code == Z_BUF_ERROR) throwFormat(path_, 0, "truncated gzip stream");
    eof_ = true;
  }
  end_ += static_cast<size_t>(got);
  return got > 0;
}

bool TextReader::next(std::string_view* line) {
  for (;;) {
    const char* start = data_ + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    size_t length;
    if (newline) {
      length = static_cast<size_t>(static_cast<const char*>(newline) - start);
    } else if (!refill()) {
      if (begin_ == end_) return false;
      length = end_ - begin_;  // last line without a newline
    } else {
      continue;
    }
    start = data_ + begin_;
    begin_ += std::min(length + 1, end_ - begin_);
    ++lineNumber_;
    std::string_view text(start, length);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos || text[first] == '#') continue;  // blank or comment line
    *line = text;
    return true;
  }
}

void TextReader::split(std::string_view line, std::string_view* fields, int count) const {
  int found = 0;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == '\t' || line[pos] == ' ')) ++pos;
    if (pos == line.size()) break;
    size_t end = pos;
    while (end < line.size() && line[end] != '\t' && line[end] != ' ') ++end;
    if (found == count) fail("expected " + std::to_string(count) + " fields, found more");
    fields[found++] = line.substr(pos, end - pos);
    pos = end;
  }
  if (found != count) {
    fail("expected " + std::to_string(count) + " fields, found " + std::to_string(found));
  }
}

uint32_t TextReader::index(std::string_view field, uint32_t max, const char* what) const {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || end != field.data() + field.size()) {
    fail(std::string(what) + " '" + std::string(field) + "' is not a whole number");
  }
  if (value == 0) fail(std::string(what) + " is 0; indices are 1-based");
  if (value > max) {
    fail(std::string(what) + " " + std::to_string(value) + " exceeds " + std::to_string(max));
  }
  return static_cast<uint32_t>(value);
}


double TextReader::number(std::string_view field, const char* what) const {
  double value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || end != field.data() + field.size() || !std::isfinite(value)) {
    fail(std::string(what) + " '" + std::string(field) + "' is not a finite number");
  }
  return value;
}

void TextReader::fail(const std::string& what) const { throwFormat(path_, lineNumber_, what); }

}  // namespace snig
