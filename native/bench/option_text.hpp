// snig-bench's option values as numbers, or refused with E_ARGUMENT naming the option: shared by the
// benchmark's options (bench_options.cpp) and the fast-table mode's (fast_table.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snig::bench {

// A whole number; anything else (empty, a sign, trailing characters) throws E_ARGUMENT naming `flag`.
uint64_t toNumber(const std::string& flag, const std::string& text);

// A comma-separated list of whole numbers; an empty item (",," or a trailing comma) is an error like any non-number.
std::vector<uint64_t> toNumbers(const std::string& flag, const std::string& text);

}  // namespace snig::bench
