// The dense4_rom call table (dense.h) in the whole circuit: honest calls
// (every clamp case, negative multipliers, s2 = 3 and 31, lo = hi) prove and
// verify with the emulator's outputs; cheating provers (a wrong output
// byte, a bias word the image does not hold, a call row without its ecall
// and the reverse, an a7 that is no call, an int8-x sign bit that is not the
// byte's, an int8-x call's rows in the biased table) are rejected with the
// debug checker off; every column of the call table and of the int8-x data
// table has a changed cell the verifier rejects.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <random>

#include "prover/rv32im/dense.h"
#include "prover/rv32im/dot.h"
#include "prover/rv32im/mul.h"
#include "prover/rv32im/prove.h"
#include "tests/rv32im/rv32im_trace_support.h"
#include "zkvm/vm/accel.h"

using namespace zkvm;
using namespace zkvm::rv32im_trace_test;
using field::Fp;
using rv32im::DenseCallAir;

namespace {

// Data (all of it loaded by the ELF, so image words): x (64 bytes) at kX
// and its output word Q at kX + K (stored by the program before each call),
// w (256 bytes) at kW, eight blocks of four bias, mult and shift words.
constexpr uint32_t kX = kDataBase, kW = kDataBase + 0x80, kBias = kDataBase + 0x180, kMult = kDataBase + 0x200,
                   kShift = kDataBase + 0x280, kOutBuf = kDataBase + 0x300;
constexpr uint32_t kK = 64;
constexpr unsigned a5 = 15, t0r = 5, s0 = 8;

struct Params {
  uint32_t k, block, pc;
  int32_t zp, lo, hi;
  uint32_t sx = 0;  // 1: x's bytes are int8 (DotRomSxAir's rows)
  uint32_t q() const {
    return (static_cast<uint32_t>(zp) & 0xff) | (static_cast<uint32_t>(lo) & 0xff) << 8 |
           (static_cast<uint32_t>(hi) & 0xff) << 16 | (pc + 2 * sx) << 24;
  }
};

// The calls of many_calls_program: outputs spread past both bounds, per
// channel and per tensor, negative multipliers, shifts 35 and 63, lo = hi,
// mult = 0, a bias that wraps, biased and int8 x bytes (calls 7..9), K = 4
// (last: its Q lands inside x).
const std::vector<Params> kCalls = {
    {kK, 0, 1, 5, -100, 90},        {kK, 1, 0, -3, -128, 127},   {kK, 2, 1, 0, -50, 50},
    {kK, 3, 1, 0, 7, 7},            {kK, 4, 0, 100, -128, 127},  {kK, 5, 1, 2, -20, 127},
    {kK, 7, 1, 1, -128, 0},         {kK, 0, 1, 5, -100, 90, 1},  {kK, 4, 0, 3, -128, 127, 1},
    {kK, 2, 1, -9, -60, 60, 1},     {4, 6, 1, -128, -128, 127},
};
constexpr size_t kSignedCalls = 3;

std::vector<uint8_t> dense_data() {
  std::vector<uint8_t> d(0x340);
  std::mt19937 rng(5);
  for (uint32_t i = 0; i < 0x180; ++i) d[i] = static_cast<uint8_t>(rng());
  auto put = [&](uint32_t at, int32_t v) { std::memcpy(d.data() + (at - kDataBase), &v, 4); };
  std::uniform_int_distribution<int32_t> bias(-60000, 60000), mult(1 << 28, 0x7fffffff), shift(36, 40);
  for (uint32_t i = 0; i < 32; ++i) {
    put(kBias + 4 * i, bias(rng));
    put(kMult + 4 * i, (i & 1) ? -mult(rng) : mult(rng));
    put(kShift + 4 * i, shift(rng));
  }
  put(kBias + 4 * 21, INT32_MAX);  // block 5: the wrapping add
  put(kBias + 4 * 22, INT32_MIN);
  const int32_t m2[4] = {0x7fffffff, 1 << 30, INT32_MIN, 12345678}, s2[4] = {35, 63, 36, 50};
  for (uint32_t j = 0; j < 4; ++j) put(kMult + 32 + 4 * j, m2[j]), put(kShift + 32 + 4 * j, s2[j]);
  put(kMult + 16 * 4, 0);  // block 4: mult = 0 (per tensor)
  put(kMult + 16 * 6, INT32_MIN), put(kShift + 16 * 6, 44);
  return d;
}

void dense_call(std::vector<uint32_t>& code, const Params& q, uint32_t number = vm::kSysDense4Rom) {
  li(code, t0r, q.q());
  li(code, a0, kX);
  code.push_back(SW(t0r, a0, static_cast<int32_t>(q.k)));  // Q at x + K
  li(code, a1, kW);
  li(code, a2, q.k);
  li(code, a3, kBias + 16 * q.block);
  li(code, a4, kMult + 16 * q.block);
  li(code, a5, kShift + 16 * q.block);
  li(code, a7, number);
  code.push_back(ECALL);
}

// Every call of kCalls, each output word to the journal, exit 0.
vm::Program many_calls_program() {
  std::vector<uint32_t> code;
  li(code, s1, kOutBuf);
  for (size_t i = 0; i < kCalls.size(); ++i) {
    dense_call(code, kCalls[i]);
    code.push_back(SW(a0, s1, static_cast<int32_t>(4 * i)));
  }
  li(code, a0, 3);
  code.push_back(ADDI(a1, s1, 0));
  li(code, a2, static_cast<uint32_t>(4 * kCalls.size()));
  li(code, a7, vm::kSysWrite);
  code.push_back(ECALL);
  li(code, a0, 0);
  exit_with_a0(code);
  return make_program(code, dense_data());
}

// One call (kCalls[i]); exit(a0): the exit code is output 0.
std::vector<uint32_t> one_call_code(size_t i, uint32_t number = vm::kSysDense4Rom) {
  std::vector<uint32_t> code;
  dense_call(code, kCalls[i], number);
  exit_with_a0(code);
  return code;
}
vm::Program one_call_program(size_t i) { return make_program(one_call_code(i), dense_data()); }

// The host reference over the program's data (x as the call sees it: the
// earlier calls' Q words stored inside it).
uint32_t expected(const Params& q, const std::vector<uint8_t>& x_now) {
  const std::vector<uint8_t> d = dense_data();
  auto byte_at = [&](uint32_t a) { return a < kX + kK ? x_now[a - kX] : d[a - kDataBase]; };
  const auto sums = vm::dot4_reference(kX, kW, q.k, byte_at, q.sx != 0);
  uint32_t bias[4], mult[4], shift[4];
  for (uint32_t j = 0; j < 4; ++j) {
    std::memcpy(&bias[j], d.data() + (kBias - kDataBase) + 16 * q.block + 4 * j, 4);
    std::memcpy(&mult[j], d.data() + (kMult - kDataBase) + 16 * q.block + 4 * j * q.pc, 4);
    std::memcpy(&shift[j], d.data() + (kShift - kDataBase) + 16 * q.block + 4 * j * q.pc, 4);
  }
  return vm::dense4_output(sums, bias, mult, shift, vm::dense4_unpack(q.q()));
}

size_t call_row(const Recorded& r) {
  for (const auto& s : r.syscalls)
    if (s.number == vm::kSysDense4Rom) return s.cycle;
  FAIL("no dense4_rom call");
  return 0;
}

// one_call_program claims the output word v (a0 := v; exit(v)).
void forge_result(Recorded& r, uint32_t v) {
  const size_t i = call_row(r);
  for (auto& s : r.syscalls)
    if (s.number == vm::kSysDense4Rom) s.ret[0] = v;
  r.rows[i].rd_val = v;
  forge_exit_a0(r, v);
}

}  // namespace

