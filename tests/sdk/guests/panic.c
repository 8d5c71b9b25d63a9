/* Panic paths. Input: one byte selecting the path.
 *   'p' zkvm_panic   'm' ZKVM_PANIC (file:line)   'a' ZKVM_ASSERT failing
 *   'b' abort()      'r' zkvm_read_exact past the end of the input
 *   'o' a malloc'd vector larger than the heap via zkvm_read_vec
 *   's' a failing assert() from <assert.h> (abort: 134) */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include <zkvm/guest.h>

int main(void) {
  uint8_t sel;
  zkvm_read_exact(&sel, 1);
  printf("before the panic\n");
  zkvm_commit("j", 1); /* journal bytes written before a panic still come out */
  int answer = 41;
  switch (sel) {
    case 'p': zkvm_panic("the answer is %d", answer + 1);
    case 'm': ZKVM_PANIC("bad value %d", answer);
    case 'a': ZKVM_ASSERT(answer == 42);
    /* fallthrough */
    case 'b': abort();
    case 'r': {
      uint8_t buf[16];
      zkvm_read_exact(buf, sizeof buf);
      break;
    }
    case 's':
      assert(answer == 42);
      break;
    case 'o': {
      /* The input's length prefix asks for more than the heap holds. */
      size_t n;
      free(zkvm_read_vec(&n));
      break;
    }
  }
  return 0;
}
