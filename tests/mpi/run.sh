#!/usr/bin/env bash
# zkvm-mpi on 3 ranks (oversubscribed on a small box) proves the hello guest
# in 4 segments of 2^10 cycles; `zkvm verify` accepts the receipt with the
# journal and exit code of `zkvm run`, and refuses it for another image ID.
#   run.sh MPIEXEC ZKVM_MPI ZKVM HELLO_ELF WORKDIR
set -euo pipefail
mpiexec=$1 zkvm_mpi=$2 zkvm=$3 elf=$4 work=$5
rm -rf "$work" && mkdir -p "$work"
printf 'mpi' >"$work/in.bin"
# Open MPI refuses root without these (CI runs as root); --oversubscribe
# lets 3 ranks share 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
"$mpiexec" -np 3 "$zkvm_mpi" prove "$elf" --input "$work/in.bin" --segment-po2 10 -o "$work/r.receipt" \
  >"$work/prove.out" 2>"$work/prove.err" || { cat "$work/prove.err" >&2; exit 1; }
grep -q '4 segments of 2^10 over 3 ranks' "$work/prove.err" || { echo "expected 4 segments over 3 ranks" >&2; cat "$work/prove.err" >&2; exit 1; }
"$zkvm" verify "$work/r.receipt" --elf "$elf" --journal-out "$work/journal.bin" >"$work/verify.out"
"$zkvm" run "$elf" --input "$work/in.bin" --journal "$work/journal.ref" >/dev/null
cmp "$work/journal.bin" "$work/journal.ref" || { echo "journal differs from zkvm run's" >&2; exit 1; }
grep -q 'exit code 0' "$work/verify.out" || { cat "$work/verify.out" >&2; exit 1; }
set +e
"$zkvm" verify "$work/r.receipt" --image-id "$(printf '%064d' 0)" >/dev/null 2>"$work/wrong.err"
status=$?
set -e
[ "$status" -eq 1 ] || { echo "a wrong image ID gave exit $status, expected 1" >&2; exit 1; }
grep -q 'image ID mismatch' "$work/wrong.err" || { cat "$work/wrong.err" >&2; exit 1; }
echo "zkvm-mpi: receipt of $(grep -o '[0-9]* cycles' "$work/verify.out") verified"
