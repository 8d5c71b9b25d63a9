// Per-thread bodies of the batched coset LDE (kernels as in hal_kernels.h).
//
// Matrices are row-major, width w; a transform runs down every column, so
// thread i handles column i % w of butterfly i / w and a warp touches
// consecutive columns of the same rows.
//
// The LDE of a height-n matrix to N = n * B rows, B = 2^log_blowup, with
// bit-reversed output (the CPU layout, prover/ntt/ntt.cpp coset_lde):
//   1. inverse DIF of the input (natural -> bit-reversed): n * coefficients;
//   2. LdeScatter: row b*n + k of the output = coefficient k times
//      s_b^k / n, s_b = shift * g_N^rev_B(b) (table from LdeScaleTable);
//   3. forward DIF of each of the B blocks (natural -> bit-reversed).
// Row b*n + j then holds f(s_b g_n^rev_n(j)) = f(shift * g_N^rev_N(b*n+j)).
#pragma once

#include <cstdint>

#include "cuda/kernels/launch.h"
#include "prover/field/babybear.h"

namespace zkvm::gpu {

using field::Fp;

// tw[j] = root^j, j < len.
struct PowerTable {
  ZKVM_HD static void run(uint64_t j, Fp* tw, Fp root) { tw[j] = root.pow(j); }
};

// Where butterfly thread i of a DIF stage reads and writes. The stage has
// span half = n >> (stage + 1); butterfly (group, j) pairs rows
// group*2*half + j and that + half of its block, with twiddle tw[j << stage].
struct DifSlot {
  uint64_t row0;     // first row of the pair (the second is row0 + half)
  uint64_t col;      // column
  uint64_t twiddle;  // index into the size-n/2 twiddle table
};

ZKVM_HD inline DifSlot dif_slot(uint64_t i, uint64_t width, unsigned log_n, unsigned stage) {
  const uint64_t col = i % width, bf = i / width;
  const unsigned log_half = log_n - 1 - stage;
  const uint64_t per_block = uint64_t{1} << (log_n - 1);  // butterflies per block and stage
  const uint64_t blk = bf >> (log_n - 1), within = bf & (per_block - 1);
  const uint64_t group = within >> log_half, j = within & ((uint64_t{1} << log_half) - 1);
  return {(blk << log_n) + (group << (log_half + 1)) + j, col, j << stage};
}

// One radix-2 decimation-in-frequency stage over `blocks` independent blocks
// of n = 2^log_n rows (threads: blocks * n/2 * width). After stages
// 0..log_n-1 a block holds the transform of its natural-order input in
// bit-reversed order; tw[j] = omega^j with omega of order n (its inverse for
// the inverse transform, unscaled).
struct DifStage {
  ZKVM_HD static void run(uint64_t i, Fp* data, uint64_t width, unsigned log_n, unsigned stage,
                          const Fp* tw) {
    const DifSlot s = dif_slot(i, width, log_n, stage);
    const uint64_t half = uint64_t{1} << (log_n - 1 - stage);
    Fp* a = data + elem_index(s.row0, width, s.col);
    Fp* b = data + elem_index(s.row0 + half, width, s.col);
    const Fp x = *a, y = *b;
    *a = x + y;
    *b = (x - y) * tw[s.twiddle];
  }
};

// scale[b*n + k] = n_inv * s_b^k, s_b = shift * g_big^rev_B(b).
struct LdeScaleTable {
  ZKVM_HD static void run(uint64_t i, Fp* scale, unsigned log_n, unsigned log_blowup, Fp shift,
                          Fp g_big, Fp n_inv) {
    const uint64_t b = i >> log_n, k = i & ((uint64_t{1} << log_n) - 1);
    const Fp s_b = shift * g_big.pow(reverse_bits(b, log_blowup));
    scale[i] = n_inv * s_b.pow(k);
  }
};

// out(b*n + k, c) = coeffs_rev(rev_n(k), c) * scale[b*n + k], where
// coeffs_rev is the inverse DIF's output (n * coefficients, bit-reversed).
// Threads: N * width.
struct LdeScatter {
  ZKVM_HD static void run(uint64_t i, const Fp* coeffs_rev, Fp* out, uint64_t width,
                          unsigned log_n, const Fp* scale) {
    const uint64_t c = i % width, row = i / width;
    const uint64_t k = row & ((uint64_t{1} << log_n) - 1);
    out[i] = coeffs_rev[elem_index(reverse_bits(k, log_n), width, c)] * scale[row];
  }
};

}  // namespace zkvm::gpu
