/* LHU: zero-extends the halfword. */
#include "macros.h"
#include "loads.inc"
test:
  la t0, ldata
  lhu t2, 4(t0)
  FAIL_IF_NE(t2, 0x8000, 1)
  lhu t2, 6(t0)
  FAIL_IF_NE(t2, 0x7fff, 2)
  addi t1, t0, 12
  lhu t2, -2(t1)
  FAIL_IF_NE(t2, 0xdead, 3)
  lhu t2, -4(t1)
  FAIL_IF_NE(t2, 0xbeef, 4)
  lhu x0, 4(t0)
  FAIL_IF_NE(x0, 0, 5)
  ret
