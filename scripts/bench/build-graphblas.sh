#!/usr/bin/env bash
# Builds scripts/bench/graphblas_dnn.c into the path given ($1). Exits 3, with a message, when
# SuiteSparse:GraphBLAS (Debian libgraphblas-dev) is not installed; rebuilds only when the source
# is newer than the binary.
set -euo pipefail

out="$1"
src="$(dirname "${BASH_SOURCE[0]}")/graphblas_dnn.c"

if [[ ! -f /usr/include/GraphBLAS.h && ! -f /usr/include/suitesparse/GraphBLAS.h ]]; then
  echo "build-graphblas: GraphBLAS.h not found (libgraphblas-dev is not installed)" >&2
  exit 3
fi
if [[ -x "$out" && "$out" -nt "$src" ]]; then
  exit 0
fi
mkdir -p "$(dirname "$out")"
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -I/usr/include/suitesparse \
  "$src" -o "$out.tmp" -lgraphblas -lz
mv "$out.tmp" "$out"
