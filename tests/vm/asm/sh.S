/* SH: writes only the low halfword of rs2. */
#include "macros.h"
  .data
  .balign 4
sdata: .word 0x11223344, 0x55667788
  .text
test:
  la t0, sdata
  li t1, 0xabcd8001
  sh t1, 2(t0)
  lw t2, 0(t0)
  FAIL_IF_NE(t2, 0x80013344, 1)
  lw t2, 4(t0)
  FAIL_IF_NE(t2, 0x55667788, 2)
  addi t3, t0, 8
  sh t1, -4(t3)
  lw t2, 4(t0)
  FAIL_IF_NE(t2, 0x55668001, 3)
  lh t2, 4(t0)
  FAIL_IF_NE(t2, 0xffff8001, 4)
  sh x0, 0(t0)
  lw t2, 0(t0)
  FAIL_IF_NE(t2, 0x80010000, 5)
  ret
