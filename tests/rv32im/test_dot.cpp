// The dot4 accelerator tables (dot.h) in the whole circuit: honest calls
// prove and verify; cheating provers (a wrong product, a w byte that memory
// never held, a result not written back, a call row without its ecall and
// the reverse) are rejected with the debug checker off; every column of both
// tables has a changed cell the verifier rejects.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "prover/rv32im/dot.h"
#include "prover/rv32im/prove.h"
#include "tests/rv32im/rv32im_trace_support.h"
#include "zkvm/vm/accel.h"

using namespace zkvm;
using namespace zkvm::rv32im_trace_test;
using field::Fp;
using rv32im::DotAir;
using rv32im::DotCallAir;
using rv32im::DotRomAir;

namespace {

constexpr uint32_t kX = kDataBase, kW = kDataBase + 0x40;
constexpr unsigned a5 = 15, s2 = 18;

// Biased bytes (value + 128): x = 8 bytes at kX, w = 32 bytes at kW, then
// 64 bytes of pattern for the overlapping call; x[0] stands for +1.
std::vector<uint8_t> dot_data() {
  std::vector<uint8_t> d(0x100);
  std::mt19937 rng(11);
  for (auto& b : d) b = static_cast<uint8_t>(rng());
  d[0] = 129;
  d[kW - kX] = 200;  // w row 0, k = 0
  for (uint32_t i = 0; i < 4; ++i) d[kW - kX + 4 * 3 + i] = 100 + static_cast<uint8_t>(i);  // w row 3: small values
  return d;
}

void dot4_call(std::vector<uint32_t>& code, uint32_t x, uint32_t w, uint32_t k, uint32_t number = vm::kSysDot4) {
  li(code, a0, x);
  li(code, a1, w);
  li(code, a2, k);
  li(code, a7, number);
  code.push_back(ECALL);
}

// dot4 (or dot4_rom) over (kX, kW, 8); a0 := out_j; exit(a0).
vm::Program one_call_program(unsigned j, uint32_t number = vm::kSysDot4) {
  std::vector<uint32_t> code;
  li(code, a3, 0x01020304);
  dot4_call(code, kX, kW, 8, number);
  code.push_back(ADDI(a0, a0 + j, 0));
  exit_with_a0(code);
  return make_program(code, dot_data());
}

// Several calls (K = 8; K = 0 with null pointers; K = 16 with x inside w;
// K = 4 of -128s; dot4_rom of the first call's operands), every result to
// the journal, exit 0.
vm::Program many_calls_program() {
  std::vector<uint32_t> code;
  std::vector<uint8_t> data = dot_data();
  data.resize(0x200);
  std::memset(data.data() + 0x100, 0, 0x50);  // 4 + 16 bytes of -128 at kX + 0x100
  li(code, s1, kDataBase + 0x180);             // results
  auto store = [&](uint32_t off) {
    for (unsigned j = 0; j < 4; ++j) code.push_back(SW(a0 + j, s1, static_cast<int32_t>(off + 4 * j)));
  };
  dot4_call(code, kX, kW, 8);
  store(0);
  dot4_call(code, 0, 0, 0);
  store(16);
  dot4_call(code, kW + 8, kW, 16);
  store(32);
  dot4_call(code, kX + 0x100, kX + 0x104, 4);
  store(48);
  dot4_call(code, kX, kW, 8, vm::kSysDot4Rom);  // the same weights, from the image
  store(64);
  li(code, a0, 3);
  code.push_back(ADDI(a1, s1, 0));
  li(code, a2, 80);
  li(code, a7, vm::kSysWrite);
  code.push_back(ECALL);
  li(code, a0, 0);
  exit_with_a0(code);
  return make_program(code, data);
}

size_t call_row(const Recorded& r) {
  for (const auto& s : r.syscalls)
    if (s.number == vm::kSysDot4 || s.number == vm::kSysDot4Rom) return s.cycle;
  FAIL("no dot4 call");
  return 0;
}

vm::SyscallRecord& call_record(Recorded& r) {
  for (auto& s : r.syscalls)
    if (s.number == vm::kSysDot4 || s.number == vm::kSysDot4Rom) return s;
  FAIL("no dot4 call");
  return r.syscalls[0];
}

// one_call_program(j) claims out_j = v instead (a0 := v; exit(v)).
void forge_result(Recorded& r, unsigned j, uint32_t v) {
  const size_t i = call_row(r);
  call_record(r).ret[j] = v;
  if (j == 0) r.rows[i].rd_val = v;
  r.rows[i + 1].rs1_val = r.rows[i + 1].rd_val = v;  // ADDI a0, a_j, 0
  forge_exit_a0(r, v);
}

}  // namespace

