#!/usr/bin/env bash
# Fuzzes receipt parsing and verification with libFuzzer (harness:
# tests/fuzz/fuzz_receipt.cpp; results: docs/AUDIT.md "Receipt fuzzing").
#
#   tools/fuzz-receipt.sh [SECONDS] [libFuzzer flags...]     (default 60 s)
#
# 1. Configures and builds ${FUZZ_BUILD_DIR:-build-fuzz} (Clang, ZKVM_FUZZ=ON,
#    ASan + UBSan + libFuzzer; only the harness and the verifier libraries).
# 2. Makes known-good seed receipts with the normal build's CLI: the hello
#    guest proved with and without zero knowledge (${BUILD_DIR:-build}/tools/
#    zkvm, brought up to date first: seeds from another source tree than the
#    fuzz build's are refused by the harness). FUZZ_SEEDS=DIR uses the
#    receipts in DIR instead and builds nothing in BUILD_DIR.
# 3. Runs the fuzzer for SECONDS on ${FUZZ_WORK:-$FUZZ_BUILD_DIR/fuzz-receipt}/
#    corpus (kept between runs) plus the seeds; a finding is written there as
#    crash-*/timeout-*/oom-* and the exit status is non-zero.
# Exits 77 (skipped) when clang++ cannot link a libFuzzer target.
# FUZZ_BUILD_JOBS (default 1) sets the build's parallelism.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
fuzz_build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
build=${BUILD_DIR:-$root/build}
work=${FUZZ_WORK:-$fuzz_build/fuzz-receipt}
jobs=${FUZZ_BUILD_JOBS:-1}

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
if ! command -v clang++ >/dev/null ||
  ! clang++ -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>/dev/null; then
  echo "fuzz-receipt: skipped: clang++ with libFuzzer (-fsanitize=fuzzer) is not available"
  exit 77
fi

if [ ! -f "$fuzz_build/build.ninja" ]; then
  cmake -S "$root" -B "$fuzz_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DZKVM_FUZZ=ON \
    -DZKVM_BUILD_TESTS=OFF -DZKVM_BUILD_BENCHES=OFF -DZKVM_BUILD_GUESTS=OFF >/dev/null
fi
cmake --build "$fuzz_build" --target fuzz_receipt -j "$jobs"

mkdir -p "$work/corpus"
if [ -n "${FUZZ_SEEDS:-}" ]; then
  seeds=$FUZZ_SEEDS
else
  seeds=$work/seeds
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build" --target zkvm hello -j "$jobs"
  mkdir -p "$seeds"
  rm -f "$seeds"/*.receipt
  elf=$build/examples/hello/hello.elf
  printf 'fuzz' >"$probe/in1"
  printf 'a longer name for the seed without zk' >"$probe/in2"
  prove() { "$build/tools/zkvm" prove "$elf" "$@" >"$probe/log" 2>&1 || { cat "$probe/log"; exit 1; }; }
  prove --input "$probe/in1" -o "$seeds/hello-zk.receipt"
  prove --no-zk --input "$probe/in2" -o "$seeds/hello-nozk.receipt"
  prove --no-zk --segment-po2 10 --input "$probe/in1" -o "$seeds/hello-segments.receipt"
fi
echo "fuzz-receipt: seeds in $seeds: $(find "$seeds" -type f | wc -l); corpus $work/corpus:" \
  "$(find "$work/corpus" -type f | wc -l) files; ${secs} s"

# Receipts are ~0.5 MB: max_len 1 MiB, no length ramp-up (len_control=0),
# no dictionary. An input takes about 7 ms (two verifications under ASan),
# so 60 s is a hang. The corpus is kept in memory (a few hundred 0.5 MB
# inputs after an hour): rss_limit 8 GB; one allocation over 1 GB is a
# finding.
cd "$work"
ZKVM_FUZZ_RECEIPTS=$seeds "$fuzz_build/tests/fuzz/fuzz_receipt" \
  -max_len=1048576 -len_control=0 -timeout=60 -rss_limit_mb=8192 -malloc_limit_mb=1024 \
  -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" "$@" "$work/corpus" "$seeds"
