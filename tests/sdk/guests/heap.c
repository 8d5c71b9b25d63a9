/* malloc/free/realloc/calloc patterns over the SDK's sbrk heap, with every
 * block's contents checked before it is freed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zkvm/guest.h>

static uint32_t rng = 12345;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

#define SLOTS 64

int main(void) {
  unsigned char *blk[SLOTS] = {0};
  size_t len[SLOTS] = {0};
  uint8_t tag[SLOTS] = {0};
  uint32_t checksum = 0;
  for (int step = 0; step < 3000; step++) {
    int s = (int)(next() % SLOTS);
    if (blk[s]) {
      for (size_t i = 0; i < len[s]; i++)
        if (blk[s][i] != (uint8_t)(tag[s] + i)) ZKVM_PANIC("slot %d corrupted at byte %zu", s, i);
      checksum = checksum * 33 + (uint32_t)len[s];
      if (next() % 4 == 0) { /* grow or shrink in place of free */
        size_t nl = next() % 2048 + 1;
        unsigned char *p = (unsigned char *)realloc(blk[s], nl);
        ZKVM_ASSERT(p != NULL);
        size_t keep = nl < len[s] ? nl : len[s];
        for (size_t i = 0; i < keep; i++) ZKVM_ASSERT(p[i] == (uint8_t)(tag[s] + i));
        for (size_t i = 0; i < nl; i++) p[i] = (uint8_t)(tag[s] + i);
        blk[s] = p;
        len[s] = nl;
        continue;
      }
      free(blk[s]);
      blk[s] = NULL;
    } else {
      size_t n = (next() % 8 == 0) ? next() % 65536 + 1 : next() % 256 + 1;
      unsigned char *p = (next() % 2) ? (unsigned char *)malloc(n) : (unsigned char *)calloc(n, 1);
      ZKVM_ASSERT(p != NULL);
      ZKVM_ASSERT(((uintptr_t)p & 7) == 0); /* malloc alignment */
      tag[s] = (uint8_t)next();
      for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(tag[s] + i);
      blk[s] = p;
      len[s] = n;
    }
  }
  for (int s = 0; s < SLOTS; s++) free(blk[s]);

  /* A request larger than the heap fails cleanly (C semantics: NULL). */
  /* volatile: otherwise the compiler may elide the unused allocation and
   * fold the NULL test to false (allowed by the as-if rule). */
  void *volatile huge = malloc(zkvm_heap_capacity() + 1);
  printf("heap checksum %08lx, oversized malloc returned %s\n", (unsigned long)checksum,
         huge ? "a pointer" : "NULL");
  zkvm_commit_u32(checksum);
  zkvm_commit_u32(huge == NULL);
  return huge == NULL ? 0 : 1;
}
