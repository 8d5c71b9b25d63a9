// The sha256_compress accelerator tables (sha.h) in the whole circuit:
// honest calls prove and verify with the emulator's digest; cheating provers
// (a wrong compression result made consistent downstream, a state not
// written back, a block word memory never held, a call row without its
// ecall and the reverse) are rejected with the debug checker off; every
// cell of a real row of the round and call tables, changed, is rejected by
// the constraints or the buses; two columns per group go through the verifier.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <string>

#include "prover/rv32im/io.h"
#include "prover/rv32im/sha.h"
#include "tests/rv32im/rv32im_trace_support.h"
#include "zkvm/vm/accel.h"

using namespace zkvm;
using namespace zkvm::rv32im_trace_test;
using field::Fp;
using rv32im::ShaCallAir;
using rv32im::ShaRoundAir;

namespace {

constexpr uint32_t kState = kDataBase, kBlock = kDataBase + 32;

// IV at kState, "abc" padded at kBlock.
std::vector<uint8_t> sha_data() {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::vector<uint8_t> d(128);
  std::memcpy(d.data(), iv, 32);
  std::memcpy(d.data() + 32, "abc", 3);
  d[35] = 0x80;
  d[95] = 24;
  return d;
}

void compress_call(std::vector<uint32_t>& code, uint32_t state, uint32_t block) {
  li(code, a0, state);
  li(code, a1, block);
  li(code, a7, vm::kSysSha256);
  code.push_back(ECALL);
}

// After the calls in `code`: the state to the journal; exit 0.
vm::Program with_state_journal(std::vector<uint32_t> code) {
  li(code, a0, 3);
  li(code, a1, kState);
  li(code, a2, 32);
  li(code, a7, vm::kSysWrite);
  code.push_back(ECALL);
  li(code, a0, 0);
  exit_with_a0(code);
  return make_program(code, sha_data());
}

// compress(IV, "abc"). With `twice`, a second call whose block starts
// inside the state (kState + 16).
vm::Program sha_program(bool twice) {
  std::vector<uint32_t> code;
  compress_call(code, kState, kBlock);
  if (twice) compress_call(code, kState, kState + 16);
  return with_state_journal(std::move(code));
}

// `calls` compressions of the same block into the state, unrolled.
vm::Program sha_program_n(size_t calls) {
  std::vector<uint32_t> code;
  for (size_t i = 0; i < calls; ++i) compress_call(code, kState, kBlock);
  return with_state_journal(std::move(code));
}

// Rows of a round table that are a round or a final row (they come first).
size_t sha_rows(const Built& b, size_t table) {
  const auto& m = b.ex.traces[table];
  size_t n = 0;
  while (n < m.height && (m.at(n, ShaRoundAir::kRound) + m.at(n, ShaRoundAir::kFinal)) == Fp::one()) ++n;
  return n;
}

// The round table evaluated on some rows only (a changed cell at row r can
// affect the transition into r and row r itself): whether a constraint
// fails there, and the net multiset of those rows' tuples.
std::pair<bool, std::map<rv32im_test::TupleKey, Fp>> eval_rows(const air::Air& air, const RowMajorMatrix<Fp>& m,
                                                                std::span<const Fp> publics,
                                                                std::initializer_list<size_t> rows) {
  air::CheckBuilder b;
  b.height = m.height;
  b.publics = publics;
  bool failed = false;
  std::map<rv32im_test::TupleKey, Fp> net;
  for (size_t r : rows) {
    b.row = r;
    b.local = m.row(r);
    b.next = m.row((r + 1) % m.height);
    b.failed = nullptr;
    b.tuples.clear();
    air.eval(b);
    failed = failed || b.failed != nullptr;
    for (const auto& t : b.tuples) {
      if (t.mult.is_zero()) continue;
      std::vector<uint32_t> key;
      for (Fp v : t.values) key.push_back(v.canonical());
      net[{t.bus, std::move(key)}] += t.mult;
    }
  }
  std::erase_if(net, [](const auto& kv) { return kv.second.is_zero(); });
  return {failed, net};
}

}  // namespace

TEST_CASE("sha256 table shapes: 322 round columns, 255 call columns, degrees 3 and 2", "[rv32im][sha]") {
  const air::AirShape round = air::analyse(ShaRoundAir{});
  CHECK(ShaRoundAir::kWidth == 322);
  CHECK(round.num_interactions == 3);
  CHECK(round.max_degree == 3);
  const air::AirShape call = air::analyse(ShaCallAir{});
  CHECK(ShaCallAir::kWidth == 255);
  CHECK(call.max_degree == 2);
}

