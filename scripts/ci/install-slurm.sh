#!/usr/bin/env bash
# Installs what the Slurm and suite tests need on a fresh Debian machine (run as root by .ci/run):
# Debian's slurm-wlm (slurmctld, slurmd, sbatch, srun), munge, iproute2 (ss, for free ports) and
# libxml2-utils (xmllint: the suite test parses the SVG chart with it). The Slurm test itself starts and
# stops a private single-node cluster (scripts/slurm/start.sh / stop.sh); nothing is started here.
set -euo pipefail

if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
  && command -v sbatch >/dev/null && command -v ss >/dev/null && command -v xmllint >/dev/null; then
  echo "install-slurm: slurm-wlm, munge, iproute2 and libxml2-utils already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends slurm-wlm munge iproute2 libxml2-utils
