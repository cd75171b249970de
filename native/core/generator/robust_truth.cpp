#include "robust_truth.hpp"

#include <string>

#include "../error.hpp"

namespace snig {
namespace {

InferResult trace(Engine& engine, const SparseRows& inputs, Precision precision, const std::atomic<bool>* cancel) {
  InferRequest request;
  request.rowEnd = inputs.rows();
  request.precision = precision;
  request.wantTrace = true;
  request.cancel = cancel;
  return engine.infer(inputs, request);
}

// `inputs` with its rows `rows` (ascending) replaced by the rows of `patch`, in order.
SparseRows splice(const SparseRows& inputs, const std::vector<uint64_t>& rows, const SparseRows& patch) {
  SparseRows out = SparseRows::empty(inputs.n);
  size_t next = 0;
  for (uint64_t r = 0; r < inputs.rows(); ++r) {
    if (next < rows.size() && rows[next] == r) {
      out.appendRow(patch, next++);
    } else {
      out.appendRow(inputs, r);
    }
  }
  return out;
}

}  // namespace

RowClassification classifyRows(Engine& engine32, Engine& engine64, const SparseRows& inputs, double tolerance,
                               const std::atomic<bool>* cancel) {
  InferResult f32 = trace(engine32, inputs, Precision::F32, cancel);
  InferResult f64 = trace(engine64, inputs, Precision::F64, cancel);
  RowClassification c;
  c.fragile.resize(inputs.rows());
  for (uint64_t r = 0; r < inputs.rows(); ++r) {
    c.fragile[r] = f32.deathLayer[r] != f64.deathLayer[r] || f64.minMargin[r] < tolerance;
  }
  c.deathLayer32 = std::move(f32.deathLayer);
  c.deathLayer64 = std::move(f64.deathLayer);
  c.minMargin64 = std::move(f64.minMargin);
  c.categories64 = std::move(f64.categories);
  return c;
}

RobustImages generateRobustImages(Engine& f32, Engine& f64, const SparseRows& source, const ImageSpec& spec,
                                  const TruthSpec& truth) {
  RobustImages out;
  out.inputs = generateImages(source, spec);
  out.deathLayer.assign(spec.rows, 0);
  std::vector<uint8_t> replaced(spec.rows, 0);
  std::vector<uint8_t> survives(spec.rows, 0);
  std::vector<uint32_t> attempt(spec.rows, 0);
  std::vector<uint64_t> pending(spec.rows);  // generated rows still to classify, ascending
  for (uint64_t r = 0; r < spec.rows; ++r) pending[r] = r;

  while (!pending.empty()) {
    ++out.rounds;
    // The first round classifies every row in place; later ones only the redrawn rows.
    const RowClassification c =
        out.rounds == 1 ? classifyRows(f32, f64, out.inputs, truth.tolerance, truth.cancel)
                        : classifyRows(f32, f64, out.inputs.gather(pending), truth.tolerance, truth.cancel);
    std::vector<uint8_t> live(pending.size(), 0);
    for (uint64_t row : c.categories64) live[row - 1] = 1;
    std::vector<RowRecipe> redraw;
    std::vector<uint64_t> fragileRows;
    for (uint64_t k = 0; k < pending.size(); ++k) {
      const uint64_t r = pending[k];
      if (!c.fragile[k]) {
        out.deathLayer[r] = c.deathLayer64[k];
        survives[r] = live[k];
        continue;
      }
      if (++attempt[r] >= truth.maxAttempts) {
        throwArgument("generated row " + std::to_string(r + 1) + " stayed rounding-fragile after " +
                      std::to_string(truth.maxAttempts) + " draws (tolerance " + std::to_string(truth.tolerance) +
                      "): use a smaller tolerance or another seed");
      }
      replaced[r] = 1;
      ++out.redraws;
      fragileRows.push_back(r);
      redraw.push_back({r, attempt[r]});
    }
    if (!redraw.empty()) out.inputs = splice(out.inputs, fragileRows, generateImageRows(source, spec, redraw));
    pending = std::move(fragileRows);
  }
  for (uint64_t r = 0; r < spec.rows; ++r) {
    out.replacedRows += replaced[r];
    if (survives[r]) out.categories.push_back(r + 1);
  }
  return out;
}

}  // namespace snig
