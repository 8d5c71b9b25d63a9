#!/usr/bin/env bash
# A/B of the guest prover in one script: builds zkvm_bench_rv32im at a
# reference commit in a scratch worktree, then runs it and this tree's build
# back to back (docs/BENCHMARKS.md "Proving guests").
#   benches/rv32im/compare.sh REF_COMMIT [BUILD_DIR] [--reps N] [--quick]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ref=$1; shift
build=${1:-$root/build}; [ $# -gt 0 ] && shift
work=${TMPDIR:-/tmp}/zkvm-bench-ref-$ref
[ -d "$work" ] || git -C "$root" worktree add -f "$work" "$ref" >/dev/null
cmake -S "$work" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" --target zkvm_bench_rv32im >/dev/null
cmake --build "$build" --target zkvm_bench_rv32im >/dev/null
export OMP_WAIT_POLICY=passive
lscpu | grep "Model name" || true
echo "== reference $ref"; "$work/build/benches/rv32im/zkvm_bench_rv32im" "$@"
echo "== this tree"; "$build/benches/rv32im/zkvm_bench_rv32im" "$@"
