// Promise-returning asynchronous work for the addon. The work function runs on a libuv worker
// thread and touches only plain C++ data; the result is turned into JS values in OnOK, on the main
// thread. A snig::Error becomes a JS Error whose `code` is the error's code (E_FORMAT, E_CUDA, ...).
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <string>

#include "../core/error.hpp"

namespace snig::addon {

// Throws a JS Error carrying `code` (for synchronous calls).
[[noreturn]] void throwJs(Napi::Env env, const std::string& code, const std::string& message);
Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message);

// Runs `fn` and rethrows native errors as JS errors with their code.
template <typename Fn>
auto translateErrors(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error& e) {
    throwJs(env, errorCodeName(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    throwJs(env, "E_ARGUMENT", "out of memory");
  }
}

template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<Result()>;
  using Convert = std::function<Napi::Value(Napi::Env, Result&)>;

  PromiseWorker(Napi::Env env, Work work, Convert convert)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)), convert_(std::move(convert)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      result_ = std::make_unique<Result>(work_());
    } catch (const Error& e) {
      code_ = errorCodeName(e.code());
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "E_ARGUMENT";
      SetError("out of memory");
    } catch (const std::exception& e) {
      code_ = "E_INTERNAL";
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    try {
      deferred_.Resolve(convert_(env, *result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

  void OnError(const Napi::Error& error) override {
    deferred_.Reject(makeError(Env(), code_, error.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Work work_;
  Convert convert_;
  std::unique_ptr<Result> result_;
  std::string code_ = "E_INTERNAL";
};

// Queues `work` and returns its promise; `convert` builds the JS value from the result.
template <typename Result>
Napi::Promise runAsync(Napi::Env env, std::function<Result()> work,
                       std::function<Napi::Value(Napi::Env, Result&)> convert) {
  auto* worker = new PromiseWorker<Result>(env, std::move(work), std::move(convert));
  Napi::Promise promise = worker->promise();
  worker->Queue();  // the worker deletes itself when done
  return promise;
}

// Queues `work`, which returns nothing; its promise resolves to undefined.
inline Napi::Promise runAsyncVoid(Napi::Env env, std::function<void()> work) {
  struct Done {};
  return runAsync<Done>(
      env,
      [work = std::move(work)] {
        work();
        return Done{};
      },
      [](Napi::Env e, Done&) -> Napi::Value { return e.Undefined(); });
}

}  // namespace snig::addon
