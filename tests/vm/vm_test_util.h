// Helpers for the emulator tests: a tiny RV32IM encoder for hand-built
// programs, and an ELF32 writer for crafting valid and malformed files.
#pragma once

#include "zkvm/vm/elf.h"
#include "zkvm/vm/machine.h"

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace zkvm::vm::test {

// ---- encoder (field layouts from the RISC-V unprivileged spec, ch. 2) ----
inline std::uint32_t enc_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd, unsigned op) {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
inline std::uint32_t enc_i(std::int32_t imm, unsigned rs1, unsigned f3, unsigned rd, unsigned op) {
  return (static_cast<std::uint32_t>(imm) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
inline std::uint32_t enc_s(std::int32_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned op) {
  const auto u = static_cast<std::uint32_t>(imm);
  return ((u >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 31) << 7) | op;
}
inline std::uint32_t enc_b(std::int32_t imm, unsigned rs2, unsigned rs1, unsigned f3) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
         (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7) | 0x63;
}
inline std::uint32_t enc_j(std::int32_t imm, unsigned rd) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) | (((u >> 12) & 0xff) << 12) |
         (rd << 7) | 0x6f;
}
inline std::uint32_t ADDI(unsigned rd, unsigned rs1, std::int32_t imm) { return enc_i(imm, rs1, 0, rd, 0x13); }
inline std::uint32_t ADD(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(0, rs2, rs1, 0, rd, 0x33); }
inline std::uint32_t LUI(unsigned rd, std::uint32_t imm20) { return (imm20 << 12) | (rd << 7) | 0x37; }
inline std::uint32_t LB(unsigned rd, unsigned rs1, std::int32_t imm) { return enc_i(imm, rs1, 0, rd, 0x03); }
inline std::uint32_t LH(unsigned rd, unsigned rs1, std::int32_t imm) { return enc_i(imm, rs1, 1, rd, 0x03); }
inline std::uint32_t LW(unsigned rd, unsigned rs1, std::int32_t imm) { return enc_i(imm, rs1, 2, rd, 0x03); }
inline std::uint32_t LHU(unsigned rd, unsigned rs1, std::int32_t imm) { return enc_i(imm, rs1, 5, rd, 0x03); }
inline std::uint32_t SB(unsigned rs2, unsigned rs1, std::int32_t imm) { return enc_s(imm, rs2, rs1, 0, 0x23); }
inline std::uint32_t SH(unsigned rs2, unsigned rs1, std::int32_t imm) { return enc_s(imm, rs2, rs1, 1, 0x23); }
inline std::uint32_t SW(unsigned rs2, unsigned rs1, std::int32_t imm) { return enc_s(imm, rs2, rs1, 2, 0x23); }
inline std::uint32_t JAL(unsigned rd, std::int32_t imm) { return enc_j(imm, rd); }
inline std::uint32_t JALR(unsigned rd, unsigned rs1, std::int32_t imm) { return enc_i(imm, rs1, 0, rd, 0x67); }
inline std::uint32_t BEQ(unsigned rs1, unsigned rs2, std::int32_t imm) { return enc_b(imm, rs2, rs1, 0); }
inline std::uint32_t BNE(unsigned rs1, unsigned rs2, std::int32_t imm) { return enc_b(imm, rs2, rs1, 1); }
inline constexpr std::uint32_t ECALL = 0x00000073;
inline constexpr std::uint32_t NOP = 0x00000013;

enum Reg : unsigned { zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, t2 = 7, s1 = 9, a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a7 = 17 };

// rd = value, always two instructions (LUI + ADDI) so layouts stay fixed.
inline void li(std::vector<std::uint32_t>& code, unsigned rd, std::uint32_t value) {
  const std::uint32_t hi = (value + 0x800) >> 12;
  code.push_back(LUI(rd, hi & 0xfffff));
  code.push_back(ADDI(rd, rd, static_cast<std::int32_t>(value << 20) >> 20));
}
inline void sys_exit(std::vector<std::uint32_t>& code, std::uint32_t status) {
  li(code, a0, status);
  li(code, a7, kSysExit);
  code.push_back(ECALL);
}

