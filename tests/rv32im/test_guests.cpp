// Whole guest executions through the RV32IM AIR: execute, prove (debug
// checker off), verify; the exit code and journal agree with `zkvm run`.
#include <catch2/catch.hpp>

#include <cmath>

#include <chrono>
#include <filesystem>
#include <string>

#include "cuda/emulate.h"
#include "prover/hal/quotient.h"
#include "prover/merkle/merkle.h"
#include "prover/rv32im/io.h"
#include "prover/rv32im/prove.h"
#include "prover/rv32im/witness.h"
#include "prover/rv32im/receipt.h"
#include "tests/rv32im/rv32im_test_support.h"
#include "tests/vm/vm_test_util.h"
#include "zkvm/vm/elf.h"
#include "zkvm/vm/machine.h"

#if defined(_OPENMP)
#include <omp.h>
#endif

using namespace zkvm;

namespace {

struct Proven {
  bool accepted = false;
  std::string why;
  vm::RunResult run;
};

Proven prove_program(const vm::Program& prog, std::vector<uint8_t> input = {}) {
  const rv32im::Image image = rv32im::build_image(prog);
  vm::RunOptions opts;
  opts.input = std::move(input);
  rv32im::Execution ex = rv32im::execute(prog, image, opts);
  const rv32im::Circuit circuit(&image);
  auto& hal = stark_test::cpu();
  const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), hal);
  std::vector<air::TableWitness> w;
  for (size_t t = 0; t < rv32im::kNumTables; ++t) w.push_back({circuit.airs()[t], &ex.traces[t], ex.publics[t]});
  {
    auto cr = air::check_constraints(w, true, rv32im::journal_terms(ex.run.journal));
    if (!cr.ok) { Proven o; o.why = "checker: " + cr.message; return o; }
  }
  Proven out;
  out.accepted = rv32im_test::statement_accepted(pk, w, ex.run.journal, &out.why);
  out.run = std::move(ex.run);
  return out;
}

Proven prove_elf(const std::string& path, std::vector<uint8_t> input = {}) {
  return prove_program(vm::load_elf_file(path), std::move(input));
}

}  // namespace

TEST_CASE("every instruction test proves and verifies with the emulator's exit code", "[rv32im][guests]") {
  for (const auto& entry : std::filesystem::directory_iterator(ZKVM_VM_ASM_ELF_DIR)) {
    if (entry.path().extension() != ".elf") continue;
    const std::string name = entry.path().stem().string();
    if (name == "ecall") continue;  // io calls: see the SDK guests
    INFO(name);
    const Proven p = prove_elf(entry.path().string());
    INFO(p.why);
    CHECK(p.accepted);
    const vm::RunResult ref = vm::run(vm::load_elf_file(entry.path().string()), {});
    CHECK(p.run.exit_code == ref.exit_code);
  }
}

TEST_CASE("a zk receipt is the same whether the LDEs keep every row, drop what the quotient and DEEP do not read, or live on a device",
          "[rv32im][guests]") {
  // Loads, stores, MULs and a loop: the cpu, memory, mul, bitwise and byte
  // tables, with zk random rows (the half-coset quotient and its gathered
  // rows), LogUp aux columns and the image's preprocessed columns.
  using namespace vm::test;
  std::vector<uint32_t> code;
  li(code, 5, kDataBase);
  li(code, 6, 40);
  li(code, 7, 3);
  code.push_back(enc_r(1, 7, 7, 0, 7, 0x33));  // loop: mul x7, x7, x7
  code.push_back(SW(7, 5, 0));
  code.push_back(LW(8, 5, 0));
  code.push_back(ADDI(5, 5, 4));
  code.push_back(ADDI(6, 6, -1));
  code.push_back(BNE(6, 0, -20));
  sys_exit(code, 0);
  const vm::Program prog = make_program(code, std::vector<uint8_t>(256, 1));
  const auto seed = merkle::ScopedRandomSeed::fresh(), finish_seed = merkle::ScopedRandomSeed::fresh();
  auto receipt = [&](bool full, hal::Hal& hal) {
    rv32im::ProveOptions o;  // the standard zk parameters
    o.log_segment = 10;
    o.ldes = full ? stark::LdeMemory::Full : stark::LdeMemory::Lean;
    rv32im::SegmentedProver sp(prog, {}, o, hal, seed);
    REQUIRE(sp.num_segments() == 1);
    const auto c = sp.commit(0, 1);
    sp.draw_challenges(c);
    const merkle::ScopedRandomSeed seeded(finish_seed);  // the finish's own randomness, equal in both
    return rv32im::serialize_receipt(sp.receipt(sp.finish(0, 1)));
  };
  const auto lean = receipt(false, stark_test::cpu()), full = receipt(true, stark_test::cpu());
  CHECK(lean == full);
  // The CUDA HAL's kernels (emulated), whose LDEs live on the device only:
  // the openings' rows gathered there, the zk mask fetched whole.
  auto emu = gpu::make_emulated_hal();
  CHECK(receipt(false, *emu) == full);
  CHECK(emu->resident_hits() > 0);
  const auto id = rv32im::image_id(prog, rv32im::ProveOptions::default_config(), stark_test::cpu());
  CHECK(rv32im::verify_receipt(id, lean).exit_code == 0);
}

