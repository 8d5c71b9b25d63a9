// One assembly test per RV32IM instruction (asm/<name>.S, names from the ISA
// table), each run under the emulator (fast and traced) and under
// qemu-riscv32 as the oracle; both must exit 0. A missing qemu or a missing
// ELF fails the test, never skips it.
#include "zkvm/vm/machine.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/wait.h>

using namespace zkvm::vm;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string elf_path(const std::string& name) { return std::string(ZKVM_VM_ASM_ELF_DIR) + "/" + name + ".elf"; }

int qemu_exit_code(const std::string& elf) {
  const std::string qemu = ZKVM_QEMU_RISCV32;
  if (qemu.empty()) FAIL("qemu-riscv32 was not found at configure time; it is the oracle for these tests");
  const std::string cmd = "'" + qemu + "' '" + elf + "' >/dev/null 2>&1";
  const int st = std::system(cmd.c_str());
  REQUIRE(st != -1);
  REQUIRE(WIFEXITED(st));
  return WEXITSTATUS(st);
}

// Runs NAME.elf under both executors and qemu; returns the emulator's code
// after checking that fast, traced and qemu all agree.
std::uint32_t run_everywhere(const std::string& name) {
  const std::string elf = elf_path(name);
  INFO("ELF " << elf);
  REQUIRE(std::filesystem::exists(elf));
  const Program p = load_elf_file(elf);
  const RunResult fast = run(p, {});
  INFO(fast.summary());
  REQUIRE(fast.status == RunStatus::Exited);
  std::uint64_t rows = 0;
  const RunResult traced = run_traced(p, {}, [&](const TraceChunk& c) { rows += c.rows.size(); }, 1000);
  CHECK(traced.status == fast.status);
  CHECK(traced.exit_code == fast.exit_code);
  CHECK(traced.cycles == fast.cycles);
  CHECK(traced.regs == fast.regs);
  CHECK(rows == fast.cycles);
  CHECK(qemu_exit_code(elf) == static_cast<int>(fast.exit_code));
  return fast.exit_code;
}

}  // namespace

#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format)                                            \
  TEST_CASE(#name " passes its assembly test under the emulator and qemu-riscv32", "[vm][asm]") {     \
    const std::string file = lower(#name);                                                            \
    INFO("source " << ZKVM_VM_ASM_SRC_DIR << "/" << file << ".S");                                    \
    REQUIRE(std::filesystem::exists(std::string(ZKVM_VM_ASM_SRC_DIR) + "/" + file + ".S"));           \
    CHECK(run_everywhere(file) == 0);                                                                 \
  }
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN

TEST_CASE("a failing assembly check exits with its number under the emulator and qemu-riscv32", "[vm][asm]") {
  CHECK(run_everywhere("fails_check_3") == 3);
}
