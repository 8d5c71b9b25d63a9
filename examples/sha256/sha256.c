/* sha256: streams the whole private input through SHA-256 and commits the
 * 32-byte digest to the journal: a receipt proves "the private input hashes
 * to this digest" without revealing the input.
 *
 *   input:   any bytes
 *   journal: the 32-byte SHA-256 digest */
#include <stdio.h>

#include <zkvm/guest.h>
#include <zkvm/sha256.h>

int main(void) {
  static uint8_t chunk[4096]; /* in .bss: keeps the stack small */
  zkvm_sha256_ctx ctx;
  zkvm_sha256_init(&ctx);
  size_t n, total = 0;
  while ((n = zkvm_read(chunk, sizeof chunk)) > 0) {
    zkvm_sha256_update(&ctx, chunk, n);
    total += n;
  }
  uint8_t digest[ZKVM_SHA256_DIGEST_LEN];
  zkvm_sha256_final(&ctx, digest);
  zkvm_commit(digest, sizeof digest);

  printf("sha256 of %zu input bytes: ", total);
  for (int i = 0; i < ZKVM_SHA256_DIGEST_LEN; i++) printf("%02x", digest[i]);
  printf("\n");
  return 0;
}
