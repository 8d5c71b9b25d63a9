// RV32IM decoding and disassembly, generated from isa/rv32im.inc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zkvm::vm {

enum class Format : std::uint8_t { R, I, S, B, U, J, SYS };

// One enumerator per table row, then internal states of a decode-cache
// slot: ILLEGAL (an encoding that is not in the table; executing it faults),
// NOT_CODE (the address is not a word of the code image, elf.h code_words;
// fetching it faults), MODIFIED_CODE (a code word whose memory no longer
// holds its loaded value; fetching it faults), DECODE (slot not decoded yet)
// and PAGE_END (the sentinel after a page's last slot).
enum class Op : std::uint8_t {
#define ZKVM_RV_INSN(name, opcode, funct3, funct7, format) name,
#include "isa/rv32im.inc"
#undef ZKVM_RV_INSN
  ILLEGAL,
  NOT_CODE,
  MODIFIED_CODE,
  DECODE,
  PAGE_END,
};

inline constexpr std::size_t kNumInsns = static_cast<std::size_t>(Op::ILLEGAL);
inline constexpr std::size_t kNumOps = static_cast<std::size_t>(Op::PAGE_END) + 1;

// Register index used for "no destination" and for rd = x0: the executors
// keep a 33rd scratch register so writes to x0 are discarded without a
// branch (guest-abi.md: "writes to it are discarded").
inline constexpr std::uint8_t kNoReg = 32;

// A pre-decoded instruction, cached per address by the executors.
struct Decoded {
  Op op = Op::DECODE;
  std::uint8_t rd = kNoReg;  // kNoReg if none or x0
  std::uint8_t rs1 = 0;      // 0 (reads as zero) if unused
  std::uint8_t rs2 = 0;      // 0 (reads as zero) if unused
  std::int32_t imm = 0;
  std::uint32_t word = 0;
};

Decoded decode(std::uint32_t word);

// Upper-case mnemonic of a table row ("LW"); "ILLEGAL"/"DECODE" otherwise.
std::string_view mnemonic(Op op);
Format format_of(Op op);
// ABI name of register 0..31 ("zero", "ra", "sp", ..., "t6").
std::string_view reg_name(unsigned r);
// Assembly text, e.g. "lw t0, 2(t0)", "beq a0, a1, 0x00010040" (branch and
// jump targets are absolute, computed from pc). Never throws; unknown
// encodings come back as a description ("compressed instruction 0x4501").
std::string disassemble(std::uint32_t word, std::uint32_t pc);
// Why an encoding is not executable: "compressed instruction (C extension
// not supported)", "EBREAK is not supported", ... Empty for valid words.
std::string illegal_reason(std::uint32_t word);

}  // namespace zkvm::vm
