// The CPU and memory tables under a cheating prover. Each cheat takes an
// honest trace (or hand-writes one), changes what a dishonest emulator would
// claim (a result, a loaded value, a branch, a fetch) consistently from then
// on, and builds the tables with TraceCheck::kForge, which keeps the lie in
// the cells instead of refusing it. The proof is made with the debug checker
// off; the verifier must reject. The checker's verdict names the constraint
// the cheat runs into, so a rejection for an unrelated reason shows up.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "prover/rv32im/bytes.h"
#include "prover/rv32im/cpu.h"
#include "prover/rv32im/memory.h"
#include "prover/rv32im/receipt.h"
#include "prover/rv32im/witness.h"
#include "tests/rv32im/rv32im_test_support.h"
#include "tests/rv32im/rv32im_trace_support.h"
#include "tests/vm/vm_test_util.h"

using namespace zkvm;
using namespace zkvm::vm::test;
using rv32im::TraceCheck;
using namespace zkvm::rv32im_trace_test;
namespace cpu = rv32im::cpu;

namespace {

// ---- instructions the vm test encoder lacks ----
uint32_t SUB(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(0x20, rs2, rs1, 0, rd, 0x33); }
uint32_t SLT(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(0, rs2, rs1, 2, rd, 0x33); }
uint32_t SLTU(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(0, rs2, rs1, 3, rd, 0x33); }
uint32_t XOR(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(0, rs2, rs1, 4, rd, 0x33); }
uint32_t MUL(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(1, rs2, rs1, 0, rd, 0x33); }
uint32_t DIVU(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(1, rs2, rs1, 5, rd, 0x33); }
uint32_t SLLI(unsigned rd, unsigned rs1, unsigned sh) { return enc_i(static_cast<int32_t>(sh), rs1, 1, rd, 0x13); }
uint32_t AUIPC(unsigned rd, uint32_t imm20) { return (imm20 << 12) | (rd << 7) | 0x17; }
uint32_t LBU(unsigned rd, unsigned rs1, int32_t imm) { return enc_i(imm, rs1, 4, rd, 0x03); }
uint32_t BLT(unsigned rs1, unsigned rs2, int32_t imm) { return enc_b(imm, rs2, rs1, 4); }
uint32_t BGE(unsigned rs1, unsigned rs2, int32_t imm) { return enc_b(imm, rs2, rs1, 5); }
uint32_t BLTU(unsigned rs1, unsigned rs2, int32_t imm) { return enc_b(imm, rs2, rs1, 6); }
uint32_t BGEU(unsigned rs1, unsigned rs2, int32_t imm) { return enc_b(imm, rs2, rs1, 7); }
constexpr uint32_t FENCE = 0x0ff0000f;
enum MoreRegs : unsigned { a3 = 13, a4 = 14, a5 = 15, a6 = 16 };

// li a0, 5; li a1, 7; <op> a0, a0, a1; exit(a0).
vm::Program alu_program(uint32_t op_insn) {
  std::vector<uint32_t> code;
  li(code, a0, 5);
  li(code, a1, 7);
  code.push_back(op_insn);
  exit_with_a0(code);
  return make_program(code);
}

// One of nearly everything the CPU table does: every adder use, compares,
// ALU-chip ops, constants, both link forms, every branch taken and not,
// every load and store width (signed fills), fence, the cycle-count call, a
// journal write and exit.
vm::Program sweep_program() {
  std::vector<uint32_t> c;
  li(c, a0, 0x80000005u);
  li(c, a1, 7);
  c.push_back(ADD(a2, a0, a1));
  c.push_back(SUB(a3, a0, a1));
  c.push_back(SLT(a4, a0, a1));
  c.push_back(SLTU(a5, a0, a1));
  c.push_back(XOR(a6, a0, a1));
  c.push_back(MUL(t0, a0, a1));
  c.push_back(DIVU(t0, a0, a1));
  c.push_back(SLLI(t1, a1, 3));
  c.push_back(AUIPC(t2, 1));
  c.push_back(LUI(s1, kDataBase >> 12));
  c.push_back(SW(a0, s1, 0));
  c.push_back(SH(a1, s1, 6));
  c.push_back(SB(a1, s1, 9));
  c.push_back(LW(t0, s1, 0));
  c.push_back(LH(t1, s1, 2));
  c.push_back(LHU(t2, s1, 2));
  c.push_back(LB(t0, s1, 3));
  c.push_back(LBU(t1, s1, 3));
  c.push_back(BEQ(a0, a1, 8));  // not taken
  c.push_back(BNE(a0, a1, 8));  // taken
  c.push_back(NOP);
  c.push_back(BLT(a0, a1, 8));  // taken (a0 < 0)
  c.push_back(NOP);
  c.push_back(BGE(a0, a1, 8));   // not taken
  c.push_back(BLTU(a0, a1, 8));  // not taken
  c.push_back(BGEU(a0, a1, 8));  // taken
  c.push_back(NOP);
  c.push_back(JAL(ra, 8));
  c.push_back(NOP);
  c.push_back(AUIPC(t0, 0));
  c.push_back(JALR(ra, t0, 12));
  c.push_back(NOP);
  c.push_back(FENCE);
  li(c, a7, vm::kSysCycleCount);
  c.push_back(ECALL);
  li(c, a0, 3);
  c.push_back(ADDI(a1, s1, 0));
  li(c, a2, 4);
  li(c, a7, vm::kSysWrite);
  c.push_back(ECALL);
  li(c, a0, 42);
  exit_with_a0(c);
  std::vector<uint8_t> data(16, 0xa5);
  return make_program(c, data);
}

}  // namespace