TEST_CASE("dense4_rom call table: 259 main columns, 106 fractions in 56 aux columns, degree 3", "[rv32im][dense]") {
  const air::AirShape call = air::analyse(DenseCallAir{});
  CHECK(DenseCallAir::kWidth == 259);
  CHECK(call.num_interactions == 106);
  CHECK(call.aux_width() == 56);  // 55 fraction columns (four clamp pairs stay single) and the running sum
  CHECK(call.max_degree == 3);
}

TEST_CASE("dense4_rom calls prove and verify with the emulator's outputs, every clamp case among them",
          "[rv32im][dense]") {
  const auto p = many_calls_program();
  const Recorded r = record(p);
  REQUIRE(r.claim.journal.size() == 4 * kCalls.size());
  std::vector<uint8_t> x(dense_data().begin(), dense_data().begin() + kK);
  for (size_t i = 0; i < kCalls.size(); ++i) {
    const uint32_t q = kCalls[i].q();
    if (kCalls[i].k < kK) std::memcpy(x.data() + kCalls[i].k, &q, 4);
    uint32_t got = 0;
    std::memcpy(&got, r.claim.journal.data() + 4 * i, 4);
    INFO("call " << i);
    CHECK(got == expected(kCalls[i], x));
  }
  const Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  CHECK(real_rows(b, rv32im::kTableDense) == kCalls.size());
  CHECK(real_rows(b, rv32im::kTableDotRom) == (kCalls.size() - 1 - kSignedCalls) * kK / 4 + 1);
  CHECK(real_rows(b, rv32im::kTableDotRomSx) == kSignedCalls * kK / 4);
  // Each case of the clamp occurs.
  size_t below = 0, above = 0, inside = 0;
  const auto& t = b.ex.traces[rv32im::kTableDense];
  for (size_t row = 0; row < kCalls.size(); ++row)
    for (size_t j = 0; j < 4; ++j) {
      const size_t o = DenseCallAir::kOut + DenseCallAir::kPer * j;
      const bool bl = t.at(row, o + DenseCallAir::kPBelow) == Fp::one(),
                 ab = t.at(row, o + DenseCallAir::kPAbove) == Fp::one();
      below += bl, above += ab, inside += !bl && !ab;
    }
  CHECK(below >= 3);
  CHECK(above >= 3);
  CHECK(inside >= 3);
  std::string why;
  CHECK(prove_verify(b, &why));
  INFO(why);
}