TEST_CASE("dot4 table shapes: 47, 35 and 65 main columns, degree 3", "[rv32im][dot]") {
  const air::AirShape data = air::analyse(DotAir{});
  CHECK(DotAir::kWidth == 47);
  CHECK(data.num_interactions == 20);
  CHECK(data.aux_width() == 11);  // 10 paired fraction columns and the running sum: 91 base columns per 16 MACs
  CHECK(data.max_degree == 3);
  const air::AirShape rom = air::analyse(DotRomAir{});
  CHECK(DotRomAir::kWidth == 35);
  CHECK(rom.num_interactions == 10);
  CHECK(rom.aux_width() == 6);  // 5 paired fraction columns and the running sum: 59 base columns per 16 MACs
  CHECK(rom.max_degree == 3);
  const air::AirShape call = air::analyse(DotCallAir{});
  CHECK(DotCallAir::kWidth == 65);
  CHECK(call.max_degree == 3);
}

TEST_CASE("dot4 calls (K = 8, K = 0 with null pointers, x inside w, -128s, dot4_rom) prove and verify", "[rv32im][dot]") {
  const auto p = many_calls_program();
  const Recorded r = record(p);
  const Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  CHECK(real_rows(b, rv32im::kTableDotCall) == 5);
  CHECK(real_rows(b, rv32im::kTableDot) == 2 + 0 + 4 + 1);
  CHECK(real_rows(b, rv32im::kTableDotRom) == 2);
  // The journal holds the emulator's results: -128 * -128 * 4 for row 0 of the fourth call,
  // and the same four sums for dot4 and dot4_rom over the same (unwritten) weights.
  REQUIRE(r.claim.journal.size() == 80);
  CHECK(std::equal(r.claim.journal.begin(), r.claim.journal.begin() + 16, r.claim.journal.begin() + 64));
  int32_t last0 = 0;
  std::memcpy(&last0, r.claim.journal.data() + 48, 4);
  CHECK(last0 == 4 * 16384);
  std::string why;
  CHECK(prove_verify(b, &why));
  INFO(why);
}

TEST_CASE("dot4 witness generation refuses a result the call does not give", "[rv32im][dot]") {
  const auto p = one_call_program(1);
  Recorded r = record(p);
  forge_result(r, 1, r.rows[call_row(r) + 1].rd_val + 1);
  CHECK_THROWS_WITH(build(p, r, TraceCheck::kStrict), Catch::Matchers::Contains("dot4: ecall at cycle"));
}

TEST_CASE("verifier rejects a wrong dot product in any of a0..a3", "[rv32im][dot]") {
  for (auto [j, number] : {std::pair{0u, vm::kSysDot4}, std::pair{1u, vm::kSysDot4}, std::pair{3u, vm::kSysDot4},
                           std::pair{1u, vm::kSysDot4Rom}}) {
    INFO("out" << j << " call " << number);
    const auto p = one_call_program(j, number);
    Recorded r = record(p);
    const uint32_t honest = r.rows[call_row(r) + 1].rd_val;
    for (uint32_t v : {honest + 1, honest + 0x100u, honest ^ 0x80000000u}) {
      Recorded cheat = r;
      forge_result(cheat, j, v);
      require_rejected(p, cheat, "out is acc mod 2^32");
    }
  }
}

TEST_CASE("verifier rejects a result not written back to its register", "[rv32im][dot]") {
  const auto p = one_call_program(1);
  Recorded r = record(p);
  const size_t i = call_row(r);
  // The emulator's a1 after the call is out1; the cheat reads the old a1 (w).
  r.rows[i + 1].rs1_val = r.rows[i + 1].rd_val = kW;
  forge_exit_a0(r, kW);
  require_rejected(p, r, "bus");
}

