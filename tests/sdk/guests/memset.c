/* The SDK's word-at-a-time memset (guest-sdk/runtime/memset.c) against a
 * byte loop: every start offset 0..7 and length 0..80, the bytes around the
 * range untouched, fill values with the top bit set. Exits 0 if all match. */
#include <stdio.h>
#include <string.h>

#include <zkvm/guest.h>

static unsigned char buf[128];

int main(void) {
  int bad = 0;
  for (int off = 0; off < 8; ++off)
    for (int len = 0; len <= 80; ++len) {
      for (int i = 0; i < 128; ++i) ((volatile unsigned char *)buf)[i] = (unsigned char)(i * 7 + 1);
      const int c = 0x180 + off * 17 + len;  /* only the low byte counts */
      void *r = memset(buf + off, c, (size_t)len);
      if (r != buf + off) ++bad;
      for (int i = 0; i < 128; ++i) {
        const unsigned char want = i >= off && i < off + len ? (unsigned char)c : (unsigned char)(i * 7 + 1);
        if (((volatile unsigned char *)buf)[i] != want) ++bad;
      }
    }
  printf("memset: %s\n", bad ? "MISMATCH" : "ok");
  return bad != 0;
}
