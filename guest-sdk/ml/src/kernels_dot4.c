/* Dense and Conv through the dot4 accelerator call (zkvm_dot4, ecall 0x1001,
 * or zkvm_dot4_rom, 0x1003, when the weights are the guest's read-only data):
 * one call computes four dot products of length K4 over biased bytes, which
 * is the model file's weight layout (kernels.h), so the weights are passed
 * as they are. Only the inputs are converted: XOR 0x80 gives the biased byte
 * of an int8, and padding columns hold 0x80 (value 0) on both sides, so the
 * sums equal the plain kernels' exactly and the requantisation is shared:
 * the results are bit-identical (tests/ml-runtime checks it in the emulator).
 * Compiled for RISC-V guests only; elsewhere this file is empty. */
#include "zkvm/ml/kernels.h"

#if defined(ZKML_HAVE_DOT4)

#include <string.h>
#include <zkvm/syscall.h>

#include "kernels_internal.h"

/* clamp(v, lo, hi) for lo <= hi in two or three instructions (what the
 * compiler makes of the C is four or five: it computes both selects). */
static inline int32_t clamp_lo_hi(int32_t v, int32_t lo, int32_t hi) {
  __asm__("bge %0, %1, 1f\n\tmv %0, %1\n\tj 2f\n1:\tble %0, %2, 2f\n\tmv %0, %2\n2:"
          : "+r"(v)
          : "r"(lo), "r"(hi));
  return v;
}

/* zkml_requant_out_hi with clamp_lo_hi: the same value. */
static inline int8_t requant_hi(int32_t acc, int32_t mult, int32_t rnd, int32_t s2, int32_t zp, int32_t lo,
                                int32_t hi) {
  return (int8_t)clamp_lo_hi((((int32_t)(((int64_t)acc * (int64_t)mult) >> 32) + rnd) >> s2) + zp, lo, hi);
}

/* Read-only data of the guest (guest.ld): words the ELF loads. Weights
 * there (a model compiled into the guest) go through dot4_rom, which the
 * prover reads from its image table instead of the memory argument; weights
 * elsewhere (a model read as input) through dot4. Weak: a guest linked
 * without the SDK's script gets dot4 only. */
extern const uint8_t __rodata_start[] __attribute__((weak));
extern const uint8_t __rodata_end[] __attribute__((weak));

static inline int in_rodata(const uint8_t* w, uint64_t bytes) {
  const uintptr_t a = (uintptr_t)w, lo = (uintptr_t)__rodata_start, hi = (uintptr_t)__rodata_end;
  return lo != 0 && a >= lo && a <= hi && bytes <= hi - a;
}

static inline void dot4_call(int rom, const uint8_t* x, const uint8_t* w, uint32_t k, int32_t acc[4]) {
  if (rom) zkvm_dot4_rom(x, w, k, acc);
  else zkvm_dot4(x, w, k, acc);
}

/* The four sums of rows w[0..3] with x over K4 bytes. One call takes at most
 * ZKVM_DOT4_MAX_K columns, so longer rows (the parser allows K <= 65536) are
 * summed in chunks; the total is exact: |sum| <= 65536 * 2^14 = 2^30. A
 * chunk starting at column k0 starts at byte 4 * k0 of the weight block. */
static inline void dot4_rows(int rom, const uint8_t* x, const uint8_t* w, int32_t K4, int32_t acc[4]) {
  if (K4 <= (int32_t)ZKVM_DOT4_MAX_K) {
    dot4_call(rom, x, w, (uint32_t)K4, acc);
    return;
  }
  acc[0] = acc[1] = acc[2] = acc[3] = 0;
  for (int32_t k0 = 0; k0 < K4; k0 += (int32_t)ZKVM_DOT4_MAX_K) {
    const int32_t n = K4 - k0 < (int32_t)ZKVM_DOT4_MAX_K ? K4 - k0 : (int32_t)ZKVM_DOT4_MAX_K;
    int32_t t[4];
    dot4_call(rom, x + k0, w + 4 * k0, (uint32_t)n, t);
    for (int j = 0; j < 4; ++j) acc[j] += t[j];
  }
}

/* One Dense output from its sum with shift s >= 33: with s1 = s - 33,
 * floor((top + 2^s1) / 2^(s1+1)) = floor((floor(top / 2^s1) + 1) / 2)
 * (write top = q 2^s1 + r, 0 <= r < 2^s1: both are floor((q + 1) / 2)), so
 * SRA, ADDI, SRAI replace building the rounding constant: the same value as
 * zkml_requant_out. */
static inline int8_t requant_s1(int32_t acc, int32_t mult, int32_t s1, int32_t zp, int32_t lo, int32_t hi) {
  const int32_t top = (int32_t)(((int64_t)acc * (int64_t)mult) >> 32);
  return (int8_t)clamp_lo_hi((((top >> s1) + 1) >> 1) + zp, lo, hi);
}

/* zkml_requant_out out of line: the rare shift <= 32 stays off the fast path. */
static __attribute__((noinline)) int8_t requant_any(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo,
                                                    int32_t hi) {
  return zkml_requant_out(acc, mult, shift, zp, lo, hi);
}

/* One output of a 4-row block: r is a constant after inlining. */
static inline __attribute__((always_inline)) void dense_store1(int32_t acc, const int32_t* bias, const int32_t* mult,
                                                               const int32_t* shift, int r, int pc, int32_t zp,
                                                               int32_t lo, int32_t hi, int8_t* y) {
  const int32_t c = pc ? r : 0, sf = shift[c], a = acc + bias[r];
  y[r] = sf >= 33 ? requant_s1(a, mult[c], sf - 33, zp, lo, hi) : requant_any(a, mult[c], sf, zp, lo, hi);
}

/* Outputs 0..3 of a block from its four sums, kept in registers (no loop:
 * a loop over acc[] made the compiler store the sums and reload them).
 * pc is a constant after inlining; 0 reads entry 0 of mult and shift. */
static inline __attribute__((always_inline)) void dense_store4(const int32_t acc[4], const int32_t* bias,
                                                               const int32_t* mult, const int32_t* shift, int pc,
                                                               int32_t zp, int32_t lo, int32_t hi, int8_t* y) {
  dense_store1(acc[0], bias, mult, shift, 0, pc, zp, lo, hi, y);
  dense_store1(acc[1], bias, mult, shift, 1, pc, zp, lo, hi, y);
  dense_store1(acc[2], bias, mult, shift, 2, pc, zp, lo, hi, y);
  dense_store1(acc[3], bias, mult, shift, 3, pc, zp, lo, hi, y);
}

/* zkml_requant_out for shift >= 33 with rz = 2^(shift - 33) and s2 = shift
 * - 32 (its own formula), and with fold the zero point folded into rz as
 * zp 2^s2: adding a multiple of 2^s2 before the arithmetic shift adds zp
 * after it (the caller folds only where the sum stays below 2^31). */
static inline __attribute__((always_inline)) int8_t requant_tensor(int32_t a, int32_t mult, int32_t rz, int32_t s2,
                                                                   int fold, int32_t zp, int32_t lo, int32_t hi) {
  int32_t v = ((int32_t)(((int64_t)a * (int64_t)mult) >> 32) + rz) >> s2;
  if (!fold) v += zp;
  return (int8_t)clamp_lo_hi(v, lo, hi);
}

/* Whole blocks of a layer with one requantisation for every channel and a
 * shift of at least 33 (per-tensor, the usual case): the multiplier, the
 * rounding constant, the shift and the bounds are locals, so the compiler
 * keeps them in registers instead of reloading them after every output
 * store (an int8_t store may alias them), and no output branches on the
 * shift. rom and fold are constants after inlining. Returns the number of
 * outputs written (M & ~3). The same values as dense_store4 with pc = 0. */
