// Superinstructions (fused pairs, executor.h FusedFirst) against the plain
// dispatch (RunOptions::fusion = false) and the tracing executor, which never
// fuses: results, cycles, faults and cycle-limit stops must be identical.
#include "vm_test_util.h"
#include "zkvm/vm/isa.h"
#include "zkvm/vm/machine.h"
#include "zkvm/vm/trace.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>

using namespace zkvm::vm;
using namespace zkvm::vm::test;

namespace {

struct Row {
  std::uint32_t opcode;
  int funct3, funct7;
  Format format;
};
const Row kRows[] = {
#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format) {opcode, funct3, funct7, Format::format},
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN
};

// Any table row, from its fields (imm is used as each format needs it).
std::uint32_t encode(Op op, unsigned rd, unsigned rs1, unsigned rs2, std::int32_t imm) {
  const Row& r = kRows[static_cast<std::size_t>(op)];
  const auto f3 = static_cast<unsigned>(r.funct3 < 0 ? 0 : r.funct3);
  switch (r.format) {
    case Format::R: return enc_r(static_cast<unsigned>(r.funct7), rs2, rs1, f3, rd, r.opcode);
    case Format::I:
      if (op == Op::FENCE) return enc_i(0, 0, 0, 0, 0x0f);
      if (r.funct7 >= 0) imm = (r.funct7 << 5) | (imm & 31);  // shift amount
      return enc_i(imm, rs1, f3, rd, r.opcode);
    case Format::S: return enc_s(imm, rs2, rs1, f3, r.opcode);
    case Format::B: return enc_b(imm, rs2, rs1, f3);
    case Format::U: return (static_cast<std::uint32_t>(imm) << 12) | (rd << 7) | r.opcode;
    case Format::J: return enc_j(imm, rd);
    case Format::SYS: return ECALL;
  }
  return 0;
}

bool is_load(Op op) { return op == Op::LB || op == Op::LH || op == Op::LW || op == Op::LBU || op == Op::LHU; }
bool is_store(Op op) { return op == Op::SB || op == Op::SH || op == Op::SW; }
unsigned access_size(Op op) {
  switch (op) {
    case Op::LH: case Op::LHU: case Op::SH: return 2;
    case Op::LW: case Op::SW: return 4;
    default: return 1;
  }
}

void require_same(const RunResult& a, const RunResult& b, const std::string& what) {
  INFO(what);
  REQUIRE(a.status == b.status);
  REQUIRE(a.cycles == b.cycles);
  REQUIRE(a.pc == b.pc);
  REQUIRE(a.exit_code == b.exit_code);
  REQUIRE(a.regs == b.regs);
  REQUIRE(a.journal == b.journal);
  REQUIRE(a.fault.has_value() == b.fault.has_value());
  if (a.fault) REQUIRE(a.fault->message() == b.fault->message());
}

RunResult run_plain(const Program& p, RunOptions o) {
  o.fusion = false;
  return run(p, o);
}

// Runs p fused, plain and traced and requires the same result; returns it.
RunResult check_all(const Program& p, const RunOptions& o, const std::string& what) {
  const RunResult fused = run(p, o);
  require_same(fused, run_plain(p, o), what + " (fused vs plain)");
  require_same(fused, run_traced(p, o, [](const TraceChunk&) {}), what + " (fused vs traced)");
  return fused;
}

// Registers A and B never write: the data base, the JALR target and a7.
constexpr unsigned kBase = 8, kTarget = 9;

// Registers: any, or (small) a pool of three so that groups alias often.
unsigned pick_reg(std::mt19937& rng, bool small) { return small ? 5 + rng() % 3 : rng() % 32; }
unsigned pick_rd(std::mt19937& rng, bool small) {
  for (;;) {
    const unsigned r = pick_reg(rng, small);
    if (r != kBase && r != kTarget && r != a7) return r;
  }
}

// One instruction of op. `wild`: loads/stores use a random base register and
// jumps/branches a misaligned target, so they may fault. Branches and JAL
// skip the next word; JALR jumps to kTarget.
std::uint32_t make_insn(Op op, std::mt19937& rng, bool wild, bool small) {
  const unsigned rd = pick_rd(rng, small), rs1 = pick_reg(rng, small), rs2 = pick_reg(rng, small);
  const auto imm12 = static_cast<std::int32_t>(rng() % 4096) - 2048;
  if (is_load(op) || is_store(op)) {
    const auto off = static_cast<std::int32_t>((rng() % 128) & ~(access_size(op) - 1)) - 64;
    const unsigned base = wild ? rs1 : kBase;
    return is_load(op) ? encode(op, rd, base, 0, wild ? imm12 : off) : encode(op, 0, base, rs2, wild ? imm12 : off);
  }
  switch (format_of(op)) {
    case Format::B: return encode(op, 0, rs1, rng() % 2 ? rs1 : rs2, wild ? 6 : 8);
    case Format::J: return encode(op, rd, 0, 0, wild ? 6 : 8);
    case Format::U: return encode(op, rd, 0, 0, static_cast<std::int32_t>(rng() & 0xfffff));
    default: break;
  }
  if (op == Op::JALR) return encode(op, rd, kTarget, 0, wild ? 2 : 0);
  return encode(op, rd, rs1, rs2, imm12);
}

// Random registers, then `group` (words) starting at an even slot (the
// prologue's li pairs keep that alignment, so the group's first word starts
// a fused group), two NOPs (the jump and branch targets), the data area
// written to the journal, exit. Requires fused == plain == traced.
void check_group(const std::vector<std::uint32_t>& group, std::mt19937& rng, const std::string& what) {
  static const std::vector<std::uint8_t> data = [] {
    std::vector<std::uint8_t> d(256);
    std::mt19937 r(7);
    for (auto& b : d) b = static_cast<std::uint8_t>(r());
    return d;
  }();
  std::vector<std::uint32_t> code;
  for (unsigned r = 1; r < 32; ++r) li(code, r, rng() % 4 ? rng() : rng() % 64);
  li(code, kBase, kDataBase + 128);
  li(code, a7, 0x1000);  // cycle_count, if the group has an ECALL
  const std::uint32_t last_nop = kCodeBase + static_cast<std::uint32_t>(4 * (code.size() + 2 + group.size() + 1));
  li(code, kTarget, last_nop);
  REQUIRE(code.size() % 2 == 0);
  code.insert(code.end(), group.begin(), group.end());
  code.push_back(NOP);
  code.push_back(NOP);
  li(code, a0, 3);
  li(code, a1, kDataBase);
  li(code, a2, static_cast<std::uint32_t>(data.size()));
  li(code, a7, kSysWrite);
  code.push_back(ECALL);
  li(code, a7, kSysExit);
  code.push_back(ECALL);
  check_all(make_program(code, data), {}, what);
}

// A can start a fused group (executor.h ZKVM_ALU_OPS, ZKVM_LOAD_OPS).
bool fusable_first(Op op) {
  const Format f = format_of(op);
  return (f == Format::R || f == Format::U || (f == Format::I && op != Op::JALR && op != Op::FENCE)) &&
         op != Op::DIV && op != Op::DIVU && op != Op::REM && op != Op::REMU;
}

}  // namespace

