/* ECALL: write and read return their counts; exit ends the program with
 * a0's low 8 bits (start.S's exit(0) and every failing check rely on it). */
#include "macros.h"
  .section .rodata
msg: .ascii "ecall test\n"
  .text
test:
  li a0, 1
  la a1, msg
  li a2, 0                   /* empty write to stdout returns 0 */
  li a7, 64
  ecall
  mv t2, a0
  FAIL_IF_NE(t2, 0, 1)
  li a0, 0
  la a1, msg
  li a2, 0                   /* empty read returns 0 */
  li a7, 63
  ecall
  mv t2, a0
  FAIL_IF_NE(t2, 0, 2)
  li s1, 0x1234
  li a0, 0x100               /* exit(0x100): low 8 bits are 0 */
  li a7, 93
  ecall
  li a0, 3                   /* not reached */
  j fail
