/* Integer kernels (kernels.h): the plain C kernels, portable C11, identical
 * on host and guest, and the reference for the accelerated ones
 * (kernels_dot4.c). */
#include "zkvm/ml/kernels.h"

#include "kernels_internal.h"

/* Requantisation relies on arithmetic right shift of negative values. */
_Static_assert((-1LL >> 1) == -1LL, "arithmetic right shift of negative int64 required");
_Static_assert((-1 >> 1) == -1, "arithmetic right shift of negative int32 required");

int32_t zkml_requant(int32_t acc, int32_t mult, int32_t shift) {
  /* |acc * mult| < 2^62 and the rounding term is 2^61 at most: no overflow. */
  int64_t p = (int64_t)acc * (int64_t)mult + ((int64_t)1 << (shift - 1));
  return (int32_t)(p >> shift);
}

static inline int8_t clamp8(int32_t v, int32_t lo, int32_t hi) {
  return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

uint64_t zkml_weight_bytes(int32_t M, int32_t K) {
  uint64_t blocks = ((uint64_t)M + ZKML_ROWS - 1) / ZKML_ROWS;
  return blocks * ZKML_ROWS * (uint64_t)zkml_k4(K);
}

void zkml_pack_weights(const int8_t* W, int32_t M, int32_t K, uint8_t* out) {
  const int64_t K4 = zkml_k4(K), blocks = ((int64_t)M + ZKML_ROWS - 1) / ZKML_ROWS;
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t j = 0; j < ZKML_ROWS; ++j) {
      const int64_t m = ZKML_ROWS * b + j;
      for (int64_t k = 0; k < K4; ++k) {
        const int32_t w = (m < M && k < K) ? W[m * K + k] : 0;
        out[ZKML_ROWS * K4 * b + 16 * (k / 4) + 4 * j + k % 4] = (uint8_t)(w + 128);
      }
    }
}

int32_t zkml_conv_phase_k(const zkml_conv_shape* s) {
  if (s->group > 1 || s->sh != 1 || s->sw != 1 || s->dh > 1 || s->dw > 1) return 0;
  if (s->kw < 1 || s->kw > 5 || s->kh < 1 || s->C < 1 || s->M < 1) return 0;
  const int64_t kp = (int64_t)s->kh * s->C * 8;
  return kp <= 32764 ? (int32_t)kp : 0; /* ZKVM_DOT4_MAX_K: one call per 4 pixels */
}

uint64_t zkml_conv_phase_bytes(const zkml_conv_shape* s) {
  return (uint64_t)s->M * ZKML_ROWS * (uint64_t)zkml_conv_phase_k(s);
}

void zkml_conv_phase_pack(const zkml_conv_shape* s, const uint8_t* w_packed, uint8_t* out) {
  const int64_t Kp = zkml_conv_phase_k(s), C = s->C, kh = s->kh, kw = s->kw;
  const int64_t K4 = zkml_k4(C * kh * kw);
  for (int64_t m = 0; m < s->M; ++m)
    for (int64_t o = 0; o < ZKML_ROWS; ++o)
      for (int64_t k = 0; k < Kp; ++k) {
        const int64_t t = k % 8, ky = k / 8 / C, c = k / 8 % C, kx = t - o;
        uint8_t v = 0x80u; /* weight 0 */
        if (kx >= 0 && kx < kw) {
          const int64_t k0 = (c * kh + ky) * kw + kx; /* the packed column */
          v = w_packed[ZKML_ROWS * K4 * (m / ZKML_ROWS) + 16 * (k0 / 4) + 4 * (m % ZKML_ROWS) + k0 % 4];
        }
        out[ZKML_ROWS * Kp * m + 16 * (k / 4) + 4 * o + k % 4] = v;
      }
}

/* The registered phase weights (zkml_register_phase_weights): a guest
 * registers them once, before its first run. */
static struct {
  const uint8_t *w, *phase;
  uint64_t bytes;
} phase_tab[ZKML_MAX_PHASE_WEIGHTS];
static int phase_n = 0;

int zkml_register_phase_weights(const uint8_t* w_packed, const uint8_t* phase, uint64_t bytes) {
  if (phase_n >= ZKML_MAX_PHASE_WEIGHTS) return 0;
  phase_tab[phase_n].w = w_packed;
  phase_tab[phase_n].phase = phase;
  phase_tab[phase_n].bytes = bytes;
  ++phase_n;
  return 1;
}

void zkml_clear_phase_weights(void) { phase_n = 0; }

const uint8_t* zkml_find_phase_weights(const uint8_t* w_packed, uint64_t bytes) {
  for (int i = 0; i < phase_n; ++i)
    if (phase_tab[i].w == w_packed && phase_tab[i].bytes == bytes) return phase_tab[i].phase;
  return 0;
}

uint32_t zkml_dense_scratch_bytes(int32_t K) { return (uint32_t)zkml_k4(K) + 4; /* and dense4_rom's output word */ }

