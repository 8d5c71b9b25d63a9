// Random field elements for the CUDA HAL tests (emulated and on a device).
#pragma once

#include <cstdint>
#include <random>

#include "prover/field/babybear.h"

namespace zkvm::cuda_test {

struct Rng {
  std::mt19937_64 g;
  explicit Rng(uint64_t seed) : g(seed) {}
  field::Fp fp() { return field::Fp::from_u64(g()); }
  field::Fp4 fp4() { return field::Fp4::from_base(fp(), fp(), fp(), fp()); }
  // Non-zero with overwhelming probability; made so if not.
  field::Fp4 fp4_nonzero() {
    field::Fp4 x = fp4();
    return x.is_zero() ? field::Fp4::one() : x;
  }
};

}  // namespace zkvm::cuda_test
