// Continuations (docs/RECEIPT.md "Segments"): an execution proved as several
// segments, one receipt. A guest that stores in one segment and loads in a
// later one, writes the journal and reads its input across segments and asks
// for the cycle count proves and verifies at two segment sizes with the same
// claim; every way of relinking a receipt's segments (drop, duplicate,
// reorder, replace by another run's or another program's, end before exit)
// is rejected, also with the public values rewritten to match so that only
// the proofs can object; a segment that starts from a word no earlier
// segment left is rejected with the debug checker off.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "prover/rv32im/memory.h"
#include "prover/rv32im/memstate.h"
#include "prover/rv32im/prove.h"
#include "prover/rv32im/receipt.h"
#include "prover/rv32im/witness.h"
#include "tests/receipt/receipt_test_support.h"
#include "tests/rv32im/rv32im_test_support.h"
#include "tests/rv32im/rv32im_trace_support.h"
#include "tests/vm/vm_test_util.h"

using namespace zkvm;
using namespace zkvm::vm::test;
using field::Fp;
using matrix::RowMajorMatrix;

namespace {

// a7 = number, a0..a2 as given, ecall.
void sys(std::vector<uint32_t>& c, uint32_t number, uint32_t fd, uint32_t buf, uint32_t len) {
  li(c, a0, fd);
  li(c, a1, buf);
  li(c, a2, len);
  li(c, a7, number);
  c.push_back(ECALL);
}
// t1 counts down from n: 2 n + 2 cycles.
void burn(std::vector<uint32_t>& c, uint32_t n) {
  li(c, t1, n);
  c.push_back(ADDI(t1, t1, -1));
  c.push_back(BNE(t1, zero, -4));
}

// Cycles of a segment of 2^10 rows.
const size_t kSeg10 = rv32im::SegmentPlan::segment_cycles(10);

// About 3,300 cycles: 4 segments of 2^10 rows (896 cycles each), 2 of 2^11. `bias` changes what
// segment 1 stores (another program, same length).
vm::Program long_guest(int32_t bias = 0) {
  std::vector<uint32_t> c;
  li(c, s1, kDataBase);
  sys(c, 63, 0, kDataBase + 16, 8);  // read 8 input bytes
  li(c, t0, 0x12345678);
  c.push_back(SW(t0, s1, 0));        // segment 0 stores
  c.push_back(SW(t0, s1, 48));       // and here (only loaded once more, into x0)
  burn(c, 530);
  c.push_back(LW(zero, s1, 48));     // segment 1's first access of that word
  sys(c, 64, 3, kDataBase, 4);       // segment 1 writes the journal from segment 0's store
  c.push_back(LW(t2, s1, 0));
  c.push_back(ADDI(t2, t2, 1 + bias));
  c.push_back(SW(t2, s1, 4));
  burn(c, 530);
  li(c, a7, 0x1000);                  // cycle count (global) into the journal
  c.push_back(ECALL);
  c.push_back(SW(a0, s1, 8));
  sys(c, 64, 3, kDataBase + 4, 8);
  sys(c, 63, 0, kDataBase + 24, 8);  // a short read: the input ends
  burn(c, 530);
  sys(c, 63, 0, kDataBase + 32, 8);  // after the end: returns 0 (eof carried over segments)
  sys(c, 64, 3, kDataBase + 16, 16);
  c.push_back(LW(a0, s1, 4));          // exit code from segment 1's store
  c.push_back(enc_i(0xff, a0, 7, a0, 0x13));  // ANDI a0, a0, 0xff
  li(c, a7, vm::kSysExit);
  c.push_back(ECALL);
  return make_program(c, std::vector<uint8_t>(64, 0));
}

std::vector<uint8_t> input(uint8_t first) {
  std::vector<uint8_t> in;
  for (uint8_t i = 0; i < 10; ++i) in.push_back(static_cast<uint8_t>(first + i));
  return in;
}

rv32im::Receipt prove_receipt(const vm::Program& p, std::vector<uint8_t> in, unsigned log_segment) {
  vm::RunOptions run;
  run.input = std::move(in);
  rv32im::ProveOptions o;
  o.log_segment = log_segment;
  return rv32im::prove(p, run, o, stark_test::cpu());
}

// Proved once per test binary (standard parameters, zero knowledge).
const rv32im::Receipt& receipt_a() {
  static const rv32im::Receipt r = prove_receipt(long_guest(), input(1), 10);
  return r;
}
const rv32im::Receipt& receipt_b() {  // the same program on another input
  static const rv32im::Receipt r = prove_receipt(long_guest(), input(101), 10);
  return r;
}

bool accepted(const rv32im::Receipt& r, std::string* why = nullptr) {
  return receipt_test::accepted(r.claim.image_id, r, why);
}

// A traced run kept whole (rows, syscall records with offsets into one data
// buffer) and its result.
struct Recorded {
  std::vector<vm::TraceRow> rows;
  std::vector<vm::SyscallRecord> syscalls;
  std::vector<uint8_t> data;
  vm::RunResult claim;
};
Recorded record(const vm::Program& p, const vm::RunOptions& run) {
  Recorded r;
  r.claim = vm::run_traced(p, run, [&](const vm::TraceChunk& ch) {
    for (vm::SyscallRecord s : ch.syscalls) {
      s.data_offset += r.data.size();
      r.syscalls.push_back(s);
    }
    r.rows.insert(r.rows.end(), ch.rows.begin(), ch.rows.end());
    r.data.insert(r.data.end(), ch.syscall_data.begin(), ch.syscall_data.end());
  });
  return r;
}

// Every segment's tables as the prover hands them to stark::prove_segments.
std::vector<std::vector<air::TableWitness>> segment_witnesses(const rv32im::Circuit& circuit,
                                                              const std::vector<rv32im::SegmentWitness>& segs) {
  std::vector<std::vector<air::TableWitness>> out;
  for (const auto& s : segs) {
    out.emplace_back();
    for (size_t t = 0; t < rv32im::kNumTables; ++t) out.back().push_back({circuit.airs()[t], &s.traces[t], s.publics[t]});
  }
  return out;
}

// The long guest's honest segments of 2^10 cycles (4) and its run.
vm::RunResult honest_segments(const vm::Program& p, const rv32im::Image& image,
                              std::vector<rv32im::SegmentWitness>& segs) {
  vm::RunOptions run;
  run.input = input(1);
  const vm::RunResult ref =
      rv32im::execute_segments(p, image, run, 10, 0, [&](rv32im::SegmentWitness&& s) { segs.push_back(std::move(s)); });
  REQUIRE(segs.size() == 4);
  return ref;
}

// The row of `cell` in a memory or boundary table (address in column 1).
size_t row_of_cell(const RowMajorMatrix<Fp>& m, uint32_t cell) {
  static_assert(rv32im::MemoryAir::kAddr == 1 && rv32im::BoundaryAir::kAddr == 1);
  for (size_t r = 0; r < m.height; ++r)
    if (m.at(r, rv32im::MemoryAir::kAddr) == Fp::from_u64(cell)) return r;
  FAIL("no row for cell " << cell);
  return 0;
}

// The net handoff tokens of a statement: every segment's memory and
// boundary tables and the image table's sends (preprocessed rows, so summed
// here from the image) in the last segment.
std::map<rv32im_test::TupleKey, Fp> handoff_net(const rv32im::Circuit& circuit, const rv32im::Image& image,
                                                const std::vector<rv32im::SegmentWitness>& segs) {
  std::map<rv32im_test::TupleKey, Fp> net;
  for (const auto& sg : segs)
    for (size_t t : {size_t{rv32im::kTableMemory}, size_t{rv32im::kTableBoundary}})
      for (const auto& [key, mult] : rv32im_test::evaluate(*circuit.airs()[t], sg.traces[t], sg.publics[t]).net)
        if (key.first == rv32im::kBusHandoff) net[key] += mult;
  const auto& img = segs.back().traces[rv32im::kTableImage];
  for (size_t i = 0; i < image.words.size(); ++i)
    if (img.at(i, rv32im::ImageAir::kTouched) == Fp::one()) {
      std::vector<uint32_t> tuple{rv32im::word_cell(image.words[i].first)};
      for (size_t k = 0; k < 4; ++k) tuple.push_back((image.words[i].second >> (8 * k)) & 0xff);
      tuple.push_back(0);
      net[{rv32im::kBusHandoff, tuple}] += Fp::one();
    }
  return net;
}

// Every segment's byte table recounted from the lookups its other tables
// make (after a test edits their cells); a lookup of a value outside the
// table stays unmatched.
void rebalance_bytes(const rv32im::Circuit& circuit, std::vector<rv32im::SegmentWitness>& segs) {
  using Bytes = rv32im::ByteTableAir;
  for (auto& sg : segs) {
    for (const size_t t : {size_t(rv32im::kTableBytes), size_t(rv32im::kTableBytesTail)})
      for (Fp& v : sg.traces[t].values) v = Fp::zero();
    auto cell = [&](uint32_t e, size_t col) -> Fp& { return rv32im_test::byte_cell(sg.traces, e, col); };
    for (size_t t = 0; t < rv32im::kNumTables; ++t) {
      if (circuit.airs()[t]->preprocessed_width() > 0) continue;  // the byte tables, program, image, ...: no byte lookups
      for (const auto& [key, mult] : rv32im_test::evaluate(*circuit.airs()[t], sg.traces[t], sg.publics[t]).net) {
        const auto& v = key.second;
        if (key.first == rv32im::kBusU16 && v[0] < (1u << 16)) cell(v[0], Bytes::kMU16) += mult;
        if (key.first == rv32im::kBusBytePair && v[0] < 256 && v[1] < 256) cell(v[0] + 256 * v[1], Bytes::kMPair) += mult;
        if (key.first == rv32im::kBusByteXor && v[0] < 256 && v[1] < 256 && v[2] == (v[0] ^ v[1]))
          cell(v[0] + 256 * v[1], Bytes::kMXor) += mult;
      }
    }
  }
}

// A forged statement whose handoff tokens all balance and whose only flaw
// is a range lookup (a U16 value out of range): the byte tables recounted
// from the other tables' lookups (the bad value stays unmatched), the
// debug checker names the u16 bus, and the verifier (checker off) rejects.
void expect_only_the_range_check_objects(const rv32im::Image& image, std::vector<rv32im::SegmentWitness>& segs,
                                         std::span<const uint8_t> journal) {
  const rv32im::Circuit circuit(&image);
  rebalance_bytes(circuit, segs);
  const auto w = segment_witnesses(circuit, segs);
  const auto check = air::check_statement(w, true, rv32im::journal_terms(journal));
  INFO(check.message);
  CHECK(check.constraint == "bus");
  CHECK_THAT(check.message, Catch::Contains("u16 range"));
  for (const auto& [key, mult] : handoff_net(circuit, image, segs)) {
    INFO("handoff token of cell " << key.second[0]);
    CHECK(mult == Fp::zero());
  }
  const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), stark_test::cpu());
  CHECK_FALSE(rv32im_test::statement_accepted(pk, w, journal));
}