TEST_CASE("sha256_compress calls (one, and one whose block overlaps the state) prove and verify", "[rv32im][sha]") {
  for (bool twice : {false, true}) {
    INFO("twice " << twice);
    const auto p = sha_program(twice);
    const Recorded r = record(p);
    const Built b = build(p, r, TraceCheck::kStrict);
    REQUIRE(check(b).ok);
    CHECK(real_rows(b, rv32im::kTableShaCall) == (twice ? 2u : 1u));
    REQUIRE(r.claim.journal.size() == 32);
    if (!twice) {
      uint32_t h0 = 0;
      std::memcpy(&h0, r.claim.journal.data(), 4);
      CHECK(h0 == 0xba7816bf);  // SHA-256("abc"), first word
    }
    std::string why;
    CHECK(prove_verify(b, &why));
    INFO(why);
  }
}

TEST_CASE("verifier rejects a wrong compression result made consistent after the round table", "[rv32im][sha]") {
  // Bit 0 of a in the final row flipped; the call table's S, the new state
  // word, the memory and boundary tables' final word of that cell, the io
  // table's journal word and the claim all follow: only the round
  // constraints can object.
  const auto p = sha_program(false);
  Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  auto& round = b.ex.traces[rv32im::kTableShaRound];
  auto& call = b.ex.traces[rv32im::kTableShaCall];
  const Fp bit0 = round.at(64, ShaRoundAir::kA);
  const Fp delta = bit0.is_zero() ? Fp::one() : -Fp::one();
  round.at(64, ShaRoundAir::kA) = Fp::one() - bit0;
  call.at(0, ShaCallAir::kS) += delta;
  const uint32_t old0 = call.at(0, ShaCallAir::kHn).canonical(), old1 = call.at(0, ShaCallAir::kHn + 1).canonical();
  REQUIRE(old0 > 0);
  REQUIRE(old0 < 255);
  call.at(0, ShaCallAir::kHn) += delta;
  const uint32_t new0 = call.at(0, ShaCallAir::kHn).canonical();
  rv32im_test::byte_cell(b.ex.traces, old0 + 256 * old1, rv32im::ByteTableAir::kMPair) -= Fp::one();
  rv32im_test::byte_cell(b.ex.traces, new0 + 256 * old1, rv32im::ByteTableAir::kMPair) += Fp::one();
  // The journal write reads the changed word: its io word row and the claim.
  auto& io = b.ex.traces[rv32im::kTableIo];
  size_t io_row = 0;
  while (io.at(io_row, rv32im::io::kAddr) != Fp::from_u64(kState / 4) || io.at(io_row, rv32im::io::kWord).is_zero())
    ++io_row;
  io.at(io_row, rv32im::io::kV) += delta;
  io.at(io_row, rv32im::io::kNew) += delta;
  b.ex.run.journal[0] = static_cast<uint8_t>(new0);
  for (size_t t : {size_t(rv32im::kTableMemory), size_t(rv32im::kTableBoundary)}) {
    auto& m = b.ex.traces[t];
    const size_t fin = t == rv32im::kTableMemory ? size_t{rv32im::MemoryAir::kFin} : size_t{rv32im::BoundaryAir::kVf};
    size_t row = 0;
    while (m.at(row, 1) != Fp::from_u64(kState / 4)) ++row;
    m.at(row, fin) += delta;
  }
  const auto c = check(b);
  INFO(c.message);
  CHECK(c.constraint == "a' = new a");
  CHECK_FALSE(prove_verify(b));
}

TEST_CASE("verifier rejects a state not written back and a block word memory never held", "[rv32im][sha]") {
  const auto p = sha_program(false);
  const Recorded r = record(p);
  {
    // The write leaves the old word (the memory tables follow): the
    // new-state constraint objects.
    Built b = build(p, r, TraceCheck::kStrict);
    auto& call = b.ex.traces[rv32im::kTableShaCall];
    for (size_t i = 0; i < 4; ++i) call.at(0, ShaCallAir::kHn + 4 + i) = call.at(0, ShaCallAir::kHo + 4 + i);
    const auto c = check(b);
    INFO(c.message);
    CHECK(c.constraint.rfind("new state", 0) == 0);
    CHECK_FALSE(prove_verify(b));
  }
  {
    // Block byte 3 (W_0's low byte) one higher in the call row and the first
    // round row's window: memory never held it, and the round objects.
    Built b = build(p, r, TraceCheck::kStrict);
    b.ex.traces[rv32im::kTableShaCall].at(0, ShaCallAir::kBlk + 3) += Fp::one();
    b.ex.traces[rv32im::kTableShaRound].at(0, ShaRoundAir::kWn) += Fp::one();
    CHECK_FALSE(check(b).ok);
    CHECK_FALSE(prove_verify(b));
  }
}

