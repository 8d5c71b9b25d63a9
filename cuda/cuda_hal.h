// The CUDA backend of the prover HAL (built only when nvcc is found; see
// cuda/CMakeLists.txt and docs/CUDA.md). Device kernels: coset_lde,
// fri_fold, reduce_rows, column_sums, inverse_differences, batch_inverse;
// merkle_commit still runs on the CPU.
#pragma once

#include <memory>

#include "prover/hal/hal.h"

namespace zkvm::hal {

// CUDA devices visible to this process; 0 when there is no device or no
// driver (never throws).
int cuda_device_count();

// The CUDA HAL on the current device. Throws std::runtime_error
// "cuda hal: no CUDA device (...)" when cuda_device_count() is 0.
std::unique_ptr<Hal> make_cuda_hal();

}  // namespace zkvm::hal
