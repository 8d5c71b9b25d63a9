/* Faults (guest ABI "Faults"): these end the guest without an exit code.
 * Input: one byte.  'n' loads through a null pointer (the unmapped guard
 * below 0x10000)   'h' stores just past the top of guest memory (0x10000000)
 * Journal bytes and log lines written before the fault are flushed first. */
#include <stdint.h>
#include <stdio.h>

#include <zkvm/guest.h>

int main(void) {
  uint8_t sel;
  zkvm_read_exact(&sel, 1);
  printf("before the fault\n");
  zkvm_flush();
  volatile uint32_t *p = 0;
  if (sel == 'h') p = (volatile uint32_t *)0x10000000u;
  if (sel == 'n') return (int)*p;
  *p = 1;
  return 0;
}
