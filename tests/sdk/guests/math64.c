/* 64-bit arithmetic (libgcc's __divdi3, __udivdi3, __moddi3, __umoddi3,
 * shifts and multiplies) and the M extension's edge cases on 32-bit values.
 * Results go to the journal and stdout. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <zkvm/guest.h>

/* volatile keeps the compiler from folding the operations at compile time. */
static volatile int64_t s64[] = {0, 1, -1, 7, -7, INT64_MAX, INT64_MIN, 1000000007LL,
                                 -123456789012345LL, 0x100000000LL, 3};
static volatile int32_t s32[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, 12345, -98765};

int main(void) {
  const int n64 = sizeof s64 / sizeof s64[0];
  uint64_t acc = 0;
  for (int i = 0; i < n64; i++) {
    for (int j = 0; j < n64; j++) {
      int64_t a = s64[i], b = s64[j];
      uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
      uint64_t mul = ua * ub;
      uint64_t udiv = ub ? ua / ub : 0, umod = ub ? ua % ub : 0;
      /* INT64_MIN / -1 overflows in C: skip it (UB), keep the rest. */
      int ok = b != 0 && !(a == INT64_MIN && b == -1);
      int64_t sdiv = ok ? a / b : 0, smod = ok ? a % b : 0;
      uint64_t shl = ua << (ub & 63), shr = ua >> (ub & 63);
      int64_t sar = a >> (ub & 63);
      zkvm_commit_u64(mul);
      zkvm_commit_u64(udiv);
      zkvm_commit_u64(umod);
      zkvm_commit_i64(sdiv);
      zkvm_commit_i64(smod);
      acc = acc * 31 + (mul ^ udiv ^ umod ^ (uint64_t)sdiv ^ (uint64_t)smod ^ shl ^ shr ^ (uint64_t)sar);
    }
  }
  printf("64-bit checksum %016" PRIx64 "\n", acc);

  /* 32-bit division edge cases: the RISC-V results (no trap) by inline asm,
   * since C leaves them undefined. */
  const int n32 = sizeof s32 / sizeof s32[0];
  for (int i = 0; i < n32; i++) {
    for (int j = 0; j < n32; j++) {
      int32_t a = s32[i], b = s32[j], q, r;
      uint32_t uq, ur, hi, hu, hsu;
      __asm__("div %0, %1, %2" : "=r"(q) : "r"(a), "r"(b));
      __asm__("rem %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
      __asm__("divu %0, %1, %2" : "=r"(uq) : "r"(a), "r"(b));
      __asm__("remu %0, %1, %2" : "=r"(ur) : "r"(a), "r"(b));
      __asm__("mulh %0, %1, %2" : "=r"(hi) : "r"(a), "r"(b));
      __asm__("mulhu %0, %1, %2" : "=r"(hu) : "r"(a), "r"(b));
      __asm__("mulhsu %0, %1, %2" : "=r"(hsu) : "r"(a), "r"(b));
      zkvm_commit_i32(q);
      zkvm_commit_i32(r);
      zkvm_commit_u32(uq);
      zkvm_commit_u32(ur);
      zkvm_commit_u32(hi);
      zkvm_commit_u32(hu);
      zkvm_commit_u32(hsu);
      if (b == 0 && (uq != UINT32_MAX || q != -1 || r != a || ur != (uint32_t)a))
        ZKVM_PANIC("division by zero: %ld / 0 gave q=%ld r=%ld", (long)a, (long)q, (long)r);
      if (a == INT32_MIN && b == -1 && (q != INT32_MIN || r != 0))
        ZKVM_PANIC("INT_MIN / -1 gave q=%ld r=%ld", (long)q, (long)r);
    }
  }
  printf("32-bit M-extension edge cases checked\n");
  return 0;
}
