// The engine interface every inference engine implements (CPU here; CUDA in native/cuda).
//
// An engine is built once for a model (the CUDA engine uploads it then) and infers any range of
// input rows, any number of times. Each layer computes Y <- min(max(Y*W + bias, 0), 32); the
// categories are the rows whose final output has a nonzero entry.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "inputs.hpp"
#include "model.hpp"

namespace snig {

enum class Precision { F32, F64 };

constexpr float kClamp = 32.0f;  // the challenge's upper clamp (YMAX)

struct Progress {
  uint32_t layersDone = 0;   // layers finished in the current pass
  uint32_t layers = 0;
  uint64_t liveRows = 0;     // rows still nonzero in the current pass
  uint64_t rowsDone = 0;     // rows whose inference is complete
  uint64_t rowsTotal = 0;
};

struct InferRequest {
  uint64_t rowBegin = 0;     // rows [rowBegin, rowEnd) of the inputs
  uint64_t rowEnd = 0;
  Precision precision = Precision::F32;
  bool wantRowSums = false;  // sum of every final row (in the range's order)
  bool wantRows = false;     // the final dense rows, (rowEnd - rowBegin) x N (small problems only)
  bool wantTrace = false;    // per row: the layer it died at and its smallest liveness margin
  std::function<void(const Progress&)> onProgress;  // called from engine threads
  const std::atomic<bool>* cancel = nullptr;        // set to stop early (throws E_CANCELLED)
};

struct InferResult {
  std::vector<uint64_t> categories;  // 1-based input rows whose final row is nonzero, ascending
  std::vector<double> rowSums;       // when wantRowSums
  std::vector<float> rows;           // when wantRows (f64 results rounded to float)
  // When wantTrace: deathLayer[r] is the 1-based layer after which row r became all zero (0 if it
  // survived every layer); minMargin[r] is the smallest |max_j (Y*W + bias)_j| over the layers the
  // row was alive through (how close its live/dead state came to flipping).
  std::vector<uint32_t> deathLayer;
  std::vector<double> minMargin;
  double seconds = 0;                // the inference call (no load; on CUDA with the input upload)
  double gpuSeconds = -1;            // CUDA: the busiest GPU's event-timed compute; -1 elsewhere
  std::string kernel;                // which kernel ran, for reports
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;  // "cpu", "cuda"
  virtual InferResult infer(const SparseRows& inputs, const InferRequest& request) = 0;
  // Whether infer takes compact rows (SparseRows::compact: 16-bit columns only, as mapped).
  virtual bool readsCompactRows() const { return false; }
  // A copy of the rows, equal in value, held where infer reads them fastest: for rows inferred on
  // more than once, or read from a file straight into it. The CUDA engine's is compact (row offsets,
  // then the nonzeros as runs of columns or 16-bit columns in page-locked memory), which each call
  // sends by DMA with no copy on the host (pinned_inputs.hpp); it costs about one pass over the
  // columns and the pinning of what it writes. Null when there is no such place (this engine; CUDA:
  // N > 65536, or a value other than 1): infer reads the rows as they are.
  virtual std::shared_ptr<const SparseRows> placeInputs(const SparseRows& /*rows*/) const { return nullptr; }
};

// Throws E_CANCELLED when the request's cancel flag is set.
void throwIfCancelled(const InferRequest& request);
// Checks that the range lies within the inputs, the inputs match the model's N, and that they are
// not compact unless the engine reads compact rows.
void validateRequest(const Model& model, const SparseRows& inputs, const InferRequest& request, bool compactRows = false);

std::unique_ptr<Engine> makeCpuEngine(std::shared_ptr<const Model> model, int threads);

}  // namespace snig
