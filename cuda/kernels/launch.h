// Launch geometry shared by the CUDA wrappers (cuda/cuda_hal.cu) and the
// host emulation (cuda/emulate.h): both map (block, thread) to a flat 64-bit
// index with thread_entry, so CI runs the same index arithmetic the GPU
// does. Every index sized by rows x columns is uint64_t: risc0 shipped a
// u32 overflow of col * domain at 2^21 rows (STYLE.md, "Kernels and
// backends").
#pragma once

#include <cstdint>

#include "prover/field/babybear.h"

namespace zkvm::gpu {

// Threads per block for every kernel (a multiple of the warp size).
inline constexpr uint32_t kBlockDim = 256;
// CUDA's limit on gridDim.x.
inline constexpr uint64_t kMaxGridDim = (uint64_t{1} << 31) - 1;

// Flat index of (block, thread). The product is taken in 64 bits: with
// blockIdx.x and blockDim.x both uint32_t, `blockIdx.x * blockDim.x`
// wraps at 2^32 threads.
ZKVM_HD constexpr uint64_t global_index(uint64_t block, uint32_t block_dim, uint32_t thread) {
  return block * block_dim + thread;
}

// Blocks needed for `total` threads.
ZKVM_HD constexpr uint64_t grid_for(uint64_t total, uint32_t block_dim = kBlockDim) {
  return (total + block_dim - 1) / block_dim;
}

// What every launched thread runs: the flat index, a bounds check (the last
// block is partial when total is not a multiple of the block size), then the
// kernel's per-thread body K::run(i, args...).
template <class K, class... A>
ZKVM_HD inline void thread_entry(uint64_t block, uint32_t block_dim, uint32_t thread,
                                 uint64_t total, A... args) {
  const uint64_t i = global_index(block, block_dim, thread);
  if (i < total) K::run(i, args...);
}

// Records the smallest index at which a kernel met a bad input (a zero to
// invert). *slot starts at UINT64_MAX. The emulation runs threads one at a
// time, so a plain min is exact there.
ZKVM_HD inline void record_min_index(uint64_t* slot, uint64_t i) {
#if defined(__CUDA_ARCH__)
  atomicMin(reinterpret_cast<unsigned long long*>(slot), static_cast<unsigned long long>(i));
#else
  if (i < *slot) *slot = i;
#endif
}

// The low `bits` bits of x reversed (bits <= 64).
ZKVM_HD inline uint64_t reverse_bits(uint64_t x, unsigned bits) {
  if (bits == 0) return 0;
#if defined(__CUDA_ARCH__)
  return __brevll(x) >> (64 - bits);
#else
  uint64_t r = 0;
  for (unsigned b = 0; b < bits; ++b) r |= ((x >> b) & 1) << (bits - 1 - b);
  return r;
#endif
}

// Row-major position of (row, col) in a width-column matrix, in 64 bits.
ZKVM_HD constexpr uint64_t elem_index(uint64_t row, uint64_t width, uint64_t col) {
  return row * width + col;
}

}  // namespace zkvm::gpu