TEST_CASE("dense4_rom witness generation refuses an output the call does not give", "[rv32im][dense]") {
  const auto p = one_call_program(0);
  Recorded r = record(p);
  forge_result(r, r.rows[call_row(r)].rd_val ^ 1);
  CHECK_THROWS_WITH(build(p, r, TraceCheck::kStrict), Catch::Matchers::Contains("dense4_rom: ecall at cycle"));
}

TEST_CASE("verifier rejects a wrong dense4_rom output byte in each clamp case", "[rv32im][dense]") {
  // Call 0 has outputs inside and past both bounds; call 3 (lo = hi) clamps all.
  for (size_t i : {size_t{0}, size_t{1}, size_t{3}}) {
    const auto p = one_call_program(i);
    const Recorded r = record(p);
    const Built honest = build(p, r, TraceCheck::kStrict);
    const auto& t = honest.ex.traces[rv32im::kTableDense];
    const uint32_t out = r.rows[call_row(r)].rd_val;
    for (uint32_t j = 0; j < 4; ++j) {
      const size_t o = DenseCallAir::kOut + DenseCallAir::kPer * j;
      const char* what = t.at(0, o + DenseCallAir::kPBelow) == Fp::one()   ? "below: out is lo"
                         : t.at(0, o + DenseCallAir::kPAbove) == Fp::one() ? "above: out is hi"
                                                                          : "inside: out is z";
      for (uint32_t delta : {1u, 0x80u}) {
        INFO("call " << i << " output " << j << " delta " << delta);
        const uint32_t byte = ((out >> (8 * j)) + delta) & 0xff;
        Recorded cheat = r;
        forge_result(cheat, (out & ~(0xffu << (8 * j))) | byte << (8 * j));
        require_rejected(p, cheat, what);
      }
    }
  }
}

