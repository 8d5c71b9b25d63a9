/* Cycles per multiply-accumulate of the int8 Dense and Conv kernels, measured
 * inside the guest with zkvm_cycle_count() around each kernel call (the
 * emulator counts one cycle per instruction). Weights and inputs are
 * deterministic pseudo-random int8; the cost does not depend on the values
 * except for requantisation branches, which are per output, not per MAC.
 * Each layer runs with the plain C kernels and with the dot4 accelerator
 * kernels (zkml_kernels_plain / zkml_kernels_dot4; the same outputs).
 * "conv+p" rows are a Conv and the 2x2 MaxPool after it (the plain kernels
 * one after the other, the dot4 set's fused kernel); their MACs are the
 * Conv's. "conv+pw" rows are the same pair through the dot4 set with the
 * Conv's phase weights registered (kernels.h zkml_conv_phase_pack, as the
 * generated guests of public models do). Output (stdout): one line per layer and kernel set,
 * "kind shape kernels macs cycles cycles/MAC". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <zkvm/guest.h>
#include <zkvm/ml/kernels.h>

static uint32_t lcg = 12345u;
static int8_t rnd8(void) {
  lcg = lcg * 1664525u + 1013904223u;
  return (int8_t)(lcg >> 24);
}
static void fill(int8_t* p, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) p[i] = rnd8();
}

static const zkml_kernel_table* const kTables[2] = {&zkml_kernels_plain, &zkml_kernels_dot4};
static const char* const kTableNames[2] = {"plain", "dot4"};

static void report(const char* kind, const char* shape, int t, uint64_t macs, uint64_t cycles) {
  unsigned long hundredths = (unsigned long)((cycles * 100u + macs / 2u) / macs);
  printf("%-7s %-22s %-5s macs %8lu cycles %9lu cycles/MAC %lu.%02lu\n", kind, shape, kTableNames[t],
         (unsigned long)macs, (unsigned long)cycles, hundredths / 100u, hundredths % 100u);
}

static void bench_dense(int32_t K, int32_t M) {
  uint32_t wbytes = (uint32_t)zkml_weight_bytes(M, K);
  uint8_t* w = malloc(wbytes); /* malloc: 4-byte aligned as the packed layout needs */
  int8_t* x = malloc((size_t)K);
  int8_t* y = malloc((size_t)M);
  int8_t* scratch = malloc(zkml_dense_scratch_bytes(K));
  int32_t* bias = malloc(sizeof(int32_t) * (size_t)M);
  if (!w || !x || !y || !scratch || !bias) zkvm_panic("bench: out of heap");
  fill((int8_t*)w, wbytes);
  fill(x, (uint32_t)K);
  for (int32_t m = 0; m < M; ++m) bias[m] = (int32_t)rnd8() * 100;
  int32_t mult = 1518500250, shift = 40;
  zkml_requant_params rq = {&mult, &shift, 0, -3, -128, 127, 0};
  char shape[32];
  snprintf(shape, sizeof shape, "%ldx%ld", (long)K, (long)M);
  for (int t = 0; t < 2; ++t) {
    uint64_t c0 = zkvm_cycle_count();
    kTables[t]->dense(x, K, w, bias, M, &rq, scratch, y);
    uint64_t c1 = zkvm_cycle_count();
    report("dense", shape, t, (uint64_t)K * (uint64_t)M, c1 - c0);
  }
  free(w); free(x); free(y); free(scratch); free(bias);
}

/* Conv, or with pool = 1 Conv then a 2x2 / 2 MaxPool over its output (plain:
 * the two kernels; dot4: the fused conv_maxpool); pool = 2: the dot4 pair
 * only, with phase weights registered. The weights are packed as
 * the quantiser packs them (padding columns 0x80). */