TEST_CASE("verifier rejects a product over a w byte memory (or the image) never held", "[rv32im][dot]") {
  // Row 3 of the weights, k = 0, read as one more than memory (dot4_rom: the
  // image) holds (x[0] = +1, so out3 rises by 1); the sums, out3, register
  // a3's final word in the memory and boundary tables and the byte counts all
  // follow, so only the memory argument (the rom bus) can object.
  for (uint32_t number : {vm::kSysDot4, vm::kSysDot4Rom}) {
    INFO("call " << number);
    const auto p = one_call_program(0, number);
    const Recorded r = record(p);
    Built b = build(p, r, TraceCheck::kStrict);
    REQUIRE(check(b).ok);
    const bool rom = number == vm::kSysDot4Rom;
    auto& dot = b.ex.traces[rom ? rv32im::kTableDotRom : rv32im::kTableDot];
    auto& call = b.ex.traces[rv32im::kTableDotCall];
    // The two data tables share their first columns' layout.
    static_assert(+DotAir::kX == +DotRomAir::kX && +DotAir::kW == +DotRomAir::kW &&
                  +DotAir::kAcc == +DotRomAir::kAcc && +DotAir::kAccN == +DotRomAir::kAccN);
    REQUIRE(dot.at(0, DotAir::kX) == Fp::from_u64(129));
    dot.at(0, DotAir::kW + 12) += Fp::one();
    dot.at(0, DotAir::kAccN + 3) += Fp::one();
    dot.at(1, DotAir::kAcc + 3) += Fp::one();
    dot.at(1, DotAir::kAccN + 3) += Fp::one();
    call.at(0, DotCallAir::kAcc + 3) += Fp::one();
    const uint32_t r0 = call.at(0, DotCallAir::kR + 12).canonical(), r1 = call.at(0, DotCallAir::kR + 13).canonical();
    REQUIRE(r0 < 255);
    call.at(0, DotCallAir::kR + 12) += Fp::one();
    rv32im_test::byte_cell(b.ex.traces, r0 + 256 * r1, rv32im::ByteTableAir::kMPair) -= Fp::one();
    rv32im_test::byte_cell(b.ex.traces, r0 + 1 + 256 * r1, rv32im::ByteTableAir::kMPair) += Fp::one();
    for (size_t t : {size_t(rv32im::kTableMemory), size_t(rv32im::kTableBoundary)}) {
      auto& m = b.ex.traces[t];
      const size_t fin = t == rv32im::kTableMemory ? size_t{rv32im::MemoryAir::kFin} : size_t{rv32im::BoundaryAir::kVf};
      size_t row = 0;
      while (m.at(row, 1) != Fp::from_u64(13)) ++row;  // cell a3
      m.at(row, fin) += Fp::one();
    }
    const auto c = check(b);
    INFO(c.message);
    CHECK(c.constraint == "bus");
    CHECK_THAT(c.message, Catch::Matchers::Contains(number == vm::kSysDot4 ? "'memory'" : "'rom'"));
    CHECK_FALSE(prove_verify(b));
  }
}

TEST_CASE("verifier rejects a dot4 call row without its ecall and an ecall without its call row", "[rv32im][dot]") {
  const auto p = one_call_program(0);
  require_call_row_bound(p, record(p), rv32im::kTableDotCall);
}

TEST_CASE("changing any one cell of a real dot4 row is rejected, and the verifier rejects one per column", "[rv32im][dot]") {
  const auto p = many_calls_program();
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  const size_t calls = real_rows(b, rv32im::kTableDotCall), rows = real_rows(b, rv32im::kTableDot),
               rom_rows = real_rows(b, rv32im::kTableDotRom);
  sweep_table(b, rv32im::kTableDotCall, DotCallAir::kWidth, calls);
  sweep_table(b, rv32im::kTableDot, DotAir::kWidth, rows);
  sweep_table(b, rv32im::kTableDotRom, DotRomAir::kWidth, rom_rows);
  const auto pk = setup(b);
  for (auto [table, width, real] : {std::tuple{size_t(rv32im::kTableDotCall), size_t(DotCallAir::kWidth), calls},
                                    std::tuple{size_t(rv32im::kTableDot), size_t(DotAir::kWidth), rows},
                                    std::tuple{size_t(rv32im::kTableDotRom), size_t(DotRomAir::kWidth), rom_rows}}) {
    for (size_t col = 0; col < width; ++col) {
      const size_t row = (col * 5) % real;
      INFO("table " << table << " row " << row << " column " << col);
      CHECK_FALSE(accepts_changed_cell(b, pk, table, row, col));
    }
  }
}

