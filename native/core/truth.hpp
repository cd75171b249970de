// Category files (`neuron<N>-l<L>-categories.tsv[.gz]`): the 1-based rows whose final output is
// nonzero, one per line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snig {

// Reads a category file; rows must be in 1..maxRow (0 means no bound), each at most once.
// Returns them sorted.
std::vector<uint64_t> readCategories(const std::string& path, uint64_t maxRow);

// Writes one row per line (atomically), preceded by `# ` comment lines for the provenance, if any.
void writeCategories(const std::vector<uint64_t>& rows, const std::string& path,
                     const std::vector<std::string>& provenance = {});

}  // namespace snig
