/* BGE: taken and not taken on edge values, forward and backward. */
#include "macros.h"
test:
  li t0, 0
  li t1, 0
  li a0, 1
  bge t0, t1, 1f
  j fail
1:
  li t0, 1
  li t1, 2
  li a0, 2
  bge t0, t1, fail_near
  li t0, 2
  li t1, 1
  li a0, 3
  bge t0, t1, 1f
  j fail
1:
  li t0, -1
  li t1, 0
  li a0, 4
  bge t0, t1, fail_near
  li t0, 0
  li t1, -1
  li a0, 5
  bge t0, t1, 1f
  j fail
1:
  li t0, 0x80000000
  li t1, 0x7fffffff
  li a0, 6
  bge t0, t1, fail_near
  li t0, 0x7fffffff
  li t1, 0x80000000
  li a0, 7
  bge t0, t1, 1f
  j fail
1:
  li t0, -1
  li t1, -1
  li a0, 8
  bge t0, t1, 1f
  j fail
1:
  /* backward branch taken twice, then not taken: s1 ends at 3 */
  li s1, 0
  li t0, 3
2:
  addi s1, s1, 1
  li t1, 2
  bge t1, s1, 2b
  FAIL_IF_NE(s1, 3, 9)
  ret
fail_near:
  j fail
