/* Check macros for the assembly tests. Each check has a number n; a failing
 * check exits with n (see start.S). t5, t6 and a0 are scratch. */
/* (beq over a jal: a branch reaches only +-4 KiB, fail may be farther) */
#define FAIL_IF_NE(reg, expect, n) li t5, expect; li a0, n; beq reg, t5, 90f; j fail; 90:
/* rd = inst(v1, v2) with distinct registers */
#define TEST_RR(n, inst, expect, v1, v2) \
  li t0, v1; li t1, v2; inst t2, t0, t1; FAIL_IF_NE(t2, expect, n)
/* rd = rs1 = rs2 */
#define TEST_RR_SAME(n, inst, expect, v) \
  li t0, v; inst t0, t0, t0; FAIL_IF_NE(t0, expect, n)
/* rd = rs1 */
#define TEST_RR_RD_RS1(n, inst, expect, v1, v2) \
  li t0, v1; li t1, v2; inst t0, t0, t1; FAIL_IF_NE(t0, expect, n)
/* x0 as destination stays zero */
#define TEST_RR_X0(n, inst, v1, v2) \
  li t0, v1; li t1, v2; inst x0, t0, t1; FAIL_IF_NE(x0, 0, n)
#define TEST_RI(n, inst, expect, v1, imm) \
  li t0, v1; inst t2, t0, imm; FAIL_IF_NE(t2, expect, n)
#define TEST_RI_X0(n, inst, v1, imm) \
  li t0, v1; inst x0, t0, imm; FAIL_IF_NE(x0, 0, n)
  .text
  .globl test
