#!/usr/bin/env bash
# Cycles of the int8 ML runtime under `zkvm run`: per-kernel cycles/MAC
# (ml_bench_guest) and cycles per inference of the example guests.
# usage: benches/ml/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
zkvm=$build/tools/zkvm
tool=$build/guest-sdk/ml/zkml-tool
echo "## Kernels (cycles per MAC, inside the guest)"
"$zkvm" run "$build/benches/ml/ml_bench_guest.elf"
echo
echo "## Inference (Fashion-MNIST test image 0)"
ex=$build/examples/mnist-public
for kind in mlp cnn; do
  name=mnist_public
  [ $kind = cnn ] && name=mnist_public_cnn
  elf=$ex/$name.elf in=$ex/${name}_image0.bin
  macs=$("$tool" info "$ex/$name.zkml" | sed -n 's/.*, \([0-9]*\) MACs/\1/p')
  out=$("$zkvm" run "$elf" --input "$in" --stats 2>&1)
  inf=$(echo "$out" | sed -n 's/zkml: image 0: \([0-9]*\) inference cycles/\1/p')
  total=$(echo "$out" | sed -n 's/zkvm run: cycles *\([0-9]*\)/\1/p')
  awk -v k=$kind -v m="$macs" -v i="$inf" -v t="$total" \
    'BEGIN { printf "%s: %d MACs, %d inference cycles (%.2f cycles/MAC overall), %d cycles whole run\n", k, m, i, i / m, t }'
done
