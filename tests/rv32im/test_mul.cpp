#include <catch2/catch.hpp>

#include <functional>
#include <random>
#include <stdexcept>

#include "prover/rv32im/mul.h"
#include "tests/rv32im/rv32im_test_support.h"

using namespace zkvm;
using namespace zkvm::rv32im_test;
using rv32im::MulChipAir;
using vm::Op;

namespace {

const AluSourceAir kSource;
const MulChipAir kChip;
const rv32im::ByteTableAir kTable;

constexpr Op kOps[4] = {Op::MUL, Op::MULH, Op::MULHSU, Op::MULHU};

AluEvent ev(Op op, uint32_t a, uint32_t b) { return {op, a, b, rv32im::alu_reference(op, a, b)}; }

// Honest statement {source, chip, bytes}.
Statement honest(const std::vector<AluEvent>& events) {
  Statement s;
  s.airs = {&kSource, &kChip, &kTable};
  rv32im::ByteCounts bytes;
  auto chip = rv32im::mul_trace(events, bytes, 4);
  s.traces.push_back(alu_source_trace(events, chip.height));
  s.traces.push_back(std::move(chip));
  s.traces.push_back(bytes.trace());
  return s;
}

// A cheating prover's statement: the source claims `events` (results as
// given), the chip trace is the honest one for `honest_events` edited by
// `edit`, and the byte table counts exactly the lookups the edited chip
// trace makes (the cheater balances what it can).
Statement cheat(const std::vector<AluEvent>& claimed, const std::vector<AluEvent>& honest_events,
                const std::function<void(RowMajorMatrix<Fp>&)>& edit) {
  Statement s;
  s.airs = {&kSource, &kChip, &kTable};
  rv32im::ByteCounts unused;
  auto chip = rv32im::mul_trace(honest_events, unused, 4);
  edit(chip);
  rv32im::ByteCounts bytes;
  rv32im::gadgets::count_lookups(kChip, chip, bytes);
  s.traces.push_back(alu_source_trace(claimed, chip.height));
  s.traces.push_back(std::move(chip));
  s.traces.push_back(bytes.trace());
  return s;
}

uint32_t lo(uint64_t x) { return static_cast<uint32_t>(x); }
uint32_t hi(uint64_t x) { return static_cast<uint32_t>(x >> 32); }

}  // namespace

TEST_CASE("mul chip: 26 main columns, 14 interactions, degree 3", "[rv32im][mul]") {
  const auto shape = air::analyse(kChip);
  CHECK(kChip.width() == 26);
  CHECK(shape.num_interactions == 14);
  CHECK(shape.aux_width() == 9);  // 14 fractions in 8 columns, and the running sum
  CHECK(shape.max_degree <= 3);
}

TEST_CASE("MUL, MULH, MULHSU, MULHU on edge and random values prove and verify", "[rv32im][mul]") {
  const uint32_t edge[] = {0, 1, 2, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x80000001u, 0x0000ffffu, 0xffff0000u};
  std::vector<AluEvent> events;
  for (Op op : kOps)
    for (uint32_t a : edge)
      for (uint32_t b : edge) events.push_back(ev(op, a, b));
  std::mt19937 rng(7);
  for (int i = 0; i < 60; ++i) events.push_back(ev(kOps[i % 4], rng(), rng()));
  const Statement s = honest(events);
  REQUIRE(checker_accepts(s));
  std::string why;
  REQUIRE(prove_and_verify(s, &why));
}

TEST_CASE("mul_trace refuses a wrong result and a foreign op", "[rv32im][mul]") {
  rv32im::ByteCounts bytes;
  std::vector<AluEvent> wrong = {{Op::MUL, 3, 5, 16}};
  REQUIRE_THROWS_AS(rv32im::mul_trace(wrong, bytes, 4), std::logic_error);
  std::vector<AluEvent> foreign = {{Op::DIV, 3, 5, 0}};
  REQUIRE_THROWS_AS(rv32im::mul_trace(foreign, bytes, 4), std::logic_error);
}

TEST_CASE("verifier rejects a wrong MUL low word (carries solved over Fp)", "[rv32im][mul]") {
  const uint32_t a = 0x12345678, b = 0x9abcdef1;
  const uint64_t bad = rv32im::mul_product(Op::MUL, a, b) + 1;
  const auto s = cheat({{Op::MUL, a, b, lo(bad)}}, {ev(Op::MUL, a, b)},
                       [&](RowMajorMatrix<Fp>& m) { rv32im::mul_fill_row(m.row(0), Op::MUL, a, b, bad); });
  REQUIRE_FALSE(checker_accepts(s));
  REQUIRE_FALSE(prove_and_verify(s));
}

