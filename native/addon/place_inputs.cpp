// placeInputs: rows of a NativeInputs held where an engine reads them fastest (Engine::placeInputs),
// once, for the calls to come. A mapped binary input file's range is read and checked, then turned
// into the placed form straight from its 16-bit columns; rows in memory from the columns they hold.
#include "async.hpp"
#include "engine_object.hpp"
#include "inputs_object.hpp"
#include "options.hpp"
#include "registry.hpp"

namespace snig::addon {
namespace {

std::shared_ptr<const HeldInputs> place(const Engine& engine, const std::shared_ptr<const HeldInputs>& inputs, uint64_t begin, uint64_t end) {
  HeldInputs::Range range = inputs->range(begin, end, engine.readsCompactRows());
  std::shared_ptr<const SparseRows> rows = std::move(range.rows);
  if (begin - range.offset != 0 || end - range.offset != rows->rows()) {  // rows in memory, a part of them
    rows = std::make_shared<const SparseRows>(rows->slice(begin - range.offset, end - range.offset));
  }
  std::shared_ptr<const SparseRows> placed = engine.placeInputs(*rows);
  return std::make_shared<const HeldInputs>(*inputs, placed ? std::move(placed) : std::move(rows), begin);
}

// placeInputs(engine, inputs, { rowBegin, rowEnd }): a new NativeInputs holding those rows.
Napi::Value placeInputsJs(const Napi::CallbackInfo& info) {
  std::shared_ptr<Engine> engine = unwrapEngine(info[0]);
  std::shared_ptr<const HeldInputs> inputs = unwrapInputs(info[1]);
  const Napi::Object options = objectArg(info, 2);
  const auto begin = static_cast<uint64_t>(numberField(options, "rowBegin"));
  const auto end = static_cast<uint64_t>(numberField(options, "rowEnd"));
  return runAsync<std::shared_ptr<const HeldInputs>>(
      info.Env(), [=] { return place(*engine, inputs, begin, end); },
      [](Napi::Env env, std::shared_ptr<const HeldInputs>& placed) -> Napi::Value { return wrapInputs(env, placed); });
}

}  // namespace

void registerPlaceInputs(Napi::Env env, Napi::Object exports) {
  exports.Set("placeInputs", Napi::Function::New<placeInputsJs>(env, "placeInputs"));
}

}  // namespace snig::addon
