/* System call numbers and raw wrappers of the zkvm guest ABI v1
 * (docs/GUEST_ABI.md "System calls"). The numbers below 0x1000 are Linux's
 * RISC-V numbers, so a guest that uses only these also runs under
 * qemu-riscv32. Most guests use zkvm/guest.h instead of these. */
#ifndef ZKVM_SYSCALL_H
#define ZKVM_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#define ZKVM_SYS_READ 63          /* a0 = fd (0 only), a1 = buf, a2 = len -> count, 0 at end */
#define ZKVM_SYS_WRITE 64         /* a0 = fd (1, 2, 3), a1 = buf, a2 = len -> len */
#define ZKVM_SYS_EXIT 93          /* a0 = exit code (low 8 bits); does not return */
#define ZKVM_SYS_CYCLE_COUNT 0x1000 /* -> a0 = low 32 bits, a1 = high 32 bits */
#define ZKVM_SYS_DOT4 0x1001        /* a0 = x, a1 = w, a2 = K -> a0..a3 = four int8 dot products */
#define ZKVM_DOT4_MAX_K 32764u      /* largest K the dot4 call takes (a multiple of 4 below 2^15) */
#define ZKVM_SYS_DOT4_ROM 0x1003    /* zkvm_dot4 with w read from the ELF's loaded image */
#define ZKVM_SYS_SHA256 0x1002      /* a0 = state (8 words), a1 = 64-byte block -> state := compress(state, block) */
#define ZKVM_SYS_DENSE4_ROM 0x1004  /* a0..a5 = x (then Q), w, K, bias, mult, shift -> a0 = four int8 outputs */
#define ZKVM_DENSE4_MIN_SHIFT 35u   /* the shifts dense4_rom takes: 35 <= shift <= 63 (3 <= s2 <= 31) */
#define ZKVM_DENSE4_MAX_SHIFT 63u

#define ZKVM_FD_INPUT 0   /* private input */
#define ZKVM_FD_STDOUT 1  /* host-visible log, not proven */
#define ZKVM_FD_STDERR 2  /* host-visible log, not proven */
#define ZKVM_FD_JOURNAL 3 /* public output, committed to by the receipt */

#ifdef __cplusplus
extern "C" {
#endif

static inline long zkvm_syscall3(long n, long a0, long a1, long a2) {
  register long r_a0 __asm__("a0") = a0;
  register long r_a1 __asm__("a1") = a1;
  register long r_a2 __asm__("a2") = a2;
  register long r_a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
  return r_a0;
}

/* read(0, buf, len): one host call; may return fewer than len bytes. */
static inline long zkvm_sys_read(int fd, void *buf, size_t len) {
  return zkvm_syscall3(ZKVM_SYS_READ, fd, (long)(uintptr_t)buf, (long)len);
}

/* write(fd, buf, len) for fd 1, 2 or 3. */
static inline long zkvm_sys_write(int fd, const void *buf, size_t len) {
  return zkvm_syscall3(ZKVM_SYS_WRITE, fd, (long)(uintptr_t)buf, (long)len);
}

/* exit(code) without flushing stdio: use zkvm_exit() unless you know why. */
__attribute__((noreturn)) static inline void zkvm_sys_exit(int code) {
  register long r_a0 __asm__("a0") = code;
  register long r_a7 __asm__("a7") = ZKVM_SYS_EXIT;
  __asm__ volatile("ecall" : : "r"(r_a0), "r"(r_a7) : "memory");
  __builtin_unreachable();
}

/* The cycle_count call (0x1000). a1 is preset to all ones so that a host
 * without the call (qemu-riscv32 returns -ENOSYS in a0 and leaves a1) is told
 * apart from a real count: *ok is set to 0 then. */
static inline uint64_t zkvm_sys_cycle_count(int *ok) {
  register long r_a0 __asm__("a0") = 0;
  register long r_a1 __asm__("a1") = -1;
  register long r_a7 __asm__("a7") = ZKVM_SYS_CYCLE_COUNT;
  __asm__ volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a7) : "memory");
  uint32_t lo = (uint32_t)r_a0, hi = (uint32_t)r_a1;
  /* -ENOSYS is -38. A real count of 2^64 - 38 cycles cannot happen. */
  *ok = !(lo == (uint32_t)-38 && hi == 0xffffffffu);
  return ((uint64_t)hi << 32) | lo;
}

