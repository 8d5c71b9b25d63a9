// The IO table (read/write ecalls) with a stand-in CPU (sends the kBusIoCall
// tuples and sets a1/a2 before each call) and a stand-in memory table (each
// cell's initial token at time 0 and its final token).
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "prover/rv32im/alu.h"
#include "prover/rv32im/io.h"
#include "prover/rv32im/segment.h"
#include "tests/rv32im/rv32im_test_support.h"

using namespace zkvm;
using namespace zkvm::rv32im_test;
using rv32im::IoAir;
using rv32im::IoBuilder;
using rv32im::MemoryState;
namespace io = rv32im::io;

namespace {

// Stand-in CPU: per call, a1 := buf at 8 clk + 1, a2 := len at 8 clk + 2,
// then the call tuple (clk, is_read, fd, n). Trusted (test only).
// Its public values are the claimed journal, received on kBusJournal (the
// real statement's boundary terms, rv32im::journal_terms).
class CallSourceAir : public air::AirBase<CallSourceAir> {
 public:
  explicit CallSourceAir(size_t journal_len) : journal_len_(journal_len) {}
  size_t num_public_values() const override { return journal_len_; }
  std::vector<air::PublicInteraction> public_interactions(std::span<const Fp> publics) const override {
    std::vector<uint8_t> j;
    for (Fp b : publics) j.push_back(static_cast<uint8_t>(b.canonical()));
    return rv32im::journal_terms(j);
  }
  enum Col : size_t {
    kClk, kRead, kFd, kN, kBuf = kN + 4, kLen = kBuf + 4, kOldA1 = kLen + 4, kTpA1 = kOldA1 + 4, kOldA2, kTpA2 = kOldA2 + 4,
    kReal, kWidth
  };
  std::string name() const override { return "test-io-calls"; }
  size_t width() const override { return kWidth; }
  template <class B>
  void constraints(B& b) const {
    auto c = [&](size_t i) { return b.main(i); };
    const auto real = c(kReal), t = b.lit(8) * c(kClk);
    const auto seg = b.lit(kSeg);
    b.send(rv32im::kBusIoCall, {c(kClk), c(kRead), c(kFd), c(kN), c(kN + 1), c(kN + 2), c(kN + 3), seg}, real);
    b.receive(rv32im::kBusMemory, {b.lit(11), c(kOldA1), c(kOldA1 + 1), c(kOldA1 + 2), c(kOldA1 + 3), c(kTpA1), seg}, real);
    b.send(rv32im::kBusMemory, {b.lit(11), c(kBuf), c(kBuf + 1), c(kBuf + 2), c(kBuf + 3), t + b.lit(1), seg}, real);
    b.receive(rv32im::kBusMemory, {b.lit(12), c(kOldA2), c(kOldA2 + 1), c(kOldA2 + 2), c(kOldA2 + 3), c(kTpA2), seg}, real);
    b.send(rv32im::kBusMemory, {b.lit(12), c(kLen), c(kLen + 1), c(kLen + 2), c(kLen + 3), t + b.lit(2), seg}, real);
  }
  // The segment tag of the statement (one segment).
  static constexpr uint32_t kSeg = 1;

