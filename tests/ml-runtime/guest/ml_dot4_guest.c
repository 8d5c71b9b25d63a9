/* Plain and dot4 kernels give the same bytes: random Dense and Conv layers
 * (deterministic LCG) run through zkml_kernels_plain and zkml_kernels_dot4
 * inside the emulator, including K and M that are not multiples of 4, the
 * extreme values -128 and 127 in inputs and weights, and K over the 32764
 * columns one dot4 call takes, grouped (depthwise) and dilated Conv, and
 * compiled-in Dense layers through dense4_rom. Panics naming the layer and output on the
 * first difference; else prints the count and commits a checksum of all
 * outputs (so the test also sees that the layers ran). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zkvm/guest.h>
#include <zkvm/ml/kernels.h>

static uint32_t lcg = 2024u;
static uint32_t rnd(void) {
  lcg = lcg * 1664525u + 1013904223u;
  return lcg >> 8;
}
static int32_t urange(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }
/* mode 0: random with extremes often; 1: all -128; 2: all 127. */
static void fill(int8_t* p, uint32_t n, int mode) {
  for (uint32_t i = 0; i < n; ++i) {
    int32_t v = (int32_t)(rnd() & 0xFF) - 128;
    if (mode == 0 && (rnd() % 5) == 0) v = (rnd() & 1) ? 127 : -128;
    p[i] = (int8_t)(mode == 1 ? -128 : (mode == 2 ? 127 : v));
  }
}

/* Packs W, then (junk) puts random bytes in the padding columns K..K4-1,
 * which a file may hold: every kernel must ignore them. */
static void pack(const int8_t* W, int32_t M, int32_t K, uint8_t* w, int junk) {
  zkml_pack_weights(W, M, K, w);
  const int32_t K4 = (K + 3) & ~3;
  if (!junk) return;
  for (int32_t b = 0; b < (M + 3) / 4; ++b)
    for (int32_t k = K; k < K4; ++k)
      for (int32_t j = 0; j < 4; ++j) w[4 * K4 * b + 16 * (k / 4) + 4 * j + k % 4] = (uint8_t)rnd();
}

static uint32_t checksum = 0;
static void compare(const char* what, int layer, const int8_t* a, const int8_t* b, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) zkvm_panic("%s layer %d: output %u: plain %d, dot4 %d", what, layer, (unsigned)i, a[i], b[i]);
    checksum = checksum * 31u + (uint8_t)a[i];
  }
}

typedef struct {
  int32_t mult[64], shift[64];
  zkml_requant_params p;
} rq_t;

static void make_rq(rq_t* r, int32_t M, int per_channel) {
  for (int32_t c = 0; c < M && c < 64; ++c) {
    r->mult[c] = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
    r->shift[c] = urange(20, 62); /* both requantisation paths, and shift - 32 over 22 */
  }
  int32_t lo = urange(-128, 0);
  r->p = (zkml_requant_params){r->mult, r->shift, per_channel, urange(-128, 127), lo, urange(lo, 127), 0};
}

static int dense_layer(int layer, int32_t K, int32_t M, int xmode, int wmode) {
  int8_t* x = malloc((size_t)K);
  int8_t* W = malloc((size_t)M * (size_t)K);
  uint8_t* w = malloc(zkml_weight_bytes(M, K));
  int32_t* bias = malloc(4 * (size_t)M);
  int8_t* scratch = malloc(zkml_dense_scratch_bytes(K));
  int8_t* y1 = malloc((size_t)M);
  int8_t* y2 = malloc((size_t)M);
  if (!x || !W || !w || !bias || !scratch || !y1 || !y2) zkvm_panic("dense layer %d: out of heap", layer);
  fill(x, (uint32_t)K, xmode);
  fill(W, (uint32_t)(M * K), wmode);
  zkml_pack_weights(W, M, K, w);
  for (int32_t m = 0; m < M; ++m) bias[m] = urange(-(1 << 20), 1 << 20);
  rq_t rq;
  make_rq(&rq, M > 64 ? 1 : M, M <= 64 && (layer & 1));
  zkml_kernels_plain.dense(x, K, w, bias, M, &rq.p, scratch, y1);
  zkml_kernels_dot4.dense(x, K, w, bias, M, &rq.p, scratch, y2);
  compare("dense", layer, y1, y2, (uint32_t)M);
  free(x); free(W); free(w); free(bias); free(scratch); free(y1); free(y2);
  return 1;
}

