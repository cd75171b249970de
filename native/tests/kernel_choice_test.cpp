// Checks which kernel and weight placement the CUDA engine picks (native/cuda/kernel_choice), the
// host side of its options: "auto" against what the build and the model allow, refusals with
// E_ARGUMENT, and float64 requests routed to SNIG's pipelines. Prints one line per check; exits
// non-zero on any failure. Needs no GPU.
#include <cstdio>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "cuda/kernel_choice.hpp"
#include "test_support.hpp"

namespace {

using namespace snig;
using namespace snig::cuda;
using testing::check;

// The E_ARGUMENT message of `work`, or "" when it does not throw one.
std::string refusal(const std::function<void()>& work) {
  try {
    work();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Argument) return e.what();
  }
  return "";
}

void kernels() {
  check(resolveKernel("auto", true, false) == "fast", "auto: the fast kernel where it is built and applies");
  check(resolveKernel("auto", false, false) == "snig", "auto: SNIG's in a build without the fast kernel");
  check(resolveKernel("auto", true, true) == "snig", "auto: SNIG's for per-neuron biases");
  check(resolveKernel("snig", true, false) == "snig" && resolveKernel("fast", true, false) == "fast", "named kernels as given");
  check(refusal([] { resolveKernel("fast", false, false); }).find("not part of this build") != std::string::npos,
        "fast in a build without it: refused");
  check(refusal([] { resolveKernel("cusparse", true, false); }).find("expected auto, snig or fast") != std::string::npos,
        "an unknown kernel: refused, naming the valid ones");
}

void weights() {
  check(resolveWeights("auto", "fast") == WeightMode::Auto, "auto weights: Auto");
  check(resolveWeights("resident", "snig") == WeightMode::Resident, "resident");
  check(resolveWeights("streamed", "fast") == WeightMode::Streamed, "streamed");
  check(resolveWeights("partitioned", "snig") == WeightMode::Auto, "partitioned (the engine's decision): Auto per pipeline");
  check(refusal([] { resolveWeights("partitioned", "fast"); }).find("SNIG's") != std::string::npos,
        "partitioned with the fast kernel: refused");
  check(refusal([] { resolveWeights("pinned", "snig"); }).find("expected auto, resident, streamed or partitioned") != std::string::npos,
        "an unknown placement: refused, naming the valid ones");
}

void fallback() {
  check(runsOnSnig("auto", "fast", Precision::F64), "auto chose fast: float64 runs on SNIG's");
  check(!runsOnSnig("auto", "fast", Precision::F32), "auto chose fast: float32 stays on fast");
  check(!runsOnSnig("fast", "fast", Precision::F64), "fast asked for by name: no rerouting");
  check(!runsOnSnig("auto", "snig", Precision::F64), "auto chose SNIG's: nothing to reroute");
}

}  // namespace

int main() {
  kernels();
  weights();
  fallback();
  std::printf("%s\n", testing::failures ? "FAILED" : "PASSED");
  return testing::failures ? 1 : 0;
}