TEST_CASE("every fused pair (A then B) gives the plain result, cycles and faults", "[vm][fusion]") {
  // Each A that can start a pair, each table row B: two random instances and
  // one with faulting addresses and misaligned targets.
  std::mt19937 rng(20261124);
  int pairs = 0;
  for (std::size_t a = 0; a < kNumInsns; ++a) {
    const Op op_a = static_cast<Op>(a);
    if (!fusable_first(op_a)) continue;
    for (std::size_t b = 0; b < kNumInsns; ++b)
      for (int variant = 0; variant < 3; ++variant) {
        const Op op_b = static_cast<Op>(b);
        const bool wild = variant == 2;
        check_group({make_insn(op_a, rng, wild, false), make_insn(op_b, rng, wild, false)}, rng,
                    std::string(mnemonic(op_a)) + " then " + std::string(mnemonic(op_b)) + " variant " +
                        std::to_string(variant));
        ++pairs;
      }
  }
  CHECK(pairs == 30 * 47 * 3);
}

TEST_CASE("fused triples (A, B, then any C) give the plain result, cycles and faults", "[vm][fusion]") {
  // A and B over the ops of the triple prefixes (and a few more), C over the
  // whole table, registers from a pool of three so results alias operands.
  const Op firsts[] = {Op::SRLI, Op::SLLI, Op::OR, Op::XOR, Op::ADD, Op::AND, Op::ADDI,
                       Op::LB, Op::LW, Op::MUL, Op::LUI, Op::SUB};
  std::mt19937 rng(42);
  for (Op op_a : firsts)
    for (Op op_b : firsts)
      for (std::size_t c = 0; c < kNumInsns; ++c)
        for (int variant = 0; variant < 2; ++variant) {
          const Op op_c = static_cast<Op>(c);
          const bool wild = variant == 1;
          check_group({make_insn(op_a, rng, wild, true), make_insn(op_b, rng, wild, true),
                       make_insn(op_c, rng, wild, true)},
                      rng,
                      std::string(mnemonic(op_a)) + ", " + std::string(mnemonic(op_b)) + ", " +
                          std::string(mnemonic(op_c)) + " variant " + std::to_string(variant));
        }
}

