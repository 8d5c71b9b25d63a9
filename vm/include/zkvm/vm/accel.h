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

// sha256_compress (a7 = 0x1002): the SHA-256 compression function (FIPS
// 180-4 6.2.2) of the 8-word state at a0 (native little-endian uint32 words
// H0..H7) with the 64-byte block at a1 (the message bytes; schedule words
// are big-endian as the standard reads them). state := compress(state,
// block); a0..a3 are unchanged. Both pointers 4-aligned.
inline constexpr std::uint32_t kSysSha256 = 0x1002;
inline constexpr std::uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

inline constexpr std::uint32_t rotr32(std::uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

// The 64 round states and schedule words of one compression (the prover's
// round table is these, row by row): state[r] = (a..h) before round r,
// state[64] after the last; w[r] the schedule word of round r.
struct Sha256Rounds {
  std::uint32_t state[65][8];
  std::uint32_t w[64];
};
inline Sha256Rounds sha256_rounds(const std::uint32_t h[8], const std::uint8_t block[64]) {
  Sha256Rounds out{};
  for (int t = 0; t < 16; ++t)
    out.w[t] = std::uint32_t{block[4 * t]} << 24 | std::uint32_t{block[4 * t + 1]} << 16 |
               std::uint32_t{block[4 * t + 2]} << 8 | block[4 * t + 3];
  for (int t = 16; t < 64; ++t) {
    const std::uint32_t w2 = out.w[t - 2], w15 = out.w[t - 15];
    out.w[t] = (rotr32(w2, 17) ^ rotr32(w2, 19) ^ (w2 >> 10)) + out.w[t - 7] +
               (rotr32(w15, 7) ^ rotr32(w15, 18) ^ (w15 >> 3)) + out.w[t - 16];
  }
  for (int i = 0; i < 8; ++i) out.state[0][i] = h[i];
  for (int r = 0; r < 64; ++r) {
    const std::uint32_t* s = out.state[r];
    const std::uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], hh = s[7];
    const std::uint32_t t1 = hh + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) + kSha256K[r] + out.w[r];
    const std::uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    std::uint32_t* n = out.state[r + 1];
    n[0] = t1 + t2, n[1] = a, n[2] = b, n[3] = c, n[4] = d + t1, n[5] = e, n[6] = f, n[7] = g;
  }
  return out;
}
inline void sha256_compress(std::uint32_t h[8], const std::uint8_t block[64]) {
  const Sha256Rounds r = sha256_rounds(h, block);
  for (int i = 0; i < 8; ++i) h[i] += r.state[64][i];
}

// dot4_rom (a7 = 0x1003): dot4 with the weights read from the ELF's loaded
// image (elf.h image_word: the bytes the loader put there, whatever a store
// has written since), so a public model's weights need no memory accesses.
// Every word of [w, w+4K) must be an image word.
inline constexpr std::uint32_t kSysDot4Rom = 0x1003;

// Checks the call's arguments as the emulator does: x, w 4-aligned, K a
// multiple of 4 below kDot4MaxLen (buffers are checked separately).
inline bool dot4_args_ok(std::uint32_t x, std::uint32_t w, std::uint32_t k) {
  return (x & 3) == 0 && (w & 3) == 0 && (k & 3) == 0 && k < kDot4MaxLen;
}

// The call over bytes read through `byte_at(address)`. signed_x (dense4_rom
// only, Q's sx bit): the x bytes are int8 as they are instead of biased.
template <class ByteAt>
std::array<std::int32_t, 4> dot4_reference(std::uint32_t x, std::uint32_t w, std::uint32_t k, ByteAt byte_at,
                                           bool signed_x = false) {
  std::array<std::int32_t, 4> out{};
  for (std::uint32_t i = 0; i < k; ++i) {
    const std::int32_t xb = static_cast<std::int32_t>(byte_at(x + i));
    const std::int32_t xv = signed_x ? static_cast<std::int8_t>(xb) : xb - 128;
    const std::uint32_t wrow = w + 16 * (i / 4) + i % 4;
    for (std::uint32_t j = 0; j < 4; ++j)
      out[j] += xv * (static_cast<std::int32_t>(byte_at(wrow + 4 * j)) - 128);
  }
  return out;
}

