// Reduced networks kept between runs: reducing 65536x1920 takes 15 s on 16 cores, reading it back a
// fraction of that. A file per model in a cache directory, named and checked by the model's checksum
// (which covers N, the layer table with its biases and every weight), its layer count and edge count;
// written atomically, read with a CRC-32 over everything. A miss, or a file that does not check out,
// means: reduce again (and save, when that took long enough to be worth a file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../model.hpp"
#include "reduced_network.hpp"

namespace snig {

struct ReductionCache {
  std::string dir;          // empty: no cache
  double minSeconds = 0;    // save only reductions that took at least this long
  uint64_t maxBytes = 0;    // after a save, the oldest files go until the directory holds at most this
};

// The default: $SNIG_REDUCTION_CACHE, else $XDG_CACHE_HOME/snig, else ~/.cache/snig (no cache when
// SNIG_REDUCTION_CACHE is "off" or no home is known); reductions of 1 s or more; at most 16 GiB.
ReductionCache defaultReductionCache();

// What happened: read from the cache, or reduced (and saved or not); the file and its size.
struct ReductionSource {
  bool loaded = false;
  bool saved = false;
  std::string path;
  uint64_t bytes = 0;
  double seconds = 0;  // reading or reducing (and saving)
  std::string describe() const;
};

// The model's reduction from the cache, when a valid one is there (else nothing, and source says
// where it was looked for).
std::optional<ReducedNetwork> readCachedReduction(const Model& model, const ReductionCache& cache, ReductionSource* source = nullptr);

// The model's reduction made now, and saved in the cache when that took long enough to be worth a
// file (a failure to save is not an error: the cache is an optimisation).
ReducedNetwork reduceAndCache(const Model& model, const ReductionCache& cache, ReductionSource* source = nullptr);

// The cache's reduction when valid, else reduceAndCache.
ReducedNetwork reduceModelCached(const Model& model, const ReductionCache& cache, ReductionSource* source = nullptr);

}  // namespace snig