TEST_CASE("the rotate idiom (srli/slli/or) fuses exactly, including aliased registers", "[vm][fusion]") {
  // Every register assignment over a pool of three (plus x0 as a
  // destination) and both shift orders: the fused rotate applies only when
  // its conditions hold, and the result is the plain one either way.
  std::mt19937 rng(3);
  const unsigned pool[] = {0, 5, 6, 7};
  int n = 0;
  for (int order = 0; order < 2; ++order)
    for (unsigned t : pool)
      for (unsigned u : pool)
        for (unsigned xr : pool)
          for (unsigned xr2 : pool)
            for (unsigned d : pool)
              for (int swap = 0; swap < 4; ++swap) {
                const std::int32_t a = 1 + static_cast<std::int32_t>(rng() % 31);
                const std::uint32_t sr = encode(Op::SRLI, t, xr, 0, a);
                const std::uint32_t sl = encode(Op::SLLI, u, xr2, 0, 32 - a);
                const std::uint32_t o = swap % 2 ? encode(Op::OR, d, u, t, 0) : encode(Op::OR, d, t, u, 0);
                std::vector<std::uint32_t> g = order ? std::vector<std::uint32_t>{sl, sr, o}
                                                     : std::vector<std::uint32_t>{sr, sl, o};
                // swap >= 2: an ADD first, which would pair with the first shift
                // if the decoder did not leave the rotate to its own slot.
                if (swap >= 2) g.insert(g.begin(), encode(Op::ADD, 5 + rng() % 3, 5, 6, 0));
                check_group(g, rng, "rotate " + std::to_string(n));
                ++n;
              }
  CHECK(n == 2 * 4 * 4 * 4 * 4 * 4 * 4);
}

TEST_CASE("a jump into the second instruction of a fused pair runs only that instruction", "[vm][fusion]") {
  // slot 4: ADDI s1, s1, 1 (starts a pair with slot 5); slot 5: ADDI s1, s1, 10.
  // Three passes, the last two enter at slot 5: 1 + 10 + 10 + 10 = 31.
  std::vector<std::uint32_t> code;
  li(code, t2, 3);                  // 0,1
  code.push_back(NOP);              // 2
  code.push_back(NOP);              // 3
  code.push_back(ADDI(s1, s1, 1));  // 4
  code.push_back(ADDI(s1, s1, 10)); // 5
  code.push_back(ADDI(t2, t2, -1)); // 6
  code.push_back(BNE(t2, zero, -8));  // 7: back to slot 5
  code.push_back(ADD(a0, s1, zero));
  li(code, a7, kSysExit);
  code.push_back(ECALL);
  CHECK(check_all(make_program(code), {}, "jump into pair").exit_code == 31);
}

namespace {
// Two passes over the pair at `slot` (ADDI s1, s1, 1; ADDI s1, s1, 2); after
// the first, `patch` is stored over the pair's second word (by SW, or by a
// read syscall when via_read). Returns the exit code (s1).
RunResult patch_second_of_pair(std::uint32_t patch, bool via_read) {
  std::vector<std::uint32_t> code;
  li(code, t2, 2);                      // 0,1
  code.push_back(NOP);                  // 2
  code.push_back(JAL(zero, 4));         // 3: enter slot 4 by a jump, so it starts a group
  const std::size_t slot = code.size(); // 4
  const std::uint32_t second = kCodeBase + static_cast<std::uint32_t>(4 * (slot + 1));
  code.push_back(ADDI(s1, s1, 1));
  code.push_back(ADDI(s1, s1, 2));
  if (via_read) {
    li(code, a0, 0);
    li(code, a1, second);
    li(code, a2, 4);
    li(code, a7, kSysRead);
    code.push_back(ECALL);  // the second pass reads nothing
  } else {
    li(code, t0, patch);
    li(code, t1, second);
    code.push_back(SW(t0, t1, 0));
  }
  code.push_back(ADDI(t2, t2, -1));
  code.push_back(BNE(t2, zero, (static_cast<std::int32_t>(slot) - static_cast<std::int32_t>(code.size())) * 4));
  code.push_back(ADD(a0, s1, zero));
  li(code, a7, kSysExit);
  code.push_back(ECALL);
  RunOptions o;
  if (via_read) o.input.assign(reinterpret_cast<const std::uint8_t*>(&patch), reinterpret_cast<const std::uint8_t*>(&patch) + 4);
  return check_all(make_program(code), o, via_read ? "patch by read" : "patch by store");
}
}  // namespace

