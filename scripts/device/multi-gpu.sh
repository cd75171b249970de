#!/usr/bin/env bash
# ONE call on a multi-GPU machine (nvidia-h100-x4): the CUDA engine's scaling (snig-bench, every GPU
# against GPU 0 alone) and the cluster on GPUs (node + addon carried in .device, see
# stage-node-runtime.sh): one worker driving every GPU, and one worker per GPU under the coordinator
# over TCP on loopback, against one worker on one GPU. Prints a table last.
#
#   scripts/device/multi-gpu.sh [--scaling-budget S] [--only "16384x120 65536x120"] [--neurons N] [--layers L]
#                               [--kernel K] [--shard-rows R]
set -uo pipefail
cd "$(dirname "$0")/../.."

SCALING_BUDGET=240
ONLY="16384x120 65536x120"
NEURONS=16384
LAYERS=120
KERNEL=snig
SHARD_ROWS=0  # rows per shard (0: the coordinator's default sizing)
while [ $# -gt 0 ]; do
  case "$1" in
    --scaling-budget) SCALING_BUDGET=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --neurons) NEURONS=$2; shift 2 ;;
    --layers) LAYERS=$2; shift 2 ;;
    --kernel) KERNEL=$2; shift 2 ;;
    --shard-rows) SHARD_ROWS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUTDIR=${OUT:-/tmp}
GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
ALL=$(seq -s, 0 $((GPUS - 1)))

# 1. The engine alone: snig-bench scaling (builds with cmake; its own table goes to its log).
if [ "$SCALING_BUDGET" -gt 0 ]; then
  scripts/device/run.sh --scaling --budget "$SCALING_BUDGET" --only "$ONLY" --kernel "$KERNEL" >"$OUTDIR/scaling.log" 2>&1
  echo "== engine scaling (scripts/device/run.sh --scaling)"; tail -20 "$OUTDIR/scaling.log"
fi

# 2. The cluster on GPUs, through node.
mkdir -p /tmp/bin && xz -dc .device/node.xz > /tmp/bin/node && chmod +x /tmp/bin/node
tar -xJf .device/runtime.tar.xz -C /tmp
ln -sfn "$PWD/data" /tmp/runtime/data  # the real images the generator derives its inputs from
export PATH=/tmp/bin:$PATH
snig() { node /tmp/runtime/dist/cli/main.js "$@"; }
work=/tmp/multi-gpu
mkdir -p "$work"
start=$(date +%s)
[ -f "$work/gen/neuron$NEURONS-l$LAYERS.snig" ] || snig generate --neurons "$NEURONS" --layers "$LAYERS" --rows 60000 --seed 5 --format binary --out "$work/gen" >"$OUTDIR/generate.log" 2>&1 \
  || { tail -20 "$OUTDIR/generate.log"; exit 1; }
echo "generated ${NEURONS}x${LAYERS}, 60000 rows, in $(( $(date +%s) - start )) s"
MODEL="$work/gen/neuron$NEURONS-l$LAYERS.snig"
INPUT="$work/gen/sparse-images-$NEURONS.tsv.gz"
TRUTH="$work/gen/neuron$NEURONS-l$LAYERS-categories.tsv"

declare -a rows
cluster() { # label workers gpus [more snig run flags]
  local label=$1 workers=$2 gpus=$3
  shift 3
  [ "$SHARD_ROWS" -gt 0 ] && set -- --shard-rows "$SHARD_ROWS" --min-shard-rows "$SHARD_ROWS" "$@"
  rm -rf "${work:?}/$label"
  snig run --model "$MODEL" --input "$INPUT" --truth "$TRUTH" --workers "$workers" --engine cuda --gpus "$gpus" "$@" \
    --kernel "$KERNEL" --out "$work/$label" --progress false --log-level warn >"$OUTDIR/$label.log" 2>&1
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1] + "/report.json", "utf8"));
    const busy = Math.max(...r.workers.map((w) => w.seconds));
    console.log(`${process.argv[2]} | ${r.status} | ${r.wallSeconds.toFixed(3)} s wall | ${r.edgesPerSecond.toExponential(3)} edges/s | busiest worker ${busy.toFixed(3)} s`);
  ' "$work/$label" "$label" 2>/dev/null || echo "$label | no report (see $label.log)"
}
rows+=("$(cluster one-worker-one-gpu 1 0)")
rows+=("$(cluster one-worker-all-gpus 1 "$ALL")")
rows+=("$(cluster one-worker-per-gpu "$GPUS" "$ALL")")
rows+=("$(cluster one-worker-per-gpu-streamed "$GPUS" "$ALL" --mode streamed)")
echo "== cluster on GPUs (${NEURONS}x${LAYERS}, 60000 rows, kernel $KERNEL, $GPUS GPUs)"
printf '%s\n' "${rows[@]}"
