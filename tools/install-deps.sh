#!/usr/bin/env bash
# Installs every Debian package the project needs (build, guest toolchain,
# tests, benchmarks, model training). Idempotent: installs only what is missing.
set -euo pipefail

PACKAGES=(
  # host build
  cmake ninja-build g++ pkg-config
  # guest toolchain: clang/lld with the riscv32 target, picolibc for rv32im,
  # libgcc.a of the rv32im/ilp32 multilib, libc++ headers for header-only C++
  clang lld llvm picolibc-riscv64-unknown-elf gcc-riscv64-unknown-elf libc++-14-dev
  # libraries
  libssl-dev libspdlog-dev libfmt-dev catch2 libeigen3-dev libcli11-dev
  libbenchmark-dev libomp-dev libonnx-dev libprotobuf-dev protobuf-compiler zlib1g-dev libpng-dev
  # distributed proving (zkvm-mpi): Open MPI
  openmpi-bin libopenmpi-dev
  # test oracle
  qemu-user
  # ML: training, ONNX export, datasets and ONNX conformance data
  python3-torch python3-onnx python3-numpy dataset-fashion-mnist libonnx-testdata
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
