#include "option_text.hpp"

#include <cstdlib>

#include "../core/error.hpp"

namespace snig::bench {

uint64_t toNumber(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') throwArgument("option " + flag + " expects a number, got \"" + text + "\"");
  return value;
}

std::vector<uint64_t> toNumbers(const std::string& flag, const std::string& text) {
  std::vector<uint64_t> out;
  for (size_t start = 0;;) {
    const size_t comma = text.find(',', start);
    out.push_back(toNumber(flag, text.substr(start, comma - start)));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace snig::bench
