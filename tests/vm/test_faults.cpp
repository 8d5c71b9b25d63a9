// Every ABI fault kind ends the run with a report naming the kind, pc,
// instruction (disassembled) and address. Each program runs under both
// executors, which must report the same fault after the same cycles.
#include "vm_test_util.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>

using namespace zkvm::vm;
using namespace zkvm::vm::test;
using Catch::Contains;

namespace {

RunResult run_both(const Program& p, RunOptions opts = {}) {
  const RunResult fast = run(p, opts);
  const RunResult traced = run_traced(p, opts, [](const TraceChunk&) {}, 4);
  REQUIRE(traced.status == fast.status);
  REQUIRE(traced.cycles == fast.cycles);
  REQUIRE(traced.summary() == fast.summary());
  return fast;
}

Fault fault_of(const std::vector<std::uint32_t>& code, RunOptions opts = {}) {
  const RunResult r = run_both(make_program(code, {0}, 0x1000), opts);
  INFO(r.summary());
  REQUIRE(r.status == RunStatus::Faulted);
  REQUIRE(r.fault.has_value());
  return *r.fault;
}

std::vector<std::uint8_t> to_bytes(const std::vector<std::uint32_t>& words) {
  std::vector<std::uint8_t> b(words.size() * 4);
  std::memcpy(b.data(), words.data(), b.size());
  return b;
}

std::uint32_t pc_of(std::size_t index) { return kCodeBase + static_cast<std::uint32_t>(index * 4); }

}  // namespace

TEST_CASE("an illegal instruction faults with its word", "[vm][fault]") {
  const Fault f = fault_of({NOP, 0xffffffff});
  CHECK(f.kind == FaultKind::IllegalInstruction);
  CHECK(f.message() == "fault at pc 0x00010004: illegal instruction 0xffffffff (instruction 0xffffffff)");
}

TEST_CASE("EBREAK, CSR and compressed instructions fault", "[vm][fault]") {
  CHECK(fault_of({0x00100073}).message() == "fault at pc 0x00010000: EBREAK is not supported (instruction 0x00100073)");
  CHECK_THAT(fault_of({0x00101073}).message(), Contains("CSR instruction 0x00101073 is not supported (no CSRs)"));
  const Fault c = fault_of({0x00004501});
  CHECK(c.kind == FaultKind::IllegalInstruction);
  CHECK_THAT(c.message(), Contains("compressed instruction 0x4501 (the C extension is not supported)"));
}

TEST_CASE("a misaligned load faults with the mnemonic and address", "[vm][fault]") {
  std::vector<std::uint32_t> code;
  li(code, t0, 0x42000);
  code.push_back(LW(t1, t0, 2));
  const Fault f = fault_of(code);
  CHECK(f.kind == FaultKind::MisalignedLoad);
  CHECK(f.pc == pc_of(2));
  CHECK(f.addr == 0x42002u);
  CHECK(f.message() == "fault at pc 0x00010008: misaligned LW from 0x00042002 (instruction 0x0022a303: lw t1, 2(t0))");
  code.back() = LH(t1, t0, 1);
  CHECK_THAT(fault_of(code).message(), Contains("misaligned LH from 0x00042001"));
  code.back() = LHU(t1, t0, 3);
  CHECK_THAT(fault_of(code).message(), Contains("misaligned LHU from 0x00042003"));
  code.back() = LB(t1, t0, 3);  // bytes are never misaligned
  code.push_back(0xffffffff);
  CHECK(fault_of(code).kind == FaultKind::IllegalInstruction);
}

TEST_CASE("a misaligned store faults and leaves memory unchanged", "[vm][fault]") {
  std::vector<std::uint32_t> code;
  li(code, t0, kDataBase);
  code.push_back(SW(t0, t0, 6));
  const Fault f = fault_of(code);
  CHECK(f.kind == FaultKind::MisalignedStore);
  CHECK(f.message() == "fault at pc 0x00010008: misaligned SW to 0x00020006 (instruction 0x0052a323: sw t0, 6(t0))");
  code.back() = SH(t0, t0, 1);
  CHECK_THAT(fault_of(code).message(), Contains("misaligned SH to 0x00020001"));
}

