#!/usr/bin/env bash
# The ONE command for the GPU machine (no node there): builds snig-bench with cmake, checks the CUDA
# engine (the real 1024x120 network on the 1200 real images against their truth, in every weight mode;
# a generated set against the CPU engine on every row), then times the 12 challenge benchmarks
# (N = 1024/4096/16384/65536 x L = 120/480/1920, 60000 generated rows, each checked against the CPU
# engine on a sample that includes surviving rows), cheapest first, as many as fit the time budget,
# and prints a short table last.
#
#   scripts/device/run.sh [--budget SECONDS] [--only "1024x120 4096x120"] [--kernel snig] [--scaling]
#
# --scaling times each benchmark on GPU 0 alone and then on every GPU. Logs go to $OUT when set.
set -uo pipefail
cd "$(dirname "$0")/../.."

BUDGET=560
ONLY=""
KERNEL=snig
SCALING=0
REPEAT=5
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) BUDGET=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --kernel) KERNEL=$2; shift 2 ;;
    --scaling) SCALING=1; shift ;;
    --repeat) REPEAT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
START=$(date +%s)
LOG=${OUT:-/tmp}/device-run.log
: >"$LOG"
elapsed() { echo $(( $(date +%s) - START )); }
say() { echo "[$(elapsed)s] $*" | tee -a "$LOG"; }

say "machine: $(nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader | tr '\n' ';') $(nproc) CPUs"
say "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git status --porcelain 2>/dev/null | grep -q . && echo ' (+ uncommitted changes)')"

# CMake older than 3.28 lacks nvcc's -std=c++20: cuda20.cmake supplies it.
BUILD=build/device
BENCH="$BUILD/snig-bench"
if ! { cmake -S native -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
         -DCMAKE_USER_MAKE_RULES_OVERRIDE_CUDA="$PWD/scripts/device/cuda20.cmake" >>"$LOG" 2>&1 &&
       cmake --build "$BUILD" -j"$(nproc)" --target snig-bench >>"$LOG" 2>&1; }; then
  grep -E "error" "$LOG" | head -20
  # Work in progress elsewhere in native/cuda/ must not cost the timing run: build the core, SNIG's
  # pipeline and the bench alone.
  say "cmake build failed; building the CUDA engine without the other kernels"
  BENCH="$BUILD-snig/snig-bench"
  if ! CUDA_ARCH=90 scripts/device/build-snig-only.sh "$BUILD-snig" >>"$LOG" 2>&1; then
    tail -30 "$LOG"; say "BUILD FAILED"; exit 1
  fi
fi
say "built $BENCH"
GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
RESULTS=()

# bench LABEL ARGS...: one snig-bench run, bounded by what is left of the budget.
bench() {
  local label=$1; shift
  local left=$(( BUDGET - $(elapsed) ))
  if [ "$left" -le 5 ]; then say "SKIPPED $label (budget spent)"; RESULTS+=("$label skipped"); return 1; fi
  say "== $label: $*"
  local line
  line=$(timeout "$left" "$BENCH" "$@" 2>&1 | tee -a "$LOG" | tee /dev/stderr | grep '^RESULT' | tail -1)
  if [ -z "$line" ]; then RESULTS+=("$label FAILED (no result; see log)"); return 1; fi
  RESULTS+=("$label ${line#RESULT }")
}

REAL=(--model data/hpec-1024/neuron1024 --inputs data/hpec-1024/sparse-images-1024-first1200.tsv.gz
      --truth data/hpec-1024/first1200-l120-categories.tsv --kernel "$KERNEL" --warmup 1 --repeat 3)
if [ "$SCALING" = 0 ]; then
  bench real-1200-resident "${REAL[@]}" --weights resident --gpus 0
  bench real-1200-streamed "${REAL[@]}" --weights streamed --gpus 0
  bench real-1200-f64 "${REAL[@]}" --f64 --gpus 0
  [ "$GPUS" -gt 1 ] && bench real-1200-partitioned "${REAL[@]}" --weights partitioned
  [ "$GPUS" -gt 1 ] && bench real-1200-all-gpus "${REAL[@]}"
  bench gen-1024x120-cpu-all --generate 1024 --layers 120 --rows 6000 --seed 7 --check cpu --kernel "$KERNEL" --gpus 0 --repeat 1
fi

# The 12 challenge benchmarks, cheapest first (cost ~ N x L), largest last; a run that outlasts the
# budget is stopped and the rest are reported as skipped.
ORDER="1024x120 1024x480 4096x120 1024x1920 4096x480 16384x120 4096x1920 16384x480 65536x120 16384x1920 65536x480 65536x1920"
for b in $ORDER; do
  if [ -n "$ONLY" ] && [[ " $ONLY " != *" $b "* ]]; then continue; fi
  n=${b%x*}; l=${b#*x}
  sample=400; [ "$n" -ge 16384 ] && sample=200
  common=(--generate "$n" --layers "$l" --rows 60000 --seed 1 --check sample --sample "$sample" --kernel "$KERNEL" --repeat "$REPEAT")
  if [ "$SCALING" = 1 ]; then
    bench "n$n-l$l-1gpu" "${common[@]}" --gpus 0 --name "n$n-l$l"
    bench "n$n-l$l-${GPUS}gpus" "${common[@]}" --name "n$n-l$l"
  else
    bench "n$n-l$l" "${common[@]}" --gpus 0
  fi
done

say "done in $(elapsed)s"
echo
echo "label | benchmark rows gpus ms gpu_ms edges/s categories verdict"
for r in "${RESULTS[@]}"; do echo "$r"; done | sed 's/benchmark=//; s/ rows=/ | rows=/' | tee -a "$LOG"