/* Plain Dense: R = 4 * NB rows (NB weight blocks of 4 rows, `stride` bytes
 * apart) per pass over x, so each input byte is loaded once per R rows. With
 * u the stored (biased) byte, sum_k x_k (u_k - 128) = sum_k x_k u_k -
 * 128 sum_k x_k: the loop multiplies the raw bytes (LBU, MUL, ADD per MAC)
 * and the caller subtracts 128 * sum(x) once. Unsigned sums wrap mod 2^32;
 * the final value is exact because |acc| < 2^31 (K <= 65536). */
#define ZKML_ROW4(a, w, xa, xb, xc, xd) a += xa * (w)[0] + xb * (w)[1] + xc * (w)[2] + xd * (w)[3];
static void dense_rows8(const int8_t* x, int32_t K, const uint8_t* w0, int64_t stride, uint32_t acc[8]) {
  const uint8_t* w1 = w0 + stride;
  uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  const int8_t* xe = x + (K & ~3);
  for (; x != xe; x += 4, w0 += 16, w1 += 16) {
    const uint32_t xa = (uint32_t)(int32_t)x[0], xb = (uint32_t)(int32_t)x[1];
    const uint32_t xc = (uint32_t)(int32_t)x[2], xd = (uint32_t)(int32_t)x[3];
    ZKML_ROW4(a0, w0, xa, xb, xc, xd) ZKML_ROW4(a1, w0 + 4, xa, xb, xc, xd)
    ZKML_ROW4(a2, w0 + 8, xa, xb, xc, xd) ZKML_ROW4(a3, w0 + 12, xa, xb, xc, xd)
    ZKML_ROW4(a4, w1, xa, xb, xc, xd) ZKML_ROW4(a5, w1 + 4, xa, xb, xc, xd)
    ZKML_ROW4(a6, w1 + 8, xa, xb, xc, xd) ZKML_ROW4(a7, w1 + 12, xa, xb, xc, xd)
  }
  for (int32_t r = 0; r < (K & 3); ++r) {
    const uint32_t xr = (uint32_t)(int32_t)x[r];
    a0 += xr * w0[r]; a1 += xr * w0[4 + r]; a2 += xr * w0[8 + r]; a3 += xr * w0[12 + r];
    a4 += xr * w1[r]; a5 += xr * w1[4 + r]; a6 += xr * w1[8 + r]; a7 += xr * w1[12 + r];
  }
  acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = a4; acc[5] = a5; acc[6] = a6; acc[7] = a7;
}

static void dense_rows4(const int8_t* x, int32_t K, const uint8_t* w0, uint32_t acc[4]) {
  uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const int8_t* xe = x + (K & ~3);
  for (; x != xe; x += 4, w0 += 16) {
    const uint32_t xa = (uint32_t)(int32_t)x[0], xb = (uint32_t)(int32_t)x[1];
    const uint32_t xc = (uint32_t)(int32_t)x[2], xd = (uint32_t)(int32_t)x[3];
    ZKML_ROW4(a0, w0, xa, xb, xc, xd) ZKML_ROW4(a1, w0 + 4, xa, xb, xc, xd)
    ZKML_ROW4(a2, w0 + 8, xa, xb, xc, xd) ZKML_ROW4(a3, w0 + 12, xa, xb, xc, xd)
  }
  for (int32_t r = 0; r < (K & 3); ++r) {
    const uint32_t xr = (uint32_t)(int32_t)x[r];
    a0 += xr * w0[r]; a1 += xr * w0[4 + r]; a2 += xr * w0[8 + r]; a3 += xr * w0[12 + r];
  }
  acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}
#undef ZKML_ROW4

void zkml_dense_s8(const int8_t* x, int32_t K, const uint8_t* w_packed, const int32_t* bias,
                   int32_t M, const zkml_requant_params* rq, int8_t* scratch, int8_t* y) {
  (void)scratch;
  uint32_t xsum = 0;
  for (int32_t k = 0; k < K; ++k) xsum += (uint32_t)(int32_t)x[k];
  const uint32_t corr = xsum << 7; /* 128 * sum(x), mod 2^32 */
  const int64_t block = (int64_t)ZKML_ROWS * zkml_k4(K);
  uint32_t u[8];
  int32_t acc[8];
  int32_t m0 = 0;
  for (; m0 + 4 < M; m0 += 8) { /* two blocks while more than one is left */
    dense_rows8(x, K, w_packed + (int64_t)(m0 / 4) * block, block, u);
    for (int r = 0; r < 8; ++r) acc[r] = (int32_t)(u[r] - corr);
    zkml_store_rows(acc, m0, 8, M, bias, rq, y);
  }
  if (m0 < M) {
    dense_rows4(x, K, w_packed + (int64_t)(m0 / 4) * block, u);
    for (int r = 0; r < 4; ++r) acc[r] = (int32_t)(u[r] - corr);
    zkml_store_rows(acc, m0, 4, M, bias, rq, y);
  }
}