// Rejected by the proofs themselves (stark::verify_segments or their
// parsing), past every check of the receipt's claim and chain.
bool rejected_by_proofs(const rv32im::Receipt& r, std::string* why = nullptr) {
  try {
    rv32im::verify_receipt(r.claim.image_id, rv32im::serialize_receipt(r));
  } catch (const stark::VerifyError& e) {
    if (why) *why = e.what();
    return true;
  } catch (const transcript::ProofFormatError& e) {
    if (why) *why = e.what();
    return true;
  } catch (const rv32im::ReceiptError& e) {
    if (why) *why = e.what();
  }
  return false;
}

// The forger's finishing touch: the claim's cycle count and journal length
// follow the segments it kept, and every proof's public values are rewritten
// to the chain the verifier will rebuild, so that its checks of the chain
// and of the public values pass and only the proofs can object.
rv32im::Receipt matching_publics(rv32im::Receipt r) {
  uint64_t cycles = 0;
  uint32_t journal = 0;
  for (auto& s : r.segments) {
    cycles += s.end.cycles;
    s.end.journal_end = journal = std::clamp<uint32_t>(s.end.journal_end, journal, r.claim.journal.size());
  }
  r.claim.cycles = cycles;
  r.segments.back().end.journal_end = static_cast<uint32_t>(r.claim.journal.size());
  std::vector<rv32im::SegmentEnd> ends;
  for (const auto& s : r.segments) ends.push_back(s.end);
  const auto chain = rv32im::segment_chain(r.claim, ends);
  const rv32im::Circuit circuit(nullptr);
  const auto vk = stark::parse_vk(r.vk, circuit.airs());
  for (size_t k = 0; k < r.segments.size(); ++k) {
    auto proof = stark::parse_proof(r.segments[k].proof, vk);
    proof.publics = rv32im::segment_publics(chain[k]);
    r.segments[k].proof = stark::serialize_proof(proof);
  }
  return r;
}

}  // namespace

