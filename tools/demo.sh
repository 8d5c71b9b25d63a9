#!/usr/bin/env bash
# The main job, end to end: install missing packages, build, then classify a
# Fashion-MNIST test image with the int8 MLP inside the zkVM (model compiled
# into the guest ELF), show the guest's journal, output and cycle count, and
# prove that classification (a zero-knowledge receipt bound to the ELF's
# image ID) and verify the receipt, then compare float / host-int8 / in-guest
# accuracy on a slice of the test set.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/install-deps.sh"
"$root/tools/build.sh"

zkvm="$build/tools/zkvm"
ex="$build/examples/mnist-public"
data=/usr/share/datasets/fashion-mnist
classes=(T-shirt/top Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag "Ankle boot")

echo
echo "== zkvm run: classify test image 0 in the guest (public model) =="
journal=$(mktemp)
receipt=$(mktemp)
trap 'rm -f "$journal" "$receipt"' EXIT
"$zkvm" run "$ex/mnist_public.elf" --input "$ex/mnist_public_image0.bin" --journal "$journal" --stats 2>&1 \
  | grep -v -E '^  [A-Z]+ +[0-9]+ |instruction mix' || true
cls=$(od -An -tu4 -N4 "$journal" | tr -d ' ')
label=$(gzip -dc "$data/t10k-labels-idx1-ubyte.gz" | od -An -tu1 -j8 -N1 | tr -d ' ')
echo "journal: predicted class $cls (${classes[$cls]}); true label $label (${classes[$label]})"

echo
echo "== zkvm prove: a receipt of that run (zero knowledge: the image stays private) =="
"$zkvm" prove "$ex/mnist_public.elf" --input "$ex/mnist_public_image0.bin" -o "$receipt" 2>&1 \
  | grep -E '^zkvm prove: [0-9]+ cycles|^zkvm prove: image' || true
echo
echo "== zkvm verify: check the receipt against the ELF's image ID =="
"$zkvm" verify "$receipt" --elf "$ex/mnist_public.elf"

echo
echo "== zkvm model eval: float vs host int8 (1000 images) vs in-guest (20 images) =="
"$zkvm" model eval "$root/examples/models/fashion_mlp.onnx" --model "$ex/mnist_public.zkml" \
  --images "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" \
  --limit 1000 --guest "$ex/mnist_public.elf" --guest-limit 20