TEST_CASE("cpu table shape: 114 main columns, 28 LogUp fractions in 15 aux columns (13 pairs), degree 3", "[rv32im][cpu]") {
  const air::AirShape shape = air::analyse(rv32im::CpuAir{});
  CHECK(rv32im::CpuAir{}.width() == cpu::kWidth);
  CHECK(cpu::kWidth == 114);
  CHECK(shape.num_interactions == 28);
  CHECK(shape.aux_width() == 16);  // 15 fraction columns and the running sum
  size_t singles = 0;
  for (const auto& g : shape.logup_groups) singles += g.size() == 1;
  CHECK(singles == 2);  // the program tuple and the scaled-s3 pair lookup (degree-2 tuples)
  CHECK(shape.max_degree == 3);
}

TEST_CASE("an unmodified trace through the forging path proves and verifies", "[rv32im][cpu]") {
  const auto p = sweep_program();
  const Recorded r = record(p);
  CHECK(r.claim.exit_code == 42);
  CHECK(r.claim.journal.size() == 4);
  const Built b = build(p, r);
  const auto c = check(b);
  INFO(c.message);
  REQUIRE(c.ok);
  std::string why;
  CHECK(prove_verify(b, &why));
  INFO(why);
  // The strict path builds the same tables.
  const Built s = build(p, r, TraceCheck::kStrict);
  for (size_t t = 0; t < rv32im::kNumTables; ++t) CHECK(s.ex.traces[t].values == b.ex.traces[t].values);
}

TEST_CASE("the strict path refuses every forged trace the cheats below use", "[rv32im][cpu]") {
  const auto p = alu_program(ADD(a0, a0, a1));
  Recorded r = record(p);
  r.rows[4].rd_val = 13;
  forge_exit_a0(r, 13);
  CHECK_THROWS_WITH(build(p, r, TraceCheck::kStrict), Catch::Contains("rd value differs"));
}

TEST_CASE("verifier rejects an ADD, SUB or SLT with a wrong result", "[rv32im][cpu]") {
  for (uint32_t insn : {ADD(a0, a0, a1), SUB(a0, a0, a1), SLT(a0, a0, a1)}) {
    INFO("insn " << insn);
    const auto p = alu_program(insn);
    Recorded r = record(p);
    const uint32_t lie = r.rows[4].rd_val + 1;
    r.rows[4].rd_val = lie;
    forge_exit_a0(r, lie);
    require_rejected(p, r, insn == SLT(a0, a0, a1) ? "SLT/SLTU result" : "ADD/SUB result");
  }
}

