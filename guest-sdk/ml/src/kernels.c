/* Integer kernels (kernels.h). Portable C11, identical on host and guest. */
#include "zkvm/ml/kernels.h"

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

/* Requantise, add the zero point and clamp. For shift >= 33 (every
 * multiplier below 2^-2, the usual case) only the high word of the product
 * matters: with p = top * 2^32 + low and 0 <= low < 2^32,
 * floor((p + 2^(s-1)) / 2^s) = floor((top + 2^(s-33)) / 2^(s-32)),
 * so one MULH replaces the 64-bit add and shift; the result is identical. */
static inline int8_t requant_out(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi) {
  int32_t v;
  if (shift >= 33) {
    int32_t top = (int32_t)(((int64_t)acc * (int64_t)mult) >> 32); /* |top| < 2^30 */
    v = (top + (int32_t)(1u << (shift - 33))) >> (shift - 32);
  } else {
    /* M >= 2^-2: the result can exceed int32 only through the zero point
     * and clamp below, so saturate in 64 bits. */
    int64_t p = ((int64_t)acc * (int64_t)mult + ((int64_t)1 << (shift - 1))) >> shift;
    v = p > 1024 ? 1024 : (p < -1024 ? -1024 : (int32_t)p);
  }
  v += zp;
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return (int8_t)v;
}

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "zkml kernels read little-endian packed weights with native loads"
#endif

/* A 4-byte aligned little-endian word (memcpy: no aliasing questions; the
 * compiler emits one LW). */
static inline uint32_t ld32(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, __builtin_assume_aligned(p, 4), 4);
  return v;
}

uint64_t zkml_dense_weight_bytes(int32_t M, int32_t K) {
  uint64_t blocks = ((uint64_t)M + ZKML_DENSE_ROWS - 1) / ZKML_DENSE_ROWS;
  return blocks * ZKML_DENSE_ROWS * 2u * (uint64_t)K;
}

uint64_t zkml_conv_weight_bytes(int32_t M, int32_t K) {
  uint64_t blocks = ((uint64_t)M + ZKML_CONV_ROWS - 1) / ZKML_CONV_ROWS;
  return blocks * ZKML_CONV_ROWS * 2u * (uint64_t)K;
}

/* One block of 16 rows (8 pairs a, b). For inputs x0, x1 and packed words
 * Wk = wa_k + 65536 wb_k, P = x0 W0 + x1 W1 = L + 65536 H with
 * L = x0 wa_0 + x1 wa_1 and H = x0 wb_0 + x1 wb_1, both in [-32512, 32512]
 * (|x| <= 128, |w| <= 127), so |P| < 2^31 and H = floor((P + 2^15) / 2^16).
 * Per pair the loop keeps T = sum P (mod 2^32) and B = sum H; at the end
 * A = T - 65536 B (mod 2^32) is exact because |A| < 2^31. So two MULs give
 * four multiply-adds, and the split costs 4 instructions per two k. Unsigned
 * arithmetic keeps wrap-around (possible only with out-of-range weights
 * from a bad file) defined. */
static void dot16(const int8_t* x, const uint8_t* w, int32_t K, int32_t acc[ZKML_DENSE_ROWS]) {
  uint32_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
  int32_t b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
#define ZKML_PAIR(q, t, b)                                         \
  {                                                                \
    uint32_t p = u0 * ld32(w + 4 * q) + u1 * ld32(w + 32 + 4 * q); \
    t += p;                                                        \
    b += (int32_t)(p + 0x8000u) >> 16;                             \
  }
#define ZKML_ONE(q, t, b)                  \
  {                                        \
    uint32_t p = u0 * ld32(w + 4 * q);     \
    t += p;                                \
    b += (int32_t)(p + 0x8000u) >> 16;     \
  }
  const int8_t* xe = x + (K & ~1);
  while (x != xe) {
    const uint32_t u0 = (uint32_t)(int32_t)x[0], u1 = (uint32_t)(int32_t)x[1];
    ZKML_PAIR(0, t0, b0) ZKML_PAIR(1, t1, b1) ZKML_PAIR(2, t2, b2) ZKML_PAIR(3, t3, b3)
    ZKML_PAIR(4, t4, b4) ZKML_PAIR(5, t5, b5) ZKML_PAIR(6, t6, b6) ZKML_PAIR(7, t7, b7)
    x += 2;
    w += 64;
  }
  if (K & 1) {
    const uint32_t u0 = (uint32_t)(int32_t)x[0];
    ZKML_ONE(0, t0, b0) ZKML_ONE(1, t1, b1) ZKML_ONE(2, t2, b2) ZKML_ONE(3, t3, b3)
    ZKML_ONE(4, t4, b4) ZKML_ONE(5, t5, b5) ZKML_ONE(6, t6, b6) ZKML_ONE(7, t7, b7)
  }
#undef ZKML_PAIR
#undef ZKML_ONE
  acc[0] = (int32_t)(t0 - ((uint32_t)b0 << 16));  acc[1] = b0;
  acc[2] = (int32_t)(t1 - ((uint32_t)b1 << 16));  acc[3] = b1;
  acc[4] = (int32_t)(t2 - ((uint32_t)b2 << 16));  acc[5] = b2;
  acc[6] = (int32_t)(t3 - ((uint32_t)b3 << 16));  acc[7] = b3;
  acc[8] = (int32_t)(t4 - ((uint32_t)b4 << 16));  acc[9] = b4;
  acc[10] = (int32_t)(t5 - ((uint32_t)b5 << 16)); acc[11] = b5;
  acc[12] = (int32_t)(t6 - ((uint32_t)b6 << 16)); acc[13] = b6;
  acc[14] = (int32_t)(t7 - ((uint32_t)b7 << 16)); acc[15] = b7;
}