TEST_CASE("a guest of several segments proves and verifies, and two segment sizes give the same claim",
          "[rv32im][segments]") {
  const rv32im::Receipt& a = receipt_a();
  REQUIRE(a.segments.size() == 4);
  vm::RunOptions run;
  run.input = input(1);
  const vm::RunResult ref = vm::run(long_guest(), run);
  REQUIRE(ref.status == vm::RunStatus::Exited);
  const rv32im::Claim claim = rv32im::verify_receipt(a.claim.image_id, rv32im::serialize_receipt(a));
  CHECK(claim.cycles == ref.cycles);
  CHECK(claim.exit_code == ref.exit_code);
  CHECK(claim.journal == ref.journal);
  CHECK(claim.exit_code == 0x79);  // 0x12345678 + 1, stored in segment 1 from segment 0's word
  REQUIRE(claim.journal.size() == 4 + 8 + 16);
  CHECK(claim.journal[0] == 0x78);
  CHECK(claim.journal[4] == 0x79);
  // The input bytes read before and after the segment cuts, then zeros.
  CHECK(std::vector<uint8_t>(claim.journal.begin() + 12, claim.journal.begin() + 22) == input(1));
  // The segments' journal ends and eof flags as they happened.
  CHECK(a.segments.front().end.journal_end == 0);
  CHECK_FALSE(a.segments.front().end.eof);
  CHECK(a.segments.back().end.eof);

  const rv32im::Receipt b = prove_receipt(long_guest(), input(1), 11);
  CHECK(b.segments.size() == 2);
  const rv32im::Claim cb = rv32im::verify_receipt(b.claim.image_id, rv32im::serialize_receipt(b));
  CHECK(cb.cycles == claim.cycles);
  CHECK(cb.exit_code == claim.exit_code);
  CHECK(cb.journal == claim.journal);
  CHECK(b.claim.image_id == a.claim.image_id);
}

TEST_CASE("verify_receipt rejects a receipt whose segments were dropped, duplicated or reordered",
          "[rv32im][segments]") {
  const rv32im::Receipt& a = receipt_a();
  REQUIRE(accepted(matching_publics(a)));  // the rewrite keeps an honest receipt valid
  auto attacks = [&](auto&& change) {
    rv32im::Receipt r = a;
    change(r.segments);
    std::string why;
    CHECK_FALSE(accepted(r, &why));
    CHECK(rejected_by_proofs(matching_publics(r), &why));
  };
  SECTION("a middle segment dropped") { attacks([](auto& s) { s.erase(s.begin() + 2); }); }
  SECTION("the first segment dropped") { attacks([](auto& s) { s.erase(s.begin()); }); }
  SECTION("a segment duplicated") { attacks([](auto& s) { s.insert(s.begin() + 2, s[2]); }); }
  SECTION("a segment duplicated in place of the next") { attacks([](auto& s) { s[2] = s[1]; }); }
  SECTION("two segments swapped") { attacks([](auto& s) { std::swap(s[1], s[2]); }); }
  SECTION("only the last segment") { attacks([](auto& s) { s.erase(s.begin(), s.end() - 1); }); }
}

TEST_CASE("verify_receipt rejects a final segment that does not end in exit", "[rv32im][segments]") {
  const rv32im::Receipt& a = receipt_a();
  for (size_t keep = 1; keep < a.segments.size(); ++keep) {
    rv32im::Receipt r = a;
    r.segments.resize(keep);
    INFO("the first " << keep << " segments");
    std::string why;
    CHECK_FALSE(accepted(r, &why));
    CHECK(rejected_by_proofs(matching_publics(r), &why));
  }
}

TEST_CASE("verify_receipt rejects a segment taken from another execution or another program",
          "[rv32im][segments]") {
  const rv32im::Receipt& a = receipt_a();
  const rv32im::Receipt& b = receipt_b();
  REQUIRE(b.segments.size() == a.segments.size());
  REQUIRE(accepted(b));
  for (size_t k = 0; k < a.segments.size(); ++k) {
    rv32im::Receipt r = a;
    r.segments[k] = b.segments[k];  // same program, same cut, another input
    INFO("segment " << k << " from another run");
    CHECK_FALSE(accepted(r));
    std::string why;
    CHECK(rejected_by_proofs(matching_publics(r), &why));
  }
  // Another program of the same length and layout (segment 1 stores another
  // word): its segment under this image's vk, and this receipt under its ID.
  const rv32im::Receipt other = prove_receipt(long_guest(7), input(1), 10);
  REQUIRE(other.claim.image_id != a.claim.image_id);
  REQUIRE(other.segments.size() == a.segments.size());
  for (size_t k : {size_t{1}, size_t{3}}) {
    rv32im::Receipt r = a;
    r.segments[k] = other.segments[k];
    INFO("segment " << k << " from another program");
    CHECK_FALSE(accepted(r));
    std::string why;
    CHECK(rejected_by_proofs(matching_publics(r), &why));
  }
  std::string why;
  rv32im::Receipt r = other;
  r.claim.image_id = a.claim.image_id;
  CHECK_FALSE(accepted(r, &why));
  CHECK_THAT(why, Catch::Contains("image ID mismatch"));
}

