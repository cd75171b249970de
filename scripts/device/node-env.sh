# Sourced by the device scripts that run snig through node: unpacks the node binary and the runtime
# carried in .device (see stage-node-runtime.sh) and defines `snig`. Run from the repository root.
mkdir -p /tmp/bin && xz -dc .device/node.xz > /tmp/bin/node && chmod +x /tmp/bin/node
tar -xJf .device/runtime.tar.xz -C /tmp
ln -sfn "$PWD/data" /tmp/runtime/data  # the real images the generator derives its inputs from
export PATH=/tmp/bin:$PATH
snig() { node /tmp/runtime/dist/cli/main.js "$@"; }