TEST_CASE("a jump or taken branch to a target that is not a multiple of 4 faults", "[vm][fault]") {
  std::vector<std::uint32_t> code;
  li(code, t0, kCodeBase + 0x102);
  code.push_back(JALR(ra, t0, 0));
  Fault f = fault_of(code);
  CHECK(f.kind == FaultKind::MisalignedJump);
  CHECK(f.message() ==
        "fault at pc 0x00010008: JALR target 0x00010102 is not a multiple of 4 (instruction 0x000280e7: jalr ra, 0(t0))");
  // JALR clears bit 0 first: 0x...101 -> 0x...100 is fine; 0x...103 -> 0x...102 is not.
  code = {};
  li(code, t0, kCodeBase + 0x103);
  code.push_back(JALR(zero, t0, 0));
  CHECK_THAT(fault_of(code).message(), Contains("JALR target 0x00010102 is not a multiple of 4"));
  CHECK_THAT(fault_of({NOP, JAL(zero, 6)}).message(), Contains("fault at pc 0x00010004: JAL target 0x0001000a"));
  CHECK_THAT(fault_of({BEQ(zero, zero, 2)}).message(), Contains("BEQ target 0x00010002 is not a multiple of 4"));
  // Not taken: no fault, execution continues to the illegal word.
  CHECK(fault_of({BNE(zero, zero, 2), 0xffffffff}).kind == FaultKind::IllegalInstruction);
}

TEST_CASE("loads and stores outside guest memory fault, including the null guard", "[vm][fault]") {
  CHECK(fault_of({LW(t1, zero, 4)}).message() ==
        "fault at pc 0x00010000: LW from 0x00000004 in the null guard below 0x00010000 (instruction 0x00402303: lw t1, 4(zero))");
  std::vector<std::uint32_t> code;
  li(code, t0, 0x10000000);
  code.push_back(LB(t1, t0, 0));
  Fault f = fault_of(code);
  CHECK(f.kind == FaultKind::LoadOutOfBounds);
  CHECK_THAT(f.message(), Contains("LB from 0x10000000 outside guest memory [0x00010000, 0x10000000)"));
  code.back() = SW(t1, t0, -4);  // 0x0ffffffc is the last word: fine
  code.push_back(SB(t1, t0, 0));
  f = fault_of(code);
  CHECK(f.kind == FaultKind::StoreOutOfBounds);
  CHECK(f.pc == pc_of(3));
  CHECK_THAT(f.message(), Contains("SB to 0x10000000 outside guest memory"));
  CHECK_THAT(fault_of({SH(t1, zero, -2)}).message(), Contains("SH to 0xfffffffe outside guest memory"));
  CHECK_THAT(fault_of({SW(t1, zero, 0x100)}).message(), Contains("SW to 0x00000100 in the null guard"));
}

TEST_CASE("fetching an instruction outside guest memory faults at the target pc", "[vm][fault]") {
  Fault f = fault_of({JALR(zero, zero, 0)});
  CHECK(f.kind == FaultKind::FetchOutOfBounds);
  CHECK(f.message() == "fault at pc 0x00000000: instruction fetch from 0x00000000 in the null guard below 0x00010000");
  std::vector<std::uint32_t> code;
  li(code, t0, 0x10000000);
  code.push_back(JALR(zero, t0, 0));
  CHECK(fault_of(code).message() ==
        "fault at pc 0x10000000: instruction fetch from 0x10000000 outside guest memory [0x00010000, 0x10000000)");
}

namespace {
// A JALR to `target` as the program's first instructions.
std::vector<std::uint32_t> jump_to(std::uint32_t target, std::vector<std::uint32_t> tail = {}) {
  std::vector<std::uint32_t> code;
  li(code, t0, target);
  code.push_back(JALR(zero, t0, 0));
  code.insert(code.end(), tail.begin(), tail.end());
  return code;
}
std::string outside_code(std::uint32_t pc) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "fault at pc 0x%08x: instruction fetch from 0x%08x, which is not code (only words of the ELF's "
                "executable segments, as loaded, execute)",
                pc, pc);
  return buf;
}
}  // namespace

TEST_CASE("fetching from guest memory outside the code image faults with no instruction word", "[vm][fault][code]") {
  // Running off the end of the code: the next word is on the code page but
  // is not a code word.
  Fault f = fault_of({NOP});
  CHECK(f.kind == FaultKind::FetchOutsideCode);
  CHECK(f.pc == kCodeBase + 4);
  CHECK(f.addr == kCodeBase + 4);
  CHECK_FALSE(f.insn.has_value());
  CHECK(f.message() == outside_code(kCodeBase + 4));
  // Into the data segment, even where it holds a valid instruction word.
  const std::vector<std::uint32_t> exit_words = {LUI(a7, 0), ADDI(a7, a7, 93), ECALL};
  std::vector<std::uint8_t> data(exit_words.size() * 4);
  std::memcpy(data.data(), exit_words.data(), data.size());
  RunResult r = run_both(make_program(jump_to(kDataBase), data));
  REQUIRE(r.status == RunStatus::Faulted);
  CHECK(r.fault->kind == FaultKind::FetchOutsideCode);
  CHECK(r.fault->message() == outside_code(kDataBase));
  CHECK(r.cycles == 3);
  // Into a page nothing was loaded to (the stack, the heap).
  f = fault_of(jump_to(0x0ffff000));
  CHECK(f.kind == FaultKind::FetchOutsideCode);
  CHECK(f.message() == outside_code(0x0ffff000));
  CHECK(fault_kind_name(FaultKind::FetchOutsideCode) == "fetch outside code");
}

