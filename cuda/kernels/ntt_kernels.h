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
//      twiddles and powers are built by ExtendTable (tables.h);
//   3. forward DIF of each of the B blocks (natural -> bit-reversed).
// A DIF is DifStage2 passes (two stages each, DifStage for an odd one out)
// down to spans that fit a tile, then one DifTile launch for the last
// log_tile stages in shared memory.
// Row b*n + j then holds f(s_b g_n^rev_n(j)) = f(shift * g_N^rev_N(b*n+j)).
#pragma once

#include <cstdint>

#include "cuda/kernels/launch.h"
#include "prover/field/babybear.h"

namespace zkvm::gpu {

using field::Fp;

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

// Two DIF stages (stage, stage + 1) in one pass: thread i takes the four
// rows base + j + {0, q, 2q, 3q} of a group of 4q = n >> stage rows, does
// the two stage-`stage` butterflies (j, j+2q), (j+q, j+3q), then the two
// stage-(stage+1) butterflies (j, j+q), (j+2q, j+3q). Halves the passes
// over global memory. Threads: blocks * n/4 * width; needs stage + 2 <= log_n.
struct Dif4Slot {
  uint64_t row0;  // first of the four rows (the others are + q, 2q, 3q)
  uint64_t col;
  uint64_t j;     // position in the quarter group
};

ZKVM_HD inline Dif4Slot dif4_slot(uint64_t i, uint64_t width, unsigned log_n, unsigned stage) {
  const uint64_t col = i % width, qi = i / width;
  const unsigned log_q = log_n - 2 - stage;
  const uint64_t per_block = uint64_t{1} << (log_n - 2);
  const uint64_t blk = qi >> (log_n - 2), within = qi & (per_block - 1);
  const uint64_t group = within >> log_q, j = within & ((uint64_t{1} << log_q) - 1);
  return {(blk << log_n) + (group << (log_q + 2)) + j, col, j};
}

struct DifStage2 {
  ZKVM_HD static void run(uint64_t i, Fp* data, uint64_t width, unsigned log_n, unsigned stage,
                          const Fp* tw) {
    const Dif4Slot s = dif4_slot(i, width, log_n, stage);
    const uint64_t q = uint64_t{1} << (log_n - 2 - stage);
    Fp* p0 = data + elem_index(s.row0, width, s.col);
    Fp* p1 = data + elem_index(s.row0 + q, width, s.col);
    Fp* p2 = data + elem_index(s.row0 + 2 * q, width, s.col);
    Fp* p3 = data + elem_index(s.row0 + 3 * q, width, s.col);
    const Fp a0 = *p0, a1 = *p1, a2 = *p2, a3 = *p3;
    const Fp b0 = a0 + a2, b2 = (a0 - a2) * tw[s.j << stage];
    const Fp b1 = a1 + a3, b3 = (a1 - a3) * tw[(s.j + q) << stage];
    const Fp t = tw[s.j << (stage + 1)];
    *p0 = b0 + b1;
    *p1 = (b0 - b1) * t;
    *p2 = b2 + b3;
    *p3 = (b2 - b3) * t;
  }
};

// The last log_tile stages of a DIF, which stay inside tiles of
// T = 2^log_tile consecutive rows, in one launch with shared memory: CUDA
// block `block` takes column block % width of tile block / width, T/2
// threads, one butterfly each per phase, a barrier between phases
// (block_kernel_entry in cuda_hal.cu; HostExec::launch_blocks runs every
// thread of a phase before the next phase). Phase 0 reads global memory,
// the last phase writes it. In phase p (global stage s0 + p, s0 = log_n -
// log_tile) thread t owns rows l0, l0 + h of the tile, h = T >> (p+1):
// no two threads touch the same shared element within a phase.
struct DifTile {
  using Shared = Fp;
  static constexpr unsigned kMaxLogTile = 9;  // 512 rows, 256 threads, 2 KiB shared
  ZKVM_HD static void run(uint64_t block, uint32_t t, unsigned phase, Fp* sh, Fp* data,
                          uint64_t width, unsigned log_n, unsigned log_tile, const Fp* tw) {
    const uint64_t col = block % width, tile = block / width;
    const unsigned log_h = log_tile - 1 - phase;
    const uint64_t h = uint64_t{1} << log_h;
    const uint64_t l0 = ((uint64_t{t} >> log_h) << (log_h + 1)) + (t & (h - 1)), l1 = l0 + h;
    const uint64_t j = t & (h - 1);
    const uint64_t base = tile << log_tile;
    Fp x, y;
    if (phase == 0) {
      x = data[elem_index(base + l0, width, col)];
      y = data[elem_index(base + l1, width, col)];
    } else {
      x = sh[l0];
      y = sh[l1];
    }
    const Fp u = x + y, v = (x - y) * tw[j << (log_n - log_tile + phase)];
    if (phase + 1 == log_tile) {
      data[elem_index(base + l0, width, col)] = u;
      data[elem_index(base + l1, width, col)] = v;
    } else {
      sh[l0] = u;
      sh[l1] = v;
    }
  }
};

// scale[b*n + k] = s_b^k / n, s_b = shift * g_N^rev_B(b), from power
// tables of size n and B (not N): s_b^k = shift^k * g_N^e with
// e = rev_B(b) * k < N, and g_N^e = g_N^(e mod n) * g_B^(e / n) since
// g_N^n = g_B.
struct LdeScaleTable {
  ZKVM_HD static void run(uint64_t i, Fp* scale, unsigned log_n, unsigned log_blowup,
                          const Fp* shift_pow, const Fp* g_big_pow, const Fp* g_blowup_pow,
                          Fp n_inv) {
    const uint64_t mask = (uint64_t{1} << log_n) - 1;
    const uint64_t b = i >> log_n, k = i & mask;
    const uint64_t e = reverse_bits(b, log_blowup) * k;
    scale[i] = n_inv * shift_pow[k] * g_big_pow[e & mask] * g_blowup_pow[e >> log_n];
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