static inline __attribute__((always_inline)) int32_t dense_blocks_tensor(int rom, int fold, const uint8_t* xs,
                                                                         const uint8_t* w, int32_t K4, int32_t M4,
                                                                         const int32_t* bias, int32_t mult,
                                                                         int32_t rz, int32_t s2, int32_t zp,
                                                                         int32_t lo, int32_t hi, int8_t* y) {
  /* Pointers that step, rather than indices: fewer live values, no spills. */
  const int32_t* b = bias;
  int8_t* out = y;
  int8_t* const end = y + M4;
  const int64_t step = 4 * (int64_t)K4;
  for (; out < end; out += 4, b += 4, w += step) {
    int32_t acc[4];
    dot4_rows(rom, xs, w, K4, acc);
    const int32_t a0 = acc[0] + b[0], a1 = acc[1] + b[1], a2 = acc[2] + b[2], a3 = acc[3] + b[3];
    out[0] = requant_tensor(a0, mult, rz, s2, fold, zp, lo, hi);
    out[1] = requant_tensor(a1, mult, rz, s2, fold, zp, lo, hi);
    out[2] = requant_tensor(a2, mult, rz, s2, fold, zp, lo, hi);
    out[3] = requant_tensor(a3, mult, rz, s2, fold, zp, lo, hi);
  }
  return M4;
}

/* The same for per-channel requantisation: each output's multiplier and
 * shift read through stepping pointers, the rare shift <= 32 out of line.
 * The same values as dense_store4 with pc = 1. */
static inline __attribute__((always_inline)) int8_t requant_channel(int32_t a, int32_t mult, int32_t sf, int32_t zp,
                                                                    int32_t lo, int32_t hi) {
  return __builtin_expect(sf >= 33, 1) ? requant_s1(a, mult, sf - 33, zp, lo, hi)
                                       : requant_any(a, mult, sf, zp, lo, hi);
}

static inline __attribute__((always_inline)) int32_t dense_blocks_channel(int rom, const uint8_t* xs, const uint8_t* w,
                                                                          int32_t K4, int32_t M4, const int32_t* bias,
                                                                          const int32_t* mult, const int32_t* shift,
                                                                          int32_t zp, int32_t lo, int32_t hi,
                                                                          int8_t* y) {
  const int32_t *b = bias, *mp = mult, *sp = shift;
  int8_t* out = y;
  int8_t* const end = y + M4;
  const int64_t step = 4 * (int64_t)K4;
  for (; out < end; out += 4, b += 4, mp += 4, sp += 4, w += step) {
    int32_t acc[4];
    dot4_rows(rom, xs, w, K4, acc);
    const int32_t a0 = acc[0] + b[0], a1 = acc[1] + b[1], a2 = acc[2] + b[2], a3 = acc[3] + b[3];
    out[0] = requant_channel(a0, mp[0], sp[0], zp, lo, hi);
    out[1] = requant_channel(a1, mp[1], sp[1], zp, lo, hi);
    out[2] = requant_channel(a2, mp[2], sp[2], zp, lo, hi);
    out[3] = requant_channel(a3, mp[3], sp[3], zp, lo, hi);
  }
  return M4;
}

/* The aligned loop of dense_blocks_call, M4 > 0, in assembly: the call
 * leaves a1..a5 as they were, so a block is the call, its store and the
 * pointer steps, 9 instructions per channel and 7 per tensor (the
 * compiled C loop re-sets a0, a2, a4 and a5 around each ecall: 11). */
static void dense_blocks_asm(const uint8_t* xs, const uint8_t* w, int32_t K4, int32_t M4, const int32_t* bias,
                             const int32_t* mult, const int32_t* shift, int32_t pc, int8_t* y) {
  register uintptr_t r_a0 __asm__("a0");
  register uintptr_t r_a1 __asm__("a1") = (uintptr_t)w;
  register uintptr_t r_a2 __asm__("a2") = (uintptr_t)K4;
  register uintptr_t r_a3 __asm__("a3") = (uintptr_t)bias;
  register uintptr_t r_a4 __asm__("a4") = (uintptr_t)mult;
  register uintptr_t r_a5 __asm__("a5") = (uintptr_t)shift;
  register uintptr_t r_a7 __asm__("a7") = ZKVM_SYS_DENSE4_ROM;
  uintptr_t out = (uintptr_t)y;
  const uintptr_t end = out + (uintptr_t)M4, wstep = 4u * (uintptr_t)K4;
  if (pc)
    __asm__ volatile(
        "1:\n\tmv a0, %[xs]\n\tecall\n\tsw a0, 0(%[out])\n\taddi %[out], %[out], 4\n\tadd a1, a1, %[wstep]\n\t"
        "addi a3, a3, 16\n\taddi a4, a4, 16\n\taddi a5, a5, 16\n\tbltu %[out], %[end], 1b"
        : "=&r"(r_a0), "+r"(r_a1), "+r"(r_a3), "+r"(r_a4), "+r"(r_a5), [out] "+r"(out)
        : [xs] "r"(xs), "r"(r_a2), "r"(r_a7), [wstep] "r"(wstep), [end] "r"(end)
        : "memory");
  else
    __asm__ volatile(
        "1:\n\tmv a0, %[xs]\n\tecall\n\tsw a0, 0(%[out])\n\taddi %[out], %[out], 4\n\tadd a1, a1, %[wstep]\n\t"
        "addi a3, a3, 16\n\tbltu %[out], %[end], 1b"
        : "=&r"(r_a0), "+r"(r_a1), "+r"(r_a3), [out] "+r"(out)
        : [xs] "r"(xs), "r"(r_a2), "r"(r_a4), "r"(r_a5), "r"(r_a7), [wstep] "r"(wstep), [end] "r"(end)
        : "memory");
}

/* Whole blocks through dense4_rom (0x1004): one call gives a block's four
 * outputs, dot products, bias, requantisation and clamp, as the word to
 * store (about 9 cycles a block instead of about 85). Its output word Q
 * (zero point, bounds, per-channel and int8-x flags) follows xs; bias, mult
 * and shift advance by a block (mult and shift only per channel). Returns
 * M4. */
static int32_t dense_blocks_call(const uint8_t* xs, const uint8_t* w, int32_t K4, int32_t M4, const int32_t* bias,
                                 const int32_t* mult, const int32_t* shift, int32_t pc, int8_t* y) {
  const int32_t* b = bias;
  const int32_t *mp = mult, *sp = shift;
  const int32_t pstep = pc ? 4 : 0;
  int8_t* out = y;
  int8_t* const end = y + M4;
  const int64_t step = 4 * (int64_t)K4;
  if (((uintptr_t)y & 3u) == 0) {
    if (M4 > 0) dense_blocks_asm(xs, w, K4, M4, bias, mult, shift, pc, y);
  } else {
    for (; out < end; out += 4, b += 4, mp += pstep, sp += pstep, w += step) {
      const uint32_t v = zkvm_dense4_rom(xs, w, (uint32_t)K4, b, mp, sp);
      memcpy(out, &v, 4);
    }
  }
  return M4;
}

/* Layers at least this wide read a biased copy of x (zkml_dense_s8_dot4). */
enum { kDense4InPlaceMaxM = 356 };

/* Whether dense4_rom takes this layer: weights and parameters in read-only
 * data, shifts 35..63 (ZKML_DENSE4_CALL in rq->dense4), one call per block. */
static int dense4_fits(int rom, int32_t K4, int32_t M4, const int32_t* bias, const zkml_requant_params* rq) {
  const int32_t n = rq->per_channel ? M4 : 1;
  return rom && (rq->dense4 & ZKML_DENSE4_CALL) && M4 > 0 && K4 <= (int32_t)ZKVM_DOT4_MAX_K && rq->zp_out >= -128 && rq->zp_out <= 127 &&
         rq->act_min >= -128 && rq->act_max <= 127 && rq->act_min <= rq->act_max &&
         (((uintptr_t)bias | (uintptr_t)rq->mult | (uintptr_t)rq->shift) & 3u) == 0 &&
         in_rodata((const uint8_t*)bias, 4 * (uint64_t)M4) && in_rodata((const uint8_t*)rq->mult, 4 * (uint64_t)n) &&
         in_rodata((const uint8_t*)rq->shift, 4 * (uint64_t)n);
}

