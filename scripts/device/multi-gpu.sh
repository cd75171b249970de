#!/usr/bin/env bash
# ONE call on a multi-GPU machine (nvidia-h100-x4): the CUDA engine's scaling (snig-bench, every GPU
# against GPU 0 alone) and the cluster on GPUs (node + addon carried in .device, see
# stage-node-runtime.sh): one worker driving every GPU, and one worker per GPU under the coordinator
# over TCP on loopback, against one worker on one GPU. Prints a table last.
#
#   scripts/device/multi-gpu.sh [--scaling-budget S] [--only "16384x120 65536x120"] [--neurons N] [--layers L]
#                               [--kernel K] [--shard-rows R] [--streamed 0|1] [--also-kernel K]
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/common.sh

SCALING_BUDGET=240
ONLY="16384x120 65536x120"
NEURONS=16384
LAYERS=120
KERNEL=snig
SHARD_ROWS=0  # rows per shard (0: the coordinator's default sizing)
STREAMED=1    # also one worker per GPU in the streamed mode
ALSO_KERNEL=  # also the lone-GPU and worker-per-GPU runs with this kernel
parse_options "--scaling-budget SCALING_BUDGET --only ONLY --neurons NEURONS --layers LAYERS --kernel KERNEL
               --shard-rows SHARD_ROWS --streamed STREAMED --also-kernel ALSO_KERNEL" "$@"
OUTDIR=${OUT:-/tmp}
GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
ALL=$(seq -s, 0 $((GPUS - 1)))

# The cluster's data (snig generate, on the CPUs) is made while step 1 uses the GPUs.
source scripts/device/node-env.sh
work=/tmp/multi-gpu
mkdir -p "$work"
(
  start=$(date +%s)
  [ -f "$work/gen/neuron$NEURONS-l$LAYERS.snig" ] ||
    snig generate --neurons "$NEURONS" --layers "$LAYERS" --rows 60000 --seed 5 --format binary --threads $(( $(nproc) / 2 )) \
      --out "$work/gen" >"$OUTDIR/generate.log" 2>&1 || exit 1
  echo $(( $(date +%s) - start )) >"$work/generate.seconds"
) &
generating=$!

# 1. The engine alone: snig-bench scaling (builds with cmake; its own table goes to its log).
if [ "$SCALING_BUDGET" -gt 0 ]; then
  scripts/device/run.sh --scaling --budget "$SCALING_BUDGET" --only "$ONLY" --kernel "$KERNEL" >"$OUTDIR/scaling.log" 2>&1
  echo "== engine scaling (scripts/device/run.sh --scaling)"; tail -20 "$OUTDIR/scaling.log"
fi

# 2. The cluster on GPUs, through node, once the data generated beside step 1 is there.
wait "$generating" || { tail -20 "$OUTDIR/generate.log"; exit 1; }
echo "generated ${NEURONS}x${LAYERS}, 60000 rows, in $(cat "$work/generate.seconds") s (beside step 1)"
MODEL="$work/gen/neuron$NEURONS-l$LAYERS.snig"
INPUT="$work/gen/sparse-images-$NEURONS.tsv.gz"
TRUTH="$work/gen/neuron$NEURONS-l$LAYERS-categories.tsv"

declare -a rows
cluster() { # label workers gpus shard-rows (0: the coordinator's sizing) [more snig run flags]
  local label=$1 workers=$2 gpus=$3 shard=$4
  shift 4
  [ "$shard" -gt 0 ] && set -- --shard-rows "$shard" --min-shard-rows "$shard" "$@"
  rm -rf "${work:?}/$label"
  snig run --model "$MODEL" --input "$INPUT" --truth "$TRUTH" --workers "$workers" --engine cuda --gpus "$gpus" "$@" \
    --kernel "$KERNEL" --out "$work/$label" --progress false --log-level warn >"$OUTDIR/$label.log" 2>&1
  cp "$work/$label/report.md" "$OUTDIR/$label.report.md" 2>/dev/null
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1] + "/report.json", "utf8"));
    const busy = Math.max(...r.workers.map((w) => w.seconds));
    const shards = r.workers.map((w) => w.shards).join("/");
    console.log(`${process.argv[2]} | ${r.status} | ${r.wallSeconds.toFixed(3)} s wall | ${r.edgesPerSecond.toExponential(3)} edges/s | busiest worker ${busy.toFixed(3)} s | shards per worker ${shards}`);
  ' "$work/$label" "$label" 2>/dev/null || echo "$label | no report (see $label.log)"
}
# A lone worker takes all rows as one shard (its engine splits them over its GPUs); the baseline is
# also run with the multi-worker runs' shards.
rows+=("$(cluster one-worker-one-gpu 1 0 60000)")
rows+=("$(cluster one-worker-one-gpu-same-shards 1 0 "$SHARD_ROWS")")
rows+=("$(cluster one-worker-all-gpus 1 "$ALL" 60000)")
rows+=("$(cluster one-worker-per-gpu "$GPUS" "$ALL" "$SHARD_ROWS")")
[ "$STREAMED" = 1 ] && rows+=("$(cluster one-worker-per-gpu-streamed "$GPUS" "$ALL" "$SHARD_ROWS" --mode streamed)")
if [ -n "$ALSO_KERNEL" ]; then
  rows+=("$(KERNEL=$ALSO_KERNEL cluster "one-worker-one-gpu-$ALSO_KERNEL" 1 0 60000)")
  rows+=("$(KERNEL=$ALSO_KERNEL cluster "one-worker-per-gpu-$ALSO_KERNEL" "$GPUS" "$ALL" "$SHARD_ROWS")")
fi
echo "== cluster on GPUs (${NEURONS}x${LAYERS}, 60000 rows, kernel $KERNEL, $GPUS GPUs)"
printf '%s\n' "${rows[@]}"
