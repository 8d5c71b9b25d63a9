// Tables of field constants built on the device by doubling: start from
// t[0] (uploaded), then ExtendTable with len = 1, 2, 4, ... sets
// t[len + i] = t[i] * factor(len), one multiplication per entry and log2
// launches (a pow per entry would cost ~2 log2(exponent) multiplications).
//   powers of r:        factor(len) = r^len              -> t[j] = r^j
//   FRI's 1/(2x) table: factor(2^j) = w^(2^(b-1-j)), t[0] = 1/2
//                       (the CPU's bit-reversed construction, cpu_hal.cpp)
#pragma once

#include <cstdint>

#include "prover/field/babybear.h"

namespace zkvm::gpu {

struct ExtendTable {
  ZKVM_HD static void run(uint64_t i, field::Fp* t, uint64_t len, field::Fp factor) {
    t[len + i] = t[i] * factor;
  }
};

}  // namespace zkvm::gpu
