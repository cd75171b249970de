#!/usr/bin/env bash
# On the GPU machine, what a user waits for, from files (issue 13; `end-to-end.sh --files` runs it in
# the same call as its checks). For each benchmark N×L: snig-bench generates the RadiX-Net and 60000
# input rows and saves them (binary formats; with --tsv also the official TSV layout), then runs the fast kernel from the files: binary model and inputs, and for the
# --tsv benchmarks the TSV model directory and input file. Each run reports what a user waits for:
# model and input load (parse), engine start (the first start reduces the network and saves the
# reduction in the cache, the second reads it back), one infer call on inputs in host memory (upload
# included, median of --repeat after a warm-up) and its GPU compute; checked against the CPU engine
# on a sample of rows. With --node NxL, `snig infer` (node and the addon, carried in .device: see
# stage-node-runtime.sh) from process start to its report on that benchmark's binary files (the
# model in the page cache, its reduction in the cache: what a user's second run waits for).
# --paths tsv runs only the TSV path of the --tsv benchmarks (the binary one measured before).
# --gzip "NxL ...": those --tsv benchmarks' layers are written and read gzipped (n<N>-l<k>.tsv.gz, as
# the official archives hold them): 65536x1920's plain TSV (~99 GB) fits neither disk nor memory.
# E2E_WORK=dir: where the files go (default /tmp/e2e; a tmpfs such as /dev/shm holds them in memory,
# as the page cache holds files just written, without writing tens of GB to the disk).
# The input rows of each N are generated once and shared by its depths. Prints a line per run as it
# goes and a table last; full logs in $OUT/user-wait-logs.tgz.
#
#   scripts/device/user-wait.sh --bench path/to/snig-bench [--only "1024x120 ... 65536x1920"]
#                               [--tsv "1024x120 ..."] [--gzip "65536x1920"] [--paths "binary tsv"] [--repeat 3]
#                               [--node 65536x1920]
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/device/common.sh
source scripts/device/check-sample.sh

ONLY="1024x120 1024x480 1024x1920 4096x120 4096x480 4096x1920 16384x120 16384x480 16384x1920 65536x120 65536x480 65536x1920"
TSV="1024x120 1024x480 1024x1920 4096x120 4096x480 4096x1920 16384x120 65536x120"
REPEAT=3
NODE=""
BENCH=""
PATHS="binary tsv"
GZIP=""
parse_options "--only ONLY --tsv TSV --gzip GZIP --paths PATHS --repeat REPEAT --node NODE --bench BENCH" "$@"
WORK=${E2E_WORK:-/tmp/e2e}
LOG=$WORK/logs  # packed into $OUT/user-wait-logs.tgz at the end (a few files come back from the machine)
export SNIG_REDUCTION_CACHE=$WORK/reduction-cache
rm -rf "$WORK" && mkdir -p "$LOG"
START=$(date +%s)
[ -x "$BENCH" ] || { echo "--bench: no snig-bench at '$BENCH'" >&2; exit 2; }
say "machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(nproc) CPUs, $(df -h "$WORK" | awk 'NR==2 {print $4}') free"

# A field of a bench log: the seconds of "model:", "inputs:" or the Kth "engine:" line.
seconds() { grep -E "^$2" "$1" | sed -n "${3:-1}p" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p'; }
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }

