/* SHA-256 (FIPS 180-4) for guests: streaming and one-shot. Each 64-byte
 * block is one sha256_compress accelerator call (docs/GUEST_ABI.md), so a
 * block costs the call plus the buffering around it, about 1 cycle per byte
 * (software SHA-256 on RV32IM: about 67 cycles per byte). Under
 * qemu-riscv32, which lacks the call, it falls back to software. */
#ifndef ZKVM_SHA256_H
#define ZKVM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZKVM_SHA256_DIGEST_LEN 32
#define ZKVM_SHA256_BLOCK_LEN 64

typedef struct zkvm_sha256_ctx {
  uint32_t h[8];
  uint64_t total_len; /* bytes absorbed so far */
  uint8_t buf[ZKVM_SHA256_BLOCK_LEN];
  size_t buf_len;
} zkvm_sha256_ctx;

void zkvm_sha256_init(zkvm_sha256_ctx *ctx);
void zkvm_sha256_update(zkvm_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the 32-byte digest; the context must be re-initialised to reuse it. */
void zkvm_sha256_final(zkvm_sha256_ctx *ctx, uint8_t out[ZKVM_SHA256_DIGEST_LEN]);
/* One-shot: out = SHA-256(data[0..len)). */
void zkvm_sha256(const void *data, size_t len, uint8_t out[ZKVM_SHA256_DIGEST_LEN]);

#ifdef __cplusplus
}
#endif

#endif /* ZKVM_SHA256_H */
