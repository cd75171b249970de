#!/usr/bin/env bash
# Builds fast-bench without CMake (for the GPU machine, whose CMake may not configure CUDA):
#   native/cuda/fast/bench/build.sh <output binary> [jobs]
set -euo pipefail
out=${1:?output binary}
jobs=${2:-8}
native=$(cd "$(dirname "$0")/../../.." && pwd)
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
# FAST_BUILD_DIR keeps the objects (rebuilding only what changed); else a temporary directory.
if [[ -n "${FAST_BUILD_DIR:-}" ]]; then
  work=$FAST_BUILD_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
cxxflags=(-std=c++20 -O3 -fopenmp -ffp-contract=off -I"$native" -DSNIG_VERSION='"bench"' -Wall -Wextra -Werror -Wno-restrict -Wno-psabi)
objects=()
for src in "$native"/core/*.cpp "$native"/core/*/*.cpp "$native"/cuda/fast/bench/fast_bench.cpp; do
  obj="$work/$(echo "${src#"$native"/}" | tr / _).o"
  objects+=("$obj")
  [[ "$obj" -nt "$src" ]] && continue
  echo "g++ -c ${src#"$native"/}"
  g++ "${cxxflags[@]}" -c "$src" -o "$obj" &
  while (( $(jobs -r | wc -l) >= jobs )); do wait -n; done
done
for src in "$native"/cuda/fast/*.cu; do
  obj="$work/$(basename "$src").o"
  objects+=("$obj")
  [[ "$obj" -nt "$src" && "$obj" -nt "$native/cuda/fast/fast_kernels.cuh" ]] && continue
  "$nvcc" -std=c++20 -O3 -arch=sm_90 -lineinfo -I"$native" --Werror all-warnings -Xcompiler=-Wall,-Wextra,-Werror -c "$src" -o "$obj" &
done
wait
# Static C++ runtime, OpenMP and zlib: the binary runs on a machine that lacks them.
"$nvcc" -arch=sm_90 "${objects[@]}" -o "$out" -Xcompiler=-static-libstdc++,-static-libgcc \
  "$(g++ -print-file-name=libgomp.a)" "$(g++ -print-file-name=libz.a)" -lpthread -ldl
echo "built $out"
