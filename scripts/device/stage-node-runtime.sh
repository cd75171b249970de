#!/usr/bin/env bash
# Stages what `snig` needs to run on the GPU machine, which has no node and no network, into
# .device/runtime (git-ignored: .device holds what device runs carry): the built JavaScript, the production
# modules with only the linux-x64 glibc zeromq prebuild, and the addon built here (nvcc, sm_90,
# static cudart), packed as .device/runtime.tar.xz; and this machine's node binary (.device/node.xz).
# Name ".device" in the run's carry, then on the device:
#   mkdir -p /tmp/bin && xz -dc .device/node.xz > /tmp/bin/node && chmod +x /tmp/bin/node
#   tar -xJf .device/runtime.tar.xz -C /tmp && export PATH=/tmp/bin:$PATH
#   node /tmp/runtime/dist/cli/main.js info
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

# device-node packs this machine's node into .device/node.xz (it needs a checkout whose .git is a
# directory: in a git worktree, copy .device/node.xz and node.version from the main checkout first).
if [ "$(cat .device/node.version 2>/dev/null)" != "$(node --version)" ] || [ ! -s .device/node.xz ]; then
  /work/shared/tools/device-node >/dev/null 2>&1 || ../shared/tools/device-node >/dev/null
fi
[ -f build/Release/snig.node ] || { echo "build the addon first: npm run build:native" >&2; exit 1; }
npm run build >/dev/null

stage=$(mktemp -d)/runtime
mkdir -p "$stage/build/Release"
cp package.json package-lock.json "$stage/"
cp -r dist "$stage/dist"
cp build/Release/snig.node "$stage/build/Release/"
# Production modules only, without install scripts (the addon is already built).
(cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
# What runtime never loads: the build tools (zeromq loads its prebuild through cmake-ts: kept) and
# other platforms' zeromq prebuilds.
rm -rf "$stage/node_modules/cmake-js" "$stage/node_modules/node-addon-api" "$stage/node_modules/tar"
find "$stage/node_modules/zeromq/build" -mindepth 1 -maxdepth 1 -type d ! -name linux -exec rm -rf {} +
find "$stage/node_modules/zeromq/build/linux" -mindepth 1 -maxdepth 1 -type d ! -name x64 -exec rm -rf {} +
find "$stage/node_modules/zeromq/build/linux/x64" -type d -name 'musl-*' -prune -exec rm -rf {} +
tar -cJf .device/runtime.tar.xz.part -C "$(dirname "$stage")" runtime && mv .device/runtime.tar.xz.part .device/runtime.tar.xz
rm -rf "$(dirname "$stage")"
du -sh .device/runtime.tar.xz .device/node.xz
