/* Profiler worst case: naive recursive Fibonacci, a call and a return every
 * few instructions. Input: u32 n; journal: fib(n) (u32). */
#include <zkvm/guest.h>

__attribute__((noinline)) static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
  zkvm_commit_u32(fib(zkvm_read_u32()));
  return 0;
}