static int conv_layer(int layer, zkml_conv_shape s, int xmode, int wmode) {
  const int32_t G = s.group > 1 ? s.group : 1;
  const int32_t K = s.C / G * s.kh * s.kw, n_in = s.C * s.H * s.W, n_out = s.M * s.OH * s.OW;
  int8_t* x = malloc((size_t)n_in);
  int8_t* W = malloc((size_t)s.M * (size_t)K);
  uint8_t* w = malloc(zkml_weight_bytes(s.M, K));
  int32_t* bias = malloc(4 * (size_t)s.M);
  int8_t* patch = malloc(zkml_conv_scratch_bytes(&s));
  int8_t* y1 = malloc((size_t)n_out);
  int8_t* y2 = malloc((size_t)n_out);
  if (!x || !W || !w || !bias || !patch || !y1 || !y2) zkvm_panic("conv layer %d: out of heap", layer);
  fill(x, (uint32_t)n_in, xmode);
  fill(W, (uint32_t)(s.M * K), wmode & 3);
  pack(W, s.M, K, w, wmode & 4);
  for (int32_t m = 0; m < s.M; ++m) bias[m] = urange(-100000, 100000);
  rq_t rq;
  make_rq(&rq, s.M, layer & 1);
  zkml_kernels_plain.conv(x, &s, w, bias, &rq.p, patch, y1);
  zkml_kernels_dot4.conv(x, &s, w, bias, &rq.p, patch, y2);
  compare("conv", layer, y1, y2, (uint32_t)n_out);
  free(x); free(W); free(w); free(bias); free(patch); free(y1); free(y2);
  return 1;
}

/* Conv then MaxPool: the plain kernels one after the other against the dot4
 * set's fused kernel (conv_maxpool), which must give the same pooled bytes. */
static int conv_pool_layer(int layer, zkml_conv_shape s, zkml_pool_shape p, int xmode, int wmode) {
  const int32_t K = s.C / (s.group > 1 ? s.group : 1) * s.kh * s.kw, n_in = s.C * s.H * s.W;
  const int32_t n_conv = s.M * s.OH * s.OW, n_out = s.M * p.OH * p.OW;
  int8_t* x = malloc((size_t)n_in);
  int8_t* W = malloc((size_t)s.M * (size_t)K);
  uint8_t* w = malloc(zkml_weight_bytes(s.M, K));
  int32_t* bias = malloc(4 * (size_t)s.M);
  int8_t* patch = malloc(zkml_conv_scratch_bytes(&s));
  int8_t* yc = malloc((size_t)n_conv);
  int8_t* y1 = malloc((size_t)n_out);
  int8_t* y2 = malloc((size_t)n_out);
  if (!x || !W || !w || !bias || !patch || !yc || !y1 || !y2) zkvm_panic("conv+pool layer %d: out of heap", layer);
  fill(x, (uint32_t)n_in, xmode);
  fill(W, (uint32_t)(s.M * K), wmode & 3);
  pack(W, s.M, K, w, wmode & 4);
  for (int32_t m = 0; m < s.M; ++m) bias[m] = urange(-100000, 100000);
  rq_t rq;
  make_rq(&rq, s.M, layer & 1);
  zkml_kernels_plain.conv(x, &s, w, bias, &rq.p, patch, yc);
  zkml_maxpool_s8(yc, &p, y1);
  zkml_kernels_dot4.conv_maxpool(x, &s, w, bias, &rq.p, &p, patch, yc, y2);
  compare("conv+maxpool", layer, y1, y2, (uint32_t)n_out);
  /* Again with phase weights registered (kernels.h): the phase kernel where
   * the shape allows it, the same bytes either way. */
  uint8_t* pw = zkml_conv_phase_k(&s) ? malloc(zkml_conv_phase_bytes(&s)) : NULL;
  if (pw) {
    zkml_conv_phase_pack(&s, w, pw);
    if (!zkml_register_phase_weights(w, pw, zkml_conv_phase_bytes(&s))) zkvm_panic("phase weights: table full");
    memset(y2, 0x55, (size_t)n_out);
    zkml_kernels_dot4.conv_maxpool(x, &s, w, bias, &rq.p, &p, patch, yc, y2);
    zkml_clear_phase_weights();
    compare("conv+maxpool, phase weights", layer, y1, y2, (uint32_t)n_out);
    free(pw);
  }
  free(x); free(W); free(w); free(bias); free(patch); free(yc); free(y1); free(y2);
  return 1;
}