TEST_CASE("prove refuses, before executing, a segment size beyond the verifier's floor", "[rv32im][guests]") {
  using namespace vm::test;
  std::vector<uint32_t> code;
  sys_exit(code, 0);
  auto& hal = stark_test::cpu();
  // Without challenge grinding the floor stops at 2^20 rows.
  rv32im::ProveOptions zk;
  zk.config.pcs.fri.challenge_pow_bits = 0;
  zk.log_segment = 21;
  CHECK_THROWS_WITH(rv32im::prove(make_program(code), {}, zk, hal),
                    Catch::Contains("a segment of 2^21 cycles needs tables of 2^21 rows") &&
                        Catch::Contains("with zero knowledge verify only up to 2^20"));
  rv32im::ProveOptions plain;
  plain.config.pcs.zk = false;
  plain.config.pcs.fri.challenge_pow_bits = 0;
  plain.log_segment = 21;
  CHECK_THROWS_WITH(rv32im::prove(make_program(code), {}, plain, hal),
                    Catch::Contains("needs tables of 2^21 rows") && Catch::Contains("without zero knowledge verify only up to 2^20"));
  plain.log_segment = 9;
  CHECK_THROWS_WITH(rv32im::prove(make_program(code), {}, plain, hal), Catch::Contains("segment size 2^9 is outside 2^10..2^21"));
  plain.log_segment = 22;
  CHECK_THROWS_WITH(rv32im::prove(make_program(code), {}, plain, hal), Catch::Contains("segment size 2^22 is outside 2^10..2^21"));
  // The standard parameters (8 grinding bits) admit the largest segment the
  // memory argument's clocks allow, 2^21 rows, with and without zk; the
  // default stays 2^18.
  const rv32im::Image image = rv32im::build_image(make_program(code));
  const rv32im::Circuit circuit(&image);
  rv32im::ProveOptions std_zk, std_plain;
  std_plain.config.pcs.zk = false;
  for (const auto* o : {&std_zk, &std_plain}) {
    const auto vk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), o->config, hal).vk;
    CHECK(rv32im::max_log_segment(vk) == rv32im::kMaxLogCycles);
    CHECK(rv32im::default_log_segment(vk) == 18);
  }
  CHECK(rv32im::max_log_segment(stark::setup(rv32im::kRv32imProgramId, circuit.airs(), zk.config, hal).vk) == 20);
}