TEST_CASE("verifier rejects an ALU-chip op (XOR, MUL, DIVU, SLLI) with a wrong result", "[rv32im][cpu]") {
  for (uint32_t insn : {XOR(a0, a0, a1), MUL(a0, a0, a1), DIVU(a0, a0, a1), SLLI(a0, a0, 3)}) {
    INFO("insn " << insn);
    const auto p = alu_program(insn);
    Recorded r = record(p);
    const uint32_t lie = r.rows[4].rd_val ^ 0x100;
    r.rows[4].rd_val = lie;
    forge_exit_a0(r, lie);
    require_rejected(p, r, "bus");  // the chip proves the true result only
  }
}

TEST_CASE("verifier rejects a load of a value never stored", "[rv32im][cpu]") {
  // lw from the image (holds 0x11223344) and from a word outside it (0).
  for (uint32_t off : {0u, 0x100u}) {
    INFO("offset " << off);
    std::vector<uint32_t> code;
    code.push_back(LUI(s1, kDataBase >> 12));
    code.push_back(LW(a0, s1, static_cast<int32_t>(off)));
    exit_with_a0(code);
    const auto p = make_program(code, {0x44, 0x33, 0x22, 0x11});
    Recorded r = record(p);
    auto& ld = r.rows[1];
    REQUIRE(ld.rd_val == (off == 0 ? 0x11223344u : 0u));
    ld.mem_old = ld.mem_new = ld.rd_val = 0xdeadbeef;
    forge_exit_a0(r, 0xdeadbeef);
    require_rejected(p, r, "bus");
  }
}

TEST_CASE("verifier rejects a store that is skipped", "[rv32im][cpu]") {
  std::vector<uint32_t> code;
  li(code, a0, 7);
  code.push_back(LUI(s1, kDataBase >> 12));
  code.push_back(SW(a0, s1, 0));
  code.push_back(LW(a0, s1, 0));
  exit_with_a0(code);
  const auto p = make_program(code, {0x44, 0x33, 0x22, 0x11});
  Recorded r = record(p);
  r.rows[3].mem_new = r.rows[3].mem_old;  // memory keeps 0x11223344
  r.rows[4].mem_old = r.rows[4].mem_new = r.rows[4].rd_val = 0x11223344;
  forge_exit_a0(r, 0x11223344);
  require_rejected(p, r, "SW new word");
}

TEST_CASE("verifier rejects x0 reading back a value written to it", "[rv32im][cpu]") {
  std::vector<uint32_t> code;
  code.push_back(ADDI(zero, zero, 5));
  code.push_back(ADD(a0, zero, zero));
  exit_with_a0(code);
  const auto p = make_program(code);
  Recorded r = record(p);
  r.rows[0].rd_val = 5;  // the dishonest emulator kept x0 = 5
  r.rows[1].rs1_val = r.rows[1].rs2_val = 5;
  r.rows[1].rd_val = 10;
  forge_exit_a0(r, 10);
  require_rejected(p, r, "bus");
}

TEST_CASE("verifier rejects a branch that goes the wrong way", "[rv32im][cpu]") {
  // beq a0, a1 with a0 != a1 (not taken: exit 3); the cheat takes it (exit 1).
  std::vector<uint32_t> code;
  li(code, a0, 1);
  li(code, a1, 2);
  code.push_back(BEQ(a0, a1, 8));
  code.push_back(ADDI(a0, zero, 3));
  exit_with_a0(code);
  const auto p = make_program(code);
  Recorded r = record(p);
  REQUIRE(r.claim.exit_code == 3);
  r.erase_row(5);
  forge_exit_a0(r, 1);
  require_rejected(p, r, "pc follows npc");

  // bne a0, a1 with a0 != a1 (taken); the cheat falls through.
  code[4] = BNE(a0, a1, 8);
  const auto q = make_program(code);
  Recorded s = record(q);
  REQUIRE(s.claim.exit_code == 1);
  s.rows.insert(s.rows.begin() + 5, vm::TraceRow{kCodeBase + 20, code[5], 0, 0, 3, 0, 0, 0});
  for (auto& rec : s.syscalls) ++rec.cycle;
  forge_exit_a0(s, 3);
  require_rejected(q, s, "pc follows npc");
}

