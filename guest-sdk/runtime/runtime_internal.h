/* Runtime-internal hooks shared by the runtime's files (not public API). */
#ifndef ZKVM_RUNTIME_INTERNAL_H
#define ZKVM_RUNTIME_INTERNAL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void __zkvm_flush_all(void);
/* Buffered write to fd 1, 2 or 3 (ignored otherwise). */
void __zkvm_write_fd(int fd, const void *buf, size_t n);
__attribute__((noreturn)) void _exit(int code);

#ifdef __cplusplus
}
#endif

#endif
