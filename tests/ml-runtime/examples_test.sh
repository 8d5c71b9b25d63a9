#!/usr/bin/env bash
# The example guests (examples/mnist-*) under `zkvm run` predict the same
# classes as the host int8 run (zkml-tool predict) on Fashion-MNIST test
# images, and mnist-private commits the model's SHA-256 first.
# usage: examples_test.sh ZKVM ZKML_TOOL IMAGES EXAMPLES_BUILD_DIR WORK_DIR
set -euo pipefail
zkvm=$1 tool=$2 images=$3 ex=$4 work=$5
mkdir -p "$work"
fail=0
u32s() { od -An -tu4 -v "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

for kind in mlp cnn; do
  elf=$ex/mnist-public/mnist_public.elf
  [ "$kind" = cnn ] && elf=$ex/mnist-public/mnist_public_cnn.elf
  model=$ex/mnist-public/mnist_public.zkml
  [ "$kind" = cnn ] && model=$ex/mnist-public/mnist_public_cnn.zkml
  want=$("$tool" predict "$model" --images "$images" --index 100 --count 6 | tr '\n' ' ' | sed 's/ $//')
  got=""
  for i in 100 101 102 103 104 105; do
    "$tool" input "$model" "$work/in_$kind.bin" --images "$images" --index $i
    "$zkvm" run "$elf" --input "$work/in_$kind.bin" --journal "$work/j_$kind.bin" 2>/dev/null
    got="$got $(u32s "$work/j_$kind.bin")"
  done
  got=${got# }
  if [ "$got" != "$want" ]; then echo "mnist-public ($kind): guest [$got] host [$want]"; fail=1; fi
done

model=$ex/mnist-batch/mnist_batch.zkml
"$tool" input "$model" "$work/batch.bin" --images "$images" --index 200 --count 12 --layout batch
"$zkvm" run "$ex/mnist-batch/mnist_batch.elf" --input "$work/batch.bin" --journal "$work/j_batch.bin" 2>/dev/null
want="12 $("$tool" predict "$model" --images "$images" --index 200 --count 12 | tr '\n' ' ' | sed 's/ $//')"
got=$(u32s "$work/j_batch.bin")
if [ "$got" != "$want" ]; then echo "mnist-batch: guest [$got] host [$want]"; fail=1; fi

model=$ex/mnist-private/fashion_mlp.zkml
"$tool" input "$model" "$work/private.bin" --images "$images" --index 300 --layout private
"$zkvm" run "$ex/mnist-private/mnist_private.elf" --input "$work/private.bin" --journal "$work/j_private.bin" 2>/dev/null
digest=$(head -c 32 "$work/j_private.bin" | od -An -tx1 -v | tr -d ' \n')
want_digest=$(sha256sum "$model" | cut -d' ' -f1)
tail -c 4 "$work/j_private.bin" > "$work/j_private_cls.bin"
got=$(u32s "$work/j_private_cls.bin")
want=$("$tool" predict "$model" --images "$images" --index 300)
if [ "$digest" != "$want_digest" ]; then echo "mnist-private: digest $digest, model sha256 $want_digest"; fail=1; fi
if [ "$got" != "$want" ]; then echo "mnist-private: guest class $got host $want"; fail=1; fi
if [ "$(stat -c %s "$work/j_private.bin")" != 36 ]; then echo "mnist-private: journal is not digest + class"; fail=1; fi

# A malformed private model: the guest panics (exit 101) naming the problem.
cp "$work/private.bin" "$work/private_bad.bin"
printf 'X' | dd of="$work/private_bad.bin" bs=1 seek=4 conv=notrunc 2>/dev/null
set +e
err=$("$zkvm" run "$ex/mnist-private/mnist_private.elf" --input "$work/private_bad.bin" 2>&1 >/dev/null)
rc=$?
set -e
if [ $rc != 101 ] || ! echo "$err" | grep -q "bad magic"; then
  echo "mnist-private with a corrupted model: exit $rc, stderr: $err"; fail=1
fi

[ $fail = 0 ] && echo "example guests agree with the host int8 run"
exit $fail
