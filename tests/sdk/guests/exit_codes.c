/* Exit paths. Input: one byte selecting the path, one byte the code.
 *   'r' return code from main    'e' zkvm_exit(code)   'x' exit(code)
 *   'w' zkvm_exit(code + 256) (only the low 8 bits count)
 * Every path flushes stdout and the journal and runs atexit handlers
 * (except zkvm_exit, which skips them, like _exit). */
#include <stdio.h>
#include <stdlib.h>

#include <zkvm/guest.h>

static void on_exit_handler(void) { printf("atexit handler ran\n"); }

int main(void) {
  uint8_t sel[2];
  zkvm_read_exact(sel, 2);
  atexit(on_exit_handler);
  printf("path %c code %d", sel[0], sel[1]); /* no newline: exit must flush it */
  zkvm_commit(sel, 2);
  switch (sel[0]) {
    case 'r': return sel[1];
    case 'e': zkvm_exit(sel[1]);
    case 'x': exit(sel[1]);
    case 'w': zkvm_exit(sel[1] + 256);
    default: ZKVM_PANIC("unknown exit path '%c'", sel[0]);
  }
}
