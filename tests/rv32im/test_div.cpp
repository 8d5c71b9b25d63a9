#include <catch2/catch.hpp>

#include <functional>
#include <random>
#include <stdexcept>

#include "prover/rv32im/div.h"
#include "tests/rv32im/rv32im_test_support.h"

using namespace zkvm;
using namespace zkvm::rv32im_test;
using rv32im::DivChipAir;
using rv32im::DivWitness;
using vm::Op;

namespace {

const AluSourceAir kSource;
const DivChipAir kChip;
const rv32im::ByteTableAir kTable;

constexpr Op kOps[4] = {Op::DIV, Op::DIVU, Op::REM, Op::REMU};
constexpr uint32_t kMin = 0x80000000u, kNeg1 = 0xffffffffu;

AluEvent ev(Op op, uint32_t a, uint32_t b) { return {op, a, b, rv32im::alu_reference(op, a, b)}; }
bool is_rem(Op op) { return op == Op::REM || op == Op::REMU; }

Statement honest(const std::vector<AluEvent>& events) {
  Statement s;
  s.airs = {&kSource, &kChip, &kTable};
  rv32im::ByteCounts bytes;
  auto chip = rv32im::div_trace(events, bytes, 4);
  s.traces.push_back(alu_source_trace(events, chip.height));
  s.traces.push_back(std::move(chip));
  s.traces.push_back(bytes.trace());
  return s;
}

// Source claims `claimed`; chip trace = honest trace of `honest_events`,
// edited; byte table counts exactly the edited trace's lookups.
Statement cheat(const std::vector<AluEvent>& claimed, const std::vector<AluEvent>& honest_events,
                const std::function<void(RowMajorMatrix<Fp>&)>& edit) {
  Statement s;
  s.airs = {&kSource, &kChip, &kTable};
  rv32im::ByteCounts unused;
  auto chip = rv32im::div_trace(honest_events, unused, 4);
  edit(chip);
  rv32im::ByteCounts bytes;
  rv32im::gadgets::count_lookups(kChip, chip, bytes);
  s.traces.push_back(alu_source_trace(claimed, chip.height));
  s.traces.push_back(std::move(chip));
  s.traces.push_back(bytes.trace());
  return s;
}

// One-row cheat: the chip row is filled from witness w, the source claims
// w's q (DIV/DIVU) or m (REM/REMU).
Statement cheat_witness(const DivWitness& w) {
  const AluEvent claim{w.op, w.a, w.b, is_rem(w.op) ? w.m : w.q};
  return cheat({claim}, {ev(w.op, w.a, w.b)}, [&](RowMajorMatrix<Fp>& m) { rv32im::div_fill_row(m.row(0), w); });
}

void require_rejected(const Statement& s) {
  REQUIRE_FALSE(checker_accepts(s));
  REQUIRE_FALSE(prove_and_verify(s));
}

}  // namespace

TEST_CASE("div chip: 31 main columns, 17 interactions, degree 3", "[rv32im][div]") {
  const auto shape = air::analyse(kChip);
  CHECK(kChip.width() == 31);
  CHECK(shape.num_interactions == 17);
  CHECK(shape.aux_width() == 11);  // 17 fractions in 10 columns, and the running sum
  CHECK(shape.max_degree <= 3);
}

TEST_CASE("DIV, DIVU, REM, REMU on edge values, x / 0 and INT_MIN / -1 prove and verify", "[rv32im][div]") {
  const uint32_t edge[] = {0, 1, 2, 3, kNeg1, kMin, 0x7fffffffu, 0x80000001u, 0xfffffffeu, 7, 0xfffffff9u};
  std::vector<AluEvent> events;
  for (Op op : kOps)
    for (uint32_t a : edge)
      for (uint32_t b : edge) events.push_back(ev(op, a, b));
  std::mt19937 rng(11);
  for (int i = 0; i < 64; ++i) {
    const uint32_t a = rng(), b = i % 3 == 0 ? rng() >> (rng() % 32) : rng();
    events.push_back(ev(kOps[i % 4], a, b));
  }
  const Statement s = honest(events);
  REQUIRE(checker_accepts(s));
  REQUIRE(prove_and_verify(s));
}

TEST_CASE("div_trace follows the spec for x / 0 and INT_MIN / -1 and refuses wrong events", "[rv32im][div]") {
  CHECK(rv32im::div_witness(Op::DIV, 5, 0).q == kNeg1);
  CHECK(rv32im::div_witness(Op::REMU, 5, 0).m == 5);
  CHECK(rv32im::div_witness(Op::DIV, kMin, kNeg1).q == kMin);
  CHECK(rv32im::div_witness(Op::REM, kMin, kNeg1).m == 0);
  rv32im::ByteCounts bytes;
  std::vector<AluEvent> wrong = {{Op::DIVU, 7, 2, 4}};
  REQUIRE_THROWS_AS(rv32im::div_trace(wrong, bytes, 4), std::logic_error);
  std::vector<AluEvent> foreign = {{Op::MUL, 7, 2, 14}};
  REQUIRE_THROWS_AS(rv32im::div_trace(foreign, bytes, 4), std::logic_error);
}

