#!/usr/bin/env bash
# Accelerators end to end: `zkvm prove` (zk on, standard parameters) and
# `zkvm verify` of the example guests with the dot4 and sha256_compress
# calls and with the plain kernels (the *_plain ELFs: same journal), one
# process per run, in one script so the rows compare. Prints a markdown
# table: guest, cycles, MACs, prove s, us per MAC, segments, peak RSS,
# receipt bytes, verify s. Results: docs/BENCHMARKS.md ("Accelerators").
#
#   benches/rv32im/accel.sh [BUILD_DIR] [--with-private-plain]
#
# The private model with plain kernels and software SHA-256 runs 8M cycles
# (several minutes); it is left out unless asked for.
set -euo pipefail
build=${1:-build}
shift || true
with_private_plain=0
[ "${1:-}" = --with-private-plain ] && with_private_plain=1
zkvm=$build/tools/zkvm
ex=$build/examples
[ -x "$zkvm" ] && [ -f "$ex/mnist-public/mnist_public.elf" ] || { echo "build zkvm and the examples first ($build)" >&2; exit 2; }
. "$(dirname "$0")/prove_row.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# MACs of one inference (Dense and Conv layers; docs/BENCHMARKS.md).
mlp_macs=109184
cnn_macs=271920
runs=(
  "mlp dot4|$ex/mnist-public/mnist_public.elf|$ex/mnist-public/mnist_public_image0.bin|$mlp_macs"
  "mlp plain|$ex/mnist-public/mnist_public_plain.elf|$ex/mnist-public/mnist_public_image0.bin|$mlp_macs"
  "cnn dot4|$ex/mnist-public/mnist_public_cnn.elf|$ex/mnist-public/mnist_public_cnn_image0.bin|$cnn_macs"
  "cnn plain|$ex/mnist-public/mnist_public_cnn_plain.elf|$ex/mnist-public/mnist_public_cnn_image0.bin|$cnn_macs"
  "private model, dot4 + sha256|$ex/mnist-private/mnist_private.elf|$ex/mnist-private/private0.bin|$mlp_macs"
)
[ $with_private_plain = 1 ] &&
  runs+=("private model, plain|$ex/mnist-private/mnist_private_plain.elf|$ex/mnist-private/private0.bin|$mlp_macs")

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
echo "| guest | cycles | MACs | prove s | us per MAC | segments | peak RSS MiB | receipt bytes | verify s |"
echo "|---|---|---|---|---|---|---|---|---|"
for run in "${runs[@]}"; do
  IFS='|' read -r name elf input macs <<<"$run"
  prove_row "$zkvm" "$elf" "$input" "$tmp"
  us=$(python3 -c "print(f'{1e6 * $secs / $macs:.1f}')")
  echo "| $name | $cycles | $macs | $secs | $us | $segs | $rss | $bytes | $vsec |"
done