/* The dot4 accelerator call (0x1001; docs/GUEST_ABI.md): four dot products
 * of length k over biased bytes (byte b stands for the int8 value b - 128,
 * i.e. v is stored as v ^ 0x80), for one cycle:
 *   out[j] = sum_{i<k} (x[i] - 128) * (w[16 (i/4) + 4 j + i%4] - 128)
 * w holds k/4 groups of 16 bytes, each rows 0..3 of four columns as four
 * 4-byte words. x and w must be 4-byte aligned and k a multiple of 4 up to
 * ZKVM_DOT4_MAX_K; [x, x+k) and [w, w+4k) must be guest memory: otherwise
 * the emulator stops the guest with a fault. |out[j]| < 2^29. Only the zkvm
 * emulator and prover know this call (qemu-riscv32 does not). */
/* dot4 and dot4_rom differ only in the call number. */
static inline void zkvm__dot4_call(long number, const uint8_t *x, const uint8_t *w, uint32_t k, int32_t out[4]) {
  register long r_a0 __asm__("a0") = (long)(uintptr_t)x;
  register long r_a1 __asm__("a1") = (long)(uintptr_t)w;
  register long r_a2 __asm__("a2") = (long)k;
  register long r_a3 __asm__("a3");
  register long r_a7 __asm__("a7") = number;
  __asm__ volatile("ecall" : "+r"(r_a0), "+r"(r_a1), "+r"(r_a2), "=r"(r_a3) : "r"(r_a7) : "memory");
  out[0] = (int32_t)r_a0;
  out[1] = (int32_t)r_a1;
  out[2] = (int32_t)r_a2;
  out[3] = (int32_t)r_a3;
}
static inline void zkvm_dot4(const uint8_t *x, const uint8_t *w, uint32_t k, int32_t out[4]) {
  zkvm__dot4_call(ZKVM_SYS_DOT4, x, w, k, out);
}

/* dot4_rom (0x1003; docs/GUEST_ABI.md): zkvm_dot4 with the weights read from
 * the ELF's loaded image (the bytes the ELF put at w, whatever was stored
 * there since; every word of [w, w+4k) must be loaded by the ELF, else a
 * fault). For weights in read-only data (a model compiled into the guest):
 * the prover then reads them from its image table instead of the memory
 * argument, about a third of the proving cost per multiply-add. */
static inline void zkvm_dot4_rom(const uint8_t *x, const uint8_t *w, uint32_t k, int32_t out[4]) {
  zkvm__dot4_call(ZKVM_SYS_DOT4_ROM, x, w, k, out);
}