uint32_t zkml_conv_scratch_bytes(const zkml_conv_shape* s) {
  /* The im2col (zkml_conv_cols_bytes: the larger of the two kernels'), then
   * the padded copy of the part of the input the windows cover. Callers
   * have checked K <= ZKML_MAX_K, so the products stay far below 2^64. */
  uint64_t padded = (uint64_t)s->C *
                    ((uint64_t)(s->OH - 1) * (uint64_t)s->sh + (uint64_t)(s->kh - 1) * (uint64_t)zkml_dil(s->dh) + 1) *
                    ((uint64_t)(s->OW - 1) * (uint64_t)s->sw + (uint64_t)(s->kw - 1) * (uint64_t)zkml_dil(s->dw) + 1);
  uint64_t b = (uint64_t)zkml_conv_cols_bytes(s) + padded;
  return b > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)b;
}

uint32_t zkml_conv_patch_bytes(int32_t C, int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t OH, int32_t OW) {
  const zkml_conv_shape s = {C, 0, 0, 0, OH, OW, kh, kw, sh, sw, 0, 0, 0, 1, 1, 1};
  return zkml_conv_scratch_bytes(&s);
}

/* dst[i] = src[i] ^ flip for i < n; a word at a time while both are
 * 4-byte aligned (the arena's buffers and the scratch are). */
static void xor_copy(int8_t* dst, const int8_t* src, int32_t n, uint8_t flip) {
  int32_t i = 0;
  if ((((uintptr_t)dst | (uintptr_t)src) & 3u) == 0) {
    const uint32_t f4 = flip * 0x01010101u;
    const int8_t* sa = (const int8_t*)__builtin_assume_aligned(src, 4);
    int8_t* da = (int8_t*)__builtin_assume_aligned(dst, 4);
    for (; i + 4 <= n; i += 4) { /* memcpy: one LW and one SW, no aliasing questions */
      uint32_t v;
      __builtin_memcpy(&v, sa + i, 4);
      v ^= f4;
      __builtin_memcpy(da + i, &v, 4);
    }
  }
  for (; i < n; ++i) dst[i] = (int8_t)(src[i] ^ (int8_t)flip);
}

void zkml_conv_pad_input(const int8_t* x, const zkml_conv_shape* s, uint8_t flip, int8_t* dst) {
  const int32_t C = s->C, H = s->H, W = s->W, pt = s->pt, pl = s->pl;
  const int32_t Hp = zkml_span(s->OH, s->sh, s->kh, s->dh), Wp = zkml_span(s->OW, s->sw, s->kw, s->dw);
  const int8_t pad = (int8_t)(s->zp_in ^ (int8_t)flip);
  if (pt == 0 && pl == 0 && Wp == W && Hp <= H) { /* no padding, whole rows: one run per channel */
    for (int32_t c = 0; c < C; ++c) xor_copy(dst + (int64_t)c * Hp * W, x + (int64_t)c * H * W, Hp * W, flip);
    return;
  }
  int8_t* q = dst;
  for (int32_t c = 0; c < C; ++c) {
    const int8_t* xc = x + (int64_t)c * H * W;
    for (int32_t r = 0; r < Hp; ++r) {
      const int32_t iy = r - pt;
      int8_t* qe = q + Wp;
      if (iy < 0 || iy >= H) {
        while (q != qe) *q++ = pad;
        continue;
      }
      /* pad | input columns [max(0, -pl), min(W, Wp - pl)) | pad */
      const int8_t* row = xc + (int64_t)iy * W;
      const int32_t c0 = pl, c1 = W + pl < Wp ? W + pl : Wp;
      int8_t* qa = q + c0;
      int8_t* qb = q + c1;
      while (q != qa) *q++ = pad;
      const int8_t* r0 = row;
      for (; qb - q >= 4; q += 4, r0 += 4) { /* 4 at a time: fewer loop steps */
        q[0] = (int8_t)(r0[0] ^ (int8_t)flip);
        q[1] = (int8_t)(r0[1] ^ (int8_t)flip);
        q[2] = (int8_t)(r0[2] ^ (int8_t)flip);
        q[3] = (int8_t)(r0[3] ^ (int8_t)flip);
      }
      while (q != qb) *q++ = (int8_t)(*r0++ ^ (int8_t)flip);
      while (q != qe) *q++ = pad;
    }
  }
}

/* Plain Conv inner block: 4 output channels x 4 pixels in registers. Per k,
 * 4 weight bytes (converted with -128) and 4 inputs serve 16 MACs; k goes in
 * groups of 4 so the weights' offsets inside a 16-byte group are constants. */
#define ZKML_K(kk)                                                                                  \
  {                                                                                                 \
    const int32_t x0 = xb[4 * (kk)], x1 = xb[4 * (kk) + 1], x2 = xb[4 * (kk) + 2], x3 = xb[4 * (kk) + 3]; \
    int32_t v = (int32_t)w[(kk)] - 128;                                                             \
    a00 += v * x0; a01 += v * x1; a02 += v * x2; a03 += v * x3;                                     \
    v = (int32_t)w[4 + (kk)] - 128;                                                                 \
    a10 += v * x0; a11 += v * x1; a12 += v * x2; a13 += v * x3;                                     \
    v = (int32_t)w[8 + (kk)] - 128;                                                                 \
    a20 += v * x0; a21 += v * x1; a22 += v * x2; a23 += v * x3;                                     \
    v = (int32_t)w[12 + (kk)] - 128;                                                                \
    a30 += v * x0; a31 += v * x1; a32 += v * x2; a33 += v * x3;                                     \
  }