/* The partial block's outputs m0..M-1 from one dense4_rom call over xs. */
static void dense_tail_call(const uint8_t* xs, const uint8_t* w, int32_t K4, int32_t m0, int32_t M,
                            const int32_t* bias, const int32_t* mult, const int32_t* shift, int32_t pc, int8_t* y) {
  const int32_t c = pc ? m0 : 0;
  const uint32_t v = zkvm_dense4_rom(xs, w + (int64_t)m0 * K4, (uint32_t)K4, bias + m0, mult + c, shift + c);
  for (int32_t r = 0; m0 + r < M; ++r) y[m0 + r] = (int8_t)(uint8_t)(v >> (8 * r));
}

/* x biased (XOR 0x80) and padded to K4 with 0x80 into xs, for dot4 and
 * dot4_rom: a word at a time when x is aligned (the interpreter's buffers
 * are), four words per pass. */
static void bias_x(const int8_t* x, int32_t K, int32_t K4, uint8_t* xs) {
  int32_t k = 0;
  if (((uintptr_t)x & 3u) == 0) {
    const uint32_t* xa = (const uint32_t*)__builtin_assume_aligned(x, 4);
    uint32_t* sa = (uint32_t*)__builtin_assume_aligned(xs, 4);
    const int32_t n16 = K & ~15, n4 = K & ~3;
    for (; k < n16; k += 16, xa += 4, sa += 4) {
      const uint32_t v0 = xa[0], v1 = xa[1], v2 = xa[2], v3 = xa[3];
      sa[0] = v0 ^ 0x80808080u;
      sa[1] = v1 ^ 0x80808080u;
      sa[2] = v2 ^ 0x80808080u;
      sa[3] = v3 ^ 0x80808080u;
    }
    for (; k < n4; k += 4) *sa++ = *xa++ ^ 0x80808080u;
  }
  for (; k < K; ++k) xs[k] = (uint8_t)x[k] ^ 0x80u;
  for (; k < K4; ++k) xs[k] = 0x80u;
}

void zkml_dense_s8_dot4(const int8_t* x, int32_t K, const uint8_t* w_packed, const int32_t* bias,
                        int32_t M, const zkml_requant_params* rq, int8_t* scratch, int8_t* y) {
  const int32_t K4 = (int32_t)zkml_k4(K);
  uint8_t* xs = (uint8_t*)scratch;
  const int rom = in_rodata(w_packed, zkml_weight_bytes(M, K));
  /* Locals: stores through int8_t* may alias *rq. */
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max, pc = rq->per_channel;
  const int32_t* mult = rq->mult;
  const int32_t* shift = rq->shift;
  const int32_t M4 = M & ~3;
  const uint8_t* w = w_packed;
  int32_t acc[4];
  int32_t m0 = 0;
  /* Whole blocks: the four sums stay in registers through their outputs. */
  const int call = dense4_fits(rom, K4, M4, bias, rq);
  int biased = 0; /* xs holds x biased and padded (dot4, dot4_rom) */
  if (call) {
    const int tail = M4 < M && (rq->dense4 & ZKML_DENSE4_TAIL);
    /* dense4_rom over x in place as int8 bytes, its output word Q borrowing
     * the 4 bytes after x (ZKML_DENSE4_INPLACE); else over the biased copy,
     * Q after it (scratch has room). In place saves the copy, about one
     * guest cycle (178 base columns of CPU) per byte of x, but each data row
     * of int8 x costs 8 base columns more (docs/RV32IM_AIR.md), M / 2 per
     * byte of x: in place pays below M = 356, so wide layers copy. */
    if ((rq->dense4 & ZKML_DENSE4_INPLACE) && M < kDense4InPlaceMaxM && ((uintptr_t)x & 3u) == 0 && (K & 3) == 0) {
      const uint32_t q = zkvm_dense4_q(zp, lo, hi, pc != 0, 1);
      uint8_t* qp = (uint8_t*)(uintptr_t)x + K;
      uint32_t saved;
      memcpy(&saved, __builtin_assume_aligned(qp, 4), 4);
      memcpy(__builtin_assume_aligned(qp, 4), &q, 4);
      m0 = dense_blocks_call((const uint8_t*)x, w, K4, M4, bias, mult, shift, pc, y);
      if (tail) dense_tail_call((const uint8_t*)x, w, K4, m0, M, bias, mult, shift, pc, y), m0 = M;
      memcpy(__builtin_assume_aligned(qp, 4), &saved, 4);
    } else {
      const uint32_t q = zkvm_dense4_q(zp, lo, hi, pc != 0, 0);
      bias_x(x, K, K4, xs), biased = 1;
      memcpy(xs + K4, &q, 4);
      m0 = dense_blocks_call(xs, w, K4, M4, bias, mult, shift, pc, y);
      if (tail) dense_tail_call(xs, w, K4, m0, M, bias, mult, shift, pc, y), m0 = M;
    }
    w += (int64_t)m0 * K4;
  }
  /* dot4 and dot4_rom read x biased and padded: every block without the
   * call, and the call's last, partial block. */
  if (!biased && (!call || m0 < M)) bias_x(x, K, K4, xs);
  if (call) {
    /* the whole blocks are done */
  } else if (!pc && shift[0] >= 33) {
    /* |top| < 2^30, rnd <= 2^21 and |zp| 2^s2 <= 2^29 where zp folds: the
     * sum stays below 2^31. */
    const int32_t mult0 = mult[0], s2 = shift[0] - 32, rnd = (int32_t)(1u << (s2 - 1));
    const int fold = s2 <= 22 && zp >= -128 && zp <= 127;
    const int32_t rz = fold ? rnd + (int32_t)((uint32_t)zp << s2) : rnd;
    if (fold)
      m0 = rom ? dense_blocks_tensor(1, 1, xs, w, K4, M4, bias, mult0, rz, s2, zp, lo, hi, y)
               : dense_blocks_tensor(0, 1, xs, w, K4, M4, bias, mult0, rz, s2, zp, lo, hi, y);
    else
      m0 = rom ? dense_blocks_tensor(1, 0, xs, w, K4, M4, bias, mult0, rz, s2, zp, lo, hi, y)
               : dense_blocks_tensor(0, 0, xs, w, K4, M4, bias, mult0, rz, s2, zp, lo, hi, y);
    w += (int64_t)m0 * K4;
  } else if (pc) {
    m0 = rom ? dense_blocks_channel(1, xs, w, K4, M4, bias, mult, shift, zp, lo, hi, y)
             : dense_blocks_channel(0, xs, w, K4, M4, bias, mult, shift, zp, lo, hi, y);
    w += (int64_t)m0 * K4;
  } else {
    for (; m0 < M4; m0 += 4, w += 4 * (int64_t)K4) {
      dot4_rows(rom, xs, w, K4, acc);
      dense_store4(acc, bias + m0, mult, shift, 0, zp, lo, hi, y + m0);
    }
  }
  if (m0 < M) { /* the last, partial block */
    dot4_rows(rom, xs, w, K4, acc);
    for (int32_t r = 0; m0 + r < M; ++r) {
      const int32_t m = m0 + r, c = pc ? m : 0;
      y[m] = zkml_requant_out(acc[r] + bias[m], mult[c], shift[c], zp, lo, hi);
    }
  }
}

/* The biased, padded input ([C][Hp][Wp]) and the output geometry. */
typedef struct {
  const uint8_t* src;
  int64_t plane;
  int64_t row; /* dh * Wp: from one tap row to the next */
  int32_t Wp, C, kh, sh, sw, OH, OW, pad; /* pad: K4 - K bytes of 0x80 per pixel */
} geom;

/* Writes the K4-byte vector of every output pixel to p. Inlined with a
 * constant kw (and kh > 0: a constant kh), the row copies become
 * straight-line loads and stores at constant offsets. */
