/* Consumer guest: doubles the input bytes and commits them to the journal. */
#include <stdint.h>

#include <zkvm/guest.h>

int main(void) {
  uint8_t buf[64];
  size_t n = zkvm_read(buf, sizeof buf);
  for (size_t i = 0; i < n; ++i) buf[i] = (uint8_t)(2 * buf[i]);
  zkvm_commit(buf, n);
  return (int)n;
}