/* Parameters are copied to locals first: stores through int8_t* may alias
 * anything, which would otherwise force reloads after every output. */
static void store_rows(const int32_t* acc, int32_t m0, int32_t rows, int32_t M, const int32_t* bias,
                       const zkml_requant_params* rq, int8_t* y) {
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max, pc = rq->per_channel;
  const int32_t* mult = rq->mult;
  const int32_t* shift = rq->shift;
  for (int32_t r = 0; r < rows && m0 + r < M; ++r) {
    int32_t m = m0 + r;
    int32_t c = pc ? m : 0;
    y[m] = requant_out(acc[r] + bias[m], mult[c], shift[c], zp, lo, hi);
  }
}

void zkml_dense_s8(const int8_t* x, int32_t K, const uint8_t* w_packed, const int32_t* bias,
                   int32_t M, const zkml_requant_params* rq, int8_t* y) {
  int32_t acc[ZKML_DENSE_ROWS];
  for (int32_t m0 = 0; m0 < M; m0 += ZKML_DENSE_ROWS) {
    dot16(x, w_packed + (int64_t)m0 * 2 * K, K, acc);
    store_rows(acc, m0, ZKML_DENSE_ROWS, M, bias, rq, y);
  }
}

uint32_t zkml_conv_patch_bytes(int32_t C, int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t OH, int32_t OW) {
  /* im2col of all pixels in blocks of ZKML_PIX_BLOCK, then a zero-point
   * padded copy of the part of the input the windows cover. */
  uint64_t npix = (uint64_t)OH * (uint64_t)OW;
  uint64_t blocks = (npix + ZKML_PIX_BLOCK - 1) / ZKML_PIX_BLOCK;
  uint64_t cols = blocks * ZKML_PIX_BLOCK * (uint64_t)C * (uint64_t)kh * (uint64_t)kw;
  uint64_t padded = (uint64_t)C * ((uint64_t)(OH - 1) * (uint64_t)sh + (uint64_t)kh) *
                    ((uint64_t)(OW - 1) * (uint64_t)sw + (uint64_t)kw);
  uint64_t b = ((cols + 3u) & ~(uint64_t)3u) + padded;
  return b > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)b;
}

/* 4 rows (2 packed row pairs, as in dot16) x 4 pixels. Per two k: 4 word
 * loads and 8 input loads serve 32 multiply-adds, with one MUL per two
 * products and the same carry-exact lane split as Dense. */
