/* AUIPC: pc of the AUIPC itself plus the U-immediate. JAL gives the
 * reference address of the label (JAL has its own test). */
#include "macros.h"
test:
  jal t1, 1f
1:
  auipc t0, 0
  li a0, 1
  bne t0, t1, fail
  jal t1, 2f
2:
  auipc t0, 1
  sub t0, t0, t1
  FAIL_IF_NE(t0, 0x1000, 2)
  jal t1, 3f
3:
  auipc t0, 0xfffff          /* -4096: wraps like an add */
  sub t0, t0, t1
  FAIL_IF_NE(t0, 0xfffff000, 3)
  auipc x0, 1
  FAIL_IF_NE(x0, 0, 4)
  ret
