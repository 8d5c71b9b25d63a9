// Decoder and disassembler, checked against the one ISA table.
#include "vm_test_util.h"
#include "zkvm/vm/isa.h"

#include <catch2/catch.hpp>

using namespace zkvm::vm;
using namespace zkvm::vm::test;

namespace {
struct Row {
  const char* name;
  std::uint32_t opcode;
  int funct3, funct7;
  Format format;
};
const Row kTable[] = {
#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format) {#name, opcode, funct3, funct7, Format::format},
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN
};
}  // namespace

TEST_CASE("the ISA table has the 47 RV32IM instructions of the guest ABI", "[vm][isa]") {
  // 40 RV32I instructions minus EBREAK (a fault by the ABI), plus 8 of RV32M.
  CHECK(std::size(kTable) == 47);
  CHECK(kNumInsns == 47);
}

TEST_CASE("every table row decodes from its own encoding to its own op", "[vm][isa]") {
  for (std::size_t i = 0; i < std::size(kTable); ++i) {
    const Row& r = kTable[i];
    std::uint32_t w = r.opcode | (3u << 7) | (4u << 15) | (5u << 20);  // rd=3 rs1=4 rs2/shamt=5
    if (r.funct3 >= 0) w |= static_cast<std::uint32_t>(r.funct3) << 12;
    if (r.funct7 >= 0) w |= static_cast<std::uint32_t>(r.funct7) << 25;
    if (r.format == Format::SYS) w = 0x73;
    INFO(r.name);
    const Decoded d = decode(w);
    CHECK(d.op == static_cast<Op>(i));
    CHECK(mnemonic(d.op) == r.name);
    CHECK(d.word == w);
  }
}

TEST_CASE("decoder extracts sign-extended immediates for every format", "[vm][isa]") {
  CHECK(decode(ADDI(a0, a0, -2048)).imm == -2048);
  CHECK(decode(ADDI(a0, a0, 2047)).imm == 2047);
  CHECK(decode(SW(a0, sp, -4)).imm == -4);
  CHECK(decode(SW(a0, sp, 2047)).imm == 2047);
  CHECK(decode(BEQ(a0, a1, -4096)).imm == -4096);
  CHECK(decode(BEQ(a0, a1, 4094)).imm == 4094);
  CHECK(decode(JAL(ra, -(1 << 20))).imm == -(1 << 20));
  CHECK(decode(JAL(ra, (1 << 20) - 2)).imm == (1 << 20) - 2);
  CHECK(static_cast<std::uint32_t>(decode(LUI(a0, 0xfffff)).imm) == 0xfffff000u);
}

TEST_CASE("decoder maps rd = x0 to the discard register and keeps unused sources at x0", "[vm][isa]") {
  const Decoded d = decode(ADDI(zero, a0, 1));
  CHECK(d.rd == kNoReg);
  CHECK(d.rs2 == 0);
  const Decoded s = decode(SW(a1, a0, 0));
  CHECK(s.rd == kNoReg);
  CHECK(s.rs1 == a0);
  CHECK(s.rs2 == a1);
}

TEST_CASE("EBREAK, CSR, compressed and unknown encodings decode as ILLEGAL with a reason", "[vm][isa]") {
  CHECK(decode(0x00100073).op == Op::ILLEGAL);  // EBREAK
  CHECK(illegal_reason(0x00100073) == "EBREAK is not supported");
  CHECK(decode(0x00101073).op == Op::ILLEGAL);  // csrrw x0, fflags, x0
  CHECK_THAT(illegal_reason(0x00101073), Catch::Contains("CSR instruction 0x00101073 is not supported"));
  CHECK(decode(0x00004501).op == Op::ILLEGAL);  // c.li a0, 0 in the low half
  CHECK_THAT(illegal_reason(0x00004501), Catch::Contains("compressed instruction 0x4501"));
  CHECK(decode(0xffffffff).op == Op::ILLEGAL);
  CHECK(illegal_reason(0xffffffff) == "illegal instruction 0xffffffff");
  CHECK(decode(0x0000100f).op == Op::ILLEGAL);  // FENCE.I (Zifencei) is not in RV32IM
  CHECK(decode(0x00000033 | (0x02u << 25)).op == Op::ILLEGAL);  // OP with unknown funct7
  CHECK(illegal_reason(ADDI(a0, a0, 1)).empty());
}

TEST_CASE("disassembler prints ABI register names and absolute targets", "[vm][isa]") {
  CHECK(disassemble(LW(t0, t0, 2), 0x10000) == "lw t0, 2(t0)");
  CHECK(disassemble(ADDI(a0, sp, -16), 0) == "addi a0, sp, -16");
  CHECK(disassemble(SW(ra, sp, 12), 0) == "sw ra, 12(sp)");
  CHECK(disassemble(BEQ(a0, a1, -8), 0x10010) == "beq a0, a1, 0x00010008");
  CHECK(disassemble(JAL(ra, 0x100), 0x10000) == "jal ra, 0x00010100");
  CHECK(disassemble(LUI(a0, 0x12345), 0) == "lui a0, 0x12345");
  CHECK(disassemble(ECALL, 0) == "ecall");
  CHECK(disassemble(enc_r(1, a2, a1, 4, a0, 0x33), 0) == "div a0, a1, a2");
  CHECK(disassemble(enc_i(0x400 | 3, a1, 5, a0, 0x13), 0) == "srai a0, a1, 3");
}