inline constexpr std::uint32_t kCodeBase = 0x10000;
inline constexpr std::uint32_t kDataBase = 0x20000;

// Code at kCodeBase (R+X), entry there; optional data at kDataBase (R+W).
inline Program make_program(const std::vector<std::uint32_t>& code, const std::vector<std::uint8_t>& data = {},
                            std::uint32_t data_memsz = 0) {
  Program p;
  p.entry = kCodeBase;
  Segment text;
  text.vaddr = kCodeBase;
  text.flags = 5;
  text.bytes.resize(code.size() * 4);
  std::memcpy(text.bytes.data(), code.data(), text.bytes.size());
  text.memsz = static_cast<std::uint32_t>(text.bytes.size());
  p.segments.push_back(text);
  if (!data.empty() || data_memsz) {
    Segment d;
    d.vaddr = kDataBase;
    d.flags = 6;
    d.bytes = data;
    d.memsz = std::max<std::uint32_t>(data_memsz, static_cast<std::uint32_t>(data.size()));
    p.segments.push_back(d);
  }
  return p;
}

// ---- ELF32 writer ----
struct Phdr {
  std::uint32_t type = 1, offset = 0, vaddr = 0, filesz = 0, memsz = 0, flags = 5;
  std::vector<std::uint8_t> payload;  // placed after the headers; offset filled in unless fixed_offset
  bool fixed_offset = false;
};

struct ElfSpec {
  std::uint8_t cls = 1, data = 1, version = 1;
  std::uint16_t type = 2, machine = 243, phentsize = 32;
  std::uint32_t entry = kCodeBase, flags = 0;
  std::vector<Phdr> phdrs;
  std::uint32_t phoff = 52;
  std::int32_t phnum_override = -1;
};

