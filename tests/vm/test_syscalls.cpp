// System calls (guest-abi.md, "System calls"), memory and run results.
#include "vm_test_util.h"

#include <catch2/catch.hpp>

#include <string>

using namespace zkvm::vm;
using namespace zkvm::vm::test;

namespace {

void call(std::vector<std::uint32_t>& code, std::uint32_t num, std::uint32_t fd, std::uint32_t buf, std::uint32_t len) {
  li(code, a0, fd);
  li(code, a1, buf);
  li(code, a2, len);
  li(code, a7, num);
  code.push_back(ECALL);
}

std::string str(const std::vector<std::uint8_t>& v) { return {v.begin(), v.end()}; }
std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("exit ends the run with the low 8 bits of a0", "[vm][syscall]") {
  std::vector<std::uint32_t> code;
  sys_exit(code, 0x1ff);
  code.push_back(0xffffffff);  // never reached
  const RunResult r = run(make_program(code), {});
  CHECK(r.status == RunStatus::Exited);
  CHECK(r.exit_code == 0xff);
  CHECK(r.cycles == 5);  // the exit ECALL retires
}

TEST_CASE("write sends fd 1 to stdout, fd 2 to stderr and fd 3 to the journal, returning len", "[vm][syscall]") {
  std::vector<std::uint32_t> code;
  call(code, kSysWrite, 1, kDataBase, 5);
  code.push_back(ADDI(s1, a0, 0));
  call(code, kSysWrite, 2, kDataBase + 6, 3);
  call(code, kSysWrite, 3, kDataBase + 10, 4);
  call(code, kSysWrite, 3, kDataBase, 0);  // empty write: fine, returns 0
  sys_exit(code, 0);
  const RunResult r = run(make_program(code, bytes("hello err jrnl")), {});
  REQUIRE(r.status == RunStatus::Exited);
  CHECK(str(r.stdout_bytes) == "hello");
  CHECK(str(r.stderr_bytes) == "err");
  CHECK(str(r.journal) == "jrnl");
  CHECK(r.regs[s1] == 5);
}

TEST_CASE("write passes stdout and stderr to the on_output callback as they happen", "[vm][syscall]") {
  std::vector<std::uint32_t> code;
  call(code, kSysWrite, 2, kDataBase, 2);
  call(code, kSysWrite, 1, kDataBase + 2, 2);
  sys_exit(code, 0);
  std::string seen;
  RunOptions opts;
  opts.on_output = [&](int fd, std::span<const std::uint8_t> b) {
    seen += std::to_string(fd) + ":" + std::string(b.begin(), b.end()) + ";";
  };
  const RunResult r = run(make_program(code, bytes("abcd")), opts);
  CHECK(seen == "2:ab;1:cd;");
  CHECK(r.stdout_bytes.empty());
}

TEST_CASE("read copies the private input in pieces and returns 0 at its end", "[vm][syscall]") {
  std::vector<std::uint32_t> code;
  call(code, kSysRead, 0, kDataBase, 4);
  code.push_back(ADDI(s1, a0, 0));
  call(code, kSysRead, 0, kDataBase + 4, 100);  // asks for more than is left
  code.push_back(ADDI(t2, a0, 0));
  call(code, kSysRead, 0, kDataBase + 200, 8);  // at the end: 0, memory untouched
  code.push_back(ADDI(t1, a0, 0));
  call(code, kSysWrite, 3, kDataBase, 10);
  sys_exit(code, 0);
  RunOptions opts;
  opts.input = bytes("0123456");
  const RunResult r = run(make_program(code, {}, 0x1000), opts);
  REQUIRE(r.status == RunStatus::Exited);
  CHECK(r.regs[s1] == 4);
  CHECK(r.regs[t2] == 3);
  CHECK(r.regs[t1] == 0);
  CHECK(r.journal == std::vector<std::uint8_t>{'0', '1', '2', '3', '4', '5', '6', 0, 0, 0});
}

TEST_CASE("cycle_count (0x1000) returns the cycles retired before the call in a0/a1", "[vm][syscall]") {
  std::vector<std::uint32_t> code = {NOP, NOP, NOP};
  li(code, a7, kSysCycleCount);  // 2 instructions: 5 retired before the ECALL
  code.push_back(ECALL);
  code.push_back(ADDI(s1, a0, 0));
  code.push_back(ADDI(t2, a1, 0));
  li(code, a7, kSysCycleCount);
  code.push_back(ECALL);
  code.push_back(ADDI(a0, zero, 0));
  li(code, a7, kSysExit);
  code.push_back(ECALL);
  const RunResult r = run(make_program(code), {});
  REQUIRE(r.status == RunStatus::Exited);
  CHECK(r.regs[s1] == 5);
  CHECK(r.regs[t2] == 0);
  CHECK(r.cycles == 15);
}

TEST_CASE("writes to x0 are discarded and x0 reads as zero", "[vm][exec]") {
  std::vector<std::uint32_t> code = {ADDI(zero, zero, 5), ADD(t0, zero, zero), LUI(zero, 1), JAL(zero, 4)};
  sys_exit(code, 0);
  const RunResult r = run(make_program(code), {});
  CHECK(r.status == RunStatus::Exited);
  CHECK(r.regs[0] == 0);
  CHECK(r.regs[t0] == 0);
}

TEST_CASE("memory is paged: touching far-apart addresses costs only those pages", "[vm][memory]") {
  std::vector<std::uint32_t> code;
  li(code, t0, 0x0ffffffc);
  code.push_back(SW(t0, t0, 0));  // last word of guest memory
  li(code, t1, 0x08000000);
  code.push_back(LW(t2, t1, 0));  // untouched memory reads as zero
  code.push_back(ADD(a0, t2, zero));
  li(code, a7, kSysExit);
  code.push_back(ECALL);
  const RunResult r = run(make_program(code), {});
  REQUIRE(r.status == RunStatus::Exited);
  CHECK(r.exit_code == 0);
  CHECK(r.pages_touched == std::vector<std::uint32_t>{0x10000, 0x08000000, 0x0ffff000});
}

namespace {
// Two passes over `slot` (ADDI s1, s1, 1). After the first the program
// stores ADDI s1, s1, 100 over it and loads it back into a1; with `restore`
// it then stores the loaded word back before the second pass.
Program patch_program(bool restore, std::size_t* slot_out) {
  std::vector<std::uint32_t> code;
  li(code, t2, 2);                                     // 0,1: loop counter
  const std::size_t slot = code.size();                // 2
  code.push_back(ADDI(s1, s1, 1));
  li(code, t0, ADDI(s1, s1, 100));                     // 3,4
  li(code, t1, kCodeBase + static_cast<std::uint32_t>(slot * 4));  // 5,6
  code.push_back(SW(t0, t1, 0));                       // 7
  code.push_back(LW(a1, t1, 0));                       // 8: loads see the store
  li(code, a2, ADDI(s1, s1, 1));                       // 9,10
  code.push_back(restore ? SW(a2, t1, 0) : NOP);       // 11
  code.push_back(ADDI(t2, t2, -1));                    // 12
  code.push_back(BNE(t2, zero, static_cast<std::int32_t>(slot * 4) - 13 * 4));  // 13: back to slot
  code.push_back(ADD(a0, s1, zero));
  li(code, a7, kSysExit);
  code.push_back(ECALL);
  *slot_out = slot;
  return make_program(code);
}
}  // namespace

TEST_CASE("executing a code word a store has overwritten faults, and restored, it runs again", "[vm][exec][code]") {
  std::size_t slot = 0;
  for (const bool fusion : {true, false}) {
    RunOptions o;
    o.fusion = fusion;
    const RunResult r = run(patch_program(false, &slot), o);
    const std::uint32_t slot_pc = kCodeBase + static_cast<std::uint32_t>(slot * 4);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.fault->kind == FaultKind::ModifiedCode);
    CHECK(r.fault->pc == slot_pc);
    CHECK_FALSE(r.fault->insn.has_value());
    CHECK(r.fault->message() ==
          "fault at pc 0x00010008: instruction fetch from 0x00010008: the code word was overwritten at run time "
          "(memory holds 0x06448493; a code word executes only while it holds its loaded value)");
    CHECK(r.regs[a1] == ADDI(s1, s1, 100));  // the load saw the store
    const RunResult t = run_traced(patch_program(false, &slot), o, [](const TraceChunk&) {});
    CHECK(t.summary() == r.summary());
    CHECK(t.cycles == r.cycles);
    CHECK(fault_kind_name(FaultKind::ModifiedCode) == "modified code");

    const RunResult ok = run(patch_program(true, &slot), o);
    REQUIRE(ok.status == RunStatus::Exited);
    CHECK(ok.exit_code == 2);
    std::vector<TraceRow> rows;
    const RunResult okt = run_traced(patch_program(true, &slot), o,
                                     [&](const TraceChunk& ch) { rows.insert(rows.end(), ch.rows.begin(), ch.rows.end()); });
    CHECK(okt.exit_code == 2);
    int passes = 0;
    for (const TraceRow& row : rows)
      if (row.pc == slot_pc) {
        CHECK(row.insn == ADDI(s1, s1, 1));
        ++passes;
      }
    CHECK(passes == 2);
  }
}

