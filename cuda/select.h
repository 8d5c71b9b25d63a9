// The prover backend by the name --device gives it (zkvm prove, the
// benches): cpu, cuda-emulated (cuda/emulate.h), cuda and dual (the CPU
// HAL beside the CUDA HAL, compared kernel by kernel). Header-only: the
// including target defines ZKVM_HAVE_CUDA_HAL and links zkvm_cuda_hal when
// nvcc built it (cuda/CMakeLists.txt).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "cuda/emulate.h"
#include "prover/hal/hal.h"
#if defined(ZKVM_HAVE_CUDA_HAL)
#include "cuda/cuda_hal.h"
#endif

namespace zkvm::gpu {

// Throws std::runtime_error naming why: an unknown name, a build without
// the CUDA backend, or no device (make_cuda_hal's message).
inline std::unique_ptr<hal::Hal> make_named_hal(const std::string& device) {
  if (device == "cpu") return hal::make_cpu_hal();
  if (device == "cuda-emulated") return make_emulated_hal();
#if defined(ZKVM_HAVE_CUDA_HAL)
  if (device == "cuda") return hal::make_cuda_hal();
  if (device == "dual") return hal::make_dual_hal(hal::make_cpu_hal(), hal::make_cuda_hal());
#else
  if (device == "cuda" || device == "dual")
    throw std::runtime_error("this build has no CUDA backend: it was built without the CUDA backend "
                             "(no nvcc at build time; docs/CUDA.md)");
#endif
  throw std::runtime_error("unknown device '" + device + "' (cpu, cuda, cuda-emulated, dual)");
}

}  // namespace zkvm::gpu
