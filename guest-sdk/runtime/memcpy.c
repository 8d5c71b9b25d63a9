/* memcpy for guests, a word at a time when source and destination share
 * their alignment (the common case: buffers from malloc, arrays of words):
 * picolibc's is a byte loop (about 6 cycles per byte on RV32IM); this one
 * copies 16 bytes per 10 instructions once both pointers are aligned.
 * Mismatched alignments copy four bytes per loop step. It links ahead of picolibc's
 * (the SDK runtime archive comes first), like memset.c. */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t __attribute__((may_alias)) word_t;

__attribute__((no_builtin("memcpy"))) void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  unsigned char *d = (unsigned char *)dst;
  const unsigned char *s = (const unsigned char *)src;
  if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
    while (n && ((uintptr_t)d & 3)) {
      *d++ = *s++;
      --n;
    }
    word_t *q = (word_t *)d;
    const word_t *p = (const word_t *)s;
    for (; n >= 16; n -= 16, q += 4, p += 4) {
      const uint32_t a = p[0], b = p[1], c = p[2], e = p[3];
      q[0] = a, q[1] = b, q[2] = c, q[3] = e;
    }
    for (; n >= 4; n -= 4) *q++ = *p++;
    d = (unsigned char *)q;
    s = (const unsigned char *)p;
  }
  /* Mismatched alignment (or the tail): four bytes per loop step. */
  for (; n >= 4; n -= 4, d += 4, s += 4) {
    const unsigned char a = s[0], b = s[1], c = s[2], e = s[3];
    d[0] = a, d[1] = b, d[2] = c, d[3] = e;
  }
  while (n--) *d++ = *s++;
  return dst;
}
