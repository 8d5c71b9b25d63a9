/* zkvm_dot4 (syscall.h) under `zkvm run` only (qemu-riscv32 does not know
 * the call). Input: u32 count, then per case u32 K, K bytes of x and 4K bytes
 * of w. Journal: per case the four results (i32 LE). The host test computes
 * them with the emulator's reference (vm/accel.h). The buffers are copied to
 * 4-byte aligned heap blocks, as the call requires. */
#include <stdint.h>
#include <stdlib.h>

#include <zkvm/guest.h>
#include <zkvm/syscall.h>

int main(void) {
  uint32_t n = zkvm_read_u32();
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t k = zkvm_read_u32();
    uint8_t* x = malloc(k + 4);
    uint8_t* w = malloc(4 * (size_t)k + 4);
    if (x == NULL || w == NULL) zkvm_panic("dot4: no heap for K = %u", (unsigned)k);
    zkvm_read_exact(x, k);
    zkvm_read_exact(w, 4 * (size_t)k);
    int32_t out[4] = {1, 2, 3, 4};
    zkvm_dot4(x, w, k, out);
    for (int j = 0; j < 4; ++j) zkvm_commit_i32(out[j]);
    free(x);
    free(w);
  }
  return 0;
}
