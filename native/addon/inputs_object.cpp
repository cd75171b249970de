// NativeInputs: sparse input rows owned by JS; read from a file (TSV parsed into memory, or a
// binary input file mapped and read range by range), or built from arrays received over the wire,
// and cut into compact arrays for sending.
#include "inputs_object.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "async.hpp"
#include "instance_data.hpp"
#include "options.hpp"
#include "registry.hpp"
#include "unwrap.hpp"

namespace snig::addon {

HeldInputs::Range HeldInputs::range(uint64_t begin, uint64_t end, bool compact) const {
  if (file_) return {std::make_shared<const SparseRows>(file_->read(begin, end, compact)), begin};
  if (begin > end || end > rows()) throwArgument("row range outside the inputs");
  if (begin < offset_ || end > offset_ + rows_->rows()) {
    throwArgument("rows " + std::to_string(begin + 1) + ".." + std::to_string(end) + " are not among the placed rows " +
                  std::to_string(offset_ + 1) + ".." + std::to_string(offset_ + rows_->rows()));
  }
  if (rows_->compact() && !compact) throwArgument("these inputs are placed for the CUDA engine, which alone reads them");
  return {rows_, offset_};
}

namespace {

class InputsObject : public Napi::ObjectWrap<InputsObject> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeInputs",
                       {InstanceAccessor<&InputsObject::rows>("rows"),
                        InstanceAccessor<&InputsObject::neurons>("neurons"),
                        InstanceAccessor<&InputsObject::nnz>("nnz"),
                        InstanceAccessor<&InputsObject::bytesRead>("bytesRead"),
                        InstanceAccessor<&InputsObject::mapped>("mapped"),
                        InstanceMethod<&InputsObject::toArrays>("toArrays"),
                        InstanceMethod<&InputsObject::close>("close")});
  }

  explicit InputsObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<InputsObject>(info) {}

  std::shared_ptr<const HeldInputs> inputs;

 private:
  const HeldInputs& get(Napi::Env env) const {
    if (!inputs) throwJs(env, "E_ARGUMENT", "the inputs are closed");
    return *inputs;
  }
  Napi::Value rows(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(get(info.Env()).rows()));
  }
  Napi::Value neurons(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), get(info.Env()).n()); }
  Napi::Value nnz(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(get(info.Env()).nnz()));
  }
  Napi::Value mapped(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), get(info.Env()).mapped()); }
  Napi::Value bytesRead(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(get(info.Env()).bytesRead()));
  }

  // Rows [begin, end) for the wire: 16-bit columns up to N = 65536, values only when some is not 1.
  Napi::Value toArrays(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const HeldInputs& held = get(env);
    const auto begin = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
    const auto end = static_cast<uint64_t>(info[1].As<Napi::Number>().DoubleValue());
    const HeldInputs::Range range = translateErrors(env, [&] { return held.range(begin, end, true); });
    const SparseRows& all = *range.rows;
    if (all.compact() && !all.narrowCols) throwJs(env, "E_ARGUMENT", "placed inputs are not sent (send the inputs they came from)");
    const uint64_t from = begin - range.offset;
    const uint64_t to = end - range.offset;
    const uint64_t first = all.rowptr[from];
    const uint64_t count = all.rowptr[to] - first;
    Napi::Float64Array rowptr = Napi::Float64Array::New(env, to - from + 1);
    for (uint64_t r = from; r <= to; ++r) rowptr[r - from] = static_cast<double>(all.rowptr[r] - first);
    Napi::Object out = Napi::Object::New(env);
    out.Set("neurons", Napi::Number::New(env, all.n));
    out.Set("rowptr", rowptr);
    if (all.n <= 65536) {
      Napi::Uint16Array narrow = Napi::Uint16Array::New(env, count);
      if (all.narrowCols) {
        std::copy_n(all.narrowCols.get() + first, count, narrow.Data());
      } else {
        std::copy_n(all.cols.begin() + static_cast<ptrdiff_t>(first), count, narrow.Data());
      }
      out.Set("cols", narrow);
    } else {
      Napi::Uint32Array wide = Napi::Uint32Array::New(env, count);
      std::copy_n(all.cols.begin() + static_cast<ptrdiff_t>(first), count, wide.Data());
      out.Set("cols", wide);
    }
    const float* values = all.unitValues ? nullptr : all.values.data() + first;  // compact rows of 1s have none
    if (values && !std::all_of(values, values + count, [](float v) { return v == 1.0f; })) {
      Napi::Float32Array stored = Napi::Float32Array::New(env, count);
      std::copy_n(values, count, stored.Data());
      out.Set("values", stored);
    }
    return out;
  }

  void close(const Napi::CallbackInfo&) { inputs.reset(); }
};

uint64_t fileBytes(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
}

// A binary input file is mapped (its rows are read when used); a TSV file is parsed into memory.
std::shared_ptr<const HeldInputs> openInputs(const std::string& path, uint32_t n, uint64_t rows) {
  if (!isRowFile(path)) {
    return std::make_shared<const HeldInputs>(std::make_shared<const SparseRows>(readSparseRows(path, n, rows)), fileBytes(path));
  }
  return std::make_shared<const HeldInputs>(openRowFile(path, n, rows));
}

