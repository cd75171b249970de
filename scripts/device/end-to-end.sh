#!/usr/bin/env bash
# ONE call on the GPU machine for issue 13 (what a user waits for): builds snig-bench, then for each
# benchmark times one infer call (wall, inputs in host memory, upload included) next to the GPU's
# event-timed compute, with the fast kernel, checked against the CPU engine on a sample
# (check-sample.sh); with the inputs where they were generated (pageable), then placed in
# page-locked memory (pinned: Engine::placeInputs, timed once; --memory pageable or pinned for one).
# Prints the load lines (model, inputs, engine ready) and a short table last (also kept in
# $OUT/table.txt as it grows, should the call be cut short); full logs under $OUT. First, the
# upload's other paths, with the fast, general and snig kernels (the first checked, the others
# agreeing with it): the official sample with values other than 1 against the CPU engine on every
# row (also snig data parallel and partitioned on --gpus 0,0), fresh random rows of a random network
# (a new seed per call) against the CPU engine on every row (then from page-locked memory, each
# kernel agreeing with them), and, with --binary FILE (the sample converted by `snig convert
# --inputs`), binary inputs against the official truth; with --binary-values FILE (the values file
# below, converted), binary inputs with stored values against the CPU engine. --random "NxL ..."
# times auto, snig and general on random networks (issue 12's comparison; "" for none). With --start
# NxL, the engine start of that network twice, on 1000 rows: reducing it (and saving the reduction in
# the cache), then reading the reduction back. With --files "NxL ...", last, user-wait.sh: the
# benchmarks from files, TSV (--tsv "NxL ...") and binary: load, engine start, upload and compute
# (and `snig infer` from process start with --node NxL). SNIG_BENCH_DIR=dir: the snig-bench in dir
# instead of building it.
#
#   scripts/device/end-to-end.sh [--only "1024x120 4096x120 16384x120 65536x120"] [--repeat 5] [--binary FILE]
#                                [--memory pageable,pinned] [--binary-values FILE] [--random "1024x120 4096x120"] [--start 65536x1920]
#                                [--files "NxL ..." [--tsv "NxL ..."] [--node NxL]]
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/common.sh
source scripts/device/check-sample.sh

ONLY="1024x120 4096x120 16384x120 65536x120"
REPEAT=5
MEMORY=pageable,pinned
RANDOM_NETS="1024x120 4096x120"
BINARY=""
BINARY_VALUES=""
START_BENCH=""
FILES=""
TSV=""
NODE=""
parse_options "--start START_BENCH --files FILES --tsv TSV --node NODE --binary BINARY --binary-values BINARY_VALUES
               --only ONLY --random RANDOM_NETS --repeat REPEAT --memory MEMORY" "$@"
LOG=${OUT:-/tmp}
START=$(date +%s)
say "machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(nproc) CPUs"

BUILD=${SNIG_BENCH_DIR:-build/device}
if [ -z "${SNIG_BENCH_DIR:-}" ]; then
  if ! build_bench "$BUILD" >"$LOG/build.log" 2>&1; then
    grep -E "error" "$LOG/build.log" | head -20; say "BUILD FAILED"; exit 1
  fi
  say "built"
fi

# Runs snig-bench with the given options into $LOG/<name>.out; prints its RESULT lines (or its tail).
checked() {
  local name=$1; shift
  "$BUILD/snig-bench" "$@" >"$LOG/$name.out" 2>&1
  local status=$?
  say "$name (exit $status):"
  grep '^RESULT' "$LOG/$name.out" | sed 's/^/  /' || tail -3 "$LOG/$name.out"
}
official=(--model data/hpec-1024/neuron1024 --warmup 0 --repeat 1)
zcat data/hpec-1024/sparse-images-1024-first1200.tsv.gz | awk -F'\t' '{ printf "%s\t%s\t%g\n", $1, $2, 0.5 + ($1 + $2) % 3 * 0.5 }' \
  >"$LOG/values.tsv"
checked values "${official[@]}" --input "$LOG/values.tsv" --kernel fast,general,snig --check cpu
checked values-two-gpus "${official[@]}" --input "$LOG/values.tsv" --kernel snig --gpus 0,0 --check cpu
checked values-partitioned "${official[@]}" --input "$LOG/values.tsv" --kernel snig --weights partitioned --gpus 0,0 --check cpu
checked random-rows --generate 1024 --layers 120 --structure random --random-weights mixed --rows 6000 --seed "$((START % 100000))" \
  --kernel general,snig,fast --input-memory pageable,pinned --check cpu --warmup 0 --repeat 1
