/* Tight integer loop (xorshift + add): the executor's best case, no memory
 * traffic. input: u32 iteration count. journal: u32 result. */
#include <zkvm/guest.h>

int main(void) {
  const uint32_t n = zkvm_read_u32();
  uint32_t x = 2463534242u, acc = 0;
  for (uint32_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    acc += x ^ i;
  }
  zkvm_commit_u32(acc);
  return 0;
}