// dense4_rom (a7 = 0x1004): one block of four outputs of a Dense layer whose
// weights and requantisation parameters are the ELF's image words (a model
// compiled into the guest): dot4_rom's four sums, then per output j
//   a   = (int32)(sum_j + bias[j])                       (wrapping add)
//   top = (int32)(((int64)a * mult_j) >> 32)              (MULH)
//   s2  = shift_j - 32
//   v   = (int32)(top + 2^(s2 - 1)) >> s2                 (wrapping add, SRA)
//   out = clamp(v + zp, lo, hi)                           (int8)
// Arguments: a0 = x: K input bytes, then at x + K the output word
// Q = zp | lo << 8 | hi << 16 | (pc + 2 sx) << 24 (zp, lo, hi int8; pc and
// sx 0 or 1), read from memory; the x bytes are biased (int8 + 128, as
// dot4's) when sx = 0 and int8 as they are when sx = 1; a1 = w (dot4's
// layout, image words), a2 = K, a3 = bias (four int32 image words), a4 =
// mult, a5 = shift: int32 image words, output j's
// at +4j when pc = 1 (per channel) and all at +0 when pc = 0 (per tensor).
// Result: a0 = the four int8 outputs as one word (out j in byte j); a1..a5
// unchanged. Faults, in this order: BadAccelArgs unless x, w, bias, mult,
// shift are 4-aligned and K is a nonzero multiple of 4 below kDot4MaxLen;
// SyscallBuffer unless [x, x + K + 4) is guest memory; BadAccelArgs unless Q
// has Q3 = pc + 2 sx <= 3 and lo <= hi; BadAccelArgs naming the word for the first word
// read from w, bias, mult, shift (in that order) that is no image word;
// BadAccelArgs unless every shift read is in [35, 63] (3 <= s2 <= 31).
inline constexpr std::uint32_t kSysDense4Rom = 0x1004;

struct Dense4Out {
  std::int32_t zp, lo, hi;
  std::uint32_t pc;     // 1: mult and shift per output (stride 4 bytes), 0: one for all four
  std::uint32_t sx;     // 1: the x bytes are int8 (signed), 0: biased
  std::uint32_t flags;  // Q3 = pc + 2 sx (at most 3 in a valid Q)
};
inline Dense4Out dense4_unpack(std::uint32_t q) {
  return {static_cast<std::int8_t>(q), static_cast<std::int8_t>(q >> 8), static_cast<std::int8_t>(q >> 16),
          (q >> 24) & 1, (q >> 25) & 1, q >> 24};
}
inline bool dense4_args_ok(std::uint32_t x, std::uint32_t w, std::uint32_t k, std::uint32_t bias, std::uint32_t mult,
                           std::uint32_t shift) {
  return dot4_args_ok(x, w, k) && k != 0 && ((bias | mult | shift) & 3) == 0;
}
inline bool dense4_q_ok(std::uint32_t q) {
  const Dense4Out o = dense4_unpack(q);
  return o.flags <= 3 && o.lo <= o.hi;
}
inline bool dense4_shift_ok(std::uint32_t shift) { return shift >= 35 && shift <= 63; }
// One output from its sum (the formula above; arguments as the checks accept).
inline std::int8_t dense4_requant(std::int32_t sum, std::int32_t bias, std::int32_t mult, std::uint32_t shift,
                                  const Dense4Out& o) {
  const std::uint32_t s2 = shift - 32;
  const auto a = static_cast<std::int32_t>(static_cast<std::uint32_t>(sum) + static_cast<std::uint32_t>(bias));
  const auto top = static_cast<std::int32_t>(static_cast<std::uint64_t>(std::int64_t{a} * mult) >> 32);
  const auto u = static_cast<std::int32_t>(static_cast<std::uint32_t>(top) + (1u << (s2 - 1)));
  const std::int32_t z = (u >> s2) + o.zp;
  return static_cast<std::int8_t>(z < o.lo ? o.lo : z > o.hi ? o.hi : z);
}
// The output word from the four sums and the parameter words of output
// j = 0..3 (mult[j], shift[j]: the words at +4 j pc).
inline std::uint32_t dense4_output(const std::array<std::int32_t, 4>& sums, const std::uint32_t bias[4],
                                   const std::uint32_t mult[4], const std::uint32_t shift[4], const Dense4Out& o) {
  std::uint32_t out = 0;
  for (std::uint32_t j = 0; j < 4; ++j)
    out |= std::uint32_t{static_cast<std::uint8_t>(dense4_requant(sums[j], static_cast<std::int32_t>(bias[j]),
                                                                  static_cast<std::int32_t>(mult[j]), shift[j], o))}
           << (8 * j);
  return out;
}

}  // namespace zkvm::vm
