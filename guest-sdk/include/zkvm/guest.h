/* zkvm guest SDK: the C API (usable from C++; see zkvm/guest.hpp for the C++
 * layer). Every call is documented with an example in docs/GUEST_SDK.md.
 *
 *   private input  zkvm_read, zkvm_read_exact, zkvm_read_u32/i32/u64/i64,
 *                  zkvm_read_vec         (host: --input FILE; qemu: stdin)
 *   journal        zkvm_commit, zkvm_commit_u32/i32/u64/i64, zkvm_commit_vec
 *                  (public output, fd 3; qemu: 3>journal.bin)
 *   log            printf/puts/fprintf(stderr, ...) (fd 1/2, not proven)
 *   control        zkvm_exit, zkvm_panic, ZKVM_PANIC, ZKVM_ASSERT
 *   heap           malloc/free, new/delete (C++): [__heap_start, __heap_end)
 *   cycles         zkvm_cycle_count
 *
 * Integers on the input and the journal are little-endian. */
#ifndef ZKVM_GUEST_H
#define ZKVM_GUEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit codes the SDK itself uses (low 8 bits of the exit ecall). */
#define ZKVM_EXIT_SUCCESS 0
#define ZKVM_EXIT_PANIC 101 /* zkvm_panic, ZKVM_PANIC, ZKVM_ASSERT, failed new */
#define ZKVM_EXIT_ABORT 134 /* abort(), assert() from <assert.h> (128 + SIGABRT) */

/* ---- private input ---- */

/* Reads up to len bytes of the private input into buf; returns the count,
 * which is less than len only at the end of the input (0 once it is
 * exhausted). */
size_t zkvm_read(void *buf, size_t len);

/* Reads exactly len bytes or panics ("input ended after K of N bytes"). */
void zkvm_read_exact(void *buf, size_t len);

/* Little-endian integers; panic if the input ends early. */
uint32_t zkvm_read_u32(void);
int32_t zkvm_read_i32(void);
uint64_t zkvm_read_u64(void);
int64_t zkvm_read_i64(void);

/* A length-prefixed byte vector: a u32 length n, then n bytes. Returns a
 * malloc'd buffer (free it with free(); never NULL, even for n = 0) and
 * stores n in *len_out. Panics if the input ends early or the heap cannot
 * hold n bytes. */
uint8_t *zkvm_read_vec(size_t *len_out);

/* ---- journal (public output) ---- */

/* Appends len bytes to the journal. */
void zkvm_commit(const void *buf, size_t len);
void zkvm_commit_u32(uint32_t v);
void zkvm_commit_i32(int32_t v);
void zkvm_commit_u64(uint64_t v);
void zkvm_commit_i64(int64_t v);
/* Appends a u32 length then the bytes: the format zkvm_read_vec reads. */
void zkvm_commit_vec(const void *buf, size_t len);

/* ---- control ---- */

/* Flushes stdout, stderr and the journal, then ends the guest with the low
 * 8 bits of code (0 = success). Returning n from main is zkvm_exit(n). */
__attribute__((noreturn)) void zkvm_exit(int code);

/* Prints "panic: <message>\n" to stderr and exits with ZKVM_EXIT_PANIC. */
__attribute__((noreturn, format(printf, 1, 2))) void zkvm_panic(const char *fmt, ...);

/* As zkvm_panic, printing "panic: <file>:<line>: <message>\n". */
__attribute__((noreturn, format(printf, 3, 4))) void zkvm_panic_at(const char *file, int line,
                                                                   const char *fmt, ...);

#define ZKVM_PANIC(...) zkvm_panic_at(__FILE__, __LINE__, __VA_ARGS__)

/* Panics with "assertion failed: <cond>" and the location when cond is false.
 * Unlike assert(), it is never compiled out. */
#define ZKVM_ASSERT(cond)                                                  \
  do {                                                                     \
    if (!(cond)) zkvm_panic_at(__FILE__, __LINE__, "assertion failed: %s", #cond); \
  } while (0)

/* Writes out buffered stdout, stderr and journal bytes now (exit does it). */
void zkvm_flush(void);

/* ---- cycles and heap ---- */

/* Cycles executed so far (syscall 0x1000). Returns 0 where the host has no
 * such call (qemu-riscv32). */
uint64_t zkvm_cycle_count(void);

/* Bytes of heap handed out by sbrk so far, and the heap's total size. */
size_t zkvm_heap_used(void);
size_t zkvm_heap_capacity(void);

#ifdef __cplusplus
}
#endif

#endif /* ZKVM_GUEST_H */
