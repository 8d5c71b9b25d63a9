/* LW: whole word, little-endian; positive and negative offsets. */
#include "macros.h"
#include "loads.inc"
test:
  la t0, ldata
  lw t2, 8(t0)
  FAIL_IF_NE(t2, 0xdeadbeef, 1)
  lw t2, 0(t0)
  FAIL_IF_NE(t2, 0x01ff7f80, 2)
  lw t2, 4(t0)
  FAIL_IF_NE(t2, 0x7fff8000, 3)
  addi t1, t0, 16
  lw t2, -8(t1)
  FAIL_IF_NE(t2, 0xdeadbeef, 4)
  lw t2, -4(t1)
  FAIL_IF_NE(t2, 0, 5)
  lw x0, 8(t0)
  FAIL_IF_NE(x0, 0, 6)
  ret
