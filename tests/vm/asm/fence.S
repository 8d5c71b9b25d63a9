/* FENCE: executes as a no-op (registers and memory unchanged). */
#include "macros.h"
test:
  li t0, 5
  fence
  fence rw, rw
  fence r, w
  fence iorw, iorw
  FAIL_IF_NE(t0, 5, 1)
  ret