static void bench_conv(int32_t C, int32_t H, int32_t M, int32_t k, int32_t pad, int pool) {
  zkml_conv_shape s = {C, H, H, M, H + 2 * pad - k + 1, H + 2 * pad - k + 1, k, k, 1, 1, pad, pad, -128, 1, 1, 1};
  zkml_pool_shape ps = {M, s.OH, s.OW, s.OH / 2, s.OW / 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1};
  int32_t K = C * k * k;
  uint32_t wbytes = (uint32_t)zkml_weight_bytes(M, K);
  uint8_t* w = malloc(wbytes);
  int8_t* W = malloc((size_t)(M * K));
  int8_t* x = malloc((size_t)(C * H * H));
  int8_t* y = malloc((size_t)(M * s.OH * s.OW));
  int8_t* yp = malloc((size_t)(M * ps.OH * ps.OW));
  int8_t* patch = malloc(zkml_conv_scratch_bytes(&s));
  int32_t* mult = malloc(sizeof(int32_t) * (size_t)M);
  int32_t* shift = malloc(sizeof(int32_t) * (size_t)M);
  int32_t* bias = malloc(sizeof(int32_t) * (size_t)M);
  if (!w || !W || !x || !y || !yp || !patch || !mult || !shift || !bias) zkvm_panic("bench: out of heap");
  fill(W, (uint32_t)(M * K));
  zkml_pack_weights(W, M, K, w);
  fill(x, (uint32_t)(C * H * H));
  for (int32_t m = 0; m < M; ++m) {
    bias[m] = (int32_t)rnd8() * 100;
    mult[m] = 1518500250 + m;
    shift[m] = 40;
  }
  zkml_requant_params rq = {mult, shift, 1, -128, -128, 127, 0};
  char shape[40];
  snprintf(shape, sizeof shape, "%ldx%ldx%ld->%ld k%ld p%ld", (long)C, (long)H, (long)H, (long)M, (long)k, (long)pad);
  uint8_t* pw = NULL;
  if (pool == 2) {
    pw = malloc(zkml_conv_phase_bytes(&s));
    if (!pw) zkvm_panic("bench: out of heap");
    zkml_conv_phase_pack(&s, w, pw);
    zkml_register_phase_weights(w, pw, zkml_conv_phase_bytes(&s));
  }
  for (int t = pool == 2 ? 1 : 0; t < 2; ++t) {
    uint64_t c0 = zkvm_cycle_count();
    if (!pool) kTables[t]->conv(x, &s, w, bias, &rq, patch, y);
    else if (kTables[t]->conv_maxpool) kTables[t]->conv_maxpool(x, &s, w, bias, &rq, &ps, patch, y, yp);
    else {
      kTables[t]->conv(x, &s, w, bias, &rq, patch, y);
      zkml_maxpool_s8(y, &ps, yp);
    }
    uint64_t c1 = zkvm_cycle_count();
    report(pool == 2 ? "conv+pw" : (pool ? "conv+p" : "conv"), shape, t,
           (uint64_t)M * (uint64_t)s.OH * (uint64_t)s.OW * (uint64_t)K, c1 - c0);
  }
  zkml_clear_phase_weights();
  free(pw);
  free(w); free(W); free(x); free(y); free(yp); free(patch); free(mult); free(shift); free(bias);
}

int main(void) {
  bench_dense(784, 128);
  bench_dense(128, 64);
  bench_dense(64, 10);
  bench_dense(256, 256);
  bench_conv(1, 28, 6, 5, 0, 0);   /* LeNet conv1 */
  bench_conv(6, 12, 16, 5, 0, 0);  /* LeNet conv2 */
  bench_conv(16, 16, 32, 3, 1, 0);
  bench_conv(1, 28, 6, 5, 0, 1);   /* LeNet conv1 + pool1 */
  bench_conv(6, 12, 16, 5, 0, 1);  /* LeNet conv2 + pool2 */
  bench_conv(1, 28, 6, 5, 0, 2);   /* the same pairs with phase weights */
  bench_conv(6, 12, 16, 5, 0, 2);
  bench_conv(16, 16, 32, 3, 1, 1);
  bench_conv(16, 16, 32, 3, 1, 2);
  return 0;
}
