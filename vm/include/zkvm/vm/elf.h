// ELF32 loader for RV32IM guests (guest-abi.md, "Start state" and "Address
// space"). Parses untrusted bytes: every field is bounds-checked before it is
// used or anything is allocated, and each rejection names the problem.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zkvm::vm {

// Guest address space [kGuestBase, kGuestEnd): below kGuestBase is the null
// guard (guest-abi.md, "Address space").
inline constexpr std::uint32_t kGuestBase = 0x0001'0000u;
inline constexpr std::uint32_t kGuestEnd = 0x1000'0000u;

// Largest ELF file the loader accepts: a guest image cannot be larger than
// the address space it has to fit into (plus headers).
inline constexpr std::uint64_t kMaxElfBytes = kGuestEnd + (1u << 20);

class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Segment {
  std::uint32_t vaddr = 0;
  std::uint32_t memsz = 0;
  std::uint32_t flags = 0;          // PF_X = 1, PF_W = 2, PF_R = 4
  std::vector<std::uint8_t> bytes;  // p_filesz bytes; the rest up to memsz is zero
};

struct Program {
  std::uint32_t entry = 0;
  std::vector<Segment> segments;  // PT_LOAD segments with memsz > 0
};

// The code image (guest-abi.md "Address space"; docs/GUEST_ABI.md "Code"):
// the 4-aligned words lying wholly inside the file bytes of a PF_X segment,
// as (address, word), ascending. Instruction fetch reads only these words,
// as loaded, whatever the program later stores there; a fetch anywhere else
// faults (FetchOutsideCode). The emulator and the prover's program table
// both take the executable words from this one definition.
std::vector<std::pair<std::uint32_t, std::uint32_t>> code_words(const Program& p);

// An image word: a 4-aligned word holding at least one file byte (p_filesz)
// of a PT_LOAD segment, with the value the loader puts there (later segments
// over earlier ones; bytes of the word outside every segment's file bytes
// are 0). Nothing for any other word. The prover's image table holds
// exactly these (prover/rv32im/image.cpp build_image).
std::optional<std::uint32_t> image_word(const Program& p, std::uint32_t addr);

// `name` prefixes every error message ("guest.elf: ...").
Program load_elf(std::span<const std::uint8_t> bytes, std::string_view name);
// The whole file, refused (LoadError) if it is larger than kMaxElfBytes.
std::vector<std::uint8_t> read_elf_file(const std::string& path);
// read_elf_file, then load_elf with the path as name.
Program load_elf_file(const std::string& path);

// A defined STT_FUNC symbol of .symtab (local ones too: static functions).
struct FunctionSymbol {
  std::string name;                // raw bytes of the string table entry
  std::uint32_t addr = 0;          // st_value
  std::uint32_t size = 0;          // st_size; 0 when the object file gave none
  std::uint32_t section_end = 0;   // end address of its SHF_ALLOC section, 0 if it has none
  enum Binding : std::uint8_t { Local, Global, Weak } binding = Global;
};

// The function symbols of an ELF32 file, in symbol-table order; empty when
// the file has no section headers or no SHT_SYMTAB (a stripped guest).
// Checks only what it reads (identity, section header table, the symbol
// table and its string table), so it may be called on any file load_elf
// accepted; a malformed table is a LoadError naming the section and entry.
std::vector<FunctionSymbol> load_elf_functions(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace zkvm::vm