 private:
  size_t journal_len_;
};

// Stand-in memory table: sends (cell, init, 0), receives (cell, fin, fin_t).
class CellSourceAir : public air::AirBase<CellSourceAir> {
 public:
  enum Col : size_t { kCell, kInit, kFin = kInit + 4, kFinT = kFin + 4, kReal, kWidth };
  std::string name() const override { return "test-io-cells"; }
  size_t width() const override { return kWidth; }
  template <class B>
  void constraints(B& b) const {
    auto c = [&](size_t i) { return b.main(i); };
    const auto seg = b.lit(CallSourceAir::kSeg);
    b.send(rv32im::kBusMemory, {c(kCell), c(kInit), c(kInit + 1), c(kInit + 2), c(kInit + 3), b.lit(0), seg}, c(kReal));
    b.receive(rv32im::kBusMemory, {c(kCell), c(kFin), c(kFin + 1), c(kFin + 2), c(kFin + 3), c(kFinT), seg}, c(kReal));
  }
};

enum Table : size_t { kCpu, kMem, kIo, kBytes, kNumTables };

struct Call {
  bool read;
  uint32_t fd, buf, len;
};

struct Run {
  std::map<uint32_t, uint32_t> image;  // aligned byte address -> word
  std::vector<uint8_t> input;
  std::vector<Call> calls;
};

// The statement {calls, cells, io, bytes}; copies keep their own AIRs.
struct Built {
  CallSourceAir cpu;
  CellSourceAir mem;
  IoAir io;
  rv32im::ByteTableAir bytes;
  std::vector<RowMajorMatrix<Fp>> traces;
  std::vector<std::vector<Fp>> publics;
  std::vector<uint8_t> journal;
  std::vector<uint32_t> call_rows;  // io row of each call's header
  explicit Built(size_t journal_len) : cpu(journal_len) {}
  std::vector<const air::Air*> airs() const { return {&cpu, &mem, &io, &bytes}; }
  std::vector<air::TableWitness> witnesses() const {
    const auto a = airs();
    std::vector<air::TableWitness> w;
    for (size_t i = 0; i < kNumTables; ++i) w.push_back({a[i], &traces[i], publics[i]});
    return w;
  }
  // A statement claiming a different journal (length included).
  Built with_journal(const std::vector<uint8_t>& j) const {
    Built s(j.size());
    s.traces = traces;
    s.publics = publics;
    s.call_rows = call_rows;
    s.journal = j;
    s.publics[kCpu].clear();
    for (uint8_t b : j) s.publics[kCpu].push_back(Fp::from_canonical(b));
    s.publics[kIo][IoAir::kPubJEnd] = Fp::from_u64(j.size());  // the verifier's: the claim's length
    return s;
  }
};

Fp u(uint64_t v) { return Fp::from_u64(v); }

RowMajorMatrix<Fp> cell_trace(const MemoryState& mem) {
  const auto cells = mem.segment_cells();
  RowMajorMatrix<Fp> m(CellSourceAir::kWidth, rv32im::padded_height(cells.size(), 0));
  size_t r = 0;
  for (const auto& c : cells) {
    auto row = m.row(r++);
    row[CellSourceAir::kCell] = u(c.cell);
    put_word(row, CellSourceAir::kInit, c.init);
    put_word(row, CellSourceAir::kFin, c.fin);
    row[CellSourceAir::kFinT] = u(c.fin_time);
    row[CellSourceAir::kReal] = Fp::one();
  }
  return m;
}

Built build(const Run& run, size_t io_min_rows = 0) {
  MemoryState mem;
  rv32im::ByteCounts counts;
  IoBuilder iob;
  for (auto [addr, w] : run.image) mem.init_image(rv32im::word_cell(addr), w);
  RowMajorMatrix<Fp> cpu(CallSourceAir::kWidth, rv32im::padded_height(run.calls.size(), 0));
  std::vector<uint32_t> call_rows;
  size_t in_pos = 0, io_rows = 0;
  uint64_t clk = 3;
  for (size_t i = 0; i < run.calls.size(); ++i, clk += 7 + 3 * i) {
    const Call& c = run.calls[i];
    auto row = cpu.row(i);
    using C = CallSourceAir;
    const auto a1 = mem.access(11, c.buf, static_cast<uint32_t>(8 * clk + 1));
    const auto a2 = mem.access(12, c.len, static_cast<uint32_t>(8 * clk + 2));
    std::vector<uint8_t> data;
    uint32_t n = c.len;
    if (c.read) {
      n = static_cast<uint32_t>(std::min<size_t>(c.len, run.input.size() - in_pos));
      data.assign(run.input.begin() + in_pos, run.input.begin() + in_pos + n);
      in_pos += n;
    } else {
      for (uint32_t k = 0; k < c.len; ++k) {
        const uint32_t a = c.buf + k;
        data.push_back(static_cast<uint8_t>(mem.peek(rv32im::word_cell(a)) >> (8 * (a & 3))));
      }
    }
    row[C::kClk] = u(clk);
    row[C::kRead] = u(c.read);
    row[C::kFd] = u(c.fd);
    put_word(row, C::kN, n);
    put_word(row, C::kBuf, c.buf);
    put_word(row, C::kLen, c.len);
    put_word(row, C::kOldA1, a1.old_value);
    row[C::kTpA1] = u(a1.prev_time);
    put_word(row, C::kOldA2, a2.old_value);
    row[C::kTpA2] = u(a2.prev_time);
    row[C::kReal] = Fp::one();
    vm::SyscallRecord rec{clk, c.read ? 63u : 64u, {c.fd, c.buf, c.len}, {n, 0}, 0, n};
    call_rows.push_back(static_cast<uint32_t>(io_rows));
    iob.add_call(rec, data, mem, counts);
    const uint32_t cnt = c.read ? n : c.fd == 3 ? c.len : 0;
    io_rows += 1 + (cnt == 0 ? 0 : ((c.buf + cnt - 1) >> 2) - (c.buf >> 2) + 1);
  }
  Built s(iob.journal_len());
  s.traces.resize(kNumTables);
  s.publics.resize(kNumTables);
  s.traces[kCpu] = std::move(cpu);
  s.traces[kIo] = iob.trace(io_min_rows, counts);
  s.traces[kMem] = cell_trace(mem);
  s.traces[kBytes] = counts.trace();
  s.journal = iob.journal();
  for (uint8_t b : s.journal) s.publics[kCpu].push_back(Fp::from_canonical(b));
  s.publics[kIo] = {u(CallSourceAir::kSeg), u(0), u(s.journal.size()), u(0), u(iob.eof())};
  s.call_rows = std::move(call_rows);
  return s;
}

bool prove_verify(const Built& s, std::string* why = nullptr) {
  auto& hal = stark_test::cpu();
  const auto pk = stark::setup(99, s.airs(), stark_test::fast_config(), hal);
  const auto w = s.witnesses();
  stark::ProveOptions o;
  o.check_constraints = false;
  const auto proof = stark::prove(pk, w, hal, o);
  return !stark_test::rejects(pk.vk, stark::serialize_proof(proof), why);
}

air::CheckResult check(const Built& s) { return air::check_constraints(s.witnesses()); }

// After a cheat in the io (and cpu) traces: rebuild the stand-in memory table
// and the byte table so that every bus balances except what the io table
// itself can no longer balance (out-of-range lookups stay unmatched). So a
// rejection is the io table's doing.
void rebalance(Built& s) {
  std::map<uint32_t, std::pair<std::optional<uint32_t>, std::optional<std::pair<uint32_t, uint32_t>>>> cells;
  std::map<TupleKey, Fp> net;
  for (size_t t : {kCpu, kIo})
    for (const auto& [k, m] : evaluate(*s.airs()[t], s.traces[t], s.publics[t]).net) net[k] += m;
  for (const auto& [k, m] : net) {
    if (k.first != rv32im::kBusMemory || m.is_zero()) continue;
    const auto& v = k.second;
    const uint32_t w = v[1] | v[2] << 8 | v[3] << 16 | v[4] << 24;
    if (m == -Fp::one()) {
      REQUIRE(v[5] == 0);  // an unmatched consume must be a cell's initial token
      REQUIRE_FALSE(cells[v[0]].first);
      cells[v[0]].first = w;
    } else {
      REQUIRE(m == Fp::one());
      REQUIRE_FALSE(cells[v[0]].second);
      cells[v[0]].second = std::pair{w, v[5]};
    }
  }
  RowMajorMatrix<Fp> mt(CellSourceAir::kWidth, rv32im::padded_height(cells.size(), 0));
  size_t r = 0;
  for (const auto& [cell, tok] : cells) {
    REQUIRE(tok.first);
    REQUIRE(tok.second);
    auto row = mt.row(r++);
    row[CellSourceAir::kCell] = u(cell);
    put_word(row, CellSourceAir::kInit, *tok.first);
    put_word(row, CellSourceAir::kFin, tok.second->first);
    row[CellSourceAir::kFinT] = u(tok.second->second);
    row[CellSourceAir::kReal] = Fp::one();
  }
  s.traces[kMem] = std::move(mt);
  rv32im::ByteCounts counts;
  for (const auto& [k, m] : evaluate(s.io, s.traces[kIo], s.publics[kIo]).net) {
    const uint32_t times = m.canonical();
    if (k.first == rv32im::kBusBytePair && k.second[0] < 256 && k.second[1] < 256)
      for (uint32_t i = 0; i < times; ++i) counts.pair(k.second[0], k.second[1]);
    if (k.first == rv32im::kBusU16 && k.second[0] < 65536)
      for (uint32_t i = 0; i < times; ++i) counts.u16(k.second[0]);
  }
  s.traces[kBytes] = counts.trace();
}

// Lanes e_0..e_3 of an io row, from S and L (io.h).
std::array<bool, 4> lanes(std::span<const Fp> row) {
  std::array<bool, 4> e{};
  int ps = 0, pl = 0;
  for (size_t i = 0; i < 4; ++i) {
    ps += row[io::kS + i].canonical();
    e[i] = ps - pl == 1;
    pl += row[io::kL + i].canonical();
  }
  return e;
}

// Recompute the journal counter and the claimed journal from the io trace.
std::vector<uint8_t> renumber_journal(RowMajorMatrix<Fp>& m) {
  std::vector<uint8_t> j;
  for (size_t r = 0; r < m.height; ++r) {
    m.at(r, io::kJpos) = u(j.size());
    if (m.at(r, io::kJw) != Fp::one()) continue;
    const auto e = lanes(m.row(r));
    for (size_t i = 0; i < 4; ++i)
      if (e[i]) j.push_back(static_cast<uint8_t>(m.at(r, io::kV + i).canonical()));
  }
  return j;
}

// Verdict of the io table alone against its honest multiset (the other
// tables fixed): equivalent to the full checker, and fast.
bool io_locally_accepted(const Built& s, const std::map<TupleKey, Fp>& honest_net) {
  const Eval ev = evaluate(s.io, s.traces[kIo], s.publics[kIo]);
  return ev.failed.empty() && ev.net == honest_net;
}

uint32_t word_of(std::span<const Fp> row, size_t col) {
  uint32_t w = 0;
  for (size_t i = 0; i < 4; ++i) w |= row[col + i].canonical() << (8 * i);
  return w;
}

// Header derived columns after a cheat changed buf/len/n (field solutions
// where no honest one exists; out-of-range limbs fail their lookups).
void rederive_header(std::span<Fp> r) {
  using namespace io;
  const uint32_t len = word_of(r, kLen);
  const Fp lsum = r[kLen] + r[kLen + 1] + r[kLen + 2] + r[kLen + 3];
  r[kNz] = u(len != 0);
  r[kInv] = len != 0 ? lsum.inverse() : Fp::zero();
  const Fp buf = u(word_of(r, kV)), lenf = u(len), n = u(word_of(r, kN));
  const Fp e = len != 0 ? buf + lenf - Fp::one() : Fp::zero();
  const Fp g = r[kRd] * (lenf - n);
  put_word(r, kE, e.canonical());
  put_word(r, kG, g.canonical());
  const Fp cnt = r[kRd] * n + r[kJr] * lenf;
  r[kEnd] = buf + cnt - Fp::one();
}

// Honest runs --------------------------------------------------------------

std::map<uint32_t, uint32_t> pattern(uint32_t base, uint32_t words) {
  std::map<uint32_t, uint32_t> img;
  for (uint32_t i = 0; i < words; ++i) img[base + 4 * i] = 0xa0b0c0d0u + 0x01010101u * i;
  return img;
}

Run reads_run() {
  Run run;
  run.image = pattern(0x20000, 16);
  for (uint32_t i = 0; i < 23; ++i) run.input.push_back(static_cast<uint8_t>(0x41 + i * 7));
  run.calls = {
      {true, 0, 0x20001, 6},     // unaligned start, n = len, partial words at both ends
      {true, 0, 0x20013, 0},     // len = 0
      {true, 0, 0xfffffffe, 0},  // len = 0: any buf is fine
      {true, 0, 0x20022, 1},     // one byte inside a word
      {true, 0, 0x20030, 100},   // n = 16 < len (input runs out), aligned
      {true, 0, 0x20010, 7},     // input exhausted: n = 0 with len > 0
  };
  return run;
}

Run writes_run() {
  Run run;
  run.image = pattern(0x30000, 12);
  run.image[0x0ffffffc] = 0x11223344;
  run.image[0x10000] = 0x55667788;
  run.calls = {
      {false, 3, 0x30003, 9},     // fd 3 across three words
      {false, 1, 0x30000, 5},     // stdout: no memory access
      {false, 3, 0x30010, 4},     // one aligned word
      {false, 2, 0x30001, 0},     // stderr, empty
      {false, 3, 0x30021, 2},     // inside one word
      {false, 3, 0xfffffff0, 0},  // empty journal write, buf anywhere
      {false, 3, 0x0ffffffd, 3},  // ends exactly at the top of guest memory
      {false, 3, 0x10000, 1},     // starts exactly at the bottom
      {false, 2, 0x30005, 7},
  };
  return run;
}

// A read whose bytes are then written to the journal (echo).
Run echo_run() {
  Run run;
  run.image = pattern(0x40000, 4);
  run.input = {'z', 'k', 'v', 'm', '!', '?', 1, 2, 3};
  run.calls = {{true, 0, 0x40002, 5}, {false, 3, 0x40001, 7}, {false, 3, 0x40006, 1}};
  return run;
}

}  // namespace