TEST_CASE("the code image is the whole words inside the file bytes of executable segments", "[vm][code]") {
  // Text: 3 words of file bytes, memsz 4 words (the last is zero fill).
  // A second executable segment at 0x30002 with 10 file bytes: only the
  // words at 0x30004 and 0x30008 lie wholly inside them.
  std::vector<std::uint32_t> text = jump_to(0x30004);
  REQUIRE(text.size() == 3);
  Program p = make_program(text);
  p.segments[0].memsz = 16;
  Segment x;
  x.vaddr = 0x30002;
  x.flags = 5;
  const std::uint32_t w1 = ADDI(a0, zero, 7), w2 = JAL(zero, 4);  // a0 := 7, then on to 0x3000c
  std::vector<std::uint8_t> bytes = {0x11, 0x22};
  for (std::uint32_t w : {w1, w2})
    for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<std::uint8_t>(w >> (8 * k)));
  bytes.push_back(0x33), bytes.push_back(0x44);
  x.bytes = bytes;
  x.memsz = 12;
  p.segments.push_back(x);
  // A data (R+W) segment holding instruction words contributes none.
  Segment d;
  d.vaddr = kDataBase, d.flags = 6, d.bytes = {0x13, 0, 0, 0}, d.memsz = 4;
  p.segments.push_back(d);

  const auto words = code_words(p);
  REQUIRE(words.size() == 5);
  CHECK(words[0] == std::pair<std::uint32_t, std::uint32_t>{kCodeBase, text[0]});
  CHECK(words[2] == std::pair<std::uint32_t, std::uint32_t>{kCodeBase + 8, text[2]});
  CHECK(words[3] == std::pair<std::uint32_t, std::uint32_t>{0x30004, w1});
  CHECK(words[4] == std::pair<std::uint32_t, std::uint32_t>{0x30008, w2});

  // 0x30004 and 0x30008 execute; 0x3000c (two file bytes of a partial word
  // and zero fill) does not.
  RunResult r = run_both(p);
  REQUIRE(r.status == RunStatus::Faulted);
  CHECK(r.fault->message() == outside_code(0x3000c));
  CHECK(r.regs[a0] == 7);
  // The partial word before 0x30004, and the zero-filled word of the text.
  p.segments[0].bytes = to_bytes(jump_to(0x30000));
  r = run_both(p);
  REQUIRE(r.status == RunStatus::Faulted);
  CHECK(r.fault->message() == outside_code(0x30000));
  p.segments[0].bytes = to_bytes(jump_to(kCodeBase + 12));
  r = run_both(p);
  REQUIRE(r.status == RunStatus::Faulted);
  CHECK(r.fault->message() == outside_code(kCodeBase + 12));
}

TEST_CASE("an unknown syscall number faults, including unassigned project numbers", "[vm][fault]") {
  std::vector<std::uint32_t> code;
  li(code, a7, 12);
  code.push_back(ECALL);
  Fault f = fault_of(code);
  CHECK(f.kind == FaultKind::BadSyscall);
  CHECK(f.message() == "fault at pc 0x00010008: unknown syscall number 12 (0x0000000c) in a7 (instruction 0x00000073: ecall)");
  code = {};
  li(code, a7, 0x10ff);
  code.push_back(ECALL);
  CHECK_THAT(fault_of(code).message(), Contains("unknown syscall number 4351 (0x000010ff)"));
}

TEST_CASE("read from an fd other than 0 faults", "[vm][fault]") {
  std::vector<std::uint32_t> code;
  li(code, a0, 1);
  li(code, a1, kDataBase);
  li(code, a2, 4);
  li(code, a7, kSysRead);
  code.push_back(ECALL);
  const Fault f = fault_of(code);
  CHECK(f.kind == FaultKind::BadReadFd);
  CHECK_THAT(f.message(), Contains("read from fd 1 (only fd 0, the private input, can be read)"));
}

