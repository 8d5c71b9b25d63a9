/* Kernels of the sequence (transformer) ops of the zkml int8 runtime:
 * MatMul of two activations, LayerNorm, Transpose (kernels.h). Plain C,
 * compiled into guests and the host library alike, so host and guest give
 * the same bytes. Integer only, no undefined behaviour; the parser
 * (model.c) checks the limits that keep every sum below its type's range. */
#include <string.h>

#include "zkvm/ml/kernels.h"

_Static_assert((-1LL >> 1) == -1LL, "arithmetic right shift of negative int64 required");

static int8_t sat8(int32_t v, int32_t lo, int32_t hi) { return (int8_t)(v < lo ? lo : v > hi ? hi : v); }

/* MatMul through the Dense kernel of the dispatch table (the dot4 call in
 * guests): per pair, b's columns become the rows of a packed weight matrix
 * (b^T, biased bytes in the dot4 layout of kernels.h), and
 *   sum_k (a - za)(b - zb) = sum_k a b + (K za zb - za colsum_b[n]) - zb rowsum_a[t]
 * is Dense's sum over the raw int8 a plus a bias per (t, n). With K <=
 * ZKML_MAX_MATMUL_K = 2^14 every term and their sum stay below 2^30. */
static uint32_t up4(uint64_t v) { return (uint32_t)((v + 3u) & ~3ull); }

uint32_t zkml_matmul_scratch_bytes(int32_t K, int32_t N) {
  /* packed b^T, column terms and one row's biases (int32 x N), Dense's scratch */
  return up4(zkml_weight_bytes(N, K)) + 8u * (uint32_t)N + up4(zkml_dense_scratch_bytes(K));
}

void zkml_matmul_s8(const int8_t* a, const int8_t* b, const zkml_matmul_shape* s, int8_t* scratch, int8_t* y) {
  const int32_t T = s->T, K = s->K, N = s->N, za = s->zp_a, zb = s->zp_b;
  const int32_t K4 = (int32_t)zkml_k4(K);
  uint8_t* wp = (uint8_t*)scratch;
  const uint32_t wbytes = up4(zkml_weight_bytes(N, K));
  int32_t* colterm = (int32_t*)(void*)(scratch + wbytes);
  int32_t* bias = colterm + N;
  int8_t* dscratch = (int8_t*)(bias + N);
  const int32_t mult = s->mult, shift = s->shift;
  const zkml_requant_params rq = {&mult, &shift, 0, s->zp_out, s->act_min, s->act_max, 0};
  const int32_t kzz = K * za * zb;
  memset(wp, 0x80, wbytes); /* padding rows and columns: weight 0 */
  for (int32_t bi = 0; bi < s->batch; ++bi) {
    const int8_t* A = a + (int64_t)bi * T * K;
    const int8_t* B = b + (int64_t)bi * K * N;
    int8_t* Y = y + (int64_t)bi * T * N;
    for (int32_t n = 0; n < N; ++n) colterm[n] = kzz;
    for (int32_t k = 0; k < K; ++k) {
      const int8_t* br = B + (int64_t)k * N;
      /* b[k][n] is row n, column k of b^T: block n/4, word k/4, lane n%4, byte k%4 */
      uint8_t* col = wp + 16 * (k >> 2) + (k & 3);
      for (int32_t n = 0; n < N; ++n) {
        col[4 * K4 * (n >> 2) + 4 * (n & 3)] = (uint8_t)(br[n] ^ 0x80);
        colterm[n] -= za * br[n];
      }
    }
    for (int32_t t = 0; t < T; ++t) {
      const int8_t* ar = A + (int64_t)t * K;
      int32_t rs = 0;
      for (int32_t k = 0; k < K; ++k) rs += ar[k];
      const int32_t rterm = zb * rs;
      for (int32_t n = 0; n < N; ++n) bias[n] = colterm[n] - rterm;
      zkml_kernels.dense(ar, K, wp, bias, N, &rq, dscratch, Y + (int64_t)t * N);
    }
  }
}

