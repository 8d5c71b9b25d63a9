// BITWISE chip: AND, OR, XOR (and ANDI/ORI/XORI, which the CPU sends in
// register form with b = the immediate).
//
// Receives on kBusAlu (op, a0..a3, b0..b3, r0..r3) with multiplicity
//   mult = is_and + is_or + is_xor   (1 on a real row, 0 on padding).
// Sends on kBusByteXor (a_i, b_i, x_i) for i = 0..3 with multiplicity mult.
// Assumes (sender, bus.h): a_i, b_i are bytes. Guarantees: r_i are bytes and
// r = op(a, b).
//
// SOUNDNESS: the xor lookup proves x_i = a_i XOR b_i (and a_i, b_i bytes).
// Over the integers a + b = (a XOR b) + 2 (a AND b), so
//   AND = (a + b - x) / 2,  OR = (a + b + x) / 2 = x + AND,  XOR = x,
// and the field division by 2 of the even integer a + b -+ x in [0, 510] is
// exact, so each r_i (a tuple expression, not a column) is the byte op(a_i,
// b_i). The flags are boolean with boolean sum: at most one is set, and it
// fixes both the op id on the bus and the formula of r.
//
// Columns: main 15 (a 4, b 4, x 4, flags 3); LogUp aux 5 interactions
// (1 alu + 4 xor) + 1 running sum = 6 Fp4 = 24 base columns. Max degree 3
// (alu receive: the tuple r_i = flag * (a, b, x) has degree 2).
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "prover/air/air.h"
#include "prover/rv32im/alu.h"
#include "prover/rv32im/bus.h"
#include "prover/rv32im/bytes.h"

namespace zkvm::rv32im {

class BitwiseChipAir : public ChipAir<BitwiseChipAir> {
 public:
  enum Col : size_t {
    kA = 0,            // a0..a3
    kB = kA + 4,       // b0..b3
    kX = kB + 4,       // x_i = a_i XOR b_i
    kIsAnd = kX + 4,
    kIsOr,
    kIsXor,
    kWidth,
  };
  static constexpr uint32_t kInv2 = (Fp::kModulus + 1) / 2;

  static bool handles(vm::Op op) { return op == vm::Op::AND || op == vm::Op::OR || op == vm::Op::XOR; }

  std::string name() const override { return "rv32im-bitwise"; }
  size_t width() const override { return kWidth; }
  std::string bus_name(uint32_t bus) const override { return rv32im_bus_name(bus); }

  template <class B>
  void constraints(B& b) const {
    auto is_and = b.main(kIsAnd), is_or = b.main(kIsOr), is_xor = b.main(kIsXor);
    auto mult = is_and + is_or + is_xor;
    b.assert_bool("AND flag is boolean", is_and);
    b.assert_bool("OR flag is boolean", is_or);
    b.assert_bool("XOR flag is boolean", is_xor);
    b.assert_bool("at most one op flag", mult);

    // x_i = a_i XOR b_i (and a_i, b_i, x_i bytes): the byte table.
    for (size_t i = 0; i < 4; ++i) b.send(kBusByteXor, {b.main(kA + i), b.main(kB + i), b.main(kX + i)}, mult);

    const auto half = b.lit(kInv2);
    auto r = [&](size_t i) {
      auto a = b.main(kA + i), bb = b.main(kB + i), x = b.main(kX + i);
      return is_and * ((a + bb - x) * half) + is_or * ((a + bb + x) * half) + is_xor * x;
    };
    auto op = is_and * b.lit(op_id(vm::Op::AND)) + is_or * b.lit(op_id(vm::Op::OR)) +
              is_xor * b.lit(op_id(vm::Op::XOR));
    b.receive(kBusAlu,
              {op, b.main(kA), b.main(kA + 1), b.main(kA + 2), b.main(kA + 3), b.main(kB), b.main(kB + 1),
               b.main(kB + 2), b.main(kB + 3), r(0), r(1), r(2), r(3)},
              mult);
  }
};

// One row per event, in order; height padded_height(events.size(),
// min_rows); padding rows are all zero (multiplicity 0). Adds the xor
// lookups to `bytes`. Throws std::logic_error for an event whose op is not
// AND/OR/XOR or whose r differs from alu_reference.
RowMajorMatrix<Fp> bitwise_trace(std::span<const AluEvent> events, ByteCounts& bytes, size_t min_rows);

}  // namespace zkvm::rv32im