inline void put16(std::vector<std::uint8_t>& b, std::size_t off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v), b[off + 1] = static_cast<std::uint8_t>(v >> 8);
}
inline void put32(std::vector<std::uint8_t>& b, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

inline std::vector<std::uint8_t> build_elf(ElfSpec s) {
  std::size_t end = std::size_t{s.phoff} + s.phdrs.size() * 32;
  std::vector<std::uint8_t> b(std::max<std::size_t>(52, end), 0);
  for (Phdr& p : s.phdrs) {
    if (!p.fixed_offset) p.offset = static_cast<std::uint32_t>(b.size());
    b.insert(b.end(), p.payload.begin(), p.payload.end());
  }
  std::memcpy(b.data(), "\x7f" "ELF", 4);
  b[4] = s.cls, b[5] = s.data, b[6] = s.version;
  put16(b, 16, s.type);
  put16(b, 18, s.machine);
  put32(b, 20, 1);
  put32(b, 24, s.entry);
  put32(b, 28, s.phoff);
  put32(b, 36, s.flags);
  put16(b, 40, 52);
  put16(b, 42, s.phentsize);
  put16(b, 44, static_cast<std::uint16_t>(s.phnum_override >= 0 ? s.phnum_override : static_cast<int>(s.phdrs.size())));
  for (std::size_t i = 0; i < s.phdrs.size(); ++i) {
    const Phdr& p = s.phdrs[i];
    const std::size_t o = s.phoff + i * 32;
    put32(b, o, p.type);
    put32(b, o + 4, p.offset);
    put32(b, o + 8, p.vaddr);
    put32(b, o + 12, p.vaddr);
    put32(b, o + 16, p.filesz);
    put32(b, o + 20, p.memsz);
    put32(b, o + 24, p.flags);
    put32(b, o + 28, 4096);
  }
  return b;
}

// ---- section headers and a symbol table, appended to a build_elf() file ----
struct SymSpec {
  std::string name;
  std::uint32_t value = 0, size = 0;
  std::uint8_t bind = 1, type = 2;  // STB_GLOBAL, STT_FUNC
  std::uint16_t shndx = 1;          // .text
};

// Where add_symtab put things, for tests that corrupt them.
struct SymtabLayout {
  std::size_t shoff;                 // section header table; section i's header at shoff + 40 i
  std::size_t symtab_off, strtab_off;
  static constexpr unsigned kText = 1, kSymtab = 2, kStrtab = 3, kShstrtab = 4;
};

// Appends .symtab (null symbol, then `syms`), .strtab, .shstrtab and a
// section header table ([1] .text over the first program header's bytes)
// and points the ELF header at it.
inline SymtabLayout add_symtab(std::vector<std::uint8_t>& b, const std::vector<SymSpec>& syms) {
  const auto get32 = [&](std::size_t off) {
    return static_cast<std::uint32_t>(b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24));
  };
  const std::size_t ph = get32(28);
  SymtabLayout l{};
  std::vector<std::uint8_t> strtab(1, 0), symtab(16, 0);
  for (const SymSpec& s : syms) {
    std::vector<std::uint8_t> e(16, 0);
    put32(e, 0, static_cast<std::uint32_t>(strtab.size()));
    put32(e, 4, s.value);
    put32(e, 8, s.size);
    e[12] = static_cast<std::uint8_t>(s.bind << 4 | s.type);
    put16(e, 14, s.shndx);
    symtab.insert(symtab.end(), e.begin(), e.end());
    strtab.insert(strtab.end(), s.name.begin(), s.name.end());
    strtab.push_back(0);
  }
  static constexpr char kNames[] = "\0.text\0.symtab\0.strtab\0.shstrtab";  // names at 1, 7, 15, 23
  const std::string shstr(kNames, sizeof kNames);
  l.symtab_off = b.size();
  b.insert(b.end(), symtab.begin(), symtab.end());
  l.strtab_off = b.size();
  b.insert(b.end(), strtab.begin(), strtab.end());
  const std::size_t shstr_off = b.size();
  b.insert(b.end(), shstr.begin(), shstr.end());
  while (b.size() % 4) b.push_back(0);
  l.shoff = b.size();
  b.resize(b.size() + 5 * 40, 0);
  const auto section = [&](unsigned i, std::uint32_t name, std::uint32_t type, std::uint32_t flags, std::uint32_t addr,
                           std::size_t off, std::size_t size, std::uint32_t link, std::uint32_t entsize) {
    const std::size_t o = l.shoff + i * 40;
    put32(b, o, name), put32(b, o + 4, type), put32(b, o + 8, flags), put32(b, o + 12, addr);
    put32(b, o + 16, static_cast<std::uint32_t>(off)), put32(b, o + 20, static_cast<std::uint32_t>(size));
    put32(b, o + 24, link), put32(b, o + 36, entsize);
  };
  section(SymtabLayout::kText, 1, 1, 6, get32(ph + 8), get32(ph + 4), get32(ph + 16), 0, 0);  // PROGBITS, AX
  section(SymtabLayout::kSymtab, 7, 2, 0, 0, l.symtab_off, symtab.size(), SymtabLayout::kStrtab, 16);
  section(SymtabLayout::kStrtab, 15, 3, 0, 0, l.strtab_off, strtab.size(), 0, 0);
  section(SymtabLayout::kShstrtab, 23, 3, 0, 0, shstr_off, shstr.size(), 0, 0);
  put32(b, 32, static_cast<std::uint32_t>(l.shoff));
  put16(b, 46, 40);
  put16(b, 48, 5);
  put16(b, 50, SymtabLayout::kShstrtab);
  return l;
}

// A valid one-segment ELF whose code exits with `status`.
inline ElfSpec exit_elf_spec(std::uint32_t status) {
  std::vector<std::uint32_t> code;
  sys_exit(code, status);
  Phdr text;
  text.vaddr = kCodeBase;
  text.payload.resize(code.size() * 4);
  std::memcpy(text.payload.data(), code.data(), text.payload.size());
  text.filesz = text.memsz = static_cast<std::uint32_t>(text.payload.size());
  ElfSpec s;
  s.phdrs.push_back(text);
  return s;
}

}  // namespace zkvm::vm::test
