#!/usr/bin/env bash
# `zkvm model build`: from the committed MLP's .onnx to guest ELFs in a
# temporary directory, with no CMake project, public and private model.
# Each guest runs under `zkvm run` and commits what the in-tree example
# guests (examples/mnist-public, examples/mnist-private, built by CMake from
# the same .onnx and calibration) commit, byte for byte; the public guest has
# the in-tree one's image ID (the two builds use the same flags). Both are
# proven and their receipts verify with the run's journal. Bad arguments
# are named errors with exit status 2.
#   model_build_test.sh ZKVM MODEL.onnx CALIB_IMAGES TEST_IMAGES EXAMPLES_BIN WORK_DIR
set -euo pipefail
zkvm=$1 onnx=$2 calib=$3 images=$4 ex=$5 work=$6
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Public model: weights in the ELF.
"$zkvm" model build "$onnx" --calibration "$calib" --calib-limit 1000 -o pub > pub.log
for f in model.zkml guest.c guest.elf; do [ -s "pub/$f" ] || fail "pub/$f missing"; done
grep -q "calibration check: int8 against the float reference" pub.log || fail "no calibration check in: $(cat pub.log)"
cmp pub/model.zkml "$ex/mnist-public/mnist_public.zkml" || fail "model.zkml differs from the in-tree import"
"$zkvm" model input pub/model.zkml --images "$images" --index 3 -o in.bin 2> /dev/null
"$zkvm" run pub/guest.elf --input in.bin --journal pub.journal > /dev/null 2>&1
"$zkvm" run "$ex/mnist-public/mnist_public.elf" --input in.bin --journal ref.journal > /dev/null 2>&1
[ "$(stat -c %s pub.journal)" = 4 ] || fail "public journal is not one u32 class"
cmp pub.journal ref.journal || fail "public guest's journal differs from examples/mnist-public's"
# The README's last steps: prove the built guest and verify the receipt
# against the ELF; the verified journal is the run's.
"$zkvm" prove pub/guest.elf --input in.bin -o pub.receipt > prove.log 2>&1 || fail "prove: $(cat prove.log)"
"$zkvm" verify pub.receipt --elf pub/guest.elf --journal-out verified.journal > verify.log 2>&1 ||
  fail "verify: $(cat verify.log)"
cmp verified.journal pub.journal || fail "the verified journal differs from the run's"
if "$zkvm" image-id pub/guest.elf > id.txt 2> /dev/null; then
  [ "$(cat id.txt)" = "$("$zkvm" image-id "$ex/mnist-public/mnist_public.elf")" ] ||
    fail "image ID differs from the in-tree build (guest_build.cpp's flags drifted from ZkvmGuest.cmake?)"
fi

# Private model: weights as input, their SHA-256 first in the journal.
"$zkvm" model build "$onnx" --calibration "$calib" --calib-limit 1000 --check-limit 0 --private -o priv > priv.log
grep -q "calibration check" priv.log && fail "--check-limit 0 still ran the check"
"$zkvm" model input priv/model.zkml --images "$images" --index 3 --layout private -o pin.bin 2> /dev/null
"$zkvm" run priv/guest.elf --input pin.bin --journal priv.journal > /dev/null 2>&1
"$zkvm" run "$ex/mnist-private/mnist_private.elf" --input pin.bin --journal pref.journal > /dev/null 2>&1
cmp priv.journal pref.journal || fail "private guest's journal differs from examples/mnist-private's"
[ "$(od -An -tx1 -N32 priv.journal | tr -d ' \n')" = "$(sha256sum priv/model.zkml | cut -c1-64)" ] ||
  fail "private journal does not start with the model's SHA-256"
cmp -i 32:0 priv.journal pub.journal || fail "private guest's class differs from the public guest's"
# Proven with the model as private input: the receipt verifies and its
# journal is the model's hash and the class.
"$zkvm" prove priv/guest.elf --input pin.bin -o priv.receipt > pprove.log 2>&1 || fail "prove: $(cat pprove.log)"
"$zkvm" verify priv.receipt --elf priv/guest.elf --journal-out pverified.journal > pverify.log 2>&1 ||
  fail "verify: $(cat pverify.log)"
cmp pverified.journal priv.journal || fail "the private guest's verified journal differs from the run's"

# Errors: exit 2 and a message naming the problem.
expect_error() {
  local want=$1; shift
  set +e; out=$("$zkvm" model build "$@" 2>&1); rc=$?; set -e
  [ "$rc" = 2 ] || fail "exit $rc for $*: $out"
  grep -q -- "$want" <<<"$out" || fail "no '$want' in: $out"
}
expect_error "missing.onnx: cannot open" missing.onnx --calibration "$calib" -o e1
expect_error "nosdk: not a guest SDK" "$onnx" --calibration "$calib" -o e2 --sdk nosdk
(export ZKVM_GUEST_CLANG=/nonexistent/clang
 expect_error "ZKVM_GUEST_CLANG=/nonexistent/clang is not an executable" "$onnx" --calibration "$calib" -o e6)
expect_error "--private guests take one image" "$onnx" --calibration "$calib" -o e4 --private --batch 2
expect_error "neither IDX images nor raw float32 samples of 784 values" "$onnx" --calibration pub.journal -o e5
echo "model build: public and private guests built outside CMake commit what the in-tree examples commit, proven and verified"