static void dot_4x4(const uint8_t* w, const int8_t* x, int32_t K, int32_t acc[16]) {
  uint32_t t00 = 0, t01 = 0, t02 = 0, t03 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0;
  int32_t b00 = 0, b01 = 0, b02 = 0, b03 = 0, b10 = 0, b11 = 0, b12 = 0, b13 = 0;
#define ZKML_PX(j, t0, b0, t1, b1)                                    \
  {                                                                   \
    const uint32_t u0 = (uint32_t)(int32_t)x[j], u1 = (uint32_t)(int32_t)x[4 + j]; \
    uint32_t p = u0 * w00 + u1 * w01;                                  \
    t0 += p;                                                          \
    b0 += (int32_t)(p + 0x8000u) >> 16;                               \
    p = u0 * w10 + u1 * w11;                                          \
    t1 += p;                                                          \
    b1 += (int32_t)(p + 0x8000u) >> 16;                               \
  }
  const int8_t* xe = x + (int64_t)(K & ~1) * ZKML_PIX_BLOCK;
  while (x != xe) {
    /* wqk: pair q at step k (first) or k+1 (second) */
    const uint32_t w00 = ld32(w), w10 = ld32(w + 4), w01 = ld32(w + 8), w11 = ld32(w + 12);
    ZKML_PX(0, t00, b00, t10, b10) ZKML_PX(1, t01, b01, t11, b11)
    ZKML_PX(2, t02, b02, t12, b12) ZKML_PX(3, t03, b03, t13, b13)
    x += 2 * ZKML_PIX_BLOCK;
    w += 16;
  }
#define ZKML_PX1(j, t0, b0, t1, b1)                    \
  {                                                    \
    const uint32_t u0 = (uint32_t)(int32_t)x[j];       \
    uint32_t p = u0 * w00;                             \
    t0 += p;                                           \
    b0 += (int32_t)(p + 0x8000u) >> 16;                \
    p = u0 * w10;                                      \
    t1 += p;                                           \
    b1 += (int32_t)(p + 0x8000u) >> 16;                \
  }
  if (K & 1) { /* the last k alone */
    const uint32_t w00 = ld32(w), w10 = ld32(w + 4);
    ZKML_PX1(0, t00, b00, t10, b10) ZKML_PX1(1, t01, b01, t11, b11)
    ZKML_PX1(2, t02, b02, t12, b12) ZKML_PX1(3, t03, b03, t13, b13)
  }
#undef ZKML_PX
#undef ZKML_PX1
  acc[0] = (int32_t)(t00 - ((uint32_t)b00 << 16));
  acc[1] = (int32_t)(t01 - ((uint32_t)b01 << 16));
  acc[2] = (int32_t)(t02 - ((uint32_t)b02 << 16));
  acc[3] = (int32_t)(t03 - ((uint32_t)b03 << 16));
  acc[4] = b00; acc[5] = b01; acc[6] = b02; acc[7] = b03;
  acc[8] = (int32_t)(t10 - ((uint32_t)b10 << 16));
  acc[9] = (int32_t)(t11 - ((uint32_t)b11 << 16));
  acc[10] = (int32_t)(t12 - ((uint32_t)b12 << 16));
  acc[11] = (int32_t)(t13 - ((uint32_t)b13 << 16));
  acc[12] = b10; acc[13] = b11; acc[14] = b12; acc[15] = b13;
}

