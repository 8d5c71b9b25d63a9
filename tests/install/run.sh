#!/usr/bin/env bash
# Installs the build tree into a fresh prefix, then, as an integrator would:
# configures tests/install/consumer against it (find_package(zkvm)), builds
# its guest and its C verifier, proves the guest with the installed CLI and
# verifies the receipt with the consumer's program; finally compiles the
# same C program with only `pkg-config zkvm-verifier`.
#   run.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) work=$3
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in bin/zkvm lib/libzkvm_verifier.a include/zkvm/verifier.h lib/cmake/zkvm/zkvmConfig.cmake \
         lib/pkgconfig/zkvm-verifier.pc share/zkvm/guest-sdk/cmake/ZkvmGuest.cmake share/zkvm/guest-sdk/runtime/guest.ld; do
  [ -e "$prefix/$f" ] || { echo "install: $f is missing" >&2; exit 1; }
done

cmake -S "$src/tests/install/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DVERIFY_RECEIPT_SRC="$src/examples/verify-receipt/verify_receipt.c" >/dev/null
cmake --build "$work/consumer" >/dev/null

elf=$work/consumer/consumer_guest.elf
printf '\001\002\003' >"$work/in.bin"
set +e
"$prefix/bin/zkvm" run "$elf" --input "$work/in.bin" --journal "$work/journal.bin"
rc=$?
set -e
[ "$rc" = 3 ] || { echo "consumer guest exited $rc, want 3" >&2; exit 1; }
[ "$(od -An -tx1 "$work/journal.bin" | tr -d ' \n')" = 020406 ] || { echo "wrong journal" >&2; exit 1; }

"$prefix/bin/zkvm" prove "$elf" --input "$work/in.bin" -o "$work/g.receipt" 2>"$work/prove.log"
id=$("$prefix/bin/zkvm" image-id "$elf")
"$work/consumer/check_receipt" "$work/g.receipt" "$id"
# A wrong image ID is refused.
if "$work/consumer/check_receipt" "$work/g.receipt" "$(printf '%064d' 0)"; then
  echo "check_receipt accepted a wrong image ID" >&2
  exit 1
fi

# Without CMake: pkg-config alone.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046
cc -o "$work/pc_check" "$src/examples/verify-receipt/verify_receipt.c" $(pkg-config --cflags --libs zkvm-verifier)
"$work/pc_check" "$work/g.receipt" "$id"
# `zkvm model build` from the install: the SDK under share/zkvm/guest-sdk,
# no CMake project (skipped when the CLI lacks the ONNX importer).
fm=/usr/share/datasets/fashion-mnist
if "$prefix/bin/zkvm" model build --help >/dev/null 2>&1 && [ -e "$fm/train-images-idx3-ubyte.gz" ]; then
  "$prefix/bin/zkvm" model build "$src/examples/models/fashion_mlp.onnx" --calibration "$fm/train-images-idx3-ubyte.gz" \
    --calib-limit 50 --check-limit 0 -o "$work/model" >"$work/model.log"
  grep -q "guest SDK: $prefix/share/zkvm/guest-sdk (the installed SDK" "$work/model.log" ||
    { echo "model build did not use the installed SDK: $(grep 'guest SDK' "$work/model.log")" >&2; exit 1; }
  "$prefix/bin/zkvm" model input "$work/model/model.zkml" --images "$fm/t10k-images-idx3-ubyte.gz" -o "$work/img.bin" 2>/dev/null
  "$prefix/bin/zkvm" run "$work/model/guest.elf" --input "$work/img.bin" --journal "$work/class.bin" >/dev/null 2>&1
  [ "$(stat -c %s "$work/class.bin")" = 4 ] || { echo "model guest journal is not one class" >&2; exit 1; }
fi
echo "install: consumer project and pkg-config build verify the receipt"
