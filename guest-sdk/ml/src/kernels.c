/* Integer kernels (kernels.h). Portable C11, identical on host and guest. */
#include "zkvm/ml/kernels.h"

/* Requantisation relies on arithmetic right shift of negative values. */
_Static_assert((-1LL >> 1) == -1LL, "arithmetic right shift of negative int64 required");

int32_t zkml_requant(int32_t acc, int32_t mult, int32_t shift) {
  /* |acc * mult| < 2^62 and the rounding term is 2^61 at most: no overflow. */
  int64_t p = (int64_t)acc * (int64_t)mult + ((int64_t)1 << (shift - 1));
  return (int32_t)(p >> shift);
}

static inline int8_t clamp8(int32_t v, int32_t lo, int32_t hi) {
  return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

/* Out-of-range requantised values are saturated before the int32 cast:
 * |acc| < 2^31 and mult < 2^31 give |acc*M| < 2^61 >> 1 which can exceed
 * int32 only when M >= 1, so clamp in 64 bits first. */
static inline int8_t requant_out(int32_t acc, int32_t mult, int32_t shift, const zkml_requant_params* rq) {
  int64_t p = (int64_t)acc * (int64_t)mult + ((int64_t)1 << (shift - 1));
  int64_t v = (p >> shift) + rq->zp_out;
  if (v < rq->act_min) v = rq->act_min;
  if (v > rq->act_max) v = rq->act_max;
  return (int8_t)v;
}

/* Four dot products of x with one weight block (k-major, 4 rows). The inner
 * loop loads each input once for four multiply-adds and is unrolled by 4. */
static void dot_block(const int8_t* x, const int8_t* w, int32_t K, int32_t acc[ZKML_BLOCK]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  int32_t k = 0;
  for (; k + 4 <= K; k += 4) {
    int32_t x0 = x[k], x1 = x[k + 1], x2 = x[k + 2], x3 = x[k + 3];
    a0 += x0 * w[0];  a1 += x0 * w[1];  a2 += x0 * w[2];  a3 += x0 * w[3];
    a0 += x1 * w[4];  a1 += x1 * w[5];  a2 += x1 * w[6];  a3 += x1 * w[7];
    a0 += x2 * w[8];  a1 += x2 * w[9];  a2 += x2 * w[10]; a3 += x2 * w[11];
    a0 += x3 * w[12]; a1 += x3 * w[13]; a2 += x3 * w[14]; a3 += x3 * w[15];
    w += 16;
  }
  for (; k < K; ++k) {
    int32_t xv = x[k];
    a0 += xv * w[0]; a1 += xv * w[1]; a2 += xv * w[2]; a3 += xv * w[3];
    w += 4;
  }
  acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

void zkml_dense_s8(const int8_t* x, int32_t K, const int8_t* w_blocked, const int32_t* bias,
                   int32_t M, const zkml_requant_params* rq, int8_t* y) {
  for (int32_t m0 = 0; m0 < M; m0 += ZKML_BLOCK) {
    int32_t acc[ZKML_BLOCK] = {0, 0, 0, 0};
    dot_block(x, w_blocked + (int64_t)m0 * K, K, acc);
    for (int32_t r = 0; r < ZKML_BLOCK && m0 + r < M; ++r) {
      int32_t m = m0 + r;
      int32_t c = rq->per_channel ? m : 0;
      y[m] = requant_out(acc[r] + bias[m], rq->mult[c], rq->shift[c], rq);
    }
  }
}

void zkml_conv_s8(const int8_t* x, const zkml_conv_shape* s, const int8_t* w_blocked,
                  const int32_t* bias, const zkml_requant_params* rq, int8_t* patch, int8_t* y) {
  const int32_t K = s->C * s->kh * s->kw;
  const int32_t npix = s->OH * s->OW;
  const int8_t pad = (int8_t)s->zp_in;
  for (int32_t oy = 0; oy < s->OH; ++oy) {
    for (int32_t ox = 0; ox < s->OW; ++ox) {
      /* im2col of one output pixel, (c, ky, kx) order as in the weights;
       * padding holds the input zero point (real 0). */
      int8_t* p = patch;
      const int32_t iy0 = oy * s->sh - s->pt, ix0 = ox * s->sw - s->pl;
      for (int32_t c = 0; c < s->C; ++c) {
        const int8_t* xc = x + (int64_t)c * s->H * s->W;
        for (int32_t ky = 0; ky < s->kh; ++ky) {
          int32_t iy = iy0 + ky;
          if (iy < 0 || iy >= s->H) {
            for (int32_t kx = 0; kx < s->kw; ++kx) *p++ = pad;
            continue;
          }
          const int8_t* row = xc + (int64_t)iy * s->W;
          if (ix0 >= 0 && ix0 + s->kw <= s->W) {
            for (int32_t kx = 0; kx < s->kw; ++kx) *p++ = row[ix0 + kx];
          } else {
            for (int32_t kx = 0; kx < s->kw; ++kx) {
              int32_t ix = ix0 + kx;
              *p++ = (ix < 0 || ix >= s->W) ? pad : row[ix];
            }
          }
        }
      }
      const int32_t pix = oy * s->OW + ox;
      for (int32_t m0 = 0; m0 < s->M; m0 += ZKML_BLOCK) {
        int32_t acc[ZKML_BLOCK] = {0, 0, 0, 0};
        dot_block(patch, w_blocked + (int64_t)m0 * K, K, acc);
        for (int32_t r = 0; r < ZKML_BLOCK && m0 + r < s->M; ++r) {
          int32_t m = m0 + r;
          int32_t c = rq->per_channel ? m : 0;
          y[(int64_t)m * npix + pix] = requant_out(acc[r] + bias[m], rq->mult[c], rq->shift[c], rq);
        }
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