TEST_CASE("verifier rejects a dense4_rom bias word the image does not hold", "[rv32im][dense]") {
  // Call 4 has mult = 0: its outputs do not depend on a, so a bias word read
  // one higher changes only a (the call row's A and the mul chip's operand,
  // and their byte counts): only the rom bus can object.
  const auto p = one_call_program(4);
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  auto& t = b.ex.traces[rv32im::kTableDense];
  const size_t o = DenseCallAir::kOut;  // output 0
  const uint32_t a0 = t.at(0, o + DenseCallAir::kPA).canonical(), a1 = t.at(0, o + DenseCallAir::kPA + 1).canonical();
  const uint32_t b0 = t.at(0, DenseCallAir::kBias).canonical();
  REQUIRE(a0 < 255);
  REQUIRE(b0 < 255);
  t.at(0, DenseCallAir::kBias) += Fp::one();
  t.at(0, o + DenseCallAir::kPA) += Fp::one();
  rv32im_test::byte_cell(b.ex.traces, a0 + 256 * a1, rv32im::ByteTableAir::kMPair) -= Fp::one();
  rv32im_test::byte_cell(b.ex.traces, a0 + 1 + 256 * a1, rv32im::ByteTableAir::kMPair) += Fp::one();
  auto& mul = b.ex.traces[rv32im::kTableMul];
  size_t row = 0;
  while (!(mul.at(row, rv32im::MulChipAir::kIsMulh) == Fp::one() &&
           mul.at(row, rv32im::MulChipAir::kA) == Fp::from_u64(a0) &&
           mul.at(row, rv32im::MulChipAir::kA + 1) == Fp::from_u64(a1)))
    ++row;
  mul.at(row, rv32im::MulChipAir::kA) += Fp::one();
  const auto c = check(b);
  INFO(c.message);
  CHECK(c.constraint == "bus");
  CHECK_THAT(c.message, Catch::Matchers::Contains("'rom'"));
  CHECK_FALSE(prove_verify(b));
}

TEST_CASE("verifier rejects a dense4_rom call row without its ecall and an ecall without its call row",
          "[rv32im][dense]") {
  const auto p = one_call_program(0);
  require_call_row_bound(p, record(p), rv32im::kTableDense);
}

TEST_CASE("verifier rejects an ecall whose a7 is 0x1005 proven as dense4_rom", "[rv32im][dense]") {
  // The trace of a dense4_rom call with a7 = 0x1005 in the code and in the
  // register (the emulator faults on that number): the CPU row's dot4_rom
  // flag allows only a low byte of 3 or 4.
  const auto good = one_call_code(0), bad = one_call_code(0, 0x1005);
  Recorded r = record(make_program(good, dense_data()));
  const size_t call = call_row(r);
  size_t changed = 0;
  for (size_t i = 0; i < call; ++i) {
    if (good[i] != bad[i]) {  // the ADDI of li(a7, ...)
      r.rows[i].insn = bad[i];
      r.rows[i].rd_val += 1;
      ++changed;
    }
  }
  REQUIRE(changed == 1);
  r.rows[call].rs1_val += 1;
  require_rejected(make_program(bad, dense_data()), r, "a7 is the call number");
}

TEST_CASE("changing any one cell of a real dense4_rom row is rejected, and the verifier rejects one per column",
          "[rv32im][dense]") {
  const auto p = many_calls_program();
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  const size_t calls = real_rows(b, rv32im::kTableDense);
  REQUIRE(calls == kCalls.size());
  sweep_table(b, rv32im::kTableDense, DenseCallAir::kWidth, calls);
  const auto pk = setup(b);
  for (size_t col = 0; col < DenseCallAir::kWidth; ++col) {
    const size_t row = (col * 3) % calls;
    INFO("row " << row << " column " << col);
    CHECK_FALSE(accepts_changed_cell(b, pk, rv32im::kTableDense, row, col));
  }
}

