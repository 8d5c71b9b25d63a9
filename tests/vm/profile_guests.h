// Hand-assembled guests with a known call structure for the profiler tests,
// with their symbol tables and the cycles each function must get. Word i of
// `code` is at kCodeBase + 4 i.
#pragma once

#include "vm_test_util.h"

#include <string>
#include <vector>

namespace zkvm::vm::test {

inline constexpr std::uint32_t at(std::uint32_t word) { return kCodeBase + 4 * word; }
// JAL/BEQ from word `from` to word `to`.
inline std::int32_t rel(std::uint32_t from, std::uint32_t to) {
  return 4 * (static_cast<std::int32_t>(to) - static_cast<std::int32_t>(from));
}

// Words 0..6: _start (0..5) calls main (word 6) and exits with 0; main's
// first word saves ra in s1 (a leaf-less main needs no stack).
inline void start_and_main_entry(std::vector<std::uint32_t>& c) {
  c.push_back(JAL(ra, rel(0, 6)));  // 0 _start: call main
  sys_exit(c, 0);                    // 1..5
  c.push_back(ADDI(s1, ra, 0));      // 6 main
}

struct ProfileGuest {
  std::vector<std::uint32_t> code;
  std::vector<SymSpec> symbols;
  std::uint32_t data_memsz = 0;  // RW data page(s) at kDataBase, for a stack
};

// _start calls main and exits. main calls foo twice (foo calls the static
// function leaf through the alternate link register t0), calls bar (which
// tail-calls baz, a symbol without a size), then calls code that no symbol
// covers. A weak alias names main's address too.
//
//   _start 6 | main 7 | foo 2 x 3 | leaf 2 x 3 | bar 2 | baz 3 | [unknown 0x00010054] 2   = 32 cycles
inline ProfileGuest call_structure_guest() {
  ProfileGuest g;
  auto& c = g.code;
  start_and_main_entry(c);           // 0..6
  c.push_back(JAL(ra, rel(7, 13)));  // 7  call foo
  c.push_back(JAL(ra, rel(8, 13)));  // 8  call foo
  c.push_back(JAL(ra, rel(9, 19)));  // 9  call bar
  c.push_back(JAL(ra, rel(10, 21))); // 10 call the uncovered code
  c.push_back(ADDI(ra, s1, 0));      // 11
  c.push_back(JALR(zero, ra, 0));    // 12 ret
  c.push_back(ADDI(a0, a0, 1));      // 13 foo
  c.push_back(JAL(t0, rel(14, 16))); // 14 call leaf, link in t0
  c.push_back(JALR(zero, ra, 0));    // 15 ret
  c.push_back(ADDI(a1, a1, 1));      // 16 leaf
  c.push_back(ADDI(a1, a1, 1));      // 17
  c.push_back(JALR(zero, t0, 0));    // 18 ret through t0
  c.push_back(ADDI(a2, a2, 1));      // 19 bar
  c.push_back(JAL(zero, rel(20, 23))); // 20 tail call baz
  c.push_back(ADDI(a3, a3, 1));      // 21 no symbol
  c.push_back(JALR(zero, ra, 0));    // 22 ret
  c.push_back(ADDI(a4, a4, 1));      // 23 baz (size 0: runs to the end of .text)
  c.push_back(ADDI(a4, a4, 1));      // 24
  c.push_back(JALR(zero, ra, 0));    // 25 ret
  g.symbols = {
      {"_start", at(0), 24},
      {"main", at(6), 28},
      {"__main_alias", at(6), 28, 2},  // STB_WEAK
      {"foo", at(13), 12},
      {"leaf", at(16), 12, 0},  // STB_LOCAL: a static function
      {"bar", at(19), 8},
      {"baz", at(23), 0},
  };
  return g;
}

inline const char* const kCallStructureFolded =
    "_start 6\n"
    "_start;main 7\n"
    "_start;main;[unknown 0x00010054] 2\n"
    "_start;main;bar 2\n"
    "_start;main;baz 3\n"
    "_start;main;foo 6\n"
    "_start;main;foo;leaf 6\n";

// _start sets sp to the top of a data page, calls rec(depth), exits.
// rec(n): push ra; if n != 0, rec(n - 1); pop ra; ret. Each level with
// n > 0 runs 8 instructions, the innermost (n = 0) 6; _start 10.
inline ProfileGuest recursion_guest(std::uint32_t depth) {
  ProfileGuest g;
  auto& c = g.code;
  li(c, a0, depth);                  // 0, 1
  li(c, sp, kDataBase + 0x10000);    // 2, 3
  c.push_back(JAL(ra, rel(4, 10)));  // 4 call rec
  sys_exit(c, 0);                    // 5..9
  c.push_back(ADDI(sp, sp, -4));     // 10 rec
  c.push_back(SW(ra, sp, 0));        // 11
  c.push_back(BEQ(a0, zero, rel(12, 15)));  // 12
  c.push_back(ADDI(a0, a0, -1));     // 13
  c.push_back(JAL(ra, rel(14, 10))); // 14 call rec
  c.push_back(LW(ra, sp, 0));        // 15
  c.push_back(ADDI(sp, sp, 4));      // 16
  c.push_back(JALR(zero, ra, 0));    // 17 ret
  g.symbols = {{"_start", at(0), 40}, {"rec", at(10), 32}};
  g.data_memsz = 0x10000;
  return g;
}

// main calls a; a tail-calls b with JAL x0; b tail-calls c with JALR x0
// through t1; c returns straight to main.
//   _start 6 | main 4 | a 1 | b 3 | c 2   = 16 cycles
inline ProfileGuest tail_call_guest() {
  ProfileGuest g;
  auto& c = g.code;
  start_and_main_entry(c);           // 0..6
  c.push_back(JAL(ra, rel(7, 10)));  // 7 call a
  c.push_back(ADDI(ra, s1, 0));      // 8
  c.push_back(JALR(zero, ra, 0));    // 9 ret
  c.push_back(JAL(zero, rel(10, 11))); // 10 a: tail call b
  c.push_back(LUI(t1, at(14) >> 12));  // 11 b
  c.push_back(ADDI(t1, t1, static_cast<std::int32_t>(at(14) & 0xfff)));  // 12
  c.push_back(JALR(zero, t1, 0));    // 13 tail call c
  c.push_back(ADDI(a0, a0, 1));      // 14 c
  c.push_back(JALR(zero, ra, 0));    // 15 ret to main
  g.symbols = {{"_start", at(0), 24}, {"main", at(6), 16}, {"a", at(10), 4}, {"b", at(11), 12}, {"c", at(14), 8}};
  return g;
}

inline std::vector<std::uint8_t> profile_guest_elf(const ProfileGuest& g, SymtabLayout* layout = nullptr) {
  ElfSpec s;
  Phdr text;
  text.vaddr = kCodeBase;
  text.payload.resize(g.code.size() * 4);
  std::memcpy(text.payload.data(), g.code.data(), text.payload.size());
  text.filesz = text.memsz = static_cast<std::uint32_t>(text.payload.size());
  s.phdrs.push_back(text);
  if (g.data_memsz) {
    Phdr d;
    d.vaddr = kDataBase;
    d.flags = 6;
    d.memsz = g.data_memsz;
    s.phdrs.push_back(d);
  }
  std::vector<std::uint8_t> b = build_elf(s);
  const SymtabLayout l = add_symtab(b, g.symbols);
  if (layout) *layout = l;
  return b;
}

}  // namespace zkvm::vm::test