TEST_CASE("verifier rejects product + p: a lane carry that passes U16 but not the 2^13 bound", "[rv32im][mul]") {
  // p = 1 + 30720 * 2^16: carry0 = true carry + 30720 balances lane 0 with
  // the low 16 bits one too high; every other cell stays in range.
  const uint32_t a = 0x12345678, b = 0x9abcdef1;
  const uint64_t bad = rv32im::mul_product(Op::MUL, a, b) + Fp::kModulus;
  const auto s = cheat({{Op::MUL, a, b, lo(bad)}}, {ev(Op::MUL, a, b)},
                       [&](RowMajorMatrix<Fp>& m) { rv32im::mul_fill_row(m.row(0), Op::MUL, a, b, bad); });
  for (size_t k = 0; k < 4; ++k) REQUIRE(s.traces[1].at(0, MulChipAir::kCarry + k).canonical() < (1u << 16));
  REQUIRE(s.traces[1].at(0, MulChipAir::kCarry).canonical() >= (1u << 13));
  const auto res = air::check_constraints(s.witnesses());
  REQUIRE_FALSE(res.ok);
  REQUIRE(res.constraint == "bus");
  REQUIRE(res.message.find("u16") != std::string::npos);
  REQUIRE_FALSE(prove_and_verify(s));
}

TEST_CASE("verifier rejects MULH and MULHSU claiming the MULHU result (sign bits zeroed)", "[rv32im][mul]") {
  const uint32_t a = 0xfffffff0u, b = 0x80000003u;  // both negative as signed
  for (Op op : {Op::MULH, Op::MULHSU}) {
    const uint32_t claim = rv32im::alu_reference(Op::MULHU, a, b);
    REQUIRE(claim != rv32im::alu_reference(op, a, b));
    // The MULHU row relabelled as `op` with sign bits 0: the lane
    // equations hold (no sign extension); only the sign-bit lookup fails.
    const auto s = cheat({{op, a, b, claim}}, {ev(Op::MULHU, a, b)}, [&](RowMajorMatrix<Fp>& m) {
      m.at(0, MulChipAir::kIsMulhu) = Fp::zero();
      m.at(0, op == Op::MULH ? MulChipAir::kIsMulh : MulChipAir::kIsMulhsu) = Fp::one();
      m.at(0, MulChipAir::kSignA) = Fp::zero();
      m.at(0, MulChipAir::kSignB) = Fp::zero();
    });
    REQUIRE_FALSE(checker_accepts(s));
    REQUIRE_FALSE(prove_and_verify(s));
  }
}

TEST_CASE("verifier rejects MULHU claiming the MULH result", "[rv32im][mul]") {
  const uint32_t a = 0xfffffff0u, b = 0x80000003u;
  const uint64_t signed_prod = rv32im::mul_product(Op::MULH, a, b);
  REQUIRE(hi(signed_prod) != rv32im::alu_reference(Op::MULHU, a, b));
  const auto s = cheat({{Op::MULHU, a, b, hi(signed_prod)}}, {ev(Op::MULHU, a, b)},
                       [&](RowMajorMatrix<Fp>& m) { rv32im::mul_fill_row(m.row(0), Op::MULHU, a, b, signed_prod); });
  REQUIRE_FALSE(checker_accepts(s));
  REQUIRE_FALSE(prove_and_verify(s));
}

TEST_CASE("verifier rejects MULHSU claiming the MULH result", "[rv32im][mul]") {
  const uint32_t a = 0x00001234u, b = 0xfffffff7u;  // b negative: MULH and MULHSU differ
  const uint64_t signed_prod = rv32im::mul_product(Op::MULH, a, b);
  REQUIRE(hi(signed_prod) != rv32im::alu_reference(Op::MULHSU, a, b));
  const auto s = cheat({{Op::MULHSU, a, b, hi(signed_prod)}}, {ev(Op::MULHSU, a, b)},
                       [&](RowMajorMatrix<Fp>& m) { rv32im::mul_fill_row(m.row(0), Op::MULHSU, a, b, signed_prod); });
  REQUIRE_FALSE(checker_accepts(s));
  REQUIRE_FALSE(prove_and_verify(s));
}

// Column coverage: one cell of a real row + 1, nothing else fixed up (the
// byte table recounts the edited trace's lookups). Every cell of every real
// row through the checker; every column once through the real verifier.
TEST_CASE("mul chip: changing any one cell of a real row is rejected", "[rv32im][mul]") {
  const std::vector<AluEvent> events = {ev(Op::MUL, 0x89abcdefu, 0xfedcba98u), ev(Op::MULH, 0x80000000u, 0xffffffffu),
                                        ev(Op::MULHSU, 0xf0000001u, 0x8765432fu), ev(Op::MULHU, 0xffffffffu, 0xffffffffu),
                                        ev(Op::MULH, 0x7fffffffu, 0x80000001u), ev(Op::MUL, 0, 0)};
  for (size_t c = 0; c < MulChipAir::kWidth; ++c) {
    for (size_t r = 0; r < events.size(); ++r) {
      INFO("column " << MulChipAir::column_name(c) << ", row " << r);
      const auto s = cheat(events, events, [&](RowMajorMatrix<Fp>& m) { m.at(r, c) += Fp::one(); });
      CHECK_FALSE(checker_accepts(s));
    }
    INFO("column " << MulChipAir::column_name(c) << " through the verifier");
    const size_t r = c % events.size();
    const auto s = cheat(events, events, [&](RowMajorMatrix<Fp>& m) { m.at(r, c) += Fp::one(); });
    CHECK_FALSE(prove_and_verify(s));
  }
}
