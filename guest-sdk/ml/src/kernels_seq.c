/* Kernels of the sequence (transformer) ops of the zkml int8 runtime:
 * MatMul of two activations, LayerNorm, Transpose (kernels.h). Plain C,
 * compiled into guests and the host library alike, so host and guest give
 * the same bytes. Integer only, no undefined behaviour; the parser
 * (model.c) checks the limits that keep every sum below its type's range. */
#include <string.h>

#include "zkvm/ml/kernels.h"

_Static_assert((-1LL >> 1) == -1LL, "arithmetic right shift of negative int64 required");

static int8_t sat8(int32_t v, int32_t lo, int32_t hi) { return (int8_t)(v < lo ? lo : v > hi ? hi : v); }

uint32_t zkml_matmul_scratch_bytes(int32_t K, int32_t N) {
  /* B^T (N x K int8) and the column sums of B (N int32) */
  return (uint32_t)(((uint64_t)K * (uint64_t)N + 3u) & ~3ull) + 4u * (uint32_t)N;
}

void zkml_matmul_s8(const int8_t* a, const int8_t* b, const zkml_matmul_shape* s, int8_t* scratch, int8_t* y) {
  const int32_t T = s->T, K = s->K, N = s->N;
  const int32_t za = s->zp_a, zb = s->zp_b, zy = s->zp_out, mult = s->mult, shift = s->shift;
  const int32_t lo = s->act_min, hi = s->act_max;
  int8_t* bt = scratch;
  int32_t* colsum = (int32_t*)(void*)(scratch + (((uint32_t)K * (uint32_t)N + 3u) & ~3u));
  /* sum_k (a - za)(b - zb) = sum a b - zb sum a - za sum b + K za zb; every
   * term fits int32 for K <= ZKML_MAX_MATMUL_K (|a b| <= 2^14). */
  const int32_t kzz = K * za * zb;
  for (int32_t bi = 0; bi < s->batch; ++bi) {
    const int8_t* A = a + (int64_t)bi * T * K;
    const int8_t* B = b + (int64_t)bi * K * N;
    int8_t* Y = y + (int64_t)bi * T * N;
    for (int32_t n = 0; n < N; ++n) {
      int32_t cs = 0;
      for (int32_t k = 0; k < K; ++k) {
        int8_t v = B[(int64_t)k * N + n];
        bt[(int64_t)n * K + k] = v;
        cs += v;
      }
      colsum[n] = kzz - za * cs;
    }
    for (int32_t t = 0; t < T; ++t) {
      const int8_t* ar = A + (int64_t)t * K;
      int32_t rs = 0;
      for (int32_t k = 0; k < K; ++k) rs += ar[k];
      const int32_t rterm = -zb * rs;
      int32_t n = 0;
      for (; n + 4 <= N; n += 4) {
        const int8_t* b0 = bt + (int64_t)n * K;
        const int8_t* b1 = b0 + K;
        const int8_t* b2 = b1 + K;
        const int8_t* b3 = b2 + K;
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int32_t k = 0; k < K; ++k) {
          const int32_t x = ar[k];
          s0 += x * b0[k];
          s1 += x * b1[k];
          s2 += x * b2[k];
          s3 += x * b3[k];
        }
        const int32_t acc[4] = {s0, s1, s2, s3};
        for (int j = 0; j < 4; ++j)
          Y[(int64_t)t * N + n + j] =
              sat8(zy + zkml_requant(acc[j] + rterm + colsum[n + j], mult, shift), lo, hi);
      }
      for (; n < N; ++n) {
        const int8_t* b0 = bt + (int64_t)n * K;
        int32_t s0 = 0;
        for (int32_t k = 0; k < K; ++k) s0 += ar[k] * b0[k];
        Y[(int64_t)t * N + n] = sat8(zy + zkml_requant(s0 + rterm + colsum[n], mult, shift), lo, hi);
      }
    }
  }
}

