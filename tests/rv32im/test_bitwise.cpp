#include <catch2/catch.hpp>

#include <random>

#include "prover/rv32im/bitwise.h"
#include "tests/rv32im/rv32im_test_support.h"

using namespace zkvm;
using namespace zkvm::rv32im_test;
using rv32im::BitwiseChipAir;
using vm::Op;

namespace {

constexpr Op kOps[] = {Op::AND, Op::OR, Op::XOR};

struct Tables {
  AluSourceAir source;
  BitwiseChipAir chip;
  rv32im::ByteTableAir bytes;
};

std::vector<AluEvent> events_of(std::initializer_list<std::pair<uint32_t, uint32_t>> operands) {
  std::vector<AluEvent> ev;
  for (Op op : kOps)
    for (auto [a, b] : operands) ev.push_back({op, a, b, rv32im::alu_reference(op, a, b)});
  return ev;
}

std::vector<AluEvent> edge_events() {
  return events_of({{0, 0},
                    {0xffffffffu, 0xffffffffu},
                    {0xffffffffu, 0},
                    {0x80000000u, 0x7fffffffu},
                    {0x55555555u, 0xaaaaaaaau},
                    {0x12345678u, 0xfedcba98u},
                    {1, 0xfffff800u}});  // ANDI/ORI/XORI with imm = -2048
}

std::vector<AluEvent> random_events(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<AluEvent> ev;
  for (size_t i = 0; i < n; ++i) {
    const Op op = kOps[rng() % 3];
    const uint32_t a = rng(), b = rng();
    ev.push_back({op, a, b, rv32im::alu_reference(op, a, b)});
  }
  return ev;
}

// {source, chip, bytes} for the events; the byte counts are recomputed from
// the chip trace's (a_i, b_i) so a cheater's edits keep the table honest.
Statement statement(const Tables& t, std::span<const AluEvent> events) {
  Statement s;
  s.airs = {&t.source, &t.chip, &t.bytes};
  rv32im::ByteCounts counts;
  auto chip = rv32im::bitwise_trace(events, counts, 0);
  s.traces.push_back(alu_source_trace(events, chip.height));
  s.traces.push_back(std::move(chip));
  s.traces.push_back(counts.trace());
  return s;
}

void recount_bytes(Statement& s) {
  rv32im::ByteCounts counts;
  const auto& chip = s.traces[1];
  for (size_t r = 0; r < chip.height; ++r) {
    const bool real = !(chip.at(r, BitwiseChipAir::kIsAnd) + chip.at(r, BitwiseChipAir::kIsOr) +
                        chip.at(r, BitwiseChipAir::kIsXor))
                           .is_zero();
    if (!real) continue;
    for (size_t i = 0; i < 4; ++i)
      counts.xor_lookup(chip.at(r, BitwiseChipAir::kA + i).canonical(), chip.at(r, BitwiseChipAir::kB + i).canonical());
  }
  s.traces[2] = counts.trace();
}

}  // namespace

TEST_CASE("bitwise chip shape: 15 main columns, 4 aux Fp4 columns, degree 3", "[rv32im][bitwise]") {
  const BitwiseChipAir chip;
  const auto shape = air::analyse(chip);
  CHECK(chip.width() == 15);
  CHECK(shape.aux_width() == 4);
  CHECK(shape.max_degree <= 3);
  CHECK(shape.bus_arity.at(rv32im::kBusAlu) == rv32im::kAluTupleLen);
  CHECK(BitwiseChipAir::handles(Op::AND));
  CHECK_FALSE(BitwiseChipAir::handles(Op::SLL));
}

TEST_CASE("AND, OR, XOR on edge values and random words prove and verify", "[rv32im][bitwise]") {
  const Tables t;
  auto ev = edge_events();
  const auto rnd = random_events(43, 7);
  ev.insert(ev.end(), rnd.begin(), rnd.end());  // 64 rows, then kZkFreeRows of padding
  const auto s = statement(t, ev);
  REQUIRE(s.traces[1].height == 256);
  REQUIRE(checker_accepts(s));
  std::string why;
  REQUIRE(prove_and_verify(s, &why));
  INFO(why);
}

TEST_CASE("bitwise trace pads to min_rows with inert rows", "[rv32im][bitwise]") {
  const Tables t;
  const std::vector<AluEvent> ev = {{Op::OR, 0xf0f0f0f0u, 0x0ff00ff0u, 0xfff0fff0u}};
  Statement s;
  s.airs = {&t.source, &t.chip, &t.bytes};
  rv32im::ByteCounts counts;
  auto chip = rv32im::bitwise_trace(ev, counts, 512);
  REQUIRE(chip.height == 512);
  s.traces = {alu_source_trace(ev, 32), std::move(chip), counts.trace()};
  REQUIRE(prove_and_verify(s));
}