table=()
run_path() { # benchmark path(binary|tsv|tsv.gz) sample model inputs
  local b=$1 path=$2 sample=$3 model=$4 inputs=$5 log="$LOG/$1-$2"
  "$BENCH" --model "$model" --input "$inputs" --kernel fast --starts 2 --check sample --sample "$sample" \
    --warmup 1 --repeat "$REPEAT" --name "$b" >"$log.out" 2>"$log.err"
  local status=$? line
  line=$(grep '^RESULT' "$log.out" | head -1)
  say "$b $path exit $status: ${line:-no RESULT} | $(grep -E '^(model|inputs|engine)' "$log.err" | tr '\n' ' ')"
  local m i s1 s2 ms gpu
  m=$(seconds "$log.err" model:); i=$(seconds "$log.err" inputs:)
  s1=$(seconds "$log.err" 'engine:' 1); s2=$(seconds "$log.err" 'engine:' 2)
  ms=$(field "$line" ms); gpu=$(field "$line" gpu_ms)
  table+=("$(awk -v b="$b" -v p="$path" -v m="$m" -v i="$i" -v s1="$s1" -v s2="$s2" -v ms="$ms" -v gpu="$gpu" \
    -v v="$(awk '{print $NF}' <<<"${line:-FAILED}")" 'BEGIN {
      if (ms == "") { printf "%-11s %-6s %s", b, p, "FAILED (see logs)"; exit }
      printf "%-11s %-6s %8.2f %8.2f %8.2f %8.2f %9.2f %9.2f %9.2f %8.2f  %s", b, p, m, i, s1, s2, ms - gpu, gpu, ms,
        m + i + s2 + ms / 1000, v }')")
}

node_infer() { # benchmark: `snig infer` on its binary files, from process start to its report
  source scripts/device/node-env.sh
  local t0 status
  t0=$(date +%s.%N)
  snig infer --model "$WORK/$1/model.snig" --input "$WORK/$1/inputs.snigrows" --engine cuda --log-level warn >"$LOG/node.txt" 2>&1
  status=$?
  say "snig infer $1 (exit $status, $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s wall):" \
    "$(grep -E '^(engine|read|time|inference)' "$LOG/node.txt" | tr '\n' ' ')"
}

for b in $ONLY; do
  n=${b%x*}; l=${b#*x}; dir=$WORK/$b
  tsv=""; [[ " $TSV " == *" $b "* ]] && tsv="--save-tsv $dir/tsv"
  tsvPath=tsv; [ -n "$tsv" ] && [[ " $GZIP " == *" $b "* ]] && tsv="$tsv --tsv-gzip" && tsvPath=tsv.gz
  # The input rows of N are generated once and shared by its depths.
  shared=$WORK/inputs-$n.snigrows; from=""; [ -f "$shared" ] && from="--input $shared"
  sample=$(check_sample "$n" "$l")
  # shellcheck disable=SC2086
  "$BENCH" --generate "$n" --layers "$l" $from --save "$dir" $tsv >"$LOG/$b-save.out" 2>&1
  [ -f "$shared" ] || ln "$dir/inputs.snigrows" "$shared"
  say "$b generated and saved: $(grep -E '^(model|inputs|saved)' "$LOG/$b-save.out" | tr '\n' ' ') ($(du -sh "$dir" | cut -f1))"
  [[ " $PATHS " == *" binary "* ]] && run_path "$b" binary "$sample" "$dir/model.snig" "$dir/inputs.snigrows"
  [ "$b" = "$NODE" ] && node_infer "$b"
  if [ -n "$tsv" ] && [[ " $PATHS " == *" tsv "* ]]; then
    run_path "$b" "$tsvPath" "$sample" "$dir/tsv" "$dir/tsv/sparse-images-$n.tsv"
    say "$b TSV sizes: model $(du -sb "$dir/tsv/neuron$n" | cut -f1) bytes, inputs $(stat -c %s "$dir/tsv/sparse-images-$n.tsv") bytes"
  fi
  rm -rf "$dir"
done

echo "== what a user waits for, fast kernel, 60000 rows (seconds; upload/compute/call in ms; total = model + inputs + later start + call)"
printf '%-11s %-6s %8s %8s %8s %8s %9s %9s %9s %8s  %s\n' benchmark path model inputs start1 start2 upload_ms gpu_ms call_ms total check
printf '%s\n' "${table[@]}"
[ -n "${OUT:-}" ] && tar -czf "$OUT/user-wait-logs.tgz" -C "$WORK" logs
