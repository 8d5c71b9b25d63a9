// SHIFT chip: SLL, SRL, SRA (and SLLI/SRLI/SRAI, which the CPU sends in
// register form with b = the immediate). Shift amount s = b mod 32 (RISC-V:
// only the low 5 bits of rs2 count), so b1..b3 and the top 3 bits of b0 are
// ignored.
//
// Receives on kBusAlu (op, a0..a3, b0..b3, r0..r3) with multiplicity
//   mult = sum of the 8 window selectors (1 on a real row, 0 on padding).
// Sends on kBusBytePair 5 pairs with multiplicity mult (below).
// Assumes (sender, bus.h): a_i, b_i are bytes. Guarantees: r_i are bytes and
// r = op(a, b mod 32).
//
// Method: one power-of-two multiply and one byte window.
//   SLL:      s      = 8k + j, m = 2^j:     r = ((a * m) << 8k) mod 2^32.
//   SRL/SRA:  31 - s = 8k + j, m = 2^(j+1): m * 2^(8k) = 2^(32 - s), so
//             r = (A * 2^(32 - s)) >> 32 = floor(A / 2^s), with A = a (SRL)
//             or a - 2^32 neg (SRA, neg = sign bit of a).
// Per byte a_i * m = lo_i + 256 hi_i. The 40-bit two's-complement limbs of
// A * m are T_0 = lo_0, T_i = lo_i + hi_(i-1) (no carry: lo_i is a multiple
// of m and hi_(i-1) < m), T_4 = hi_3 + neg (256 - m), T_q = 255 neg for
// q >= 5, T_q = 0 for q < 0. Selector sll_k picks r_i = T_(i-k); sr_k picks
// r_i = T_(i+4-k) (bytes 4..7 of the sign-extended A * m * 2^(8k)).
// Column t4 holds T_4; hi_3 = t4 - neg (256 - m) is an expression.
//
// SOUNDNESS:
//  - sll_k, sr_k boolean with boolean sum: at most one window; it fixes k,
//    the direction (right = sum sr_k) and, with is_sra, the op id.
//  - j0..j2 boolean, p = 2^j (product form), m = p (1 + right) in [1, 256].
//  - PAIR((D - 8k - j) / 32, .) with D = b0 (SLL) or 255 - b0 (right):
//    D - 8k - j is an integer in [-31, 255]; its field quotient by 32 is
//    below 256 only when it is 32 t for an integer t in [0, 7], i.e.
//    8k + j = D mod 32: s = b0 mod 32 exactly, whatever b0's top bits are.
//  - PAIR(., 2 a3 is_sra - 256 neg), neg boolean, neg => is_sra: on SRA rows
//    2 (a3 - 128 neg) in [0, 256) forces neg = a3 >> 7; elsewhere neg = 0.
//  - PAIR(lo0, lo1), PAIR(lo2, lo3), PAIR(hi0, hi1), PAIR(hi2, t4): with
//    a_i * m (+ 256 (256 - m) when neg) below 2^16 < p, the field equation
//    a_i m = lo_i + 256 hi_i has exactly one solution in bytes, the integer
//    split. Hence every T_q, and so every r_i, is the true byte.
//
// Columns: main 30 (a 4, b 4, windows 8, is_sra, neg, j 3, p, lo 4, hi 3,
// t4); LogUp aux 6 interactions (1 alu + 5 pair) + 1 running sum = 7 Fp4 =
// 28 base columns. Max degree 3 (a_i * p * (1 + right); the alu tuple's r_i
// = window * limb has degree 2).
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "prover/air/air.h"
#include "prover/rv32im/alu.h"
#include "prover/rv32im/bus.h"
#include "prover/rv32im/bytes.h"

namespace zkvm::rv32im {

class ShiftChipAir : public ChipAir<ShiftChipAir> {
 public:
  enum Col : size_t {
    kA = 0,          // a0..a3
    kB = kA + 4,     // b0..b3
    kSll = kB + 4,   // sll_k, k = 0..3: SLL by 8k + j
    kSr = kSll + 4,  // sr_k, k = 0..3: SRL/SRA with 31 - s = 8k + j
    kIsSra = kSr + 4,
    kNeg,            // SRA of a negative a
    kJ,              // j0, j1, j2 (bits of j)
    kP = kJ + 3,     // 2^j
    kLo,             // lo0..lo3
    kHi = kLo + 4,   // hi0..hi2
    kT4 = kHi + 3,   // T_4 = hi3 + neg (256 - m)
    kWidth,
  };
  static constexpr uint32_t kInv32 = Fp::kModulus - (Fp::kModulus - 1) / 32;  // 1/32 in Fp

  static bool handles(vm::Op op) { return op == vm::Op::SLL || op == vm::Op::SRL || op == vm::Op::SRA; }

