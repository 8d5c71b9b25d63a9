/* SB: writes only the low byte of rs2; neighbours unchanged. */
#include "macros.h"
  .data
  .balign 4
sdata: .word 0x11223344, 0x55667788
  .text
test:
  la t0, sdata
  li t1, 0xabcdef99
  sb t1, 1(t0)
  lw t2, 0(t0)
  FAIL_IF_NE(t2, 0x11229944, 1)
  lw t2, 4(t0)
  FAIL_IF_NE(t2, 0x55667788, 2)
  addi t3, t0, 8
  sb t1, -1(t3)              /* top byte of the second word */
  lw t2, 4(t0)
  FAIL_IF_NE(t2, 0x99667788, 3)
  sb x0, 0(t0)               /* rs2 = x0 stores zero */
  lw t2, 0(t0)
  FAIL_IF_NE(t2, 0x11229900, 4)
  lbu t2, 1(t0)
  FAIL_IF_NE(t2, 0x99, 5)
  ret
