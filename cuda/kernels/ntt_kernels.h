// Per-thread bodies of the batched coset LDE (kernels as in hal_kernels.h).
//
// Matrices are row-major, width w; a transform runs down every column.
//
// The LDE of a height-n matrix to N = n * B rows, B = 2^log_blowup, with
// bit-reversed output (the CPU layout, prover/ntt/ntt.cpp coset_lde):
//   1. inverse DIF of the input (natural -> bit-reversed): n * coefficients;
//   2. LdeScatter: row b*n + k of the output = coefficient k times
//      s_b^k / n, s_b = shift * g_N^rev_B(b) (table from LdeScaleTable);
//      twiddles and powers are built by ExtendTable (tables.h);
//   3. forward DIF of each of the B blocks (natural -> bit-reversed).
// Row b*n + j then holds f(s_b g_n^rev_n(j)) = f(shift * g_N^rev_N(b*n+j)).
// A DIF is ceil(log n / 9) DifTile launches of up to 9 stages each, in
// shared memory.
#pragma once

#include <cstdint>

#include "cuda/kernels/launch.h"
#include "prover/field/babybear.h"

namespace zkvm::gpu {

using field::Fp;

// A DIF of n = 2^log_n rows runs stages 0..log_n-1; stage s pairs rows r
// and r + h, h = n >> (s+1), within groups of 2h rows, with twiddle
// tw[(r mod h) << s] (tw[j] = omega^j, omega of order n; its inverse for
// the inverse transform, unscaled). After all stages a block holds the
// transform of its natural-order input in bit-reversed order.
//
// DifTile runs `log_tile` consecutive stages stage0.. in one launch. The
// rows those stages mix form sub-transforms of T = 2^log_tile rows spaced
// sigma = n >> (stage0 + log_tile) apart: sub-transform (g, j), j < sigma,
// holds rows g*T*sigma + j + m*sigma, m < T, and is a size-T DIF whose
// local stage p (global stage stage0 + p) has local span hl = T >> (p+1)
// and twiddle tw[(j + (m mod hl) * sigma) << (stage0 + p)]. So a whole DIF
// is ceil(log_n / 9) launches, each one pass over global memory.
//
// CUDA block `block` takes `cols` adjacent columns (kMaxCols, or fewer at
// the right edge and for narrow matrices) of one sub-transform: column
// group block % groups, sub-transform block / groups, groups =
// ceil(width / cols). T/2 threads hold the tile in shared memory (column c
// at sh[c * T ...], so the threads of a warp read consecutive words); each
// thread runs one butterfly per column per phase, a barrier between phases
// (block_kernel_entry in cuda_hal.cu; HostExec::launch_blocks runs every
// thread of a phase before the next phase). Phase 0 reads global memory,
// the last phase writes it: a thread reads and writes its rows' `cols`
// adjacent values, one 32-byte sector per row at 8 columns (one column per
// block used 4 bytes of each sector it fetched). In phase p thread t owns
// local rows l0 and l0 + hl of every column: no two threads touch the
// same shared element within a phase.
struct DifTileGeom {
  unsigned log_n, stage0, log_tile;
  ZKVM_HD unsigned log_stride() const { return log_n - stage0 - log_tile; }
  // Global row of element m of sub-transform `sub` (64-bit: the row times
  // the width is an element offset up to 2^27 x width).
  ZKVM_HD uint64_t row(uint64_t sub, uint64_t m) const {
    const unsigned ls = log_stride();
    const uint64_t g = sub >> ls, j = sub & ((uint64_t{1} << ls) - 1);
    return (g << (log_tile + ls)) + j + (m << ls);
  }
  // Twiddle index of the butterfly at local row l0 (first of its pair) of
  // sub-transform `sub` in phase p.
  ZKVM_HD uint64_t twiddle(uint64_t sub, uint64_t l0, unsigned p) const {
    const unsigned ls = log_stride();
    const uint64_t j = sub & ((uint64_t{1} << ls) - 1);
    const uint64_t hl = uint64_t{1} << (log_tile - 1 - p);
    return (j + ((l0 & (hl - 1)) << ls)) << (stage0 + p);
  }
};

struct DifTile {
  using Shared = Fp;
  static constexpr unsigned kMaxLogTile = 9;  // 512 rows, 256 threads
  static constexpr unsigned kMaxCols = 8;     // 16 KiB of shared memory at 512 rows
  // Columns a block takes for a matrix of this width.
  ZKVM_HD static uint32_t cols_for(uint64_t width) {
    return width < kMaxCols ? static_cast<uint32_t>(width) : kMaxCols;
  }
  ZKVM_HD static void run(uint64_t block, uint32_t t, unsigned phase, Fp* sh, Fp* data,
                          uint64_t width, DifTileGeom geo, const Fp* tw, uint32_t cols) {
    const uint64_t groups = (width + cols - 1) / cols;
    const uint64_t col0 = (block % groups) * cols, sub = block / groups;
    const uint64_t nc = width - col0 < cols ? width - col0 : cols;
    const uint64_t tile = uint64_t{1} << geo.log_tile;
    const unsigned log_h = geo.log_tile - 1 - phase;
    const uint64_t h = uint64_t{1} << log_h;
    const uint64_t l0 = ((uint64_t{t} >> log_h) << (log_h + 1)) + (t & (h - 1)), l1 = l0 + h;
    const Fp w = tw[geo.twiddle(sub, l0, phase)];
    const bool first = phase == 0, last = phase + 1 == geo.log_tile;
    const uint64_t g0 = elem_index(geo.row(sub, l0), width, col0), g1 = elem_index(geo.row(sub, l1), width, col0);
    for (uint64_t c = 0; c < nc; ++c) {
      const Fp x = first ? data[g0 + c] : sh[c * tile + l0];
      const Fp y = first ? data[g1 + c] : sh[c * tile + l1];
      const Fp u = x + y, v = (x - y) * w;
      if (last) {
        data[g0 + c] = u;
        data[g1 + c] = v;
      } else {
        sh[c * tile + l0] = u;
        sh[c * tile + l1] = v;
      }
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