static inline __attribute__((always_inline)) void im2col(const geom* g, int32_t kh_c, int32_t kw, int32_t dw,
                                                         uint8_t* p) {
  const uint8_t* src = g->src;
  const int64_t plane = g->plane, row = g->row;
  const int32_t Wp = g->Wp, C = g->C, kh = kh_c > 0 ? kh_c : g->kh, sh = g->sh, sw = g->sw, OH = g->OH, OW = g->OW,
                pad = g->pad;
  const int32_t K = C * kh * kw;
  for (int32_t oy = 0; oy < OH; ++oy) {
    const uint8_t* base = src + (int64_t)oy * sh * Wp;
    for (int32_t ox = 0; ox < OW; ++ox, base += sw) {
      /* The last word first: the copies overwrite all but its pad bytes. */
      if (pad) {
        const uint32_t w80 = 0x80808080u;
        __builtin_memcpy(p + K - (4 - pad), &w80, 4);
      }
      const uint8_t* r = base;
      for (int32_t c = 0; c < C; ++c, r += plane, p += kh * kw) {
        const uint8_t* t = r;
        for (int32_t ky = 0; ky < kh; ++ky, t += row)
          for (int32_t i = 0; i < kw; ++i) p[ky * kw + i] = t[i * dw];
      }
      p += pad;
    }
  }
}

/* Grouped Conv (depthwise included): the roles of dot4's operands swap.
 * Each group's im2col is written in the weight-operand layout, 4 pixels per
 * block (pixel j's column k at byte 16 (k/4) + 4 j + k%4 of its block), and
 * one output channel's weight row, copied out of its packed block into K4
 * contiguous bytes, is the x operand: one call gives that channel at 4
 * pixels. The sums are the same exact integers as the plain kernel's. The
 * row lives in scratch, so the call is dot4, not dot4_rom. */
static void conv_grouped_dot4(const uint8_t* xp, int64_t plane, int32_t Wp, const zkml_conv_shape* s,
                              const uint8_t* w_packed, const int32_t* bias, const zkml_requant_params* rq,
                              uint8_t* cols, int8_t* y) {
  const int32_t C = s->C, M = s->M, OH = s->OH, OW = s->OW;
  const int32_t kh = s->kh, kw = s->kw, sh = s->sh, sw = s->sw, dw = zkml_dil(s->dw);
  const int64_t row = (int64_t)zkml_dil(s->dh) * Wp;
  const int32_t G = zkml_conv_groups(s), Cg = C / G, Mg = M / G;
  const int32_t K = Cg * kh * kw, K4 = (int32_t)zkml_k4(K);
  const int32_t npix = OH * OW, nblk = (npix + ZKML_PIX_BLOCK - 1) / ZKML_PIX_BLOCK;
  const int64_t blk_bytes = (int64_t)ZKML_PIX_BLOCK * K4;
  uint8_t* wrow = cols + (int64_t)nblk * blk_bytes;
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max, pc = rq->per_channel;
  const int32_t* mult = rq->mult;
  const int32_t* shift = rq->shift;
  for (int32_t g = 0; g < G; ++g) {
    const uint8_t* src = xp + (int64_t)g * Cg * plane;
    for (int32_t q = 0; q < nblk * ZKML_PIX_BLOCK; ++q) {
      uint8_t* d = cols + (int64_t)(q / ZKML_PIX_BLOCK) * blk_bytes + 4 * (q % ZKML_PIX_BLOCK);
      int32_t k = 0;
      if (q % ZKML_PIX_BLOCK == 0 && q % OW + ZKML_PIX_BLOCK <= OW) {
        /* Four pixels of one output row: per column k, their bytes lie
         * sw apart in the input and go to bytes 0, 4, 8, 12 of the word
         * group: one address computation for four copies. */
        const uint8_t* base = src + (int64_t)(q / OW) * sh * Wp + (int64_t)(q % OW) * sw;
        for (int32_t c = 0; c < Cg; ++c)
          for (int32_t ky = 0; ky < kh; ++ky) {
            const uint8_t* r = base + c * plane + ky * row;
            for (int32_t kx = 0; kx < kw; ++kx, ++k) {
              uint8_t* e = d + 16 * (k >> 2) + (k & 3);
              const uint8_t* x0 = r + kx * dw;
              e[0] = x0[0];
              e[4] = x0[sw];
              e[8] = x0[2 * sw];
              e[12] = x0[3 * sw];
            }
          }
        for (; k < K4; ++k) {
          uint8_t* e = d + 16 * (k >> 2) + (k & 3);
          e[0] = e[4] = e[8] = e[12] = 0x80u;
        }
        q += ZKML_PIX_BLOCK - 1;
        continue;
      }
      if (q < npix) {
        const uint8_t* base = src + (int64_t)(q / OW) * sh * Wp + (int64_t)(q % OW) * sw;
        for (int32_t c = 0; c < Cg; ++c)
          for (int32_t ky = 0; ky < kh; ++ky) {
            const uint8_t* r = base + c * plane + ky * row;
            for (int32_t kx = 0; kx < kw; ++kx, ++k) d[16 * (k >> 2) + (k & 3)] = r[kx * dw];
          }
      }
      for (; k < K4; ++k) d[16 * (k >> 2) + (k & 3)] = 0x80u; /* padding columns, missing pixels */
    }
    for (int32_t m = g * Mg; m < (g + 1) * Mg; ++m) {
      const uint8_t* wr = w_packed + (int64_t)(m / ZKML_ROWS) * ZKML_ROWS * K4 + 4 * (m % ZKML_ROWS);
      for (int32_t k = 0; k < K4; k += 4) __builtin_memcpy(wrow + k, wr + 4 * k, 4);
      const int32_t c = pc ? m : 0;
      const int32_t mu = mult[c], shf = shift[c], bm = bias[m];
      int8_t* ym = y + (int64_t)m * npix;
      int32_t acc[4];
      for (int32_t b = 0; b < nblk; ++b) {
        dot4_rows(0, wrow, cols + (int64_t)b * blk_bytes, K4, acc);
        const int32_t p0 = b * ZKML_PIX_BLOCK;
        const int32_t np = npix - p0 < ZKML_PIX_BLOCK ? npix - p0 : ZKML_PIX_BLOCK;
        for (int32_t j = 0; j < np; ++j) ym[p0 + j] = zkml_requant_out(acc[j] + bm, mu, shf, zp, lo, hi);
      }
    }
  }
}

/* The requantisation of one block of 4 output channels m0..m0+3, in locals
 * (stores through int8_t* may alias the tables). Rows past M get mult 0 and
 * write to a sink (inc 0). hi: every row's shift is >= 33, so
 * zkml_requant_out_hi applies (the usual case, multipliers below 2^-2). */
typedef struct {
  int32_t mu[ZKML_ROWS], sf[ZKML_ROWS], bm[ZKML_ROWS], rnd[ZKML_ROWS], s2[ZKML_ROWS], inc[ZKML_ROWS];
  int32_t rows, hi;
} block_rq;

static void load_block_rq(const zkml_requant_params* rq, const int32_t* bias, int32_t m0, int32_t M, block_rq* b) {
  const int32_t pc = rq->per_channel;
  b->rows = M - m0 < ZKML_ROWS ? M - m0 : ZKML_ROWS;
  b->hi = 1;
  for (int32_t r = 0; r < ZKML_ROWS; ++r) {
    const int32_t c = r < b->rows ? (pc ? m0 + r : 0) : -1;
    b->mu[r] = c >= 0 ? rq->mult[c] : 0;
    b->sf[r] = c >= 0 ? rq->shift[c] : 33;
    b->bm[r] = c >= 0 ? bias[m0 + r] : 0;
    b->hi &= b->sf[r] >= 33;
    b->rnd[r] = b->sf[r] >= 33 ? (int32_t)(1u << (b->sf[r] - 33)) : 0;
    b->s2[r] = b->sf[r] - 32;
    b->inc[r] = c >= 0 ? 1 : 0;
  }
}

