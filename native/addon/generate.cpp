// Generator exports: RadiX-Net and random models, the survival bias, augmented images, robust truth
// and the f32/f64 row verdicts (native/core/generator/). Options arrive validated from
// common/generate.ts.
#include "../core/generator/radixnet.hpp"
#include "../core/generator/random_net.hpp"
#include "../core/generator/robust_truth.hpp"
#include "async.hpp"
#include "inputs_object.hpp"
#include "model_object.hpp"
#include "options.hpp"
#include "registry.hpp"

namespace snig::addon {
namespace {

int threadsOf(const Napi::Object& options) { return static_cast<int>(numberField(options, "threads")); }

ImageSpec imageSpecOf(const Napi::Object& options) {
  ImageSpec spec;
  spec.neurons = static_cast<uint32_t>(numberField(options, "neurons"));
  spec.rows = static_cast<uint64_t>(numberField(options, "rows"));
  spec.seed = static_cast<uint64_t>(numberField(options, "seed"));
  spec.augment = boolField(options, "augment");
  spec.threads = threadsOf(options);
  return spec;
}

template <typename Element, typename Vector>
Napi::TypedArrayOf<Element> typedArray(Napi::Env env, const Vector& values) {
  auto out = Napi::TypedArrayOf<Element>::New(env, values.size());
  for (size_t k = 0; k < values.size(); ++k) out[k] = static_cast<Element>(values[k]);
  return out;
}

RandomNetSpec randomSpecOf(const Napi::Object& options) {
  RandomNetSpec spec;
  spec.neurons = static_cast<uint32_t>(numberField(options, "neurons"));
  spec.layers = static_cast<uint32_t>(numberField(options, "layers"));
  spec.fanInMin = static_cast<uint32_t>(numberField(options, "fanInMin"));
  spec.fanInMax = static_cast<uint32_t>(numberField(options, "fanInMax"));
  spec.weights = parseRandomWeights(stringField(options, "weights"));
  spec.bias = static_cast<float>(numberField(options, "bias"));
  spec.seed = static_cast<uint64_t>(numberField(options, "seed"));
  spec.threads = threadsOf(options);
  return spec;
}

// generateModel({structure?, neurons, layers, bias, seed, threads, fanInMin?, fanInMax?, weights?})
//   -> Promise<NativeModel>: a RadiX-Net, or with structure "random" a network without structure.
Napi::Value generateModelJs(const Napi::CallbackInfo& info) {
  const Napi::Object options = objectArg(info, 0);
  if (stringField(options, "structure", "radix") == "random") {
    const RandomNetSpec random = randomSpecOf(options);
    return runAsync<std::shared_ptr<Model>>(
        info.Env(), [=] { return std::make_shared<Model>(generateRandomNet(random)); },
        [](Napi::Env env, std::shared_ptr<Model>& model) -> Napi::Value { return wrapModel(env, model); });
  }
  RadixNetSpec spec;
  spec.neurons = static_cast<uint32_t>(numberField(options, "neurons"));
  spec.layers = static_cast<uint32_t>(numberField(options, "layers"));
  spec.bias = numberField(options, "bias");
  spec.seed = static_cast<uint64_t>(numberField(options, "seed"));
  spec.threads = threadsOf(options);
  return runAsync<std::shared_ptr<Model>>(
      info.Env(), [=] { return std::make_shared<Model>(generateRadixNet(spec)); },
      [](Napi::Env env, std::shared_ptr<Model>& model) -> Napi::Value { return wrapModel(env, model); });
}

// generateInputs(source, {neurons, rows, seed, augment, threads}) -> Promise<NativeInputs>
Napi::Value generateInputsJs(const Napi::CallbackInfo& info) {
  std::shared_ptr<const HeldInputs> source = unwrapInputs(info[0]);
  const ImageSpec spec = imageSpecOf(objectArg(info, 1));
  return runAsync<std::shared_ptr<const SparseRows>>(
      info.Env(), [=] { return std::make_shared<const SparseRows>(generateImages(*source->all(), spec)); },
      [](Napi::Env env, std::shared_ptr<const SparseRows>& rows) -> Napi::Value { return wrapInputs(env, rows); });
}

// generateRobustInputs(model, source, {neurons, rows, seed, augment, threads, tolerance, maxAttempts})
//   -> Promise<{inputs, categories, deathLayer, replacedRows, redraws, rounds}>
Napi::Value generateRobustInputsJs(const Napi::CallbackInfo& info) {
  std::shared_ptr<Model> model = unwrapModel(info[0]);
  std::shared_ptr<const HeldInputs> source = unwrapInputs(info[1]);
  const Napi::Object options = objectArg(info, 2);
  const ImageSpec spec = imageSpecOf(options);
  TruthSpec truth;
  truth.tolerance = requiredNumber(options, "tolerance");
  truth.maxAttempts = static_cast<uint32_t>(requiredNumber(options, "maxAttempts"));
  return runAsync<std::shared_ptr<RobustImages>>(
      info.Env(),
      [=] {
        auto engine = makeCpuEngine(model, spec.threads);
        return std::make_shared<RobustImages>(generateRobustImages(*engine, *source->all(), spec, truth));
      },
      [](Napi::Env env, std::shared_ptr<RobustImages>& set) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("inputs", wrapInputs(env, std::make_shared<const SparseRows>(std::move(set->inputs))));
        out.Set("categories", typedArray<double>(env, set->categories));
        out.Set("deathLayer", typedArray<uint32_t>(env, set->deathLayer));
        out.Set("replacedRows", Napi::Number::New(env, static_cast<double>(set->replacedRows)));
        out.Set("redraws", Napi::Number::New(env, static_cast<double>(set->redraws)));
        out.Set("rounds", Napi::Number::New(env, set->rounds));
        return out;
      });
}

// chooseSurvivalBias(model, sample, {low, high, threads}) -> Promise<{bias, survivors, steps}>: sets
// the bisected bias on every layer of the model.
Napi::Value chooseSurvivalBiasJs(const Napi::CallbackInfo& info) {
  std::shared_ptr<Model> model = unwrapModel(info[0]);
  std::shared_ptr<const HeldInputs> sample = unwrapInputs(info[1]);
  const Napi::Object options = objectArg(info, 2);
  const double low = numberField(options, "low");
  const double high = numberField(options, "high");
  const int threads = threadsOf(options);
  return runAsync<SurvivalBias>(
      info.Env(), [=] { return chooseSurvivalBias(*model, *sample->all(), low, high, threads); },
      [](Napi::Env env, SurvivalBias& found) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("bias", Napi::Number::New(env, found.bias));
        out.Set("survivors", Napi::Number::New(env, found.survivors));
        out.Set("steps", Napi::Number::New(env, found.steps));
        return out;
      });
}

