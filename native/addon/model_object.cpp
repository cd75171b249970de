// NativeModel: a loaded model owned by JS; loadModel reads either format off the main thread.
#include "model_object.hpp"

#include <limits>

#include "../core/model_io.hpp"
#include "async.hpp"
#include "instance_data.hpp"
#include "options.hpp"
#include "registry.hpp"
#include "unwrap.hpp"

namespace snig::addon {
namespace {

class ModelObject : public Napi::ObjectWrap<ModelObject> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeModel",
                       {InstanceAccessor<&ModelObject::neurons>("neurons"),
                        InstanceAccessor<&ModelObject::layers>("layers"),
                        InstanceAccessor<&ModelObject::nnz>("nnz"),
                        InstanceAccessor<&ModelObject::indexBytes>("indexBytes"),
                        InstanceAccessor<&ModelObject::checksum>("checksum"),
                        InstanceAccessor<&ModelObject::biases>("biases"),
                        InstanceMethod<&ModelObject::close>("close")});
  }

  explicit ModelObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelObject>(info) {}

  std::shared_ptr<Model> model;

 private:
  const Model& get(Napi::Env env) const {
    if (!model) throwJs(env, "E_ARGUMENT", "the model is closed");
    return *model;
  }
  Napi::Value neurons(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), get(info.Env()).neurons()); }
  Napi::Value layers(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), get(info.Env()).layerCount()); }
  Napi::Value nnz(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(get(info.Env()).totalNnz()));
  }
  Napi::Value indexBytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), get(info.Env()).indexBytes()); }
  Napi::Value checksum(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), get(info.Env()).checksum()); }
  Napi::Value biases(const Napi::CallbackInfo& info) {
    const Model& m = get(info.Env());
    Napi::Float64Array out = Napi::Float64Array::New(info.Env(), m.layerCount());
    for (uint32_t l = 0; l < m.layerCount(); ++l) {
      const LayerInfo& layer = m.layers()[l];
      out[l] = layer.biasVector ? std::numeric_limits<double>::quiet_NaN() : layer.bias;
    }
    return out;
  }
  void close(const Napi::CallbackInfo&) { model.reset(); }  // engines keep their own reference
};

Napi::Value loadModel(const Napi::CallbackInfo& info) {
  const Napi::Object options = objectArg(info, 0);
  ModelRequest request;
  request.path = stringField(options, "path");
  request.layers = static_cast<uint32_t>(numberField(options, "layers"));
  request.threads = static_cast<int>(numberField(options, "threads"));
  request.hasBias = options.Get("bias").IsNumber();
  request.bias = numberField(options, "bias");
  request.lazy = boolField(options, "lazy");
  return runAsync<std::shared_ptr<Model>>(
      info.Env(), [request] { return std::make_shared<Model>(loadModel(request)); },
      [](Napi::Env env, std::shared_ptr<Model>& model) -> Napi::Value { return wrapModel(env, model); });
}

// isBinaryModel(path): whether the file starts with the binary model format's magic.
Napi::Value isBinaryModelJs(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "isBinaryModel(path): path must be a string");
  return Napi::Boolean::New(info.Env(), isBinaryModel(info[0].As<Napi::String>().Utf8Value()));
}

// challengeBias(neurons): the challenge's bias for N neurons, or undefined for another N.
Napi::Value challengeBiasJs(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "challengeBias(neurons): neurons must be a number");
  double bias = 0;
  if (!challengeBias(info[0].As<Napi::Number>().Uint32Value(), &bias)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), bias);
}

}  // namespace

Napi::Object wrapModel(Napi::Env env, std::shared_ptr<Model> model) {
  Napi::Object object = instanceData(env).model.New({});
  ModelObject::Unwrap(object)->model = std::move(model);
  return object;
}

std::shared_ptr<Model> unwrapModel(Napi::Value value) {
  return unwrapHeld(value, instanceData(value.Env()).model, &ModelObject::model, "a NativeModel", "the model is closed");
}

void registerModel(Napi::Env env, Napi::Object exports) {
  instanceData(env).model = Napi::Persistent(ModelObject::define(env));
  exports.Set("loadModel", Napi::Function::New<loadModel>(env, "loadModel"));
  exports.Set("isBinaryModel", Napi::Function::New<isBinaryModelJs>(env, "isBinaryModel"));
  exports.Set("challengeBias", Napi::Function::New<challengeBiasJs>(env, "challengeBias"));
}

}  // namespace snig::addon
