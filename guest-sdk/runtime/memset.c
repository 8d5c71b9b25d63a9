/* memset for guests, a word at a time: picolibc's is a byte loop (4 cycles
 * per byte on RV32IM); this one stores 16 bytes per 6 instructions once the
 * pointer is aligned. It links ahead of picolibc's (the SDK runtime archive
 * comes first). malloc's fresh blocks, zkml's arena and calloc all go
 * through it. */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t __attribute__((may_alias)) word_t;

__attribute__((no_builtin("memset"))) void *memset(void *s, int c, size_t n) {
  unsigned char *p = (unsigned char *)s;
  const unsigned char b = (unsigned char)c;
  while (n && ((uintptr_t)p & 3)) {
    *p++ = b;
    --n;
  }
  const uint32_t w = b * 0x01010101u;
  word_t *q = (word_t *)p;
  for (; n >= 16; n -= 16, q += 4) q[0] = w, q[1] = w, q[2] = w, q[3] = w;
  for (; n >= 4; n -= 4) *q++ = w;
  p = (unsigned char *)q;
  while (n--) *p++ = b;
  return s;
}