TEST_CASE("verifier rejects fetches outside the program: data words, a changed code word", "[rv32im][cpu]") {
  // jalr into the data segment, which holds a7 := 93; ecall as data.
  std::vector<uint32_t> code = {LUI(s1, kDataBase >> 12), JALR(zero, s1, 0)};
  const std::vector<uint32_t> words = {LUI(a7, 0), ADDI(a7, a7, 93), ECALL};
  std::vector<uint8_t> data(words.size() * 4);
  std::memcpy(data.data(), words.data(), data.size());
  const auto p = make_program(code, data);
  const Recorded r = exit_zero_trace({{kCodeBase, code[0], 0, 0, kDataBase, 0, 0, 0},
                                      {kCodeBase + 4, code[1], kDataBase, 0, 0, 0, 0, 0},
                                      {kDataBase, words[0], 0, 0, 0, 0, 0, 0},
                                      {kDataBase + 4, words[1], 0, 0, 93, 0, 0, 0},
                                      {kDataBase + 8, ECALL, 93, 0, 0, 0, 0, 0}});
  CHECK_THROWS_WITH(build(p, r, TraceCheck::kStrict), Catch::Contains("not an instruction of the program image"));
  require_rejected(p, r, "bus");

  // The word at a code address is not the image's (self-modified code).
  const auto q = alu_program(ADD(a0, a0, a1));
  Recorded s = record(q);
  s.rows[4].insn = SUB(a0, a0, a1);
  s.rows[4].rd_val = static_cast<uint32_t>(5 - 7);
  forge_exit_a0(s, s.rows[4].rd_val);
  CHECK_THROWS_WITH(build(q, s, TraceCheck::kStrict), Catch::Contains("differs from the program image"));
  require_rejected(q, s, "bus");
}

TEST_CASE("verifier rejects executing a code word after a store overwrote it", "[rv32im][cpu][code]") {
  // sw zero, 8(a1) overwrites the word at 0x10008 (li a7, 93) with 0 before
  // it runs: the emulator faults there (ModifiedCode). The forged trace
  // executes the loaded word anyway; the fetch finds 0 in memory.
  std::vector<uint32_t> code = {LUI(a1, kCodeBase >> 12), SW(zero, a1, 8), ADDI(a7, zero, 93), ECALL};
  const auto p = make_program(code);
  const vm::RunResult honest = vm::run(p, {});
  REQUIRE(honest.status == vm::RunStatus::Faulted);
  REQUIRE(honest.fault->kind == vm::FaultKind::ModifiedCode);
  const Recorded r = exit_zero_trace({{kCodeBase, code[0], 0, 0, kCodeBase, 0, 0, 0},
                                      {kCodeBase + 4, code[1], kCodeBase, 0, 0, kCodeBase + 8, code[2], 0},
                                      {kCodeBase + 8, code[2], 0, 0, 93, 0, 0, 0},
                                      {kCodeBase + 12, ECALL, 93, 0, 0, 0, 0, 0}});
  CHECK_THROWS_WITH(build(p, r, TraceCheck::kStrict), Catch::Contains("executes a code word that was overwritten"));
  require_rejected(p, r, "bus");
}

