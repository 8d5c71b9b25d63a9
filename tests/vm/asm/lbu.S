/* LBU: zero-extends the byte. */
#include "macros.h"
#include "loads.inc"
test:
  la t0, ldata
  lbu t2, 0(t0)
  FAIL_IF_NE(t2, 0x80, 1)
  lbu t2, 1(t0)
  FAIL_IF_NE(t2, 0x7f, 2)
  lbu t2, 2(t0)
  FAIL_IF_NE(t2, 0xff, 3)
  addi t1, t0, 12
  lbu t2, -1(t1)
  FAIL_IF_NE(t2, 0xde, 4)
  lbu x0, 0(t0)
  FAIL_IF_NE(x0, 0, 5)
  ret