/* floor(sqrt(v)) for a 64-bit v, bit by bit. */
static uint64_t isqrt64(uint64_t v) {
  uint64_t r = 0, bit = 1ull << 62;
  while (bit > v) bit >>= 2;
  while (bit) {
    if (v >= r + bit) {
      v -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  return r;
}

void zkml_layernorm_s8(const int8_t* x, int32_t rows, int32_t D, int32_t zp_in, uint64_t eps_q, const int32_t* g,
                       const int32_t* bb, int32_t zp_out, int8_t* y) {
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* xr = x + (int64_t)r * D;
    int8_t* yr = y + (int64_t)r * D;
    int32_t S = 0;
    for (int32_t i = 0; i < D; ++i) S += xr[i] - zp_in;
    /* d_i = D x_i - S (D times the deviation from the mean, exact);
     * |d_i| <= D 255 < 2^20 and V = sum d_i^2 < 2^52 for D <= 4096. */
    uint64_t V = 0;
    for (int32_t i = 0; i < D; ++i) {
      const int64_t d = (int64_t)D * (xr[i] - zp_in) - S;
      V += (uint64_t)(d * d);
    }
    /* Q = D^2 (var + eps) / s_in^2 = V / D + eps_q, 1 <= Q < 2^42 */
    uint64_t Q = V / (uint64_t)D + eps_q;
    if (Q == 0) Q = 1;
    /* Q 4^e in [2^60, 2^62): r = floor(sqrt(Q 4^e)) in [2^30, 2^31), so
     * 1/sqrt(Q) = 2^e / r ~ mult 2^(e - 61) with mult in (2^30, 2^31). */
    int32_t e = 0;
    while ((Q << (2 * e)) < (1ull << 60)) ++e;
    const uint64_t rt = isqrt64(Q << (2 * e));
    uint64_t mult = (1ull << 61) / rt;
    if (mult > 0x7FFFFFFFull) mult = 0x7FFFFFFFull;
    /* t_i = d_i / sqrt(Q) in Q16 fixed point: d_i mult / 2^(45 - e), 15 <= 45 - e <= 36 */
    const int32_t sh = 45 - e;
    const int64_t half = (int64_t)1 << (sh - 1);
    for (int32_t i = 0; i < D; ++i) {
      const int64_t d = (int64_t)D * (xr[i] - zp_in) - S;
      const int64_t t = (d * (int64_t)mult + half) >> sh; /* |t| <= sqrt(D) 2^16 <= 2^22 */
      /* y = zp + (t g + b 2^16) / 2^32, rounded half up; |g|, |b| < 2^24 */
      const int64_t acc = t * (int64_t)g[i] + (int64_t)bb[i] * 65536 + ((int64_t)1 << 31);
      yr[i] = sat8(zp_out + (int32_t)(acc >> 32), -128, 127);
    }
  }
}

void zkml_transpose_s8(const int8_t* x, const uint32_t dims[4], const uint32_t perm[4], int8_t* y) {
  /* Output index (o0, o1, o2, o3) over the permuted dims reads x at the
   * input index whose axis perm[j] is o_j. */
  uint32_t stride[4];
  stride[3] = 1;
  for (int d = 2; d >= 0; --d) stride[d] = stride[d + 1] * dims[d + 1];
  const uint32_t n0 = dims[perm[0]], n1 = dims[perm[1]], n2 = dims[perm[2]], n3 = dims[perm[3]];
  const uint32_t s0 = stride[perm[0]], s1 = stride[perm[1]], s2 = stride[perm[2]], s3 = stride[perm[3]];
  for (uint32_t i0 = 0; i0 < n0; ++i0)
    for (uint32_t i1 = 0; i1 < n1; ++i1)
      for (uint32_t i2 = 0; i2 < n2; ++i2) {
        const int8_t* src = x + i0 * s0 + i1 * s1 + i2 * s2;
        if (s3 == 1) {
          memcpy(y, src, n3);
          y += n3;
        } else {
          for (uint32_t i3 = 0; i3 < n3; ++i3) *y++ = src[i3 * s3];
        }
      }
}
