#!/usr/bin/env bash
# Fallback build of snig-bench (core + SNIG's CUDA pipeline + bench, no other kernels), used by
# run.sh when the cmake build of the whole native/ tree fails. Usage: build-snig-only.sh OUTDIR
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1
mkdir -p "$out/obj"
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
version=$(node -p 'require("./package.json").version' 2>/dev/null || sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' package.json | head -1)
cxxflags=(-std=c++20 -O3 -fopenmp -Inative "-DSNIG_VERSION=\"$version\"")
objs=()
pids=()
for f in native/core/*.cpp native/core/*/*.cpp native/bench/*.cpp native/cuda/snig/*.cpp; do
  o="$out/obj/$(echo "$f" | tr / _).o"; objs+=("$o")
  g++ "${cxxflags[@]}" -ffp-contract=off -c "$f" -o "$o" &
  pids+=($!)
done
for f in native/cuda/cuda_engine.cu native/cuda/snig/*.cu; do
  o="$out/obj/$(echo "$f" | tr / _).o"; objs+=("$o")
  "$nvcc" -std=c++20 -O3 -arch=sm_${CUDA_ARCH:-90} -DSNIG_WITHOUT_FAST -Inative "-DSNIG_VERSION=\"$version\"" -c "$f" -o "$o" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
g++ -fopenmp -o "$out/snig-bench" "${objs[@]}" -L/usr/local/cuda/lib64 -lcudart_static -lz -ldl -lrt -lpthread