TEST_CASE("write to an fd other than 1, 2 or 3 faults", "[vm][fault]") {
  for (std::uint32_t fd : {0u, 4u, 0xffffffffu}) {
    std::vector<std::uint32_t> code;
    li(code, a0, fd);
    li(code, a1, kDataBase);
    li(code, a2, 4);
    li(code, a7, kSysWrite);
    code.push_back(ECALL);
    const Fault f = fault_of(code);
    CHECK(f.kind == FaultKind::BadWriteFd);
    CHECK_THAT(f.message(), Contains("write to fd " + std::to_string(static_cast<std::int32_t>(fd)) +
                                     " (only fd 1 stdout, 2 stderr and 3 journal can be written)"));
  }
}

TEST_CASE("a syscall buffer not wholly inside guest memory faults", "[vm][fault]") {
  const auto call = [](std::uint32_t num, std::uint32_t fd, std::uint32_t buf, std::uint32_t len) {
    std::vector<std::uint32_t> code;
    li(code, a0, fd);
    li(code, a1, buf);
    li(code, a2, len);
    li(code, a7, num);
    code.push_back(ECALL);
    return code;
  };
  RunOptions with_input;
  with_input.input.assign(64, 1);
  Fault f = fault_of(call(kSysWrite, 1, 0x0ffffff0, 0x20));
  CHECK(f.kind == FaultKind::SyscallBuffer);
  CHECK_THAT(f.message(),
             Contains("write buffer [0x0ffffff0, 0x10000010) is not inside guest memory [0x00010000, 0x10000000)"));
  CHECK_THAT(fault_of(call(kSysRead, 0, 0x100, 8), with_input).message(),
             Contains("read buffer [0x00000100, 0x00000108) is not inside guest memory"));
  // The whole buffer counts, even past the end of the input.
  CHECK(fault_of(call(kSysRead, 0, 0x0ffffff0, 0x20), with_input).kind == FaultKind::SyscallBuffer);
  CHECK_THAT(fault_of(call(kSysWrite, 3, 0xfffffff0, 0x20)).message(), Contains("[0xfffffff0, 0x100000010)"));
}

TEST_CASE("the cycle limit ends a runaway guest with a clear error", "[vm][fault]") {
  RunOptions opts;
  opts.max_cycles = 1000;
  const RunResult r = run_both(make_program({NOP, JAL(zero, -4)}), opts);
  CHECK(r.status == RunStatus::CycleLimit);
  CHECK(r.cycles == 1000);
  CHECK(r.summary() == "cycle limit reached: 1000 cycles executed without exit (pc 0x00010000)");
}

TEST_CASE("a guest that exits exactly at the cycle limit exits normally", "[vm][fault]") {
  std::vector<std::uint32_t> code;
  sys_exit(code, 5);  // 5 instructions
  RunOptions opts;
  opts.max_cycles = 5;
  RunResult r = run_both(make_program(code), opts);
  CHECK(r.status == RunStatus::Exited);
  CHECK(r.exit_code == 5);
  opts.max_cycles = 4;
  r = run_both(make_program(code), opts);
  CHECK(r.status == RunStatus::CycleLimit);
}

TEST_CASE("the cycle limit is exact for long runs that switch to the exact executor near the limit", "[vm][fault]") {
  // Limits above the soft margin: the fast instance stops short of the
  // limit and the exact instance (re-pointing the decoded slots at its own
  // handlers) finishes. The loop spans a page boundary to exercise both.
  std::vector<std::uint32_t> code(1020, NOP);
  for (int i = 0; i < 8; ++i) code.push_back(NOP);
  code.push_back(JAL(zero, -static_cast<std::int32_t>(code.size() * 4)));
  for (std::uint64_t limit : {std::uint64_t{5000}, std::uint64_t{100003}, std::uint64_t{1234567}}) {
    RunOptions opts;
    opts.max_cycles = limit;
    const RunResult r = run_both(make_program(code), opts);
    CHECK(r.status == RunStatus::CycleLimit);
    CHECK(r.cycles == limit);
    CHECK(r.pc == kCodeBase + 4 * static_cast<std::uint32_t>(limit % code.size()));
  }
  // An exit exactly at a large limit still exits.
  std::vector<std::uint32_t> prog(3000, NOP);
  sys_exit(prog, 4);
  RunOptions opts;
  opts.max_cycles = prog.size();
  RunResult r = run_both(make_program(prog), opts);
  CHECK(r.status == RunStatus::Exited);
  CHECK(r.exit_code == 4);
  opts.max_cycles = prog.size() - 1;
  r = run_both(make_program(prog), opts);
  CHECK(r.status == RunStatus::CycleLimit);
  CHECK(r.cycles == prog.size() - 1);
}