TEST_CASE("a store over the second word of an executed fused pair faults there on the next pass", "[vm][fusion]") {
  // Whatever other word is stored (same op with a new immediate, another op,
  // an illegal word), the second pass retires the pair's first instruction
  // and faults at the second: its code word no longer holds the loaded value.
  for (const std::uint32_t patch : {ADDI(s1, s1, 100), enc_i(0x40, s1, 4, s1, 0x13), 0u}) {
    const RunResult r = patch_second_of_pair(patch, false);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.fault->kind == FaultKind::ModifiedCode);
    CHECK(r.fault->pc == kCodeBase + 5 * 4);
  }
  // Storing the loaded word itself changes nothing: 1 + 2 + 1 + 2.
  CHECK(patch_second_of_pair(ADDI(s1, s1, 2), false).exit_code == 6);
}

TEST_CASE("a read over the second word of an executed fused pair faults there on the next pass", "[vm][fusion]") {
  const RunResult r = patch_second_of_pair(ADDI(s1, s1, 100), true);
  REQUIRE(r.status == RunStatus::Faulted);
  CHECK(r.fault->kind == FaultKind::ModifiedCode);
  CHECK(r.fault->pc == kCodeBase + 5 * 4);
}

TEST_CASE("a store or read over the third word of an executed fused triple faults there on the next pass", "[vm][fusion]") {
  // ADDI; ADDI (a triple prefix) then ADDI s1, s1, 4 at slots 4-6; after the
  // first pass ADDI s1, s1, 100 is written over the third word: the second
  // pass retires the first two and faults at the third.
  for (const bool via_read : {false, true}) {
    std::vector<std::uint32_t> code;
    li(code, t2, 2);                       // 0,1
    code.push_back(NOP);                   // 2
    code.push_back(JAL(zero, 4));          // 3: enter slot 4 by a jump, so it starts the triple
    const std::size_t slot = code.size();  // 4
    const std::uint32_t third = kCodeBase + static_cast<std::uint32_t>(4 * (slot + 2));
    code.push_back(ADDI(s1, s1, 1));
    code.push_back(ADDI(s1, s1, 2));
    code.push_back(ADDI(s1, s1, 4));
    const std::uint32_t patch = ADDI(s1, s1, 100);
    if (via_read) {
      li(code, a0, 0);
      li(code, a1, third);
      li(code, a2, 4);
      li(code, a7, kSysRead);
      code.push_back(ECALL);  // the second pass reads nothing
    } else {
      li(code, t0, patch);
      li(code, t1, third);
      code.push_back(SW(t0, t1, 0));
    }
    code.push_back(ADDI(t2, t2, -1));
    code.push_back(BNE(t2, zero, (static_cast<std::int32_t>(slot) - static_cast<std::int32_t>(code.size())) * 4));
    code.push_back(ADD(a0, s1, zero));
    li(code, a7, kSysExit);
    code.push_back(ECALL);
    RunOptions o;
    if (via_read)
      o.input.assign(reinterpret_cast<const std::uint8_t*>(&patch), reinterpret_cast<const std::uint8_t*>(&patch) + 4);
    const RunResult r = check_all(make_program(code), o, via_read ? "triple patch by read" : "triple patch by store");
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.fault->kind == FaultKind::ModifiedCode);
    CHECK(r.fault->pc == third);
  }
}

TEST_CASE("a cycle limit landing inside or right after a fused pair stops exactly", "[vm][fusion]") {
  // A loop of pairs long enough that the fast (fusing) instance runs past the
  // exact instance's margin (2048 cycles) before the limit.
  std::vector<std::uint32_t> code;
  li(code, t2, 1000);
  const std::size_t top = code.size();  // even: pairs start at even slots
  code.push_back(ADDI(s1, s1, 3));
  code.push_back(ADD(t0, t0, s1));
  code.push_back(LUI(t1, 0x12345));
  code.push_back(ADDI(t2, t2, -1));
  code.push_back(ADD(a0, t0, t1));
  code.push_back(BNE(t2, zero, (static_cast<std::int32_t>(top) - static_cast<std::int32_t>(code.size())) * 4));
  sys_exit(code, 0);
  const Program p = make_program(code);
  for (std::uint64_t limit : {std::uint64_t{2049}, std::uint64_t{2050}, std::uint64_t{2051}}) {
    RunOptions o;
    o.max_cycles = limit;
    check_all(p, o, "limit " + std::to_string(limit));
  }
  for (std::uint64_t limit = 4000; limit < 4013; ++limit) {
    RunOptions o;
    o.max_cycles = limit;
    const RunResult r = check_all(p, o, "limit " + std::to_string(limit));
    CHECK(r.status == RunStatus::CycleLimit);
    CHECK(r.cycles == limit);
  }
}
