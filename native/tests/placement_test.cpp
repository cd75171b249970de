// Checks the CUDA engine's size-only choices (native/cuda/placement) with hand-derived values: the
// --weights names, where "auto" puts the weights at and around the free-memory boundary (no overflow
// near 2^64), and when auto's general kernel leaves room for a batch. Prints one line per check;
// exits non-zero on any failure. Needs no GPU.
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/error.hpp"
#include "cuda/placement.hpp"
#include "test_support.hpp"

namespace {

using namespace snig;
using cuda::WeightMode;
using testing::check;

void names() {
  check(cuda::weightModeOf("auto") == WeightMode::Auto, "auto places by size");
  check(cuda::weightModeOf("partitioned") == WeightMode::Auto, "partitioned places each GPU's share by size");
  check(cuda::weightModeOf("resident") == WeightMode::Resident, "resident");
  check(cuda::weightModeOf("streamed") == WeightMode::Streamed, "streamed");
  std::string message;
  try {
    cuda::weightModeOf("pinned");
  } catch (const Error& e) {
    message = e.code() == ErrorCode::Argument ? e.what() : "";
  }
  check(message.find("unknown weight placement \"pinned\"") != std::string::npos, "another name is E_ARGUMENT, named");
}

void automatic() {
  const uint64_t gb = uint64_t{1} << 30;
  check(cuda::autoPlacement(6 * gb, 4 * gb, 10 * gb) == WeightMode::Resident, "weights + reserve = free: resident");
  check(cuda::autoPlacement(6 * gb, 4 * gb + 1, 10 * gb) == WeightMode::Streamed, "one byte more: streamed");
  check(cuda::autoPlacement(11 * gb, 0, 10 * gb) == WeightMode::Streamed, "weights alone over the free memory: streamed");
  check(cuda::autoPlacement(gb, UINT64_MAX, 10 * gb) == WeightMode::Streamed, "a huge reserve does not wrap around");
  check(cuda::generalLayoutFits(5 * gb, 10 * gb), "general layout of half the free memory: fits");
  check(!cuda::generalLayoutFits(5 * gb + 1, 10 * gb), "over half: auto falls back to SNIG's pipeline");
  check(!cuda::generalLayoutFits(1, 1), "no room at all: falls back");
}

}  // namespace

int main() {
  try {
    names();
    automatic();
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
