// The CPU engine: the correctness reference, kept simple, and fast.
//
// Rows are processed in chunks that fit a memory budget; inside a chunk, rows are packed in tiles of
// kLanes rows stored lane-interleaved (value of neuron i for the tile's rows is one contiguous
// vector), so each weight is applied to a whole tile with one SIMD multiply-add. Each output neuron
// sums its inputs in the stored order (ascending input index) with separate multiply and add, so
// results are reproducible on any CPU. As in the challenge's reference (Y = Z + logical(Z).*b), the
// bias is added only to the nonzero entries of Y·W, so a row that became all zero stays zero
// whatever the later biases, and leaves the chunk (row compaction). The float64 path reads the exact
// weights and biases (LayerView::weight64, biasOf); the float32 path their floats.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "engine.hpp"
#include "error.hpp"

namespace snig {
namespace {

constexpr uint64_t kChunkBudgetBytes = uint64_t{256} << 20;  // both activation buffers of a chunk
constexpr uint32_t kMinOutputsPerItem = 128;                 // smallest slice of outputs one task takes

template <typename Real>
constexpr int kLanes = 64 / sizeof(Real);  // one 64-byte vector of rows

// Per task, per lane: was any output positive, and the largest pre-activation seen.
template <typename Real>
struct LaneStats {
  bool alive[kLanes<Real>];
  Real maxZ[kLanes<Real>];
};

// A tile's worth of lanes as one GCC vector (64 bytes: one AVX-512 register, two AVX2 registers).
template <typename Real>
struct LanesOf;
template <>
struct LanesOf<float> {
  typedef float type __attribute__((vector_size(64)));
};
template <>
struct LanesOf<double> {
  typedef double type __attribute__((vector_size(64)));
};
template <typename Real>
using Lanes = typename LanesOf<Real>::type;

// One layer for outputs [j0, j1) of one tile: the hot loop, specialised on the index width and on
// the weights' storage (`Weight` values, or none when Uniform). Each output adds its terms in stored
// order (so results do not depend on the CPU); kGroup outputs advance together so that their
// independent chains of additions overlap instead of waiting on each other's latency.
template <typename Real, typename Index, bool Uniform, typename Weight>
[[gnu::always_inline]] inline void layerSlice(const LayerView& layer, const Index* index, const Weight* values,
                                              const Real* in, Real* out, uint32_t j0, uint32_t j1,
                                              LaneStats<Real>* stats) {
  using V = Lanes<Real>;
  constexpr int L = kLanes<Real>;
  constexpr uint32_t kGroup = 4;
  const Real uniform = static_cast<Real>(layer.uniformValue);
  const uint32_t* colptr = layer.colptr;
  V maxZ = V{} - std::numeric_limits<Real>::infinity();
  V positive = V{};  // lanes where some output was > 0 (as 0/1)
  const auto addTerm = [&](V& acc, uint64_t k) {
    const Real w = Uniform ? uniform : static_cast<Real>(values[k]);
    V x;
    std::memcpy(&x, in + uint64_t{index[k]} * L, sizeof x);  // an unaligned vector load
    acc += w * x;
  };
  for (uint32_t j = j0; j < j1; j += kGroup) {
    const uint32_t count = std::min(kGroup, j1 - j);
    V acc[kGroup] = {};
    uint64_t k[kGroup];
    uint64_t end[kGroup];
    uint64_t common = UINT64_MAX;
    for (uint32_t g = 0; g < kGroup; ++g) {
      k[g] = g < count ? colptr[j + g] : 0;
      end[g] = g < count ? colptr[j + g + 1] : 0;
      common = std::min(common, end[g] - k[g]);
    }
    for (uint64_t step = 0; step < common; ++step) {
      for (uint32_t g = 0; g < kGroup; ++g) addTerm(acc[g], k[g] + step);
    }
    for (uint32_t g = 0; g < count; ++g) {
      for (uint64_t kk = k[g] + common; kk < end[g]; ++kk) addTerm(acc[g], kk);
      // The bias reaches only the nonzero sums; a zero sum stays 0 and sets no margin.
      const V z = acc[g] + static_cast<Real>(layer.biasOf(j + g));
      const V reached = acc[g] != Real(0) ? z : V{} - std::numeric_limits<Real>::infinity();
      maxZ = reached > maxZ ? reached : maxZ;
      V v = reached > Real(0) ? reached : V{};
      v = v < Real(kClamp) ? v : V{} + Real(kClamp);
      positive = v > Real(0) ? V{} + Real(1) : positive;
      std::memcpy(out + uint64_t{j + g} * L, &v, sizeof v);
    }
  }
  for (int t = 0; t < L; ++t) {
    stats->alive[t] = positive[t] != Real(0);
    stats->maxZ[t] = maxZ[t];
  }
}

template <typename Real, typename Index>
[[gnu::always_inline]] inline void layerSliceOf(const LayerView& layer, const Index* index, const Real* in, Real* out,
                                                uint32_t j0, uint32_t j1, LaneStats<Real>* stats) {
  if (layer.uniform()) {
    layerSlice<Real, Index, true, float>(layer, index, nullptr, in, out, j0, j1, stats);
  } else if (std::is_same_v<Real, double> && layer.values64) {
    layerSlice<Real, Index, false, double>(layer, index, layer.values64, in, out, j0, j1, stats);
  } else {
    layerSlice<Real, Index, false, float>(layer, index, layer.values, in, out, j0, j1, stats);
  }
}

template <typename Real>
[[gnu::always_inline]] inline void layerSliceAny(const LayerView& layer, const Real* in, Real* out, uint32_t j0,
                                                 uint32_t j1, LaneStats<Real>* stats) {
  if (layer.index16) layerSliceOf<Real>(layer, layer.index16, in, out, j0, j1, stats);
  else layerSliceOf<Real>(layer, layer.index32, in, out, j0, j1, stats);
}

// Compiled for several instruction sets; the loader picks the best the CPU has.
[[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
void layerSliceF32(const LayerView& layer, const float* in, float* out, uint32_t j0, uint32_t j1,
                   LaneStats<float>* stats) {
  layerSliceAny<float>(layer, in, out, j0, j1, stats);
}

[[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
void layerSliceF64(const LayerView& layer, const double* in, double* out, uint32_t j0, uint32_t j1,
                   LaneStats<double>* stats) {
  layerSliceAny<double>(layer, in, out, j0, j1, stats);
}

inline void runSlice(const LayerView& layer, const float* in, float* out, uint32_t j0, uint32_t j1,
                     LaneStats<float>* stats) {
  layerSliceF32(layer, in, out, j0, j1, stats);
}
inline void runSlice(const LayerView& layer, const double* in, double* out, uint32_t j0, uint32_t j1,
                     LaneStats<double>* stats) {
  layerSliceF64(layer, in, out, j0, j1, stats);
}

template <typename Real>
class ChunkRunner {
 public:
  static constexpr int L = kLanes<Real>;

  ChunkRunner(const Model& model, const SparseRows& inputs, const InferRequest& request, int threads,
              InferResult* result)
      : model_(model), inputs_(inputs), request_(request), threads_(threads), result_(result), n_(model.neurons()) {}

  // Rows [begin, end) of the inputs (global indices); `offset` is begin's index within the request.
  void run(uint64_t begin, uint64_t end) {
    rows_.clear();
    for (uint64_t r = begin; r < end; ++r) rows_.push_back(r);
    const uint64_t tiles = tileCount();
    in_.assign(tiles * n_ * L, Real(0));
    out_.assign(tiles * n_ * L, Real(0));
    for (uint64_t s = 0; s < rows_.size(); ++s) {
      Real* base = in_.data() + (s / L) * n_ * L + s % L;
      for (uint64_t k = inputs_.rowptr[rows_[s]]; k < inputs_.rowptr[rows_[s] + 1]; ++k) {
        base[uint64_t{inputs_.cols[k]} * L] = static_cast<Real>(inputs_.values[k]);
      }
    }
    for (uint32_t l = 0; l < model_.layerCount() && !rows_.empty(); ++l) {
      throwIfCancelled(request_);
      runLayer(model_.layer(l), l);
      std::swap(in_, out_);
      report(l + 1, false);
    }
    finish();
    rowsDone_ += end - begin;
    report(model_.layerCount(), true);
  }

 private:
  uint64_t tileCount() const { return (rows_.size() + L - 1) / L; }

  void runLayer(const LayerView& layer, uint32_t l) {
    const uint64_t tiles = tileCount();
    // Split outputs so that every thread has work even when few tiles are left.
    const uint64_t wanted = std::max<uint64_t>(1, (uint64_t(threads_) * 4 + tiles - 1) / tiles);
    const uint32_t slices = static_cast<uint32_t>(std::min<uint64_t>(wanted, std::max<uint32_t>(1, n_ / kMinOutputsPerItem)));
    const uint32_t width = (n_ + slices - 1) / slices;
    stats_.resize(tiles * slices);
    const int64_t items = static_cast<int64_t>(tiles * slices);
#pragma omp parallel for num_threads(threads_) schedule(dynamic, 1)
    for (int64_t item = 0; item < items; ++item) {
      const uint64_t tile = static_cast<uint64_t>(item) / slices;
      const uint32_t slice = static_cast<uint32_t>(static_cast<uint64_t>(item) % slices);
      const uint32_t j0 = std::min(n_, slice * width);
      const uint32_t j1 = std::min(n_, j0 + width);
      runSlice(layer, in_.data() + tile * n_ * L, out_.data() + tile * n_ * L, j0, j1, &stats_[static_cast<size_t>(item)]);
    }
    // Liveness and margins per row, then drop the rows that died.
    std::vector<uint64_t> survivors;
    std::vector<uint64_t> slots;
    for (uint64_t s = 0; s < rows_.size(); ++s) {
      bool alive = false;
      Real maxZ = -std::numeric_limits<Real>::infinity();
      for (uint32_t slice = 0; slice < slices; ++slice) {
        const LaneStats<Real>& st = stats_[(s / L) * slices + slice];
        alive = alive || st.alive[s % L];
        maxZ = std::max(maxZ, st.maxZ[s % L]);
      }
      const uint64_t r = rows_[s] - request_.rowBegin;
      if (request_.wantTrace) {
        result_->minMargin[r] = std::min(result_->minMargin[r], std::abs(static_cast<double>(maxZ)));
        if (!alive && result_->deathLayer[r] == 0) result_->deathLayer[r] = l + 1;
      }
      if (alive) {
        survivors.push_back(rows_[s]);
        slots.push_back(s);
      }
    }
    if (survivors.size() != rows_.size()) compact(survivors, slots);
  }

  // Moves the surviving rows (by slot in the output buffer) to the front, densely packed.
  void compact(std::vector<uint64_t>& survivors, const std::vector<uint64_t>& slots) {
    const uint64_t tiles = (survivors.size() + L - 1) / L;
    std::fill(in_.begin(), in_.begin() + static_cast<ptrdiff_t>(tiles * n_ * L), Real(0));
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int64_t d = 0; d < static_cast<int64_t>(slots.size()); ++d) {
      const uint64_t s = slots[static_cast<size_t>(d)];
      const Real* src = out_.data() + (s / L) * n_ * L + s % L;
      Real* dst = in_.data() + (uint64_t(d) / L) * n_ * L + uint64_t(d) % L;
      for (uint32_t j = 0; j < n_; ++j) dst[uint64_t{j} * L] = src[uint64_t{j} * L];
    }
    // The compacted rows are in `in_`; swap so that the caller's swap leaves them there.
    std::swap(in_, out_);
    rows_ = std::move(survivors);
  }

  void finish() {
    for (uint64_t s = 0; s < rows_.size(); ++s) {
      const Real* src = in_.data() + (s / L) * n_ * L + s % L;
      const uint64_t r = rows_[s] - request_.rowBegin;
      double sum = 0;
      bool nonzero = false;
      for (uint32_t j = 0; j < n_; ++j) {
        const Real v = src[uint64_t{j} * L];
        sum += static_cast<double>(v);
        nonzero = nonzero || v != Real(0);
        if (request_.wantRows) result_->rows[r * n_ + j] = static_cast<float>(v);
      }
      if (nonzero) result_->categories.push_back(rows_[s] + 1);
      if (request_.wantRowSums) result_->rowSums[r] = sum;
    }
  }

  void report(uint32_t layersDone, bool chunkDone) {
    if (!request_.onProgress) return;
    Progress p;
    p.layersDone = layersDone;
    p.layers = model_.layerCount();
    p.liveRows = chunkDone ? 0 : rows_.size();
    p.rowsDone = rowsDone_;
    p.rowsTotal = request_.rowEnd - request_.rowBegin;
    request_.onProgress(p);
  }

  const Model& model_;
  const SparseRows& inputs_;
  const InferRequest& request_;
  const int threads_;
  InferResult* result_;
  const uint32_t n_;
  std::vector<uint64_t> rows_;  // global row of each slot
  std::vector<Real> in_;
  std::vector<Real> out_;
  std::vector<LaneStats<Real>> stats_;
  uint64_t rowsDone_ = 0;
};

class CpuEngine final : public Engine {
 public:
  CpuEngine(std::shared_ptr<const Model> model, int threads)
      : model_(std::move(model)), threads_(threads > 0 ? threads : omp_get_num_procs()) {
    model_->load();  // a lazily opened model's layers, read here on all cores rather than first touched in a parallel loop
  }

  std::string name() const override { return "cpu"; }

  InferResult infer(const SparseRows& inputs, const InferRequest& request) override {
    validateRequest(*model_, inputs, request);
    return request.precision == Precision::F64 ? run<double>(inputs, request) : run<float>(inputs, request);
  }

 private:
  template <typename Real>
  InferResult run(const SparseRows& inputs, const InferRequest& request) {
    const uint64_t count = request.rowEnd - request.rowBegin;
    const uint32_t n = model_->neurons();
    InferResult result;
    result.kernel = request.precision == Precision::F64 ? "cpu-tiled-f64" : "cpu-tiled-f32";
    if (request.wantRowSums) result.rowSums.assign(count, 0.0);
    if (request.wantRows) result.rows.assign(count * n, 0.0f);
    if (request.wantTrace) {
      result.deathLayer.assign(count, 0);
      result.minMargin.assign(count, std::numeric_limits<double>::infinity());
    }
    constexpr uint64_t lanes = kLanes<Real>;
    const uint64_t perChunk = std::max<uint64_t>(lanes, kChunkBudgetBytes / (2 * sizeof(Real) * n) / lanes * lanes);
    const auto start = std::chrono::steady_clock::now();
    ChunkRunner<Real> runner(*model_, inputs, request, threads_, &result);
    for (uint64_t begin = request.rowBegin; begin < request.rowEnd; begin += perChunk) {
      runner.run(begin, std::min(request.rowEnd, begin + perChunk));
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

  std::shared_ptr<const Model> model_;
  int threads_;
};

}  // namespace

std::unique_ptr<Engine> makeCpuEngine(std::shared_ptr<const Model> model, int threads) {
  return std::make_unique<CpuEngine>(std::move(model), threads);
}

}  // namespace snig
