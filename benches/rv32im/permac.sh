#!/usr/bin/env bash
# Prover cost per MAC of Dense layers, all tables counted: the marginal cost
# of one more inference, `zkvm prove` (zk on, standard parameters), one
# process per run, medians of several runs:
#
#   us per MAC = (t(N) - t(1)) / ((N - 1) * MACs per inference)
#
# Everything an inference adds is in the difference: the CPU rows of the
# kernels (input biasing, call set-up, requantisation), the dot4 data and
# call rows, the input's io and memory rows, the journal. What does not grow
# with N (the image, program and byte tables, a model's parse) is not.
#
# 1. The Fashion-MNIST MLP: the batch guest (examples/mnist-batch: the MLP
#    compiled in, weights read through dot4_rom, per-channel
#    requantisation) on 1 and on N images, 109,184 MACs each. These are small
#    layers, where each output's requantisation weighs.
# 2. One large layer, 1024 -> 960 (benches/ml/dense_prove_guest.c: weights
#    compiled in, per-tensor requantisation; 983,040 MACs) on 1 and on 4
#    input vectors. Each has 61,440 dot4 rows and about 15.3k cycles, so the
#    CPU and data tables are over 90 % full at both sizes.
#
# Results: docs/BENCHMARKS.md ("Prover cost per MAC").
#
#   benches/rv32im/permac.sh [BUILD_DIR] [N (default 32)] [RUNS (default 3)]
set -euo pipefail
build=${1:-build}
n=${2:-32}
runs=${3:-3}
zkvm=$build/tools/zkvm
tool=$build/guest-sdk/ml/zkml-tool
ex=$build/examples/mnist-batch
dense=$build/benches/ml/dense_prove_guest.elf
images=${ZKML_TEST_IMAGES:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}
[ -x "$zkvm" ] && [ -x "$tool" ] && [ -f "$ex/mnist_batch.elf" ] && [ -f "$dense" ] ||
  { echo "build zkvm, zkml-tool, mnist_batch and dense_prove_guest first ($build)" >&2; exit 2; }
[ -f "$images" ] || { echo "no test images at $images (set ZKML_TEST_IMAGES)" >&2; exit 2; }
. "$(dirname "$0")/prove_row.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }

# measure TITLE ELF MACS K1 INPUT1 K2 INPUT2: a table of the two sizes and
# the marginal cost per inference and per MAC.
measure() {
  local title=$1 elf=$2 macs=$3 k1=$4 in1=$5 k2=$6 in2=$7
  local t1 t2 c1 c2
  echo
  echo "$title"
  echo
  echo "| inferences | cycles | segments | prove s (median of $runs) | peak RSS MiB | receipt bytes |"
  echo "|---|---|---|---|---|---|"
  for k in "$k1" "$k2"; do
    local input=$in1 all=()
    [ "$k" = "$k2" ] && input=$in2
    for ((r = 0; r < runs; ++r)); do
      prove_row "$zkvm" "$elf" "$input" "$tmp"
      all+=("$secs")
    done
    local med
    med=$(median "${all[@]}")
    if [ "$k" = "$k1" ]; then t1=$med c1=$cycles; else t2=$med c2=$cycles; fi
    echo "| $k | $cycles | $segs | $med | $rss | $bytes |"
  done
  echo
  python3 -c "
t1, t2, c1, c2, k1, k2, macs = $t1, $t2, $c1, $c2, $k1, $k2, $macs
per, cyc = (t2 - t1) / (k2 - k1), (c2 - c1) / (k2 - k1)
print(f'marginal: {per * 1e3:.1f} ms and {cyc:.0f} cycles per inference of {macs} MACs: '
      f'{per * 1e6 / macs:.2f} us per MAC, {cyc / macs:.3f} cycles per MAC')"
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"

for k in 1 "$n"; do
  "$tool" input "$ex/mnist_batch.zkml" "$tmp/in$k.bin" --images "$images" --index 0 --count "$k" --layout batch >/dev/null
done
measure "Fashion-MNIST MLP (batch guest; inferences = images)" "$ex/mnist_batch.elf" 109184 \
  1 "$tmp/in1.bin" "$n" "$tmp/in$n.bin"

for k in 1 4; do
  python3 -c "import random, struct, sys; random.seed($k)
sys.stdout.buffer.write(struct.pack('<I', $k) + bytes(random.randrange(256) for _ in range(1024 * $k)))" >"$tmp/dense$k.bin"
done
measure "Dense 1024 -> 960 (dense_prove_guest; inferences = input vectors)" "$dense" 983040 \
  1 "$tmp/dense1.bin" 4 "$tmp/dense4.bin"