TEST_CASE("verifier rejects an ecall whose a7 is not the call it claims", "[rv32im][cpu]") {
  std::vector<uint32_t> code;
  li(code, a0, 9);
  li(code, a7, 1234);  // no such call: the emulator faults
  code.push_back(ECALL);
  const auto p = make_program(code);
  Recorded r;
  // The rows of li a0 / li a7, then an "exit" ECALL.
  const uint32_t hi_a7 = (1234 + 0x800) >> 12;
  r.rows = {{kCodeBase, code[0], 0, 0, 0, 0, 0, 0},
            {kCodeBase + 4, code[1], 0, 0, 9, 0, 0, 0},
            {kCodeBase + 8, code[2], 0, 0, hi_a7 << 12, 0, 0, 0},
            {kCodeBase + 12, code[3], hi_a7 << 12, 0, 1234, 0, 0, 0},
            {kCodeBase + 16, ECALL, 1234, 9, 9, 0, 0, 0}};
  vm::SyscallRecord rec{};
  rec.cycle = 4;
  rec.number = vm::kSysExit;
  rec.args[0] = rec.ret[0] = 9;
  r.syscalls = {rec};
  r.claim.exit_code = 9;
  require_rejected(p, r, "a7 is the call number");
}

TEST_CASE("verifier rejects loads and stores outside guest memory", "[rv32im][cpu]") {
  // Addresses the emulator faults on, each forged into a load of 0 or a
  // store that goes through: below 0x10000, at 0x10000000 (the first byte
  // past the address space) and at 0xfffffffc.
  for (uint32_t addr : {0x0000fffcu, 0x10000000u, 0x1000fffcu, 0xfffffffcu}) {
    for (bool store : {false, true}) {
      INFO("address " << addr << (store ? " store" : " load"));
      std::vector<uint32_t> code;
      li(code, s1, addr);
      code.push_back(store ? SW(zero, s1, 0) : LW(a0, s1, 0));
      exit_with_a0(code);
      const auto p = make_program(code);
      Recorded r;
      r.rows = {{kCodeBase, code[0], 0, 0, (addr + 0x800) & 0xfffff000u, 0, 0, 0},
                {kCodeBase + 4, code[1], (addr + 0x800) & 0xfffff000u, 0, addr, 0, 0, 0},
                {kCodeBase + 8, code[2], addr, 0, 0, addr, 0, 0},
                {kCodeBase + 12, code[3], 0, 0, 0, 0, 0, 0},
                {kCodeBase + 16, code[4], 0, 0, 93, 0, 0, 0},
                {kCodeBase + 20, ECALL, 93, 0, 0, 0, 0, 0}};
      vm::SyscallRecord rec{};
      rec.cycle = 5;
      rec.number = vm::kSysExit;
      r.syscalls = {rec};
      r.claim.exit_code = 0;
      CHECK_THROWS_WITH(build(p, r, TraceCheck::kStrict), Catch::Contains("outside guest memory"));
      require_rejected(p, r, "bus");
    }
  }
}

TEST_CASE("the last word of guest memory and the first above the null page load and store", "[rv32im][cpu]") {
  for (uint32_t addr : {0x00010000u, 0x0ffffffcu}) {
    INFO("address " << addr);
    std::vector<uint32_t> code;
    li(code, s1, addr);
    li(code, a0, 0x5a);
    code.push_back(SW(a0, s1, 0));
    code.push_back(LBU(a0, s1, 0));
    exit_with_a0(code);
    // Code elsewhere, so that 0x10000 is a data word.
    auto p = make_program(code);
    for (auto& seg : p.segments) seg.vaddr += 0x100000;
    p.entry += 0x100000;
    const Recorded r = record(p);
    REQUIRE(r.claim.exit_code == 0x5a);
    const Built b = build(p, r, TraceCheck::kStrict);
    REQUIRE(check(b).ok);
    CHECK(prove_verify(b));
  }
}