TEST_CASE("verify_receipt rejects a segment chain that does not add up to the claim", "[rv32im][segments]") {
  const rv32im::Receipt& a = receipt_a();
  auto rejected_by_name = [&](auto&& change, const std::string& what) {
    rv32im::Receipt r = a;
    change(r);
    std::string why;
    CHECK_FALSE(accepted(r, &why));
    CHECK_THAT(why, Catch::Contains(what));
  };
  rejected_by_name([](auto& r) { r.segments[1].end.cycles += 1; }, "add up to");
  rejected_by_name([](auto& r) { r.claim.cycles += 1; }, "add up to");
  rejected_by_name([](auto& r) { r.segments[1].end.end_pc += 4; }, "public values differ");
  rejected_by_name([](auto& r) { r.segments[2].end.eof = !r.segments[2].end.eof; }, "public values differ");
  rejected_by_name([](auto& r) { r.segments[2].end.journal_end = 99; }, "journal end");
  rejected_by_name([](auto& r) { r.segments.back().end.journal_end -= 1; }, "the last segment ends the journal at");
  rejected_by_name([](auto& r) { r.segments[0].end.cycles = 1u << 22; }, "outside 1..2^21");
  rejected_by_name([](auto& r) { r.segments.clear(); }, "no segments");
  // Each changed end, with the public values rewritten to match: the proofs object.
  for (size_t k = 0; k + 1 < a.segments.size(); ++k) {
    INFO("segment " << k);
    rv32im::Receipt r = a;
    r.segments[k].end.end_pc += 4;
    CHECK(rejected_by_proofs(matching_publics(r)));
    r = a;
    r.segments[k].end.eof = !r.segments[k].end.eof;
    CHECK(rejected_by_proofs(matching_publics(r)));
    r = a;
    r.segments[k].end.cycles -= 1;
    r.segments[k + 1].end.cycles += 1;
    if (rv32im::cpu_main_rows(r.segments[k + 1].end.cycles) == r.segments[k + 1].end.cycles) {
      CHECK(rejected_by_proofs(matching_publics(r)));
    } else {
      // A full segment one cycle longer no longer fits one CPU table: its
      // proof lacks the overflow table the verifier then requires.
      std::string why;
      CHECK_FALSE(accepted(matching_publics(r), &why));
      CHECK_THAT(why, Catch::Contains("CPU overflow table is missing"));
    }
    r = a;
    r.segments[k].end.journal_end = (r.segments[k].end.journal_end + 1) % (a.claim.journal.size() + 1);
    CHECK(rejected_by_proofs(matching_publics(r)));
  }
}

// Witness level, fast parameters, checker off: segment k's first load of the
// word segment 0 stored returns another value. Segment k is consistent on its
// own (its memory table starts the cell from the loaded word); only the
// handoff from the earlier segments can object.
TEST_CASE("verifier rejects a later segment that starts from a word no earlier segment left", "[rv32im][segments]") {
  const vm::Program p = long_guest();
  const rv32im::Image image = rv32im::build_image(p);
  vm::RunOptions run;
  run.input = input(1);
  const Recorded rec = record(p, run);
  const auto& [rows, syscalls, data, claim] = rec;
  const rv32im::Circuit circuit(&image);
  const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), stark_test::cpu());
  auto statement = [&](const std::vector<vm::TraceRow>& trace, rv32im::TraceCheck mode) {
    const vm::TraceChunk ch{0, trace, syscalls, data};
    return rv32im::execute_trace_segments(image, std::span(&ch, 1), claim, 10, rv32im::kMinTableRows, mode);
  };
  auto witnesses = [&](const std::vector<rv32im::SegmentWitness>& segs) { return segment_witnesses(circuit, segs); };
  const auto honest = statement(rows, rv32im::TraceCheck::kStrict);
  INFO(rows.size() << " rows, " << claim.cycles << " cycles");
  REQUIRE(honest.size() == 4);
  REQUIRE(air::check_statement(witnesses(honest), true, rv32im::journal_terms(claim.journal)).ok);
  std::string why;
  REQUIRE(rv32im_test::statement_accepted(pk, witnesses(honest), claim.journal, &why));

  // LW x0, 48(s1) after the first burn: segment 1's first access of a word
  // segment 0 stored. The forged trace loads another word there (x0 keeps
  // nothing, so no later row changes).
  size_t at = 0;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].insn == LW(zero, s1, 48)) at = i;
  REQUIRE(at >= kSeg10);
  REQUIRE(at < 2 * kSeg10);
  auto forged = rows;
  REQUIRE(forged[at].mem_old == 0x12345678);
  forged[at].mem_old = 0x12345677;
  const auto cheat = statement(forged, rv32im::TraceCheck::kForge);
  const auto check = air::check_statement(witnesses(cheat), true, rv32im::journal_terms(claim.journal));
  INFO(check.message);
  CHECK_FALSE(check.ok);
  CHECK(check.constraint == "bus");
  CHECK_THAT(check.message, Catch::Contains("handoff"));
  CHECK_FALSE(rv32im_test::statement_accepted(pk, witnesses(cheat), claim.journal, &why));
}

TEST_CASE("segments proven by two jobs at once give a receipt that verifies with the same claim", "[rv32im][segments]") {
  const rv32im::Receipt& a = receipt_a();
  vm::RunOptions run;
  run.input = input(1);
  rv32im::ProveOptions o;
  o.log_segment = 10;
  o.jobs = 2;
  const rv32im::Receipt r = rv32im::prove(long_guest(), run, o, stark_test::cpu());
  REQUIRE(r.segments.size() == a.segments.size());
  const rv32im::Claim claim = rv32im::verify_receipt(r.claim.image_id, rv32im::serialize_receipt(r));
  CHECK(claim.cycles == a.claim.cycles);
  CHECK(claim.journal == a.claim.journal);
  CHECK(claim.exit_code == a.claim.exit_code);
  for (size_t k = 0; k < r.segments.size(); ++k) {
    CHECK(r.segments[k].end.cycles == a.segments[k].end.cycles);
    CHECK(r.segments[k].end.end_pc == a.segments[k].end.end_pc);
  }
}

TEST_CASE("segment commitments round-trip through their wire form, and malformed bytes are refused",
          "[rv32im][segments]") {
  rv32im::SegmentCommitment c;
  c.end = {1024, 0x10040, 4, true};
  c.log_heights = {10, 7, 8};
  c.publics = {{field::Fp::from_u64(5), field::Fp::from_u64(6)}, {}, {field::Fp::from_u64(7)}};
  c.main.roots.push_back(hash::Digest{});
  c.main.roots.back().bytes[3] = 9;
  const std::vector<rv32im::SegmentCommitment> two{c, c};
  const auto bytes = rv32im::serialize_commitments(two);
  const auto back = rv32im::parse_commitments(bytes);
  REQUIRE(back.size() == 2);
  CHECK(back[1].end.cycles == 1024);
  CHECK(back[1].end.eof);
  CHECK(back[1].log_heights == c.log_heights);
  CHECK(back[1].publics == c.publics);
  CHECK(back[1].main.roots == c.main.roots);
  for (size_t len : {size_t{0}, size_t{3}, bytes.size() / 2, bytes.size() - 1})
    CHECK_THROWS_AS(rv32im::parse_commitments(std::span(bytes).first(len)), transcript::ProofFormatError);
}