TEST_CASE("the LogUp grind reaches 100 bits for the largest statement a receipt holds, within what the prover can grind", "[rv32im][guests]") {
  using namespace vm::test;
  std::vector<uint32_t> code;
  sys_exit(code, 0);
  auto& hal = stark_test::cpu();
  const rv32im::Image image = rv32im::build_image(make_program(code));
  const rv32im::Circuit circuit(&image);
  const auto vk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), rv32im::ProveOptions{}.config, hal).vk;
  // Worst segment: every table that may grow at 2^21 rows.
  std::vector<unsigned> h(vk.airs.size(), rv32im::kMaxLogCycles);
  for (size_t t = 0; t < h.size(); ++t)
    if (vk.pre_log_heights[t] != 0) h[t] = vk.pre_log_heights[t];
  const double one = stark::logup_degree(vk, h, {});
  const double field = 4 * std::log2(static_cast<double>(field::Fp::kModulus));
  // 2^30 cycles: 2^9 such segments (receipts refuse more).
  for (double segs : {1.0, 512.0}) {
    const unsigned bits = stark::logup_pow_bits(vk, one * segs);
    INFO(segs << " segment(s): log2 degree " << std::log2(one * segs) << ", grind " << bits);
    CHECK(field - std::log2(one * segs) + bits >= stark::kLogupTargetBits);
    CHECK(bits >= vk.config.pcs.fri.challenge_pow_bits);
    CHECK(bits <= 24);  // about 2^24 hashes at most, once per statement
  }
  // The statement's public terms count too: a journal byte is a (pos, byte)
  // tuple, 3 in the degree; a 1000-byte journal adds 3000.
  const std::vector<uint8_t> journal(1000, 7);
  CHECK(stark::logup_degree(rv32im::journal_terms(journal)) == 3000.0);
  // A small statement grinds the floor's 8 bits only.
  std::vector<unsigned> small(vk.airs.size(), 14);
  for (size_t t = 0; t < small.size(); ++t)
    if (vk.pre_log_heights[t] != 0) small[t] = vk.pre_log_heights[t];
  CHECK(stark::logup_pow_bits(vk, stark::logup_degree(vk, small, {})) == vk.config.pcs.fri.challenge_pow_bits);
}

#if defined(ZKVM_HELLO_ELF) && defined(ZKVM_SORT_GUEST_ELF) && defined(ZKVM_SHA256_GUEST_ELF)
namespace {
std::vector<uint8_t> le32(std::initializer_list<int32_t> values) {
  std::vector<uint8_t> out;
  for (int32_t v : values)
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> (8 * i)));
  return out;
}
}  // namespace

TEST_CASE("SDK guests (hello, sort, sha256) prove and verify with the journal and exit code of zkvm run",
          "[rv32im][guests][sdk]") {
  std::vector<uint8_t> bytes(1000);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 3);
  const std::pair<std::string, std::vector<uint8_t>> cases[] = {
      {ZKVM_HELLO_ELF, {'p', 'r', 'o', 'o', 'f'}},
      {ZKVM_SORT_GUEST_ELF, le32({8, 5, -3, 12, 7, 7, 0, -100, 42})},
      {ZKVM_SORT_GUEST_ELF, le32({0})},
      {ZKVM_SHA256_GUEST_ELF, bytes},
  };
  for (const auto& [elf, input] : cases) {
    INFO(elf << " with " << input.size() << " input bytes");
    vm::RunOptions o;
    o.input = input;
    const vm::RunResult ref = vm::run(vm::load_elf_file(elf), o);
    REQUIRE(ref.status == vm::RunStatus::Exited);
    const Proven p = prove_elf(elf, input);
    INFO(p.why);
    CHECK(p.accepted);
    CHECK(p.run.exit_code == ref.exit_code);
    CHECK(p.run.journal == ref.journal);
    CHECK_FALSE(ref.journal.empty());
  }
}
#endif

#if defined(ZKVM_SHA256_GUEST_ELF)
// Witness generation fills CPU rows in parallel (witness.cpp fill_pending):
// each thread a contiguous block, its lookups and ALU events merged in block
// order. The tables must not depend on the thread count: the prover commits
// every segment twice (continuations) and compares the roots. The sha256
// guest on 3,000 bytes (about 33.7k cycles) cut into segments of 2^13 rows,
// so cuts fall inside the tracer's chunks, with the sha256 and io calls, and
// the ALU chips' events in their tables' row order.
TEST_CASE("witness generation gives the same segments with one thread and with three", "[rv32im][guests][witness]") {
  const vm::Program prog = vm::load_elf_file(ZKVM_SHA256_GUEST_ELF);
  const rv32im::Image image = rv32im::build_image(prog);
  vm::RunOptions opts;
  opts.input.resize(3000);
  for (size_t i = 0; i < opts.input.size(); ++i) opts.input[i] = static_cast<uint8_t>(i * 131 + 7);
  auto segments = [&](int threads) {
    std::vector<rv32im::SegmentWitness> segs;
#if defined(_OPENMP)
    const int before = omp_get_max_threads();
    omp_set_num_threads(threads);
#endif
    rv32im::execute_segments(prog, image, opts, 13, 0, [&](rv32im::SegmentWitness&& s) { segs.push_back(std::move(s)); });
#if defined(_OPENMP)
    omp_set_num_threads(before);
#else
    (void)threads;
#endif
    return segs;
  };
  const auto one = segments(1), three = segments(3);
  REQUIRE(one.size() >= 4);
  REQUIRE(one.size() == three.size());
  size_t alu_rows = 0;
  for (size_t k = 0; k < one.size(); ++k) {
    INFO("segment " << k);
    CHECK(one[k].info.cycles == three[k].info.cycles);
    CHECK(one[k].info.end_pc == three[k].info.end_pc);
    CHECK(one[k].publics == three[k].publics);
    for (size_t t = 0; t < rv32im::kNumTables; ++t) {
      INFO("table " << t);
      CHECK(one[k].traces[t].width == three[k].traces[t].width);
      CHECK(one[k].traces[t].values == three[k].traces[t].values);
    }
    alu_rows += one[k].traces[rv32im::kTableBitwise].height + one[k].traces[rv32im::kTableShift].height;
  }
  CHECK(alu_rows > 0);
}
#endif