/* Where each output pixel's x operand (K4 bytes, (c, ky, kx) order as in the
 * weights) lies: pixel (cy, cx) at base + row_off(cy) + cx * cstep. */
typedef struct {
  const uint8_t* base;
  int32_t cstep, rstep;
  int32_t strip_lw; /* 0: an im2col, row_off = cy * rstep; else strips of this many bytes */
} pix_map;

static inline int32_t row_off(const pix_map* m, int32_t cy) {
  const int32_t o = cy * m->rstep;
  if (m->strip_lw == 0) return o;
  const int32_t ph = (-o) & 3; /* the copy whose vector starts there is 4-aligned */
  return ph * (m->strip_lw + 1) + o;
}

/* Whether every padding column (K .. K4-1) of every 4-row block holds 0x80
 * (weight 0), as the packer writes them: then the bytes x holds there do not
 * change the sums. */
static int pad_columns_zero(const uint8_t* w, int32_t M, int32_t K, int32_t K4) {
  for (int32_t b = 0; b < (M + ZKML_ROWS - 1) / ZKML_ROWS; ++b)
    for (int32_t k = K; k < K4; ++k)
      for (int32_t j = 0; j < 4; ++j)
        if (w[(int64_t)4 * K4 * b + 16 * (k / 4) + 4 * j + k % 4] != 0x80u) return 0;
  return 1;
}

/* Strips of a one-channel Conv with dh = 1: for output column cx, the kw
 * taps of every input row in order, strip[r kw + kx] = xp[r][cx sw + kx dw],
 * so output pixel (cy, cx)'s vector is the K = kh kw bytes from cy sh kw on,
 * shared by all the pixels of that column instead of copied once per pixel.
 * dot4 wants x 4-byte aligned, so each strip is kept in four copies shifted
 * by 0..3 bytes (copy ph at byte offset ph of its Lw-byte slot); the vector
 * starting at byte o is read from the copy with (ph + o) % 4 = 0. The
 * copies are made from the first with word shifts. Past the last row the
 * strip holds 0x80; the K4 - K bytes after a vector are the next row's,
 * which the caller allows only when the weights' padding columns are 0. */
static inline __attribute__((always_inline)) void make_strips(const uint8_t* xp, int32_t Hp, int32_t Wp, int32_t kw,
                                                              int32_t dw, int32_t sw, int32_t OW, int32_t Lw,
                                                              uint8_t* out) {
  for (int32_t cx = 0; cx < OW; ++cx) {
    uint8_t* b0 = out + (int64_t)cx * 4 * Lw;
    const uint8_t* r = xp + (int64_t)cx * sw;
    uint8_t* q = b0;
    for (int32_t y = 0; y < Hp; ++y, r += Wp, q += kw)
      for (int32_t i = 0; i < kw; ++i) q[i] = r[i * dw];
    for (; q != b0 + Lw; ++q) *q = 0x80u;
    /* The three shifted copies in one pass: each word of the first is loaded
     * once (little-endian: a byte moving up an address moves up 8 bits). */
    const uint32_t* w0 = (const uint32_t*)__builtin_assume_aligned(b0, 4);
    uint32_t* w1 = (uint32_t*)__builtin_assume_aligned(b0 + Lw, 4);
    const int32_t nw = Lw / 4;
    uint32_t prev = 0;
    for (int32_t i = 0; i < nw; ++i) {
      const uint32_t cur = w0[i];
      w1[i] = (cur << 8) | (prev >> 24);
      w1[i + nw] = (cur << 16) | (prev >> 16);
      w1[i + 2 * nw] = (cur << 24) | (prev >> 8);
      prev = cur;
    }
  }
}

/* The biased, padded copy of the input, then the x operands of an ungrouped
 * Conv: strips (above) for one input channel, else an im2col of one
 * K4-byte vector per output pixel, padded with 0x80. */
static pix_map conv_cols(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed, int8_t* patch) {
  const int32_t C = s->C, OH = s->OH, OW = s->OW;
  const int32_t kh = s->kh, kw = s->kw, sh = s->sh, sw = s->sw;
  const int32_t K = C * kh * kw, K4 = (int32_t)zkml_k4(K);
  /* The covered input region, biased, with the zero point around it (always
   * copied: the XOR has to happen somewhere, and this touches each input
   * byte once instead of kh*kw times in the im2col). */
  const int32_t Hp = zkml_span(OH, sh, kh, s->dh), Wp = zkml_span(OW, sw, kw, s->dw);
  int8_t* xp = patch + zkml_conv_cols_bytes(s);
  zkml_conv_pad_input(x, s, 0x80u, xp);
  uint8_t* cols = (uint8_t*)patch;
  const int32_t dw = zkml_dil(s->dw);
  const int32_t Lw = (int32_t)zkml_conv_strip_slot(s);
  if (Lw > 0 && (K == K4 || pad_columns_zero(w_packed, s->M, K, K4))) {
    const uint8_t* src = (const uint8_t*)xp;
    switch (dw == 1 ? kw : 0) { /* a constant kw unrolls the row copies */
      case 3: make_strips(src, Hp, Wp, 3, 1, sw, OW, Lw, cols); break;
      case 5: make_strips(src, Hp, Wp, 5, 1, sw, OW, Lw, cols); break;
      default: make_strips(src, Hp, Wp, kw, dw, sw, OW, Lw, cols); break;
    }
    const pix_map m = {cols, 4 * Lw, sh * kw, Lw};
    return m;
  }
  const geom g = {(const uint8_t*)xp, (int64_t)Hp * Wp, (int64_t)zkml_dil(s->dh) * Wp, Wp, C, kh, sh, sw, OH, OW,
                  K4 - K};
  /* Constant kernel sizes unroll the copies: square 3x3 and 5x5 whole
   * windows, other widths one row at a time. */
  switch (dw == 1 ? (kh == kw && (kw == 3 || kw == 5) ? 10 * kw : kw) : 0) {
    case 30: im2col(&g, 3, 3, 1, cols); break;
    case 50: im2col(&g, 5, 5, 1, cols); break;
    case 1: im2col(&g, 0, 1, 1, cols); break;
    case 2: im2col(&g, 0, 2, 1, cols); break;
    case 3: im2col(&g, 0, 3, 1, cols); break;
    case 4: im2col(&g, 0, 4, 1, cols); break;
    case 5: im2col(&g, 0, 5, 1, cols); break;
    case 7: im2col(&g, 0, 7, 1, cols); break;
    default: im2col(&g, 0, kw, dw, cols); break;
  }
  const pix_map m = {cols, K4, OW * K4, 0};
  return m;
}