TEST_CASE("bitwise trace refuses a wrong result and a foreign op", "[rv32im][bitwise]") {
  rv32im::ByteCounts counts;
  const std::vector<AluEvent> wrong = {{Op::AND, 0xff, 0x0f, 0xff}};
  REQUIRE_THROWS_WITH(rv32im::bitwise_trace(wrong, counts, 0),
                      Catch::Contains("AND 0x000000ff, 0x0000000f gives 0x0000000f"));
  const std::vector<AluEvent> foreign = {{Op::SLL, 1, 1, 2}};
  REQUIRE_THROWS_AS(rv32im::bitwise_trace(foreign, counts, 0), std::logic_error);
}

// A cheater claims r' = r with one bit flipped, in the source and in the
// chip, choosing x so that the chip's formula for r' holds: AND needs
// x = a + b - 2 r', OR x = 2 r' - a - b, XOR x = r'. Only the xor lookup
// can catch it.
TEST_CASE("verifier rejects a wrong AND, OR or XOR result", "[rv32im][bitwise]") {
  const Tables t;
  for (Op op : kOps) {
    for (unsigned bit : {0u, 13u, 31u}) {
      const uint32_t a = 0x9abcdef0u, b = 0x3c3c5a5au;
      std::vector<AluEvent> ev = {{op, a, b, rv32im::alu_reference(op, a, b)}, {Op::XOR, 5, 6, 3}};
      auto s = statement(t, ev);
      const uint32_t r = ev[0].r ^ (1u << bit);
      put_word(s.traces[0].row(0), AluSourceAir::kR, r);
      const size_t i = bit / 8;
      const int64_t ai = (a >> (8 * i)) & 0xff, bi = (b >> (8 * i)) & 0xff, ri = (r >> (8 * i)) & 0xff;
      const int64_t x = op == Op::AND ? ai + bi - 2 * ri : op == Op::OR ? 2 * ri - ai - bi : ri;
      s.traces[1].at(0, BitwiseChipAir::kX + i) = Fp::from_i64(x);
      INFO(vm::mnemonic(op) << " bit " << bit);
      CHECK_FALSE(checker_accepts(s));
      CHECK_FALSE(prove_and_verify(s));
    }
  }
}

TEST_CASE("verifier rejects an OR row proven with the XOR flag and a dropped event", "[rv32im][bitwise]") {
  const Tables t;
  const uint32_t a = 0x0ff0f00fu, b = 0x00ffff00u;
  {
    // Source claims OR(a, b) = a XOR b; chip proves XOR(a, b) instead.
    std::vector<AluEvent> ev = {{Op::XOR, a, b, a ^ b}};
    auto s = statement(t, ev);
    s.traces[0].at(0, AluSourceAir::kOp) = Fp::from_canonical(rv32im::op_id(Op::OR));
    CHECK_FALSE(prove_and_verify(s));
  }
  {
    // The chip leaves the event's row inert (all flags 0): nobody receives it.
    std::vector<AluEvent> ev = {{Op::AND, a, b, a & b}};
    auto s = statement(t, ev);
    s.traces[1].at(0, BitwiseChipAir::kIsAnd) = Fp::zero();
    recount_bytes(s);
    CHECK_FALSE(prove_and_verify(s));
  }
}

// Every cell of every real row, +1 (nothing fixed up): the checker rejects
// each; the real verifier rejects one cell of every column.
TEST_CASE("changing any one cell of a real bitwise row is rejected", "[rv32im][bitwise]") {
  const Tables t;
  const std::vector<AluEvent> ev = {{Op::AND, 0x80ff0102u, 0x7f0f0304u, 0x000f0100u},
                                    {Op::OR, 0x80ff0102u, 0x7f0f0304u, 0xffff0306u},
                                    {Op::XOR, 0x80ff0102u, 0x7f0f0304u, 0xfff00206u},
                                    {Op::XOR, 0, 0, 0}};
  const auto honest = statement(t, ev);
  REQUIRE(checker_accepts(honest));
  for (size_t row = 0; row < ev.size(); ++row) {
    for (size_t col = 0; col < BitwiseChipAir::kWidth; ++col) {
      auto s = honest;
      s.traces[1].at(row, col) += Fp::one();
      INFO("row " << row << " column " << col);
      CHECK_FALSE(checker_accepts(s));
      if (row == col % ev.size()) CHECK_FALSE(prove_and_verify(s));
    }
  }
}