TEST_CASE("verifier rejects a quotient off by one with the compensating remainder", "[rv32im][div]") {
  // 100 / 7: q = 13, m = 9 keeps q*b + m = a; m >= b breaks the bound.
  for (Op op : {Op::DIVU, Op::REMU}) require_rejected(cheat_witness({op, 100, 7, 13, 9}));
  // -100 / 7 (DIV, REM): q = -15, m = 5 (floor division) breaks the sign
  // rule; q = -13, m = -9 breaks the bound.
  const uint32_t a = static_cast<uint32_t>(-100);
  for (Op op : {Op::DIV, Op::REM}) {
    require_rejected(cheat_witness({op, a, 7, static_cast<uint32_t>(-15), 5, true}));
    require_rejected(cheat_witness({op, a, 7, static_cast<uint32_t>(-13), static_cast<uint32_t>(-9), true}));
  }
  // Negative divisor: 100 / -7 with q = -13, m = 9.
  for (Op op : {Op::DIV, Op::REM})
    require_rejected(cheat_witness({op, 100, static_cast<uint32_t>(-7), static_cast<uint32_t>(-13), 9, true}));
}

TEST_CASE("verifier rejects each op claiming a wrong result (identity carries solved over Fp)", "[rv32im][div]") {
  // q or m changed alone: q*b + m != a, so the identity lanes need
  // fractional carries.
  for (Op op : kOps) {
    DivWitness w = rv32im::div_witness(op, 0x9abcdef1u, 0x1234u);
    if (is_rem(op)) w.m += 1;
    else w.q += 1;
    require_rejected(cheat_witness(w));
  }
}

TEST_CASE("verifier rejects DIV and DIVU by zero returning other than all ones", "[rv32im][div]") {
  for (Op op : {Op::DIV, Op::DIVU}) {
    // With b_zero set, q = 0 breaks "x / 0: q = 255".
    require_rejected(cheat_witness({op, 1234, 0, 0, 1234, false, true}));
    // Without b_zero, q = 0, m = a: the bound |m| < |b| = 0 fails.
    require_rejected(cheat_witness({op, 1234, 0, 0, 1234, false, false}));
  }
}

TEST_CASE("verifier rejects REM and REMU by zero returning other than the dividend", "[rv32im][div]") {
  for (Op op : {Op::REM, Op::REMU}) {
    require_rejected(cheat_witness({op, 1234, 0, kNeg1, 0, false, true}));
    require_rejected(cheat_witness({op, 1234, 0, 0, 0, false, false}));
  }
}

TEST_CASE("verifier rejects INT_MIN / -1 returning other than INT_MIN, remainder 0", "[rv32im][div]") {
  for (Op op : {Op::DIV, Op::REM}) {
    // q = 0, m = INT_MIN satisfies q*b + m = a and the sign rule; |m| >= |b|.
    require_rejected(cheat_witness({op, kMin, kNeg1, 0, kMin}));
    // q = INT_MIN read as negative (q_neg = 1): q*b = 2^31 != a.
    require_rejected(cheat_witness({op, kMin, kNeg1, kMin, 0, true}));
    // q = INT_MAX, m = -1: q*b + m = -2^31 but |m| >= |b|.
    require_rejected(cheat_witness({op, kMin, kNeg1, 0x7fffffffu, kNeg1}));
  }
}

// Column coverage: one cell of a real row + 1, nothing else fixed up (the
// byte table recounts the edited trace's lookups). Every cell of every real
// row through the checker; every column once through the real verifier.
TEST_CASE("div chip: changing any one cell of a real row is rejected", "[rv32im][div]") {
  const std::vector<AluEvent> events = {
      ev(Op::DIV, 0x89abcdefu, 0x00001234u), ev(Op::DIV, 0x12345678u, 0xfffffff3u), ev(Op::REM, 0xf0000001u, 0x87u),
      ev(Op::REM, kMin, kNeg1),              ev(Op::DIV, kMin, kNeg1),              ev(Op::DIVU, 0xfedcba98u, 0x10u),
      ev(Op::REMU, 0xfedcba98u, 0xffffffffu), ev(Op::DIV, 0x80000005u, 0),          ev(Op::REMU, 77, 0),
      ev(Op::REM, 0xffffff00u, 0x80000000u)};
  for (size_t c = 0; c < DivChipAir::kWidth; ++c) {
    for (size_t r = 0; r < events.size(); ++r) {
      INFO("column " << DivChipAir::column_name(c) << ", row " << r);
      const auto s = cheat(events, events, [&](RowMajorMatrix<Fp>& m) { m.at(r, c) += Fp::one(); });
      CHECK_FALSE(checker_accepts(s));
    }
    INFO("column " << DivChipAir::column_name(c) << " through the verifier");
    const size_t r = c % events.size();
    const auto s = cheat(events, events, [&](RowMajorMatrix<Fp>& m) { m.at(r, c) += Fp::one(); });
    CHECK_FALSE(prove_and_verify(s));
  }
}
