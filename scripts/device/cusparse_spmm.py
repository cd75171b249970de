#!/usr/bin/env python3
"""The cuSPARSE peer (issue 12): the same workload through cupyx.scipy.sparse SpMM, layer by layer.

Reads the .npy files `snig-bench --dump DIR` writes and runs, per layer, Z = W^T Y^T (CSR of W^T
times the dense live rows, transposed: cuSPARSE SpMM), then the bias on nonzero entries, ReLU and the
clamp at 32, then drops the rows that became all zero (compaction, as our kernels do: the fairest
form of this baseline). Times the whole network with CUDA events after a warm-up (median of
--repeat runs; the inputs are already on the GPU) and prints one RESULT line.

    python3 scripts/device/cusparse_spmm.py DIR [--repeat 3] [--name LABEL]
"""
import argparse
import sys

import cupy as cp
import cupyx.scipy.sparse as sp
import numpy as np


def load(d):
    a = {k: np.load(f"{d}/{k}.npy") for k in
         ("layer_nnz", "colptr", "index", "weight", "bias", "rowptr", "cols", "values")}
    layers = len(a["layer_nnz"])
    n = len(a["colptr"]) // layers - 1
    weights, biases, at = [], [], 0
    for layer in range(layers):
        nnz = int(a["layer_nnz"][layer])
        ptr = a["colptr"][layer * (n + 1):(layer + 1) * (n + 1)].astype(np.int32)
        idx = a["index"][at:at + nnz].astype(np.int32)
        w = a["weight"][at:at + nnz]
        at += nnz
        weights.append(sp.csr_matrix((cp.asarray(w), cp.asarray(idx), cp.asarray(ptr)), shape=(n, n)))
        biases.append(cp.asarray(a["bias"][layer * n:(layer + 1) * n]).reshape(n, 1))
    rows = len(a["rowptr"]) - 1
    x = sp.csr_matrix((cp.asarray(a["values"]), cp.asarray(a["cols"].astype(np.int32)),
                       cp.asarray(a["rowptr"].astype(np.int64))), shape=(rows, n))
    return n, weights, biases, x


def infer(weights, biases, y0):
    y = y0.copy()  # N x rows, dense
    live = cp.arange(y.shape[1])
    for w, b in zip(weights, biases):
        z = w @ y  # cuSPARSE SpMM
        z = cp.where(z != 0, z + b, z)
        y = cp.minimum(cp.maximum(z, 0), 32)
        keep = cp.any(y != 0, axis=0)
        y, live = y[:, keep], live[keep]
        if live.size == 0:
            break
    return live


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--name", default="")
    o = p.parse_args()
    n, weights, biases, x = load(o.dir)
    y0 = cp.ascontiguousarray(x.T.toarray())
    edges = sum(int(w.nnz) for w in weights) * x.shape[0]
    infer(weights, biases, y0)  # warm-up
    times = []
    for _ in range(o.repeat):
        start, stop = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        live = infer(weights, biases, y0)
        stop.record()
        stop.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, stop))
    ms = float(np.median(times))
    print(f"RESULT benchmark={o.name or f'n{n}-l{len(weights)}'} rows={x.shape[0]} kernel=cusparse-spmm "
          f"ms={ms:.2f} edges_per_s={edges / (ms / 1e3):.4g} categories={live.size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