TEST_CASE("verifier rejects a sha256 call row without its ecall and an ecall without its call row", "[rv32im][sha]") {
  const auto p = sha_program(false);
  const Recorded r = record(p);
  {
    Built b = build(p, r, TraceCheck::kStrict);
    auto& call = b.ex.traces[rv32im::kTableShaCall];
    for (size_t col = 0; col < ShaCallAir::kWidth; ++col) call.at(1, col) = call.at(0, col);
    CHECK(check(b).constraint == "bus");
    CHECK_FALSE(prove_verify(b));
  }
  {
    Built b = build(p, r, TraceCheck::kStrict);
    auto& call = b.ex.traces[rv32im::kTableShaCall];
    for (size_t col = 0; col < ShaCallAir::kWidth; ++col) call.at(0, col) = Fp::zero();
    CHECK(check(b).constraint == "bus");
    CHECK_FALSE(prove_verify(b));
  }
}

TEST_CASE("changing any one cell of a real sha256 row is rejected, and the verifier rejects two per column group", "[rv32im][sha]") {
  const auto p = sha_program(false);
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  sweep_table(b, rv32im::kTableShaCall, ShaCallAir::kWidth, 1);
  {
    const air::Air& air = *b.circuit->airs()[rv32im::kTableShaRound];
    auto& m = b.ex.traces[rv32im::kTableShaRound];
    const auto& publics = b.ex.publics[rv32im::kTableShaRound];
    for (size_t row = 0; row < rv32im::sha::kRowsPerCall; ++row) {
      const size_t prev = row == 0 ? 0 : row - 1;
      const auto [hf, hn] = eval_rows(air, m, publics, {prev, row});
      REQUIRE_FALSE(hf);
      for (size_t col = 0; col < ShaRoundAir::kWidth; ++col) {
        const Fp honest = m.at(row, col);
        m.at(row, col) += Fp::one();
        const auto [cf, cn] = eval_rows(air, m, publics, {prev, row});
        m.at(row, col) = honest;
        INFO("round row " << row << " column " << col);
        CHECK((cf || cn != hn));
      }
    }
  }
  // Through the real verifier: the first and last column of every column
  // group of both tables and the constant table's multiplicity (each proof
  // carries the 322-column round table, so not all 578 columns).
  const auto pk = setup(b);
  using R = ShaRoundAir;
  using C = ShaCallAir;
  const std::vector<size_t> round_groups = {R::kRound, R::kFinal, R::kClk, R::kR, R::kFirst, R::kLast, R::kK, R::kA,
                                            R::kB, R::kC, R::kE, R::kF, R::kG, R::kD, R::kH, R::kWn, R::kX1,
                                            R::kX14, R::kNa, R::kNe, R::kNw, R::kCa, R::kCe, R::kCw, R::kWidth};
  const std::vector<size_t> call_groups = {C::kIsReal, C::kClk, C::kP, C::kQ, C::kHo, C::kHn, C::kHc, C::kS, C::kBlk,
                                           C::kQp, C::kQq, C::kEp, C::kEq, C::kTp, C::kLo, C::kHi, C::kWidth};
  auto through_verifier = [&](size_t table, const std::vector<size_t>& groups, size_t rows) {
    for (size_t g = 0; g + 1 < groups.size(); ++g)
      for (size_t col : {groups[g], groups[g + 1] - 1}) {
        const size_t row = (col * 7) % rows;
        INFO("table " << table << " row " << row << " column " << col);
        CHECK_FALSE(accepts_changed_cell(b, pk, table, row, col));
      }
  };
  through_verifier(rv32im::kTableShaRound, round_groups, rv32im::sha::kRowsPerCall);
  through_verifier(rv32im::kTableShaCall, call_groups, 1);
  through_verifier(rv32im::kTableShaConst, {0, 1}, 64);
}