static void conv_4x4(const uint8_t* w, const int8_t* xb, int32_t K, int32_t acc[16]) {
  int32_t a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
  int32_t a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
  const int8_t* xe = xb + (int64_t)(K & ~3) * ZKML_PIX_BLOCK;
  for (; xb != xe; xb += 4 * ZKML_PIX_BLOCK, w += 16) {
    ZKML_K(0) ZKML_K(1) ZKML_K(2) ZKML_K(3)
  }
  switch (K & 3) { /* the last K % 4 columns of the last group */
    case 3: ZKML_K(2) /* fall through */
    case 2: ZKML_K(1) /* fall through */
    case 1: ZKML_K(0) /* fall through */
    default: break;
  }
#undef ZKML_K
  acc[0] = a00; acc[1] = a01; acc[2] = a02; acc[3] = a03;
  acc[4] = a10; acc[5] = a11; acc[6] = a12; acc[7] = a13;
  acc[8] = a20; acc[9] = a21; acc[10] = a22; acc[11] = a23;
  acc[12] = a30; acc[13] = a31; acc[14] = a32; acc[15] = a33;
}

/* im2col of channels [0, C) of src ([C][sH][sW], windows inside it) for
 * every output pixel into cols[blk][k][j], (c, ky, kx) order as in the
 * weights; pixels past the end hold `pad`. A block of 4 pixels in one
 * output row is copied 4 values per step. */
static inline __attribute__((always_inline)) void im2col_pix4(const int8_t* src, int64_t plane, int32_t sW,
                                                             int32_t C, const zkml_conv_shape* s, int8_t pad,
                                                             int8_t* cols) {
  const int32_t OH = s->OH, OW = s->OW, kh = s->kh, kw = s->kw, sh = s->sh, sw = s->sw;
  const int32_t dw = zkml_dil(s->dw);
  const int64_t row = (int64_t)zkml_dil(s->dh) * sW; /* from one tap row to the next */
  const int32_t K = C * kh * kw;
  const int32_t npix = OH * OW;
  const int32_t nblk = (npix + ZKML_PIX_BLOCK - 1) / ZKML_PIX_BLOCK;
  for (int32_t b = 0; b < nblk; ++b) {
    int8_t* p = cols + (int64_t)b * ZKML_PIX_BLOCK * K;
    const int32_t pix0 = b * ZKML_PIX_BLOCK;
    const int32_t oy0 = pix0 / OW, ox0 = pix0 % OW;
    if (ox0 + ZKML_PIX_BLOCK <= OW) {
      const int8_t* base = src + (int64_t)oy0 * sh * sW + (int64_t)ox0 * sw;
      for (int32_t c = 0; c < C; ++c) {
        for (int32_t ky = 0; ky < kh; ++ky) {
          const int8_t* r0 = base + c * plane + ky * row;
          int8_t* pe = p + (int64_t)kw * ZKML_PIX_BLOCK;
          if (sw == 1 && dw == 1) {
            for (; p != pe; p += ZKML_PIX_BLOCK, ++r0) {
              p[0] = r0[0];
              p[1] = r0[1];
              p[2] = r0[2];
              p[3] = r0[3];
            }
          } else {
            const int8_t *r1 = r0 + sw, *r2 = r1 + sw, *r3 = r2 + sw;
            for (; p != pe; p += ZKML_PIX_BLOCK, r0 += dw, r1 += dw, r2 += dw, r3 += dw) {
              p[0] = *r0;
              p[1] = *r1;
              p[2] = *r2;
              p[3] = *r3;
            }
          }
        }
      }
      continue;
    }
    for (int32_t j = 0; j < ZKML_PIX_BLOCK; ++j) {
      const int32_t pix = pix0 + j;
      int8_t* q = p + j;
      if (pix >= npix) {
        for (int32_t k = 0; k < K; ++k) q[(int64_t)k * ZKML_PIX_BLOCK] = pad;
        continue;
      }
      const int8_t* base = src + (int64_t)(pix / OW) * sh * sW + (int64_t)(pix % OW) * sw;
      for (int32_t c = 0; c < C; ++c)
        for (int32_t ky = 0; ky < kh; ++ky) {
          const int8_t* r0 = base + c * plane + ky * row;
          for (int32_t kx = 0; kx < kw; ++kx, q += ZKML_PIX_BLOCK) *q = r0[kx * dw];
        }
    }
  }
}

/* Plain grouped Conv inner block: one output channel (its weight row wr,
 * a row of a packed 4-row block: column k at wr[16 (k/4) + k%4]) x 4 pixels. */
