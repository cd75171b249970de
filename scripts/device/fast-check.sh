#!/usr/bin/env bash
# ONE call on the GPU machine for the fast path (issue 4): every CUDA kernel against the CPU engine on
# networks that are not RadiX-Nets, through node (fallback-check.mjs; the models come from
# make-fallback-models.ts and travel in .device/fallback), then `snig-bench fast-table` on the challenge
# benchmarks (generated there, checked against float64 truth), its rows printed as they come.
#
#   scripts/device/fast-check.sh [--sizes 1024,4096,16384,65536] [--layers 120,480,1920] [--repeat 5]
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/common.sh

SIZES=1024,4096,16384,65536
LAYERS=120,480,1920
REPEAT=5
parse_options "--sizes SIZES --layers LAYERS --repeat REPEAT" "$@"
LOG=${OUT:-/tmp}
echo "machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(nproc) CPUs"

# 1. The fallback check, through node and the carried addon.
source scripts/device/node-env.sh
models=/tmp/fallback
mkdir -p "$models"
for f in .device/fallback/*.snig.xz; do xz -dc "$f" > "$models/$(basename "${f%.xz}")"; done
node scripts/device/fallback-check.mjs /tmp/runtime/dist data/hpec-1024/sparse-images-1024-first1200.tsv.gz "$models"/*.snig \
  >"$LOG/fallback.txt" 2>&1
fallback=$?

# 2. snig-bench's fast-table mode on the challenge benchmarks (the same cmake build as run.sh).
BUILD=build/device
build_bench "$BUILD" >"$LOG/fast-build.log" 2>&1 || { tail -20 "$LOG/fast-build.log"; exit 1; }
echo "== fallback check (exit $fallback)"; cat "$LOG/fallback.txt"
echo "== snig-bench fast-table"
stdbuf -oL "$BUILD/snig-bench" fast-table data/hpec-1024 --sizes "$SIZES" --layers "$LAYERS" --repeat "$REPEAT" --truth-max-n 65536 \
  2>"$LOG/fast-table.err" | tee "$LOG/fast-table.txt"
bench=${PIPESTATUS[0]}
echo "fast-table exit $bench"; tail -3 "$LOG/fast-table.err"
[ "$fallback" = 0 ] && [ "$bench" = 0 ]