TEST_CASE("io table shape: 59 main columns, 14 aux Fp4 columns, degree 3", "[rv32im][io]") {
  const IoAir air;
  const auto shape = air::analyse(air);
  CHECK(air.width() == 59);
  CHECK(shape.aux_width() == 14);
  CHECK(shape.max_degree <= 3);
  CHECK(shape.bus_arity.at(rv32im::kBusIoCall) == 8);
  CHECK(shape.bus_arity.at(rv32im::kBusMemory) == 7);
  CHECK(shape.bus_arity.at(rv32im::kBusJournal) == 2);
  CHECK(air.num_public_values() == IoAir::kNumPublics);
  const std::vector<uint8_t> journal = {7, 200};
  const auto pi = rv32im::journal_terms(journal);
  REQUIRE(pi.size() == 2);
  CHECK_FALSE(pi[1].send);
  CHECK(pi[1].tuple == std::vector<Fp>{u(1), u(200)});
}

TEST_CASE("reads (unaligned, n < len, n = 0, len = 0) prove and verify", "[rv32im][io]") {
  const auto s = build(reads_run());
  CHECK(s.journal.empty());
  const auto r = check(s);
  INFO(r.message);
  REQUIRE(r.ok);
  // The read bytes landed, the rest of each word kept its value.
  const auto& mem = s.traces[kMem];
  bool saw = false;
  for (size_t i = 0; i < mem.height; ++i) {
    if (mem.at(i, CellSourceAir::kCell) == u(0x20000 / 4)) {
      CHECK(word_of(mem.row(i), CellSourceAir::kFin) == 0x4f4841d0u);  // bytes 1..3 = input 0..2
      saw = true;
    }
  }
  CHECK(saw);
  std::string why;
  const bool ok = prove_verify(s, &why);
  INFO(why);
  CHECK(ok);
}

