// Owning wrappers for CUDA resources: move-only, destructors never throw, nothing leaks on error
// paths. Each remembers the device it was made on and is released there, whatever device is current
// then. A DeviceGuard makes a device current for a scope and restores the previous one.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <utility>

#include "cuda_check.hpp"

namespace snig::cuda {

inline int currentDevice() {
  int device = 0;
  SNIG_CUDA_CHECK(cudaGetDevice(&device));
  return device;
}

// Runs `release` with `device` current (for destructors: never throws, restores the current device).
template <typename Release>
void releaseOn(int device, Release release) noexcept {
  int previous = device;
  if (cudaGetDevice(&previous) != cudaSuccess || (previous != device && cudaSetDevice(device) != cudaSuccess)) {
    cudaGetLastError();  // clear it: the release below still runs
  }
  release();
  if (previous != device) cudaSetDevice(previous);
}

template <typename Handle, typename Deleter>
class Owned {
 public:
  Owned() = default;
  explicit Owned(Handle handle) : handle_(handle) {
    if (cudaGetDevice(&device_) != cudaSuccess) cudaGetLastError();  // owned even then: must not leak
  }
  ~Owned() { reset(); }
  Owned(Owned&& other) noexcept : handle_(std::exchange(other.handle_, Handle{})), device_(other.device_) {}
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, Handle{});
      device_ = other.device_;
    }
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;

  Handle get() const { return handle_; }
  explicit operator bool() const { return handle_ != Handle{}; }
  void reset() {
    if (handle_ != Handle{}) releaseOn(device_, [this] { Deleter{}(handle_); });
    handle_ = Handle{};
  }

 private:
  Handle handle_{};
  int device_ = 0;  // where the handle was made
};

struct StreamDeleter { void operator()(cudaStream_t s) const noexcept { cudaStreamDestroy(s); } };
struct EventDeleter { void operator()(cudaEvent_t e) const noexcept { cudaEventDestroy(e); } };
struct GraphDeleter { void operator()(cudaGraph_t g) const noexcept { cudaGraphDestroy(g); } };
struct GraphExecDeleter { void operator()(cudaGraphExec_t g) const noexcept { cudaGraphExecDestroy(g); } };

using Stream = Owned<cudaStream_t, StreamDeleter>;
using Event = Owned<cudaEvent_t, EventDeleter>;
using Graph = Owned<cudaGraph_t, GraphDeleter>;
using GraphExec = Owned<cudaGraphExec_t, GraphExecDeleter>;

inline Stream makeStream() {
  cudaStream_t s = nullptr;
  SNIG_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  return Stream(s);
}

inline Event makeEvent(unsigned flags = cudaEventDefault) {
  cudaEvent_t e = nullptr;
  SNIG_CUDA_CHECK(cudaEventCreateWithFlags(&e, flags));
  return Event(e);
}

// How a Buffer allocates: device memory, or page-locked host memory (for async copies that
// overlap compute).
struct DeviceMemory {
  static void* allocate(size_t bytes) {
    void* p = nullptr;
    SNIG_CUDA_CHECK(cudaMalloc(&p, bytes));
    return p;
  }
  static void release(void* p) noexcept { cudaFree(p); }
};
struct PinnedMemory {
  static void* allocate(size_t bytes) {
    void* p = nullptr;
    SNIG_CUDA_CHECK(cudaMallocHost(&p, bytes));
    return p;
  }
  static void release(void* p) noexcept { cudaFreeHost(p); }
};

// `count` elements of T in the memory `Memory` gives, on the device current when it was made.
template <typename T, typename Memory>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t count) : count_(count), device_(currentDevice()) {
    if (count) data_ = static_cast<T*>(Memory::allocate(count * sizeof(T)));
  }
  ~Buffer() { release(); }
  Buffer(Buffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), count_(std::exchange(o.count_, 0)), device_(o.device_) {}
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      count_ = std::exchange(o.count_, 0);
      device_ = o.device_;
    }
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  T* get() const { return data_; }
  size_t size() const { return count_; }
  size_t bytes() const { return count_ * sizeof(T); }

 private:
  void release() noexcept {
    if (data_) releaseOn(device_, [this] { Memory::release(data_); });
  }

  T* data_ = nullptr;
  size_t count_ = 0;
  int device_ = 0;  // where it was allocated
};

// Grows `buffer` to hold at least `count` elements; its contents are not kept.
template <typename T, typename Memory>
void reserve(Buffer<T, Memory>& buffer, size_t count) {
  if (buffer.size() < count) buffer = Buffer<T, Memory>(count);
}

template <typename T>
using DeviceBuffer = Buffer<T, DeviceMemory>;
template <typename T>
using PinnedBuffer = Buffer<T, PinnedMemory>;

// Copies `count` elements from host memory to the device, synchronously (nothing when count is 0).
template <typename T>
void copyToDevice(T* device, const T* host, size_t count) {
  if (count) SNIG_CUDA_CHECK(cudaMemcpy(device, host, count * sizeof(T), cudaMemcpyHostToDevice));
}

// Makes `device` current for the scope; restores the previous device on exit.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    SNIG_CUDA_CHECK(cudaGetDevice(&previous_));
    SNIG_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace snig::cuda
