#!/usr/bin/env bash
# Suite entry for the receipt fuzz harness (the libFuzzer run itself is
# tools/fuzz-receipt.sh): proves the hello guest with and without zero
# knowledge, then replays those receipts and the committed corpus through
# the harness (fuzz_receipt_replay: same checks, plain main()).
#   replay.sh ZKVM FUZZ_RECEIPT_REPLAY HELLO_ELF CORPUS_DIR
set -euo pipefail
zkvm=$1 replay=$2 elf=$3 corpus=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/seeds"
printf 'fuzz' >"$tmp/in1"
printf 'a longer name for the seed without zk' >"$tmp/in2"
prove() { "$zkvm" prove "$elf" "$@" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }; }
prove --input "$tmp/in1" -o "$tmp/seeds/hello-zk.receipt"
prove --no-zk --input "$tmp/in2" -o "$tmp/seeds/hello-nozk.receipt"
prove --no-zk --segment-po2 10 --input "$tmp/in1" -o "$tmp/seeds/hello-segments.receipt"
ZKVM_FUZZ_RECEIPTS=$tmp/seeds "$replay" "$tmp/seeds" "$corpus"