TEST_CASE("verifier rejects a JALR whose target aliases a code address mod p", "[rv32im][cpu]") {
  // s = 0x1000c + 2p is below 2^32 and even: npc = s - o0 = 0x1000c in the
  // field, the next instruction. Only s3 < 16 keeps the target honest.
  const uint32_t p2 = 2 * field::Fp::kModulus;
  const uint32_t s = kCodeBase + 12 + p2;
  std::vector<uint32_t> code;
  li(code, a1, s);
  code.push_back(JALR(zero, a1, 0));
  code.push_back(ADDI(a0, zero, 0));
  exit_with_a0(code);
  const auto p = make_program(code);
  Recorded r;
  const uint32_t hi = (s + 0x800) & 0xfffff000u;
  r.rows = {{kCodeBase, code[0], 0, 0, hi, 0, 0, 0},
            {kCodeBase + 4, code[1], hi, 0, s, 0, 0, 0},
            {kCodeBase + 8, code[2], s, 0, 0, 0, 0, 0},
            {kCodeBase + 12, code[3], 0, 0, 0, 0, 0, 0},
            {kCodeBase + 16, code[4], 0, 0, 0, 0, 0, 0},
            {kCodeBase + 20, code[5], 0, 0, 93, 0, 0, 0},
            {kCodeBase + 24, ECALL, 93, 0, 0, 0, 0, 0}};
  vm::SyscallRecord rec{};
  rec.cycle = 6;
  rec.number = vm::kSysExit;
  r.syscalls = {rec};
  r.claim.exit_code = 0;
  require_rejected(p, r, "bus");
}

// Every cell of every real row, +1 (nothing else fixed up): the table's own
// constraints or its bus tuples object. With the other tables fixed, a
// changed multiset of tuples cannot balance, so this local verdict is the
// checker's; the real verifier rejects one changed cell of every column.
namespace {
size_t real_memory_rows(const Built& b) { return real_rows(b, rv32im::kTableMemory); }
}  // namespace

TEST_CASE("changing any one cell of a real cpu, memory or boundary row is rejected", "[rv32im][cpu][memory]") {
  const auto p = sweep_program();
  const Recorded r = record(p);
  const Built honest = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(honest).ok);
  sweep_table(honest, rv32im::kTableCpu, cpu::kWidth, r.rows.size());
  sweep_table(honest, rv32im::kTableMemory, rv32im::MemoryAir::kWidth, real_memory_rows(honest));
  REQUIRE(real_rows(honest, rv32im::kTableBoundary) > 0);
  sweep_table(honest, rv32im::kTableBoundary, rv32im::BoundaryAir::kWidth, real_rows(honest, rv32im::kTableBoundary));
}

TEST_CASE("verifier rejects a changed multiplicity of the program, byte and gap tables and the image's rom reads and "
          "touched flags",
          "[rv32im][cpu]") {
  const auto p = sweep_program();
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  const auto pk = setup(b);
  const struct {
    size_t table, row, col;
  } cells[] = {{rv32im::kTableProgram, 3, 0},       {rv32im::kTableProgram, b.image->program.size() + 1, 0},
               {rv32im::kTableImage, 0, rv32im::ImageAir::kRomReads},
               {rv32im::kTableImage, 0, rv32im::ImageAir::kTouched},  // a code word: untouched
               {rv32im::kTableImage, b.image->words.size() - 4, rv32im::ImageAir::kTouched},  // the stored data word
               {rv32im::kTableImage, b.image->words.size() + 1, rv32im::ImageAir::kTouched},  // padding
               {rv32im::kTableGaps, 0, 0},          {rv32im::kTableGaps, 1, 0},
               {rv32im::kTableBytes, 0x0102, rv32im::ByteTableAir::kMPair},
               {rv32im::kTableBytes, 0x0305, rv32im::ByteTableAir::kMXor}, {rv32im::kTableBytes, 0xff70, rv32im::ByteTableAir::kMU16},
               {rv32im::kTableBytesTail, 0x10, rv32im::ByteTableAir::kMPair}, {rv32im::kTableBytesTail, 0x7f, rv32im::ByteTableAir::kMXor},
               {rv32im::kTableBytesTail, 0x22, rv32im::ByteTableAir::kMU16}};
  for (const auto& c : cells) {
    INFO("table " << c.table << " row " << c.row << " column " << c.col);
    CHECK_FALSE(accepts_changed_cell(b, pk, c.table, c.row, c.col));
  }
}

