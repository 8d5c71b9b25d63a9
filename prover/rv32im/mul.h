// MUL chip: MUL, MULH, MULHSU, MULHU (RISC-V unprivileged spec, "M"
// extension: MUL places the lower XLEN bits of the XLEN x XLEN product in
// rd; MULH, MULHU and MULHSU the upper XLEN bits of the full 2*XLEN-bit
// product for signed x signed, unsigned x unsigned, signed rs1 x unsigned
// rs2).
//
// Receives on kBusAlu (op, a0..a3, b0..b3, r0..r3) with multiplicity
// real = is_mul + is_mulh + is_mulhsu + is_mulhu (0 on padding rows).
// Assumes: a_i, b_i are bytes (the sender's guarantee, bus.h).
// Guarantees: r_i are bytes and r = alu_reference(op, a, b).
//
// Columns: 26 main (flags 4, a 4, b 4, p 8, sa, sb, carry 4); 14 LogUp
// interactions (alu 1, byte pair 5, u16 8), so 15 Fp4 = 60 aux base
// columns. Max constraint degree 3. Every lookup has multiplicity real.
//
// SOUNDNESS:
// - Flags boolean and their sum boolean: a real row is exactly one op, and
//   op in the tuple is that op's id.
// - sa = msb(a): PAIR(2 a3 - 256 sa, .) with sa boolean. 2 a3 - 256 sa lies
//   in [-256, 510] as an integer and is in [0, 256) iff sa = [a3 >= 128].
//   Same for sb and b3.
// - a_ext = a with limbs 4..7 = 255 sa (is_mulh + is_mulhsu): the 64-bit
//   sign extension of a for MULH/MULHSU, zero extension otherwise; b_ext
//   likewise with is_mulh.
// - p0..p7 bytes (PAIR), carries < 2^13 (word_gadgets.h): the lane
//   equations P_k(a_ext, b_ext) + c_(k-1) = p_lane_k + 2^16 c_k hold over the
//   integers, so p = a_ext * b_ext mod 2^64, the 64-bit two's complement
//   product for each signedness.
// - The tuple carries r = p0..3 for MUL, p4..7 otherwise.
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

class MulChipAir : public ChipAir<MulChipAir> {
 public:
  enum Col : size_t {
    kIsMul,
    kIsMulh,
    kIsMulhsu,
    kIsMulhu,
    kA,                // a0..a3
    kB = kA + 4,       // b0..b3
    kP = kB + 4,       // p0..p7: a_ext * b_ext mod 2^64, bytes
    kSignA = kP + 8,   // msb(a)
    kSignB,            // msb(b)
    kCarry,            // lane carries c0..c3
    kWidth = kCarry + 4,
  };
  static bool handles(vm::Op op) {
    return op == vm::Op::MUL || op == vm::Op::MULH || op == vm::Op::MULHSU || op == vm::Op::MULHU;
  }
  static std::string column_name(size_t c);

  std::string name() const override { return "rv32im-mul"; }
  size_t width() const override { return kWidth; }
  std::string bus_name(uint32_t bus) const override { return rv32im_bus_name(bus); }

  template <class B>
  void constraints(B& b) const {
    using E = typename B::Expr;
    const E c255 = b.lit(255), c256 = b.lit(256);
    const E is_mul = b.main(kIsMul), is_mulh = b.main(kIsMulh), is_mulhsu = b.main(kIsMulhsu),
            is_mulhu = b.main(kIsMulhu);
    b.assert_bool("is_mul is boolean", is_mul);
    b.assert_bool("is_mulh is boolean", is_mulh);
    b.assert_bool("is_mulhsu is boolean", is_mulhsu);
    b.assert_bool("is_mulhu is boolean", is_mulhu);
    const E real = is_mul + is_mulh + is_mulhsu + is_mulhu;
    b.assert_bool("at most one op flag", real);
    const E high = real - is_mul;
    const E op = is_mul * b.lit(op_id(vm::Op::MUL)) + is_mulh * b.lit(op_id(vm::Op::MULH)) +
                 is_mulhsu * b.lit(op_id(vm::Op::MULHSU)) + is_mulhu * b.lit(op_id(vm::Op::MULHU));

    const E sa = b.main(kSignA), sb = b.main(kSignB);
    b.assert_bool("sign of a is boolean", sa);
    b.assert_bool("sign of b is boolean", sb);
    std::array<E, 8> x, y, p;
    const E x_ext = c255 * sa * (is_mulh + is_mulhsu), y_ext = c255 * sb * is_mulh;
    for (size_t i = 0; i < 4; ++i) {
      x[i] = b.main(kA + i);
      y[i] = b.main(kB + i);
      x[i + 4] = x_ext;
      y[i + 4] = y_ext;
    }
    for (size_t i = 0; i < 8; ++i) p[i] = b.main(kP + i);

    // p = a_ext * b_ext mod 2^64 (word_gadgets.h).
    static constexpr const char* kLane[4] = {"product lane 0", "product lane 1", "product lane 2", "product lane 3"};
    for (size_t k = 0; k < 4; ++k) {
      const E carry_in = k == 0 ? b.lit(0) : b.main(kCarry + k - 1);
      b.assert_zero(kLane[k], gadgets::product_lane(x, y, k, c256) + carry_in -
                                  gadgets::lane16(p, k, c256) - b.main(kCarry + k) * b.lit(65536));
    }

    // MUL returns the low word, MULH/MULHSU/MULHU the high word.
    std::array<E, 4> r;
    for (size_t i = 0; i < 4; ++i) r[i] = is_mul * p[i] + high * p[i + 4];
    b.receive(kBusAlu, {op, x[0], x[1], x[2], x[3], y[0], y[1], y[2], y[3], r[0], r[1], r[2], r[3]}, real);

    for (size_t i = 0; i < 8; i += 2) b.send(kBusBytePair, {p[i], p[i + 1]}, real);
    // SOUNDNESS: sa, sb are the sign bits (see top).
    b.send(kBusBytePair, {b.lit(2) * x[3] - c256 * sa, b.lit(2) * y[3] - c256 * sb}, real);
    for (size_t k = 0; k < 4; ++k) {
      const E c = b.main(kCarry + k);
      b.send(kBusU16, {c}, real);
      b.send(kBusU16, {c * b.lit(gadgets::kCarryScale)}, real);
    }
  }
};

// One row per event, in order, then padding (all zero) to
// padded_height(events.size(), min_rows). Counts every lookup in `bytes`.
// Throws std::logic_error for an op this chip does not handle or an event
// whose r is not alu_reference(op, a, b).
RowMajorMatrix<Fp> mul_trace(std::span<const AluEvent> events, ByteCounts& bytes, size_t min_rows);

// Fills one real row for (op, a, b) with the given 64-bit product bytes;
// the sign bits are a's and b's, the carries are solved over Fp. With the
// true product every cell is in range; tests pass a wrong product to build
// the trace a cheating prover would send. Does not count lookups.
void mul_fill_row(std::span<Fp> row, vm::Op op, uint32_t a, uint32_t b, uint64_t product);

// The 64-bit product a_ext * b_ext mod 2^64 for op's signedness.
uint64_t mul_product(vm::Op op, uint32_t a, uint32_t b);

}  // namespace zkvm::rv32im
