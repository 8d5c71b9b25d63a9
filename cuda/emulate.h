// Host emulation of the CUDA launches: HostExec is an executor for
// KernelHal (cuda/kernel_hal.h) whose "device" memory is host memory and
// whose launch loops over the grid's blocks and each block's threads,
// calling thread_entry exactly as the __global__ wrapper in cuda_hal.cu
// does (same block size, same partial last block, same 64-bit index
// arithmetic). Plain C++: builds with the host compiler, no CUDA needed.
// Threads run one after another, so a kernel whose threads raced on the
// same output would pass here in natural order and fail on a GPU: the
// kernels in cuda/kernels/ write each output from exactly one thread (the
// only shared write, record_min_index, is an atomic on the device). Order
// Reverse and Shuffled run the threads of a launch (of a phase, for phased
// kernels) in another order, which exposes a kernel whose result depends
// on the order its threads run in (one reading what another writes).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <random>
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

  enum class Order { Natural, Reverse, Shuffled };

  explicit HostExec(uint32_t block_dim = kBlockDim, Order order = Order::Natural,
                    uint64_t seed = 1)
      : block_dim_(block_dim), order_(order), rng_(seed) {}

  template <class T>
  Buf<T> alloc(size_t n) {
    ++allocs_;
    return Buf<T>(n);
  }
  template <class T>
  void upload(Buf<T>& dst, const T* src, size_t n) {
    uploaded_ += n * sizeof(T);
    std::copy(src, src + n, dst.data());
  }
  template <class T>
  void download(T* dst, const Buf<T>& src, size_t n) {
    downloaded_ += n * sizeof(T);
    std::copy(src.data(), src.data() + n, dst);
  }

  template <class K, class... A>
  void launch(uint64_t total, A... args) {
    ++launches_;
    const uint64_t grid = grid_for(total, block_dim_);
    if (order_ == Order::Natural) {
      for (uint64_t b = 0; b < grid; ++b)
        for (uint32_t t = 0; t < block_dim_; ++t)
          thread_entry<K>(b, block_dim_, t, total, args...);
      return;
    }
    for (uint64_t p : permutation(grid * block_dim_))
      thread_entry<K>(p / block_dim_, block_dim_, static_cast<uint32_t>(p % block_dim_), total,
                      args...);
  }

  // Barriers by construction: every thread of a block finishes phase p
  // before any starts phase p + 1, as __syncthreads() guarantees.
  template <class K, class... A>
  void launch_blocks(uint64_t grid, uint32_t block_dim, unsigned phases, size_t shared,
                     A... args) {
    ++launches_;
    std::vector<typename K::Shared> sh(shared);
    for (uint64_t b : permutation(grid))
      for (unsigned p = 0; p < phases; ++p)
        for (uint64_t t : permutation(block_dim))
          K::run(b, static_cast<uint32_t>(t), p, sh.data(), args...);
  }

  uint64_t launches() const { return launches_; }
  // Bytes copied host -> "device" and back (what a GPU would move over PCIe).
  uint64_t uploaded() const { return uploaded_; }
  uint64_t downloaded() const { return downloaded_; }

 private:
  // 0..n-1 in this executor's order.
  std::vector<uint64_t> permutation(uint64_t n) {
    std::vector<uint64_t> v(n);
    std::iota(v.begin(), v.end(), uint64_t{0});
    if (order_ == Order::Reverse) std::reverse(v.begin(), v.end());
    if (order_ == Order::Shuffled) std::shuffle(v.begin(), v.end(), rng_);
    return v;
  }

  uint32_t block_dim_;
  Order order_;
  std::mt19937_64 rng_;
  uint64_t launches_ = 0;
  uint64_t allocs_ = 0;
  uint64_t uploaded_ = 0, downloaded_ = 0;
};

// The kernel HAL on the emulated launches (host_ldes: KernelHal's).
inline std::unique_ptr<KernelHal<HostExec>> make_emulated_hal(
    uint32_t block_dim = kBlockDim, HostExec::Order order = HostExec::Order::Natural, bool host_ldes = false) {
  return std::make_unique<KernelHal<HostExec>>(HostExec(block_dim, order), "cuda-emulated", host_ldes);
}

}  // namespace zkvm::gpu