TEST_CASE("segments are cut before a dense4_rom call whose ALU events would pass the cap",
          "[rv32im][dense][segments]") {
  // 2,600 calls of K = 4 in a 4-cycle loop: 8 shift events a call, two a
  // cycle. At 2^13 rows a segment holds 8,064 cycles, but its shift table
  // only 8,192 events of calls (the cap): 1,024 calls a segment.
  std::vector<uint32_t> code;
  const Params q = kCalls.back();  // K = 4, per channel
  li(code, t0r, q.q());
  li(code, a0, kX);
  code.push_back(SW(t0r, a0, static_cast<int32_t>(q.k)));
  li(code, s0, kX);
  li(code, a1, kW);
  li(code, a2, q.k);
  li(code, a3, kBias + 16 * q.block);
  li(code, a4, kMult + 16 * q.block);
  li(code, a5, kShift + 16 * q.block);
  li(code, a7, vm::kSysDense4Rom);
  li(code, s1, 2600);
  code.push_back(ADDI(a0, s0, 0));
  code.push_back(ECALL);
  code.push_back(ADDI(s1, s1, -1));
  code.push_back(BNE(s1, zero, -12));
  li(code, a0, 0);
  exit_with_a0(code);
  const auto p = make_program(code, dense_data());
  const Recorded r = record(p);
  REQUIRE(r.claim.status == vm::RunStatus::Exited);
  REQUIRE(r.rows.size() < 2 * rv32im::SegmentPlan::segment_cycles(13));  // two segments by cycles alone
  REQUIRE(rv32im::SegmentPlan::accel_cap(13) == 8192);
  rv32im::SegmentPlan plan(13);
  for (const auto& s : r.syscalls) plan.starts_segment(s.cycle, &s);
  CHECK(plan.segments(r.rows.size()) == 3);
  const auto image = rv32im::build_image(p);
  const vm::TraceChunk ch{0, r.rows, r.syscalls, r.data};
  const auto segs = rv32im::execute_trace_segments(image, std::span(&ch, 1), r.claim, 13);
  REQUIRE(segs.size() == 3);
  const size_t calls[3] = {1024, 1024, 552};
  for (size_t k = 0; k < 3; ++k) {
    INFO("segment " << k);
    CHECK(real_rows_of(segs[k].traces[rv32im::kTableDense]) == calls[k]);
    // The shift chip's rows: the calls' 8 events each (the loop has no shifts).
    CHECK(segs[k].traces[rv32im::kTableShift].height == rv32im::padded_height(8 * calls[k], 0));
  }
}

TEST_CASE("int8-x data rows (rv32im-dotrom-sx): 39 main columns, 12 fractions in 6 aux columns, and every column's changed cell is rejected",
          "[rv32im][dense]") {
  const air::AirShape shape = air::analyse(rv32im::DotRomSxAir{});
  CHECK(rv32im::DotRomSxAir::kWidth == 39);
  CHECK(shape.num_interactions == 12);
  CHECK(shape.aux_width() == 7);  // 6 paired fraction columns and the running sum
  CHECK(shape.max_degree == 3);
  const auto p = many_calls_program();
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  const size_t rows = real_rows(b, rv32im::kTableDotRomSx);
  REQUIRE(rows == kSignedCalls * kK / 4);
  // Both signs of x bytes occur, so each sign column holds a 0 and a 1.
  const auto& t = b.ex.traces[rv32im::kTableDotRomSx];
  for (size_t i = 0; i < 4; ++i) {
    size_t ones = 0;
    for (size_t row = 0; row < rows; ++row) ones += t.at(row, rv32im::DotRomSxAir::kSign + i) == Fp::one();
    CHECK(ones > 0);
    CHECK(ones < rows);
  }
  sweep_table(b, rv32im::kTableDotRomSx, rv32im::DotRomSxAir::kWidth, rows);
  const auto pk = setup(b);
  for (size_t col = 0; col < rv32im::DotRomSxAir::kWidth; ++col) {
    const size_t row = (col * 5) % rows;
    INFO("row " << row << " column " << col);
    CHECK_FALSE(accepts_changed_cell(b, pk, rv32im::kTableDotRomSx, row, col));
  }
}

namespace {

// dense_data with group 0's lane-0 weights of all four rows 0x80 (value 0),
// or (all) with every weight 0x80.
std::vector<uint8_t> zero_weight_data(bool all) {
  std::vector<uint8_t> d = dense_data();
  const size_t w = kW - kDataBase;
  if (all) {
    std::fill(d.begin() + static_cast<std::ptrdiff_t>(w), d.begin() + static_cast<std::ptrdiff_t>(w + 4 * kK), 0x80);
  } else {
    for (size_t j = 0; j < 4; ++j) d[w + 4 * j] = 0x80;  // group 0: w row j, lane 0
  }
  return d;
}

constexpr size_t kSignedCall = 7;  // kCalls[7]: int8 x, per channel

}  // namespace