TEST_CASE("verifier rejects one changed cell in every cpu, memory and boundary column", "[rv32im][cpu][memory]") {
  const auto p = sweep_program();
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  const auto pk = setup(b);
  const size_t cycles = r.rows.size();
  for (auto [table, width] : {std::pair{size_t(rv32im::kTableCpu), size_t(cpu::kWidth)},
                              std::pair{size_t(rv32im::kTableMemory), size_t(rv32im::MemoryAir::kWidth)},
                              std::pair{size_t(rv32im::kTableBoundary), size_t(rv32im::BoundaryAir::kWidth)}}) {
    for (size_t col = 0; col < width; ++col) {
      const size_t row = (col * 7) % (table == rv32im::kTableCpu ? cycles : real_rows(b, table));
      INFO("table " << table << " row " << row << " column " << col);
      CHECK_FALSE(accepts_changed_cell(b, pk, table, row, col));
    }
  }
  CHECK(prove_verify(b, pk));
}

// An ecall's result r enters the adder as X with Y = 0; with a carry out of
// byte 0 the limbs r0 = s0 + 256, r1 = s1 - 1 (mod p) keep the word value (so the
// cycle-count check holds) while r0 is no byte. Written to a0 and
// overwritten unread, nothing else objects: the no-carry constraint does.
TEST_CASE("verifier rejects an ecall result with limbs that are not bytes", "[rv32im][cpu]") {
  const auto p = sweep_program();
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  auto& t = b.ex.traces[rv32im::kTableCpu];
  size_t row = 0;
  while (t.at(row, cpu::kSysCycle) != field::Fp::one()) ++row;
  REQUIRE(t.at(row + 1, cpu::kRd) == field::Fp::from_u64(a0));  // li a0, 3 writes a0 without reading it
  REQUIRE(t.at(row + 1, cpu::kRs1) == field::Fp::zero());
  for (size_t col : {cpu::kR, cpu::kD}) {
    const size_t at = col == cpu::kR ? row : row + 1;
    t.at(at, col) += field::Fp::from_u64(256);
    t.at(at, col + 1) -= field::Fp::one();
  }
  t.at(row, cpu::kC) = field::Fp::one();
  const auto c = check(b);
  INFO(c.message);
  CHECK(c.constraint == "an ecall's adder has no carries");
  CHECK_FALSE(prove_verify(b));
}


TEST_CASE("the CPU overflow table: rows past the main table's, each column's cell bound by the verifier",
          "[rv32im][cpu]") {
  const auto p = split_program();
  const Recorded r = record(p);
  Built b = build(p, r, TraceCheck::kStrict);
  REQUIRE(check(b).ok);
  const size_t c1 = rv32im::cpu_main_rows(static_cast<uint32_t>(r.rows.size()));
  REQUIRE(c1 == 896);
  const size_t tail = r.rows.size() - c1;
  CHECK(b.ex.traces[rv32im::kTableCpu].height == 1024);
  CHECK(b.ex.traces[rv32im::kTableCpuX].height == 256);
  CHECK(real_rows(b, rv32im::kTableCpuX) == tail);
  CHECK(b.ex.traces[rv32im::kTableCpuX].at(0, cpu::kClk) == field::Fp::from_u64(c1));
  CHECK(b.ex.traces[rv32im::kTableCpuX].at(0, cpu::kPc).canonical() == r.rows[c1].pc);
  const auto pk = setup(b);
  REQUIRE(prove_verify(b, pk));
  // The overflow table is the CPU AIR (its constraint sweep above covers
  // every column); through the verifier, every column of it once.
  for (size_t col = 0; col < cpu::kWidth; ++col) {
    const size_t row = (col * 7) % tail;
    INFO("overflow row " << row << " column " << col);
    CHECK_FALSE(accepts_changed_cell(b, pk, rv32im::kTableCpuX, row, col));
  }
}
