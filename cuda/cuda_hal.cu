// CudaExec: the executor that runs KernelHal (cuda/kernel_hal.h) on a GPU.
// Device buffers are RAII, every CUDA call is checked and reported with the
// expression, file:line and CUDA's error string (as sppark's CUDA_OK). One
// generic __global__ wrapper runs any kernel body through thread_entry, the
// same entry the host emulation (cuda/emulate.h) calls.
//
// Buffers are allocated per HAL call on the default stream (no pinned
// memory); a committed round's LDEs stay on the device with their tree
// (KernelHal::commit_ldes, docs/CUDA.md "Residency").
#include <cuda_runtime.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "cuda/cuda_hal.h"
#include "cuda/kernel_hal.h"
#include "cuda/kernels/launch.h"

namespace zkvm::gpu {
namespace {

void check_cuda(cudaError_t e, const char* expr, const char* file, int line) {
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("cuda hal: ") + expr + " at " + file + ":" +
                             std::to_string(line) + ": " + cudaGetErrorString(e));
}
#define ZKVM_CUDA_OK(expr) check_cuda((expr), #expr, __FILE__, __LINE__)

template <class K, class... A>
__global__ void kernel_entry(uint64_t total, A... args) {
  thread_entry<K>(blockIdx.x, blockDim.x, threadIdx.x, total, args...);
}

// Phased block kernel: K::run per phase, __syncthreads() between phases
// (every thread runs every phase, so the barrier is reached by all).
template <class K, class... A>
__global__ void block_kernel_entry(unsigned phases, A... args) {
  extern __shared__ __align__(16) unsigned char smem[];
  auto* sh = reinterpret_cast<typename K::Shared*>(smem);
  for (unsigned p = 0; p < phases; ++p) {
    K::run(blockIdx.x, threadIdx.x, p, sh, args...);
    __syncthreads();
  }
}

class CudaExec {
 public:
  template <class T>
  class Buf {
   public:
    Buf() = default;
    explicit Buf(size_t n) : n_(n) {
      if (n != 0) ZKVM_CUDA_OK(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)));
    }
    Buf(Buf&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
    Buf& operator=(Buf&& o) noexcept {
      if (this != &o) {
        release();
        p_ = std::exchange(o.p_, nullptr);
        n_ = std::exchange(o.n_, 0);
      }
      return *this;
    }
    Buf(const Buf&) = delete;
    Buf& operator=(const Buf&) = delete;
    ~Buf() { release(); }
    T* data() { return p_; }
    const T* data() const { return p_; }
    size_t size() const { return n_; }

   private:
    void release() {
      // cudaFree waits for the device to finish the work queued before it,
      // so a buffer freed right after a launch that reads it (column_sums'
      // levels) is not released under the kernel. No throw from here.
      if (p_ != nullptr) cudaFree(p_);
      p_ = nullptr;
    }
    T* p_ = nullptr;
    size_t n_ = 0;
  };

  template <class T>
  Buf<T> alloc(size_t n) {
    return Buf<T>(n);
  }
  template <class T>
  void upload(Buf<T>& dst, const T* src, size_t n) {
    if (n != 0) ZKVM_CUDA_OK(cudaMemcpy(dst.data(), src, n * sizeof(T), cudaMemcpyHostToDevice));
  }
  // Synchronous: also where an earlier kernel's execution error surfaces.
  template <class T>
  void download(T* dst, const Buf<T>& src, size_t n) {
    if (n != 0) ZKVM_CUDA_OK(cudaMemcpy(dst, src.data(), n * sizeof(T), cudaMemcpyDeviceToHost));
  }
  template <class K, class... A>
  void launch(uint64_t total, A... args) {
    const auto grid = static_cast<unsigned>(grid_for(total, kBlockDim));  // <= kMaxGridDim
    kernel_entry<K, A...><<<grid, kBlockDim>>>(total, args...);
    ZKVM_CUDA_OK(cudaGetLastError());
  }
  template <class K, class... A>
  void launch_blocks(uint64_t grid, uint32_t block_dim, unsigned phases, size_t shared,
                     A... args) {
    block_kernel_entry<K, A...><<<static_cast<unsigned>(grid), block_dim,
                                  shared * sizeof(typename K::Shared)>>>(phases, args...);
    ZKVM_CUDA_OK(cudaGetLastError());
  }
};

}  // namespace
}  // namespace zkvm::gpu

namespace zkvm::hal {

int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky "no device / no driver" error
    return 0;
  }
  return n;
}

namespace {
std::unique_ptr<gpu::KernelHal<gpu::CudaExec>> make_kernel_hal() {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess || n == 0) {
    (void)cudaGetLastError();
    throw std::runtime_error(std::string("cuda hal: no CUDA device (cudaGetDeviceCount: ") +
                             (e != cudaSuccess ? cudaGetErrorString(e) : "0 devices") + ")");
  }
  return std::make_unique<gpu::KernelHal<gpu::CudaExec>>(gpu::CudaExec{}, "cuda");
}
}  // namespace

std::unique_ptr<Hal> make_cuda_hal() { return make_kernel_hal(); }

std::vector<std::vector<hash::Digest>> cuda_merkle_levels(const std::vector<RowMajorMatrix<Fp>>& mats,
                                                          std::span<const uint8_t> salts,
                                                          size_t salt_len) {
  return make_kernel_hal()->merkle_levels(mats, salts, salt_len);
}

}  // namespace zkvm::hal
