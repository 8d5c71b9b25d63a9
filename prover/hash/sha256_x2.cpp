// SHA-NI SHA-256 compression, two chains interleaved. The round structure
// follows the Intel SHA extensions reference flow (state as ABEF/CDGH,
// sha256msg1/msg2 for the schedule, sha256rnds2 two rounds at a time).
#include "prover/hash/sha256_x2.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ZKVM_SHA_X2 1
#include <immintrin.h>
#endif

namespace zkvm::hash::x2 {

#if defined(ZKVM_SHA_X2)
namespace {

alignas(16) constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ZKVM_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

struct State {
  __m128i abef, cdgh;
};

ZKVM_SHA_TARGET inline State load_state(const MerkleIv& iv) {
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&iv[0]));    // DCBA
  __m128i s1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&iv[4]));     // HGFE
  tmp = _mm_shuffle_epi32(tmp, 0xB1);                                         // CDAB
  s1 = _mm_shuffle_epi32(s1, 0x1B);                                           // EFGH
  return {_mm_alignr_epi8(tmp, s1, 8), _mm_blend_epi16(s1, tmp, 0xF0)};       // ABEF, CDGH
}

ZKVM_SHA_TARGET inline void store_digest(State s, Digest& out) {
  const __m128i tmp = _mm_shuffle_epi32(s.abef, 0x1B);                        // FEBA
  const __m128i s1 = _mm_shuffle_epi32(s.cdgh, 0xB1);                         // DCHG
  const __m128i dcba = _mm_blend_epi16(tmp, s1, 0xF0);                        // DCBA
  const __m128i hgfe = _mm_alignr_epi8(s1, tmp, 8);                           // HGFE
  // Words A..H as big-endian bytes.
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.bytes.data()), _mm_shuffle_epi8(dcba, bswap));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.bytes.data() + 16),
                   _mm_shuffle_epi8(hgfe, bswap));
}

// One block on each of two states.
ZKVM_SHA_TARGET inline void block2(State& x, State& y, const uint8_t* a, const uint8_t* b) {
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  const State x0 = x, y0 = y;
  __m128i ma[16], mb[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    if (i < 4) {
      ma[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 16 * i)), bswap);
      mb[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16 * i)), bswap);
    } else {
      // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time.
      ma[i] = _mm_sha256msg2_epu32(
          _mm_add_epi32(_mm_sha256msg1_epu32(ma[i - 4], ma[i - 3]),
                        _mm_alignr_epi8(ma[i - 1], ma[i - 2], 4)),
          ma[i - 1]);
      mb[i] = _mm_sha256msg2_epu32(
          _mm_add_epi32(_mm_sha256msg1_epu32(mb[i - 4], mb[i - 3]),
                        _mm_alignr_epi8(mb[i - 1], mb[i - 2], 4)),
          mb[i - 1]);
    }
    const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kK + 4 * i));
    __m128i wa = _mm_add_epi32(ma[i], k), wb = _mm_add_epi32(mb[i], k);
    x.cdgh = _mm_sha256rnds2_epu32(x.cdgh, x.abef, wa);
    y.cdgh = _mm_sha256rnds2_epu32(y.cdgh, y.abef, wb);
    wa = _mm_shuffle_epi32(wa, 0x0E);
    wb = _mm_shuffle_epi32(wb, 0x0E);
    x.abef = _mm_sha256rnds2_epu32(x.abef, x.cdgh, wa);
    y.abef = _mm_sha256rnds2_epu32(y.abef, y.cdgh, wb);
  }
  x.abef = _mm_add_epi32(x.abef, x0.abef);
  x.cdgh = _mm_add_epi32(x.cdgh, x0.cdgh);
  y.abef = _mm_add_epi32(y.abef, y0.abef);
  y.cdgh = _mm_add_epi32(y.cdgh, y0.cdgh);
}

ZKVM_SHA_TARGET void compress_chains_ni(const MerkleIv& iv, const uint8_t* a, const uint8_t* b,
                                        size_t nblocks, Digest& out_a, Digest& out_b) {
  State x = load_state(iv), y = x;
  for (size_t i = 0; i < nblocks; ++i) block2(x, y, a + 64 * i, b + 64 * i);
  store_digest(x, out_a);
  store_digest(y, out_b);
}

}  // namespace

bool available() {
  static const bool ok = __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") &&
                         __builtin_cpu_supports("ssse3");
  return ok;
}

void compress_chains(const MerkleIv& iv, const uint8_t* a, const uint8_t* b, size_t nblocks,
                     Digest& out_a, Digest& out_b) {
  compress_chains_ni(iv, a, b, nblocks, out_a, out_b);
}

#else
bool available() { return false; }
void compress_chains(const MerkleIv&, const uint8_t*, const uint8_t*, size_t, Digest&, Digest&) {
  __builtin_trap();
}
#endif

}  // namespace zkvm::hash::x2
