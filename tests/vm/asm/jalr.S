/* JALR: target = (rs1 + imm) & ~1; rd = pc + 4; rd = rs1 uses the old rs1. */
#include "macros.h"
test:
  mv s0, ra
  la t0, t1_land
  addi t0, t0, 1            /* odd address: bit 0 is cleared */
  la t2, t1_ret
  jalr t1, 0(t0)
t1_ret:
  li a0, 1
  j fail
t1_land:
  li a0, 2
  bne t1, t2, fail
  la t0, t2_land - 8
  jalr x0, 8(t0)            /* positive offset, x0 link */
  li a0, 3
  j fail
t2_land:
  FAIL_IF_NE(x0, 0, 4)
  la t0, t3_land + 12
  jalr x0, -12(t0)          /* negative offset */
  li a0, 5
  j fail
t3_land:
  la t0, t4_land
  la t2, t4_ret
  jalr t0, 0(t0)            /* rd == rs1 */
t4_ret:
  li a0, 6
  j fail
t4_land:
  li a0, 7
  bne t0, t2, fail
  mv ra, s0
  ret
