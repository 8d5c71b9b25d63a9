#!/usr/bin/env bash
# Accuracy benchmark of the ML pipeline (docs/benchmarks/ml-accuracy.md):
# float reference vs host int8 on the full Fashion-MNIST t10k set for both
# example models (MLP, CNN, vision transformer), per-channel and per-tensor weight scales, min/max and
# percentile calibration; the in-guest run (emulator) on a slice, checked
# bit-identical against the host int8 run, with cycles per inference.
#
# Usage: benches/ml-accuracy/run.sh [BUILD_DIR] [GUEST_IMAGES]
#   BUILD_DIR     a configured build (default build); the script builds the
#                 `zkvm` CLI and the example guests mnist_public(_cnn) there
#   GUEST_IMAGES  test images run in the guest (default 200)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$ROOT/build}
GN=${2:-200}
D=/usr/share/datasets/fashion-mnist
cmake --build "$B" --target zkvm mnist_public mnist_public_cnn mnist_public_vit >/dev/null \
  || echo "warning: rebuilding in $B failed; using the binaries already there" >&2
Z="$B/tools/zkvm"
E="$B/examples/mnist-public"
IMG="--images $D/t10k-images-idx3-ubyte.gz --labels $D/t10k-labels-idx1-ubyte.gz"
CAL="--calibration $D/train-images-idx3-ubyte.gz --calib-limit 1000"

echo "# ml-accuracy $(date -u +%Y-%m-%dT%H:%MZ) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for m in mlp cnn vit; do
  onnx="$ROOT/examples/models/fashion_$m.onnx"
  g="mnist_public$([ $m != mlp ] && echo _$m || true)"  # example guest with this model compiled in
  echo "## fashion_$m: per-channel, min/max (the example guest's model), full t10k + guest slice"
  "$Z" model eval "$onnx" --model "$E/$g.zkml" $IMG --guest "$E/$g.elf" --guest-limit "$GN"
  echo "## fashion_$m: per-tensor, min/max"
  "$Z" model eval "$onnx" $CAL --per-tensor $IMG
  echo "## fashion_$m: per-channel, percentile 99.99"
  "$Z" model eval "$onnx" $CAL --percentile 99.99 $IMG
done
