#!/usr/bin/env bash
# The GPU check, run on a lent GPU machine from the kit tools/gpu-kit.sh
# made (copied there as gpu-kit/run.sh): one call of the device tool,
#   carry ["gpu-kit"], command "bash gpu-kit/run.sh", timeout_s 540.
# Writes under $OUT (else ./gpu-results): the GPU, the CUDA tests (the
# on-GPU ones run here: dual backend and whole proofs against the CPU HAL),
# the HAL benchmarks on the GPU and the CPU, and RV32IM proofs with
# --device cuda against --device cpu (without zk both receipts must be
# byte-identical; with zk both must verify). Each step has its own time
# limit, so one that hangs cannot eat the call.
set -uo pipefail
kit=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$PWD/gpu-results}
mkdir -p "$out"
export LD_LIBRARY_PATH="$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OMP_WAIT_POLICY=passive
bin=$kit/bin g=$kit/guests
log=$out/summary.txt
say() { echo "$*" | tee -a "$log"; }
step() {  # step NAME SECONDS COMMAND...: output to $out/NAME.txt, status to the summary
  local name=$1 secs=$2
  shift 2
  local t0=$EPOCHREALTIME rc
  timeout "$secs" "$@" >"$out/$name.txt" 2>&1
  rc=$?
  say "$(awk -v n="$name" -v rc="$rc" -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%-28s rc=%-3s %6.1f s", n, rc, b - a }')"
  return 0
}
say "kit commit $(cat "$kit/COMMIT" 2>/dev/null), $(date -u), $(nproc) CPU cores"
(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 || echo "no nvidia-smi") | tee -a "$log"
step field-check 60 "$bin/zkvm_cuda_field_check_run"
step test-cuda-device 240 "$bin/zkvm_test_cuda_device"
step test-cuda-proof 120 "$bin/zkvm_test_cuda_proof"
# HAL kernels: the issue's 2^24 x 64 LDE on the GPU (4 GiB in, 16 GiB out;
# H100 SXM HBM3 about 3.35 TB/s), and the same kernels on this machine's CPUs.
step bench-hal-cuda-24 240 "$bin/zkvm_bench_hal" --device cuda --log-n 24 --width 64 --reps 3 --hbm-gbps 3350
step bench-hal-cuda-20 120 "$bin/zkvm_bench_hal" --device cuda --log-n 20 --width 64 --reps 3 --hbm-gbps 3350 --stark-log-n 20
step bench-hal-cpu-20 180 "$bin/zkvm_bench_hal" --device cpu --log-n 20 --width 64 --reps 3 --stark-log-n 20
step bench-hal-dual-18 120 "$bin/zkvm_bench_hal" --device dual --log-n 18 --width 64 --reps 1 --stark-log-n 16
# RV32IM: the MLP and a 2^20-row loop segment (65536 iterations), CPU and GPU.
printf '\x00\x00\x01\x00' >"$out/loop65536.bin"
for dev in cpu cuda; do
  step "prove-mlp-$dev" 120 "$bin/zkvm" prove "$g/mnist_public.elf" --input "$g/mnist_public_image0.bin" \
    --device "$dev" -o "$out/mlp-$dev.receipt"
  step "prove-mlp-nozk-$dev" 120 "$bin/zkvm" prove "$g/mnist_public.elf" --input "$g/mnist_public_image0.bin" \
    --device "$dev" --no-zk -o "$out/mlp-nozk-$dev.receipt"
  step "prove-loop20-$dev" 300 "$bin/zkvm" prove "$g/rv32im_bench_loop.elf" --input "$out/loop65536.bin" \
    --segment-po2 20 --device "$dev" -o "$out/loop20-$dev.receipt"
done
for r in mlp-cuda mlp-nozk-cuda loop20-cuda; do
  [ -f "$out/$r.receipt" ] || { say "verify $r: no receipt"; continue; }
  elf=$g/mnist_public.elf
  [ "${r#loop}" != "$r" ] && elf=$g/rv32im_bench_loop.elf
  step "verify-$r" 60 "$bin/zkvm" verify "$out/$r.receipt" --elf "$elf"
done
if cmp -s "$out/mlp-nozk-cpu.receipt" "$out/mlp-nozk-cuda.receipt"; then
  say "MLP receipt without zk: cpu and cuda byte-identical"
else
  say "MLP receipt without zk: cpu and cuda DIFFER (or one is missing)"
fi
# The proving bench on the GPU (zk, plain and lean-LDE runs of one loop
# segment of 2^18 rows; stage timings): the same table as on the CPU.
printf '\x00\x40\x00\x00' >"$out/loop16384.bin"
step bench-rv32im-cuda 120 "$bin/zkvm_bench_rv32im" --device cuda --stages --elf "$g/rv32im_bench_loop.elf" \
  --input "$out/loop16384.bin"
rm -f "$out/loop16384.bin"
grep -h "proved in" "$out"/prove-*.txt | tee -a "$log"
rm -f "$out"/*.receipt "$out/loop65536.bin"  # at most 8 files come back: keep the logs that matter
cd "$out" && tar czf logs.tgz ./*.txt && find . -name '*.txt' ! -name summary.txt -delete
