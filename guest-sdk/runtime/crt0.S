/* Guest entry point. Guest ABI v1 start state: pc = entry, all registers
 * zero, memory = PT_LOAD segments with .bss/.heap/.stack already zero, so no
 * bss clearing is needed (it would only cost cycles). */
  .section .text.init.enter, "ax", @progbits
  .globl _start
  .type _start, @function
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  la tp, __tls_base
  call __zkvm_start  /* runs constructors, main, exit; never returns */
1:
  j 1b
  .size _start, . - _start