static void conv_1x4(const uint8_t* wr, const int8_t* xb, int32_t K, int32_t acc[4]) {
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int32_t k = 0;
  for (; k + 4 <= K; k += 4, wr += 16) {
    for (int32_t i = 0; i < 4; ++i, xb += ZKML_PIX_BLOCK) {
      const int32_t v = (int32_t)wr[i] - 128;
      a0 += v * xb[0]; a1 += v * xb[1]; a2 += v * xb[2]; a3 += v * xb[3];
    }
  }
  for (int32_t i = 0; k < K; ++k, ++i, xb += ZKML_PIX_BLOCK) {
    const int32_t v = (int32_t)wr[i] - 128;
    a0 += v * xb[0]; a1 += v * xb[1]; a2 += v * xb[2]; a3 += v * xb[3];
  }
  acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

/* Depthwise Conv (one input channel per group, any number of outputs per
 * group) without im2col: each output is a kh x kw window of one input
 * plane, so the window is read in place from src ([C][sH][sW], the
 * windows inside it) and the channel's weights, unbiased, sit in wk (K
 * bytes of scratch). With K = 9 an im2col would copy as many bytes as
 * there are multiply-adds; this loop only loads them. 3x3 windows with
 * dw = 1 keep the nine weights in registers. */
static void conv_depthwise(const int8_t* src, int64_t plane, int32_t sW, const zkml_conv_shape* s,
                           const uint8_t* w_packed, const int32_t* bias, const zkml_requant_params* rq, int8_t* wk,
                           int8_t* y) {
  const int32_t M = s->M, OH = s->OH, OW = s->OW, kh = s->kh, kw = s->kw, sh = s->sh, sw = s->sw;
  const int32_t Mg = M / zkml_conv_groups(s), K = kh * kw, dw = zkml_dil(s->dw);
  const int64_t row = (int64_t)zkml_dil(s->dh) * sW, block = (int64_t)ZKML_ROWS * zkml_k4(K);
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max, pc = rq->per_channel;
  const int32_t* mult = rq->mult;
  const int32_t* shift = rq->shift;
  for (int32_t m = 0; m < M; ++m) {
    const uint8_t* wr = w_packed + (int64_t)(m / ZKML_ROWS) * block + 4 * (m % ZKML_ROWS);
    for (int32_t k = 0; k < K; ++k) wk[k] = (int8_t)(wr[16 * (k >> 2) + (k & 3)] ^ 0x80u);
    const int32_t c = pc ? m : 0;
    const int32_t mu = mult[c], shf = shift[c], bm = bias[m];
    const int8_t* xc = src + (int64_t)(m / Mg) * plane;
    int8_t* ym = y + (int64_t)m * OH * OW;
    if (kh == 3 && kw == 3 && dw == 1) {
      const int32_t w0 = wk[0], w1 = wk[1], w2 = wk[2], w3 = wk[3], w4 = wk[4], w5 = wk[5], w6 = wk[6], w7 = wk[7],
                    w8 = wk[8];
      for (int32_t oy = 0; oy < OH; ++oy) {
        const int8_t* r0 = xc + (int64_t)oy * sh * sW;
        for (int32_t ox = 0; ox < OW; ++ox, r0 += sw) {
          const int8_t *r1 = r0 + row, *r2 = r1 + row;
          const int32_t acc = w0 * r0[0] + w1 * r0[1] + w2 * r0[2] + w3 * r1[0] + w4 * r1[1] + w5 * r1[2] +
                              w6 * r2[0] + w7 * r2[1] + w8 * r2[2];
          *ym++ = zkml_requant_out(acc + bm, mu, shf, zp, lo, hi);
        }
      }
      continue;
    }
    for (int32_t oy = 0; oy < OH; ++oy)
      for (int32_t ox = 0; ox < OW; ++ox) {
        const int8_t* r = xc + (int64_t)oy * sh * sW + (int64_t)ox * sw;
        const int8_t* wp = wk;
        int32_t acc = 0;
        for (int32_t ky = 0; ky < kh; ++ky, r += row)
          for (int32_t kx = 0; kx < kw; ++kx) acc += *wp++ * r[kx * dw];
        *ym++ = zkml_requant_out(acc + bm, mu, shf, zp, lo, hi);
      }
  }
}

void zkml_conv_s8(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed,
                  const int32_t* bias, const zkml_requant_params* rq, int8_t* patch, int8_t* y) {
  /* Locals: stores through int8_t* may alias *s and *rq. */
  const int32_t C = s->C, H = s->H, W = s->W, M = s->M, OH = s->OH, OW = s->OW;
  const int32_t kh = s->kh, kw = s->kw, sh = s->sh, sw = s->sw, pt = s->pt, pl = s->pl;
  const int32_t G = zkml_conv_groups(s), Cg = C / G, Mg = M / G;
  const int32_t K = Cg * kh * kw;
  const int64_t block = (int64_t)ZKML_ROWS * zkml_k4(K);
  const int32_t npix = OH * OW;
  const int32_t nblk = (npix + ZKML_PIX_BLOCK - 1) / ZKML_PIX_BLOCK;
  const int8_t pad = (int8_t)s->zp_in;
  /* The windows cover rows [-pt, Hp - pt) and columns [-pl, Wp - pl) of
   * the input. Unless that is exactly inside it, copy that region once with
   * the zero point (real 0) around it, so the im2col below needs no bounds
   * checks. */
  const int32_t Hp = zkml_span(OH, sh, kh, s->dh), Wp = zkml_span(OW, sw, kw, s->dw);
  const int8_t* src = x;
  int32_t sH = H, sW = W;
  int8_t* cols = patch;
  if (pt != 0 || pl != 0 || Hp > H || Wp > W) {
    int8_t* xp = patch + zkml_conv_cols_bytes(s);
    zkml_conv_pad_input(x, s, 0, xp);
    src = xp;
    sH = Hp;
    sW = Wp;
  }
  const int64_t plane = (int64_t)sH * sW;
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max, pc = rq->per_channel;
  const int32_t* mult = rq->mult;
  const int32_t* shift = rq->shift;
  int32_t acc[ZKML_ROWS * ZKML_PIX_BLOCK];
  if (G > 1 && Cg == 1) {
    conv_depthwise(src, plane, sW, s, w_packed, bias, rq, cols, y);
    return;
  }
  if (G > 1) {
    /* Per group: the im2col of its C/G channels, then each of its M/G
     * channels against 4 pixels at a time. */
    for (int32_t g = 0; g < G; ++g) {
      im2col_pix4(src + (int64_t)g * Cg * plane, plane, sW, Cg, s, pad, cols);
      for (int32_t m = g * Mg; m < (g + 1) * Mg; ++m) {
        const uint8_t* wr = w_packed + (int64_t)(m / ZKML_ROWS) * block + 4 * (m % ZKML_ROWS);
        const int32_t c = pc ? m : 0;
        const int32_t mu = mult[c], shf = shift[c], bm = bias[m];
        int8_t* ym = y + (int64_t)m * npix;
        for (int32_t b = 0; b < nblk; ++b) {
          const int32_t p0 = b * ZKML_PIX_BLOCK;
          const int32_t np = npix - p0 < ZKML_PIX_BLOCK ? npix - p0 : ZKML_PIX_BLOCK;
          conv_1x4(wr, cols + (int64_t)b * ZKML_PIX_BLOCK * K, K, acc);
          for (int32_t j = 0; j < np; ++j) ym[p0 + j] = zkml_requant_out(acc[j] + bm, mu, shf, zp, lo, hi);
        }
      }
    }
    return;
  }
  im2col_pix4(src, plane, sW, C, s, pad, cols);
  for (int32_t b = 0; b < nblk; ++b) {
    const int8_t* xb = cols + (int64_t)b * ZKML_PIX_BLOCK * K;
    const int32_t p0 = b * ZKML_PIX_BLOCK;
    const int32_t np = npix - p0 < ZKML_PIX_BLOCK ? npix - p0 : ZKML_PIX_BLOCK;
    for (int32_t m0 = 0; m0 < M; m0 += ZKML_ROWS) {
      conv_4x4(w_packed + (int64_t)(m0 / ZKML_ROWS) * block, xb, K, acc);
      for (int32_t r = 0; r < ZKML_ROWS && m0 + r < M; ++r) {
        const int32_t m = m0 + r;
        const int32_t c = pc ? m : 0;
        const int32_t mu = mult[c], shf = shift[c], bm = bias[m];
        int8_t* ym = y + (int64_t)m * npix + p0;
        for (int32_t j = 0; j < np; ++j)
          ym[j] = zkml_requant_out(acc[r * ZKML_PIX_BLOCK + j] + bm, mu, shf, zp, lo, hi);
      }
    }
  }
}

/* MaxPool. Shape fields are copied to locals first (stores through int8_t*
 * may alias *s, which would reload them for every element). Windows that lie
 * inside the input (no padding reaches them) skip the bounds checks, and the
 * common 2x2 window is four loads and three compares. */
static inline int32_t max2(int32_t a, int32_t b) { return a > b ? a : b; }

void zkml_maxpool_s8(const int8_t* x, const zkml_pool_shape* s, int8_t* y) {
  const int32_t C = s->C, H = s->H, W = s->W, OH = s->OH, OW = s->OW;
  const int32_t kh = s->kh, kw = s->kw, sh = s->sh, sw = s->sw, pt = s->pt, pl = s->pl;
  const int32_t dh = zkml_dil(s->dh), dw = zkml_dil(s->dw);
  const int inside = pt == 0 && pl == 0 && zkml_span(OH, sh, kh, dh) <= H && zkml_span(OW, sw, kw, dw) <= W;
  const int dense2x2 = kh == 2 && kw == 2 && dh == 1 && dw == 1;
  for (int32_t c = 0; c < C; ++c) {
    const int8_t* xc = x + (int64_t)c * H * W;
    for (int32_t oy = 0; oy < OH; ++oy) {
      for (int32_t ox = 0; ox < OW; ++ox) {
        int32_t best = -128;
        if (inside) {
          const int8_t* r = xc + (int64_t)oy * sh * W + (int64_t)ox * sw;
          if (dense2x2) {
            best = max2(max2(r[0], r[1]), max2(r[W], r[W + 1]));
          } else {
            for (int32_t ky = 0; ky < kh; ++ky, r += (int64_t)dh * W)
              for (int32_t kx = 0; kx < kw; ++kx) best = max2(best, r[kx * dw]);
          }
          *y++ = (int8_t)best;
          continue;
        }
        for (int32_t ky = 0; ky < kh; ++ky) {
          int32_t iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (int32_t kx = 0; kx < kw; ++kx) {
            int32_t ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= W) continue;
            best = max2(best, xc[(int64_t)iy * W + ix]);
          }
        }
        *y++ = (int8_t)best;
      }
    }
  }
}