/* A MaxPool over an H x W input as the parser admits it: pads below the
 * dilated window, dilation at most the input, floor-mode output size. */
static zkml_pool_shape pool_shape(int32_t C, int32_t H, int32_t W) {
  zkml_pool_shape p = {0};
  p.C = C, p.H = H, p.W = W;
  p.kh = urange(1, 3), p.kw = urange(1, 3), p.sh = urange(1, 3), p.sw = urange(1, 3);
  p.dh = urange(1, H < 2 ? H : 2), p.dw = urange(1, W < 2 ? W : 2);
  int32_t ekh = p.dh * (p.kh - 1) + 1, ekw = p.dw * (p.kw - 1) + 1;
  while (ekh > H) p.kh -= 1, ekh = p.dh * (p.kh - 1) + 1;
  while (ekw > W) p.kw -= 1, ekw = p.dw * (p.kw - 1) + 1;
  p.pt = urange(0, ekh - 1), p.pl = urange(0, ekw - 1), p.pb = urange(0, ekh - 1), p.pr = urange(0, ekw - 1);
  p.OH = (H + p.pt + p.pb - ekh) / p.sh + 1;
  p.OW = (W + p.pl + p.pr - ekw) / p.sw + 1;
  return p;
}

static zkml_conv_shape conv_shape(int32_t C, int32_t H, int32_t W, int32_t M, int32_t kh, int32_t kw, int32_t sh,
                                  int32_t sw, int32_t pt, int32_t pl, int32_t pb, int32_t pr, int32_t zp) {
  zkml_conv_shape s = {C, H, W, M, (H + pt + pb - kh) / sh + 1, (W + pl + pr - kw) / sw + 1, kh, kw, sh, sw, pt, pl, zp, 1,
                       1, 1};
  return s;
}

/* dense4_rom (0x1004): the dot4 Dense kernel takes a layer's whole blocks
 * through it when the weights, bias and requantisation are read-only data
 * (these, compiled in: 10 outputs of 24 inputs, per channel with shifts
 * 35..63, or per tensor) and rq.dense4 says every shift is in [35, 63].
 * Against the plain kernel: aligned and unaligned outputs, wrapping biases,
 * x read in place or copied (K = 23 is padded), and the cycle count shows
 * the call path ran (fewer cycles than with dense4 = 0, the dot4_rom path). */
#define D4_K 24
#define D4_M 10
static const uint8_t kD4W[288] __attribute__((aligned(4))) = {
    165, 77, 202, 24, 37, 48, 187, 29, 109, 19, 44, 222, 214, 35, 123, 46,
    217, 30, 63, 114, 31, 203, 25, 113, 23, 68, 148, 214, 73, 60, 157, 92,
    52, 96, 190, 49, 32, 30, 105, 254, 218, 160, 238, 232, 185, 153, 127, 92,
    124, 41, 153, 253, 175, 229, 147, 37, 60, 214, 84, 175, 77, 250, 215, 20,
    39, 160, 174, 179, 254, 233, 35, 47, 138, 242, 33, 31, 158, 228, 145, 197,
    177, 11, 236, 181, 86, 59, 252, 30, 111, 147, 66, 126, 203, 200, 254, 41,
    85, 229, 205, 142, 70, 220, 142, 212, 183, 194, 118, 77, 42, 90, 77, 118,
    119, 6, 248, 93, 134, 144, 2, 74, 214, 189, 163, 64, 27, 233, 200, 203,
    204, 201, 53, 246, 205, 31, 97, 34, 106, 225, 83, 56, 174, 26, 52, 0,
    77, 51, 186, 13, 36, 106, 192, 76, 129, 177, 186, 242, 62, 59, 249, 238,
    245, 247, 159, 43, 73, 52, 175, 135, 245, 82, 11, 105, 185, 75, 13, 152,
    46, 133, 187, 85, 182, 114, 168, 114, 99, 122, 205, 116, 102, 252, 182, 14,
    14, 143, 241, 132, 99, 176, 228, 178, 186, 41, 112, 52, 116, 240, 100, 172,
    104, 247, 0, 245, 176, 43, 61, 198, 102, 244, 91, 222, 170, 44, 202, 237,
    205, 43, 81, 87, 65, 14, 77, 238, 74, 242, 179, 79, 67, 10, 7, 52,
    71, 222, 99, 108, 14, 128, 108, 149, 123, 166, 132, 214, 67, 31, 181, 234,
    215, 66, 77, 9, 225, 93, 2, 76, 88, 72, 242, 61, 31, 166, 247, 54,
    29, 127, 97, 141, 21, 50, 231, 14, 32, 226, 166, 102, 141, 231, 244, 126,
};
/* Two words past each table: the call for the last, partial block (outputs
 * 8, 9) reads four bias, mult and shift words from 8 (ZKML_DENSE4_TAIL);
 * the shift table is padded with valid shifts, as zkml-tool pads it. */
