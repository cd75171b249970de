#!/usr/bin/env bash
# Stops what start.sh <dir> started (slurmd, slurmctld, munged, by their pid files) and removes <dir>.
# Safe to run twice, and keeps going when one daemon is already gone.
set -uo pipefail

dir=${1:?usage: stop.sh <dir>}
[[ -d $dir ]] || exit 0

stop_pid_file() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# Jobs first, while the controller can still cancel them.
if [[ -f $dir/slurm.conf ]]; then SLURM_CONF=$dir/slurm.conf scancel --full --quiet --user=root 2>/dev/null || true; fi
stop_pid_file "$dir/slurmd.pid"
stop_pid_file "$dir/slurmctld.pid"
stop_pid_file "$dir/munge/munged.pid"
rm -rf "$dir"
