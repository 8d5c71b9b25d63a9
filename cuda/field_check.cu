// Compile-and-run check that prover/field/babybear.h works in device code:
// the kernel evaluates a few Fp/Fp4 identities per thread and counts
// failures. The host launcher returns a status, never throws (sppark style).
#include <cuda_runtime.h>

#include <cstdint>

#include "prover/field/babybear.h"

namespace {
using zkvm::field::Fp;
using zkvm::field::Fp4;

__global__ void field_check_kernel(uint32_t n, uint32_t* failures) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const Fp a = Fp::from_canonical(i * 2654435761u % Fp::kModulus);
  const Fp b = Fp::from_u64(uint64_t{i} * 0x9e3779b97f4a7c15ull);
  uint32_t bad = 0;
  if ((a + b) - b != a) ++bad;
  if (a * (b + Fp::one()) != a * b + a) ++bad;
  if (!a.is_zero() && a * a.inverse() != Fp::one()) ++bad;
  const unsigned k = 1 + i % 27;  // runtime log_n: the root table must be device-visible
  const Fp g = zkvm::field::two_adic_generator(k);
  if (g.pow(uint64_t{1} << k) != Fp::one() || g.pow(uint64_t{1} << (k - 1)) == Fp::one()) ++bad;
  const Fp4 x = Fp4::from_base(a, b, a * b, a + b);
  if (!x.is_zero() && x * x.inverse() != Fp4::one()) ++bad;
  if (Fp4::x().pow(4) != Fp4(Fp::from_canonical(Fp4::kW))) ++bad;
  if (bad != 0) atomicAdd(failures, bad);
}
}  // namespace

// Runs the check on n threads. Returns 0 and sets *failures on success, or
// the cudaError_t value of the first CUDA call that failed.
extern "C" int zkvm_cuda_field_check(uint32_t n, uint32_t* failures) {
  uint32_t* d = nullptr;
  cudaError_t e = cudaMalloc(&d, sizeof(uint32_t));
  if (e != cudaSuccess) return static_cast<int>(e);
  e = cudaMemset(d, 0, sizeof(uint32_t));
  if (e == cudaSuccess) {
    field_check_kernel<<<(n + 255) / 256, 256>>>(n, d);
    e = cudaGetLastError();
  }
  if (e == cudaSuccess) e = cudaMemcpy(failures, d, sizeof(uint32_t), cudaMemcpyDeviceToHost);
  cudaFree(d);
  return static_cast<int>(e);
}
