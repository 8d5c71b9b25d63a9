# Sourced by the proving benchmark scripts (continuations.sh, accel.sh):
# prove_row ZKVM ELF INPUT TMPDIR [prove flags...] runs `zkvm prove` and
# `zkvm verify` and sets, from the prover's summary line and the receipt:
# cycles, segs ("N segments of 2^K rows"), nsegs, secs, khz, rss (MiB),
# bytes (receipt), vsec (verify seconds).
prove_row() {
  local zkvm=$1 elf=$2 input=$3 tmp=$4
  shift 4
  "$zkvm" prove "$elf" --input "$input" -o "$tmp/r.receipt" "$@" 2>"$tmp/prove.log" >/dev/null
  local summary id t0 t1
  summary=$(grep '^zkvm prove: [0-9]* cycles' "$tmp/prove.log")
  cycles=$(sed -E 's/^zkvm prove: ([0-9]+) cycles.*/\1/' <<<"$summary")
  segs=$(sed -E 's/.* ([0-9]+ segments? of 2\^[0-9]+ rows).*/\1/' <<<"$summary")
  nsegs=$(sed -E 's/.* ([0-9]+) segments? of.*/\1/' <<<"$summary")
  secs=$(sed -E 's/.*proved in ([0-9.]+) s.*/\1/' <<<"$summary")
  khz=$(sed -E 's/.*\(([0-9.]+) kHz\).*/\1/' <<<"$summary")
  rss=$(sed -E 's/.*peak RSS ([0-9]+) MiB.*/\1/' <<<"$summary")
  bytes=$(stat -c %s "$tmp/r.receipt")
  id=$(sed -nE 's/^zkvm prove: image ([0-9a-f]{64}) .*/\1/p' "$tmp/prove.log")
  t0=$(date +%s.%N)
  "$zkvm" verify "$tmp/r.receipt" --image-id "$id" >/dev/null
  t1=$(date +%s.%N)
  vsec=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
}