#if defined(ZKVM_HELLO_ELF) && defined(ZKVM_SORT_GUEST_ELF) && defined(ZKVM_SHA256_GUEST_ELF)
// The private input's bytes sit in the io table's "new word" columns of its
// read rows. Without zk the proof opens those columns at zeta to their
// polynomial's value (a function of the input); with zk the openings are
// randomised and differ between two proofs of the same run.
TEST_CASE("zero-knowledge hides the private input's columns: openings differ between proofs of one run",
          "[rv32im][guests][zk]") {
  const vm::Program prog = vm::load_elf_file(ZKVM_SORT_GUEST_ELF);
  const rv32im::Image image = rv32im::build_image(prog);
  vm::RunOptions o;
  o.input = le32({4, 31, -7, 12, 5});
  const rv32im::Execution ex = rv32im::execute(prog, image, o);
  const rv32im::Circuit circuit(&image);
  std::vector<air::TableWitness> w;
  for (size_t t = 0; t < rv32im::kNumTables; ++t) w.push_back({circuit.airs()[t], &ex.traces[t], ex.publics[t]});
  auto& hal = stark_test::cpu();
  auto zk_cfg = stark_test::fast_config();
  zk_cfg.pcs.zk = true;
  const auto plain_pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), hal);
  const auto zk_pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), zk_cfg, hal);
  const std::vector<std::vector<air::TableWitness>> segs{w};
  const auto plain = stark::prove_segments(plain_pk, segs, hal).at(0);
  const auto z1 = stark::prove_segments(zk_pk, segs, hal).at(0);
  const auto z2 = stark::prove_segments(zk_pk, segs, hal).at(0);
  const size_t r_main = 1;  // after the preprocessed round
  const auto& io_trace = ex.traces[rv32im::kTableIo];
  const size_t io = stark::matrix_index(z1.log_heights, rv32im::kTableIo);
  REQUIRE(io == stark::matrix_index(plain.log_heights, rv32im::kTableIo));
  const field::Fp4 zeta0 = stark_test::replay_segment_zeta(plain_pk.vk, std::span(&plain, 1), 0);
  const field::Fp4 zeta1 = stark_test::replay_segment_zeta(zk_pk.vk, std::span(&z1, 1), 0);
  for (size_t c = rv32im::io::kNew; c < rv32im::io::kNew + 4; ++c) {
    INFO("io column " << c);
    CHECK(plain.opened[r_main][io][0][c] == stark_test::column_at(io_trace, c, zeta0));
    CHECK(z1.opened[r_main][io][0][c] != stark_test::column_at(io_trace, c, zeta1));
    CHECK(z1.opened[r_main][io][0][c] != z2.opened[r_main][io][0][c]);
  }
  for (const auto* z : {&z1, &z2})
    CHECK_NOTHROW(stark::verify_segments(zk_pk.vk, std::span(z, 1), rv32im::journal_terms(ex.run.journal),
                                         stark_test::no_floor()));
}
#endif