// The boundary and image tables serve one segment only (their public
// "active" flag, set by the verifier): a receipt whose proof of an earlier
// segment claims them too is refused before the proofs are checked, and at
// the statement level a boundary table placed in another segment breaks
// that segment's own constraints.
TEST_CASE("verify_receipt rejects a segment whose boundary or image table claims to be active", "[rv32im][segments]") {
  const rv32im::Receipt& a = receipt_a();
  const rv32im::Circuit circuit(nullptr);
  const auto vk = stark::parse_vk(a.vk, circuit.airs());
  for (size_t table : {size_t{rv32im::kTableBoundary}, size_t{rv32im::kTableImage}}) {
    rv32im::Receipt r = a;
    auto proof = stark::parse_proof(r.segments[0].proof, vk);
    proof.publics[table][0] = field::Fp::one();
    r.segments[0].proof = stark::serialize_proof(proof);
    std::string why;
    CHECK_FALSE(accepted(r, &why));
    CHECK_THAT(why, Catch::Contains("segment 0: the proof's public values differ"));
  }
}

TEST_CASE("verifier rejects a boundary table in a segment other than the last", "[rv32im][segments]") {
  const vm::Program p = long_guest();
  const rv32im::Image image = rv32im::build_image(p);
  std::vector<rv32im::SegmentWitness> segs;
  const vm::RunResult ref = honest_segments(p, image, segs);
  const rv32im::Circuit circuit(&image);
  // Segment 0 takes the boundary rows (with an all-padding table left in the last).
  std::swap(segs[0].traces[rv32im::kTableBoundary], segs[3].traces[rv32im::kTableBoundary]);
  const auto w = segment_witnesses(circuit, segs);
  const auto check = air::check_statement(w, true, rv32im::journal_terms(ref.journal));
  CHECK(check.constraint == "rows only in the active segment");
  const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), stark_test::cpu());
  CHECK_FALSE(rv32im_test::statement_accepted(pk, w, ref.journal));
}

TEST_CASE("a receipt of format version 1 is refused by name", "[rv32im][segments]") {
  auto bytes = rv32im::serialize_receipt(receipt_a());
  bytes[4] = 1;  // u16 version after the magic
  bytes[5] = 0;
  try {
    rv32im::parse_receipt(bytes);
    FAIL("parsed");
  } catch (const transcript::ProofFormatError& e) {
    CHECK_THAT(e.what(), Catch::Contains("unsupported format version 1 (this build reads version 3)"));
  }
}

// A run cut in its third segment, proved as if that segment were the last:
// the public halted flag says it ends in exit, its last row is no exit
// call. Everything else is honest (the journal claimed is what was written
// by the cut), so only the CPU table's end-row constraint can object.
TEST_CASE("verifier rejects a run cut before its exit whose last segment claims to halt", "[rv32im][segments]") {
  const vm::Program p = long_guest();
  const rv32im::Image image = rv32im::build_image(p);
  vm::RunOptions run;
  run.input = input(1);
  const Recorded rec = record(p, run);
  const size_t cut = 2 * kSeg10 + 400;  // inside segment 2 of 2^10 rows
  REQUIRE(rec.rows.size() > cut);
  const std::vector<vm::TraceRow> rows(rec.rows.begin(), rec.rows.begin() + cut);
  std::vector<vm::SyscallRecord> syscalls;
  vm::RunResult claim;
  for (const auto& sc : rec.syscalls) {
    if (sc.cycle >= cut) break;
    syscalls.push_back(sc);
    if (sc.number == vm::kSysWrite && sc.args[0] == 3) claim.journal.resize(claim.journal.size() + sc.args[2]);
  }
  std::copy_n(rec.claim.journal.begin(), claim.journal.size(), claim.journal.begin());
  const vm::TraceChunk ch{0, rows, syscalls, rec.data};
  const auto segs = rv32im::execute_trace_segments(image, std::span(&ch, 1), claim, 10);
  REQUIRE(segs.size() == 3);
  REQUIRE(segs.back().info.last);
  const rv32im::Circuit circuit(&image);
  const auto w = segment_witnesses(circuit, segs);
  const auto check = air::check_statement(w, true, rv32im::journal_terms(claim.journal));
  INFO(check.message);
  CHECK(check.constraint == "the segment ends in exit iff it halts");
  const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), stark_test::cpu());
  CHECK_FALSE(rv32im_test::statement_accepted(pk, w, claim.journal));
}

// Handoff tokens must go forward in time: a segment receives a cell's word
// only from an earlier one (U16 of tag - sprev - 1). Without that, segments
// could pass a cell around in reverse: here the word segment 0 stores at
// 48(s1) reaches the boundary table as the final word, while segment 1 (which
// loads it, into x0) starts from the initial 0 and hands its 0 back to
// segment 0. Every handoff token balances; only segment 0's range check of
// its previous tag (2, above its own 1) cannot.
TEST_CASE("verifier rejects handoff tokens passed from a later segment to an earlier one", "[rv32im][segments]") {
  const vm::Program p = long_guest();
  const rv32im::Image image = rv32im::build_image(p);
  vm::RunOptions run;
  run.input = input(1);
  Recorded rec = record(p, run);
  size_t at = 0;
  for (size_t i = 0; i < rec.rows.size(); ++i)
    if (rec.rows[i].insn == LW(zero, s1, 48)) at = i;
  REQUIRE(at >= kSeg10);
  REQUIRE(at < 2 * kSeg10);
  rec.rows[at].mem_old = 0;  // segment 1 starts the word from 0 (TraceCheck::kForge)
  const vm::TraceChunk ch{0, rec.rows, rec.syscalls, rec.data};
  auto segs = rv32im::execute_trace_segments(image, std::span(&ch, 1), rec.claim, 10, rv32im::kMinTableRows,
                                             rv32im::TraceCheck::kForge);
  REQUIRE(segs.size() == 4);
  auto row_of = [](const RowMajorMatrix<Fp>& m) { return row_of_cell(m, rv32im::word_cell(kDataBase + 48)); };
  using M = rv32im::MemoryAir;
  auto& m0 = segs[0].traces[rv32im::kTableMemory];
  auto& m1 = segs[1].traces[rv32im::kTableMemory];
  auto& bnd = segs[3].traces[rv32im::kTableBoundary];
  REQUIRE(m0.at(row_of(m0), M::kSPrev) == Fp::zero());
  REQUIRE(m1.at(row_of(m1), M::kSPrev) == Fp::one());
  REQUIRE(bnd.at(row_of(bnd), rv32im::BoundaryAir::kSf) == Fp::from_u64(2));
  m0.at(row_of(m0), M::kSPrev) = Fp::from_u64(2);  // segment 0 takes segment 1's word (tag 2)
  m1.at(row_of(m1), M::kSPrev) = Fp::zero();       // segment 1 takes the initial word
  bnd.at(row_of(bnd), rv32im::BoundaryAir::kSf) = Fp::one();  // the final word is segment 0's
  for (size_t i = 0; i < 4; ++i)
    bnd.at(row_of(bnd), rv32im::BoundaryAir::kVf + i) = Fp::from_u64((0x12345678u >> (8 * i)) & 0xff);
  // Segment 0's 1 - 2 - 1 is no U16 value: the handoff itself balances,
  // only the range check objects.
  expect_only_the_range_check_objects(image, segs, rec.claim.journal);
}

