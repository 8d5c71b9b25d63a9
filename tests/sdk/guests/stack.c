/* Built with STACK_SIZE 4 MiB: reports the stack and heap bounds from the
 * linker script, then recurses through about 3 MiB of stack frames. */
#include <stdio.h>
#include <string.h>

#include <zkvm/guest.h>

extern char __stack_bottom[], __stack_top[], __heap_start[], __heap_end[];

static unsigned depth_sum(unsigned depth) {
  volatile unsigned char frame[32 * 1024]; /* volatile: keep the frame */
  memset((void *)frame, (int)depth, sizeof frame);
  if (depth == 0) return frame[100];
  return frame[depth] + depth_sum(depth - 1);
}

int main(void) {
  printf("stack [%p, %p) %lu bytes\n", (void *)__stack_bottom, (void *)__stack_top,
         (unsigned long)(__stack_top - __stack_bottom));
  ZKVM_ASSERT(__heap_end == __stack_bottom);
  ZKVM_ASSERT((unsigned long)__stack_top == 0x10000000ul);
  char local;
  ZKVM_ASSERT(&local < __stack_top && &local >= __stack_bottom);
  unsigned s = depth_sum(96); /* 97 frames of 32 KiB: about 3 MiB */
  printf("recursion sum %u\n", s);
  zkvm_commit_u32(s);
  return 0;
}