TEST_CASE("fd 1/2 writes and fd 3 writes across words build one journal, prove and verify", "[rv32im][io]") {
  const auto s = build(writes_run());
  const std::vector<uint8_t> want = {0xa0, 0xd1, 0xc1, 0xb1, 0xa1, 0xd2, 0xc2, 0xb2, 0xa2,  // [0x30003, +9)
                                     0xd4, 0xc4, 0xb4, 0xa4,                                // [0x30010, +4)
                                     0xc8, 0xb8,                                            // [0x30021, +2)
                                     0x33, 0x22, 0x11,  // [0x0ffffffd, +3): bytes 1..3 of 0x11223344
                                     0x88};             // [0x10000, +1)
  CHECK(s.journal == want);
  const auto r = check(s);
  INFO(r.message);
  REQUIRE(r.ok);
  std::string why;
  const bool ok = prove_verify(s, &why);
  INFO(why);
  CHECK(ok);
}

TEST_CASE("a read echoed to the journal proves, and padding to min_rows keeps it valid", "[rv32im][io]") {
  // min_rows 512: past the kZkFreeRows padding every table keeps anyway.
  const auto s = build(echo_run(), 512);
  REQUIRE(s.traces[kIo].height == 512);
  // Memory after the read: 0x40000 = d0 c0 'z' 'k', 0x40004 = 'v' 'm' '!' a1.
  CHECK(s.journal == std::vector<uint8_t>{0xc0, 'z', 'k', 'v', 'm', '!', 0xa1, '!'});
  REQUIRE(check(s).ok);
  CHECK(prove_verify(s));
}

TEST_CASE("io witness generation refuses records the emulator cannot produce", "[rv32im][io]") {
  using Catch::Contains;
  auto call = [](uint32_t num, uint32_t fd, uint32_t buf, uint32_t len, uint32_t n, size_t data_len) {
    MemoryState mem;
    rv32im::ByteCounts counts;
    IoBuilder iob;
    mem.access(11, buf, 1);
    mem.access(12, len, 2);
    const std::vector<uint8_t> data(data_len);
    iob.add_call(vm::SyscallRecord{1, num, {fd, buf, len}, {n, 0}, 0, n}, data, mem, counts);
  };
  REQUIRE_THROWS_WITH(call(64, 4, 0x20000, 1, 1, 1), Contains("write to fd 4"));
  REQUIRE_THROWS_WITH(call(63, 1, 0x20000, 1, 1, 1), Contains("read from fd 1"));
  REQUIRE_THROWS_WITH(call(64, 1, 0x0ffffff0, 17, 17, 17), Contains("not inside guest memory"));
  REQUIRE_THROWS_WITH(call(64, 1, 0xfff0, 16, 16, 16), Contains("not inside guest memory"));
  REQUIRE_THROWS_WITH(call(63, 0, 0x20000, 4, 5, 5), Contains("returns 5 for len 4"));
  REQUIRE_THROWS_WITH(call(64, 1, 0x20000, 4, 3, 4), Contains("returns 3 for len 4"));
  REQUIRE_NOTHROW(call(64, 2, 0xffffffff, 0, 0, 0));
}

