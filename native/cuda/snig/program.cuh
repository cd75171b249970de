// SNIG's whole layer pipeline on one device for one precision: the dense double buffers with their
// section flags, the input upload (scattered chunk by chunk of rows as they arrive), and ONE CUDA
// graph holding every layer (plus, when weights are streamed, the double-buffered weight copies)
// and the final row-sum kernel. The graph is captured and instantiated once; each batch only
// refreshes its input buffer and, when the batch's row count changes, the grid size of the graph's
// kernel nodes.
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "../../core/inputs.hpp"
#include "../cuda_raii.hpp"
#include "../input_upload.hpp"
#include "device_weights.hpp"
#include "kernels.cuh"

namespace snig::cuda::sectioned {

// What a program does at its ends: the first stage scatters sparse input rows, the last one sums rows.
struct ProgramRole {
  bool scatterInput = true;
  bool sumRows = true;
};

template <typename T>
class Program {
 public:
  static constexpr unsigned kScatterThreads = 256;
  static constexpr unsigned kSumThreads = 256;

  Program(const DeviceWeights& weights, uint64_t capacity, ProgramRole role)
      : weights_(weights), capacity_(capacity), role_(role) {
    const SectionPlan& plan = weights.layout().plan;
    shape_ = LayerShape{plan.n, plan.sectionSize, plan.sections};
    stream_ = makeStream();
    copyStream_ = makeStream();
    for (Event* e : {&start_, &stop_, &fork_, &copyDone_[0], &copyDone_[1], &kernelDone_[0], &kernelDone_[1]}) {
      *e = makeEvent();
    }
    const uint64_t cells = capacity * plan.n;
    const uint64_t flagCells = capacity * plan.sections;
    for (int b = 0; b < 2; ++b) {
      y_[b] = DeviceBuffer<T>(cells);
      flags_[b] = DeviceBuffer<uint8_t>(flagCells);
      // Zero once: from here on the flags say which sections may be nonzero.
      SNIG_CUDA_CHECK(cudaMemsetAsync(y_[b].get(), 0, y_[b].bytes(), stream_.get()));
      SNIG_CUDA_CHECK(cudaMemsetAsync(flags_[b].get(), 0, flagCells, stream_.get()));
    }
    sums_ = DeviceBuffer<double>(capacity);
    hostSums_ = PinnedBuffer<double>(capacity);
    const uint64_t smem = uint64_t{plan.sectionSize} * sizeof(T);
    SNIG_CUDA_CHECK(cudaFuncSetAttribute(detail::layerKernel<T, true>, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
    SNIG_CUDA_CHECK(cudaFuncSetAttribute(detail::layerKernel<T, false>, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
    SNIG_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
    capture();
  }

  uint64_t capacity() const { return capacity_; }
  cudaStream_t stream() const { return stream_.get(); }
  const LayerShape& shape() const { return shape_; }
  T* inputY() const { return y_[0].get(); }
  uint8_t* inputFlags() const { return flags_[0].get(); }
  T* outputY() const { return y_[layers() % 2].get(); }
  uint8_t* outputFlags() const { return flags_[layers() % 2].get(); }
  // Row sums of the last batch (valid after the batch's stream work completes; sumRows role only).
  const double* hostRowSums() const { return hostSums_.get(); }

  // Uploads rows [begin, end) of the inputs in chunks and scatters each chunk into the input buffer
  // as it arrives (scatterInput role); the timing starts with the first chunk on the device.
  void enqueueInput(const SparseRows& inputs, uint64_t begin, uint64_t end) {
    if (end == begin) return;
    cudaStream_t s = stream_.get();
    uploader_.upload(inputs, begin, end, s, [&](uint32_t rowBegin, uint32_t rowEnd, cudaStream_t chunkStream) {
      if (rowBegin == 0) SNIG_CUDA_CHECK(cudaEventRecord(start_.get(), chunkStream));
      detail::scatterKernel<T><<<rowEnd - rowBegin, kScatterThreads, shape_.sections, chunkStream>>>(
          uploader_.rowptr(), rowBegin, uploader_.cols(), uploader_.values(), y_[0].get(), flags_[0].get(), shape_);
      SNIG_CUDA_CHECK_LAUNCH();
    });
  }

  // Launches the graph over the first `rows` rows of the buffers.
  void enqueueLayers(uint64_t rows) {
    if (rows == 0) return;
    if (rows != graphRows_) resize(rows);
    SNIG_CUDA_CHECK(cudaGraphLaunch(exec_.get(), stream_.get()));
  }

  // Waits for the stream and returns the milliseconds since the batch's first chunk arrived.
  double finish() {
    SNIG_CUDA_CHECK(cudaEventRecord(stop_.get(), stream_.get()));
    SNIG_CUDA_CHECK(cudaEventSynchronize(stop_.get()));
    float ms = 0;
    SNIG_CUDA_CHECK(cudaEventElapsedTime(&ms, start_.get(), stop_.get()));
    return ms;
  }

  // The first `rows` final rows, as floats (after finish()).
  void copyOutputRows(uint64_t rows, std::vector<float>& out) const {
    std::vector<T> dense(rows * shape_.n);
    SNIG_CUDA_CHECK(cudaMemcpy(dense.data(), outputY(), dense.size() * sizeof(T), cudaMemcpyDeviceToHost));
    out.insert(out.end(), dense.begin(), dense.end());
  }

 private:
  uint32_t layers() const { return static_cast<uint32_t>(weights_.layout().layers.size()); }

  LayerWeights layerWeights(const SectionedLayer& layer, const uint8_t* base) const {
    LayerWeights w;
    w.ptr = reinterpret_cast<const uint32_t*>(base);
    w.idx = reinterpret_cast<const uint16_t*>(base + layer.idxOffset);
    w.val = layer.uniform ? nullptr : reinterpret_cast<const float*>(base + layer.valOffset);
    w.val64 = layer.val64Offset ? reinterpret_cast<const double*>(base + layer.val64Offset) : nullptr;
    w.bias = layer.biasOffset ? reinterpret_cast<const double*>(base + layer.biasOffset) : nullptr;
    w.uniform = layer.uniformValue;
    return w;
  }

  // Records the whole pipeline once, for `capacity_` rows.
  void capture() {
    const SectionedLayout& layout = weights_.layout();
    cudaStream_t s = stream_.get();
    cudaStream_t c = copyStream_.get();
    const dim3 block(LayerPolicy::kEdgeThreads, layout.plan.blockThreads / LayerPolicy::kEdgeThreads);
    const dim3 grid(shape_.sections, static_cast<unsigned>(capacity_));
    const size_t smem = size_t{shape_.sectionSize} * sizeof(T);
    SNIG_CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
    try {
      if (weights_.streamed) {
        SNIG_CUDA_CHECK(cudaEventRecord(fork_.get(), s));
        SNIG_CUDA_CHECK(cudaStreamWaitEvent(c, fork_.get(), 0));
      }
      for (uint32_t l = 0; l < layers(); ++l) {
        const SectionedLayer& layer = layout.layers[l];
        const uint8_t* base = nullptr;
        if (weights_.streamed) {
          const int slot = l % 2;
          // Refill a slot only once the layer two back, which read it, is done.
          if (l >= 2) SNIG_CUDA_CHECK(cudaStreamWaitEvent(c, kernelDone_[slot].get(), 0));
          SNIG_CUDA_CHECK(cudaMemcpyAsync(weights_.slots[slot].get(), weights_.host->bytes.get() + layer.offset,
                                          layer.bytes, cudaMemcpyHostToDevice, c));
          SNIG_CUDA_CHECK(cudaEventRecord(copyDone_[slot].get(), c));
          SNIG_CUDA_CHECK(cudaStreamWaitEvent(s, copyDone_[slot].get(), 0));
          base = weights_.slots[slot].get();
        } else {
          base = weights_.resident.get() + layer.offset;
        }
        const LayerWeights w = layerWeights(layer, base);
        const int in = l % 2, out = (l + 1) % 2;
        if (layer.uniform) {
          detail::layerKernel<T, true><<<grid, block, smem, s>>>(y_[in].get(), flags_[in].get(), y_[out].get(),
                                                                  flags_[out].get(), w, shape_, T(layer.bias));
        } else {
          detail::layerKernel<T, false><<<grid, block, smem, s>>>(y_[in].get(), flags_[in].get(), y_[out].get(),
                                                                   flags_[out].get(), w, shape_, T(layer.bias));
        }
        SNIG_CUDA_CHECK_LAUNCH();
        if (weights_.streamed) SNIG_CUDA_CHECK(cudaEventRecord(kernelDone_[l % 2].get(), s));
      }
      if (role_.sumRows) {
        detail::rowSumKernel<T, kSumThreads><<<dim3(1, static_cast<unsigned>(capacity_)), kSumThreads, 0, s>>>(
            outputY(), outputFlags(), shape_, sums_.get());
        SNIG_CUDA_CHECK_LAUNCH();
        SNIG_CUDA_CHECK(cudaMemcpyAsync(hostSums_.get(), sums_.get(), capacity_ * sizeof(double), cudaMemcpyDeviceToHost, s));
      }
    } catch (...) {
      cudaGraph_t broken = nullptr;
      cudaStreamEndCapture(s, &broken);
      if (broken) cudaGraphDestroy(broken);
      throw;
    }
    cudaGraph_t graph = nullptr;
    SNIG_CUDA_CHECK(cudaStreamEndCapture(s, &graph));
    graph_ = Graph(graph);
    cudaGraphExec_t exec = nullptr;
    SNIG_CUDA_CHECK(cudaGraphInstantiate(&exec, graph, 0));
    exec_ = GraphExec(exec);
    graphRows_ = capacity_;
    size_t count = 0;
    SNIG_CUDA_CHECK(cudaGraphGetNodes(graph, nullptr, &count));
    std::vector<cudaGraphNode_t> nodes(count);
    SNIG_CUDA_CHECK(cudaGraphGetNodes(graph, nodes.data(), &count));
    for (cudaGraphNode_t node : nodes) {
      cudaGraphNodeType type{};
      SNIG_CUDA_CHECK(cudaGraphNodeGetType(node, &type));
      if (type == cudaGraphNodeTypeKernel) kernelNodes_.push_back(node);
    }
  }

  // Every kernel of the graph has one row of blocks (gridDim.y) per batch row: set them to `rows`.
  void resize(uint64_t rows) {
    for (cudaGraphNode_t node : kernelNodes_) {
      cudaKernelNodeParams params{};
      SNIG_CUDA_CHECK(cudaGraphKernelNodeGetParams(node, &params));
      params.gridDim.y = static_cast<unsigned>(rows);
      SNIG_CUDA_CHECK(cudaGraphExecKernelNodeSetParams(exec_.get(), node, &params));
    }
    graphRows_ = rows;
  }

  const DeviceWeights& weights_;
  uint64_t capacity_;
  ProgramRole role_;
  LayerShape shape_;
  Stream stream_, copyStream_;
  Event start_, stop_, fork_, copyDone_[2], kernelDone_[2];
  DeviceBuffer<T> y_[2];
  DeviceBuffer<uint8_t> flags_[2];
  DeviceBuffer<double> sums_;
  PinnedBuffer<double> hostSums_;
  InputUploader uploader_;
  Graph graph_;
  GraphExec exec_;
  std::vector<cudaGraphNode_t> kernelNodes_;
  uint64_t graphRows_ = 0;
};

}  // namespace snig::cuda::sectioned