void zkml_conv_s8(const int8_t* x, const zkml_conv_shape* s, const uint8_t* w_packed,
                  const int32_t* bias, const zkml_requant_params* rq, int8_t* patch, int8_t* y) {
  /* Locals: stores through int8_t* may alias *s and *rq. */
  const int32_t C = s->C, H = s->H, W = s->W, M = s->M, OH = s->OH, OW = s->OW;
  const int32_t kh = s->kh, kw = s->kw, sh = s->sh, sw = s->sw, pt = s->pt, pl = s->pl;
  const int32_t K = C * kh * kw;
  const int32_t npix = OH * OW;
  const int32_t nblk = (npix + ZKML_PIX_BLOCK - 1) / ZKML_PIX_BLOCK;
  const int8_t pad = (int8_t)s->zp_in;
  /* The windows cover rows [-pt, Hp - pt) and columns [-pl, Wp - pl) of
   * the input. Unless that is exactly inside it, copy that region once with
   * the zero point (real 0) around it, so the im2col below needs no bounds
   * checks. */
  const int32_t Hp = (OH - 1) * sh + kh, Wp = (OW - 1) * sw + kw;
  const int8_t* src = x;
  int32_t sH = H, sW = W;
  int8_t* cols = patch;
  if (pt != 0 || pl != 0 || Hp > H || Wp > W) {
    int8_t* xp = patch + (((int64_t)nblk * ZKML_PIX_BLOCK * K + 3) & ~(int64_t)3);
    int8_t* q = xp;
    for (int32_t c = 0; c < C; ++c) {
      const int8_t* xc = x + (int64_t)c * H * W;
      for (int32_t r = 0; r < Hp; ++r) {
        const int32_t iy = r - pt;
        int8_t* qe = q + Wp;
        if (iy < 0 || iy >= H) {
          while (q != qe) *q++ = pad;
          continue;
        }
        const int8_t* row = xc + (int64_t)iy * W;
        for (int32_t ix = -pl; q != qe; ++ix) *q++ = (ix < 0 || ix >= W) ? pad : row[ix];
      }
    }
    src = xp;
    sH = Hp;
    sW = Wp;
  }
  /* im2col of every output pixel into cols[blk][k][j], (c, ky, kx) order as
   * in the weights; pixels past the end hold the zero point. A block of 4
   * pixels in one output row is copied 4 values per step. */
  const int64_t plane = (int64_t)sH * sW;
  for (int32_t b = 0; b < nblk; ++b) {
    int8_t* p = cols + (int64_t)b * ZKML_PIX_BLOCK * K;
    const int32_t pix0 = b * ZKML_PIX_BLOCK;
    const int32_t oy0 = pix0 / OW, ox0 = pix0 % OW;
    if (ox0 + ZKML_PIX_BLOCK <= OW) {
      const int8_t* base = src + (int64_t)oy0 * sh * sW + (int64_t)ox0 * sw;
      for (int32_t c = 0; c < C; ++c) {
        for (int32_t ky = 0; ky < kh; ++ky) {
          const int8_t* r0 = base + c * plane + (int64_t)ky * sW;
          int8_t* pe = p + (int64_t)kw * ZKML_PIX_BLOCK;
          if (sw == 1) {
            for (; p != pe; p += ZKML_PIX_BLOCK, ++r0) {
              p[0] = r0[0];
              p[1] = r0[1];
              p[2] = r0[2];
              p[3] = r0[3];
            }
          } else {
            const int8_t *r1 = r0 + sw, *r2 = r1 + sw, *r3 = r2 + sw;
            for (; p != pe; p += ZKML_PIX_BLOCK) {
              p[0] = *r0++;
              p[1] = *r1++;
              p[2] = *r2++;
              p[3] = *r3++;
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
          const int8_t* r0 = base + c * plane + (int64_t)ky * sW;
          for (int32_t kx = 0; kx < kw; ++kx, q += ZKML_PIX_BLOCK) *q = r0[kx];
        }
    }
  }
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max, pc = rq->per_channel;
  const int32_t* mult = rq->mult;
  const int32_t* shift = rq->shift;
  int32_t acc[ZKML_CONV_ROWS * ZKML_PIX_BLOCK];
  for (int32_t b = 0; b < nblk; ++b) {
    const int8_t* xb = cols + (int64_t)b * ZKML_PIX_BLOCK * K;
    const int32_t p0 = b * ZKML_PIX_BLOCK;
    const int32_t np = npix - p0 < ZKML_PIX_BLOCK ? npix - p0 : ZKML_PIX_BLOCK;
    for (int32_t m0 = 0; m0 < M; m0 += ZKML_CONV_ROWS) {
      dot_4x4(w_packed + (int64_t)m0 * 2 * K, xb, K, acc);
      for (int32_t r = 0; r < ZKML_CONV_ROWS && m0 + r < M; ++r) {
        const int32_t m = m0 + r;
        const int32_t c = pc ? m : 0;
        const int32_t mu = mult[c], shf = shift[c], bm = bias[m];
        int8_t* ym = y + (int64_t)m * npix + p0;
        for (int32_t j = 0; j < np; ++j) ym[j] = requant_out(acc[r * ZKML_PIX_BLOCK + j] + bm, mu, shf, zp, lo, hi);
      }
    }
  }
}

void zkml_maxpool_s8(const int8_t* x, const zkml_pool_shape* s, int8_t* y) {
  for (int32_t c = 0; c < s->C; ++c) {
    const int8_t* xc = x + (int64_t)c * s->H * s->W;
    for (int32_t oy = 0; oy < s->OH; ++oy) {
      for (int32_t ox = 0; ox < s->OW; ++ox) {
        int32_t best = -128;
        for (int32_t ky = 0; ky < s->kh; ++ky) {
          int32_t iy = oy * s->sh - s->pt + ky;
          if (iy < 0 || iy >= s->H) continue;
          for (int32_t kx = 0; kx < s->kw; ++kx) {
            int32_t ix = ox * s->sw - s->pl + kx;
            if (ix < 0 || ix >= s->W) continue;
            int32_t v = xc[(int64_t)iy * s->W + ix];
            if (v > best) best = v;
          }
        }
        *y++ = (int8_t)best;
      }
    }
  }
}

void zkml_avgpool_s8(const int8_t* x, const zkml_pool_shape* s, int8_t* y) {
  for (int32_t c = 0; c < s->C; ++c) {
    const int8_t* xc = x + (int64_t)c * s->H * s->W;
    for (int32_t oy = 0; oy < s->OH; ++oy) {
      for (int32_t ox = 0; ox < s->OW; ++ox) {
        int32_t sum = 0, n = 0;
        for (int32_t ky = 0; ky < s->kh; ++ky) {
          int32_t iy = oy * s->sh - s->pt + ky;
          for (int32_t kx = 0; kx < s->kw; ++kx) {
            int32_t ix = ox * s->sw - s->pl + kx;
            if (iy < 0 || iy >= s->H || ix < 0 || ix >= s->W) {
              if (s->count_include_pad) { sum += s->zp; ++n; }
              continue;
            }
            sum += xc[(int64_t)iy * s->W + ix];
            ++n;
          }
        }
        /* n >= 1: the parser requires pads < kernel, so every window holds
         * at least one valid input. Round half away from zero. */
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
  for (int32_t i = 0; i < bc->n; ++i) {
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

int32_t zkml_argmax_s8(const int8_t* x, int32_t n) {
  int32_t best = 0;
  for (int32_t i = 1; i < n; ++i) if (x[i] > x[best]) best = i;
  return best;
}

zkml_kernel_table zkml_kernels = {zkml_dense_s8, zkml_conv_s8};
