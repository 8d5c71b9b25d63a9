/* Private input and journal: typed reads, a length-prefixed vector, getchar
 * mixed with zkvm_read (they share one input buffer), and reads at the end.
 * Input (little-endian): u32, i32, u64, i64, vec (u32 n + n bytes), then any
 * tail bytes, which are echoed to the journal. */
#include <stdio.h>
#include <stdlib.h>

#include <zkvm/guest.h>

int main(void) {
  uint32_t a = zkvm_read_u32();
  int32_t b = zkvm_read_i32();
  uint64_t c = zkvm_read_u64();
  int64_t d = zkvm_read_i64();
  size_t n;
  uint8_t *vec = zkvm_read_vec(&n);
  printf("u32 %lu i32 %ld u64 %llu i64 %lld vec[%zu]\n", (unsigned long)a, (long)b,
         (unsigned long long)c, (long long)d, n);
  zkvm_commit_u32(a);
  zkvm_commit_i32(b);
  zkvm_commit_u64(c);
  zkvm_commit_i64(d);
  zkvm_commit_vec(vec, n);
  free(vec);

  /* The tail: first byte through stdio, the rest through zkvm_read in odd
   * chunk sizes (exercises the shared buffer and large direct reads). */
  int ch = getchar();
  size_t tail = 0;
  if (ch != EOF) {
    unsigned char c0 = (unsigned char)ch;
    zkvm_commit(&c0, 1);
    tail = 1;
    static unsigned char chunk[1000];
    size_t sizes[] = {1, 7, 300, 1000, 13};
    for (int i = 0;; i = (i + 1) % 5) {
      size_t got = zkvm_read(chunk, sizes[i]);
      zkvm_commit(chunk, got);
      tail += got;
      if (got < sizes[i]) break;
    }
  }
  /* At the end of input every read returns 0, again and again. */
  unsigned char extra[4];
  ZKVM_ASSERT(zkvm_read(extra, sizeof extra) == 0);
  ZKVM_ASSERT(zkvm_read(extra, sizeof extra) == 0);
  ZKVM_ASSERT(getchar() == EOF);
  printf("tail %zu bytes\n", tail);
  return 0;
}
