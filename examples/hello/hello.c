/* hello: reads a name from the private input, greets it on stdout and
 * commits the greeting to the journal (the public output).
 *
 *   input:   up to 64 bytes, the name (empty input -> "world")
 *   journal: u32 length, then the greeting bytes "Hello, <name>!" */
#include <stdio.h>
#include <string.h>

#include <zkvm/guest.h>

int main(void) {
  uint64_t start = zkvm_cycle_count();

  char name[65];
  size_t n = zkvm_read(name, sizeof name - 1);
  while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == '\r')) n--; /* echo adds one */
  name[n] = '\0';
  if (n == 0) strcpy(name, "world");

  char greeting[80];
  int len = snprintf(greeting, sizeof greeting, "Hello, %s!", name);
  puts(greeting);
  zkvm_commit_vec(greeting, (size_t)len);

  /* 0 under qemu-riscv32, which has no cycle counter. */
  printf("cycles so far: %llu\n", (unsigned long long)(zkvm_cycle_count() - start));
  return 0;
}
