#include "kernel_choice.hpp"

#include "../core/error.hpp"

namespace snig::cuda {

std::string resolveKernel(const std::string& kernel, bool fastBuilt, bool biasVectors) {
  if (kernel == "auto") return fastBuilt && !biasVectors ? "fast" : "snig";
  if (kernel == "snig") return kernel;
  if (kernel == "fast") {
    if (!fastBuilt) throw Error(ErrorCode::Argument, "the \"fast\" CUDA kernel is not part of this build");
    return kernel;
  }
  throw Error(ErrorCode::Argument, "unknown CUDA kernel \"" + kernel + "\" (expected auto, snig or fast)");
}

WeightMode resolveWeights(const std::string& weights, const std::string& kernel) {
  if (weights == "partitioned" && kernel != "snig") {
    throw Error(ErrorCode::Argument, "partitioning the layers across GPUs is SNIG's (use --kernel snig)");
  }
  if (weights == "auto" || weights == "partitioned") return WeightMode::Auto;
  if (weights == "resident") return WeightMode::Resident;
  if (weights == "streamed") return WeightMode::Streamed;
  throw Error(ErrorCode::Argument, "unknown weight placement \"" + weights +
                                       "\" (expected auto, resident, streamed or partitioned)");
}

bool runsOnSnig(const std::string& requested, const std::string& kernel, Precision precision) {
  return requested == "auto" && kernel != "snig" && precision == Precision::F64;
}

}  // namespace snig::cuda
