// NativeEngine: an engine built for one model (CPU, or CUDA with the model uploaded), inferring
// row ranges off the main thread with progress callbacks and cancellation.
#include "engine_object.hpp"

#include <atomic>
#include <optional>

#include "../cuda/cuda_engine.hpp"
#include "async.hpp"
#include "inputs_object.hpp"
#include "instance_data.hpp"
#include "model_object.hpp"
#include "options.hpp"
#include "registry.hpp"
#include "unwrap.hpp"

namespace snig::addon {
namespace {

// A cancellation flag shared between JS and running work.
class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "CancelToken", {InstanceMethod<&CancelToken::cancel>("cancel")});
  }
  explicit CancelToken(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelToken>(info) {}

  std::shared_ptr<std::atomic<bool>> flag = std::make_shared<std::atomic<bool>>(false);

 private:
  void cancel(const Napi::CallbackInfo&) { flag->store(true); }
};

// Releases a thread-safe function when the work that uses it ends, however it ends.
struct ProgressSink {
  std::optional<Napi::ThreadSafeFunction> fn;
  ~ProgressSink() {
    if (fn) fn->Release();
  }
};

class EngineObject : public Napi::ObjectWrap<EngineObject> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeEngine",
                       {InstanceMethod<&EngineObject::infer>("infer"),
                        InstanceMethod<&EngineObject::close>("close")});
  }
  explicit EngineObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineObject>(info) {}

  std::shared_ptr<Engine> engine;  // shared with running work, so close() never frees it under a job

 private:
  Napi::Value infer(const Napi::CallbackInfo& info);
  void close(const Napi::CallbackInfo&) { engine.reset(); }
};

Napi::Value convertResult(Napi::Env env, InferResult& r) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Float64Array categories = Napi::Float64Array::New(env, r.categories.size());
  for (size_t k = 0; k < r.categories.size(); ++k) categories[k] = static_cast<double>(r.categories[k]);
  out.Set("categories", categories);
  if (!r.rowSums.empty()) {
    Napi::Float64Array sums = Napi::Float64Array::New(env, r.rowSums.size());
    std::copy(r.rowSums.begin(), r.rowSums.end(), sums.Data());
    out.Set("rowSums", sums);
  }
  if (!r.rows.empty()) {
    Napi::Float32Array rows = Napi::Float32Array::New(env, r.rows.size());
    std::copy(r.rows.begin(), r.rows.end(), rows.Data());
    out.Set("finalRows", rows);
  }
  if (!r.deathLayer.empty()) {
    Napi::Uint32Array death = Napi::Uint32Array::New(env, r.deathLayer.size());
    std::copy(r.deathLayer.begin(), r.deathLayer.end(), death.Data());
    out.Set("deathLayer", death);
    Napi::Float64Array margin = Napi::Float64Array::New(env, r.minMargin.size());
    std::copy(r.minMargin.begin(), r.minMargin.end(), margin.Data());
    out.Set("minMargin", margin);
  }
  out.Set("seconds", Napi::Number::New(env, r.seconds));
  if (r.gpuSeconds >= 0) out.Set("gpuSeconds", Napi::Number::New(env, r.gpuSeconds));
  out.Set("kernel", Napi::String::New(env, r.kernel));
  return out;
}

