#!/usr/bin/env bash
# On the GPU machine: runs the addon from node (staged by stage-node-runtime.sh and carried in
# .device) and checks that `snig infer --engine cuda` gives the same categories as `--engine cpu`,
# for every CUDA kernel, on the real official sample and on a generated set, each from TSV inputs and
# from binary inputs (.snigrows: mapped, read by the CUDA engine as compact rows; the binary model
# opened lazily), each kernel with the inputs placed in page-locked memory (--input-memory pinned, the
# default) and the fast kernel also on pageable rows. Prints a table last.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/node-env.sh
work=${OUT:-/tmp}/node-check
mkdir -p "$work"

snig info
snig generate --neurons 4096 --layers 120 --rows 6000 --seed 3 --format binary --out "$work/gen4096" >"$work/generate.log" 2>&1 \
  || { tail -20 "$work/generate.log"; exit 1; }

declare -a table
check() { # label model input truth
  local label=$1 model=$2 input=$3 truth=$4
  snig infer --engine cpu --model "$model" --input "$input" --truth "$truth" --report "$work/$label-cpu.json" --log-level warn >"$work/$label-cpu.txt" 2>&1
  table+=("$label cpu: $(grep -E '^(PASSED|FAILED)' "$work/$label-cpu.txt") $(grep -E '^inference' "$work/$label-cpu.txt" | sed 's/inference *//')")
  for run in snig/pinned fast/pinned general/pinned fast/pageable; do
    local kernel=${run%/*} memory=${run#*/} name=$label-${run/\//-}
    snig infer --engine cuda --kernel "$kernel" --input-memory "$memory" --model "$model" --input "$input" --truth "$truth" --report "$work/$name.json" --log-level warn >"$work/$name.txt" 2>&1
    local same=differ
    node -e 'const [a,b]=process.argv.slice(1).map(f=>JSON.parse(require("fs").readFileSync(f,"utf8")).categories.join(",")); process.exit(a===b?0:1)' \
      "$work/$label-cpu.json" "$work/$name.json" 2>/dev/null && same="same categories as cpu"
    table+=("$label cuda/$run: $(grep -E '^(PASSED|FAILED)' "$work/$name.txt" || tail -1 "$work/$name.txt"), $same, $(grep -E '^inference' "$work/$name.txt" | sed 's/inference *//')")
  done
}
check official data/hpec-1024/neuron1024 data/hpec-1024/sparse-images-1024-first1200.tsv.gz data/hpec-1024/first1200-l120-categories.tsv
check gen4096x120 "$work/gen4096/neuron4096-l120.snig" "$work/gen4096/sparse-images-4096.tsv.gz" "$work/gen4096/neuron4096-l120-categories.tsv"
snig convert --inputs data/hpec-1024/sparse-images-1024-first1200.tsv.gz --out "$work/first1200.snigrows" >"$work/convert.log" 2>&1 \
  || { tail -20 "$work/convert.log"; exit 1; }
check official-binary data/hpec-1024/neuron1024 "$work/first1200.snigrows" data/hpec-1024/first1200-l120-categories.tsv
check gen4096x120-binary "$work/gen4096/neuron4096-l120.snig" "$work/gen4096/sparse-images-4096.snigrows" "$work/gen4096/neuron4096-l120-categories.tsv"
printf '%s\n' "${table[@]}"
