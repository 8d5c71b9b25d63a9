/* LUI: imm in bits 31:12, low 12 bits zero; x0 destination discarded. */
#include "macros.h"
test:
  lui t2, 0
  FAIL_IF_NE(t2, 0, 1)
  lui t2, 1
  FAIL_IF_NE(t2, 0x1000, 2)
  lui t2, 0xfffff
  FAIL_IF_NE(t2, 0xfffff000, 3)
  lui t2, 0x80000
  FAIL_IF_NE(t2, 0x80000000, 4)
  li t2, 0xfff
  lui t2, 0x7ffff           /* overwrites the low bits too */
  FAIL_IF_NE(t2, 0x7ffff000, 5)
  lui x0, 0x12345
  FAIL_IF_NE(x0, 0, 6)
  ret