if [ -n "$BINARY" ]; then
  checked binary "${official[@]}" --input "$BINARY" --kernel fast,general,snig --truth data/hpec-1024/first1200-l120-categories.tsv
fi
if [ -n "$BINARY_VALUES" ]; then
  checked binary-values "${official[@]}" --input "$BINARY_VALUES" --kernel fast,general,snig --check cpu
fi

if [ -n "$START_BENCH" ]; then
  export SNIG_REDUCTION_CACHE=/tmp/snig-reduced
  rm -rf "$SNIG_REDUCTION_CACHE"
  for pass in reduce cached; do
    "$BUILD/snig-bench" --generate "${START_BENCH%x*}" --layers "${START_BENCH#*x}" --rows 1000 --kernel fast --check none \
      --warmup 0 --repeat 1 >"$LOG/start-$pass.out" 2>&1
    say "$START_BENCH engine start ($pass): $(grep -E '^engine: .* ready' "$LOG/start-$pass.out" || tail -2 "$LOG/start-$pass.out")"
  done
fi

table=()
keep() { table+=("$1"); echo "$1" >>"$LOG/table.txt"; }
for b in $RANDOM_NETS; do
  n=${b%x*}; l=${b#*x}
  checked "random-$b" --generate "$n" --layers "$l" --structure random --kernel auto,snig,general --check sample --sample 300 \
    --warmup 1 --repeat "$REPEAT"
  while read -r line; do
    ms=$(sed -n 's/.* ms=\([0-9.]*\).*/\1/p' <<<"$line"); gpu=$(sed -n 's/.* gpu_ms=\([0-9.]*\).*/\1/p' <<<"$line")
    kernel=$(sed -n 's/.* kernel=\([a-z]*\).*/\1/p' <<<"$line")
    keep "$(printf '%-12s %-8s %10s %10s %8s %s' "random-$b" pageable "$ms" "$gpu" "$kernel" "$(awk '{print $NF}' <<<"$line")")"
  done < <(grep '^RESULT' "$LOG/random-$b.out")
done
for b in $ONLY; do
  n=${b%x*}; l=${b#*x}
  "$BUILD/snig-bench" --generate "$n" --layers "$l" --kernel fast --input-memory "$MEMORY" --check sample --sample "$(check_sample "$n" "$l")" \
    --warmup 1 --repeat "$REPEAT" >"$LOG/$b.out" 2>"$LOG/$b.err"
  status=$?
  grep -E "^(model|inputs|engine|warm-up)" "$LOG/$b.err" | sed "s/^/  $b /"
  lines=$(grep '^RESULT' "$LOG/$b.out")
  say "$b exit $status:"; echo "${lines:-  no RESULT}" | sed 's/^/  /'
  # One row per RESULT line (a missing one is a FAILED row: the bench stopped before it).
  for memory in ${MEMORY//,/ }; do
    line=$(grep " inputs=$memory " <<<"$lines")
    ms=$(sed -n 's/.* ms=\([0-9.]*\).*/\1/p' <<<"$line"); gpu=$(sed -n 's/.* gpu_ms=\([0-9.]*\).*/\1/p' <<<"$line")
    verdict=$(awk '{print $NF}' <<<"$line")
    ratio=$(awk -v a="$ms" -v b="$gpu" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    keep "$(printf '%-12s %-8s %10s %10s %8s %s' "$b" "$memory" "${ms:--}" "${gpu:--}" "$ratio" "${verdict:-FAILED}")"
  done
done
echo "== one infer call (inputs in host memory) vs GPU compute: fast kernel (ratio), random networks (kernel)"
printf '%-12s %-8s %10s %10s %8s %s\n' benchmark inputs call_ms gpu_ms ratio check
printf '%s\n' "${table[@]}"
if [ -n "$FILES" ]; then
  scripts/device/user-wait.sh --bench "$BUILD/snig-bench" --only "$FILES" --tsv "$TSV" --node "$NODE" --repeat "$REPEAT"
fi
