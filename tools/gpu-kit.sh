#!/usr/bin/env bash
# Packs a GPU check into gpu-kit/ (git-ignored), built here: the lent GPU
# machines (device tool, docs/CUDA.md "Running on a GPU") have nvcc and
# CMake but none of the project's Debian packages, so binaries built on
# this machine travel with the shared libraries they link.
#
#   tools/gpu-kit.sh            # builds ${BUILD_DIR:-build} (needs nvcc) and fills gpu-kit/
#
# Then, in one call of the device tool: carry ["gpu-kit"], command
# "bash gpu-kit/run.sh" (tools/gpu-run.sh; results under $OUT).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
kit=$root/gpu-kit
[ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
[ -f "$build/cuda/libzkvm_cuda_hal.a" ] || cmake --build "$build" --target zkvm_cuda_hal
[ -f "$build/cuda/libzkvm_cuda_hal.a" ] || { echo "gpu-kit: $build has no CUDA backend (nvcc not found at configure time)" >&2; exit 2; }
bins=(tools/zkvm benches/hal/zkvm_bench_hal benches/rv32im/zkvm_bench_rv32im
      tests/cuda/zkvm_test_cuda_device tests/cuda/zkvm_test_cuda_proof tests/cuda/zkvm_test_cuda_emulate
      cuda/zkvm_cuda_field_check_run)
targets=()
for b in "${bins[@]}"; do targets+=("$(basename "$b")"); done
cmake --build "$build" --target "${targets[@]}" mnist_public mnist_public_cnn mnist_public_inputs rv32im_bench_loop

rm -rf "$kit"
mkdir -p "$kit/bin" "$kit/lib" "$kit/guests"
for b in "${bins[@]}"; do cp "$build/$b" "$kit/bin/"; done
# Every shared library the binaries load but the C runtime and the driver.
for b in "$kit"/bin/*; do
  ldd "$b" | awk '/=> \// {print $3}'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*|libcuda.so.*) ;;
    *) cp -L "$lib" "$kit/lib/" ;;
  esac
done
ex=$build/examples/mnist-public
cp "$ex/mnist_public.elf" "$ex/mnist_public_image0.bin" "$ex/mnist_public_cnn.elf" "$ex/mnist_public_cnn_image0.bin" \
   "$build/benches/rv32im/rv32im_bench_loop.elf" "$kit/guests/"
cp "$root/tools/gpu-run.sh" "$kit/run.sh"
git -C "$root" rev-parse --short HEAD >"$kit/COMMIT"
echo "gpu-kit: $(du -sh "$kit" | cut -f1) in $kit (commit $(cat "$kit/COMMIT")); on the device: bash gpu-kit/run.sh"