  std::string name() const override { return "rv32im-shift"; }
  size_t width() const override { return kWidth; }
  std::string bus_name(uint32_t bus) const override { return rv32im_bus_name(bus); }

  template <class B>
  void constraints(B& b) const {
    using E = decltype(b.lit(0));
    auto lit = [&](uint32_t v) { return b.lit(v); };
    auto col = [&](size_t c) { return b.main(c); };

    // Windows: one-hot on real rows, all zero on padding.
    E sll = lit(0), right = lit(0), k = lit(0);
    for (size_t w = 0; w < 4; ++w) {
      b.assert_bool("SLL window is boolean", col(kSll + w));
      b.assert_bool("right-shift window is boolean", col(kSr + w));
      sll = sll + col(kSll + w);
      right = right + col(kSr + w);
      k = k + (col(kSll + w) + col(kSr + w)) * lit(static_cast<uint32_t>(w));
    }
    const E mult = sll + right;
    b.assert_bool("at most one window", mult);

    const E is_sra = col(kIsSra), neg = col(kNeg);
    b.assert_bool("SRA flag is boolean", is_sra);
    b.assert_zero("SRA is a right shift", is_sra * (lit(1) - right));
    b.assert_bool("sign is boolean", neg);
    b.assert_zero("sign only on SRA", neg * (lit(1) - is_sra));

    // m = 2^j (SLL) or 2^(j+1) (right).
    const E j0 = col(kJ), j1 = col(kJ + 1), j2 = col(kJ + 2), p = col(kP);
    b.assert_bool("j0 is boolean", j0);
    b.assert_bool("j1 is boolean", j1);
    b.assert_bool("j2 is boolean", j2);
    b.assert_eq("p = 2^j", p, (lit(1) + j0) * (lit(1) + lit(3) * j1) * (lit(1) + lit(15) * j2));
    const E j = j0 + lit(2) * j1 + lit(4) * j2;
    const E m = p * (lit(1) + right);

    // a_i * m = lo_i + 256 hi_i; hi_3 = t4 - neg (256 - m), m = 2p under neg.
    const E hi3 = col(kT4) - neg * (lit(256) - lit(2) * p);
    for (size_t i = 0; i < 4; ++i) {
      const E hi = i < 3 ? col(kHi + i) : hi3;
      b.assert_eq("a_i * m = lo_i + 256 hi_i", col(kA + i) * m, col(kLo + i) + lit(256) * hi);
    }

    // Range checks (see SOUNDNESS above).
    const E b0 = col(kB);
    const E d = b0 + right * (lit(255) - lit(2) * b0);
    const E shamt_hi = (d - lit(8) * k - j) * lit(kInv32);
    const E sign_rest = is_sra * lit(2) * col(kA + 3) - lit(256) * neg;
    b.send(kBusBytePair, {col(kLo), col(kLo + 1)}, mult);
    b.send(kBusBytePair, {col(kLo + 2), col(kLo + 3)}, mult);
    b.send(kBusBytePair, {col(kHi), col(kHi + 1)}, mult);
    b.send(kBusBytePair, {col(kHi + 2), col(kT4)}, mult);
    b.send(kBusBytePair, {shamt_hi, sign_rest}, mult);

    // Limbs T_q of A * m, q = -3..7, and the windows.
    auto limb = [&](int q) -> E {
      if (q < 0) return lit(0);
      if (q == 0) return col(kLo);
      if (q < 4) return col(kLo + q) + col(kHi + q - 1);
      if (q == 4) return col(kT4);
      return lit(255) * neg;
    };
    auto r = [&](int i) {
      E acc = lit(0);
      for (int w = 0; w < 4; ++w) {
        acc = acc + col(kSll + w) * limb(i - w);
        acc = acc + col(kSr + w) * limb(i + 4 - w);
      }
      return acc;
    };
    const E op = sll * lit(op_id(vm::Op::SLL)) + (right - is_sra) * lit(op_id(vm::Op::SRL)) +
                 is_sra * lit(op_id(vm::Op::SRA));
    b.receive(kBusAlu,
              {op, col(kA), col(kA + 1), col(kA + 2), col(kA + 3), col(kB), col(kB + 1), col(kB + 2), col(kB + 3),
               r(0), r(1), r(2), r(3)},
              mult);
  }
};

// One row per event, in order; height padded_height(events.size(),
// min_rows); padding rows are zero but for p = 1 (multiplicity 0). Adds the
// pair lookups to `bytes`. Throws std::logic_error for an event whose op is
// not SLL/SRL/SRA or whose r differs from alu_reference.
RowMajorMatrix<Fp> shift_trace(std::span<const AluEvent> events, ByteCounts& bytes, size_t min_rows);

}  // namespace zkvm::rv32im
