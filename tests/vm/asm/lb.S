/* LB: sign-extends the byte; offsets positive and negative; x0 rd. */
#include "macros.h"
#include "loads.inc"
test:
  la t0, ldata
  lb t2, 0(t0)
  FAIL_IF_NE(t2, 0xffffff80, 1)
  lb t2, 1(t0)
  FAIL_IF_NE(t2, 0x7f, 2)
  lb t2, 2(t0)
  FAIL_IF_NE(t2, 0xffffffff, 3)
  lb t2, 3(t0)
  FAIL_IF_NE(t2, 1, 4)
  addi t1, t0, 11
  lb t2, -3(t1)              /* byte 0 of 0xdeadbeef */
  FAIL_IF_NE(t2, 0xffffffef, 5)
  lb t2, 0(t1)               /* byte 3 of 0xdeadbeef */
  FAIL_IF_NE(t2, 0xffffffde, 6)
  lb x0, 0(t0)
  FAIL_IF_NE(x0, 0, 7)
  lb t0, 0(t0)               /* rd == rs1 */
  FAIL_IF_NE(t0, 0xffffff80, 8)
  ret