// The values one segment hands the next (end pc, end-of-input flag, journal
// position, cycle offset) are public values the verifier chains; a prover
// that changes one consistently on both sides of a cut (so the chain still
// adds up) is stopped by the constraints that tie them to the tables.
TEST_CASE("verifier rejects a segment chain whose hand-over values were changed on both sides of a cut",
          "[rv32im][segments]") {
  const vm::Program p = long_guest();
  const rv32im::Image image = rv32im::build_image(p);
  std::vector<rv32im::SegmentWitness> honest;
  const vm::RunResult ref = honest_segments(p, image, honest);
  const rv32im::Circuit circuit(&image);
  const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), stark_test::cpu());
  // The cut whose hand-over carries the value (where it changed).
  auto cut_where = [&](auto&& changed) {
    for (size_t k = 0; k + 1 < honest.size(); ++k)
      if (changed(honest[k].info)) return k;
    FAIL("no segment changes it");
    return size_t{0};
  };
  struct Case {
    const char* what;
    size_t cut;
    std::function<void(rv32im::SegmentInfo&, rv32im::SegmentInfo&)> change;  // (segment k, segment k + 1)
    const char* constraint;
  };
  const size_t eof_cut = cut_where([](const auto& i) { return i.eof_out != i.eof_in; });
  const size_t journal_cut = cut_where([](const auto& i) { return i.journal_end != i.journal_start; });
  const Case cases[] = {
      {"end pc", 0, [](auto& a, auto& b) { a.end_pc += 4, b.start_pc += 4; }, "the segment ends at its public end pc"},
      {"eof flag", eof_cut, [](auto& a, auto& b) { a.eof_out = b.eof_in = !a.eof_out; },
       "the input state at the end is the segment's"},
      {"journal position", journal_cut, [](auto& a, auto& b) { a.journal_end -= 1, b.journal_start -= 1; },
       "the journal ends at the segment's position"},
      {"cycle counts", 0, [](auto& a, auto& b) { a.cycles -= 1, b.start_cycle -= 1; },
       "the segment has its public cycle count"},
  };
  for (const Case& c : cases) {
    INFO(c.what << " changed at cut " << c.cut);
    auto segs = honest;
    c.change(segs[c.cut].info, segs[c.cut + 1].info);
    for (auto& s : segs) s.publics = rv32im::segment_publics(s.info);
    const auto check = air::check_statement(segment_witnesses(circuit, segs), true, rv32im::journal_terms(ref.journal));
    INFO(check.message);
    CHECK(check.constraint == c.constraint);
    CHECK_FALSE(rv32im_test::statement_accepted(pk, segment_witnesses(circuit, segs), ref.journal));
  }
}

// The segment tag in the memory tuples keeps each segment's offline memory
// check to itself. Without it, segment 1's load of the word segment 0 stored
// could take segment 0's token directly (previous time = the store's, in
// segment 0's clock), segment 0's memory table could close the cell with the
// load's token, and segment 1's own row for the cell would pass its initial
// token straight to its final one: every value is the honest one and every
// bus but the tagged memory bus still balances. With the tag, the tokens of
// the two segments do not meet.
TEST_CASE("verifier rejects a memory token taken across a segment cut without the handoff", "[rv32im][segments]") {
  const vm::Program p = long_guest();
  const rv32im::Image image = rv32im::build_image(p);
  std::vector<rv32im::SegmentWitness> segs;
  const vm::RunResult ref = honest_segments(p, image, segs);
  auto row_of = [](const RowMajorMatrix<Fp>& m) { return row_of_cell(m, rv32im::word_cell(kDataBase + 48)); };
  using M = rv32im::MemoryAir;
  namespace cpu = rv32im::cpu;
  auto& m0 = segs[0].traces[rv32im::kTableMemory];
  auto& m1 = segs[1].traces[rv32im::kTableMemory];
  const size_t r0 = row_of(m0), r1 = row_of(m1);
  const Fp t_store = m0.at(r0, M::kFinT), t_load = m1.at(r1, M::kFinT);
  // Segment 1's load: its memory slot's previous time becomes the store's.
  auto& c1 = segs[1].traces[rv32im::kTableCpu];
  constexpr size_t slot = cpu::kSlotMem, tp = cpu::kTp + slot, tlo = cpu::kTlo + slot, thi = cpu::kThi + slot;
  constexpr size_t ldw = cpu::kFlags + size_t{rv32im::kFLdw};
  size_t load = c1.height;
  for (size_t r = 0; r < c1.height; ++r)
    if (c1.at(r, cpu::kIsReal) == Fp::one() && c1.at(r, tp) == Fp::zero() && c1.at(r, ldw) == Fp::one() &&
        Fp::from_u64(8) * c1.at(r, cpu::kClk) + Fp::from_u64(slot + 1) == t_load)
      load = r;
  REQUIRE(load < c1.height);
  const uint32_t diff = static_cast<uint32_t>((t_load - t_store - Fp::one()).canonical());
  REQUIRE(diff < (1u << 24));
  c1.at(load, tp) = t_store;
  c1.at(load, tlo) = Fp::from_u64(diff & 0xffff);
  c1.at(load, thi) = Fp::from_u64(diff >> 16);
  m0.at(r0, M::kFinT) = t_load;   // segment 0 closes the cell with the load's token
  m1.at(r1, M::kFinT) = Fp::zero();  // segment 1's row passes its initial token through
  const rv32im::Circuit circuit(&image);
  rebalance_bytes(circuit, segs);
  const auto w = segment_witnesses(circuit, segs);
  const auto check = air::check_statement(w, true, rv32im::journal_terms(ref.journal));
  INFO(check.message);
  CHECK(check.constraint == "bus");
  CHECK_THAT(check.message, Catch::Contains("'memory'"));
  const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), stark_test::cpu());
  CHECK_FALSE(rv32im_test::statement_accepted(pk, w, ref.journal));
}

