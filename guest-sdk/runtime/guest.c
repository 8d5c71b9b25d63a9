/* The zkvm/guest.h API over the buffered channels of io.c. */
#include "zkvm/guest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "zkvm/syscall.h"
#include "runtime_internal.h"

void zkvm_read_exact(void *buf, size_t len) {
  size_t got = zkvm_read(buf, len);
  if (got != len) zkvm_panic("input ended after %zu of %zu bytes", got, len);
}

/* Input and journal integers are little-endian (guest ABI); RV32 is too, but
 * decode bytewise so the format never depends on the host. */
uint32_t zkvm_read_u32(void) {
  uint8_t b[4];
  zkvm_read_exact(b, 4);
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int32_t zkvm_read_i32(void) { return (int32_t)zkvm_read_u32(); }

uint64_t zkvm_read_u64(void) {
  uint64_t lo = zkvm_read_u32();
  uint64_t hi = zkvm_read_u32();
  return lo | hi << 32;
}

int64_t zkvm_read_i64(void) { return (int64_t)zkvm_read_u64(); }

uint8_t *zkvm_read_vec(size_t *len_out) {
  size_t n = zkvm_read_u32();
  uint8_t *p = (uint8_t *)malloc(n ? n : 1);
  if (!p) zkvm_panic("read_vec: out of memory for %zu bytes (heap %zu of %zu bytes used)", n,
                     zkvm_heap_used(), zkvm_heap_capacity());
  zkvm_read_exact(p, n);
  if (len_out) *len_out = n;
  return p;
}

void zkvm_commit(const void *buf, size_t len) { __zkvm_write_fd(ZKVM_FD_JOURNAL, buf, len); }

void zkvm_commit_u32(uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  zkvm_commit(b, 4);
}

void zkvm_commit_i32(int32_t v) { zkvm_commit_u32((uint32_t)v); }

void zkvm_commit_u64(uint64_t v) {
  zkvm_commit_u32((uint32_t)v);
  zkvm_commit_u32((uint32_t)(v >> 32));
}

void zkvm_commit_i64(int64_t v) { zkvm_commit_u64((uint64_t)v); }

void zkvm_commit_vec(const void *buf, size_t len) {
  zkvm_commit_u32((uint32_t)len);
  zkvm_commit(buf, len);
}

void zkvm_exit(int code) { _exit(code); }

__attribute__((noreturn)) static void vpanic(const char *file, int line, const char *fmt, va_list ap) {
  /* stdout first so the log reads in order; stderr is line-buffered. */
  fflush(stdout);
  if (file)
    fprintf(stderr, "panic: %s:%d: ", file, line);
  else
    fputs("panic: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  _exit(ZKVM_EXIT_PANIC);
}

void zkvm_panic(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vpanic(NULL, 0, fmt, ap);
  va_end(ap);
}

void zkvm_panic_at(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vpanic(file, line, fmt, ap);
  va_end(ap);
}

uint64_t zkvm_cycle_count(void) {
  int ok;
  uint64_t c = zkvm_sys_cycle_count(&ok);
  return ok ? c : 0;
}
