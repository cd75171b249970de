// The lines `a<TAB>b<TAB>value` of a TSV file (inputs: row, column, value; layers: input neuron,
// output neuron, weight), 1-based indices checked against their bounds, parsed on all cores
// (text_chunks.hpp) into 0-based (key, index, value) entries, one KeyedEntries per chunk, ready for
// bucketSort.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
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
  std::vector<KeyedEntries<Value>> chunks;
  uint32_t keys = 0;  // one more than the largest key (0: no entries)
};

namespace detail {

// A 1-based index of at most 10 digits at `p`, ending at `end` or before it; 0 when there is none or
// it is above `max`.
inline uint32_t plainIndex(const char*& p, const char* end, uint32_t max) {
  const char* const start = p;
  uint64_t value = 0;
  while (p < end && p - start < 10 && static_cast<unsigned>(*p - '0') < 10) value = value * 10 + static_cast<unsigned>(*p++ - '0');
  return value <= max ? static_cast<uint32_t>(value) : 0;
}

// The plain line `a<TAB>b<TAB>value<LF>` (CR LF too) at the start of [p, end), parsed into `e`: its
// length with the terminator, or 0 for any other line (blank, comment, spaces, a field out of range
// or not a number, no terminator in the text yet), which the general path then reads and names.
// Both paths read the same numbers: from_chars for the value, digits for the indices.
template <typename Value>
size_t parsePlainLine(const char* p, const char* end, const TripletFields& f, Entry3<Value>* e) {
  const char* const line = p;
  const uint32_t a = plainIndex(p, end, f.firstMax);
  if (a == 0 || p == end || *p++ != '\t') return 0;
  const uint32_t b = plainIndex(p, end, f.secondMax);
  if (b == 0 || p == end || *p++ != '\t') return 0;
  const char* newline = p + 1;
  double value = 1;
  if (newline >= end || *p != '1' || *newline != '\n') {  // not the challenge inputs' value 1
    newline = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (!newline) return 0;
    const char* valueEnd = newline > p && newline[-1] == '\r' ? newline - 1 : newline;
    const auto [stop, ec] = std::from_chars(p, valueEnd, value);
    if (ec != std::errc() || stop != valueEnd || !std::isfinite(value)) return 0;
  }
  *e = {f.keyIsSecond ? b - 1 : a - 1, f.keyIsSecond ? a - 1 : b - 1, static_cast<Value>(value)};
  return static_cast<size_t>(newline + 1 - line);
}

}  // namespace detail

template <typename Value>
Triplets<Value> readTriplets(const std::string& path, const ChunkOptions& chunking, const TripletFields& f) {
  Triplets<Value> out;
  out.chunks = parseChunks<KeyedEntries<Value>>(path, chunking, [&](TextReader& reader, KeyedEntries<Value>& chunk) {
    std::string_view line;
    std::string_view fields[3];
    chunk.reserve(reader.knownLines());  // one allocation per chunk, not a growing one
    for (;;) {
      // The plain lines in memory on the fast path, then one line (or the end) on the general one.
      const std::string_view text = reader.pending();
      const char* p = text.data();
      const char* const end = p + text.size();
      uint64_t plain = 0;
      Entry3<Value> e;
      while (const size_t length = detail::parsePlainLine(p, end, f, &e)) {
        chunk.add(e);
        p += length;
        ++plain;
      }
      reader.skip(static_cast<size_t>(p - text.data()), plain);
      if (!reader.next(&line)) break;
      reader.split(line, fields, 3);
      const uint32_t a = reader.index(fields[0], f.firstMax, f.first) - 1;
      const uint32_t b = reader.index(fields[1], f.secondMax, f.second) - 1;
      chunk.add({f.keyIsSecond ? b : a, f.keyIsSecond ? a : b, static_cast<Value>(reader.number(fields[2], f.value))});
    }
  });
  for (const auto& chunk : out.chunks) out.keys = std::max(out.keys, chunk.keys());
  return out;
}

}  // namespace snig