namespace {

// 20 dot4 calls of K = 4096 (1024 rows each) over zero-filled memory in a
// loop of about 11 cycles a call: few cycles, many accelerator rows.
vm::Program many_rows_program() {
  std::vector<uint32_t> code;
  li(code, s1, 20);
  const size_t loop = code.size();
  dot4_call(code, kDataBase, kDataBase + 4096, 4096);
  code.push_back(ADDI(s1, s1, -1));
  code.push_back(BNE(s1, zero, -4 * static_cast<int32_t>(code.size() - loop)));
  li(code, a0, 0);
  exit_with_a0(code);
  return make_program(code, {}, 5 * 4096);
}

}  // namespace

TEST_CASE("segments are cut before a dot4 call that would pass the accelerator rows' cap", "[rv32im][dot][segments]") {
  const auto p = many_rows_program();
  const Recorded r = record(p);
  REQUIRE(r.rows.size() < 1024);  // one segment of 2^10 cycles by cycles alone
  CHECK(rv32im::SegmentPlan::accel_cap(10) == 8192);
  // The plan from the fast run's calls (what the prover counts up front).
  rv32im::SegmentPlan plan(10);
  vm::RunOptions o;
  o.on_syscall = [&](const vm::SyscallRecord& rec) { plan.starts_segment(rec.cycle, &rec); };
  const vm::RunResult run = vm::run(p, o);
  CHECK(plan.segments(run.cycles) == 3);
  // Witness generation cuts in the same places: 8 + 8 + 4 calls.
  const auto image = rv32im::build_image(p);
  const vm::TraceChunk ch{0, r.rows, r.syscalls, r.data};
  const auto segs = rv32im::execute_trace_segments(image, std::span(&ch, 1), r.claim, 10);
  REQUIRE(segs.size() == 3);
  const size_t want[3] = {8192, 8192, 4096};
  for (size_t k = 0; k < 3; ++k) {
    const auto& t = segs[k].traces[rv32im::kTableDot];
    size_t real = 0;
    while (real < t.height && t.at(real, DotAir::kIsReal) == Fp::one()) ++real;
    CHECK(real == want[k]);
    CHECK(t.height == rv32im::padded_height(want[k], 0));  // and the padding rows zero knowledge keeps
  }
  // And the receipt: three segments, the emulator's claim.
  rv32im::ProveOptions po;
  po.log_segment = 10;
  const rv32im::Receipt receipt = rv32im::prove(p, {}, po, stark_test::cpu());
  CHECK(receipt.segments.size() == 3);
  const rv32im::Claim claim = rv32im::verify_receipt(receipt.claim.image_id, rv32im::serialize_receipt(receipt));
  CHECK(claim.cycles == run.cycles);
}

// The data rows are built per call in parallel when the table is asked for
// (dot_trace.cpp data_rows): the same tables with one thread and with three.
TEST_CASE("dot4 data rows are the same built with one thread and with three", "[rv32im][dot][witness]") {
  const auto p = many_rows_program();
  const Recorded r = record(p);
  const auto image = rv32im::build_image(p);
  const vm::TraceChunk ch{0, r.rows, r.syscalls, r.data};
  auto segments = [&](int threads) {
#if defined(_OPENMP)
    const int before = omp_get_max_threads();
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    auto segs = rv32im::execute_trace_segments(image, std::span(&ch, 1), r.claim, 10);
#if defined(_OPENMP)
    omp_set_num_threads(before);
#endif
    return segs;
  };
  const auto one = segments(1), three = segments(3);
  REQUIRE(one.size() == 3);
  REQUIRE(three.size() == 3);
  for (size_t k = 0; k < 3; ++k)
    for (size_t t = 0; t < rv32im::kNumTables; ++t) {
      INFO("segment " << k << ", table " << t);
      CHECK(one[k].traces[t].values == three[k].traces[t].values);
    }
}
