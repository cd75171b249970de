#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine for tests: its own munged, slurmctld and slurmd on
# localhost, every file (config, state, logs, pid files, munge socket) under one directory.
# Usage: start.sh <dir>   (then `export SLURM_CONF=<dir>/slurm.conf`; stop with stop.sh <dir>)
# Needs root and Debian's slurm-wlm + munge (apt-get install slurm-wlm munge; .ci/run installs them).
set -euo pipefail

dir=${1:?usage: start.sh <dir>}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
for tool in munged mungekey slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || { echo "start.sh: $tool not found (apt-get install slurm-wlm munge)" >&2; exit 1; }
done

node=$(hostname -s)
cpus=$(nproc)
(( cpus >= 2 )) || cpus=2 # two slots at least; config_overrides below lets slurmd trust this number

# Free TCP ports for slurmctld and slurmd, so a system Slurm on the default ports is left alone.
free_port() {
  local port
  for port in $(seq "$1" "$(( $1 + 200 ))"); do
    if ! ss -Hltn "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
  echo "start.sh: no free port from $1" >&2; exit 1
}
ctld_port=$(free_port 16817)
slurmd_port=$(free_port $(( ctld_port + 1 )))

mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
chmod 700 "$dir/munge"
mungekey --create --keyfile="$dir/munge/munge.key" --force
munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

cat >"$dir/slurm.conf" <<CONF
ClusterName=snigtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF

export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N "$node"

# Ready when the node is idle (allocatable).
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -n "$node" -o '%T' 2>/dev/null || true)
  if [[ $state == idle ]]; then echo "slurm up: SLURM_CONF=$SLURM_CONF node=$node cpus=$cpus"; exit 0; fi
  sleep 0.5
done
echo "start.sh: node $node not idle after 30 s (state: ${state:-none}); logs in $dir" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
exit 1
