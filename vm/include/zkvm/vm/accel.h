// Accelerator calls (project ecalls from 0x1001 up; docs/GUEST_ABI.md): the
// host reference of each, shared by the emulator and the prover's witness
// generation so both compute the same words.
#pragma once

#include <array>
#include <cstdint>

namespace zkvm::vm {

// dot4 (a7 = 0x1001): four int8 dot products of length K over biased bytes
// (byte b stands for b - 128). x: K bytes; w: 4K bytes in K/4 groups of 16,
// group g holding rows 0..3 of k = 4g..4g+3 as four 4-byte words.
//   out[j] = sum_k (x[k] - 128) * (w[16 (k/4) + 4 j + k%4] - 128)
// K is a multiple of 4 below kDot4MaxLen, so |out[j]| < 2^29 (exact int32).
inline constexpr std::uint32_t kSysDot4 = 0x1001;
inline constexpr std::uint32_t kDot4MaxLen = 1u << 15;  // K < 2^15

// Checks the call's arguments as the emulator does: x, w 4-aligned, K a
// multiple of 4 below kDot4MaxLen (buffers are checked separately).
inline bool dot4_args_ok(std::uint32_t x, std::uint32_t w, std::uint32_t k) {
  return (x & 3) == 0 && (w & 3) == 0 && (k & 3) == 0 && k < kDot4MaxLen;
}

// The call over bytes read through `byte_at(address)`.
template <class ByteAt>
std::array<std::int32_t, 4> dot4_reference(std::uint32_t x, std::uint32_t w, std::uint32_t k, ByteAt byte_at) {
  std::array<std::int32_t, 4> out{};
  for (std::uint32_t i = 0; i < k; ++i) {
    const std::int32_t xv = static_cast<std::int32_t>(byte_at(x + i)) - 128;
    const std::uint32_t wrow = w + 16 * (i / 4) + i % 4;
    for (std::uint32_t j = 0; j < 4; ++j)
      out[j] += xv * (static_cast<std::int32_t>(byte_at(wrow + 4 * j)) - 128);
  }
  return out;
}

}  // namespace zkvm::vm