// Cheating provers (the debug checker off; the prover rebuilds the LogUp aux
// from the cheated trace). rebalance() fixes up the stand-ins so only the io
// table can object.

TEST_CASE("verifier rejects a journal byte that differs from memory", "[rv32im][io]") {
  const auto honest = build(writes_run());
  auto j = honest.journal;
  j[4] ^= 0x01;
  const auto s = honest.with_journal(j);
  const auto r = check(s);
  CHECK_FALSE(r.ok);
  CHECK(r.constraint == "bus");
  CHECK_FALSE(prove_verify(s));
  // Dropping the last byte from the claim is rejected too.
  j = honest.journal;
  j.pop_back();
  CHECK_FALSE(prove_verify(honest.with_journal(j)));
}

TEST_CASE("verifier rejects a journal in another order", "[rv32im][io]") {
  Run run;
  run.image = pattern(0x30000, 4);
  run.calls = {{false, 3, 0x30000, 3}, {false, 3, 0x30008, 5}};
  const auto honest = build(run);
  REQUIRE(check(honest).ok);
  {
    // The claim lists the same bytes in another order.
    auto j = honest.journal;
    std::swap(j[0], j[5]);
    CHECK_FALSE(prove_verify(honest.with_journal(j)));
  }
  {
    // The prover puts the second call first: a journal of the calls in the
    // table's order, but not in cycle order.
    auto s = honest;
    auto& m = s.traces[kIo];
    const size_t a = s.call_rows[0], b = s.call_rows[1], end = b + 1 + 2;  // call 2: header + 2 words
    std::vector<Fp> rows(m.values.begin() + a * io::kWidth, m.values.begin() + end * io::kWidth);
    const size_t first_len = (b - a) * io::kWidth;
    std::rotate(rows.begin(), rows.begin() + first_len, rows.end());
    std::copy(rows.begin(), rows.end(), m.values.begin() + a * io::kWidth);
    // Difference limbs: the first header has none; the second gets either
    // the field solution of clk' - clk - 1 < 0 (its dhi is no byte) or
    // in-range limbs that do not add up.
    const size_t h2 = a + (end - b);
    m.at(a, io::kDlo) = m.at(a, io::kDhi) = Fp::zero();
    const auto j = renumber_journal(m);
    REQUIRE(j != honest.journal);
    for (bool field_solution : {true, false}) {
      const Fp d = m.at(h2, io::kClk) - m.at(a, io::kClk) - Fp::one();
      m.at(h2, io::kDlo) = field_solution ? u(d.canonical() & 0xffff) : Fp::zero();
      m.at(h2, io::kDhi) = field_solution ? u(d.canonical() >> 16) : Fp::zero();
      auto cheat = s.with_journal(j);
      rebalance(cheat);
      const auto r = check(cheat);
      INFO(r.message);
      CHECK_FALSE(r.ok);
      CHECK(r.table == "rv32im-io");
      if (!field_solution) CHECK(r.constraint == "calls are in cycle order");
      CHECK_FALSE(prove_verify(cheat));
    }
  }
  {
    // The second call's bytes are sent at the first call's positions.
    auto s = honest;
    auto& m = s.traces[kIo];
    for (size_t r = s.call_rows[1]; r < m.height; ++r) m.at(r, io::kJpos) -= u(3);
    rebalance(s);
    const auto r = check(s);
    CHECK_FALSE(r.ok);
    CHECK(r.constraint == "jpos counts journal bytes");
    CHECK_FALSE(prove_verify(s));
  }
}

TEST_CASE("verifier rejects a read that changes a byte outside its buffer", "[rv32im][io]") {
  Run run;
  run.image = pattern(0x20000, 4);
  run.input = {1, 2, 3, 4, 5};
  run.calls = {{true, 0, 0x20001, 9}};  // n = 5: words 0x20000 (lanes 1..3), 0x20004 (lanes 0..1)
  const auto honest = build(run);
  REQUIRE(check(honest).ok);
  const size_t last = honest.call_rows[0] + 2;
  REQUIRE(honest.traces[kIo].at(last, io::kLast) == Fp::one());
  for (size_t lane : {2u, 3u}) {  // beyond buf + n
    auto s = honest;
    s.traces[kIo].at(last, io::kNew + lane) = u(0x5a);
    rebalance(s);
    const auto r = check(s);
    CHECK_FALSE(r.ok);
    CHECK(r.constraint == "only a read's buffer bytes change");
    CHECK_FALSE(prove_verify(s));
  }
  {
    // Before buf: lane 0 of the first word.
    auto s = honest;
    s.traces[kIo].at(last - 1, io::kNew) = u(0x5a);
    rebalance(s);
    CHECK(check(s).constraint == "only a read's buffer bytes change");
    CHECK_FALSE(prove_verify(s));
  }
  {
    // Widening the last word's run to lane 2 to write a sixth byte.
    auto s = honest;
    auto& m = s.traces[kIo];
    m.at(last, io::kL + 1) = Fp::zero();
    m.at(last, io::kL + 2) = Fp::one();
    m.at(last, io::kNew + 2) = u(6);
    rebalance(s);
    CHECK(check(s).constraint == "the last word ends at the call's last byte");
    CHECK_FALSE(prove_verify(s));
  }
}

