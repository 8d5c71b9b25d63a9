// DIV chip: DIV, DIVU, REM, REMU (RISC-V unprivileged spec, "M" extension:
// DIV/DIVU give the quotient rounded towards zero, REM/REMU the remainder,
// whose sign is the dividend's; x / 0 = all ones and x % 0 = x; the
// overflow INT_MIN / -1 = INT_MIN with remainder 0).
//
// Receives on kBusAlu (op, a0..a3, b0..b3, r0..r3) with multiplicity real,
// r = q for DIV/DIVU and m for REM/REMU.
// Assumes: a_i, b_i are bytes (the sender's guarantee, bus.h).
// Guarantees: r_i are bytes and r = alu_reference(op, a, b).
//
// Columns: 31 main (real, signed, is_rem, a 4, b 4, q 4, m 4, a_neg,
// b_neg, m_neg, q_neg, b_zero, carry 4, d_lo, d_hi, c1); 17 LogUp
// interactions (alu 1, byte pair 6, u16 10), so 18 Fp4 = 72 aux base
// columns. Max constraint degree 3. Every lookup has multiplicity real.
//
// SOUNDNESS (integers A, B, Q, M: a, b, q, m with their sign extension):
// - real, signed, is_rem boolean; op = DIV + (real - signed) + 2 is_rem
//   (ids consecutive, static_assert) is one of the four.
// - q, m bytes (PAIR). x_neg (x = a, b, m): PAIR(signed 2 x3 - 256 x_neg)
//   with x_neg boolean gives x_neg = msb(x) for signed ops and 0 otherwise
//   (as in mul.h). q_neg is boolean, 0 for unsigned ops and when b_zero; it
//   is NOT msb(q): Q = q - 2^32 q_neg ranges over [-2^32, 2^32), which is how
//   INT_MIN / -1 = +2^31 fits.
// - Identity: lanes P_k(q_ext, b_ext) + m_lane + c_(k-1) = a_lane + 2^16 c_k
//   with carries < 2^13 (word_gadgets.h) give Q*B + M = A mod 2^64. Since
//   |Q*B| <= 2^63 (signed) or 0 <= Q*B < 2^64 - 2^33 (unsigned) and |M|, |A|
//   < 2^32, |Q*B + M - A| < 2^64: the identity is exact.
// - Divide by zero: b_zero -> b = 0 (sum of bytes), q = 0xffffffff, q_neg
//   = 0; the identity then forces M = A, so m = a.
// - Remainder sign: m_neg (1 - a_neg) = 0 and a_neg (1 - m_neg) sum(m) = 0:
//   M has A's sign or is 0.
// - Bound (off when b_zero): |x| = x' + x_neg with x'_i = x_i + x_neg (255 -
//   2 x_i) (one's complement for negative x). Lanes
//     d_lo + (m'_lo + real + m_neg - b'_lo - b_neg) = 2^16 c1,
//     d_hi + (m'_hi - b'_hi) + c1 = 0,
//   with d_lo, d_hi < 2^16 (U16) and c1 < 256 (PAIR), hold over the integers
//   (all terms < 2^25), so d = |B| - |M| - 1 >= 0: |M| < |B|, hence B != 0
//   when b_zero = 0 (b_zero is exactly [b = 0]).
// - With B != 0, A = Q*B + M, |M| < |B| and sign(M) in {0, sign(A)} fix Q =
//   trunc(A / B) (unsigned: floor) and M; r = Q or M mod 2^32 is the spec
//   result, INT_MIN / -1 included (Q = 2^31: q = 0x80000000, q_neg = 0).
// Every column is a function of (op, a, b), so changing any one cell of a
// real row breaks a constraint or a bus.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "prover/rv32im/alu.h"
#include "prover/rv32im/bus.h"
#include "prover/rv32im/bytes.h"
#include "prover/rv32im/word_gadgets.h"

