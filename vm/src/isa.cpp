// Decoder and disassembler, both driven by the one table in isa/rv32im.inc.
#include "zkvm/vm/isa.h"

#include <array>
#include <cstdio>

namespace zkvm::vm {
namespace {

struct Row {
  std::string_view name;
  std::uint32_t opcode;
  int funct3;
  int funct7;
  Format format;
};

constexpr std::array<Row, kNumInsns> kRows = {{
#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format) \
  {#name, opcode, funct3, funct7, Format::format},
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN
}};

constexpr std::array<std::string_view, 32> kRegNames = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

std::int32_t imm_i(std::uint32_t w) { return static_cast<std::int32_t>(w) >> 20; }
std::int32_t imm_s(std::uint32_t w) {
  return (static_cast<std::int32_t>(w & 0xfe000000u) >> 20) | static_cast<std::int32_t>((w >> 7) & 0x1f);
}
std::int32_t imm_b(std::uint32_t w) {
  return (static_cast<std::int32_t>(w & 0x80000000u) >> 19) | static_cast<std::int32_t>(((w >> 7) & 1) << 11) |
         static_cast<std::int32_t>(((w >> 25) & 0x3f) << 5) | static_cast<std::int32_t>(((w >> 8) & 0xf) << 1);
}
std::int32_t imm_j(std::uint32_t w) {
  return (static_cast<std::int32_t>(w & 0x80000000u) >> 11) | static_cast<std::int32_t>(w & 0xff000u) |
         static_cast<std::int32_t>(((w >> 20) & 1) << 11) | static_cast<std::int32_t>(((w >> 21) & 0x3ff) << 1);
}

Op match(std::uint32_t w) {
  if ((w & 3) != 3) return Op::ILLEGAL;  // 16-bit (compressed) encoding
  const std::uint32_t opc = w & 0x7f, f3 = (w >> 12) & 7, f7 = w >> 25;
  for (std::size_t i = 0; i < kRows.size(); ++i) {
    const Row& r = kRows[i];
    if (r.opcode != opc) continue;
    if (r.funct3 >= 0 && f3 != static_cast<std::uint32_t>(r.funct3)) continue;
    if (r.funct7 >= 0 && f7 != static_cast<std::uint32_t>(r.funct7)) continue;
    if (r.format == Format::SYS && w != 0x00000073u) continue;  // only ECALL
    return static_cast<Op>(i);
  }
  return Op::ILLEGAL;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

Decoded decode(std::uint32_t w) {
  Decoded d;
  d.word = w;
  d.op = match(w);
  if (d.op == Op::ILLEGAL) return d;
  const unsigned rd = (w >> 7) & 31, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31;
  const auto dest = [](unsigned r) { return r == 0 ? kNoReg : static_cast<std::uint8_t>(r); };
  switch (kRows[static_cast<std::size_t>(d.op)].format) {
    case Format::R:
      d.rd = dest(rd), d.rs1 = static_cast<std::uint8_t>(rs1), d.rs2 = static_cast<std::uint8_t>(rs2);
      break;
    case Format::I:
      d.rd = dest(rd), d.rs1 = static_cast<std::uint8_t>(rs1), d.imm = imm_i(w);
      break;
    case Format::S:
      d.rs1 = static_cast<std::uint8_t>(rs1), d.rs2 = static_cast<std::uint8_t>(rs2), d.imm = imm_s(w);
      break;
    case Format::B:
      d.rs1 = static_cast<std::uint8_t>(rs1), d.rs2 = static_cast<std::uint8_t>(rs2), d.imm = imm_b(w);
      break;
    case Format::U:
      d.rd = dest(rd), d.imm = static_cast<std::int32_t>(w & 0xfffff000u);
      break;
    case Format::J:
      d.rd = dest(rd), d.imm = imm_j(w);
      break;
    case Format::SYS:
      // ECALL reads a7 (call number) and a0, and may write a0: recorded in
      // the trace as rs1 = a7, rs2 = a0, rd = a0 (docs/TRACE.md).
      d.rs1 = 17, d.rs2 = 10, d.rd = 10;
      break;
  }
  if (d.op == Op::FENCE) d.rd = kNoReg, d.rs1 = 0, d.imm = 0;  // fields reserved; no effect
  if (d.op == Op::SLLI || d.op == Op::SRLI || d.op == Op::SRAI) d.imm &= 31;
  return d;
}

std::string_view mnemonic(Op op) {
  const auto i = static_cast<std::size_t>(op);
  if (i < kRows.size()) return kRows[i].name;
  return op == Op::ILLEGAL ? "ILLEGAL" : op == Op::NOT_CODE ? "NOT_CODE" : op == Op::MODIFIED_CODE ? "MODIFIED_CODE" : op == Op::DECODE ? "DECODE" : "PAGE_END";
}

Format format_of(Op op) {
  const auto i = static_cast<std::size_t>(op);
  return i < kRows.size() ? kRows[i].format : Format::SYS;
}

std::string_view reg_name(unsigned r) { return r < 32 ? kRegNames[r] : "?"; }

std::string illegal_reason(std::uint32_t w) {
  if ((w & 0xffff) == 0) return "illegal instruction " + hex32(w);  // all-zero halfword: illegal in every encoding
  if ((w & 3) != 3) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "compressed instruction 0x%04x (the C extension is not supported)", w & 0xffff);
    return buf;
  }
  if (match(w) != Op::ILLEGAL) return {};
  if (w == 0x00100073u) return "EBREAK is not supported";
  if ((w & 0x7f) == 0x73 && ((w >> 12) & 7) != 0) return "CSR instruction " + hex32(w) + " is not supported (no CSRs)";
  if ((w & 0x7f) == 0x73) return "unsupported SYSTEM instruction " + hex32(w);
  return "illegal instruction " + hex32(w);
}

std::string disassemble(std::uint32_t w, std::uint32_t pc) {
  const Op op = match(w);
  if (op == Op::ILLEGAL) return illegal_reason(w);
  std::string name(kRows[static_cast<std::size_t>(op)].name);
  for (char& c : name) c = static_cast<char>(c - 'A' + 'a');
  const auto R = [](unsigned r) { return std::string(reg_name(r & 31)); };
  const unsigned rd = (w >> 7) & 31, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31;
  char buf[96];
  switch (kRows[static_cast<std::size_t>(op)].format) {
    case Format::R:
      return name + " " + R(rd) + ", " + R(rs1) + ", " + R(rs2);
    case Format::I:
      if (op == Op::FENCE) return name;
      if (op == Op::SLLI || op == Op::SRLI || op == Op::SRAI)
        return name + " " + R(rd) + ", " + R(rs1) + ", " + std::to_string(imm_i(w) & 31);
      if ((w & 0x7f) == 0x03 || op == Op::JALR)
        return name + " " + R(rd) + ", " + std::to_string(imm_i(w)) + "(" + R(rs1) + ")";
      return name + " " + R(rd) + ", " + R(rs1) + ", " + std::to_string(imm_i(w));
    case Format::S:
      return name + " " + R(rs2) + ", " + std::to_string(imm_s(w)) + "(" + R(rs1) + ")";
    case Format::B:
      return name + " " + R(rs1) + ", " + R(rs2) + ", " + hex32(pc + static_cast<std::uint32_t>(imm_b(w)));
    case Format::U:
      std::snprintf(buf, sizeof buf, " %s, 0x%05x", R(rd).c_str(), w >> 12);
      return name + buf;
    case Format::J:
      return name + " " + R(rd) + ", " + hex32(pc + static_cast<std::uint32_t>(imm_j(w)));
    case Format::SYS:
      return name;
  }
  return name;
}

}  // namespace zkvm::vm
