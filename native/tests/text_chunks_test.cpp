// Parsing TSV files in chunks on several threads (native/core/text_chunks.hpp): input rows and layer
// files read back cut at every chunk size from 1 byte up equal the rows and weights they were written
// from (here, by hand: lines shuffled, a comment and a blank line among them, LF or CRLF, with or
// without a final newline), and a bad or duplicated line in a late chunk is named by its own line.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/inputs.hpp"
#include "core/model_io.hpp"
#include "test_support.hpp"

using namespace snig;
using testing::check;

namespace {

const std::filesystem::path kDir = std::filesystem::temp_directory_path() / ("snig-chunks-" + std::to_string(::getpid()));

// The lines of `rows` ("row col value", 1-based, values exact as float), in a shuffled order.
std::vector<std::string> inputLines(const SparseRows& rows, uint64_t seed) {
  std::vector<std::string> lines;
  char text[64];
  for (uint64_t r = 0; r < rows.rows(); ++r) {
    for (uint64_t k = rows.rowptr[r]; k < rows.rowptr[r + 1]; ++k) {
      std::snprintf(text, sizeof text, "%llu\t%u\t%.9g", static_cast<unsigned long long>(r + 1), rows.cols[k] + 1,
                    static_cast<double>(rows.values[k]));
      lines.push_back(text);
    }
  }
  SplitMix64 rng(seed, 3);
  for (size_t i = lines.size(); i > 1; --i) std::swap(lines[i - 1], lines[rng.below(static_cast<uint32_t>(i))]);
  return lines;
}

// Writes the lines with `eol` after each (none after the last when `finalNewline` is false).
std::string writeLines(const std::string& name, const std::vector<std::string>& lines, const std::string& eol,
                       bool finalNewline) {
  const std::string path = (kDir / name).string();
  std::ofstream out(path, std::ios::binary);
  for (size_t i = 0; i < lines.size(); ++i) out << lines[i] << (i + 1 < lines.size() || finalNewline ? eol : "");
  return path;
}

// The error message of `read`, or "" when it does not throw.
template <typename Read>
std::string errorOf(Read read) {
  try {
    read();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void inputsAtEveryChunkSize() {
  const SparseRows rows = testing::randomRows(40, 30, 0.5, false, 5);
  std::vector<std::string> lines = inputLines(rows, 9);
  lines.insert(lines.begin() + static_cast<ptrdiff_t>(lines.size() / 3), "# a comment");
  lines.insert(lines.begin() + static_cast<ptrdiff_t>(lines.size() / 2), "");
  for (const auto& [eol, finalNewline] : {std::pair{"\n", true}, {"\r\n", true}, {"\n", false}, {"\r\n", false}}) {
    const std::string path = writeLines("in.tsv", lines, eol, finalNewline);
    const uint64_t size = std::filesystem::file_size(path);
    bool same = true;
    for (uint64_t bytes = 1; bytes <= size + 1; bytes += bytes < 64 ? 1 : 37) {
      const SparseRows read = readSparseRows(path, 40, rows.rows(), {3, bytes});
      same = same && read.rowptr == rows.rowptr && read.cols == rows.cols && read.values == rows.values;
    }
    check(same, std::string("inputs cut at every chunk size equal the rows written (") + (eol[0] == '\r' ? "CRLF" : "LF") +
                    (finalNewline ? "" : ", no final newline") + ")");
  }
}

void inputErrorsInLateChunks() {
  const SparseRows rows = testing::randomRows(40, 30, 0.5, true, 6);
  std::vector<std::string> lines = inputLines(rows, 10);
  const size_t late = lines.size() - 3;  // 1-based line numbers below
  std::vector<std::string> bad = lines;
  bad[late - 1] = "7\tx\t1";
  const std::string badPath = writeLines("bad.tsv", bad, "\n", true);
  check(errorOf([&] { readSparseRows(badPath, 40, 0, {4, 50}); }) ==
            badPath + ":" + std::to_string(late) + ": column 'x' is not a whole number",
        "a bad line in a late chunk is named by its line (" + std::to_string(late) + ")");
  bad[9] = "0\t1\t1";
  const std::string twoPath = writeLines("two.tsv", bad, "\n", true);
  check(errorOf([&] { readSparseRows(twoPath, 40, 0, {4, 50}); }) ==
            twoPath + ":10: row is 0; indices are 1-based",
        "of two bad lines in different chunks, the first is named");
  std::vector<std::string> duplicated = lines;
  const std::string first = lines[1].substr(0, lines[1].rfind('\t'));
  duplicated.push_back(first + "\t2");
  const std::string dupPath = writeLines("dup.tsv", duplicated, "\n", false);
  check(errorOf([&] { readSparseRows(dupPath, 40, 0, {4, 50}); }) ==
            dupPath + ":" + std::to_string(duplicated.size()) + ": duplicate entry " + first.substr(0, first.find('\t')) +
                " " + first.substr(first.find('\t') + 1) + " (first on line 2)",
        "a duplicate in the last chunk names both lines");
}

// Lines off the plain `a<TAB>b<TAB>value<LF>` form (spaces, leading zeros, an 11-digit field, CR,
// a trailing tab, values written another way) read as the rows they spell, at every chunk size; the
// values are known to be all 1 exactly when each is the number 1.
void linesInEveryForm() {
  const std::vector<std::string> lines = {"1\t2\t1",     "1 3 1",           "0001\t4\t1",   "2\t1\t1.0",       "2\t2\t1\r",
                                          "2\t00000000003\t0.5", " 3\t1\t1", "3\t2\t1\t", "3\t4\t-0.25"};
  const std::vector<uint64_t> rowptr = {0, 3, 6, 9};
  const std::vector<uint32_t> cols = {1, 2, 3, 0, 1, 2, 0, 1, 3};
  const std::vector<float> values = {1, 1, 1, 1, 1, 0.5f, 1, 1, -0.25f};
  const std::string path = writeLines("forms.tsv", lines, "\n", true);
  bool same = true;
  for (uint64_t bytes = 1; bytes <= std::filesystem::file_size(path) + 1; ++bytes) {
    const SparseRows read = readSparseRows(path, 4, 0, {3, bytes});
    same = same && read.rowptr == rowptr && read.cols == cols && read.values == values && !read.unitValues;
  }
  check(same, "lines in every accepted form read as the rows they spell, at every chunk size");
  const std::vector<std::string> ones(lines.begin(), lines.begin() + 5);
  const std::string onesPath = writeLines("ones.tsv", ones, "\n", false);
  check(readSparseRows(onesPath, 4, 0, {3, 7}).unitValues, "values written 1 and 1.0 are known to be all 1");
}

// Two layers of 8 neurons written as TSV (input, output, weight), shuffled, read back cut into chunks.
void layersInChunks() {
  const uint32_t n = 8;
  std::filesystem::create_directories(kDir / "model");
  std::vector<std::vector<std::string>> files(2);
  std::vector<std::vector<double>> expected(2, std::vector<double>(n * n, 0));  // [input * n + output]
  SplitMix64 rng(11, 4);
  for (uint32_t l = 0; l < 2; ++l) {
    for (uint32_t j = 0; j < n; ++j) {
      for (uint32_t i = 0; i < n; ++i) {
        if (rng.unit() < 0.5) continue;
        const double w = 0.125 * (1 + rng.below(7));
        expected[l][i * n + j] = w;
        files[l].push_back(std::to_string(i + 1) + "\t" + std::to_string(j + 1) + "\t" + std::to_string(w));
      }
    }
    for (size_t i = files[l].size(); i > 1; --i) std::swap(files[l][i - 1], files[l][rng.below(static_cast<uint32_t>(i))]);
    writeLines("model/n8-l" + std::to_string(l + 1) + ".tsv", files[l], "\r\n", l == 0);
  }
  bool same = true;
  for (uint64_t bytes : {1, 5, 17, 64, 1000}) {
    const Model model = readModelTsv((kDir / "model").string(), 0, -0.3, true, {3, bytes});
    for (uint32_t l = 0; l < 2; ++l) {
      const LayerView layer = model.layer(l);
      std::vector<double> got(n * n, 0);
      for (uint32_t j = 0; j < n; ++j) {
        for (uint64_t k = layer.colptr[j]; k < layer.colptr[j + 1]; ++k) {
          same = same && (k == layer.colptr[j] || layer.input(k) > layer.input(k - 1));
          got[layer.input(k) * n + j] = layer.weight64(k);
        }
      }
      same = same && got == expected[l];
    }
  }
  check(same, "layers cut at every chunk size equal the weights written (CRLF, with and without a final newline)");
  std::vector<std::string> bad = files[1];
  bad[bad.size() - 2] = "3\t9\t0.5";
  const std::string badPath = writeLines("model/n8-l2.tsv", bad, "\n", true);
  check(errorOf([&] { readModelTsv((kDir / "model").string(), 0, -0.3, true, {3, 16}); }) ==
            badPath + ":" + std::to_string(bad.size() - 1) + ": output neuron 9 exceeds 8",
        "a bad line in a late chunk of a layer file is named by its file and line");
}

}  // namespace

int main() {
  std::filesystem::create_directories(kDir);
  try {
    inputsAtEveryChunkSize();
    inputErrorsInLateChunks();
    linesInEveryForm();
    layersInChunks();
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    std::filesystem::remove_all(kDir);
    return 1;
  }
  std::filesystem::remove_all(kDir);
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