// classifyRows(model, inputs, {tolerance, threads})
//   -> Promise<{fragile, deathLayer32, deathLayer64, minMargin64, categories64}>
Napi::Value classifyRowsJs(const Napi::CallbackInfo& info) {
  std::shared_ptr<Model> model = unwrapModel(info[0]);
  std::shared_ptr<const HeldInputs> inputs = unwrapInputs(info[1]);
  const Napi::Object options = objectArg(info, 2);
  const double tolerance = requiredNumber(options, "tolerance");
  const int threads = threadsOf(options);
  return runAsync<std::shared_ptr<RowClassification>>(
      info.Env(),
      [=] {
        auto engine = makeCpuEngine(model, threads);
        return std::make_shared<RowClassification>(classifyRows(*engine, *inputs->all(), tolerance));
      },
      [](Napi::Env env, std::shared_ptr<RowClassification>& c) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("fragile", typedArray<uint8_t>(env, c->fragile));
        out.Set("deathLayer32", typedArray<uint32_t>(env, c->deathLayer32));
        out.Set("deathLayer64", typedArray<uint32_t>(env, c->deathLayer64));
        out.Set("minMargin64", typedArray<double>(env, c->minMargin64));
        out.Set("categories64", typedArray<double>(env, c->categories64));
        return out;
      });
}

}  // namespace

void registerGenerate(Napi::Env env, Napi::Object exports) {
  exports.Set("generateModel", Napi::Function::New<generateModelJs>(env, "generateModel"));
  exports.Set("generateInputs", Napi::Function::New<generateInputsJs>(env, "generateInputs"));
  exports.Set("generateRobustInputs", Napi::Function::New<generateRobustInputsJs>(env, "generateRobustInputs"));
  exports.Set("chooseSurvivalBias", Napi::Function::New<chooseSurvivalBiasJs>(env, "chooseSurvivalBias"));
  exports.Set("classifyRows", Napi::Function::New<classifyRowsJs>(env, "classifyRows"));
}

}  // namespace snig::addon