void zkml_conv_s8_dot4(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed,
                       const int32_t* bias, const zkml_requant_params* rq, int8_t* patch, int8_t* y) {
  /* Depthwise (one input channel per group): each output's dot product is
   * one window (K = 9 for 3x3), too short for the call to beat reading the
   * window in place; the plain kernel's direct loop does that. */
  if (zkml_conv_groups(s) > 1 && s->C == zkml_conv_groups(s)) {
    zkml_conv_s8(x, s, w_packed, bias, rq, patch, y);
    return;
  }
  /* Locals: stores through int8_t* may alias *s and *rq. */
  const int32_t C = s->C, M = s->M, OH = s->OH, OW = s->OW;
  const int32_t K = C * s->kh * s->kw, K4 = (int32_t)zkml_k4(K);
  const int32_t npix = OH * OW;
  if (zkml_conv_groups(s) > 1) {
    const int32_t Hp = zkml_span(OH, s->sh, s->kh, s->dh), Wp = zkml_span(OW, s->sw, s->kw, s->dw);
    int8_t* xp = patch + zkml_conv_cols_bytes(s);
    zkml_conv_pad_input(x, s, 0x80u, xp);
    conv_grouped_dot4((const uint8_t*)xp, (int64_t)Hp * Wp, Wp, s, w_packed, bias, rq, (uint8_t*)patch, y);
    return;
  }
  const int rom = in_rodata(w_packed, zkml_weight_bytes(M, K));
  const pix_map pm = conv_cols(x, s, w_packed, patch);
  /* One call per (block of 4 channels, pixel); the block's requantisation
   * parameters stay in registers across its pixels. */
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max;
  const int one_call = K4 <= (int32_t)ZKVM_DOT4_MAX_K;
  int8_t sink = 0; /* where the padding rows of a last partial block go */
  for (int32_t m0 = 0; m0 < M; m0 += ZKML_ROWS) {
    const uint8_t* wb = w_packed + (int64_t)m0 * K4;
    block_rq b;
    load_block_rq(rq, bias, m0, M, &b);
    int8_t* yr[ZKML_ROWS];
    for (int32_t r = 0; r < ZKML_ROWS; ++r) yr[r] = b.inc[r] ? y + (int64_t)(m0 + r) * npix : &sink;
    int32_t acc[4];
    if (b.hi && one_call) { /* the usual case: one call, multipliers < 2^-2 */
      const int32_t u0 = b.mu[0], u1 = b.mu[1], u2 = b.mu[2], u3 = b.mu[3];
      const int32_t r0 = b.rnd[0], r1 = b.rnd[1], r2 = b.rnd[2], r3 = b.rnd[3];
      const int32_t t0 = b.s2[0], t1 = b.s2[1], t2 = b.s2[2], t3 = b.s2[3];
      const int32_t b0 = b.bm[0], b1 = b.bm[1], b2 = b.bm[2], b3 = b.bm[3];
      const int32_t i0 = b.inc[0], i1 = b.inc[1], i2 = b.inc[2], i3 = b.inc[3];
      int8_t *y0 = yr[0], *y1 = yr[1], *y2 = yr[2], *y3 = yr[3];
      for (int32_t cy = 0; cy < OH; ++cy) {
        const uint8_t* xv = pm.base + row_off(&pm, cy);
        for (int32_t cx = 0; cx < OW; ++cx, xv += pm.cstep) {
          dot4_call(rom, xv, wb, (uint32_t)K4, acc);
          *y0 = requant_hi(acc[0] + b0, u0, r0, t0, zp, lo, hi);
          *y1 = requant_hi(acc[1] + b1, u1, r1, t1, zp, lo, hi);
          *y2 = requant_hi(acc[2] + b2, u2, r2, t2, zp, lo, hi);
          *y3 = requant_hi(acc[3] + b3, u3, r3, t3, zp, lo, hi);
          y0 += i0;
          y1 += i1;
          y2 += i2;
          y3 += i3;
        }
      }
    } else {
      for (int32_t cy = 0, q = 0; cy < OH; ++cy) {
        const uint8_t* xv = pm.base + row_off(&pm, cy);
        for (int32_t cx = 0; cx < OW; ++cx, ++q, xv += pm.cstep) {
          dot4_rows(rom, xv, wb, K4, acc);
          for (int32_t r = 0; r < b.rows; ++r)
            yr[r][q] = zkml_requant_out(acc[r] + b.bm[r], b.mu[r], b.sf[r], zp, lo, hi);
        }
      }
    }
  }
}

/* The four largest sums of a 2x2 window's pixels at x, x + cs, x + rs and
 * x + rs + cs against the weight block w: four dot4 calls (number `call`)
 * and the running maxima, in one asm block because the compiler moves every
 * call's results out of a0..a3 and reloads the call's arguments: 38 to 50
 * instructions instead of about 60. The C equivalent, for reading:
 *   for each tap p: zkvm__dot4_call(call, p, w, k, t); m[j] = max(m[j], t[j]). */
static inline void window2x2(long call, const uint8_t* x, int32_t cs, int32_t rs, const uint8_t* w, int32_t k,
                             int32_t m[4]) {
  register long r_a7 __asm__("a7") = call;
  int32_t m0, m1, m2, m3;
  const uint8_t* x3 = x + rs + cs;
#define ZKML_MAXJ(j) "bge %" #j ", a" #j ", 1f\n\tmv %" #j ", a" #j "\n1:\n\t"
#define ZKML_CALL(addr) addr "mv a1, %[w]\n\tmv a2, %[k]\n\tecall\n\t"
  __asm__ volatile(ZKML_CALL("mv a0, %[x]\n\t") "mv %0, a0\n\tmv %1, a1\n\tmv %2, a2\n\tmv %3, a3\n\t"
                   ZKML_CALL("add a0, %[x], %[cs]\n\t") ZKML_MAXJ(0) ZKML_MAXJ(1) ZKML_MAXJ(2) ZKML_MAXJ(3)
                   ZKML_CALL("add a0, %[x], %[rs]\n\t") ZKML_MAXJ(0) ZKML_MAXJ(1) ZKML_MAXJ(2) ZKML_MAXJ(3)
                   ZKML_CALL("mv a0, %[x3]\n\t") ZKML_MAXJ(0) ZKML_MAXJ(1) ZKML_MAXJ(2) ZKML_MAXJ(3)
                   : "=&r"(m0), "=&r"(m1), "=&r"(m2), "=&r"(m3)
                   : [x] "r"(x), [cs] "r"(cs), [rs] "r"(rs), [x3] "r"(x3), [w] "r"(w), [k] "r"(k), "r"(r_a7)
                   : "a0", "a1", "a2", "a3", "memory");
#undef ZKML_CALL
#undef ZKML_MAXJ
  m[0] = m0, m[1] = m1, m[2] = m2, m[3] = m3;
}

/* Taps [t0, t1) of a pool window along one axis: tap t reads conv row (or
 * column) start + t * d, and only those inside [0, n) count (MaxPool
 * ignores padding). The parser makes every window hold one. */
static inline void tap_range(int32_t start, int32_t k, int32_t d, int32_t n, int32_t* t0, int32_t* t1) {
  int32_t a = 0, b = k;
  if (start < 0) a = (-start + d - 1) / d;
  if (start + (k - 1) * d >= n) b = (n - 1 - start) / d + 1;
  *t0 = a;
  *t1 = b;
}

/* Two calls against one channel's phase weights w (rows: output pixels
 * a .. a+3 of one Conv row) at x and at x + rs (the next Conv row), and the
 * largest of each 2x2 window: o01 of pixels a, a+1, o23 of a+2, a+3 over
 * both rows. One asm block, as window2x2: 21 to 27 instructions. */
static inline void phase_pair(long call, const uint8_t* x, int32_t rs, const uint8_t* w, int32_t k, int32_t* o01,
                              int32_t* o23) {
  register long r_a7 __asm__("a7") = call;
  int32_t m0, m1;
  __asm__ volatile(
      "mv a0, %[x]\n\tmv a1, %[w]\n\tmv a2, %[k]\n\tecall\n\t"
      "mv %0, a0\n\tbge %0, a1, 1f\n\tmv %0, a1\n1:\n\t"
      "mv %1, a2\n\tbge %1, a3, 2f\n\tmv %1, a3\n2:\n\t"
      "add a0, %[x], %[rs]\n\tmv a1, %[w]\n\tmv a2, %[k]\n\tecall\n\t"
      "bge %0, a0, 3f\n\tmv %0, a0\n3:\n\t"
      "bge %0, a1, 4f\n\tmv %0, a1\n4:\n\t"
      "bge %1, a2, 5f\n\tmv %1, a2\n5:\n\t"
      "bge %1, a3, 6f\n\tmv %1, a3\n6:"
      : "=&r"(m0), "=&r"(m1)
      : [x] "r"(x), [rs] "r"(rs), [w] "r"(w), [k] "r"(k), "r"(r_a7)
      : "a0", "a1", "a2", "a3", "memory");
  *o01 = m0;
  *o23 = m1;
}

/* One channel's requantisation: mode 0 zkml_requant_out_hi with the zero
 * point folded into the rounding constant (shift - 32 <= 22, as the fused
 * kernel below), 1 zkml_requant_out_hi, 2 zkml_requant_out. */
