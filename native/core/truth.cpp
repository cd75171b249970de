#include "truth.hpp"

#include <algorithm>

#include "atomic_file.hpp"
#include "error.hpp"
#include "text_reader.hpp"

namespace snig {

std::vector<uint64_t> readCategories(const std::string& path, uint64_t maxRow) {
  TextReader reader(path);
  const uint32_t bound = maxRow ? static_cast<uint32_t>(std::min<uint64_t>(maxRow, UINT32_MAX)) : UINT32_MAX;
  std::vector<std::pair<uint64_t, uint64_t>> rows;  // (row, line)
  std::string_view line;
  std::string_view field;
  while (reader.next(&line)) {
    reader.split(line, &field, 1);
    rows.emplace_back(reader.index(field, bound, "row"), reader.lineNumber());
  }
  std::sort(rows.begin(), rows.end());
  for (size_t k = 1; k < rows.size(); ++k) {
    if (rows[k].first == rows[k - 1].first) {
      throwFormat(path, std::max(rows[k].second, rows[k - 1].second),
                  "row " + std::to_string(rows[k].first) + " is listed twice (first on line " +
                      std::to_string(std::min(rows[k].second, rows[k - 1].second)) + ")");
    }
  }
  std::vector<uint64_t> out(rows.size());
  std::transform(rows.begin(), rows.end(), out.begin(), [](const auto& p) { return p.first; });
  return out;
}

void writeCategories(const std::vector<uint64_t>& rows, const std::string& path,
                     const std::vector<std::string>& provenance) {
  const bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  AtomicFile out(path, gzip);
  std::string text;
  for (const auto& line : provenance) text += "# " + line + "\n";
  for (uint64_t row : rows) text += std::to_string(row) + "\n";
  out.write(text);
  out.commit();
}

}  // namespace snig