Napi::Value EngineObject::infer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine) throwJs(env, "E_ARGUMENT", "the engine is closed");
  std::shared_ptr<const HeldInputs> inputs = unwrapInputs(info[0]);
  const Napi::Object options = objectArg(info, 1);

  auto request = std::make_shared<InferRequest>();
  request->rowBegin = static_cast<uint64_t>(numberField(options, "rowBegin"));
  request->rowEnd = static_cast<uint64_t>(numberField(options, "rowEnd"));
  request->precision = stringField(options, "precision") == "f64" ? Precision::F64 : Precision::F32;
  request->wantRowSums = boolField(options, "rowSums");
  request->wantRows = boolField(options, "finalRows");
  request->wantTrace = boolField(options, "trace");

  std::shared_ptr<std::atomic<bool>> cancel;
  const Napi::Value token = options.Get("cancel");
  if (token.IsObject() && token.As<Napi::Object>().InstanceOf(instanceData(env).cancelToken.Value())) {
    cancel = CancelToken::Unwrap(token.As<Napi::Object>())->flag;
    request->cancel = cancel.get();
  }
  auto sink = std::make_shared<ProgressSink>();
  const Napi::Value onProgress = options.Get("onProgress");
  if (onProgress.IsFunction()) {
    sink->fn = Napi::ThreadSafeFunction::New(env, onProgress.As<Napi::Function>(), "snig-progress", 0, 1);
    Napi::ThreadSafeFunction fn = *sink->fn;
    request->onProgress = [fn](const Progress& p) mutable {
      auto* copy = new Progress(p);
      const napi_status status = fn.NonBlockingCall(copy, [](Napi::Env env, Napi::Function callback, Progress* p) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("layersDone", p->layersDone);
        o.Set("layers", p->layers);
        o.Set("liveRows", static_cast<double>(p->liveRows));
        o.Set("rowsDone", static_cast<double>(p->rowsDone));
        o.Set("rowsTotal", static_cast<double>(p->rowsTotal));
        delete p;
        callback.Call({o});
      });
      if (status != napi_ok) delete copy;
    };
  }
  std::shared_ptr<Engine> running = engine;
  return runAsync<InferResult>(
      env,
      [running, inputs, request, cancel, sink]() mutable {
        // A mapped file yields only the requested rows, numbered from 0 (compact when the engine
        // takes them): infer those, then renumber.
        const HeldInputs::Range range = inputs->range(request->rowBegin, request->rowEnd, running->readsCompactRows());
        request->rowBegin -= range.offset;
        request->rowEnd -= range.offset;
        InferResult result = running->infer(*range.rows, *request);
        for (uint64_t& row : result.categories) row += range.offset;
        request->onProgress = nullptr;
        sink.reset();  // release the progress callback from the worker thread, once no longer called
        return result;
      },
      convertResult);
}

Napi::Value createEngine(const Napi::CallbackInfo& info) {
  std::shared_ptr<Model> model = unwrapModel(info[0]);
  const Napi::Object options = objectArg(info, 1);
  const std::string engine = requiredString(options, "engine");
  const int threads = static_cast<int>(requiredNumber(options, "threads"));
  CudaOptions cuda;
  cuda.kernel = requiredString(options, "kernel");
  cuda.weights = requiredString(options, "weights");
  cuda.batchRows = static_cast<uint64_t>(requiredNumber(options, "batchRows"));
  const Napi::Value gpus = options.Get("gpus");
  if (!gpus.IsArray()) throw Napi::TypeError::New(info.Env(), "option \"gpus\" is missing or not an array");
  const auto list = gpus.As<Napi::Array>();
  for (uint32_t k = 0; k < list.Length(); ++k) cuda.gpus.push_back(list.Get(k).As<Napi::Number>().Int32Value());
  return runAsync<std::shared_ptr<Engine>>(
      info.Env(),
      [=]() -> std::shared_ptr<Engine> {
        if (engine == "cuda") return makeCudaEngine(model, cuda);
        return makeCpuEngine(model, threads);
      },
      [](Napi::Env env, std::shared_ptr<Engine>& engine) -> Napi::Value {
        Napi::Object object = instanceData(env).engine.New({});
        EngineObject::Unwrap(object)->engine = std::move(engine);
        return object;
      });
}

}  // namespace

std::shared_ptr<Engine> unwrapEngine(Napi::Value value) {
  return unwrapHeld(value, instanceData(value.Env()).engine, &EngineObject::engine, "NativeEngine", "the engine is closed");
}

void registerEngine(Napi::Env env, Napi::Object exports) {
  InstanceData& data = instanceData(env);
  data.engine = Napi::Persistent(EngineObject::define(env));
  data.cancelToken = Napi::Persistent(CancelToken::define(env));
  exports.Set("createEngine", Napi::Function::New<createEngine>(env, "createEngine"));
  exports.Set("CancelToken", data.cancelToken.Value());
}

}  // namespace snig::addon