// Image words no segment touches have no boundary row (circuit version 7):
// an image word's chain starts at the image table (its touched flag), every
// other cell's at its boundary row, which proves the cell lies in a gap of
// the image (memory.h). A cheating prover loads 0 from a data word the image
// holds as 0x12345678: its boundary row claims the word is outside the image
// (in_image = 0, so the row sends the initial token (addr, 0, 0)), the image
// table's touched flag is cleared, and the gap columns name a real gap with
// the differences filled in as field elements. Every token on the handoff
// bus balances; only the gap's range lookups cannot. (With the four U16
// sends of the gap limbs removed from BoundaryAir, this statement verifies.)
TEST_CASE("verifier rejects a boundary row that starts an image word at 0 by claiming it lies outside the image",
          "[rv32im][segments][memory]") {
  std::vector<uint32_t> c;
  li(c, s1, kDataBase);
  burn(c, 500);                  // past the first segment of 2^10 rows
  c.push_back(LW(zero, s1, 4));  // the word's first access (into x0), in segment 1
  li(c, a0, 0);
  li(c, a7, vm::kSysExit);
  c.push_back(ECALL);
  std::vector<uint8_t> data(16, 0);
  const uint32_t loaded = 0x12345678;
  for (size_t i = 0; i < 4; ++i) data[4 + i] = static_cast<uint8_t>(loaded >> (8 * i));
  const vm::Program p = make_program(c, data);
  const rv32im::Image image = rv32im::build_image(p);
  Recorded rec = record(p, {});
  size_t at = rec.rows.size();
  for (size_t i = 0; i < rec.rows.size(); ++i)
    if (rec.rows[i].insn == LW(zero, s1, 4)) at = i;
  REQUIRE(at < rec.rows.size());
  REQUIRE(rec.rows[at].mem_old == loaded);
  rec.rows[at].mem_old = 0;  // the load reads 0 (TraceCheck::kForge: segment 1 starts the word from 0)
  const vm::TraceChunk ch{0, rec.rows, rec.syscalls, rec.data};
  auto segs = rv32im::execute_trace_segments(image, std::span(&ch, 1), rec.claim, 10, rv32im::kMinTableRows,
                                             rv32im::TraceCheck::kForge);
  REQUIRE(segs.size() == 2);
  auto& tr = segs[1].traces;
  const uint32_t cell = rv32im::word_cell(kDataBase + 4);
  using Bd = rv32im::BoundaryAir;
  auto& bnd = tr[rv32im::kTableBoundary];
  const size_t row = row_of_cell(bnd, cell);
  REQUIRE(bnd.at(row, Bd::kInImage) == Fp::one());
  const auto words = image.words;
  const size_t word = static_cast<size_t>(
      std::find_if(words.begin(), words.end(), [&](const auto& w) { return w.first == kDataBase + 4; }) - words.begin());
  REQUIRE(word < words.size());
  REQUIRE(tr[rv32im::kTableImage].at(word, rv32im::ImageAir::kTouched) == Fp::one());
  // The forgery: the cell is claimed to lie in the first gap (registers up
  // to the code), the image no longer starts its chain.
  const auto gaps = rv32im::image_gaps(image);
  REQUIRE(gaps[0].second <= cell);
  bnd.at(row, Bd::kInImage) = Fp::zero();
  tr[rv32im::kTableImage].at(word, rv32im::ImageAir::kTouched) = Fp::zero();
  tr[rv32im::kTableGaps].at(0, 0) += Fp::one();
  bnd.at(row, Bd::kGLo) = Fp::from_u64(gaps[0].first);
  bnd.at(row, Bd::kGHi) = Fp::from_u64(gaps[0].second);
  auto limbs = [&](Fp d, size_t col) {
    const uint32_t v = d.canonical(), k = std::min(v >> 10, 0xffffu);
    bnd.at(row, col) = Fp::from_u64(v - (k << 10));
    bnd.at(row, col + 1) = Fp::from_u64(k);
  };
  limbs(Fp::from_u64(cell) - Fp::from_u64(gaps[0].first), Bd::kG1Lo);
  limbs(Fp::from_u64(gaps[0].second) - Fp::one() - Fp::from_u64(cell), Bd::kG2Lo);
  // The handoff bus balances (the word's chain starts at the forged 0):
  // only the gap's range lookups object.
  expect_only_the_range_check_objects(image, segs, rec.claim.journal);
}

namespace {

const rv32im::Receipt& receipt_split() {
  static const rv32im::Receipt r = prove_receipt(rv32im_trace_test::split_program(), {}, 18);
  return r;
}

}  // namespace

TEST_CASE("a segment just past a power of two splits its CPU rows into the overflow table, and verifies",
          "[rv32im][segments]") {
  const rv32im::Receipt& r = receipt_split();
  REQUIRE(r.segments.size() == 1);
  const auto& end = r.segments[0].end;
  const uint32_t c1 = rv32im::cpu_main_rows(end.cycles);
  CHECK(c1 == 896);
  REQUIRE(c1 < end.cycles);
  CHECK(end.split_pc != 0);
  const rv32im::Circuit circuit(nullptr);
  const auto vk = stark::parse_vk(r.vk, circuit.airs());
  const auto proof = stark::parse_proof(r.segments[0].proof, vk);
  CHECK(proof.log_heights[rv32im::kTableCpu] == 10);
  CHECK(proof.log_heights[rv32im::kTableCpuX] == 8);
  const vm::RunResult ref = vm::run(rv32im_trace_test::split_program(), {});
  REQUIRE(ref.status == vm::RunStatus::Exited);
  const rv32im::Claim claim = rv32im::verify_receipt(r.claim.image_id, rv32im::serialize_receipt(r));
  CHECK(claim.cycles == ref.cycles);
  CHECK(claim.exit_code == 42);
  CHECK(claim.journal == ref.journal);
  // Receipts of unsplit segments carry no overflow table.
  const auto vk_a = stark::parse_vk(receipt_a().vk, circuit.airs());
  for (const auto& seg : receipt_a().segments) {
    CHECK(seg.end.split_pc == 0);
    CHECK(stark::parse_proof(seg.proof, vk_a).log_heights[rv32im::kTableCpuX] == 0);
  }
}