TEST_CASE("verifier rejects a read returning more than len", "[rv32im][io]") {
  Run run;
  run.image = pattern(0x20000, 4);
  run.input = {1, 2, 3, 4, 5, 6, 7, 8};
  run.calls = {{true, 0, 0x20000, 8}};
  auto s = build(run);
  // Claim len = 5 (a2 holds 5) but the call returned and wrote 8 bytes.
  put_word(s.traces[kCpu].row(0), CallSourceAir::kLen, 5);
  auto row = s.traces[kIo].row(s.call_rows[0]);
  put_word(row, io::kLen, 5);
  rederive_header(row);
  for (bool field_solution : {true, false}) {
    // G = len - n < 0: its field solution has G3 >= 16 (the lookup objects),
    // in-range bytes do not satisfy the equation.
    if (!field_solution) put_word(row, io::kG, 0);
    rebalance(s);
    const auto r = check(s);
    INFO(r.message);
    CHECK_FALSE(r.ok);
    if (!field_solution) CHECK(r.constraint == "read returns at most len: G = len - n");
    CHECK_FALSE(prove_verify(s));
  }
}

TEST_CASE("verifier rejects a write returning other than len", "[rv32im][io]") {
  for (uint32_t fd : {1u, 3u}) {
    Run run;
    run.image = pattern(0x30000, 4);
    run.calls = {{false, fd, 0x30002, 6}};
    auto s = build(run);
    put_word(s.traces[kCpu].row(0), CallSourceAir::kN, 5);
    put_word(s.traces[kIo].row(s.call_rows[0]), io::kN, 5);
    rebalance(s);
    const auto r = check(s);
    INFO("fd " << fd);
    CHECK(r.constraint == "write returns len");
    CHECK_FALSE(prove_verify(s));
  }
}

TEST_CASE("verifier rejects a write to fd 4", "[rv32im][io]") {
  struct Case {
    uint32_t fd;
    size_t kind;  // the io kind flag the cheater sets
    const char* constraint;
  };
  for (const Case& c : {Case{1, io::kLg, "log write is to fd 1 or 2"}, Case{3, io::kJr, "journal write is to fd 3"},
                        Case{1, io::kRd, "read is from fd 0"}}) {
    Run run;
    run.image = pattern(0x30000, 4);
    run.calls = {{false, c.fd, 0x30000, 0}};
    auto s = build(run);
    s.traces[kCpu].at(0, CallSourceAir::kFd) = u(4);
    auto row = s.traces[kIo].row(s.call_rows[0]);
    row[io::kFd] = u(4);
    for (size_t k : {io::kRd, io::kJr, io::kLg}) row[k] = u(k == c.kind);
    if (c.kind == io::kRd) s.traces[kCpu].at(0, CallSourceAir::kRead) = Fp::one();
    rebalance(s);
    const auto r = check(s);
    INFO(c.constraint << ": " << r.message);
    CHECK(r.constraint == c.constraint);
    CHECK_FALSE(prove_verify(s));
  }
}

TEST_CASE("verifier rejects a buffer outside guest memory", "[rv32im][io]") {
  struct Case {
    bool read;
    uint32_t buf, len, cheat_len;
  };
  // Honest at the edges, then one byte more (or a start below 0x10000).
  for (const Case& c : {Case{false, 0x0ffffff0, 16, 17}, Case{true, 0x0ffffff0, 16, 17}, Case{false, 0x0fffff00, 256, 0x100000}}) {
    Run run;
    run.input = {9, 9};
    run.calls = {{c.read, c.read ? 0u : 1u, c.buf, c.len}};
    auto s = build(run);
    REQUIRE(check(s).ok);
    put_word(s.traces[kCpu].row(0), CallSourceAir::kLen, c.cheat_len);
    auto row = s.traces[kIo].row(s.call_rows[0]);
    put_word(row, io::kLen, c.cheat_len);
    if (!c.read) {
      put_word(s.traces[kCpu].row(0), CallSourceAir::kN, c.cheat_len);
      put_word(row, io::kN, c.cheat_len);
    }
    rederive_header(row);
    for (bool field_solution : {true, false}) {
      // E = buf + len - 1 >= 2^28 has E3 >= 16; an in-range E does not add up.
      if (!field_solution) put_word(row, io::kE, 0x0fffffff);
      rebalance(s);
      const auto r = check(s);
      INFO(r.message);
      CHECK_FALSE(r.ok);
      if (!field_solution) CHECK(r.constraint == "buffer end E = buf + len - 1");
      CHECK_FALSE(prove_verify(s));
    }
  }
  {
    // buf = 0xfff0 (in the null guard), len 16.
    Run run;
    run.calls = {{false, 1, 0x10000, 16}};
    auto s = build(run);
    put_word(s.traces[kCpu].row(0), CallSourceAir::kBuf, 0xfff0);
    auto row = s.traces[kIo].row(s.call_rows[0]);
    put_word(row, io::kV, 0xfff0);
    put_word(row, io::kNew, 0xfff0);
    row[io::kQ0] = u(0xf0 / 4);
    row[io::kAddr] = u(0xfff0 / 4 - 1);
    rederive_header(row);
    rebalance(s);
    const auto r = check(s);
    INFO(r.message);
    CHECK_FALSE(r.ok);
    CHECK_FALSE(prove_verify(s));
  }
}

