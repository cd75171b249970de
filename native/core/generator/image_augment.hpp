// Challenge-shaped input images derived from the real official ones.
//
// Each generated row is one of the source images (row t uses source t mod S), upscaled by nearest
// neighbour to side = sqrt(N) (column-major like the official files: pixel (r, c) -> column
// r + side*c), after seeded augmentations that change the digit itself: a few pixel flips along the
// strokes, then a small random rotation, scale, shear and elastic distortion. Plain shifts would not
// do: the network's first layers treat a shifted digit like the original, so shifted copies behave
// as duplicates. Every row draws from its own stream (seed, row, attempt), so the result does not
// depend on the thread count and any row can be regenerated alone with a new attempt number.
#pragma once

#include <cstdint>
#include <vector>

#include "../inputs.hpp"

namespace snig {

// How far the augmentation moves a digit. Measured on the 1024x120 challenge network (CPU engine,
// float64, 6000 rows, after replacing fragile rows): {6°, 0.05, 0.08, 0.5, 1} keeps 1.6% of the rows,
// {12°, 0.10, 0.15, 1.0, 3} 1.7%, these defaults 2.2%, {20°, 0.15, 0.30, 2.5, 8} 2.3%; the first
// 1200 real images keep 1.6% and the official 60000 3.0%.
struct AugmentStrength {
  double rotateDegrees = 18;  // rotation drawn from [-r, r]
  double scale = 0.15;        // scale drawn from [1 - s, 1 + s] per axis
  double shear = 0.25;        // shear factor drawn from [-h, h]
  double elastic = 1.5;       // elastic displacement amplitude (control points), in source pixels
  uint32_t flips = 6;         // stroke-boundary pixels flipped (on<->off) in the source image
};

struct ImageSpec {
  uint32_t neurons = 1024;    // a perfect square: side = sqrt(N)
  uint64_t rows = 60000;
  uint64_t seed = 1;
  bool augment = true;        // false: the source images, only upscaled (row t = source t mod S)
  AugmentStrength strength;
  int threads = 0;            // OpenMP threads (0: all)
};

// One row to draw: generated row `row` (it picks the source image) with augmentation stream `attempt`.
struct RowRecipe {
  uint64_t row = 0;
  uint32_t attempt = 0;
};

// Throws E_ARGUMENT unless N and the source's N are perfect squares and the source has rows.
void validateImageSpec(const ImageSpec& spec, const SparseRows& source);

// spec.rows rows, attempt 0 each.
SparseRows generateImages(const SparseRows& source, const ImageSpec& spec);

// The given rows, in the given order (spec.rows is ignored).
SparseRows generateImageRows(const SparseRows& source, const ImageSpec& spec, const std::vector<RowRecipe>& recipes);

}  // namespace snig
