// SHA-256 compression function (FIPS 180-4, section 6.2.2) for host and
// device, as the Merkle kernels (merkle_kernels.h) use it: no length
// padding here; the Merkle format (prover/hash/hash.h, "format v2") chains
// bare compressions over zero-padded blocks.
#pragma once

#include <cstdint>

#include "prover/field/babybear.h"  // ZKVM_HD

namespace zkvm::gpu {

struct Sha256State {
  uint32_t h[8];
};

// FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the
// cube roots of the first 64 primes. Device code reads the __constant__
// copy, host code the constexpr one (one list, two storage classes).
#define ZKVM_SHA256_K                                                                        \
  {0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, \
   0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, \
   0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, \
   0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, \
   0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, \
   0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu, \
   0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u, \
   0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u, \
   0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, \
   0xc67178f2u}
inline constexpr uint32_t kSha256KHost[64] = ZKVM_SHA256_K;
#if defined(__CUDACC__)
static __constant__ uint32_t kSha256KDevice[64] = ZKVM_SHA256_K;
#endif
#undef ZKVM_SHA256_K

// FIPS 180-4 section 5.3.3: the initial hash value of SHA-256.
ZKVM_HD constexpr Sha256State sha256_initial_state() {
  return {{0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu,
           0x1f83d9abu, 0x5be0cd19u}};
}

ZKVM_HD inline uint32_t rotr32(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

// state <- f(state, block); block: the 16 big-endian message words.
ZKVM_HD inline void sha256_compress(Sha256State& state, const uint32_t block[16]) {
#if defined(__CUDA_ARCH__)
  const uint32_t* k = kSha256KDevice;
#else
  const uint32_t* k = kSha256KHost;
#endif
  uint32_t w[16];
  for (int t = 0; t < 16; ++t) w[t] = block[t];
  uint32_t a = state.h[0], b = state.h[1], c = state.h[2], d = state.h[3];
  uint32_t e = state.h[4], f = state.h[5], g = state.h[6], h = state.h[7];
  // Fully unrolled on the device so the 16-word schedule ring lives in
  // registers (its indices become constants).
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int t = 0; t < 64; ++t) {
    uint32_t wt;
    if (t < 16) {
      wt = w[t];
    } else {  // message schedule in a 16-word ring
      const uint32_t w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
      const uint32_t s0 = rotr32(w15, 7) ^ rotr32(w15, 18) ^ (w15 >> 3);
      const uint32_t s1 = rotr32(w2, 17) ^ rotr32(w2, 19) ^ (w2 >> 10);
      wt = w[t & 15] = w[t & 15] + s0 + w[(t - 7) & 15] + s1;
    }
    const uint32_t t1 = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) +
                        k[t] + wt;
    const uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state.h[0] += a;
  state.h[1] += b;
  state.h[2] += c;
  state.h[3] += d;
  state.h[4] += e;
  state.h[5] += f;
  state.h[6] += g;
  state.h[7] += h;
}

}  // namespace zkvm::gpu