Napi::Value readInputs(const Napi::CallbackInfo& info) {
  const Napi::Object options = objectArg(info, 0);
  const std::string path = stringField(options, "path");
  const auto n = static_cast<uint32_t>(numberField(options, "neurons"));
  const auto rows = static_cast<uint64_t>(numberField(options, "rows"));
  return runAsync<std::shared_ptr<const HeldInputs>>(
      info.Env(), [=] { return openInputs(path, n, rows); },
      [](Napi::Env env, std::shared_ptr<const HeldInputs>& inputs) -> Napi::Value { return wrapInputs(env, inputs); });
}

// Builds inputs from arrays (as toArrays makes them), checking every offset and column.
Napi::Value inputsFromArrays(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Napi::Object arrays = objectArg(info, 0);
  const Napi::Value colsValue = arrays.Get("cols");
  const Napi::Value valuesValue = arrays.Get("values");
  const bool narrow = colsValue.IsTypedArray() && colsValue.As<Napi::TypedArray>().TypedArrayType() == napi_uint16_array;
  const bool wide = colsValue.IsTypedArray() && colsValue.As<Napi::TypedArray>().TypedArrayType() == napi_uint32_array;
  const bool hasValues = !valuesValue.IsUndefined();
  if (!arrays.Get("rowptr").IsTypedArray() || !(narrow || wide) ||
      (hasValues && !(valuesValue.IsTypedArray() && valuesValue.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array))) {
    throw Napi::TypeError::New(env, "expected { neurons, rowptr: Float64Array, cols: Uint16Array | Uint32Array, values?: Float32Array }");
  }
  const auto rowptr = arrays.Get("rowptr").As<Napi::Float64Array>();
  auto out = std::make_shared<SparseRows>();
  if (narrow) {
    const auto cols = colsValue.As<Napi::Uint16Array>();
    out->cols.assign(cols.Data(), cols.Data() + cols.ElementLength());
    auto narrowCopy = std::make_shared<std::vector<uint16_t>>(cols.Data(), cols.Data() + cols.ElementLength());
    out->narrowCols = std::shared_ptr<const uint16_t>(narrowCopy, narrowCopy->data());  // what an upload sends
  } else {
    const auto cols = colsValue.As<Napi::Uint32Array>();
    out->cols.assign(cols.Data(), cols.Data() + cols.ElementLength());
  }
  if (hasValues) {
    const auto values = valuesValue.As<Napi::Float32Array>();
    out->values.assign(values.Data(), values.Data() + values.ElementLength());
  } else {
    out->values.assign(out->cols.size(), 1.0f);
    out->unitValues = true;
  }
  out->n = static_cast<uint32_t>(numberField(arrays, "neurons"));
  if (out->n == 0 || rowptr.ElementLength() == 0 || rowptr[0] != 0 ||
      rowptr[rowptr.ElementLength() - 1] != static_cast<double>(out->cols.size()) || out->cols.size() != out->values.size()) {
    throwJs(env, "E_FORMAT", "input arrays are inconsistent (offsets, columns and values disagree)");
  }
  out->rowptr.resize(rowptr.ElementLength());
  for (size_t r = 0; r < rowptr.ElementLength(); ++r) {
    out->rowptr[r] = static_cast<uint64_t>(rowptr[r]);
    if (r > 0 && out->rowptr[r] < out->rowptr[r - 1]) throwJs(env, "E_FORMAT", "input row offsets decrease");
  }
  for (size_t r = 0; r + 1 < out->rowptr.size(); ++r) {
    for (uint64_t k = out->rowptr[r]; k < out->rowptr[r + 1]; ++k) {
      if (out->cols[k] >= out->n || (k > out->rowptr[r] && out->cols[k] <= out->cols[k - 1])) {
        throwJs(env, "E_FORMAT", "input row " + std::to_string(r + 1) + ": columns out of range or not ascending");
      }
    }
  }
  return wrapInputs(env, std::shared_ptr<const SparseRows>(std::move(out)));
}

}  // namespace

Napi::Object wrapInputs(Napi::Env env, std::shared_ptr<const HeldInputs> inputs) {
  Napi::Object object = instanceData(env).inputs.New({});
  InputsObject::Unwrap(object)->inputs = std::move(inputs);
  return object;
}

Napi::Object wrapInputs(Napi::Env env, std::shared_ptr<const SparseRows> rows) {
  return wrapInputs(env, std::make_shared<const HeldInputs>(std::move(rows), 0));
}

std::shared_ptr<const HeldInputs> unwrapInputs(Napi::Value value) {
  return unwrapHeld(value, instanceData(value.Env()).inputs, &InputsObject::inputs, "NativeInputs", "the inputs are closed");
}

void registerInputs(Napi::Env env, Napi::Object exports) {
  instanceData(env).inputs = Napi::Persistent(InputsObject::define(env));
  exports.Set("readInputs", Napi::Function::New<readInputs>(env, "readInputs"));
  exports.Set("inputsFromArrays", Napi::Function::New<inputsFromArrays>(env, "inputsFromArrays"));
}

}  // namespace snig::addon
