#!/usr/bin/env bash
# On the GPU machine, issue 13's product paths with the input rows placed in page-locked memory
# (--input-memory pinned, the default: `snig infer` places its rows once, a worker each shard's as it
# arrives, a binary file's read straight into the placed form) against pageable rows, through node
# (runtime staged by stage-node-runtime.sh, carried in .device):
#  1. node-check.sh: every kernel, placed rows, and the fast kernel on pageable rows, against the CPU
#     engine and the truth (official sample, a generated 4096x120 set; TSV and binary inputs);
#  2. cluster-vs-infer.sh at 1024x120 and 4096x120, both memories: `snig infer` and a 1-worker
#     `snig run`, totals from process start to verdict and their parts;
#  3. 65536x1920 from files snig-bench generates: `snig infer` from process start to verdict (the
#     first run reduces the network and caches the reduction; then each memory REPEAT times,
#     alternately), and snig-bench's own call on those files, pageable then placed, checked
#     against the CPU engine on a sample.
# Tables last; logs under $OUT.
#   scripts/device/placed-inputs.sh --bench path/to/snig-bench [--big 65536x1920] [--repeat 3]
#                                   [--steps "check sets big"]   (which of 1-3 to run)
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/common.sh
BENCH="" BIG=65536x1920 REPEAT=3 STEPS="check sets big"
parse_options "--bench BENCH --big BIG --repeat REPEAT --steps STEPS" "$@"
[ -x "$BENCH" ] || { echo "--bench: no snig-bench at '$BENCH'" >&2; exit 2; }
out=${OUT:-/tmp/placed-inputs} work=/tmp/placed-inputs-work  # large files stay out of $OUT
mkdir -p "$out" "$work"
export SNIG_REDUCTION_CACHE=$work/reduction-cache
START=$(date +%s)
source scripts/device/node-env.sh
say "machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(nproc) CPUs"

step() { [[ " $STEPS " == *" $1 "* ]]; }
if step check; then
  OUT=$out timeout 100 bash scripts/device/node-check.sh >"$out/node-check.txt" 2>&1
  say "node-check (exit $?):"; grep -E 'cpu:|cuda/' "$out/node-check.txt"
fi

step sets && for set in 1024x120 4096x120; do
  OUT=$work/$set timeout 90 bash scripts/device/cluster-vs-infer.sh "${set%x*}" "${set#*x}" "$REPEAT" "pinned pageable" >"$out/cluster-vs-infer-$set.txt" 2>&1
  say "cluster-vs-infer $set (exit $?)"
  for memory in pinned pageable; do
    grep -h -E '^time' "$work/$set/cluster-vs-infer/$memory"/infer-*.txt | sed "s/^/  infer $set $memory: /"
  done
done

if step big; then
  big=$work/$BIG
  timeout 150 "$BENCH" --generate "${BIG%x*}" --layers "${BIG#*x}" --save "$big" >"$out/big-save.txt" 2>&1
  say "$BIG generated and saved (exit $?): $(grep -E '^(model|inputs|saved)' "$out/big-save.txt" | tr '\n' ' ')"
  infer_big() { # label memory
    local t0=$(date +%s.%N)
    timeout 40 node /tmp/runtime/dist/cli/main.js infer --engine cuda --input-memory "$2" --model "$big/model.snig" \
      --input "$big/inputs.snigrows" --report "$out/big-$1.json" --log-level warn >"$out/big-$1.txt" 2>&1
    say "snig infer $BIG $1 (exit $?, $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s wall): $(grep -E '^(time|inference|categories)' "$out/big-$1.txt" | tr '\n' ' ')"
  }
  infer_big cold pinned
  for r in $(seq "$REPEAT"); do infer_big "pinned-$r" pinned; infer_big "pageable-$r" pageable; done
  timeout 100 "$BENCH" --model "$big/model.snig" --input "$big/inputs.snigrows" --kernel fast --check sample --sample 8 \
    --warmup 1 --repeat "$REPEAT" --input-memory pageable,pinned --name "$BIG" >"$out/big-bench.out" 2>"$out/big-bench.err"
  say "snig-bench $BIG (exit $?): $(grep -E '^RESULT' "$out/big-bench.out" | tr '\n' ' ') | $(grep -E '^inputs: placed' "$out/big-bench.err")"
  rm -rf "$big"
fi
step sets && for set in 1024x120 4096x120; do echo "== $set"; grep -E '^(==|\|)' "$out/cluster-vs-infer-$set.txt"; done
