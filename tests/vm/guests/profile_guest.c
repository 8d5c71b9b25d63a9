/* Profiler test guest, built by the SDK toolchain: a known call graph under
 * a real compiler's symbol table (tests/vm/test_profile.cpp).
 *
 *   main -> fib (static, recursive: fib;fib;...)
 *   main -> relay (calls spin in tail position: clang emits a tail jump,
 *           so spin runs in relay's frame, main;spin)
 *   main -> zkvm_commit_u32 (SDK runtime) */
#include <zkvm/guest.h>

__attribute__((noinline)) static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static unsigned spin(unsigned n) {
  unsigned x = 1;
  for (unsigned i = 0; i < n; ++i) x = x * 1103515245u + 12345u;
  return x;
}

__attribute__((noinline)) unsigned relay(unsigned n) { return spin(n + 1); }

int main(void) {
  volatile unsigned n = 12;
  zkvm_commit_u32(fib(n) + relay(1000 * n));
  return 0;
}