TEST_CASE("verifier rejects a call that skips a word", "[rv32im][io]") {
  for (bool read : {false, true}) {
    Run run;
    run.image = pattern(0x30000, 4);
    run.input = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    run.calls = {{read, read ? 0u : 3u, 0x30002, 9}};  // words 0x30000, 0x30004, 0x30008
    auto s = build(run);
    REQUIRE(check(s).ok);
    auto& m = s.traces[kIo];
    const size_t mid = s.call_rows[0] + 2;
    m.values.erase(m.values.begin() + mid * io::kWidth, m.values.begin() + (mid + 1) * io::kWidth);
    m.values.resize(m.values.size() + io::kWidth);  // one more padding row
    auto cheat = s.with_journal(renumber_journal(m));
    rebalance(cheat);
    const auto r = check(cheat);
    INFO((read ? "read: " : "write: ") << r.message);
    CHECK(r.constraint == "words are consecutive");
    CHECK_FALSE(prove_verify(cheat));
  }
}

// Every cell of every real row, +1 (nothing fixed up): the io table's
// constraints or its bus tuples object (checked against the honest multiset,
// which with the other tables fixed is the full checker's verdict); the real
// verifier rejects one cell of every column.
TEST_CASE("changing any one cell of a real io row is rejected", "[rv32im][io]") {
  Run run = echo_run();
  run.calls.push_back({false, 1, 0x40000, 3});   // log write
  run.calls.push_back({false, 3, 0x0, 0});       // empty journal write
  run.calls.push_back({true, 0, 0x4000a, 10});   // n = 4 < len, two partial words
  const auto honest = build(run);
  REQUIRE(check(honest).ok);
  const auto honest_net = evaluate(honest.io, honest.traces[kIo], honest.publics[kIo]).net;
  size_t real_rows = 0;
  while (real_rows < honest.traces[kIo].height &&
         !(honest.traces[kIo].at(real_rows, io::kHdr) + honest.traces[kIo].at(real_rows, io::kWord)).is_zero())
    ++real_rows;
  REQUIRE(real_rows == 13);
  for (size_t row = 0; row < real_rows; ++row) {
    for (size_t col = 0; col < io::kWidth; ++col) {
      auto s = honest;
      s.traces[kIo].at(row, col) += Fp::one();
      INFO("row " << row << " column " << col);
      CHECK_FALSE(io_locally_accepted(s, honest_net));
      if (row == (col * 5) % real_rows) CHECK_FALSE(prove_verify(s));
    }
  }
}

TEST_CASE("verifier rejects a journal write whose words are left out", "[rv32im][io]") {
  Run run;
  run.image = pattern(0x30000, 4);
  run.calls = {{false, 3, 0x30001, 2}, {false, 3, 0x30006, 5}};  // second call: header + 2 words
  auto s = build(run);
  auto& m = s.traces[kIo];
  const size_t h = s.call_rows[1];
  m.at(h, io::kHw) = Fp::zero();
  m.values.erase(m.values.begin() + (h + 1) * io::kWidth, m.values.begin() + (h + 3) * io::kWidth);
  m.values.resize(m.values.size() + 2 * io::kWidth);
  auto cheat = s.with_journal(renumber_journal(m));
  REQUIRE(cheat.journal.size() == 2);
  rebalance(cheat);
  const auto r = check(cheat);
  INFO(r.message);
  CHECK(r.constraint == "a call with bytes has words");
  CHECK_FALSE(prove_verify(cheat));
}

// A call without bytes at an unaligned buf with an empty word row (l = s - 1)
// touching the word: harmless, but not the emulator's trace.
TEST_CASE("verifier rejects a call without bytes that touches a word", "[rv32im][io]") {
  for (bool read : {true, false}) {
    Run run;
    run.image = pattern(0x30000, 2);
    run.calls = {{read, read ? 0u : 3u, 0x30006, 0}};
    auto s = build(run);
    auto& m = s.traces[kIo];
    REQUIRE(m.at(1, io::kHdr).is_zero());
    m.at(0, io::kHw) = Fp::one();
    auto w = m.row(1);
    w[io::kWord] = w[io::kLast] = Fp::one();
    for (size_t k : {io::kClk, io::kRd, io::kJr, io::kEnd, io::kJpos}) w[k] = m.at(0, k);
    w[io::kAddr] = u(0x30004 / 4);
    w[io::kS + 2] = Fp::one();
    w[io::kL + 1] = Fp::one();
    put_word(w, io::kV, 0xa1b1c1d1u);
    put_word(w, io::kNew, 0xa1b1c1d1u);
    w[io::kLo1] = u(8 * 3 + 7 - 1);
    w[io::kJw] = u(!read);
    w[io::kRw] = u(read);
    rebalance(s);
    const auto r = check(s);
    INFO(r.message);
    CHECK(r.constraint == "a row covers its start lane (l >= s)");
    CHECK_FALSE(prove_verify(s));
  }
}

TEST_CASE("verifier rejects journal words that start elsewhere than buf or lane 0", "[rv32im][io]") {
  Run run;
  run.image = pattern(0x30000, 4);
  run.calls = {{false, 3, 0x30001, 2}, {false, 3, 0x30002, 9}};  // one word; three words
  const auto honest = build(run);
  struct Case {
    size_t row, lane;  // word row whose start lane moves
  };
  for (const Case& c : {Case{1, 0}, Case{honest.call_rows[1] + 2, 2}}) {
    auto s = honest;
    auto& m = s.traces[kIo];
    for (size_t j = 0; j < 4; ++j) m.at(c.row, io::kS + j) = u(j == c.lane);
    auto cheat = s.with_journal(renumber_journal(m));
    REQUIRE(cheat.journal.size() != honest.journal.size());
    rebalance(cheat);
    const auto r = check(cheat);
    INFO("row " << c.row << ": " << r.message);
    CHECK(r.constraint == "the first word starts at buf, the others at lane 0");
    CHECK_FALSE(prove_verify(cheat));
  }
}

