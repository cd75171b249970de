#!/usr/bin/env bash
# On the GPU machine, through node (runtime staged by stage-node-runtime.sh, carried in .device):
# what the cluster itself costs (issue 13's "a 1-worker run within 1.2x of snig infer"). A generated
# N x L set (binary model and inputs) through `snig infer --engine cuda` and `snig run` with one local
# CUDA worker, alternately, REPEAT times each, for each input memory named (--input-memory: pinned,
# the inputs placed in page-locked memory, per shard in the worker; pageable); both from process start
# to verdict as the commands report it, and each process's wall time (start to exit, teardown included). Logs, reports and each run's timeline (coordinator and worker
# log lines, in seconds from the run's start) under $OUT/cluster-vs-infer/<N>x<L>/<memory>, made afresh
# (a run folder left from an earlier call would be refused: `snig run` does not reuse one without
# --resume); each command's exit status next to its report; a table each.
#   scripts/device/cluster-vs-infer.sh [N] [L] [REPEAT] ["pinned pageable"]
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/node-env.sh
n=${1:-4096} layers=${2:-120} repeat=${3:-3} memories=${4:-pinned}
work=${OUT:-/tmp}/cluster-vs-infer/${n}x$layers
rm -rf "$work" && mkdir -p "$work"
snig generate --neurons "$n" --layers "$layers" --rows 60000 --seed 5 --format binary --out "$work/set" >"$work/generate.log" 2>&1 \
  || { tail -20 "$work/generate.log"; exit 1; }
model=$work/set/neuron$n-l$layers.snig input=$work/set/sparse-images-$n.snigrows truth=$work/set/neuron$n-l$layers-categories.tsv
for memory in $memories; do
  dir=$work/$memory
  mkdir -p "$dir"
  for r in $(seq "$repeat"); do
    date +%s.%N >"$dir/infer-$r.start"
    snig infer --engine cuda --input-memory "$memory" --model "$model" --input "$input" --truth "$truth" --report "$dir/infer-$r.json" --log-level warn >"$dir/infer-$r.txt" 2>&1
    echo $? >"$dir/infer-$r.exit"
    date +%s.%N >"$dir/infer-$r.end"
    date +%s.%N >"$dir/run-$r.start"
    snig run --engine cuda --input-memory "$memory" --model "$model" --input "$input" --truth "$truth" --workers 1 --out "$dir/run-$r" --no-progress --log-format json >"$dir/run-$r.log" 2>&1
    echo $? >"$dir/run-$r.exit"
    date +%s.%N >"$dir/run-$r.end"
  done
  echo "== $n x $layers, input memory $memory"
  node scripts/device/cluster-vs-infer-table.mjs "$dir" "$repeat"
done
