#include "engine.hpp"

#include "error.hpp"

namespace snig {

void throwIfCancelled(const InferRequest& request) {
  if (request.cancel && request.cancel->load(std::memory_order_relaxed)) {
    throw Error(ErrorCode::Cancelled, "inference cancelled");
  }
}

void validateRequest(const Model& model, const SparseRows& inputs, const InferRequest& request, bool compactRows) {
  if (inputs.compact() && !compactRows) throwArgument("compact input rows (16-bit columns only) given to an engine that reads wide ones");
  if (inputs.n != model.neurons()) {
    throwArgument("the inputs have " + std::to_string(inputs.n) + " columns but the model has " +
                  std::to_string(model.neurons()) + " neurons");
  }
  if (request.rowBegin > request.rowEnd || request.rowEnd > inputs.rows()) {
    throwArgument("row range " + std::to_string(request.rowBegin) + ":" + std::to_string(request.rowEnd) +
                  " is outside the " + std::to_string(inputs.rows()) + " input rows");
  }
}

}  // namespace snig