void zkml_avgpool_s8(const int8_t* x, const zkml_pool_shape* s, int8_t* y) {
  const int32_t dh = zkml_dil(s->dh), dw = zkml_dil(s->dw);
  /* With count_include_pad, padded positions count up to these (exclusive). */
  const int32_t hc = s->H + s->pb, wc = s->W + s->pr;
  for (int32_t c = 0; c < s->C; ++c) {
    const int8_t* xc = x + (int64_t)c * s->H * s->W;
    for (int32_t oy = 0; oy < s->OH; ++oy) {
      for (int32_t ox = 0; ox < s->OW; ++ox) {
        int32_t sum = 0, n = 0;
        for (int32_t ky = 0; ky < s->kh; ++ky) {
          int32_t iy = oy * s->sh - s->pt + ky * dh;
          for (int32_t kx = 0; kx < s->kw; ++kx) {
            int32_t ix = ox * s->sw - s->pl + kx * dw;
            if (iy < 0 || iy >= s->H || ix < 0 || ix >= s->W) {
              if (s->count_include_pad && iy < hc && ix < wc) { sum += s->zp; ++n; }
              continue;
            }
            sum += xc[(int64_t)iy * s->W + ix];
            ++n;
          }
        }
        /* n >= 1: the parser checks that every window holds a valid input
         * (pads below the dilated kernel, a ceil_mode window starting
         * inside the input or top/left pad, dilation at most the input
         * size). Round half away from zero. */
        int32_t q = sum >= 0 ? (sum + n / 2) / n : -((-sum + n / 2) / n);
        *y++ = clamp8(q, -128, 127);
      }
    }
  }
}

