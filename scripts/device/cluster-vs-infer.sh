#!/usr/bin/env bash
# On the GPU machine, through node (runtime staged by stage-node-runtime.sh, carried in .device):
# what the cluster itself costs (issue 13's "a 1-worker run within 1.2x of snig infer"). A generated
# N x L set (binary model and inputs) through `snig infer --engine cuda` and `snig run` with one local
# CUDA worker, alternately, REPEAT times each; both from process start to verdict as the commands
# report it. Logs, reports and each run's timeline (coordinator and worker log lines, in seconds from
# the run's start) under $OUT/cluster-vs-infer; the table last.
#   scripts/device/cluster-vs-infer.sh [N] [L] [REPEAT]
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/node-env.sh
n=${1:-4096} layers=${2:-120} repeat=${3:-3}
work=${OUT:-/tmp}/cluster-vs-infer
mkdir -p "$work"
snig generate --neurons "$n" --layers "$layers" --rows 60000 --seed 5 --format binary --out "$work/set" >"$work/generate.log" 2>&1 \
  || { tail -20 "$work/generate.log"; exit 1; }
model=$work/set/neuron$n-l$layers.snig input=$work/set/sparse-images-$n.snigrows truth=$work/set/neuron$n-l$layers-categories.tsv
for r in $(seq "$repeat"); do
  snig infer --engine cuda --model "$model" --input "$input" --truth "$truth" --report "$work/infer-$r.json" --log-level warn >"$work/infer-$r.txt" 2>&1
  date +%s.%N >"$work/run-$r.start"
  snig run --engine cuda --model "$model" --input "$input" --truth "$truth" --workers 1 --out "$work/run-$r" --no-progress --log-format json >"$work/run-$r.log" 2>&1
done
node scripts/device/cluster-vs-infer-table.mjs "$work" "$repeat"
