/* SHA-256 per FIPS 180-4 section 6.2. In the zkvm each 64-byte block is one
 * sha256_compress call (proven by its own tables); the software compression
 * below (32-bit words, a 16-word rolling message schedule, the round loop
 * unrolled by 8 so the working variables stay in registers) is the fallback
 * where the call is missing (qemu-riscv32) and the host build. */
#include "zkvm/sha256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) (((x) & ((y) ^ (z))) ^ (z))

static inline uint32_t load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* One round with the variables renamed instead of shifted (FIPS 180-4 6.2.2
 * step 3): d += T1, h = T1 + T2. Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)), and
 * this round's b ^ c is the previous round's a ^ b (kept in bc): 3 ops, not 4. */
#define ROUND(a, b, c, d, e, f, g, h, k, w)                 \
  do {                                                      \
    uint32_t t1 = (h) + BSIG1(e) + CH(e, f, g) + (k) + (w); \
    uint32_t ab = (a) ^ (b);                                \
    (d) += t1;                                              \
    (h) = t1 + BSIG0(a) + ((b) ^ (ab & bc));                \
    bc = ab;                                                \
  } while (0)

/* W[t] for t >= 16 in a 16-word ring: W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. */
#define SCHED(i) \
  (w[(i) & 15] += SSIG1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + SSIG0(w[((i) - 15) & 15]))

static void compress(uint32_t st[8], const uint8_t *blocks, size_t nblocks) {
  uint32_t w[16];
  while (nblocks--) {
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
    uint32_t bc = b ^ c;
    for (int i = 0; i < 16; i++) w[i] = load_be32(blocks + 4 * i);
    /* Fully unrolled: every w[] index and K[] entry becomes a constant. */
#pragma GCC unroll 8
    for (int i = 0; i < 64; i += 8) {
      if (i >= 16) {
        for (int j = i; j < i + 8; j++) SCHED(j);
      }
      ROUND(a, b, c, d, e, f, g, h, K[i + 0], w[(i + 0) & 15]);
      ROUND(h, a, b, c, d, e, f, g, K[i + 1], w[(i + 1) & 15]);
      ROUND(g, h, a, b, c, d, e, f, K[i + 2], w[(i + 2) & 15]);
      ROUND(f, g, h, a, b, c, d, e, K[i + 3], w[(i + 3) & 15]);
      ROUND(e, f, g, h, a, b, c, d, K[i + 4], w[(i + 4) & 15]);
      ROUND(d, e, f, g, h, a, b, c, K[i + 5], w[(i + 5) & 15]);
      ROUND(c, d, e, f, g, h, a, b, K[i + 6], w[(i + 6) & 15]);
      ROUND(b, c, d, e, f, g, h, a, K[i + 7], w[(i + 7) & 15]);
    }
    st[0] += a; st[1] += b; st[2] += c; st[3] += d;
    st[4] += e; st[5] += f; st[6] += g; st[7] += h;
    blocks += ZKVM_SHA256_BLOCK_LEN;
  }
}

#if defined(__riscv)
#include "zkvm/syscall.h"

/* Blocks through the sha256_compress call (one cycle each; an unaligned
 * block is copied first), falling back to software for good once the call
 * is missing (qemu-riscv32). */
static void compress_blocks(uint32_t st[8], const uint8_t *blocks, size_t nblocks) {
  static int no_call;
  uint32_t aligned[ZKVM_SHA256_BLOCK_LEN / 4];
  while (nblocks && !no_call) {
    const uint8_t *b = blocks;
    if ((uintptr_t)b & 3) {
      memcpy(aligned, b, ZKVM_SHA256_BLOCK_LEN);
      b = (const uint8_t *)aligned;
    }
    if (!zkvm_sha256_compress(st, b)) {
      no_call = 1;  /* the state is untouched: this block goes to software too */
      break;
    }
    --nblocks;
    blocks += ZKVM_SHA256_BLOCK_LEN;
  }
  if (nblocks) compress(st, blocks, nblocks);
}
#else
#define compress_blocks compress
#endif

void zkvm_sha256_init(zkvm_sha256_ctx *ctx) {
  /* FIPS 180-4 5.3.3 initial hash value. */
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(ctx->h, iv, sizeof iv);
  ctx->total_len = 0;
  ctx->buf_len = 0;
}

void zkvm_sha256_update(zkvm_sha256_ctx *ctx, const void *data, size_t len) {
  const uint8_t *p = (const uint8_t *)data;
  ctx->total_len += len;
  if (ctx->buf_len) {
    size_t k = ZKVM_SHA256_BLOCK_LEN - ctx->buf_len;
    if (k > len) k = len;
    memcpy(ctx->buf + ctx->buf_len, p, k);
    ctx->buf_len += k;
    p += k;
    len -= k;
    if (ctx->buf_len < ZKVM_SHA256_BLOCK_LEN) return;
    compress_blocks(ctx->h, ctx->buf, 1);
    ctx->buf_len = 0;
  }
  size_t nblocks = len / ZKVM_SHA256_BLOCK_LEN;
  if (nblocks) {
    compress_blocks(ctx->h, p, nblocks);
    p += nblocks * ZKVM_SHA256_BLOCK_LEN;
    len -= nblocks * ZKVM_SHA256_BLOCK_LEN;
  }
  memcpy(ctx->buf, p, len);
  ctx->buf_len = len;
}

void zkvm_sha256_final(zkvm_sha256_ctx *ctx, uint8_t out[ZKVM_SHA256_DIGEST_LEN]) {
  /* FIPS 180-4 5.1.1: append 0x80, zeros to 56 mod 64, then the bit length. */
  uint64_t bits = ctx->total_len * 8;
  size_t n = ctx->buf_len;
  ctx->buf[n++] = 0x80;
  if (n > 56) {
    memset(ctx->buf + n, 0, ZKVM_SHA256_BLOCK_LEN - n);
    compress_blocks(ctx->h, ctx->buf, 1);
    n = 0;
  }
  memset(ctx->buf + n, 0, 56 - n);
  store_be32(ctx->buf + 56, (uint32_t)(bits >> 32));
  store_be32(ctx->buf + 60, (uint32_t)bits);
  compress_blocks(ctx->h, ctx->buf, 1);
  for (int i = 0; i < 8; i++) store_be32(out + 4 * i, ctx->h[i]);
}

void zkvm_sha256(const void *data, size_t len, uint8_t out[ZKVM_SHA256_DIGEST_LEN]) {
  zkvm_sha256_ctx ctx;
  zkvm_sha256_init(&ctx);
  zkvm_sha256_update(&ctx, data, len);
  zkvm_sha256_final(&ctx, out);
}
