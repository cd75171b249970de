#include "placement.hpp"

#include "../core/error.hpp"

namespace snig::cuda {

WeightMode weightModeOf(const std::string& name) {
  if (name == "auto" || name == "partitioned") return WeightMode::Auto;
  if (name == "resident") return WeightMode::Resident;
  if (name == "streamed") return WeightMode::Streamed;
  throw Error(ErrorCode::Argument, "unknown weight placement \"" + name +
                                       "\" (expected auto, resident, streamed or partitioned)");
}

WeightMode autoPlacement(uint64_t weightBytes, uint64_t reserveBytes, uint64_t freeBytes) {
  return weightBytes <= freeBytes && reserveBytes <= freeBytes - weightBytes ? WeightMode::Resident : WeightMode::Streamed;
}

bool generalLayoutFits(uint64_t layoutBytes, uint64_t freeBytes) { return layoutBytes <= freeBytes / 2; }

}  // namespace snig::cuda
