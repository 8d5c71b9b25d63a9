#!/usr/bin/env bash
# Continuations: `zkvm prove` of the tight-loop guest (benches/vm/guests/
# bench_loop.c, about 10 cycles per iteration) at several lengths and segment
# sizes, one process per run, in one script so the rows compare. Prints a
# markdown table: cycles, segments, prove seconds, kHz, peak RSS, receipt
# size, verify seconds. Results: docs/BENCHMARKS.md ("Continuations").
#
#   benches/rv32im/continuations.sh [BUILD_DIR] [RUN ...]
#
# RUN is ITERATIONS:SEGMENT_PO2[:zk|nozk[:JOBS]] (default: a single-segment
# reference and two lengths at one segment size).
set -euo pipefail
build=${1:-build}
shift || true
runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then
  runs=(50000:19 100000:18 400000:18)
fi
zkvm=$build/tools/zkvm
elf=$(find "$build/benches" -name 'rv32im_bench_loop.elf' | head -1)
[ -x "$zkvm" ] && [ -n "$elf" ] || { echo "build zkvm and rv32im_bench_loop first ($build)" >&2; exit 2; }
. "$(dirname "$0")/prove_row.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
echo "| iterations | zk | jobs | cycles | segments | prove s | kHz | peak RSS MiB | receipt bytes | verify s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for run in "${runs[@]}"; do
  IFS=: read -r n po2 mode jobs <<<"$run"
  jobs=${jobs:-1}
  python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<I', $n))" >"$tmp/in.bin"
  zk_flag=()
  zk=on
  if [ "${mode:-}" = nozk ]; then zk_flag=(--no-zk); zk=off; fi
  prove_row "$zkvm" "$elf" "$tmp/in.bin" "$tmp" --segment-po2 "$po2" --jobs "$jobs" "${zk_flag[@]}" --json "$tmp/r.json"
  echo "| $n | $zk | $jobs | $cycles | $nsegs (2^$po2) | $secs | $khz | $rss | $bytes | $vsec |"
done