static const int32_t kD4Bias[D4_M + 2] = {31647, 8578, 54889, INT32_MAX, -25975, 13336, INT32_MIN, -33447, 50100, -1342, 7, 7};
static const int32_t kD4Mult[D4_M + 2] = {831364874, 1431592176, 798052072, 1379466994, 1486312281, 1215432362, 692662466, 1978166269, 1053638716, 1456721219, 0, 0};
static const int32_t kD4Shift[D4_M + 2] = {37, 35, 40, 37, 38, 41, 38, 40, 63, 43, 43, 43};
static const int32_t kD4MultT = 1518500250, kD4ShiftT = 41;

/* xmode: 0 rq.dense4 = CALL (x copied into the scratch, biased; the
 * partial block by dot4_rom); 1 CALL | INPLACE | TAIL with x aligned and 4
 * bytes of slack after it (read in place when K is a multiple of 4: the
 * slack must come back as it was; the partial block by the call); 2 the
 * same with x unaligned (copied). */
static int dense4_layer(int layer, int per_channel, int unaligned, int32_t zp, int32_t lo, int32_t hi, int32_t K,
                        int xmode) {
  static int8_t xbuf[D4_K + 8] __attribute__((aligned(4)));
  int8_t* x = xbuf + (xmode == 2 ? 1 : 0);
  static int8_t scratch[D4_K + 4] __attribute__((aligned(4)));
  static int8_t y1[D4_M + 4] __attribute__((aligned(4))), y2[D4_M + 4] __attribute__((aligned(4)));
  fill(x, K, 0);
  const uint32_t slack = 0xa55a3cc3u;
  memcpy(x + K, &slack, 4);
  int8_t xcopy[D4_K + 4];
  memcpy(xcopy, x, (size_t)K + 4);
  zkml_requant_params rq = {per_channel ? kD4Mult : &kD4MultT, per_channel ? kD4Shift : &kD4ShiftT, per_channel, zp,
                            lo, hi, 0};
  int8_t* out = y2 + (unaligned ? 1 : 0);
  zkml_kernels_plain.dense(x, K, kD4W, kD4Bias, D4_M, &rq, scratch, y1);
  const uint64_t c0 = zkvm_cycle_count();
  zkml_kernels_dot4.dense(x, K, kD4W, kD4Bias, D4_M, &rq, scratch, out);
  const uint64_t c1 = zkvm_cycle_count();
  compare("dense (dot4_rom)", layer, y1, out, D4_M);
  rq.dense4 = ZKML_DENSE4_CALL | (xmode ? ZKML_DENSE4_INPLACE | ZKML_DENSE4_TAIL : 0);
  memset(y2, 0x55, sizeof y2);
  const uint64_t c2 = zkvm_cycle_count();
  zkml_kernels_dot4.dense(x, K, kD4W, kD4Bias, D4_M, &rq, scratch, out);
  const uint64_t c3 = zkvm_cycle_count();
  compare("dense (dense4_rom)", layer, y1, out, D4_M);
  if (memcmp(xcopy, x, (size_t)K + 4) != 0)
    zkvm_panic("dense4 layer %d: x or the 4 bytes after it changed", layer);
  if (c3 - c2 >= c1 - c0)
    zkvm_panic("dense4 layer %d: %u cycles with dense4_rom, %u without: the call path did not run", layer,
               (unsigned)(c3 - c2), (unsigned)(c1 - c0));
  return 1;
}

