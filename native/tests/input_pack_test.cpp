// The input upload's host half (native/cuda/input_pack.hpp) and the compact columns it sends: chunk
// sizes and row boundaries, the packed bytes (16- and 32-bit columns, values only when some value is
// not 1) and runs of columns against hand-derived ones, and SparseRows::narrowCols and runs as the
// binary input file, slices and appended rows keep or drop them; the packing in parts on helper
// threads (each part once, from any number of callers). Prints one line per check; exits non-zero
// on any failure.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/row_file.hpp"
#include "cuda/helper_pool.hpp"
#include "cuda/input_pack.hpp"
#include "test_support.hpp"

namespace {

using namespace snig;
using testing::check;

// Two rows over N = 8: {1, 3, 7} and {0, 5}, values 1 unless given.
SparseRows sample(std::vector<float> values = {1, 1, 1, 1, 1}) {
  SparseRows rows;
  rows.n = 8;
  rows.rowptr = {0, 3, 5};
  rows.cols = {1, 3, 7, 0, 5};
  rows.unitValues = values == std::vector<float>{1, 1, 1, 1, 1};
  rows.values = std::move(values);
  return rows;
}

template <typename T>
std::vector<T> read(const std::vector<uint8_t>& bytes, uint64_t at, size_t count) {
  std::vector<T> out(count);
  std::memcpy(out.data(), bytes.data() + at, count * sizeof(T));
  return out;
}

std::vector<uint16_t> narrowOf(const SparseRows& rows) {
  return rows.narrowCols ? std::vector<uint16_t>(rows.narrowCols.get(), rows.narrowCols.get() + rows.nnz()) : std::vector<uint16_t>{};
}

void chunks() {
  check(cuda::chunkTarget(uint64_t{1} << 40, 0, true) == uint64_t{1} << 18 && cuda::chunkTarget(uint64_t{1} << 40, 0, false) == uint64_t{1} << 18,
        "the first chunk: 2^18 nonzeros, whatever the batch");
  check(cuda::chunkTarget(0, 1, true) == uint64_t{1} << 22, "a small staged batch: later chunks of at least 2^22");
  check(cuda::chunkTarget(uint64_t{6} << 20, 1, false) == uint64_t{1} << 20, "6 Mi nonzeros sent as they are: chunks of 2^20 (1/16 is less)");
  check(cuda::chunkTarget(uint64_t{96} << 20, 5, true) == uint64_t{6} << 20 && cuda::chunkTarget(uint64_t{96} << 20, 5, false) == uint64_t{6} << 20,
        "96 Mi nonzeros: chunks of 6 Mi (1/16)");
  check(cuda::chunkTarget(uint64_t{1} << 40, 1, false) == uint64_t{1} << 23, "a huge batch: chunks of at most 2^23");
  const std::vector<uint32_t> offsets{0, 3, 3, 10, 12, 20};  // rows of 3, 0, 7, 2 and 8 nonzeros
  check(cuda::chunkEnd(offsets.data(), 5, 0, 5) == 3, "5 from row 0: rows 0-2 (10 nonzeros; 3 is short)");
  check(cuda::chunkEnd(offsets.data(), 5, 0, 3) == 1, "3 from row 0: row 0 alone (exactly 3)");
  check(cuda::chunkEnd(offsets.data(), 5, 1, 1) == 3, "1 from the empty row 1: rows 1-2");
  check(cuda::chunkEnd(offsets.data(), 5, 3, 5) == 5, "5 from row 3: rows 3-4 (10)");
  check(cuda::chunkEnd(offsets.data(), 5, 0, 100) == 5, "more than the batch: the rest of it");
}

void packing() {
  std::vector<uint8_t> out(64, 0xff);
  check(!cuda::packNonzeros(sample(), 1, 3, true, out.data()) && read<uint16_t>(out, 0, 3) == std::vector<uint16_t>{3, 7, 0},
        "unit values, 16-bit: nonzeros 1-3 are columns 3 7 0, no values");
  check(!cuda::packNonzeros(sample(), 0, 5, false, out.data()) && read<uint32_t>(out, 0, 5) == std::vector<uint32_t>{1, 3, 7, 0, 5},
        "unit values, 32-bit: the columns as they are");
  const SparseRows valued = sample({1, 0.5f, 1, 1, 2});
  check(cuda::packNonzeros(valued, 0, 5, true, out.data()) && read<uint16_t>(out, 0, 5) == std::vector<uint16_t>{1, 3, 7, 0, 5} &&
            cuda::packedValuesOffset(5, true) == 16 && read<float>(out, 16, 5) == std::vector<float>{1, 0.5f, 1, 1, 2},
        "values 0.5 and 2: columns, then the values at byte 16");
  check(!cuda::packNonzeros(valued, 2, 2, true, out.data()), "a chunk whose values are all 1 leaves them out");
  SparseRows compact = sample();
  const std::vector<uint16_t> marked{9, 10, 11, 12, 13};  // unlike cols: shows where the bytes came from
  compact.narrowCols = std::shared_ptr<const uint16_t>(std::shared_ptr<void>(), marked.data());  // not owned
  check(!cuda::packNonzeros(compact, 1, 3, true, out.data()) && read<uint16_t>(out, 0, 3) == std::vector<uint16_t>{10, 11, 12},
        "compact inputs: their 16-bit columns copied as they are");
  check(!cuda::packNonzeros(compact, 0, 2, false, out.data()) && read<uint32_t>(out, 0, 2) == std::vector<uint32_t>{1, 3},
        "above 16 bits the compact columns are not used");
}

void columnRuns() {
  SparseRows rows;
  rows.n = 65536;
  rows.rowptr = {0, 4, 4, 7};  // {2 3 4 9}, {}, {0 1 65535}
  rows.cols = {2, 3, 4, 9, 0, 1, 65535};
  rows.unitValues = true;
  std::vector<uint32_t> ptr(4, 99);
  check(cuda::countRuns(rows, ptr.data()) == 4 && ptr == std::vector<uint32_t>{0, 2, 2, 4}, "runs 2-4 and 9 | none | 0-1 and 65535: offsets 0 2 2 4");
  std::vector<uint32_t> runs(4, 99);
  cuda::packRuns(rows, ptr.data(), runs.data());
  check(runs == std::vector<uint32_t>{2 | 2u << 16, 9, 0 | 1u << 16, 65535}, "each run is its start | (length - 1) << 16");
  const std::vector<uint16_t> narrow{2, 3, 4, 9, 0, 1, 65535};
  rows.cols.clear();  // compact: the 16-bit columns alone
  rows.narrowCols = std::shared_ptr<const uint16_t>(std::shared_ptr<void>(), narrow.data());  // not owned
  std::vector<uint32_t> compactRuns(4, 99);
  ptr.assign(4, 99);
  check(cuda::countRuns(rows, ptr.data()) == 4, "compact rows: the same run count");
  cuda::packRuns(rows, ptr.data(), compactRuns.data());
  check(compactRuns == runs, "compact rows: the same runs");
}

void producers() {
  check(narrowOf(SparseRows{}).empty() && !sample().narrowCols, "rows built by hand have no compact columns");
  SparseRows narrowed = sample();
  narrowed.cols = {1, 65535, 7, 0, 5};
  narrowed.narrowCols = narrowColumns(narrowed.cols);
  check(narrowOf(narrowed) == std::vector<uint16_t>{1, 65535, 7, 0, 5}, "narrowColumns keeps every column below 2^16");
  const std::string path = (std::filesystem::temp_directory_path() / ("input-pack-test-" + std::to_string(getpid()) + ".snigrows")).string();
  writeRowFile(sample(), path);
  const SparseRows all = openRowFile(path, 8)->read(0, 2);
  const SparseRows second = openRowFile(path, 8)->read(1, 2);
  std::filesystem::remove(path);  // the mapping stays valid while rows hold it
  check(narrowOf(all) == std::vector<uint16_t>{1, 3, 7, 0, 5}, "a binary input file's rows carry its 16-bit columns");
  check(narrowOf(second) == std::vector<uint16_t>{0, 5}, "a range read: that range's columns");
  check(narrowOf(all.slice(1, 2)) == std::vector<uint16_t>{0, 5}, "a slice keeps its part of them");
  SparseRows appended = all;
  appended.appendRow(all, 0);
  check(!appended.narrowCols && !all.gather({1, 0}).narrowCols, "appended or gathered rows drop them");
  SparseRows withRuns = sample();
  const std::vector<uint32_t> runPtr{0, 3, 5}, runs{1, 3, 7, 0, 5};
  withRuns.runPtr = std::shared_ptr<const uint32_t>(std::shared_ptr<void>(), runPtr.data());  // not owned
  withRuns.runs = runs.data();
  const SparseRows secondRow = withRuns.slice(1, 2);
  check(secondRow.runPtr.get() == runPtr.data() + 1 && secondRow.runs == runs.data(), "a slice keeps its rows' run offsets, into the same runs");
  withRuns.appendRow(sample(), 0);
  check(!withRuns.runPtr && !withRuns.runs, "appended rows drop the runs");
}

// Compact reads (what the CUDA engine takes from a mapped file): the 16-bit columns only, values only
// when stored, every column still checked against N and the row's order, with the file named.
void compactReads() {
  const std::string path = (std::filesystem::temp_directory_path() / ("input-pack-compact-" + std::to_string(getpid()) + ".snigrows")).string();
  writeRowFile(sample(), path);
  const SparseRows unit = openRowFile(path, 8)->read(0, 2, true);
  check(unit.compact() && unit.cols.empty() && unit.values.empty() && unit.nnz() == 5 && narrowOf(unit) == std::vector<uint16_t>{1, 3, 7, 0, 5},
        "unit values: compact rows hold the file's columns and nothing else");
  std::vector<uint8_t> out(64, 0xff);
  check(!cuda::packNonzeros(unit, 1, 3, true, out.data()) && read<uint16_t>(out, 0, 3) == std::vector<uint16_t>{3, 7, 0},
        "compact rows pack as the wide ones do");
  const SparseRows tail = unit.slice(1, 2);
  check(tail.compact() && narrowOf(tail) == std::vector<uint16_t>{0, 5}, "a slice of compact rows is compact");
  bool refused = false;
  try {
    SparseRows::empty(8).appendRow(unit, 0);
  } catch (const Error&) {
    refused = true;
  }
  check(refused, "appending from compact rows is refused");
  writeRowFile(sample({1, 0.5f, 1, 1, 2}), path);
  const SparseRows valued = openRowFile(path, 8)->read(0, 2, true);
  check(valued.compact() && valued.values == std::vector<float>{1, 0.5f, 1, 1, 2}, "stored values come with compact rows");
  const auto rejects = [&](SparseRows rows, const char* what) {
    rows.unitValues = true;
    writeRowFile(rows, path);
    for (const bool compact : {true, false}) {
      std::string message;
      try {
        openRowFile(path, 8)->read(0, 2, compact);
      } catch (const Error& e) {
        message = e.what();
      }
      check(message.find(path) != std::string::npos && message.find("row 2: columns out of range or not ascending") != std::string::npos,
            std::string(what) + (compact ? " (compact read)" : " (wide read)") + ": " + message);
    }
  };
  SparseRows outside = sample();
  outside.cols[4] = 8;
  rejects(outside, "a column equal to N is named with its row");
  SparseRows unordered = sample();
  unordered.cols = {1, 3, 7, 5, 0};
  rejects(unordered, "a row out of order is named");
  std::filesystem::remove(path);
}

// A chunk of many parts (helper_pool.hpp): 200000 nonzeros, column k % 65536 of row k / 100, value
// 1 except the last: every column narrowed in place, and the values written since one is not 1.
void partedPacking() {
  constexpr uint64_t count = 200000;
  SparseRows rows;
  rows.n = 65536;
  for (uint64_t r = 0; r <= count / 100; ++r) rows.rowptr.push_back(r * 100);
  for (uint64_t k = 0; k < count; ++k) rows.cols.push_back(static_cast<uint32_t>(k % 65536));
  rows.values.assign(count, 1.0f);
  rows.values.back() = 3.0f;
  rows.unitValues = false;
  std::vector<uint8_t> out(cuda::packedValuesOffset(count, true) + count * sizeof(float));
  const bool withValues = cuda::packNonzeros(rows, 0, count, true, out.data());
  const std::vector<uint16_t> packed = read<uint16_t>(out, 0, count);
  bool columns = true;
  for (uint64_t k = 0; k < count; ++k) columns = columns && packed[k] == k % 65536;
  const std::vector<float> values = read<float>(out, cuda::packedValuesOffset(count, true), count);
  check(withValues && columns && values == rows.values, "200000 nonzeros in parts: every column, then every value");
  rows.values.back() = 1.0f;
  check(!cuda::packNonzeros(rows, 0, count, true, out.data()), "the same with every value 1: no values");
}

// Every part runs once, on the caller and the helpers, over many jobs of any size and from callers
// on several threads at once (each with its own pool).
void helpers() {
  cuda::HelperPool pool(3);
  bool once = true;
  for (const uint64_t parts : {0, 1, 2, 7, 64, 1000}) {
    for (int job = 0; job < 20; ++job) {
      std::vector<std::atomic<int>> runs(parts);
      pool.run(parts, [&](uint64_t i) { runs[i].fetch_add(1); });
      for (const auto& r : runs) once = once && r.load() == 1;
    }
  }
  check(once, "a pool of 3 helpers: each of 0 to 1000 parts ran once, in 120 jobs");
  std::vector<std::atomic<int>> runs(4 * 5000);
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&, c] { cuda::runOnHelpers(5000, [&](uint64_t i) { runs[c * 5000 + i].fetch_add(1); }); });
  }
  for (auto& caller : callers) caller.join();
  check(std::all_of(runs.begin(), runs.end(), [](const auto& r) { return r.load() == 1; }),
        "4 callers at once on the process's pools: each of their parts ran once");
  const std::thread::id caller = std::this_thread::get_id();
  bool onCaller = true;
  cuda::HelperPool(0).run(10, [&](uint64_t) { onCaller = onCaller && std::this_thread::get_id() == caller; });
  check(onCaller, "a pool without helpers runs every part on the caller");
}

}  // namespace

int main() {
  try {
    chunks();
    packing();
    producers();
    compactReads();
    columnRuns();
    partedPacking();
    helpers();
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