TEST_CASE("a read over an executed code word makes it fault, unless it reads back the loaded word", "[vm][exec][code]") {
  // Two passes over `slot`; between them read(0, slot, 4) writes the input
  // over ADDI s1, s1, 1.
  std::vector<std::uint32_t> code;
  li(code, t2, 2);
  const std::size_t slot = code.size();
  const std::uint32_t slot_addr = kCodeBase + static_cast<std::uint32_t>(slot * 4);
  code.push_back(ADDI(s1, s1, 1));
  call(code, kSysRead, 0, slot_addr, 4);  // the second pass reads 0 bytes
  code.push_back(ADDI(t2, t2, -1));
  code.push_back(BNE(t2, zero, (static_cast<std::int32_t>(slot) - static_cast<std::int32_t>(code.size())) * 4));
  code.push_back(ADD(a0, s1, zero));
  li(code, a7, kSysExit);
  code.push_back(ECALL);
  for (const std::uint32_t patch : {ADDI(s1, s1, 100), ADDI(s1, s1, 1)}) {
    RunOptions opts;
    opts.input.assign(reinterpret_cast<const std::uint8_t*>(&patch), reinterpret_cast<const std::uint8_t*>(&patch) + 4);
    const RunResult r = run(make_program(code), opts);
    const RunResult t = run_traced(make_program(code), opts, [](const TraceChunk&) {});
    CHECK(t.summary() == r.summary());
    if (patch == ADDI(s1, s1, 1)) {
      CHECK(r.exit_code == 2);  // the same word: it still holds its loaded value
    } else {
      REQUIRE(r.status == RunStatus::Faulted);
      CHECK(r.fault->kind == FaultKind::ModifiedCode);
      CHECK(r.fault->pc == slot_addr);
    }
  }
}

TEST_CASE("counting the instruction mix does not change the result", "[vm][exec]") {
  std::vector<std::uint32_t> code = {NOP, NOP, ADD(t0, t0, t0)};
  sys_exit(code, 1);
  RunOptions opts;
  opts.count_mix = true;
  const RunResult r = run(make_program(code), opts);
  CHECK(r.exit_code == 1);
  CHECK(r.mix[static_cast<std::size_t>(Op::ADDI)] == 4);  // 2 NOPs + 2 from the li pairs
  CHECK(r.mix[static_cast<std::size_t>(Op::LUI)] == 2);
  CHECK(r.mix[static_cast<std::size_t>(Op::ADD)] == 1);
  CHECK(r.mix[static_cast<std::size_t>(Op::ECALL)] == 1);
  std::uint64_t total = 0;
  for (auto c : r.mix) total += c;
  CHECK(total == r.cycles);
}
