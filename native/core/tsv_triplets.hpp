// The lines `a<TAB>b<TAB>value` of a TSV file (inputs: row, column, value; layers: input neuron,
// output neuron, weight), 1-based indices checked against their bounds, parsed on all cores
// (text_chunks.hpp) into 0-based (key, index, value) entries, one list per chunk, ready for
// bucketSort.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "bucket_sort.hpp"
#include "text_chunks.hpp"

namespace snig {

struct TripletFields {
  const char* first;      // the first field's name in errors, and its largest value
  uint32_t firstMax;
  const char* second;
  uint32_t secondMax;
  const char* value;
  bool keyIsSecond;       // the entries' key: the second field (else the first)
};

template <typename Value>
struct Triplets {
  std::vector<std::vector<Entry3<Value>>> chunks;
  uint32_t keys = 0;  // one more than the largest key (0: no entries)
};

template <typename Value>
Triplets<Value> readTriplets(const std::string& path, const ChunkOptions& chunking, const TripletFields& f) {
  struct Chunk {
    std::vector<Entry3<Value>> entries;
    uint32_t keys = 0;
  };
  auto chunks = parseChunks<Chunk>(path, chunking, [&](TextReader& reader, Chunk& chunk) {
    std::string_view line;
    std::string_view fields[3];
    chunk.entries.reserve(reader.knownLines());  // one allocation per chunk, not a growing one
    while (reader.next(&line)) {
      reader.split(line, fields, 3);
      const uint32_t a = reader.index(fields[0], f.firstMax, f.first) - 1;
      const uint32_t b = reader.index(fields[1], f.secondMax, f.second) - 1;
      Entry3<Value> e{f.keyIsSecond ? b : a, f.keyIsSecond ? a : b, static_cast<Value>(reader.number(fields[2], f.value))};
      chunk.keys = std::max(chunk.keys, e.key + 1);
      chunk.entries.push_back(e);
    }
  });
  Triplets<Value> out;
  for (Chunk& chunk : chunks) {
    out.keys = std::max(out.keys, chunk.keys);
    out.chunks.push_back(std::move(chunk.entries));
  }
  return out;
}

}  // namespace snig