/* dense4_rom (0x1004; docs/GUEST_ABI.md): four outputs of a Dense layer
 * compiled into the guest (weights, biases, multipliers and shifts in
 * read-only data), for one cycle. With sum_j the four sums of products of
 * (x, w, k) as dot4_rom forms them (x's bytes int8 when sx = 1) and, for
 * output j, m_j = mult[j * pc], sh_j = shift[j * pc]:
 *   a   = (int32)(sum_j + bias[j])                 (wrapping add)
 *   top = (int32)(((int64)a * m_j) >> 32)           (MULH)
 *   s2  = sh_j - 32
 *   v   = (int32)(top + (1 << (s2 - 1))) >> s2      (wrapping add, SRA)
 *   out = clamp(v + zp, lo, hi)
 * and returns the four int8 outputs as one word, out j in byte j (as the
 * bytes of an int8_t[4] in memory).
 * x holds k input bytes FOLLOWED by the output word
 * Q = zp | lo << 8 | hi << 16 | (pc + 2 sx) << 24 at x + k (zp, lo, hi
 * int8 bytes; zkvm_dense4_q(zp, lo, hi, per_channel, signed_x) builds it,
 * pc = per_channel != 0, sx = signed_x != 0), read from memory (store it
 * there before the call; it is no image word). sx = 0: the x bytes are
 * biased (each the int8 value + 128, as dot4's); sx = 1: they are the
 * int8 values as they are, so an int8 tensor is read in place.
 * pc = 1 (per channel): mult and shift hold four words, output j's at [j];
 * pc = 0 (per tensor): only mult[0] and shift[0] are read, for all four.
 * x, w, bias, mult and shift must be 4-byte aligned, k a nonzero multiple
 * of 4 up to ZKVM_DOT4_MAX_K, Q's lo <= hi (and Q3 = pc + 2 sx at most 3),
 * and every shift read in [ZKVM_DENSE4_MIN_SHIFT, ZKVM_DENSE4_MAX_SHIFT]; [x, x+k+4)
 * must be guest memory, and every word of [w, w+4k), of bias[0..4) and of
 * the mult and shift words read must be loaded by the ELF (read-only data;
 * a store over them is not seen): otherwise the emulator stops the guest
 * with a fault. Only a0 is written (a1..a5 keep the arguments). Under
 * qemu-riscv32 the call returns -ENOSYS (0xffffffda) in a0, which is also a
 * possible output word, so it cannot be detected: a guest that must run
 * there uses the plain path (the SDK's kernels do for shifts outside
 * [35, 63] too). */
static inline uint32_t zkvm_dense4_q(int32_t zp, int32_t lo, int32_t hi, uint32_t per_channel, uint32_t signed_x) {
  return (uint32_t)(uint8_t)zp | (uint32_t)(uint8_t)lo << 8 | (uint32_t)(uint8_t)hi << 16 |
         ((uint32_t)(per_channel != 0) + 2u * (uint32_t)(signed_x != 0)) << 24;
}
static inline uint32_t zkvm_dense4_rom(const uint8_t *x, const uint8_t *w, uint32_t k, const int32_t *bias,
                                       const int32_t *mult, const int32_t *shift) {
  register long r_a0 __asm__("a0") = (long)(uintptr_t)x;
  register long r_a1 __asm__("a1") = (long)(uintptr_t)w;
  register long r_a2 __asm__("a2") = (long)k;
  register long r_a3 __asm__("a3") = (long)(uintptr_t)bias;
  register long r_a4 __asm__("a4") = (long)(uintptr_t)mult;
  register long r_a5 __asm__("a5") = (long)(uintptr_t)shift;
  register long r_a7 __asm__("a7") = ZKVM_SYS_DENSE4_ROM;
  __asm__ volatile("ecall"
                   : "+r"(r_a0)
                   : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                   : "memory");
  return (uint32_t)r_a0;
}

/* The sha256_compress accelerator call (0x1002; docs/GUEST_ABI.md): the
 * SHA-256 compression function (FIPS 180-4 6.2.2) of state[0..8) (native
 * words) with the 64 bytes at block, in place, for one cycle. Both must be
 * 4-byte aligned and in guest memory (else a fault). Returns 1; 0 where the
 * call does not exist (qemu-riscv32 returns -ENOSYS and leaves the state),
 * so a caller can fall back to software (zkvm_sha256 does). */
static inline int zkvm_sha256_compress(uint32_t state[8], const uint8_t *block) {
  register long r_a0 __asm__("a0") = (long)(uintptr_t)state;
  register long r_a1 __asm__("a1") = (long)(uintptr_t)block;
  register long r_a7 __asm__("a7") = ZKVM_SYS_SHA256;
  __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a7) : "memory");
  return r_a0 == (long)(uintptr_t)state;
}

#ifdef __cplusplus
}
#endif

#endif /* ZKVM_SYSCALL_H */
