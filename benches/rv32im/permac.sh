#!/usr/bin/env bash
# Prover cost per MAC of Dense layers, all tables counted: the marginal cost
# of one more Fashion-MNIST MLP inference. `zkvm prove` (zk on, standard
# parameters) of the batch guest (examples/mnist-batch: the MLP compiled in,
# weights read through dot4_rom) on 1 and on N images, one process each,
# several runs, medians:
#
#   us per MAC = (t(N) - t(1)) / ((N - 1) * 109,184 MACs)
#
# Everything an inference adds is in the difference: the CPU rows of the
# kernels (input biasing, call set-up, requantisation), the dot4 data and
# call rows, the input's io and memory rows, the journal. What does not
# grow with N (the image, program and byte tables, the model's parse) is
# not. Results: docs/BENCHMARKS.md ("Prover cost per MAC").
#
#   benches/rv32im/permac.sh [BUILD_DIR] [N (default 32)] [RUNS (default 3)]
set -euo pipefail
build=${1:-build}
n=${2:-32}
runs=${3:-3}
zkvm=$build/tools/zkvm
tool=$build/guest-sdk/ml/zkml-tool
ex=$build/examples/mnist-batch
images=${ZKML_TEST_IMAGES:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}
[ -x "$zkvm" ] && [ -x "$tool" ] && [ -f "$ex/mnist_batch.elf" ] || { echo "build zkvm, zkml-tool and mnist_batch first ($build)" >&2; exit 2; }
[ -f "$images" ] || { echo "no test images at $images (set ZKML_TEST_IMAGES)" >&2; exit 2; }
. "$(dirname "$0")/prove_row.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
macs=109184  # one MLP inference: 784x128 + 128x64 + 64x10 (docs/BENCHMARKS.md)

median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
echo "| images | cycles | segments | prove s (median of $runs) | peak RSS MiB | receipt bytes |"
echo "|---|---|---|---|---|---|"
declare -A t c
for k in 1 "$n"; do
  "$tool" input "$ex/mnist_batch.zkml" "$tmp/in$k.bin" --images "$images" --index 0 --count "$k" --layout batch >/dev/null
  all=()
  for ((r = 0; r < runs; ++r)); do
    prove_row "$zkvm" "$ex/mnist_batch.elf" "$tmp/in$k.bin" "$tmp"
    all+=("$secs")
  done
  t[$k]=$(median "${all[@]}")
  c[$k]=$cycles
  echo "| $k | $cycles | $segs | ${t[$k]} | $rss | $bytes |"
done
echo
python3 - "${t[1]}" "${t[$n]}" "${c[1]}" "${c[$n]}" "$n" "$macs" <<'EOF'
import sys
t1, tn, c1, cn, n, macs = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
per_image = (tn - t1) / (n - 1)
cyc = (cn - c1) / (n - 1)
print(f"marginal: {per_image * 1e3:.1f} ms and {cyc:.0f} cycles per inference of {macs} MACs: "
      f"{per_image * 1e6 / macs:.2f} us per MAC, {cyc / macs:.3f} cycles per MAC")
EOF
