/* The SDK's word-at-a-time memcpy (guest-sdk/runtime/memcpy.c) against a
 * byte loop: every source and destination offset 0..7 (same and different
 * alignments) and length 0..80, the bytes around the destination untouched.
 * Exits 0 if all match. */
#include <stdio.h>
#include <string.h>

#include <zkvm/guest.h>

static unsigned char src[128], dst[128];

int main(void) {
  int bad = 0;
  for (int i = 0; i < 128; ++i) ((volatile unsigned char *)src)[i] = (unsigned char)(i * 13 + 0x85);
  for (int so = 0; so < 8; ++so)
    for (int doff = 0; doff < 8; ++doff)
      for (int len = 0; len <= 80; ++len) {
        for (int i = 0; i < 128; ++i) ((volatile unsigned char *)dst)[i] = (unsigned char)(i * 7 + 1);
        void *r = memcpy(dst + doff, src + so, (size_t)len);
        if (r != dst + doff) ++bad;
        for (int i = 0; i < 128; ++i) {
          const unsigned char want =
              i >= doff && i < doff + len ? src[so + i - doff] : (unsigned char)(i * 7 + 1);
          if (((volatile unsigned char *)dst)[i] != want) ++bad;
        }
      }
  printf("memcpy: %s\n", bad ? "MISMATCH" : "ok");
  return bad != 0;
}
