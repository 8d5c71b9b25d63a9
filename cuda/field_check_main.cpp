// Runs the device-side field check (needs a CUDA GPU; not part of ctest,
// which must pass without one). Exit 0 only if every identity held.
#include <cstdint>
#include <cstdio>

extern "C" int zkvm_cuda_field_check(uint32_t n, uint32_t* failures);

int main() {
  const uint32_t n = 1u << 20;
  uint32_t failures = 0;
  const int err = zkvm_cuda_field_check(n, &failures);
  if (err != 0) {
    std::fprintf(stderr, "zkvm_cuda_field_check: CUDA error %d\n", err);
    return 2;
  }
  std::printf("device field check: %u threads, %u failed identities\n", n, failures);
  return failures == 0 ? 0 : 1;
}
