// Reduced networks kept between runs: reducing 65536x1920 takes seconds on 16 cores, reading it back a
// fraction of that. A file per model in a cache directory, named and checked by the model's checksum
// (which covers N, the layer table with its biases and every weight), its layer count and edge count;
// written atomically, read with a CRC-32 over everything. A miss, or a file that does not check out,
// means: reduce again (and save).
#pragma once

#include <string>

#include "../model.hpp"
#include "reduced_network.hpp"

namespace snig {

// Where reductions are kept: $SNIG_REDUCTION_CACHE, else $XDG_CACHE_HOME/snig, else ~/.cache/snig;
// empty (no cache) when SNIG_REDUCTION_CACHE is "off" or no home is known.
std::string reductionCacheDir();

// The model's reduction from `dir` when a valid one is there, else reduced now and saved there (a
// failure to save is not an error: the cache is an optimisation). `dir` empty: no cache.
// `loaded`, when given, tells which happened.
ReducedNetwork reduceModelCached(const Model& model, const std::string& dir, bool* loaded = nullptr);

}  // namespace snig
