/* SW: whole word; to the stack and data; negative offset. */
#include "macros.h"
  .data
  .balign 4
sdata: .word 0x11223344, 0x55667788
  .text
test:
  la t0, sdata
  li t1, 0xdeadbeef
  sw t1, 4(t0)
  lw t2, 4(t0)
  FAIL_IF_NE(t2, 0xdeadbeef, 1)
  lw t2, 0(t0)
  FAIL_IF_NE(t2, 0x11223344, 2)
  addi t3, t0, 4
  sw t1, -4(t3)
  lw t2, 0(t0)
  FAIL_IF_NE(t2, 0xdeadbeef, 3)
  addi sp, sp, -16
  li t1, 0x80000001
  sw t1, 12(sp)
  sw x0, 8(sp)
  lw t2, 12(sp)
  FAIL_IF_NE(t2, 0x80000001, 4)
  lw t2, 8(sp)
  FAIL_IF_NE(t2, 0, 5)
  addi sp, sp, 16
  ret
