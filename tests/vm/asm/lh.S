/* LH: sign-extends the halfword (little-endian). */
#include "macros.h"
#include "loads.inc"
test:
  la t0, ldata
  lh t2, 4(t0)
  FAIL_IF_NE(t2, 0xffff8000, 1)
  lh t2, 6(t0)
  FAIL_IF_NE(t2, 0x7fff, 2)
  lh t2, 0(t0)
  FAIL_IF_NE(t2, 0x7f80, 3)
  lh t2, 2(t0)
  FAIL_IF_NE(t2, 0x01ff, 4)
  addi t1, t0, 12
  lh t2, -2(t1)
  FAIL_IF_NE(t2, 0xffffdead, 5)
  lh x0, 4(t0)
  FAIL_IF_NE(x0, 0, 6)
  ret
