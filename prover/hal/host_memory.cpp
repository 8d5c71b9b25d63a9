#include "prover/hal/host_memory.h"

#include <climits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace zkvm::hal {

bool keep_large_allocations_in_heap() {
#if defined(__GLIBC__)
  // Both or neither: a raised threshold with trimming still on would hand
  // freed buffers at the top of the heap back to the kernel.
  return mallopt(M_MMAP_THRESHOLD, INT_MAX) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
#else
  return false;
#endif
}

}  // namespace zkvm::hal
