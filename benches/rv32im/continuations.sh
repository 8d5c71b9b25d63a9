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
  "$zkvm" prove "$elf" --input "$tmp/in.bin" -o "$tmp/r.receipt" --segment-po2 "$po2" --jobs "$jobs" "${zk_flag[@]}" \
    --json "$tmp/r.json" 2>"$tmp/prove.log" >/dev/null
  summary=$(grep '^zkvm prove: [0-9]* cycles' "$tmp/prove.log")
  cycles=$(sed -E 's/^zkvm prove: ([0-9]+) cycles.*/\1/' <<<"$summary")
  segs=$(sed -E 's/.* ([0-9]+) segments? of.*/\1/' <<<"$summary")
  secs=$(sed -E 's/.*proved in ([0-9.]+) s.*/\1/' <<<"$summary")
  khz=$(sed -E 's/.*\(([0-9.]+) kHz\).*/\1/' <<<"$summary")
  rss=$(sed -E 's/.*peak RSS ([0-9]+) MiB.*/\1/' <<<"$summary")
  bytes=$(stat -c %s "$tmp/r.receipt")
  id=$(sed -nE 's/^zkvm prove: image ([0-9a-f]{64}) .*/\1/p' "$tmp/prove.log")
  t0=$(date +%s.%N)
  "$zkvm" verify "$tmp/r.receipt" --image-id "$id" >/dev/null
  t1=$(date +%s.%N)
  vsec=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
  echo "| $n | $zk | $jobs | $cycles | $segs (2^$po2) | $secs | $khz | $rss | $bytes | $vsec |"
done
