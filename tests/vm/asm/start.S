/* Start-up for the assembly tests: set sp, run `test`, exit(0). A failing
 * check jumps to `fail` with its check number in a0 and exits with it. */
  .section .text.start, "ax"
  .globl _start
_start:
  la sp, _stack_top
  call test
  li a0, 0
  li a7, 93
  ecall
  .globl fail
fail:
  li a7, 93
  ecall
