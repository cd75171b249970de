#include "image_augment.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>

#include "../error.hpp"
#include "random.hpp"

namespace snig {
namespace {

constexpr int kGrid = 4;  // elastic displacement control points per axis

uint32_t exactSide(uint32_t n) {
  const auto side = static_cast<uint32_t>(std::lround(std::sqrt(static_cast<double>(n))));
  return side * side == n ? side : 0;
}

// The source images as bitmaps, pixel (r, c) at [r + side*c] like the files' columns.
std::vector<uint8_t> sourceBitmaps(const SparseRows& source) {
  std::vector<uint8_t> bitmaps(source.rows() * source.n, 0);
  for (uint64_t s = 0; s < source.rows(); ++s) {
    for (uint64_t k = source.rowptr[s]; k < source.rowptr[s + 1]; ++k) {
      if (source.values[k] != 0) bitmaps[s * source.n + source.cols[k]] = 1;
    }
  }
  return bitmaps;
}

// The random warp of one row: output pixel -> source pixel.
class Warp {
 public:
  Warp(const AugmentStrength& st, uint32_t sourceSide, uint32_t side, SplitMix64& random)
      : half_(sourceSide / 2.0), step_(static_cast<double>(sourceSide) / side), sourceSide_(sourceSide) {
    const double angle = st.rotateDegrees * std::numbers::pi / 180 * random.symmetric();
    const double sx = 1 + st.scale * random.symmetric(), sy = 1 + st.scale * random.symmetric();
    const double shear = st.shear * random.symmetric();
    // Output -> source: rotate(angle) * shear(shear) * diag(1/sx, 1/sy).
    const double c = std::cos(angle), s = std::sin(angle);
    a_ = {c / sx, (c * shear - s) / sy, s / sx, (s * shear + c) / sy};
    for (auto& d : dx_) d = st.elastic * random.symmetric();
    for (auto& d : dy_) d = st.elastic * random.symmetric();
  }

  // The source pixel (r + sourceSide * c) that output pixel (row, col) shows, or -1 outside.
  int64_t source(uint32_t row, uint32_t col) const {
    const double x = (col + 0.5) * step_ - half_, y = (row + 0.5) * step_ - half_;
    double ex, ey;
    elastic(x, y, &ex, &ey);
    const double sx = a_[0] * x + a_[1] * y + ex + half_;
    const double sy = a_[2] * x + a_[3] * y + ey + half_;
    if (!(sx >= 0 && sy >= 0 && sx < sourceSide_ && sy < sourceSide_)) return -1;
    return static_cast<int64_t>(sy) + int64_t{sourceSide_} * static_cast<int64_t>(sx);
  }

 private:
  // Bilinear interpolation of the control-point displacements.
  void elastic(double x, double y, double* ex, double* ey) const {
    const double gx = std::clamp((x + half_) / (2 * half_) * (kGrid - 1), 0.0, kGrid - 1.0);
    const double gy = std::clamp((y + half_) / (2 * half_) * (kGrid - 1), 0.0, kGrid - 1.0);
    const int ix = std::min(static_cast<int>(gx), kGrid - 2), iy = std::min(static_cast<int>(gy), kGrid - 2);
    const double fx = gx - ix, fy = gy - iy;
    const auto at = [&](const std::array<double, kGrid * kGrid>& d) {
      const double top = d[iy * kGrid + ix] * (1 - fx) + d[iy * kGrid + ix + 1] * fx;
      const double bottom = d[(iy + 1) * kGrid + ix] * (1 - fx) + d[(iy + 1) * kGrid + ix + 1] * fx;
      return top * (1 - fy) + bottom * fy;
    };
    *ex = at(dx_);
    *ey = at(dy_);
  }