TEST_CASE("main_table_rows: whole calls, split only where the two tables commit fewer rows", "[rv32im][sha]") {
  using rv32im::main_table_rows;
  using rv32im::padded_height;
  constexpr size_t g = rv32im::sha::kRowsPerCall, m = rv32im::kMinTableRows;
  // SHA-256 of 64 KiB: 1,025 calls; 1,006 fill 2^16 rows with their padding.
  CHECK(main_table_rows(1025 * g, g, m) == 1006 * g);
  CHECK(padded_height(1006 * g, m) == size_t{1} << 16);
  CHECK(padded_height(19 * g, m) == size_t{1} << 11);
  CHECK(main_table_rows(16 * g, g, m) == 13 * g);
  for (size_t calls : {0, 1, 2, 3, 7, 1006}) CHECK(main_table_rows(calls * g, g, m) == calls * g);
  for (size_t calls = 0; calls < 3000; ++calls) {
    const size_t rows = calls * g, main = main_table_rows(rows, g, m), single = padded_height(rows, m);
    INFO("calls " << calls);
    REQUIRE(main % g == 0);
    REQUIRE(main <= rows);
    if (main < rows) REQUIRE(4 * (padded_height(main, m) + padded_height(rows - main, m)) <= 3 * single);
  }
}

TEST_CASE("sha256 round rows past a power of two fill the main and the overflow table, and verify", "[rv32im][sha]") {
  // 16 calls: 1,040 round rows would need 2^11 rows; 13 calls fill 2^10
  // and the other 3 take a 2^9-row overflow table.
  const auto p = sha_program_n(16);
  const Recorded r = record(p);
  const Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  CHECK(b.ex.traces[rv32im::kTableShaRound].height == 1024);
  CHECK(b.ex.traces[rv32im::kTableShaRoundX].height == 512);
  CHECK(sha_rows(b, rv32im::kTableShaRound) == 13 * rv32im::sha::kRowsPerCall);
  CHECK(sha_rows(b, rv32im::kTableShaRoundX) == 3 * rv32im::sha::kRowsPerCall);
  uint32_t h[8];
  const auto d = sha_data();
  std::memcpy(h, d.data(), 32);
  for (int i = 0; i < 16; ++i) vm::sha256_compress(h, d.data() + 32);
  REQUIRE(r.claim.journal.size() == 32);
  CHECK(std::memcmp(h, r.claim.journal.data(), 32) == 0);
  std::string why;
  CHECK(prove_verify(b, &why));
  INFO(why);
  // One call: no overflow table in the proof.
  const auto p1 = sha_program(false);
  const Built b1 = build(p1, record(p1), TraceCheck::kStrict);
  CHECK(b1.ex.traces[rv32im::kTableShaRoundX].height == 0);
}

TEST_CASE("verifier rejects a call whose round rows are split between the main and the overflow table", "[rv32im][sha]") {
  // The overflow table's first call loses its first 20 rows to the end of
  // the main table's real rows: every tuple is still sent and received (the
  // buses balance), so only the row-order constraints can object.
  const auto p = sha_program_n(16);
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  auto& main = b.ex.traces[rv32im::kTableShaRound];
  auto& over = b.ex.traces[rv32im::kTableShaRoundX];
  constexpr size_t kMoved = 20, w = ShaRoundAir::kWidth;
  const size_t main_rows = sha_rows(b, rv32im::kTableShaRound), over_rows = sha_rows(b, rv32im::kTableShaRoundX);
  REQUIRE(main_rows + kMoved + rv32im::kZkFreeRows <= main.height);
  for (size_t row = 0; row < kMoved; ++row)
    for (size_t col = 0; col < w; ++col) main.at(main_rows + row, col) = over.at(row, col);
  for (size_t row = 0; row < over_rows; ++row)
    for (size_t col = 0; col < w; ++col)
      over.at(row, col) = row + kMoved < over_rows ? over.at(row + kMoved, col) : Fp::zero();
  const auto c = check(b);
  INFO(c.message);
  CHECK_FALSE(c.ok);
  CHECK(c.constraint != "bus");
  CHECK_FALSE(prove_verify(b));
}

TEST_CASE("changing a cell of a real row of the sha256 overflow table is rejected by the verifier", "[rv32im][sha]") {
  // The overflow table is the round table's AIR (its constraint sweep above
  // covers every column); here the verifier binds the second table's cells
  // as it binds the first's: one column per group of the first call's rows.
  const auto p = sha_program_n(16);
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(sha_rows(b, rv32im::kTableShaRoundX) == 3 * rv32im::sha::kRowsPerCall);
  const auto pk = setup(b);
  using R = ShaRoundAir;
  for (size_t col : std::initializer_list<size_t>{R::kRound, R::kFinal, R::kClk, R::kR, R::kFirst, R::kK, R::kA, R::kC + 31, R::kG, R::kD, R::kH,
                     R::kWn + 17, R::kX14, R::kNa, R::kNw + 1, R::kCe, R::kCw + 3}) {
    const size_t row = (col * 7) % rv32im::sha::kRowsPerCall;
    INFO("row " << row << " column " << col);
    CHECK_FALSE(accepts_changed_cell(b, pk, rv32im::kTableShaRoundX, row, col));
  }
}