TEST_CASE("a guest that overwrites and restores its code proves, and one that runs the overwritten word cannot",
          "[rv32im][guests][code]") {
  using namespace vm::test;
  // Two passes over `slot` (ADDI s1, s1, 1); after the first, the word
  // ADDI s1, s1, 100 is stored over it and loaded back; with `restore` the
  // loaded word is stored back before the second pass. The exit code is
  // s1, plus 0x10 if the load returned the stored word.
  auto program = [](bool restore) {
    std::vector<uint32_t> code;
    li(code, t2, 2);                                          // 0,1
    const size_t slot = code.size();                          // 2
    const uint32_t slot_pc = kCodeBase + static_cast<uint32_t>(4 * slot);
    code.push_back(ADDI(s1, s1, 1));
    li(code, t0, ADDI(s1, s1, 100));                          // 3,4
    li(code, t1, slot_pc);                                    // 5,6
    code.push_back(SW(t0, t1, 0));                            // 7
    code.push_back(LW(a1, t1, 0));                            // 8
    li(code, a2, ADDI(s1, s1, 1));                            // 9,10
    code.push_back(restore ? SW(a2, t1, 0) : NOP);            // 11
    code.push_back(BNE(a1, t0, 8));                           // 12
    code.push_back(ADDI(s1, s1, 0x10));                       // 13 (once per pass)
    code.push_back(ADDI(t2, t2, -1));                         // 14
    code.push_back(BNE(t2, zero, static_cast<int32_t>(4 * slot) - 4 * 15));  // 15
    code.push_back(ADD(a0, s1, zero));
    li(code, a7, vm::kSysExit);
    code.push_back(ECALL);
    return make_program(code);
  };
  const vm::RunResult ref = vm::run(program(true), {});
  REQUIRE(ref.status == vm::RunStatus::Exited);
  REQUIRE(ref.exit_code == 0x22);  // 1 + 1, and 0x10 per pass
  const Proven pr = prove_program(program(true));
  INFO(pr.why);
  CHECK(pr.accepted);
  CHECK(pr.run.exit_code == ref.exit_code);
  // Not restored: the emulator faults at the slot, and prove refuses.
  const vm::RunResult bad = vm::run(program(false), {});
  REQUIRE(bad.status == vm::RunStatus::Faulted);
  CHECK(bad.fault->kind == vm::FaultKind::ModifiedCode);
  CHECK_THROWS_AS(prove_program(program(false)), std::invalid_argument);
}

TEST_CASE("the program table holds exactly the code image: no partial words, no data words", "[rv32im][code]") {
  using namespace vm::test;
  vm::Program p = make_program({ADDI(a0, zero, 1), ADDI(a0, zero, 2)}, {0x13, 0, 0, 0});  // data: a NOP word
  vm::Segment x;  // executable, unaligned: the word at 0x30004 is whole, 0x30000 and 0x30008 are not
  x.vaddr = 0x30002;
  x.flags = 5;
  x.bytes = {0x13, 0, 0x13, 0, 0, 0, 0x13, 0};  // [0x30002, 0x3000a)
  x.memsz = 12;
  p.segments.push_back(x);
  const rv32im::Image img = rv32im::build_image(p);
  std::vector<uint32_t> pcs;
  for (const auto& row : img.program) pcs.push_back(row[1]);
  CHECK(pcs == std::vector<uint32_t>{kCodeBase, kCodeBase + 4, 0x30004});
  std::vector<uint32_t> fetchable;
  for (const auto& [a, w] : vm::code_words(p))
    if (!rv32im::decode_program_row(a, w).empty()) fetchable.push_back(a);
  CHECK(fetchable == pcs);
  // The image table still holds every loaded byte, partial words included.
  bool has_30000 = false, has_30008 = false;
  for (const auto& [a, w] : img.words) has_30000 |= a == 0x30000, has_30008 |= a == 0x30008;
  CHECK(has_30000);
  CHECK(has_30008);
}

