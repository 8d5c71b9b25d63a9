// Every SDK-built guest contains only RV32IM instructions (guest ABI
// "Instruction set"): no compressed, atomic, float, CSR, EBREAK or unknown
// encodings anywhere in .text, not just on the paths the other tests run.
// A toolchain or flag change (e.g. -march=rv32imac, a multilib mix-up in
// picolibc or libgcc) fails here.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <string>

#include "process.h"

namespace {

// RV32I + M mnemonics and the assembler aliases llvm-objdump prints for them.
const std::set<std::string> kAllowed = {
    "lui", "auipc", "jal", "jalr", "beq", "bne", "blt", "bge", "bltu", "bgeu", "lb", "lh", "lw", "lbu", "lhu",
    "sb", "sh", "sw", "addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai", "add", "sub",
    "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "fence", "ecall",
    "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
    // aliases
    "li", "mv", "j", "jr", "ret", "nop", "not", "neg", "seqz", "snez", "sltz", "sgtz", "beqz", "bnez", "blez",
    "bgez", "bltz", "bgtz", "bgt", "ble", "bgtu", "bleu", "call", "tail"};

}  // namespace

TEST_CASE("SDK-built guests contain only RV32IM instructions", "[sdk][isa]") {
  const std::string elfs[] = {
      std::string(ZKVM_SDK_GUEST_DIR) + "/sdk_guest_printf_formats.elf",
      std::string(ZKVM_SDK_GUEST_DIR) + "/sdk_guest_math64.elf",
      std::string(ZKVM_SDK_GUEST_DIR) + "/sdk_guest_heap.elf",
      std::string(ZKVM_SDK_GUEST_DIR) + "/sdk_guest_cxx_features.elf",
      std::string(ZKVM_SDK_GUEST_DIR) + "/sdk_guest_sha256_vectors.elf",
      ZKVM_SDK_EXAMPLE_HELLO, ZKVM_SDK_EXAMPLE_SORT, ZKVM_SDK_EXAMPLE_SHA256};
  for (const auto& elf : elfs) {
    zkvm::sdktest::TempDir dir;
    const auto r = zkvm::sdktest::run_process({ZKVM_SDK_OBJDUMP, "-d", elf}, "/dev/null", {},
                                              dir.path());
    INFO(elf << "\n" << r.stderr_bytes);
    REQUIRE(r.exit_code == 0);
    std::istringstream lines(r.stdout_bytes);
    std::string line;
    int instructions = 0;
    std::set<std::string> bad;
    while (std::getline(lines, line)) {
      // Instruction lines look like "   10a4c: 13 05 15 00  \taddi\ta0, a0, 1".
      // llvm-objdump prints compressed instructions under their full names
      // ("addi" for c.addi), so the byte count is what tells them apart.
      const auto colon = line.find(':');
      const auto tab = line.find('\t');
      if (colon == std::string::npos || tab == std::string::npos || tab < colon || line.empty() || line[0] != ' ')
        continue;
      std::istringstream raw(line.substr(colon + 1, tab - colon - 1));
      int bytes = 0;
      for (std::string b; raw >> b;) ++bytes;
      std::string mnemonic = line.substr(tab + 1);
      mnemonic = mnemonic.substr(0, mnemonic.find_first_of("\t "));
      ++instructions;
      if (bytes != 4) bad.insert(mnemonic + " (" + std::to_string(bytes) + "-byte encoding)");
      else if (!kAllowed.count(mnemonic)) bad.insert(mnemonic);
    }
    CHECK(instructions > 100);
    CHECK(bad.empty());
    if (!bad.empty()) {
      std::string list;
      for (const auto& m : bad) list += m + " ";
      FAIL_CHECK(elf << ": instructions outside RV32IM: " << list);
    }
  }
}
