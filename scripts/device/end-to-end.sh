#!/usr/bin/env bash
# ONE call on the GPU machine for issue 13 (what a user waits for): builds snig-bench, then for each
# benchmark times one infer call (wall, inputs in host memory, upload included) next to the GPU's
# event-timed compute, with the fast kernel, checked against the CPU engine on a sample. Prints the
# load lines (model, inputs, engine ready) and a short table last; full logs under $OUT. First, the
# upload's other paths on the official sample: values other than 1 (against the CPU engine on every
# row) and, with --binary FILE (the sample converted by `snig convert --inputs`), binary inputs
# against the official truth. With --start NxL, the engine start of that network twice, on 1000 rows:
# reducing it (and saving the reduction in the cache), then reading the reduction back. With --files
# "NxL ...", last, user-wait.sh: the benchmarks from files, TSV (--tsv "NxL ...") and binary, load,
# engine start, upload and compute (and `snig infer` from process start with --node NxL).
# SNIG_BENCH_DIR=dir: use the snig-bench in dir (built elsewhere) instead of building it.
#
#   scripts/device/end-to-end.sh [--only "1024x120 4096x120 16384x120 65536x120"] [--repeat 5] [--binary FILE]
#                                [--start 65536x1920] [--files "NxL ..." [--tsv "NxL ..."] [--node NxL]]
set -uo pipefail
cd "$(dirname "$0")/../.."

ONLY="1024x120 4096x120 16384x120 65536x120"
REPEAT=5
BINARY=""
START_BENCH=""
FILES=""
TSV=""
NODE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --start) START_BENCH=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --tsv) TSV=$2; shift 2 ;;
    --node) NODE=$2; shift 2 ;;
    --binary) BINARY=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
LOG=${OUT:-/tmp}
START=$(date +%s)
say() { echo "[$(( $(date +%s) - START ))s] $*"; }
say "machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(nproc) CPUs"

BUILD=${SNIG_BENCH_DIR:-build/device}
if [ -z "${SNIG_BENCH_DIR:-}" ]; then
  if ! { cmake -S native -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >"$LOG/build.log" 2>&1 &&
         cmake --build "$BUILD" -j"$(nproc)" --target snig-bench >>"$LOG/build.log" 2>&1; }; then
    grep -E "error" "$LOG/build.log" | head -20; say "BUILD FAILED"; exit 1
  fi
  say "built"
fi

official=(--model data/hpec-1024/neuron1024 --kernel fast --warmup 0 --repeat 1)
zcat data/hpec-1024/sparse-images-1024-first1200.tsv.gz | awk -F'\t' '{ printf "%s\t%s\t%g\n", $1, $2, 0.5 + ($1 + $2) % 3 * 0.5 }' \
  >"$LOG/values.tsv"
"$BUILD/snig-bench" "${official[@]}" --inputs "$LOG/values.tsv" --check cpu >"$LOG/values.out" 2>&1
say "values 0.5/1/1.5, against the CPU engine: $(grep '^RESULT' "$LOG/values.out" || tail -2 "$LOG/values.out")"
if [ -n "$BINARY" ]; then
  "$BUILD/snig-bench" "${official[@]}" --inputs "$BINARY" --truth data/hpec-1024/first1200-l120-categories.tsv >"$LOG/binary.out" 2>&1
  say "binary inputs, against the official truth: $(grep '^RESULT' "$LOG/binary.out" || tail -2 "$LOG/binary.out")"
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
for b in $ONLY; do
  n=${b%x*}; l=${b#*x}
  "$BUILD/snig-bench" --generate "$n" --layers "$l" --kernel fast --check sample --sample 200 --warmup 1 --repeat "$REPEAT" \
    >"$LOG/$b.out" 2>"$LOG/$b.err"
  status=$?
  grep -E "^(model|inputs|engine)" "$LOG/$b.err" | sed "s/^/  $b /"
  line=$(grep '^RESULT' "$LOG/$b.out" | head -1)
  say "$b exit $status: ${line:-no RESULT}"
  ms=$(sed -n 's/.* ms=\([0-9.]*\).*/\1/p' <<<"$line"); gpu=$(sed -n 's/.* gpu_ms=\([0-9.]*\).*/\1/p' <<<"$line")
  verdict=$(awk '{print $NF}' <<<"$line")
  ratio=$(awk -v a="$ms" -v b="$gpu" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  table+=("$(printf '%-12s %10s %10s %8s %s' "$b" "${ms:--}" "${gpu:--}" "$ratio" "${verdict:-FAILED}")")
done
echo "== one infer call (inputs in host memory) vs GPU compute, fast kernel"
printf '%-12s %10s %10s %8s %s\n' benchmark call_ms gpu_ms ratio check
printf '%s\n' "${table[@]}"
if [ -n "$FILES" ]; then
  scripts/device/user-wait.sh --bench "$BUILD/snig-bench" --only "$FILES" --tsv "$TSV" --node "$NODE" --repeat "$REPEAT"
fi
