/* Harness self-test: check 3 fails on purpose, so both the emulator and
 * qemu-riscv32 must exit with 3. Proves a failing check cannot pass. */
#include "macros.h"
test:
  li t0, 1
  FAIL_IF_NE(t0, 1, 1)
  FAIL_IF_NE(t0, 1, 2)
  FAIL_IF_NE(t0, 2, 3)
  ret