typedef struct {
  int32_t mu, bm, rnd, s2, sf, zp, lo, hi, rz;
} chan_rq;

static inline __attribute__((always_inline)) int8_t rq_one(int mode, const chan_rq* q, int32_t a) {
  if (mode == 0)
    return (int8_t)clamp_lo_hi(((int32_t)(((int64_t)(a + q->bm) * q->mu) >> 32) + q->rz) >> q->s2, q->lo, q->hi);
  if (mode == 1) return requant_hi(a + q->bm, q->mu, q->rnd, q->s2, q->zp, q->lo, q->hi);
  return zkml_requant_out(a + q->bm, q->mu, q->sf, q->zp, q->lo, q->hi);
}

/* Channel m of the phase kernel: per pooled row, one phase_pair per group
 * of 4 Conv columns (two pooled outputs). */
static inline __attribute__((always_inline)) void phase_channel(int mode, const chan_rq* q, long call,
                                                                const uint8_t* strips, int64_t gstride, int32_t CS,
                                                                const uint8_t* w, int32_t Kp, int32_t POH,
                                                                int32_t POW, int8_t* yo) {
  const chan_rq c = *q;
  const int32_t pairs = POW / 2, rs = CS;
  for (int32_t py = 0; py < POH; ++py, yo += POW) {
    const uint8_t* xg = strips + (int64_t)2 * py * CS;
    int8_t* o = yo;
    for (int32_t g = 0; g < pairs; ++g, xg += gstride, o += 2) {
      int32_t a, b;
      phase_pair(call, xg, rs, w, Kp, &a, &b);
      o[0] = rq_one(mode, &c, a);
      o[1] = rq_one(mode, &c, b);
    }
    if (POW & 1) {
      int32_t a, b;
      phase_pair(call, xg, rs, w, Kp, &a, &b);
      o[0] = rq_one(mode, &c, a);
    }
  }
}

/* Bytes of the phase kernel's strips: groups of 4 Conv columns, each the 8
 * input bytes from the group's first column of every (row, channel). */
static inline int64_t phase_strip_bytes(const zkml_conv_shape* s, const zkml_pool_shape* p) {
  const int64_t groups = (2 * (int64_t)p->OW + 3) / 4, rows = 2 * (int64_t)p->OH + s->kh - 1;
  return groups * rows * s->C * 8;
}

/* Conv + 2x2 MaxPool (stride 2, no pads) through phase weights
 * (kernels.h zkml_conv_phase_k): one call per (channel, Conv row, group of
 * 4 Conv columns a .. a+3), with x the strip of group a: for Conv row cy,
 * the input rows cy .. cy+kh-1 of every channel, 8 bytes from column a
 * each, which is the call's x operand as it stands (k = (ky C + c) 8 + t).
 * The strips are the only copy of the input (about 2 C bytes per input
 * byte); no im2col. Two calls (Conv rows 2 py and 2 py + 1) give the
 * maxima of two pooled outputs, each requantised once. */
static void conv_maxpool_phase(const int8_t* x, const zkml_conv_shape* s, const uint8_t* pw, const int32_t* bias,
                               const zkml_requant_params* rq, const zkml_pool_shape* p, int8_t* patch, int8_t* y) {
  const int32_t C = s->C, H = s->H, W = s->W, M = s->M, Kp = zkml_conv_phase_k(s);
  const int32_t POH = p->OH, POW = p->OW, CS = 8 * C;
  const int32_t groups = (2 * POW + 3) / 4, rows = 2 * POH + s->kh - 1;
  const int64_t gstride = (int64_t)rows * CS;
  uint8_t* strips = (uint8_t*)patch;
  const int32_t pt = s->pt, pl = s->pl;
  if (pt == 0 && pl == 0 && (W & 3) == 0 && ((uintptr_t)x & 3u) == 0 && 4 * (groups - 1) + 8 <= W &&
      rows <= H) {
    /* The windows lie inside the input and its rows are whole words: two
     * word copies (biased by XOR) per (group, row, channel). */
    const int64_t plane = (int64_t)H * W;
    uint32_t* d = (uint32_t*)__builtin_assume_aligned(strips, 4);
    for (int32_t g = 0; g < groups; ++g)
      for (int32_t r = 0; r < rows; ++r) {
        const int8_t* src = x + (int64_t)r * W + 4 * g;
        for (int32_t c = 0; c < C; ++c, src += plane, d += 2) {
          uint32_t v0, v1;
          __builtin_memcpy(&v0, __builtin_assume_aligned(src, 4), 4);
          __builtin_memcpy(&v1, __builtin_assume_aligned(src + 4, 4), 4);
          d[0] = v0 ^ 0x80808080u;
          d[1] = v1 ^ 0x80808080u;
        }
      }
  } else {
    /* Any other geometry: byte by byte, the zero point outside the input
     * (the taps of pixels past the Conv's width meet it too: their outputs
     * are not pooled). */
    const uint8_t zb = (uint8_t)((uint8_t)s->zp_in ^ 0x80u);
    uint8_t* d = strips;
    for (int32_t g = 0; g < groups; ++g)
      for (int32_t r = 0; r < rows; ++r)
        for (int32_t c = 0; c < C; ++c)
          for (int32_t t = 0; t < 8; ++t, ++d) {
            const int32_t iy = r - pt, ix = 4 * g + t - pl;
            *d = iy >= 0 && iy < H && ix >= 0 && ix < W ? (uint8_t)x[((int64_t)c * H + iy) * W + ix] ^ 0x80u : zb;
          }
  }
  const long call = in_rodata(pw, zkml_conv_phase_bytes(s)) ? ZKVM_SYS_DOT4_ROM : ZKVM_SYS_DOT4;
  const int32_t pc = rq->per_channel;
  for (int32_t m = 0; m < M; ++m) {
    const int32_t ci = pc ? m : 0;
    chan_rq q;
    q.mu = rq->mult[ci];
    q.sf = rq->shift[ci];
    q.bm = bias[m];
    q.zp = rq->zp_out;
    q.lo = rq->act_min;
    q.hi = rq->act_max;
    q.s2 = q.sf - 32;
    q.rnd = q.sf >= 33 ? (int32_t)(1u << (q.sf - 33)) : 0;
    q.rz = q.sf >= 33 && q.s2 <= 22 ? q.rnd + (int32_t)((uint32_t)q.zp << q.s2) : 0;
    const uint8_t* w = pw + (int64_t)ZKML_ROWS * Kp * m;
    int8_t* yo = y + (int64_t)m * POH * POW;
    if (q.sf >= 33 && q.s2 <= 22) phase_channel(0, &q, call, strips, gstride, CS, w, Kp, POH, POW, yo);
    else if (q.sf >= 33) phase_channel(1, &q, call, strips, gstride, CS, w, Kp, POH, POW, yo);
    else phase_channel(2, &q, call, strips, gstride, CS, w, Kp, POH, POW, yo);
  }
}

/* The phase weights of this Conv + MaxPool pair, when it can use them:
 * registered for these weights, a 2x2 pool of stride 2 without pads or
 * dilation whose windows lie inside the Conv's output, and strips that fit
 * the Conv's scratch. */
static const uint8_t* phase_weights_for(const zkml_conv_shape* s, const uint8_t* w_packed,
                                        const zkml_pool_shape* p) {
  if (zkml_conv_phase_k(s) == 0) return 0;
  if (p->kh != 2 || p->kw != 2 || p->sh != 2 || p->sw != 2 || p->pt != 0 || p->pl != 0 || p->dh > 1 || p->dw > 1)
    return 0;
  if (p->OH < 1 || p->OW < 1 || 2 * p->OH > s->OH || 2 * p->OW > s->OW) return 0;
  if (phase_strip_bytes(s, p) > zkml_conv_cols_bytes(s)) return 0;
  return zkml_find_phase_weights(w_packed, zkml_conv_phase_bytes(s));
}

/* Pooled outputs per pass of the fused kernel: their four channels' largest
 * sums wait in a stack buffer (1 KiB) for the requantisation pass. */