// A journal write at cycle B reads the word as a later read (cycle C) leaves
// it: it consumes C's token, so its previous time is after its own time.
TEST_CASE("verifier rejects a journal write that reads a later value of memory", "[rv32im][io]") {
  Run run;
  run.image = pattern(0x30000, 1);
  run.input = {1, 2, 3, 4, 5, 6, 7, 8};
  run.calls = {{true, 0, 0x30000, 4}, {false, 3, 0x30000, 4}, {true, 0, 0x30000, 4}};
  const auto honest = build(run);
  REQUIRE(honest.journal == std::vector<uint8_t>{1, 2, 3, 4});
  auto s = honest;
  auto& m = s.traces[kIo];
  const size_t a = honest.call_rows[0] + 1, b = honest.call_rows[1] + 1, c = honest.call_rows[2] + 1;
  const uint64_t ta = 8 * m.at(a, io::kClk).canonical() + 7, tc = 8 * m.at(c, io::kClk).canonical() + 7;
  // C consumes A's token; B consumes C's and leaves it at B's time.
  m.at(c, io::kTp1) = u(ta);
  m.at(c, io::kLo1) = u((tc - ta - 1) & 0xffff);
  m.at(c, io::kHi1) = u((tc - ta - 1) >> 16);
  for (size_t i = 0; i < 4; ++i) m.at(b, io::kV + i) = m.at(b, io::kNew + i) = m.at(c, io::kNew + i);
  m.at(b, io::kTp1) = u(tc);
  m.at(b, io::kLo1) = m.at(b, io::kHi1) = Fp::zero();
  auto cheat = s.with_journal(renumber_journal(m));
  REQUIRE(cheat.journal == std::vector<uint8_t>{5, 6, 7, 8});
  rebalance(cheat);
  const auto r = check(cheat);
  INFO(r.message);
  CHECK(r.constraint == "access time is after the previous one");
  CHECK_FALSE(prove_verify(cheat));
}

// End of input: reads 4, 4, 2 (short: the input ends), 0, 0 of 10 bytes.
TEST_CASE("reads past the end of the input return 0 and prove, and the table carries eof from the short read on",
          "[rv32im][io]") {
  Run run;
  run.image = pattern(0x20000, 8);
  run.input = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  run.calls = {{true, 0, 0x20000, 4}, {true, 0, 0x20004, 4}, {true, 0, 0x20008, 4}, {true, 0, 0x2000c, 4}, {true, 0, 0x2000c, 0}};
  const auto s = build(run);
  REQUIRE(check(s).ok);
  const auto& m = s.traces[kIo];
  CHECK(m.at(s.call_rows[2], io::kEof) == Fp::zero());  // the short read itself
  CHECK(m.at(s.call_rows[2] + 1, io::kEof) == Fp::one());
  CHECK(m.at(s.call_rows[3], io::kEof) == Fp::one());
  CHECK(m.at(m.height - 1, io::kEof) == Fp::one());
  CHECK(prove_verify(s));
}

// The cheat: the first read asks for 6 bytes but returns 4 (so the input has
// ended, for an honest host), and the next read still delivers bytes.
TEST_CASE("verifier rejects input delivered after a short read", "[rv32im][io]") {
  Run run;
  run.image = pattern(0x20000, 8);
  run.input = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  run.calls = {{true, 0, 0x20000, 4}, {true, 0, 0x20008, 4}};
  for (bool set_eof : {true, false}) {
    auto s = build(run);
    put_word(s.traces[kCpu].row(0), CallSourceAir::kLen, 6);
    put_word(s.traces[kCpu].row(1), CallSourceAir::kOldA2, 6);  // a2 as the first call left it
    auto hdr = s.traces[kIo].row(s.call_rows[0]);
    put_word(hdr, io::kLen, 6);
    rederive_header(hdr);
    hdr[io::kGinv] = (hdr[io::kG] + hdr[io::kG + 1] + hdr[io::kG + 2] + hdr[io::kG + 3]).inverse();
    // set_eof: the flag turns on as it must (then the second read objects);
    // otherwise it stays off (then the flag's update objects).
    for (size_t r = s.call_rows[0] + 1; r < s.traces[kIo].height; ++r) s.traces[kIo].at(r, io::kEof) = u(set_eof);
    rebalance(s);
    const auto r = check(s);
    INFO(r.message);
    CHECK(r.constraint == (set_eof ? "a read after a short read returns 0" : "eof turns on after a short read"));
    CHECK_FALSE(prove_verify(s));
  }
}

TEST_CASE("io witness generation refuses a read that returns bytes after a short read", "[rv32im][io]") {
  MemoryState mem;
  rv32im::ByteCounts counts;
  IoBuilder iob;
  const std::vector<uint8_t> two = {1, 2}, one = {3};
  mem.access(11, 0x20000, 8 * 1 + 1);
  mem.access(12, 4, 8 * 1 + 2);
  iob.add_call(vm::SyscallRecord{1, 63, {0, 0x20000, 4}, {2, 0}, 0, 2}, two, mem, counts);
  mem.access(11, 0x20004, 8 * 2 + 1);
  mem.access(12, 4, 8 * 2 + 2);
  CHECK_THROWS_WITH(iob.add_call(vm::SyscallRecord{2, 63, {0, 0x20004, 4}, {1, 0}, 0, 1}, one, mem, counts),
                    Catch::Contains("after a short read"));
}
