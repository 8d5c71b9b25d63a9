/* JAL: rd = pc + 4, jump forward and backward; x0 as rd (plain jump). */
#include "macros.h"
test:
  mv s0, ra
  li s1, 0
  la t1, after1
  jal t0, target1          /* forward */
after1:
  li a0, 1
  j fail
target1:
  li a0, 2
  bne t0, t1, fail          /* link register holds the return address */
  j forward2
back2:
  li s1, 7
  j done2
forward2:
  jal x0, back2            /* backward, discard the link */
done2:
  FAIL_IF_NE(s1, 7, 3)
  FAIL_IF_NE(x0, 0, 4)
  jal ra, sub1             /* call and return */
  FAIL_IF_NE(s1, 9, 5)
  mv ra, s0
  ret
sub1:
  li s1, 9
  ret