#define ZKML_POOL_CHUNK 64

/* Conv + MaxPool (zkml_kernel_table.conv_maxpool). Per block of 4 output
 * channels and pooled output: one call per tap of the pool window (a pixel
 * of the Conv's output, its im2col vector as x), keeping the four largest
 * raw sums; then, per channel, one requantisation per pooled output. That
 * is a quarter of the requantisations of Conv then MaxPool for 2x2 windows,
 * and no Conv output is written or read back. The result is the same bytes
 * because the requantisation with its clamp is monotone in the sum
 * (mult >= 0, and the bias is the channel's). Grouped Convs and rows over
 * one call's length go through the two kernels, with yc as the Conv's
 * output. */
void zkml_conv_maxpool_s8_dot4(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed,
                               const int32_t* bias, const zkml_requant_params* rq, const zkml_pool_shape* p,
                               int8_t* patch, int8_t* yc, int8_t* y) {
  const int32_t M = s->M, OH = s->OH, OW = s->OW;
  const int32_t K = s->C * s->kh * s->kw, K4 = (int32_t)zkml_k4(K);
  if (zkml_conv_groups(s) > 1 || K4 > (int32_t)ZKVM_DOT4_MAX_K) {
    zkml_conv_s8_dot4(x, s, w_packed, bias, rq, patch, yc);
    zkml_maxpool_s8(yc, p, y);
    return;
  }
  const uint8_t* pw = phase_weights_for(s, w_packed, p);
  if (pw) {
    conv_maxpool_phase(x, s, pw, bias, rq, p, patch, y);
    return;
  }
  const long call = in_rodata(w_packed, zkml_weight_bytes(M, K)) ? ZKVM_SYS_DOT4_ROM : ZKVM_SYS_DOT4;
  const pix_map pm = conv_cols(x, s, w_packed, patch);
  const int32_t POH = p->OH, POW = p->OW, pkh = p->kh, pkw = p->kw, psh = p->sh, psw = p->sw;
  const int32_t ppt = p->pt, ppl = p->pl, pdh = zkml_dil(p->dh), pdw = zkml_dil(p->dw);
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max;
  const int32_t col_step = pdw * pm.cstep, px_step = psw * pm.cstep;
  const int32_t pplane = POH * POW;
  const int two = pkh == 2 && pkw == 2; /* the usual 2x2 window: its four calls unrolled */
  /* Pooled columns [px_in0, px_in1) have all their taps inside the Conv's
   * output columns. */
  const int32_t px_in0 = (ppl + psw - 1) / psw;
  const int32_t px_last = OW - 1 - (pkw - 1) * pdw + ppl; /* largest cx + ppl of such a window */
  int32_t px_in1 = px_last < 0 ? 0 : px_last / psw + 1;
  if (px_in1 > POW) px_in1 = POW;
  int32_t mx[4 * ZKML_POOL_CHUNK];
#define ZKML_MAX4(ptr)                                                                                      \
  zkvm__dot4_call(call, (ptr), wb, (uint32_t)K4, t);                                                        \
  if (t[0] > a0) a0 = t[0];                                                                                 \
  if (t[1] > a1) a1 = t[1];                                                                                 \
  if (t[2] > a2) a2 = t[2];                                                                                 \
  if (t[3] > a3) a3 = t[3];
  for (int32_t m0 = 0; m0 < M; m0 += ZKML_ROWS) {
    const uint8_t* wb = w_packed + (int64_t)m0 * K4;
    block_rq b;
    load_block_rq(rq, bias, m0, M, &b);
    for (int32_t py = 0; py < POH; ++py) {
      const int32_t cy = py * psh - ppt;
      int32_t ty0, ty1;
      tap_range(cy, pkh, pdh, OH, &ty0, &ty1);
      const int full_rows = ty0 == 0 && ty1 == pkh;
      /* The 2x2 window's second row of taps, relative to its first. */
      const int32_t row_step = full_rows && two ? row_off(&pm, cy + pdh) - row_off(&pm, cy) : 0;
      for (int32_t px0 = 0; px0 < POW; px0 += ZKML_POOL_CHUNK) {
        const int32_t n = POW - px0 < ZKML_POOL_CHUNK ? POW - px0 : ZKML_POOL_CHUNK;
        /* Windows [ja, jb) of the chunk are 2x2 inside the Conv's output. */
        int32_t ja = n, jb = n;
        if (two && full_rows) {
          ja = px_in0 - px0 < 0 ? 0 : (px_in0 - px0 > n ? n : px_in0 - px0);
          jb = px_in1 - px0 < ja ? ja : (px_in1 - px0 > n ? n : px_in1 - px0);
        }
        for (int32_t j = 0; j < n; ++j) {
          if (j == ja) { /* the unrolled run: four calls at fixed distances */
            const uint8_t* xw = pm.base + row_off(&pm, cy) + ((px0 + ja) * psw - ppl) * pm.cstep;
            int32_t* mo = mx + 4 * ja;
            for (; j < jb; ++j, mo += 4, xw += px_step) {
              int32_t m[4];
              window2x2(call, xw, col_step, row_step, wb, K4, m);
              mo[0] = m[0], mo[1] = m[1], mo[2] = m[2], mo[3] = m[3];
            }
            if (j == n) break;
          }
          /* Any other window: its taps inside the Conv's output. */
          const int32_t cx = (px0 + j) * psw - ppl;
          int32_t tx0, tx1;
          tap_range(cx, pkw, pdw, OW, &tx0, &tx1);
          int32_t a0 = INT32_MIN, a1 = INT32_MIN, a2 = INT32_MIN, a3 = INT32_MIN, t[4];
          for (int32_t ty = ty0; ty < ty1; ++ty) {
            const uint8_t* xv = pm.base + row_off(&pm, cy + ty * pdh) + (cx + tx0 * pdw) * pm.cstep;
            for (int32_t tx = tx0; tx < tx1; ++tx, xv += col_step) { ZKML_MAX4(xv) }
          }
          mx[4 * j] = a0, mx[4 * j + 1] = a1, mx[4 * j + 2] = a2, mx[4 * j + 3] = a3;
        }
        /* Requantise: one channel at a time, its parameters in registers. */
        for (int32_t r = 0; r < b.rows; ++r) {
          const int32_t mu = b.mu[r], bm = b.bm[r], rnd = b.rnd[r], s2 = b.s2[r], sf = b.sf[r];
          const int32_t* a = mx + r;
          int8_t* yo = y + (int64_t)(m0 + r) * pplane + (int64_t)py * POW + px0;
          int8_t* const ye = yo + n;
          if (b.hi && s2 <= 22) {
            /* zkml_requant_out_hi with the zero point added before the shift:
             * floor((t + rnd + zp 2^s2) / 2^s2) = floor((t + rnd) / 2^s2) + zp;
             * |t| < 2^30, rnd <= 2^21 and |zp 2^s2| <= 2^29 keep the sum in
             * int32. */
            const int32_t rz = rnd + (int32_t)((uint32_t)zp << s2);
            for (; yo != ye; ++yo, a += 4) {
              *yo = (int8_t)clamp_lo_hi(((int32_t)(((int64_t)(*a + bm) * mu) >> 32) + rz) >> s2, lo, hi);
            }
          } else if (b.hi) {
            for (; yo != ye; ++yo, a += 4) *yo = requant_hi(*a + bm, mu, rnd, s2, zp, lo, hi);
          } else {
            for (; yo != ye; ++yo, a += 4) *yo = zkml_requant_out(*a + bm, mu, sf, zp, lo, hi);
          }
        }
      }
    }
  }
}
#undef ZKML_MAX4

const zkml_kernel_table zkml_kernels_dot4 = {zkml_dense_s8_dot4, zkml_conv_s8_dot4, zkml_conv_maxpool_s8_dot4};

#else
/* ISO C forbids an empty translation unit. */
typedef int zkml_kernels_dot4_unused;
#endif