namespace zkvm::rv32im {

class DivChipAir : public ChipAir<DivChipAir> {
 public:
  enum Col : size_t {
    kReal,
    kSigned,       // DIV, REM
    kIsRem,        // REM, REMU
    kA,            // a0..a3 (dividend)
    kB = kA + 4,   // b0..b3 (divisor)
    kQ = kB + 4,   // q0..q3 (quotient bytes)
    kM = kQ + 4,   // m0..m3 (remainder bytes)
    kANeg = kM + 4,
    kBNeg,
    kMNeg,
    kQNeg,         // sign extension of q (see top)
    kBZero,        // b = 0
    kCarry,        // identity lane carries c0..c3
    kDLo = kCarry + 4,  // d = |b| - |m| - 1, low and high 16 bits
    kDHi,
    kC1,           // carry of the bound's low lane
    kWidth,
  };
  static bool handles(vm::Op op) {
    return op == vm::Op::DIV || op == vm::Op::DIVU || op == vm::Op::REM || op == vm::Op::REMU;
  }
  static std::string column_name(size_t c);

  std::string name() const override { return "rv32im-div"; }
  size_t width() const override { return kWidth; }
  std::string bus_name(uint32_t bus) const override { return rv32im_bus_name(bus); }

  template <class B>
  void constraints(B& b) const {
    using E = typename B::Expr;
    static_assert(op_id(vm::Op::DIVU) == op_id(vm::Op::DIV) + 1 && op_id(vm::Op::REM) == op_id(vm::Op::DIV) + 2 &&
                  op_id(vm::Op::REMU) == op_id(vm::Op::DIV) + 3);
    const E one = b.lit(1), c2 = b.lit(2), c255 = b.lit(255), c256 = b.lit(256), c65536 = b.lit(65536);
    const E real = b.main(kReal), sgn = b.main(kSigned), is_rem = b.main(kIsRem);
    b.assert_bool("real is boolean", real);
    b.assert_bool("signed is boolean", sgn);
    b.assert_bool("is_rem is boolean", is_rem);
    const E op = real * b.lit(op_id(vm::Op::DIV)) + real - sgn + c2 * is_rem;

    const E a_neg = b.main(kANeg), b_neg = b.main(kBNeg), m_neg = b.main(kMNeg), q_neg = b.main(kQNeg),
            b_zero = b.main(kBZero);
    b.assert_bool("a_neg is boolean", a_neg);
    b.assert_bool("b_neg is boolean", b_neg);
    b.assert_bool("m_neg is boolean", m_neg);
    b.assert_bool("q_neg is boolean", q_neg);
    b.assert_bool("b_zero is boolean", b_zero);
    b.assert_zero("q_neg only for signed ops", q_neg * (one - sgn));

    std::array<E, 8> a, d, q, m;  // d: divisor b
    for (size_t i = 0; i < 4; ++i) {
      a[i] = b.main(kA + i);
      d[i] = b.main(kB + i);
      q[i] = b.main(kQ + i);
      m[i] = b.main(kM + i);
      a[i + 4] = c255 * a_neg;
      d[i + 4] = c255 * b_neg;
      q[i + 4] = c255 * q_neg;
      m[i + 4] = c255 * m_neg;
    }

    // Q*B + M = A mod 2^64 (exact, see top).
    static constexpr const char* kLane[4] = {"identity lane 0", "identity lane 1", "identity lane 2",
                                             "identity lane 3"};
    for (size_t k = 0; k < 4; ++k) {
      const E carry_in = k == 0 ? b.lit(0) : b.main(kCarry + k - 1);
      b.assert_zero(kLane[k], gadgets::product_lane(q, d, k, c256) + gadgets::lane16(m, k, c256) + carry_in -
                                  gadgets::lane16(a, k, c256) - b.main(kCarry + k) * c65536);
    }

    // Division by zero: q = all ones, q_neg = 0 (then M = A).
    b.assert_zero("b_zero implies b = 0", b_zero * (d[0] + d[1] + d[2] + d[3]));
    static constexpr const char* kQOnes[4] = {"x / 0: q0 = 255", "x / 0: q1 = 255", "x / 0: q2 = 255",
                                              "x / 0: q3 = 255"};
    for (size_t i = 0; i < 4; ++i) b.assert_zero(kQOnes[i], b_zero * (q[i] - c255));
    b.assert_zero("x / 0: q_neg = 0", b_zero * q_neg);

    // Remainder has the dividend's sign or is zero.
    b.assert_zero("remainder negative only if a is", m_neg * (one - a_neg));
    b.assert_zero("a negative: remainder <= 0", a_neg * (one - m_neg) * (m[0] + m[1] + m[2] + m[3]));

    // |M| < |B| unless b = 0: d = |B| - |M| - 1 >= 0 in two 16-bit lanes.
    std::array<E, 8> bp, mp;  // one's complement of negative words
    for (size_t i = 0; i < 4; ++i) {
      bp[i] = d[i] + b_neg * (c255 - c2 * d[i]);
      mp[i] = m[i] + m_neg * (c255 - c2 * m[i]);
    }
    const E nz = one - b_zero, c1 = b.main(kC1);
    b.assert_zero("remainder bound lane 0",
                  b.main(kDLo) + nz * (mp[0] + c256 * mp[1] + real + m_neg - bp[0] - c256 * bp[1] - b_neg) - c65536 * c1);
    b.assert_zero("remainder bound lane 1", b.main(kDHi) + nz * (mp[2] + c256 * mp[3] - bp[2] - c256 * bp[3]) + c1);

    const E is_div = real - is_rem;
    std::array<E, 4> r;
    for (size_t i = 0; i < 4; ++i) r[i] = is_div * q[i] + is_rem * m[i];
    b.receive(kBusAlu, {op, a[0], a[1], a[2], a[3], d[0], d[1], d[2], d[3], r[0], r[1], r[2], r[3]}, real);

    b.send(kBusBytePair, {q[0], q[1]}, real);
    b.send(kBusBytePair, {q[2], q[3]}, real);
    b.send(kBusBytePair, {m[0], m[1]}, real);
    b.send(kBusBytePair, {m[2], m[3]}, real);
    // SOUNDNESS: x_neg = signed * msb(x) (see top); c1 < 256.
    b.send(kBusBytePair, {sgn * c2 * a[3] - c256 * a_neg, sgn * c2 * d[3] - c256 * b_neg}, real);
    b.send(kBusBytePair, {sgn * c2 * m[3] - c256 * m_neg, c1}, real);
    for (size_t k = 0; k < 4; ++k) {
      const E c = b.main(kCarry + k);
      b.send(kBusU16, {c}, real);
      b.send(kBusU16, {c * b.lit(gadgets::kCarryScale)}, real);
    }
    b.send(kBusU16, {b.main(kDLo)}, real);
    b.send(kBusU16, {b.main(kDHi)}, real);
  }
};

// One row per event, in order, then padding (all zero) to
// padded_height(events.size(), min_rows). Counts every lookup in `bytes`.
// Throws std::logic_error for an op this chip does not handle or an event
// whose r is not alu_reference(op, a, b).
RowMajorMatrix<Fp> div_trace(std::span<const AluEvent> events, ByteCounts& bytes, size_t min_rows);

// A chosen witness for one row: the quotient and remainder words, the
// quotient's sign extension and the divide-by-zero flag.
struct DivWitness {
  vm::Op op;
  uint32_t a, b, q, m;
  bool q_neg = false;
  bool b_zero = false;
};
// The honest witness (trunc division; the spec's x / 0 and INT_MIN / -1).
DivWitness div_witness(vm::Op op, uint32_t a, uint32_t b);
// Fills one real row: sign bits from the words, identity carries solved
// over Fp, the bound lanes solved over the integers. With the honest
// witness every cell is in range; tests pass a wrong one to build the trace
// a cheating prover would send. Does not count lookups.
void div_fill_row(std::span<Fp> row, const DivWitness& w);

}  // namespace zkvm::rv32im