int main(void) {
  int nd = 0, nc = 0, layer = 0;
  /* Dense: fixed edge shapes (K, M around multiples of 4; all-extreme
   * operands), K over one call's limit, then random shapes. */
  static const int32_t shapes[][2] = {{1, 1}, {3, 5}, {4, 4}, {5, 3}, {7, 9}, {8, 8}, {17, 13}, {100, 10}, {784, 30}};
  for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; ++i)
    for (int mode = 0; mode < 3; ++mode) nd += dense_layer(layer++, shapes[i][0], shapes[i][1], mode, mode == 0 ? 0 : 1);
  nd += dense_layer(layer++, 40001, 5, 0, 0);
  nd += dense_layer(layer++, 40000, 3, 1, 1);
  for (int i = 0; i < 40; ++i) nd += dense_layer(layer++, urange(1, 200), urange(1, 40), 0, 0);
  /* Compiled-in layers through dense4_rom: per channel and per tensor,
   * aligned and unaligned outputs, clamps at both bounds, lo = hi. */
  for (int xmode = 0; xmode < 3; ++xmode) {
    nd += dense4_layer(layer++, 1, 0, 5, -100, 90, D4_K, xmode);
    nd += dense4_layer(layer++, 1, 1, -3, -128, 127, D4_K, xmode);
    nd += dense4_layer(layer++, 0, 0, 0, -20, 20, D4_K, xmode);
    nd += dense4_layer(layer++, 0, 1, 100, -128, 127, D4_K, xmode);
    nd += dense4_layer(layer++, 1, 0, 0, 7, 7, D4_K, xmode);
    /* K = 23: x padded with a zero byte in the copy (never in place) */
    nd += dense4_layer(layer++, 1, 0, 5, -100, 90, D4_K - 1, xmode);
    nd += dense4_layer(layer++, 0, 1, -1, -128, 127, D4_K - 1, xmode);
  }
  /* Conv: random geometry (strides, pads, C*kh*kw of any residue mod 4),
   * extreme operands, and K = 35000 over one call's limit. */
  for (int i = 0; i < 40; ++i) {
    int32_t kh = urange(1, 5), kw = urange(1, 5);
    int32_t H = urange(kh, 14), W = urange(kw, 14);
    zkml_conv_shape s = conv_shape(urange(1, 4), H, W, urange(1, 9), kh, kw, urange(1, 3), urange(1, 3),
                                   urange(0, kh - 1), urange(0, kw - 1), urange(0, kh - 1), urange(0, kw - 1),
                                   urange(-128, 127));
    int mode = i % 7 == 3 ? 1 : (i % 7 == 5 ? 2 : 0);
    nc += conv_layer(layer++, s, mode, mode == 0 ? 0 : 1);
  }
  /* Grouped: depthwise (one channel per group), and groups whose output
   * channels straddle the 4-row weight blocks; the last one with K over one
   * call's limit. */
  for (int i = 0; i < 24; ++i) {
    int32_t kh = urange(1, 5), kw = urange(1, 5);
    int32_t H = urange(kh, 12), W = urange(kw, 12), G = urange(2, 6);
    int32_t Cg = i % 2 ? urange(1, 3) : 1, Mg = i % 2 ? urange(1, 5) : 1;
    zkml_conv_shape s = conv_shape(G * Cg, H, W, G * Mg, kh, kw, urange(1, 3), urange(1, 3), urange(0, kh - 1),
                                   urange(0, kw - 1), urange(0, kh - 1), urange(0, kw - 1), urange(-128, 127));
    s.group = G;
    int mode = i % 7 == 3 ? 1 : (i % 7 == 5 ? 2 : 0);
    nc += conv_layer(layer++, s, mode, mode == 0 ? 0 : 1);
  }
  {
    zkml_conv_shape s = conv_shape(2 * 1400, 5, 5, 6, 5, 5, 1, 1, 0, 0, 0, 0, 3);
    s.group = 2;
    nc += conv_layer(layer++, s, 1, 1);
  }
  /* Dilated, grouped or not. */
  for (int i = 0; i < 16; ++i) {
    int32_t kh = urange(1, 4), kw = urange(1, 4), dh = urange(1, 3), dw = urange(1, 3);
    int32_t ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
    int32_t H = urange(ekh, 14), W = urange(ekw, 14), G = i % 2 ? urange(2, 4) : 1;
    int32_t Cg = urange(1, 3), Mg = urange(1, 5), sh = urange(1, 3), sw = urange(1, 3);
    int32_t pt = urange(0, ekh - 1), pb = urange(0, ekh - 1), pl = urange(0, ekw - 1), pr = urange(0, ekw - 1);
    zkml_conv_shape s = {G * Cg, H, W, G * Mg, (H + pt + pb - ekh) / sh + 1, (W + pl + pr - ekw) / sw + 1,
                         kh, kw, sh, sw, pt, pl, urange(-128, 127), G, dh, dw};
    nc += conv_layer(layer++, s, 0, 0);
  }
  nc += conv_layer(layer++, conv_shape(6, 12, 12, 16, 5, 5, 1, 1, 0, 0, 0, 0, -128), 0, 0);
  nc += conv_layer(layer++, conv_shape(1400, 5, 5, 2, 5, 5, 1, 1, 0, 0, 0, 0, 3), 1, 1);
  /* Conv + MaxPool: LeNet's two pairs, 2x2 pools on random Convs, then
   * random pools (pads, strides, dilations), grouped Convs (the fallback). */
  int np = 0;
  {
    zkml_conv_shape s = conv_shape(1, 28, 28, 6, 5, 5, 1, 1, 0, 0, 0, 0, -128);
    zkml_pool_shape p = {6, 24, 24, 12, 12, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1};
    np += conv_pool_layer(layer++, s, p, 0, 0);
    s = conv_shape(6, 12, 12, 16, 5, 5, 1, 1, 0, 0, 0, 0, -128);
    p = (zkml_pool_shape){16, 8, 8, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1};
    np += conv_pool_layer(layer++, s, p, 0, 0);
  }
  for (int i = 0; i < 48; ++i) {
    int32_t kh = urange(1, 5), kw = urange(1, 5);
    int32_t H = urange(kh + 1, 14), W = urange(kw + 1, 14);
    zkml_conv_shape s = conv_shape(urange(1, 4), H, W, urange(1, 9), kh, kw, urange(1, 2), urange(1, 2),
                                   urange(0, kh - 1), urange(0, kw - 1), urange(0, kh - 1), urange(0, kw - 1),
                                   urange(-128, 127));
    if (i % 8 == 7) {
      s.group = s.C;
      s.M = s.C * urange(1, 2);
    }
    zkml_pool_shape p;
    if (i < 16 && s.OH >= 2 && s.OW >= 2) {
      p = (zkml_pool_shape){s.M, s.OH, s.OW, s.OH / 2, s.OW / 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1};
    } else {
      p = pool_shape(s.M, s.OH, s.OW);
    }
    int mode = i % 7 == 3 ? 1 : (i % 7 == 5 ? 2 : 0);
    np += conv_pool_layer(layer++, s, p, mode, mode == 0 ? 0 : 1);
  }
  /* One input channel (the dot4 kernels read strips then) with random
   * bytes in the weights' padding columns (mode 4), which must not count. */
  for (int i = 0; i < 6; ++i) {
    int32_t k = urange(2, 5), H = urange(k + 1, 12);
    zkml_conv_shape s = conv_shape(1, H, H, urange(1, 7), k, k, 1, 1, 0, 0, 0, 0, urange(-128, 127));
    zkml_pool_shape p = (zkml_pool_shape){s.M, s.OH, s.OW, s.OH / 2, s.OW / 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1};
    nc += conv_layer(layer++, s, 0, 4);
    np += conv_pool_layer(layer++, s, p, 0, 4);
  }
  /* Stride-1 Convs with 2x2 pools (the phase kernel): word-aligned inputs
   * without pads (its word path), other widths and pads (its byte path),
   * odd pooled widths, several channels, all requantisation paths. */
  for (int i = 0; i < 24; ++i) {
    int32_t kh = urange(1, 5), kw = urange(1, 5), C = urange(1, 6);
    int32_t H = urange(kh + 1, 16), W = i % 3 == 0 ? 4 * urange(2, 5) : urange(kw + 1, 17);
    int32_t pad = i % 3 == 2;
    zkml_conv_shape s = conv_shape(C, H, W, urange(1, 9), kh, kw, 1, 1, pad ? urange(0, kh - 1) : 0,
                                   pad ? urange(0, kw - 1) : 0, pad ? urange(0, kh - 1) : 0,
                                   pad ? urange(0, kw - 1) : 0, urange(-128, 127));
    if (s.OH < 2 || s.OW < 2) continue;
    zkml_pool_shape p = (zkml_pool_shape){s.M, s.OH, s.OW, s.OH / 2, s.OW / 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1};
    int mode = i % 7 == 3 ? 1 : (i % 7 == 5 ? 2 : 0);
    np += conv_pool_layer(layer++, s, p, mode, mode == 0 ? (i & 4) : 1);
  }
  printf("dot4 and plain kernels agree on %d Dense and %d Conv layers and %d Conv+MaxPool pairs\n", nd, nc, np);
  zkvm_commit_u32(checksum);
  return 0;
}