/* floor(sqrt(v)) for a 32-bit v, bit by bit. */
static uint32_t isqrt32(uint32_t v) {
  uint32_t r = 0, bit = 1u << 30;
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

/* floor(sqrt(v)) for v in [2^60, 2^62): the root of v's high word gives
 * 15 bits, one Newton step about 29, and the last steps are checked with
 * exact products (r <= 2^31, so (r + 1)^2 <= 2^62 does not overflow). */
static uint64_t isqrt_2_60(uint64_t v) {
  uint64_t r = ((uint64_t)isqrt32((uint32_t)(v >> 32)) << 16) + (1u << 15);
  r = (r + v / r) >> 1;
  while (r * r > v) --r;
  while ((r + 1) * (r + 1) <= v) ++r;
  return r;
}

void zkml_layernorm_s8(const int8_t* x, int32_t rows, int32_t D, int32_t zp_in, uint64_t eps_q, const int32_t* g,
                       const int32_t* bb, int32_t zp_out, int8_t* y) {
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* xr = x + (int64_t)r * D;
    int8_t* yr = y + (int64_t)r * D;
    /* u_i = q_i - zp_in, |u_i| <= 255: S = sum u_i and U = sum u_i^2 in
     * 32 bits (U <= 4096 255^2 < 2^28), one pass, no 64-bit products. */
    int32_t S = 0;
    uint32_t U = 0;
    for (int32_t i = 0; i < D; ++i) {
      const int32_t u = xr[i] - zp_in;
      S += u;
      U += (uint32_t)(u * u);
    }
    /* d_i = D u_i - S (D times the deviation from the mean, exact),
     * |d_i| <= 2 D 255 < 2^21. V = sum d_i^2 = D (D U - S^2), so
     * V / D = D U - S^2 exactly (< 2^41), without the 64-bit division. */
    const int32_t Dzp = D * zp_in + S; /* d_i = D q_i - Dzp */
    /* Q = D^2 (var + eps) / s_in^2 = V / D + eps_q, 1 <= Q < 2^43 */
    uint64_t Q = (uint64_t)((int64_t)D * U - (int64_t)S * S) + eps_q;
    if (Q == 0) Q = 1;
    /* Q 4^e in [2^60, 2^62): r = floor(sqrt(Q 4^e)) in [2^30, 2^31), so
     * 1/sqrt(Q) = 2^e / r ~ mult 2^(e - 61) with mult in (2^30, 2^31). */
    /* e: the least with Q 4^e >= 2^60, i.e. bit length L + 2e >= 61 (L <= 43). */
    const int32_t L = 64 - __builtin_clzll(Q); /* Q >= 1 */
    const int32_t e = (62 - L) / 2;
    const uint64_t rt = isqrt_2_60(Q << (2 * e));
    uint64_t m64 = (1ull << 61) / rt;
    if (m64 > 0x7FFFFFFFull) m64 = 0x7FFFFFFFull;
    int32_t mult = (int32_t)m64;
#if defined(__riscv)
    /* Hide that mult came from a 64-bit value: the compiler then multiplies
     * 32 x 32 -> 64 (mul, mulh) instead of 64 x 64 in the loop below. */
    __asm__("" : "+r"(mult));
#endif
    /* t_i = d_i / sqrt(Q) in Q16 fixed point: d_i mult / 2^(45 - e),
     * 15 <= 45 - e <= 36; |t_i| <= sqrt(D) 2^16 <= 2^22 fits int32. */
    const int32_t sh = 45 - e;
    const int64_t half = (int64_t)1 << (sh - 1);
    /* y = zp + (t g + b 2^16) / 2^32, rounded half up; |g|, |b| < 2^24.
     * Two loops on sh so that the shift does not branch per value (from
     * sh 32 on only the high word counts); the same t either way. */
#define ZKML_LN_STORE(t) \
  yr[i] = sat8(zp_out + (int32_t)(((int64_t)(t) * g[i] + (int64_t)bb[i] * 65536 + ((int64_t)1 << 31)) >> 32), \
               -128, 127)
    if (sh >= 32) {
      const int32_t s2 = sh - 32;
      for (int32_t i = 0; i < D; ++i) {
        const int32_t d = D * xr[i] - Dzp;
        ZKML_LN_STORE((int32_t)(((int64_t)d * mult + half) >> 32) >> s2);
      }
    } else {
      for (int32_t i = 0; i < D; ++i) {
        const int32_t d = D * xr[i] - Dzp;
        ZKML_LN_STORE((int32_t)(((int64_t)d * mult + half) >> sh));
      }
    }
#undef ZKML_LN_STORE
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
