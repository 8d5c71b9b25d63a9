// Gadgets shared by the MUL and DIV chips: the 64-bit product of two
// sign-extended words, checked in four 16-bit lanes with carries.
//
// Operands are 8 little-endian byte limbs x_0..x_7, y_0..y_7 (limbs 4..7 are
// 0 or 255: the word's zero or sign extension). Lane k (0..3) of x*y is
//   P_k = sum over i + j in {2k, 2k+1} of x_i y_j 256^(i+j-2k)
// (terms with i + j >= 8 are multiples of 2^64 and dropped), and a chip
// asserts per lane, over Fp,
//   P_k + extra_k + c_(k-1) = z_k + 2^16 c_k        (c_(-1) = 0)
// where z_k, extra_k are 16-bit lane values of byte-checked words.
//
// SOUNDNESS: every carry c_k is sent on kBusU16 as c_k and as 8 c_k: the
// first makes c_k < 2^16 an integer, so 8 c_k < 2^19 is one too and the
// second gives c_k < 2^13. Then the left side is < 8*255^2*257 + 2^16 +
// 2^13 < 2^27 and the right side < 2^16 + 2^29, both below p, so each lane
// equation holds over the integers and sum_k 2^(16k) (...) gives
//   x*y + extra = z  (mod 2^64).
// U16(c) alone is not enough: p = 1 + 30720 * 2^16, so c_k = true carry +
// 30720 (< 2^16) balances a lane whose z_k is off by one, i.e. z = x*y + p.
// Honest carries are below 2^27 / 2^16 = 2^11.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "prover/air/air.h"
#include "prover/rv32im/bytes.h"

namespace zkvm::rv32im::gadgets {

inline constexpr uint32_t kCarryBits = 13;
inline constexpr uint32_t kCarryScale = 1u << (16 - kCarryBits);  // U16(scale * c) bounds c by 2^13

// P_k above, for any expression type (constraints and witness generation
// share it). c256 is the constant 256 in E.
template <class E>
E product_lane(const std::array<E, 8>& x, const std::array<E, 8>& y, size_t k, const E& c256) {
  E lo = E(), hi = E();
  for (size_t i = 0; i <= 2 * k; ++i) lo += x[i] * y[2 * k - i];
  for (size_t i = 0; i <= 2 * k + 1; ++i) hi += x[i] * y[2 * k + 1 - i];
  return lo + hi * c256;
}

// Bytes 2k, 2k+1 of a limb array as one 16-bit lane value.
template <class E>
E lane16(const std::array<E, 8>& z, size_t k, const E& c256) {
  return z[2 * k] + z[2 * k + 1] * c256;
}

// The byte-table counts a trace's lookups need, found by evaluating the
// AIR's interactions row by row (slow; for tests and for building cheating
// traces). Tuples outside the table are skipped: nobody can receive them,
// so the byte buses stay unbalanced, as for a real cheater.
inline void count_lookups(const air::Air& air, const RowMajorMatrix<Fp>& trace, ByteCounts& counts) {
  air::CheckBuilder b;
  b.height = trace.height;
  for (size_t r = 0; r < trace.height; ++r) {
    b.row = r;
    b.local = trace.row(r);
    b.next = trace.row((r + 1) % trace.height);
    b.tuples.clear();
    air.eval(b);
    for (const auto& t : b.tuples) {
      if (t.bus != kBusBytePair && t.bus != kBusByteXor && t.bus != kBusU16) continue;
      const uint32_t m = t.mult.canonical();
      if (m == 0 || m > 64) continue;  // chips send with multiplicity 0 or 1
      uint32_t v[2] = {t.values[0].canonical(), t.values.size() > 1 ? t.values[1].canonical() : 0};
      for (uint32_t k = 0; k < m; ++k) {
        if (t.bus == kBusU16) {
          if (v[0] < (1u << 16)) counts.u16(v[0]);
        } else if (v[0] < 256 && v[1] < 256) {
          if (t.bus == kBusBytePair) {
            counts.pair(v[0], v[1]);
          } else if (t.values[2].canonical() == (v[0] ^ v[1])) {
            counts.xor_lookup(v[0], v[1]);
          }
        }
      }
    }
  }
}

}  // namespace zkvm::rv32im::gadgets
