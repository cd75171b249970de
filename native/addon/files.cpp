// Reading and writing files off the main thread: categories, models (binary and TSV), inputs.
#include "../core/model_io.hpp"
#include "../core/truth.hpp"
#include "async.hpp"
#include "inputs_object.hpp"
#include "model_object.hpp"
#include "options.hpp"
#include "registry.hpp"

namespace snig::addon {
namespace {

Napi::Value readCategoriesJs(const Napi::CallbackInfo& info) {
  const Napi::Object options = objectArg(info, 0);
  const std::string path = stringField(options, "path");
  const auto maxRow = static_cast<uint64_t>(numberField(options, "maxRow"));
  return runAsync<std::vector<uint64_t>>(
      info.Env(), [=] { return readCategories(path, maxRow); },
      [](Napi::Env env, std::vector<uint64_t>& rows) -> Napi::Value {
        Napi::Float64Array out = Napi::Float64Array::New(env, rows.size());
        for (size_t k = 0; k < rows.size(); ++k) out[k] = static_cast<double>(rows[k]);
        return out;
      });
}

Napi::Value writeCategoriesJs(const Napi::CallbackInfo& info) {
  const Napi::Object options = objectArg(info, 0);
  const std::string path = stringField(options, "path");
  const auto array = options.Get("rows").As<Napi::Float64Array>();
  std::vector<uint64_t> rows(array.ElementLength());
  for (size_t k = 0; k < rows.size(); ++k) rows[k] = static_cast<uint64_t>(array[k]);
  std::vector<std::string> provenance;
  const Napi::Value lines = options.Get("provenance");
  if (lines.IsArray()) {
    const auto list = lines.As<Napi::Array>();
    for (uint32_t k = 0; k < list.Length(); ++k) provenance.push_back(list.Get(k).ToString().Utf8Value());
  }
  return runAsyncVoid(info.Env(), [=] { writeCategories(rows, path, provenance); });
}

Napi::Value writeModelBinaryJs(const Napi::CallbackInfo& info) {
  std::shared_ptr<Model> model = unwrapModel(info[0]);
  const std::string path = info[1].ToString().Utf8Value();
  return runAsyncVoid(info.Env(), [=] { writeModelBinary(*model, path); });
}

Napi::Value writeModelTsvJs(const Napi::CallbackInfo& info) {
  std::shared_ptr<Model> model = unwrapModel(info[0]);
  const Napi::Object options = objectArg(info, 1);
  const std::string dir = stringField(options, "dir");
  const bool gzip = boolField(options, "gzip");
  return runAsyncVoid(info.Env(), [=] { writeModelTsv(*model, dir, gzip); });
}

// A path ending in .snigrows gets the binary input format, any other the TSV (gzipped for .gz).
Napi::Value writeInputsJs(const Napi::CallbackInfo& info) {
  std::shared_ptr<const HeldInputs> inputs = unwrapInputs(info[0]);
  const std::string path = info[1].ToString().Utf8Value();
  const bool binary = path.ends_with(".snigrows");
  return runAsyncVoid(info.Env(), [=] { binary ? writeRowFile(*inputs->all(), path) : writeSparseRows(*inputs->all(), path); });
}

}  // namespace

void registerFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("readCategories", Napi::Function::New<readCategoriesJs>(env, "readCategories"));
  exports.Set("writeCategories", Napi::Function::New<writeCategoriesJs>(env, "writeCategories"));
  exports.Set("writeModelBinary", Napi::Function::New<writeModelBinaryJs>(env, "writeModelBinary"));
  exports.Set("writeModelTsv", Napi::Function::New<writeModelTsvJs>(env, "writeModelTsv"));
  exports.Set("writeInputs", Napi::Function::New<writeInputsJs>(env, "writeInputs"));
}

}  // namespace snig::addon
