// Host emulation of the CUDA launches: HostExec is an executor for
// KernelHal (cuda/kernel_hal.h) whose "device" memory is host memory and
// whose launch loops over the grid's blocks and each block's threads,
// calling thread_entry exactly as the __global__ wrapper in cuda_hal.cu
// does (same block size, same partial last block, same 64-bit index
// arithmetic). Plain C++: builds with the host compiler, no CUDA needed.
// Threads run one after another, so a kernel whose threads raced on the
// same output would pass here and fail on a GPU: the kernels in
// cuda/kernels/ write each output from exactly one thread (the only shared
// write, record_min_index, is an atomic on the device).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cuda/kernel_hal.h"
#include "cuda/kernels/launch.h"

namespace zkvm::gpu {

class HostExec {
 public:
  template <class T>
  class Buf {
   public:
    Buf() = default;
    explicit Buf(size_t n) : v_(n) {}
    T* data() { return v_.data(); }
    const T* data() const { return v_.data(); }
    size_t size() const { return v_.size(); }

   private:
    std::vector<T> v_;
  };

  explicit HostExec(uint32_t block_dim = kBlockDim) : block_dim_(block_dim) {}

  template <class T>
  Buf<T> alloc(size_t n) {
    ++allocs_;
    return Buf<T>(n);
  }
  template <class T>
  void upload(Buf<T>& dst, const T* src, size_t n) {
    std::copy(src, src + n, dst.data());
  }
  template <class T>
  void download(T* dst, const Buf<T>& src, size_t n) {
    std::copy(src.data(), src.data() + n, dst);
  }

  template <class K, class... A>
  void launch(uint64_t total, A... args) {
    ++launches_;
    const uint64_t grid = grid_for(total, block_dim_);
    for (uint64_t b = 0; b < grid; ++b)
      for (uint32_t t = 0; t < block_dim_; ++t)
        thread_entry<K>(b, block_dim_, t, total, args...);
  }

  // Barriers by construction: every thread of a block finishes phase p
  // before any starts phase p + 1, as __syncthreads() guarantees.
  template <class K, class... A>
  void launch_blocks(uint64_t grid, uint32_t block_dim, unsigned phases, size_t shared,
                     A... args) {
    ++launches_;
    std::vector<typename K::Shared> sh(shared);
    for (uint64_t b = 0; b < grid; ++b)
      for (unsigned p = 0; p < phases; ++p)
        for (uint32_t t = 0; t < block_dim; ++t) K::run(b, t, p, sh.data(), args...);
  }

  uint64_t launches() const { return launches_; }

 private:
  uint32_t block_dim_;
  uint64_t launches_ = 0;
  uint64_t allocs_ = 0;
};

// The kernel HAL on the emulated launches (merkle_commit on the CPU HAL).
inline std::unique_ptr<KernelHal<HostExec>> make_emulated_hal(uint32_t block_dim = kBlockDim) {
  return std::make_unique<KernelHal<HostExec>>(HostExec(block_dim), hal::make_cpu_hal(),
                                               "cuda-emulated");
}

}  // namespace zkvm::gpu
