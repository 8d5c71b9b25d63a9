/* BLTU: taken and not taken on edge values, forward and backward. */
#include "macros.h"
test:
  li t0, 0
  li t1, 0
  li a0, 1
  bltu t0, t1, fail_near
  li t0, 1
  li t1, 2
  li a0, 2
  bltu t0, t1, 1f
  j fail
1:
  li t0, 2
  li t1, 1
  li a0, 3
  bltu t0, t1, fail_near
  li t0, -1
  li t1, 0
  li a0, 4
  bltu t0, t1, fail_near
  li t0, 0
  li t1, -1
  li a0, 5
  bltu t0, t1, 1f
  j fail
1:
  li t0, 0x80000000
  li t1, 0x7fffffff
  li a0, 6
  bltu t0, t1, fail_near
  li t0, 0x7fffffff
  li t1, 0x80000000
  li a0, 7
  bltu t0, t1, 1f
  j fail
1:
  li t0, -1
  li t1, -1
  li a0, 8
  bltu t0, t1, fail_near
  /* backward branch taken twice, then not taken: s1 ends at 3 */
  li s1, 0
  li t0, 3
2:
  addi s1, s1, 1
  bltu s1, t0, 2b
  FAIL_IF_NE(s1, 3, 9)
  ret
fail_near:
  j fail