// Absent chips (ChipAir, bus.h): a segment that runs no operation of a chip
// leaves the chip's table out of its proof; one that does cannot, since the
// CPU's tuples on kBusAlu then have no receiver (LogUp rejects).
TEST_CASE("unused chips are absent from the proof, and leaving out a used chip is rejected", "[rv32im][guests][absent]") {
  using namespace vm::test;
  auto program = [](bool multiply) {
    std::vector<uint32_t> code;
    li(code, a1, 7);
    li(code, a2, 6);
    code.push_back(multiply ? enc_r(1, a2, a1, 0, a0, 0x33) : ADD(a0, a1, a2));  // MUL or ADD a0, a1, a2
    li(code, a7, vm::kSysExit);
    code.push_back(ECALL);
    return make_program(code);
  };
  auto& hal = stark_test::cpu();
  for (const bool multiply : {false, true}) {
    INFO("multiply " << multiply);
    const vm::Program prog = program(multiply);
    const rv32im::Image image = rv32im::build_image(prog);
    rv32im::Execution ex = rv32im::execute(prog, image, {});
    CHECK(ex.run.exit_code == (multiply ? 42u : 13u));
    const rv32im::Circuit circuit(&image);
    const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), hal);
    CHECK((ex.traces[rv32im::kTableMul].height == 0) == !multiply);
    for (const size_t t : {rv32im::kTableDiv, rv32im::kTableDotCall, rv32im::kTableDot, rv32im::kTableShaCall,
                           rv32im::kTableShaRound})
      CHECK(ex.traces[t].height == 0);
    std::vector<air::TableWitness> w;
    for (size_t t = 0; t < rv32im::kNumTables; ++t) w.push_back({circuit.airs()[t], &ex.traces[t], ex.publics[t]});
    std::string why;
    CHECK(rv32im_test::statement_accepted(pk, w, ex.run.journal, &why));
    INFO(why);
    if (!multiply) continue;
    // The cheat: the mul chip left out although the CPU sent it a MUL.
    const RowMajorMatrix<field::Fp> none(ex.traces[rv32im::kTableMul].width, 0);
    w[rv32im::kTableMul].trace = &none;
    CHECK_FALSE(rv32im_test::statement_accepted(pk, w, ex.run.journal, &why));
    CHECK_THAT(why, Catch::Contains("LogUp"));
  }
}

TEST_CASE("every RV32IM table's quotient from the recorded program (emulated device kernel) equals the CPU kernel's") {
  // Random LDE rows, so every constraint and LogUp fraction is non-trivial;
  // zk random rows and the LogUp mask columns as the zk prover has them.
  const rv32im::Circuit circuit(nullptr);
  auto emu = gpu::make_emulated_hal();
  uint64_t s = 7;
  auto random_matrix = [&](size_t w, size_t h) {
    RowMajorMatrix<field::Fp> m(w, h);
    for (auto& v : m.values) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      v = field::Fp::from_u64(s >> 33);
    }
    return m;
  };
  const field::Fp4 a = field::Fp4::from_base(field::Fp::from_u64(5), field::Fp::from_u64(9), field::Fp::from_u64(2),
                                             field::Fp::from_u64(6));
  for (const air::Air* t : circuit.airs()) {
    INFO("table " << t->name());
    const air::AirShape shape = air::analyse(*t);
    const unsigned log_n = 5;
    const size_t big = size_t{1} << (log_n + shape.log_quotient_chunks);
    const bool mask = shape.aux_width() > 0;
    const auto main = random_matrix(t->width() + (mask ? 4 : 0), big);
    const auto pre = random_matrix(t->preprocessed_width(), big);
    const auto aux = random_matrix(4 * shape.aux_width(), big);
    std::vector<field::Fp> pubs(t->num_public_values());
    for (auto& p : pubs) p = field::Fp::from_u64(s++ % 1000);
    std::vector<field::Fp4> ap(shape.num_constraints), bp(shape.max_tuple_len + 1);
    field::Fp4 x = field::Fp4::one();
    for (auto& v : ap) v = x, x *= a;
    x = field::Fp4::one();
    for (auto& v : bp) v = x, x *= a * a;
    hal::QuotientInputs in;
    in.air = t;
    in.log_n = log_n;
    in.log_chunks = shape.log_quotient_chunks;
    in.shift = field::kMultiplicativeGenerator;
    in.main = &main;
    if (t->preprocessed_width() > 0) in.pre = &pre;
    if (mask) in.aux = &aux;
    in.publics = pubs;
    in.logup_alpha = a + field::Fp4::one();
    in.cumsum = a * a;
    in.alpha_pows = ap;
    in.beta_pows = bp;
    in.logup_groups = shape.logup_groups;
    in.logup_mask = mask;
    in.logup_mask_col = t->width();
    in.zk_rows = 9;
    const auto cpu = hal::make_cpu_quotient_kernel(false)->evaluate(in);
    const auto dev = hal::make_hal_quotient_kernel(*emu)->evaluate(in);
    REQUIRE(cpu == dev);
  }
}
