// NativeInputs: sparse input rows owned by JS; read from a file, or built from arrays received over
// the wire, and cut into arrays for sending.
#include "inputs_object.hpp"

#include "async.hpp"
#include "instance_data.hpp"
#include "options.hpp"
#include "registry.hpp"

namespace snig::addon {
namespace {

class InputsObject : public Napi::ObjectWrap<InputsObject> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeInputs",
                       {InstanceAccessor<&InputsObject::rows>("rows"),
                        InstanceAccessor<&InputsObject::neurons>("neurons"),
                        InstanceAccessor<&InputsObject::nnz>("nnz"),
                        InstanceMethod<&InputsObject::toArrays>("toArrays"),
                        InstanceMethod<&InputsObject::close>("close")});
  }

  explicit InputsObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<InputsObject>(info) {}

  std::shared_ptr<SparseRows> inputs;

 private:
  const SparseRows& get(Napi::Env env) const {
    if (!inputs) throwJs(env, "E_ARGUMENT", "the inputs are closed");
    return *inputs;
  }
  Napi::Value rows(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(get(info.Env()).rows()));
  }
  Napi::Value neurons(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), get(info.Env()).n); }
  Napi::Value nnz(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(get(info.Env()).nnz()));
  }

  Napi::Value toArrays(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const SparseRows& all = get(env);
    const auto begin = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
    const auto end = static_cast<uint64_t>(info[1].As<Napi::Number>().DoubleValue());
    if (begin > end || end > all.rows()) throwJs(env, "E_ARGUMENT", "row range outside the inputs");
    const uint64_t first = all.rowptr[begin];
    const uint64_t count = all.rowptr[end] - first;
    Napi::Float64Array rowptr = Napi::Float64Array::New(env, end - begin + 1);
    for (uint64_t r = begin; r <= end; ++r) rowptr[r - begin] = static_cast<double>(all.rowptr[r] - first);
    Napi::Uint32Array cols = Napi::Uint32Array::New(env, count);
    Napi::Float32Array values = Napi::Float32Array::New(env, count);
    std::copy_n(all.cols.data() + first, count, cols.Data());
    std::copy_n(all.values.data() + first, count, values.Data());
    Napi::Object out = Napi::Object::New(env);
    out.Set("neurons", Napi::Number::New(env, all.n));
    out.Set("rowptr", rowptr);
    out.Set("cols", cols);
    out.Set("values", values);
    return out;
  }

  void close(const Napi::CallbackInfo&) { inputs.reset(); }
};

Napi::Value readInputs(const Napi::CallbackInfo& info) {
  const Napi::Object options = objectArg(info, 0);
  const std::string path = stringField(options, "path");
  const auto n = static_cast<uint32_t>(numberField(options, "neurons"));
  const auto rows = static_cast<uint64_t>(numberField(options, "rows"));
  return runAsync<std::shared_ptr<SparseRows>>(
      info.Env(), [=] { return std::make_shared<SparseRows>(readSparseRows(path, n, rows)); },
      [](Napi::Env env, std::shared_ptr<SparseRows>& inputs) -> Napi::Value { return wrapInputs(env, inputs); });
}

// Builds inputs from arrays (as toArrays makes them), checking every offset and column.
Napi::Value inputsFromArrays(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Napi::Object arrays = objectArg(info, 0);
  if (!arrays.Get("rowptr").IsTypedArray() || !arrays.Get("cols").IsTypedArray() || !arrays.Get("values").IsTypedArray()) {
    throw Napi::TypeError::New(env, "expected { neurons, rowptr: Float64Array, cols: Uint32Array, values: Float32Array }");
  }
  const auto rowptr = arrays.Get("rowptr").As<Napi::Float64Array>();
  const auto cols = arrays.Get("cols").As<Napi::Uint32Array>();
  const auto values = arrays.Get("values").As<Napi::Float32Array>();
  auto out = std::make_shared<SparseRows>();
  out->n = static_cast<uint32_t>(numberField(arrays, "neurons"));
  if (out->n == 0 || rowptr.ElementLength() == 0 || rowptr[0] != 0 ||
      rowptr[rowptr.ElementLength() - 1] != static_cast<double>(cols.ElementLength()) ||
      cols.ElementLength() != values.ElementLength()) {
    throwJs(env, "E_FORMAT", "input arrays are inconsistent (offsets, columns and values disagree)");
  }
  out->rowptr.resize(rowptr.ElementLength());
  for (size_t r = 0; r < rowptr.ElementLength(); ++r) {
    out->rowptr[r] = static_cast<uint64_t>(rowptr[r]);
    if (r > 0 && out->rowptr[r] < out->rowptr[r - 1]) throwJs(env, "E_FORMAT", "input row offsets decrease");
  }
  out->cols.assign(cols.Data(), cols.Data() + cols.ElementLength());
  out->values.assign(values.Data(), values.Data() + values.ElementLength());
  for (size_t r = 0; r + 1 < out->rowptr.size(); ++r) {
    for (uint64_t k = out->rowptr[r]; k < out->rowptr[r + 1]; ++k) {
      if (out->cols[k] >= out->n || (k > out->rowptr[r] && out->cols[k] <= out->cols[k - 1])) {
        throwJs(env, "E_FORMAT", "input row " + std::to_string(r + 1) + ": columns out of range or not ascending");
      }
    }
  }
  return wrapInputs(env, out);
}

}  // namespace

Napi::Object wrapInputs(Napi::Env env, std::shared_ptr<SparseRows> inputs) {
  Napi::Object object = instanceData(env).inputs.New({});
  InputsObject::Unwrap(object)->inputs = std::move(inputs);
  return object;
}

std::shared_ptr<SparseRows> unwrapInputs(Napi::Value value) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(instanceData(env).inputs.Value())) {
    throw Napi::TypeError::New(env, "expected NativeInputs");
  }
  std::shared_ptr<SparseRows> inputs = InputsObject::Unwrap(value.As<Napi::Object>())->inputs;
  if (!inputs) throwJs(env, "E_ARGUMENT", "the inputs are closed");
  return inputs;
}

void registerInputs(Napi::Env env, Napi::Object exports) {
  instanceData(env).inputs = Napi::Persistent(InputsObject::define(env));
  exports.Set("readInputs", Napi::Function::New<readInputs>(env, "readInputs"));
  exports.Set("inputsFromArrays", Napi::Function::New<inputsFromArrays>(env, "inputsFromArrays"));
}

}  // namespace snig::addon