static inline int32_t bcast_index(const zkml_bcast* bc, int32_t i) {
  if (bc->inner == 0) return i;
  return (i / bc->inner) % bc->channels;
}

void zkml_add_s8(const int8_t* a, const int8_t* b, const zkml_bcast* bc, int32_t zp_a, int32_t zp_b,
                 int32_t mult_a, int32_t mult_b, int32_t shift, int32_t zp_out, int32_t act_min,
                 int32_t act_max, int8_t* y) {
  const int64_t half = (int64_t)1 << (shift - 1);
  const int32_t n = bc->n;
  if (bc->inner == 0 && n >= 256 && shift >= 10) {
    /* Two inputs of the same shape (residual adds): the two 64-bit products
     * per value come from tables of the 256 int8 values, the rounding half
     * folded into a's; t is the same sum as below, so are the outputs. With
     * |t| < 2^40 and shift >= 10, t >> shift and the zero point fit int32,
     * and from shift 32 on only t's high word is needed. */
    int64_t ta[256], tb[256];
    for (int32_t q = 0; q < 256; ++q) {
      ta[q] = (int64_t)(q - 128 - zp_a) * mult_a + half;
      tb[q] = (int64_t)(q - 128 - zp_b) * mult_b;
    }
    const int64_t* pa = ta + 128;
    const int64_t* pb = tb + 128;
    if (shift >= 32) {
      const int32_t s2 = shift - 32;
      for (int32_t i = 0; i < n; ++i) {
        int32_t v = ((int32_t)((pa[a[i]] + pb[b[i]]) >> 32) >> s2) + zp_out;
        y[i] = (int8_t)(v < act_min ? act_min : v > act_max ? act_max : v);
      }
    } else {
      for (int32_t i = 0; i < n; ++i) {
        int32_t v = (int32_t)((pa[a[i]] + pb[b[i]]) >> shift) + zp_out;
        y[i] = (int8_t)(v < act_min ? act_min : v > act_max ? act_max : v);
      }
    }
    return;
  }
  for (int32_t i = 0; i < n; ++i) {
    /* |a - zp| <= 255 and |mult| < 2^31: each term < 2^39, the sum < 2^40. */
    int64_t t = (int64_t)(a[i] - zp_a) * mult_a + (int64_t)(b[bcast_index(bc, i)] - zp_b) * mult_b + half;
    int64_t v = (t >> shift) + zp_out;
    if (v < act_min) v = act_min;
    if (v > act_max) v = act_max;
    y[i] = (int8_t)v;
  }
}

void zkml_mul_s8(const int8_t* a, const int8_t* b, const zkml_bcast* bc, int32_t zp_a, int32_t zp_b,
                 int32_t mult, int32_t shift, int32_t zp_out, int32_t act_min, int32_t act_max,
                 int8_t* y) {
  const int64_t half = (int64_t)1 << (shift - 1);
  for (int32_t i = 0; i < bc->n; ++i) {
    int32_t prod = (a[i] - zp_a) * (b[bcast_index(bc, i)] - zp_b); /* |prod| <= 65536 */
    int64_t v = (((int64_t)prod * mult + half) >> shift) + zp_out;
    if (v < act_min) v = act_min;
    if (v > act_max) v = act_max;
    y[i] = (int8_t)v;
  }
}

