/* Helpers shared by the plain (kernels.c) and the dot4 (kernels_dot4.c)
 * kernels: requantisation of one output and the Conv scratch layout. */
#ifndef ZKVM_ML_KERNELS_INTERNAL_H
#define ZKVM_ML_KERNELS_INTERNAL_H

#include "zkvm/ml/kernels.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "zkml kernels assume a little-endian target (the dot4 weight layout is read as words)"
#endif

/* Requantise, add the zero point and clamp. For shift >= 33 (every
 * multiplier below 2^-2, the usual case) only the high word of the product
 * matters: with p = top * 2^32 + low and 0 <= low < 2^32,
 * floor((p + 2^(s-1)) / 2^s) = floor((top + 2^(s-33)) / 2^(s-32)),
 * so one MULH replaces the 64-bit add and shift; the result is identical. */
static inline int8_t zkml_requant_out(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi) {
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

/* zkml_requant_out for shift >= 33 with rnd = 2^(shift-33) and s2 = shift - 32
 * computed once per channel: the same result, three instructions fewer. */
static inline int8_t zkml_requant_out_hi(int32_t acc, int32_t mult, int32_t rnd, int32_t s2, int32_t zp, int32_t lo,
                                         int32_t hi) {
  int32_t v = (((int32_t)(((int64_t)acc * (int64_t)mult) >> 32) + rnd) >> s2) + zp;
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return (int8_t)v;
}

/* Requantises outputs m0 .. m0+rows-1 (those below M) of a Dense layer.
 * Parameters are copied to locals first: stores through int8_t* may alias
 * anything, which would otherwise force reloads after every output. */
static inline void zkml_store_rows(const int32_t* acc, int32_t m0, int32_t rows, int32_t M, const int32_t* bias,
                       const zkml_requant_params* rq, int8_t* y) {
  const int32_t zp = rq->zp_out, lo = rq->act_min, hi = rq->act_max, pc = rq->per_channel;
  const int32_t* mult = rq->mult;
  const int32_t* shift = rq->shift;
  for (int32_t r = 0; r < rows && m0 + r < M; ++r) {
    int32_t m = m0 + r;
    int32_t c = pc ? m : 0;
    y[m] = zkml_requant_out(acc[r] + bias[m], mult[c], shift[c], zp, lo, hi);
  }
}

static inline int32_t zkml_conv_groups(const zkml_conv_shape* s) { return s->group > 1 ? s->group : 1; }
static inline int32_t zkml_dil(int32_t d) { return d > 1 ? d : 1; }
/* Rows (columns) that out windows of k taps, d apart, stride s cover. */
static inline int32_t zkml_span(int32_t out, int32_t s, int32_t k, int32_t d) {
  return (out - 1) * s + (k - 1) * zkml_dil(d) + 1;
}

/* The dot4 kernels' strips of a one-input-channel Conv without vertical
 * dilation (kernels_dot4.c): bytes of one strip copy, the taps of all Hp
 * input rows plus 6 (a shift of up to 3, K4 - K up to 3), a multiple of 4;
 * OW strips of 4 copies each. 0 for other Convs. */
static inline int64_t zkml_conv_strip_slot(const zkml_conv_shape* s) {
  if (s->C != 1 || zkml_conv_groups(s) > 1 || zkml_dil(s->dh) != 1) return 0;
  return (zkml_span(s->OH, s->sh, s->kh, s->dh) * (int64_t)s->kw + 6 + 3) & ~(int64_t)3;
}

/* Conv scratch (zkml_conv_scratch_bytes): the im2col area, then the padded
 * copy of the input at this offset (4-byte aligned). A grouped conv's
 * im2col holds one group (K = C/G*kh*kw per pixel) in blocks of 4 pixels
 * padded to K4 columns, followed by one weight row of K4 bytes (dot4). The
 * area also holds the strips of a one-channel Conv. */
static inline int64_t zkml_conv_cols_bytes(const zkml_conv_shape* s) {
  const int64_t G = zkml_conv_groups(s);
  const int64_t npix = (int64_t)s->OH * s->OW, K = (int64_t)(s->C / G) * s->kh * s->kw;
  const int64_t blocks = (npix + ZKML_PIX_BLOCK - 1) / ZKML_PIX_BLOCK;
  int64_t cols;
  if (G > 1) {
    cols = (blocks * ZKML_PIX_BLOCK + 1) * zkml_k4(K);
  } else {
    cols = blocks * ZKML_PIX_BLOCK * K;
    const int64_t cols4 = npix * zkml_k4(K), strips = 4 * (int64_t)s->OW * zkml_conv_strip_slot(s);
    if (cols4 > cols) cols = cols4;
    if (strips > cols) cols = strips;
  }
  return (cols + 3) & ~(int64_t)3;
}

/* Copies the input region the windows cover, rows [-pt, Hp - pt) and
 * columns [-pl, Wp - pl) with Hp = zkml_span(OH, sh, kh, dh), Wp likewise, to
 * dst ([C][Hp][Wp]), with the zero point at positions outside the input,
 * every byte XORed with `flip` (0x80 gives the dot4 call's biased bytes). */
void zkml_conv_pad_input(const int8_t* x, const zkml_conv_shape* s, uint8_t flip, int8_t* dst);

#endif