  double half_, step_;
  uint32_t sourceSide_;
  std::array<double, 4> a_{};
  std::array<double, kGrid * kGrid> dx_{}, dy_{};
};

// Flips `count` random pixels that lie on a stroke's boundary (a 4-neighbour differs).
void flipAlongStrokes(std::vector<uint8_t>& image, uint32_t side, uint32_t count, SplitMix64& random,
                      std::vector<uint32_t>& boundary) {
  boundary.clear();
  for (uint32_t c = 0; c < side; ++c) {
    for (uint32_t r = 0; r < side; ++r) {
      const uint8_t v = image[r + side * c];
      const bool edge = (r > 0 && image[r - 1 + side * c] != v) || (r + 1 < side && image[r + 1 + side * c] != v) ||
                        (c > 0 && image[r + side * (c - 1)] != v) || (c + 1 < side && image[r + side * (c + 1)] != v);
      if (edge) boundary.push_back(r + side * c);
    }
  }
  if (boundary.empty()) return;
  for (uint32_t f = 0; f < count; ++f) {
    const uint32_t p = boundary[random.below(static_cast<uint32_t>(boundary.size()))];
    image[p] ^= 1;
  }
}

// Draws one row into `emit(column)` calls, columns ascending.
class RowPainter {
 public:
  RowPainter(const SparseRows& source, const ImageSpec& spec)
      : spec_(spec), bitmaps_(sourceBitmaps(source)), sources_(source.rows()), sourceSide_(exactSide(source.n)),
        side_(exactSide(spec.neurons)) {}

  template <typename Emit>
  void paint(const RowRecipe& recipe, std::vector<uint8_t>& image, std::vector<uint32_t>& scratch, Emit emit) const {
    const uint32_t pixels = sourceSide_ * sourceSide_;
    const uint8_t* original = &bitmaps_[(recipe.row % sources_) * pixels];
    image.assign(original, original + pixels);
    SplitMix64 random(spec_.seed, recipe.row, recipe.attempt);
    AugmentStrength strength = spec_.strength;
    if (!spec_.augment) strength = {0, 0, 0, 0, 0};
    flipAlongStrokes(image, sourceSide_, strength.flips, random, scratch);
    const Warp warp(strength, sourceSide_, side_, random);
    for (uint32_t c = 0; c < side_; ++c) {
      for (uint32_t r = 0; r < side_; ++r) {
        const int64_t p = warp.source(r, c);
        if (p >= 0 && image[p]) emit(r + side_ * c);
      }
    }
  }

 private:
  const ImageSpec& spec_;
  std::vector<uint8_t> bitmaps_;
  uint64_t sources_;
  uint32_t sourceSide_, side_;
};

}  // namespace

void validateImageSpec(const ImageSpec& spec, const SparseRows& source) {
  if (exactSide(spec.neurons) == 0) {
    throwArgument("generated images need N to be a perfect square (side = sqrt(N)), not " +
                  std::to_string(spec.neurons));
  }
  if (exactSide(source.n) == 0) {
    throwArgument("the source images have N = " + std::to_string(source.n) + ", not a perfect square");
  }
  if (source.rows() == 0) throwArgument("the source images hold no rows");
}

SparseRows generateImageRows(const SparseRows& source, const ImageSpec& spec, const std::vector<RowRecipe>& recipes) {
  validateImageSpec(spec, source);
  const RowPainter painter(source, spec);
  const int threads = spec.threads > 0 ? spec.threads : omp_get_max_threads();
  const auto rows = static_cast<int64_t>(recipes.size());

  SparseRows out;
  out.n = spec.neurons;
  out.rowptr.assign(recipes.size() + 1, 0);
  // Two passes (count, then fill) so no row needs its own allocation.
#pragma omp parallel num_threads(threads)
  {
    std::vector<uint8_t> image;
    std::vector<uint32_t> scratch;
#pragma omp for schedule(dynamic, 64)
    for (int64_t t = 0; t < rows; ++t) {
      uint64_t count = 0;
      painter.paint(recipes[t], image, scratch, [&](uint32_t) { ++count; });
      out.rowptr[t + 1] = count;
    }
#pragma omp single
    {
      for (size_t t = 0; t < recipes.size(); ++t) out.rowptr[t + 1] += out.rowptr[t];
      out.cols.resize(out.rowptr.back());
      out.values.assign(out.rowptr.back(), 1.0f);
      out.unitValues = true;
    }
#pragma omp for schedule(dynamic, 64)
    for (int64_t t = 0; t < rows; ++t) {
      uint32_t* cols = &out.cols[out.rowptr[t]];
      painter.paint(recipes[t], image, scratch, [&](uint32_t col) { *cols++ = col; });
    }
  }
  if (out.n <= 65536) out.narrowCols = narrowColumns(out.cols);  // the compact form an upload sends
  return out;
}

SparseRows generateImages(const SparseRows& source, const ImageSpec& spec) {
  std::vector<RowRecipe> recipes(spec.rows);
  for (uint64_t t = 0; t < spec.rows; ++t) recipes[t].row = t;
  return generateImageRows(source, spec, recipes);
}

}  // namespace snig