void zkml_clamp_s8(const int8_t* x, int32_t n, int32_t lo, int32_t hi, int8_t* y) {
  for (int32_t i = 0; i < n; ++i) y[i] = clamp8(x[i], lo, hi);
}

void zkml_softmax_s8(const int8_t* x, int32_t rows, int32_t N, const uint32_t* lut, int8_t* y) {
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* xr = x + (int64_t)r * N;
    int8_t* yr = y + (int64_t)r * N;
    int32_t mx = -128;
    for (int32_t i = 0; i < N; ++i) if (xr[i] > mx) mx = xr[i];
    /* N <= 65535 (parser) and lut <= 2^16: sum < 2^32. */
    uint32_t sum = 0;
    for (int32_t i = 0; i < N; ++i) sum += lut[mx - xr[i]];
    for (int32_t i = 0; i < N; ++i) {
      uint32_t p = (lut[mx - xr[i]] * 256u + sum / 2u) / sum; /* sum >= lut[0] = 2^16 */
      if (p > 255u) p = 255u;
      yr[i] = (int8_t)((int32_t)p - 128);
    }
  }
}

void zkml_lut_s8(const int8_t* x, int32_t n, const int8_t* table, int8_t* y) {
  for (int32_t i = 0; i < n; ++i) y[i] = table[(int32_t)x[i] + 128];
}

void zkml_requant_axis_s8(const int8_t* x, int32_t outer, int32_t n, int32_t inner, const int32_t* tab, int8_t* y) {
  for (int32_t o = 0; o < outer; ++o) {
    for (int32_t c = 0; c < n; ++c) {
      const int32_t zp_in = tab[4 * c], mult = tab[4 * c + 1], shift = tab[4 * c + 2], zp_out = tab[4 * c + 3];
      const uint64_t mask = ((uint64_t)1 << shift) - 1u, half = (uint64_t)1 << (shift - 1);
      for (int32_t i = 0; i < inner; ++i) {
        /* |x - zp_in| <= 255 and mult < 2^31: |p| < 2^39. q = floor(p / 2^shift)
         * (arithmetic >>), r = p mod 2^shift in [0, 2^shift) (two's complement
         * bits, taken unsigned); round up past half, and at half to even. */
        const int64_t p = (int64_t)((int32_t)*x++ - zp_in) * mult;
        int64_t q = p >> shift;
        const uint64_t r = (uint64_t)p & mask;
        if (r > half || (r == half && (q & 1))) ++q;
        q += zp_out;
        *y++ = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
      }
    }
  }
}

static void rescale_s8(const int8_t* x, int32_t n, const zkml_rescale* r, int32_t zp_out, int8_t* y) {
  if (r->zp_in == zp_out && r->mult == (1 << 30) && r->shift == 30) { /* identity: same bytes */
    for (int32_t i = 0; i < n; ++i) y[i] = x[i];
    return;
  }
  /* |x - zp| <= 255 and mult < 2^31: the product stays below 2^39; the sum
   * is saturated in 64 bits (a file may hold any shift in [1, 62]). */
  const int64_t half = (int64_t)1 << (r->shift - 1);
  for (int32_t i = 0; i < n; ++i) {
    int64_t v = ((((int64_t)x[i] - r->zp_in) * r->mult + half) >> r->shift) + zp_out;
    y[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

void zkml_concat_s8(const int8_t* a, int32_t na, const zkml_rescale* ra, const int8_t* b, int32_t nb,
                    const zkml_rescale* rb, int32_t outer, int32_t zp_out, int8_t* y) {
  for (int32_t o = 0; o < outer; ++o) {
    rescale_s8(a + (int64_t)o * na, na, ra, zp_out, y);
    y += na;
    rescale_s8(b + (int64_t)o * nb, nb, rb, zp_out, y);
    y += nb;
  }
}

void zkml_slice_s8(const int8_t* x, int32_t outer, int32_t nx, int32_t off, int32_t ny, int8_t* y) {
  for (int32_t o = 0; o < outer; ++o, y += ny) {
    const int8_t* src = x + (int64_t)o * nx + off;
    for (int32_t i = 0; i < ny; ++i) y[i] = src[i];
  }
}

int32_t zkml_argmax_s8(const int8_t* x, int32_t n) {
  int32_t best = 0;
  for (int32_t i = 1; i < n; ++i) if (x[i] > x[best]) best = i;
  return best;
}

/* No fused Conv + MaxPool: the reference runs the two kernels above. */
const zkml_kernel_table zkml_kernels_plain = {zkml_dense_s8, zkml_conv_s8, 0};

#if defined(ZKML_HAVE_DOT4) && !(defined(ZKML_PLAIN_KERNELS) && ZKML_PLAIN_KERNELS)
zkml_kernel_table zkml_kernels = {zkml_dense_s8_dot4, zkml_conv_s8_dot4, zkml_conv_maxpool_s8_dot4};
#else
zkml_kernel_table zkml_kernels = {zkml_dense_s8, zkml_conv_s8, 0};
#endif
