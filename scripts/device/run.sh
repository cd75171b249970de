#!/usr/bin/env bash
# The ONE command for the GPU machine (no node there): builds snig-bench with cmake, checks the CUDA
# engine (the real 1024x120 network on the 1200 real images against their truth, in every weight mode;
# a generated set against the CPU engine on every row), then times the 12 challenge benchmarks
# (N = 1024/4096/16384/65536 x L = 120/480/1920, 60000 generated rows, each checked against the CPU
# engine on a sample that includes surviving rows), cheapest first, as many as fit the time budget,
# and prints a short table last.
#
#   scripts/device/run.sh [--budget SECONDS] [--only "1024x120 4096x120"] [--kernel snig] [--scaling] [--extras]
#                         [--repeat R] [--bench-args "--blocks-per-sm 2,3 --batch 0,15000"]
#
# --only none runs the checks alone. --bench-args go to every challenge benchmark's snig-bench (with
# lists, each combination is timed on the same inputs: one result line each).
# --scaling times each benchmark on every GPU and then on GPU 0 alone (and checks the multi-GPU modes
# on the real data); --extras also times 65536x120 with streamed weights and profiles it (nsys).
# Logs go to $OUT when set.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/common.sh

BUDGET=560
ONLY=""
KERNEL=snig
SCALING=0
REPEAT=5
EXTRAS=0
BENCH_ARGS=""
parse_options "--budget BUDGET --only ONLY --kernel KERNEL --scaling SCALING=1 --repeat REPEAT --extras EXTRAS=1
               --bench-args BENCH_ARGS" "$@"
START=$(date +%s)
LOG=${OUT:-/tmp}/device-run.log
: >"$LOG"
SAY_LOG=$LOG

say "machine: $(nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader | tr '\n' ';') $(nproc) CPUs"
say "commit: $(git rev-parse --short HEAD 2>/dev/null || echo 'unknown (no git metadata in this copy)')"

BUILD=build/device
BENCH="$BUILD/snig-bench"
if ! build_bench "$BUILD" >>"$LOG" 2>&1; then
  grep -E "error" "$LOG" | head -20; tail -30 "$LOG"; say "BUILD FAILED"; exit 1
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
  local lines
  lines=$(timeout "$left" "$BENCH" "$@" 2>&1 | tee -a "$LOG" | tee /dev/stderr | grep '^RESULT')
  keep_results "$label" "$lines"
}

REAL=(--model data/hpec-1024/neuron1024 --input data/hpec-1024/sparse-images-1024-first1200.tsv.gz
      --truth data/hpec-1024/first1200-l120-categories.tsv --kernel "$KERNEL" --warmup 1 --repeat 3)
if [ "$SCALING" = 1 ] && [ "$GPUS" -gt 1 ]; then
  bench real-1200-partitioned "${REAL[@]}" --weights partitioned
  bench real-1200-all-gpus "${REAL[@]}"
  bench gen-1024x120-cpu-all-gpus --generate 1024 --layers 120 --rows 6000 --seed 7 --check cpu --kernel "$KERNEL" --repeat 1
  bench gen-16384x480-partitioned --generate 16384 --layers 480 --rows 60000 --seed 1 --check sample --sample 100 \
    --kernel "$KERNEL" --weights partitioned --repeat 3 --name n16384-l480-partitioned
fi
if [ "$SCALING" = 0 ]; then
  bench real-1200-resident "${REAL[@]}" --weights resident --gpus 0
  bench real-1200-streamed "${REAL[@]}" --weights streamed --gpus 0
  bench real-1200-f64 "${REAL[@]}" --f64 --gpus 0
  # "auto" picks the fast kernel when the build has it; float64 requests then go to SNIG's pipeline.
  bench real-1200-auto-f64 "${REAL[@]}" --kernel auto --f64 --gpus 0
  # Multi-GPU paths; on a one-GPU machine, two pipelines on GPU 0 exercise the same code.
  MULTI=(); [ "$GPUS" -eq 1 ] && MULTI=(--gpus 0,0)
  bench real-1200-partitioned "${REAL[@]}" --weights partitioned "${MULTI[@]}"
  bench real-1200-data-parallel "${REAL[@]}" "${MULTI[@]}"
  bench gen-1024x120-cpu-all-data-parallel --generate 1024 --layers 120 --rows 6000 --seed 7 --check cpu \
    --kernel "$KERNEL" --repeat 1 "${MULTI[@]}"
  bench gen-1024x120-cpu-all --generate 1024 --layers 120 --rows 6000 --seed 7 --check cpu --kernel "$KERNEL" --gpus 0 --repeat 1
fi
if [ "$EXTRAS" = 1 ]; then
  # The same 65536-neuron benchmark with its weights streamed from pinned host memory, and where the
  # time goes (kernels vs copies; Nsight Systems when the machine has it).
  bench n65536-l120-streamed --generate 65536 --layers 120 --rows 60000 --seed 1 --check sample --sample 100 \
    --kernel "$KERNEL" --weights streamed --gpus 0 --repeat 3 --name n65536-l120-streamed
  NSYS=$(command -v nsys || ls /usr/local/cuda/bin/nsys /opt/nvidia/nsight-systems/*/bin/nsys 2>/dev/null | head -1)
  if [ -n "$NSYS" ]; then
    say "== profile n65536-l120 with $NSYS"
    timeout 120 "$NSYS" profile -o "${OUT:-/tmp}/n65536-l120" --force-overwrite true --cuda-graph-trace=node \
      --stats=true "$BENCH" --generate 65536 --layers 120 --rows 60000 --seed 1 --kernel "$KERNEL" --gpus 0 \
      --warmup 1 --repeat 1 2>&1 | grep -E -A12 "cuda_gpu_kern_sum|cuda_gpu_mem_time_sum" | tee -a "$LOG" | cut -c1-220
    rm -f "${OUT:-/tmp}"/n65536-l120.sqlite
  else
    say "no nsys on this machine: no profile"
  fi
fi

# The 12 challenge benchmarks, cheapest first (cost ~ N x L), largest last; a run that outlasts the
# budget is stopped and the rest are reported as skipped.
ORDER="1024x120 1024x480 4096x120 1024x1920 4096x480 16384x120 4096x1920 16384x480 65536x120 16384x1920 65536x480 65536x1920"
for b in $ORDER; do
  if [ -n "$ONLY" ] && [[ " $ONLY " != *" $b "* ]]; then continue; fi
  n=${b%x*}; l=${b#*x}
  sample=400; [ "$n" -ge 16384 ] && sample=200
  # shellcheck disable=SC2206 # word splitting of --bench-args is intended
  common=(--generate "$n" --layers "$l" --rows 60000 --seed 1 --check sample --sample "$sample" --kernel "$KERNEL" --repeat "$REPEAT" $BENCH_ARGS)
  if [ "$SCALING" = 1 ]; then
    bench "n$n-l$l" "${common[@]}" --also-gpus 0  # every GPU, then GPU 0 alone, same inputs
  else
    bench "n$n-l$l" "${common[@]}" --gpus 0
  fi
done

say "done in $(elapsed)s"
echo
echo "label | benchmark rows gpus batch bps(blocks per SM, 0: default) ms gpu_ms edges/s categories verdict"
for r in "${RESULTS[@]}"; do echo "$r"; done | sed 's/benchmark=//; s/ rows=/ | rows=/' | tee -a "$LOG"