TEST_CASE("verifier rejects an int8-x data row whose sign bit is not the x byte's top bit", "[rv32im][dense]") {
  // Group 0's lane-0 weights are all 0 (0x80), so x byte 0 of that row adds
  // nothing to any sum whatever value it is given: a flipped sign bit keeps
  // every sum, and only its range check (PAIR of 2 (x - 128 s)) objects.
  REQUIRE(kCalls[kSignedCall].sx == 1);
  const auto p = make_program(one_call_code(kSignedCall), zero_weight_data(false));
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  auto& t = b.ex.traces[rv32im::kTableDotRomSx];
  REQUIRE(real_rows(b, rv32im::kTableDotRomSx) == kK / 4);
  for (size_t j = 0; j < 4; ++j) REQUIRE(t.at(0, rv32im::DotRomSxAir::kW + 4 * j) == Fp::from_u64(0x80));
  auto& s = t.at(0, rv32im::DotRomSxAir::kSign);
  s = Fp::one() - s;
  const auto c = check(b);
  INFO(c.message);
  CHECK(c.constraint == "bus");
  CHECK_THAT(c.message, Catch::Matchers::Contains(rv32im::rv32im_bus_name(rv32im::kBusBytePair)));
  CHECK_FALSE(prove_verify(b));
}

TEST_CASE("verifier rejects an int8-x dense4_rom call whose data rows are in the biased table", "[rv32im][dense]") {
  // With every weight 0 (0x80) each product is 0 however x is read, so the
  // call's data rows, moved to rv32im-dotrom (their sign bits dropped, the
  // byte-table counts moved with their PAIRs), satisfy DotRomAir's
  // constraints: only the chain tag (1 + sx on the call row, 1 on
  // DotRomAir's rows, 2 on DotRomSxAir's) keeps them out.
  const auto p = make_program(one_call_code(kSignedCall), zero_weight_data(true));
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  auto& traces = b.ex.traces;
  auto& sx = traces[rv32im::kTableDotRomSx];
  REQUIRE(traces[rv32im::kTableDotRom].height == 0);
  const size_t rows = real_rows(b, rv32im::kTableDotRomSx);
  REQUIRE(rows == kK / 4);
  using Sx = rv32im::DotRomSxAir;
  static_assert(size_t{Sx::kSign} == size_t{rv32im::DotRomAir::kWidth}, "the sign bits are the only extra columns");
  RowMajorMatrix<Fp> moved(rv32im::DotRomAir::kWidth, sx.height);
  auto pair_count = [&](uint32_t a, uint32_t b2) -> Fp& {
    return rv32im_test::byte_cell(traces, a + 256 * b2, rv32im::ByteTableAir::kMPair);
  };
  for (size_t row = 0; row < rows; ++row) {
    for (size_t col = 0; col < rv32im::DotRomAir::kWidth; ++col) moved.at(row, col) = sx.at(row, col);
    const uint32_t hi = sx.at(row, Sx::kHi).canonical();
    auto low7 = [&](size_t i) { return 2 * (sx.at(row, Sx::kX + i).canonical() & 127); };
    pair_count(hi, low7(0)) -= Fp::one();
    pair_count(low7(1), low7(2)) -= Fp::one();
    pair_count(low7(3), 0) -= Fp::one();
    pair_count(hi, 0) += Fp::one();
  }
  traces[rv32im::kTableDotRom] = std::move(moved);
  sx = RowMajorMatrix<Fp>(Sx::kWidth, 0);
  const auto c = check(b);
  INFO(c.message);
  CHECK(c.constraint == "bus");
  CHECK_THAT(c.message, Catch::Matchers::Contains(rv32im::rv32im_bus_name(rv32im::kBusDotChain)));
  CHECK_FALSE(prove_verify(b));
}
