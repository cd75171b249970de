#!/usr/bin/env bash
# `npm run bench:cpu`: our CPU engine against SuiteSparse:GraphBLAS on the same inputs.
# Makes sure libgraphblas-dev is installed (installs it when running as root), builds the GraphBLAS
# program, then hands over to cpu-vs-graphblas.ts (inputs, both runs, the check, the table).
# Arguments pass through to cpu-vs-graphblas.ts (see its --help).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

bin=.cache/bench/graphblas_dnn
status=0
scripts/bench/build-graphblas.sh "$bin" || status=$?
if [[ $status -eq 3 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bench:cpu: libgraphblas-dev is needed: sudo apt-get install libgraphblas-dev" >&2
    exit 1
  fi
  echo "bench:cpu: installing libgraphblas-dev" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q libgraphblas-dev >&2 || { apt-get update -q >&2 && apt-get install -y -q libgraphblas-dev >&2; }
  scripts/bench/build-graphblas.sh "$bin"
elif [[ $status -ne 0 ]]; then
  exit "$status"
fi

exec node --import tsx scripts/bench/cpu-vs-graphblas.ts --graphblas "$bin" "$@"
