/* SHA-256 known answers (FIPS 180-2 appendix B: "abc", the 448-bit message,
 * one million 'a'; the empty string from FIPS 180-4 examples), one-shot and
 * streamed in uneven pieces. Exits 0 only if all match; commits the digests. */
#include <stdio.h>
#include <string.h>

#include <zkvm/guest.h>
#include <zkvm/sha256.h>

static int hex_eq(const uint8_t d[32], const char *hex) {
  char s[65];
  for (int i = 0; i < 32; i++) snprintf(s + 2 * i, 3, "%02x", d[i]);
  return strcmp(s, hex) == 0;
}

static int failures = 0;
static void check(const char *name, const uint8_t d[32], const char *want) {
  int ok = hex_eq(d, want);
  printf("%s: %s\n", name, ok ? "ok" : "MISMATCH");
  if (!ok) failures++;
  zkvm_commit(d, 32);
}

int main(void) {
  static const char *abc = "abc";
  static const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  static const char *h_abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  static const char *h_empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  static const char *h_448 = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  static const char *h_1m = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  uint8_t d[32];

  zkvm_sha256(abc, 3, d);
  check("abc", d, h_abc);
  zkvm_sha256("", 0, d);
  check("empty", d, h_empty);
  zkvm_sha256(m448, strlen(m448), d);
  check("448-bit", d, h_448);

  /* The 448-bit message streamed one byte at a time (buffer edge cases). */
  zkvm_sha256_ctx ctx;
  zkvm_sha256_init(&ctx);
  for (size_t i = 0; i < strlen(m448); i++) zkvm_sha256_update(&ctx, m448 + i, 1);
  zkvm_sha256_final(&ctx, d);
  check("448-bit bytewise", d, h_448);

  /* One million 'a' in pieces of 1, 63, 64, 65, 1000, ... bytes. */
  static uint8_t as[4096];
  memset(as, 'a', sizeof as);
  static const size_t pieces[] = {1, 63, 64, 65, 1000, 4096, 55, 56, 57};
  zkvm_sha256_init(&ctx);
  size_t left = 1000000;
  for (int i = 0; left > 0; i = (i + 1) % 9) {
    size_t k = pieces[i] < left ? pieces[i] : left;
    zkvm_sha256_update(&ctx, as, k);
    left -= k;
  }
  zkvm_sha256_final(&ctx, d);
  check("million a", d, h_1m);

  return failures ? 1 : 0;
}
