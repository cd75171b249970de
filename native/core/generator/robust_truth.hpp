// Truth for generated inputs that any correct float32 engine reproduces, in any summation order.
//
// Under a challenge layer a fully live row of equal values y maps to 2y + b: the fixed point y = −b is
// unstable, so a row passing near it grows to 32 or decays to 0 depending on the last bits of its
// sums. A row is FRAGILE when its live/dead state at some layer differs between float32 and float64
// (their deathLayer differs), or when its smallest margin to zero after the bias (the float64
// trace's minMargin: the smallest |max_j (Y·W + b)_j| over the layers it was alive through) is below
// the tolerance. Fragile generated rows are redrawn with the next augmentation attempt until robust;
// the truth is the float64 categories.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "../engine.hpp"
#include "image_augment.hpp"

namespace snig {

// 1e-3 absolute: float32 sums of 32 terms of at most 32 * 0.0625 err by ~1e-6, and the unstable
// fixed point doubles a deviation per layer, so 1e-3 leaves ~10 layers of doubling to spare.
constexpr double kDefaultMarginTolerance = 1e-3;

struct TruthSpec {
  double tolerance = kDefaultMarginTolerance;
  uint32_t maxAttempts = 64;  // redraws of one row before giving up (E_ARGUMENT)
  const std::atomic<bool>* cancel = nullptr;
};

// The float32 and float64 verdicts for a set of rows.
struct RowClassification {
  std::vector<uint8_t> fragile;       // 1 for a fragile row
  std::vector<uint32_t> deathLayer32; // engine traces (0: survived every layer)
  std::vector<uint32_t> deathLayer64;
  std::vector<double> minMargin64;
  std::vector<uint64_t> categories64; // 1-based, ascending
};

// `f32` runs the float32 trace and `f64` the float64 one (the CPU engine can do both; a CUDA engine
// may take the float32 side on large networks, its summation order being as valid as any).
RowClassification classifyRows(Engine& f32, Engine& f64, const SparseRows& inputs, double tolerance,
                               const std::atomic<bool>* cancel = nullptr);
inline RowClassification classifyRows(Engine& engine, const SparseRows& inputs, double tolerance,
                                      const std::atomic<bool>* cancel = nullptr) {
  return classifyRows(engine, engine, inputs, tolerance, cancel);
}

struct RobustImages {
  SparseRows inputs;                  // the generated rows, fragile ones redrawn
  std::vector<uint64_t> categories;   // float64 truth, 1-based
  std::vector<uint32_t> deathLayer;   // float64 trace of every final row
  uint64_t replacedRows = 0;          // rows whose first draw was fragile
  uint64_t redraws = 0;               // fragile draws in all (a row may need several)
  uint32_t rounds = 0;                // classification passes
};

// Generates spec.rows images and replaces fragile ones until every row is robust.
RobustImages generateRobustImages(Engine& f32, Engine& f64, const SparseRows& source, const ImageSpec& spec,
                                  const TruthSpec& truth);
inline RobustImages generateRobustImages(Engine& engine, const SparseRows& source, const ImageSpec& spec,
                                         const TruthSpec& truth) {
  return generateRobustImages(engine, engine, source, spec, truth);
}

}  // namespace snig