TEST_CASE("verify_receipt binds the CPU split: its pc, and the overflow table exactly when a segment is split",
          "[rv32im][segments]") {
  const rv32im::Receipt& s = receipt_split();
  {
    // Another split pc: the public values differ; rewritten to match, the
    // main table's last npc and the overflow table's first pc object.
    rv32im::Receipt r = s;
    r.segments[0].end.split_pc += 4;
    std::string why;
    CHECK_FALSE(accepted(r, &why));
    CHECK_THAT(why, Catch::Contains("public values differ"));
    CHECK(rejected_by_proofs(matching_publics(r), &why));
  }
  {
    // The split segment claimed as 896 cycles (one CPU table): its proof
    // has an overflow table nothing asked for.
    rv32im::Receipt r = s;
    r.segments[0].end.cycles = 896;
    r.segments[0].end.split_pc = 0;
    std::string why;
    CHECK_FALSE(accepted(matching_publics(r), &why));
    CHECK_THAT(why, Catch::Contains("a CPU overflow table, but the segment fits one CPU table"));
  }
  {
    // A split pc on a segment that fits one table: refused as malformed.
    rv32im::Receipt r = receipt_a();
    r.segments[0].end.split_pc = 0x10000;
    std::string why;
    CHECK_FALSE(accepted(r, &why));
    CHECK_THAT(why, Catch::Contains("a split pc, but 896 cycles fit one CPU table"));
  }
}

// The largest segment holds 2^21 cycles (docs/RV32IM_AIR.md "Time"): the
// CPU table's 2^21 rows keep their 128 padding rows and the last 128 cycles
// go to the overflow table; the last cycle's memory times reach 2^24 and
// every difference stays below it. A guest of exactly 2^21 cycles is one
// segment whose tables the debug checker accepts; 2^21 + 1 cycles are two.
TEST_CASE("the largest segment holds exactly 2^21 cycles, its last 128 in the CPU overflow table",
          "[rv32im][segments][slow]") {
  constexpr uint64_t kCycles = uint64_t{1} << rv32im::kMaxLogCycles;
  CHECK(rv32im::SegmentPlan::segment_cycles(rv32im::kMaxLogCycles) == kCycles);
  CHECK(rv32im::SegmentPlan::segment_cycles(rv32im::kMaxLogCycles - 1) == kCycles / 2 - rv32im::kZkFreeRows);
  CHECK(rv32im::SegmentPlan::accel_cap(rv32im::kMaxLogCycles) == kCycles - rv32im::kZkFreeRows);
  // A countdown of n iterations (2 n + 2 cycles) and exit; n chosen so the
  // run is exactly kCycles (a NOP fixes the parity).
  auto guest = [](uint32_t n, bool nop) {
    std::vector<uint32_t> c;
    if (nop) c.push_back(NOP);
    burn(c, n);
    sys_exit(c, 7);
    return make_program(c);
  };
  auto cycles = [](const vm::Program& p) { return vm::run(p, {}).cycles; };
  const uint64_t base = cycles(guest(1, false)) - 2;
  const bool nop = (kCycles - base) % 2 != 0;
  auto program_of = [&](uint64_t total) {
    return guest(static_cast<uint32_t>((total - base - (nop ? 1 : 0)) / 2), nop);
  };
  const vm::Program p = program_of(kCycles);
  REQUIRE(cycles(p) == kCycles);
  const rv32im::Image image = rv32im::build_image(p);
  const rv32im::Execution ex = rv32im::execute(p, image, {});
  CHECK(ex.run.exit_code == 7);
  CHECK(ex.info.cycles == kCycles);
  CHECK(ex.traces[rv32im::kTableCpu].height == kCycles);
  CHECK(ex.traces[rv32im::kTableCpuX].height == 2 * rv32im::kZkFreeRows);
  const rv32im::Circuit circuit(&image);
  std::vector<air::TableWitness> w;
  for (size_t t = 0; t < rv32im::kNumTables; ++t) w.push_back({circuit.airs()[t], &ex.traces[t], ex.publics[t]});
  const auto check = air::check_constraints(w, true, rv32im::journal_terms(ex.run.journal));
  INFO(check.message);
  CHECK(check.ok);
  // A 2^21-cycle segment of almost nothing but XORs (a 65,536-XOR body,
  // three loop instructions per pass) would need a 2^22-row bitwise table:
  // refused with a message that names it and the way out.
  std::vector<uint32_t> x;
  constexpr uint32_t kBody = 1u << 16;
  li(x, t2, 40);  // 40 passes: about 2.6 M cycles
  for (uint32_t i = 0; i < kBody; ++i) x.push_back(enc_r(0, t1, t0, 4, t0, 0x33));  // xor t0, t0, t1
  x.push_back(ADDI(t2, t2, -1));
  x.push_back(BEQ(t2, zero, 8));
  x.push_back(JAL(zero, -static_cast<int32_t>(4 * (kBody + 2))));
  sys_exit(x, 0);
  const vm::Program xors = make_program(x);
  REQUIRE(cycles(xors) > kCycles);
  CHECK_THROWS_WITH(rv32im::execute(xors, rv32im::build_image(xors), {}),
                    Catch::Contains("its bitwise table needs") && Catch::Contains("rows in 2097152 cycles") &&
                        Catch::Contains("a smaller zkvm prove --segment-po2"));
  // One cycle more does not fit one segment.
  const vm::Program longer = guest(static_cast<uint32_t>((kCycles - base - (nop ? 1 : 0)) / 2) + 1, nop);
  REQUIRE(cycles(longer) > kCycles);
  CHECK_THROWS_WITH(rv32im::execute(longer, rv32im::build_image(longer), {}),
                    Catch::Contains("execution exceeds one segment"));
}

// The memory table has a row per word a segment touches, which the plan
// does not bound: one read of 8.5 MB touches 2^21 + 2^14 words in a few
// cycles. Witness generation refuses the segment by name (any size: the
// AIR's tables stop at 2^21 rows) before building a table.
TEST_CASE("a segment that touches more words than a memory table of 2^21 rows holds is refused by name",
          "[rv32im][segments][slow]") {
  constexpr uint32_t kBytes = 4 * ((1u << 21) + (1u << 14));
  std::vector<uint32_t> c;
  sys(c, 63, 0, kDataBase, kBytes);
  sys_exit(c, 0);
  const vm::Program p = make_program(c);
  vm::RunOptions o;
  o.input.assign(kBytes, 0x5a);
  REQUIRE(vm::run(p, o).status == vm::RunStatus::Exited);
  CHECK_THROWS_WITH(rv32im::execute(p, rv32im::build_image(p), o),
                    Catch::Contains("segment 0: its memory table needs") &&
                        Catch::Contains("a smaller zkvm prove --segment-po2"));
}

