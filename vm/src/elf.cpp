// ELF32 loader. Checks, in order: header size and identity (magic, class,
// endianness, version, type, machine), flags (no RVC, no float ABI, no RVE),
// program header table bounds, each segment (file range inside the file,
// filesz <= memsz, memory range inside the guest address space), segment
// overlap, and the entry point (inside an executable segment, 4-aligned).
// The symbol reader (load_elf_functions) checks the identity, the section
// header table's bounds, and the symbol and string tables it reads.
#include "zkvm/vm/elf.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace zkvm::vm {
namespace {

constexpr std::uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr std::uint32_t kPfX = 1;
constexpr std::uint16_t kEmRiscv = 243;
constexpr std::uint32_t kEfRvc = 0x1, kEfFloatAbi = 0x6, kEfRve = 0x8;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
  return buf;
}

struct Reader {
  std::span<const std::uint8_t> b;
  std::uint16_t u16(std::size_t off) const { return static_cast<std::uint16_t>(b[off] | (b[off + 1] << 8)); }
  std::uint32_t u32(std::size_t off) const {
    return static_cast<std::uint32_t>(b[off]) | (static_cast<std::uint32_t>(b[off + 1]) << 8) |
           (static_cast<std::uint32_t>(b[off + 2]) << 16) | (static_cast<std::uint32_t>(b[off + 3]) << 24);
  }
};

// Magic, header size, class, endianness, version: what every reader needs
// before it may read a header field.
template <class Fail>
void check_ident(std::span<const std::uint8_t> bytes, const Fail& fail) {
  const std::uint64_t size = bytes.size();
  if (size < 4 || std::memcmp(bytes.data(), "\x7f" "ELF", 4) != 0) throw fail("not an ELF file (bad magic)");
  if (size < 52) throw fail("truncated ELF header (" + std::to_string(size) + " bytes, need 52)");
  if (bytes[4] != 1)
    throw fail(bytes[4] == 2 ? "wrong ELF class: ELF64, need ELF32 (RV32)"
                             : "wrong ELF class " + std::to_string(bytes[4]) + ", need ELF32 (RV32)");
  if (bytes[5] != 1)
    throw fail(bytes[5] == 2 ? "wrong endianness: big-endian, need little-endian"
                             : "bad ELF data encoding " + std::to_string(bytes[5]) + ", need little-endian");
  if (bytes[6] != 1) throw fail("bad ELF version " + std::to_string(bytes[6]));
}

}  // namespace

Program load_elf(std::span<const std::uint8_t> bytes, std::string_view name_view) {
  const std::string name(name_view);
  const auto fail = [&](const std::string& what) -> LoadError { return LoadError(name + ": " + what); };
  const Reader r{bytes};
  const std::uint64_t size = bytes.size();

  check_ident(bytes, fail);
  const std::uint16_t type = r.u16(16), machine = r.u16(18);
  if (machine != kEmRiscv) throw fail("wrong machine " + std::to_string(machine) + ", need RISC-V (243)");
  if (type != 2)
    throw fail("ELF type " + std::to_string(type) + " is not an executable (ET_EXEC); link the guest statically");
  const std::uint32_t entry = r.u32(24), phoff = r.u32(28), eflags = r.u32(36);
  const std::uint16_t phentsize = r.u16(42), phnum = r.u16(44);
  if (eflags & kEfRvc)
    throw fail("ELF flags " + hex(eflags) + " mark compressed instructions (EF_RISCV_RVC); build with -march=rv32im");
  if (eflags & kEfFloatAbi)
    throw fail("ELF flags " + hex(eflags) + " select a hardware float ABI; build with -mabi=ilp32");
  if (eflags & kEfRve) throw fail("ELF flags " + hex(eflags) + " mark the RV32E ABI; build with -march=rv32im");
  if (phnum == 0) throw fail("no program headers");
  if (phnum == 0xffff) throw fail("too many program headers (PN_XNUM is not supported)");
  if (phentsize != 32) throw fail("program header size " + std::to_string(phentsize) + ", need 32");
  const std::uint64_t ph_end = std::uint64_t{phoff} + std::uint64_t{phnum} * 32;
  if (ph_end > size)
    throw fail("program header table [" + hex(phoff) + ", " + hex(ph_end) + ") runs past the end of the file (" +
               std::to_string(size) + " bytes)");

  struct Seg {
    unsigned index;
    std::uint32_t offset, vaddr, filesz, memsz, flags;
  };
  std::vector<Seg> segs;
  for (unsigned i = 0; i < phnum; ++i) {
    const std::size_t ph = phoff + std::size_t{i} * 32;
    const std::uint32_t ptype = r.u32(ph);
    if (ptype == kPtDynamic || ptype == kPtInterp)
      throw fail("segment " + std::to_string(i) + " asks for dynamic linking; link the guest statically");
    if (ptype != kPtLoad) continue;  // notes, attributes, GNU_STACK: nothing to load
    Seg s{i, r.u32(ph + 4), r.u32(ph + 8), r.u32(ph + 16), r.u32(ph + 20), r.u32(ph + 24)};
    const std::string label = "segment " + std::to_string(i);
    const std::uint64_t file_end = std::uint64_t{s.offset} + s.filesz;
    if (file_end > size)
      throw fail(label + " file range [" + hex(s.offset) + ", " + hex(file_end) + ") runs past the end of the file (" +
                 std::to_string(size) + " bytes)");
    if (s.filesz > s.memsz)
      throw fail(label + " has p_filesz " + hex(s.filesz) + " larger than p_memsz " + hex(s.memsz));
    if (s.memsz == 0) continue;
    const std::uint64_t lo = s.vaddr, hi = lo + s.memsz;
    const std::string range = std::string("[") + hex(lo) + ", " + hex(hi) + ")";
    if (lo < kGuestBase)
      throw fail(label + " " + range + " starts below the bottom of guest memory (" + hex(kGuestBase) + ")");
    if (hi > kGuestEnd)
      throw fail(label + " " + range + " crosses the top of guest memory (" + hex(kGuestEnd) + ")");
    segs.push_back(s);
  }
  if (segs.empty()) throw fail("no loadable (PT_LOAD) segment");

  std::vector<Seg> sorted = segs;
  std::sort(sorted.begin(), sorted.end(), [](const Seg& a, const Seg& b) { return a.vaddr < b.vaddr; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    const Seg& a = sorted[i - 1];
    const Seg& b = sorted[i];
    if (std::uint64_t{a.vaddr} + a.memsz > b.vaddr)
      throw fail("segment " + std::to_string(a.index) + " [" + hex(a.vaddr) + ", " +
                 hex(std::uint64_t{a.vaddr} + a.memsz) + ") overlaps segment " + std::to_string(b.index) + " [" +
                 hex(b.vaddr) + ", " + hex(std::uint64_t{b.vaddr} + b.memsz) + ")");
  }

  bool entry_ok = false;
  for (const Seg& s : segs)
    if ((s.flags & kPfX) && entry >= s.vaddr && std::uint64_t{entry} + 4 <= std::uint64_t{s.vaddr} + s.memsz)
      entry_ok = true;
  if (!entry_ok) throw fail("entry point " + hex(entry) + " is not inside an executable segment");
  if (entry % 4 != 0) throw fail("entry point " + hex(entry) + " is not a multiple of 4");

  Program p;
  p.entry = entry;
  for (const Seg& s : segs) {
    Segment out;
    out.vaddr = s.vaddr;
    out.memsz = s.memsz;
    out.flags = s.flags;
    out.bytes.assign(bytes.begin() + s.offset, bytes.begin() + s.offset + s.filesz);
    p.segments.push_back(std::move(out));
  }
  return p;
}

std::optional<std::uint32_t> image_word(const Program& p, std::uint32_t addr) {
  if (addr & 3) return std::nullopt;
  bool any = false;
  std::uint32_t w = 0;
  for (const Segment& s : p.segments) {
    const std::uint64_t end = std::uint64_t{s.vaddr} + s.bytes.size();
    for (std::uint32_t k = 0; k < 4; ++k) {
      const std::uint64_t b = std::uint64_t{addr} + k;
      if (b < s.vaddr || b >= end) continue;
      any = true;
      w = (w & ~(0xffu << (8 * k))) | (std::uint32_t{s.bytes[b - s.vaddr]} << (8 * k));
    }
  }
  if (!any) return std::nullopt;
  return w;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> code_words(const Program& p) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  for (const Segment& s : p.segments) {
    if ((s.flags & kPfX) == 0) continue;
    const std::uint64_t end = std::uint64_t{s.vaddr} + s.bytes.size();
    for (std::uint64_t a = (std::uint64_t{s.vaddr} + 3) & ~std::uint64_t{3}; a + 4 <= end; a += 4) {
      const std::uint8_t* b = s.bytes.data() + (a - s.vaddr);
      const std::uint32_t w = b[0] | b[1] << 8 | b[2] << 16 | std::uint32_t{b[3]} << 24;
      out.emplace_back(static_cast<std::uint32_t>(a), w);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> read_elf_file(const std::string& path) {
  // A directory opens as a stream whose size reads as 2^63 - 1, and a FIFO
  // or device has no size: only a regular file is an ELF.
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) throw LoadError(path + ": cannot open file (no such file)");
  if (std::filesystem::is_directory(st)) throw LoadError(path + ": is a directory, not an ELF file");
  if (!std::filesystem::is_regular_file(st)) throw LoadError(path + ": is not a regular file (a device, FIFO or socket)");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw LoadError(path + ": cannot open file");
  const std::streamoff len = in.tellg();
  if (len < 0) throw LoadError(path + ": cannot read file");
  if (static_cast<std::uint64_t>(len) > kMaxElfBytes)
    throw LoadError(path + ": file is " + std::to_string(len) + " bytes, larger than any guest image can be");
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(len));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(buf.data()), len)) throw LoadError(path + ": cannot read file");
  return buf;
}

Program load_elf_file(const std::string& path) { return load_elf(read_elf_file(path), path); }

// Section headers are 40 bytes (sh_name, sh_type, sh_flags, sh_addr,
// sh_offset, sh_size, sh_link, sh_info, sh_addralign, sh_entsize); symbols 16
// (st_name, st_value, st_size, st_info, st_other, st_shndx). ELF gABI ch. 4.
std::vector<FunctionSymbol> load_elf_functions(std::span<const std::uint8_t> bytes, std::string_view name_view) {
  constexpr std::uint32_t kShtSymtab = 2, kShtStrtab = 3, kShfAlloc = 2;
  constexpr std::uint8_t kSttFunc = 2;
  constexpr std::uint16_t kShnLoReserve = 0xff00;
  const std::string name(name_view);
  const auto fail = [&](const std::string& what) -> LoadError { return LoadError(name + ": " + what); };
  const Reader r{bytes};
  const std::uint64_t size = bytes.size();
  check_ident(bytes, fail);

  const std::uint32_t shoff = r.u32(32);
  const std::uint16_t shentsize = r.u16(46), shnum = r.u16(48);
  if (shoff == 0) return {};  // no section headers: nothing to read
  if (shnum == 0)
    throw fail("section header count 0 at offset " + hex(shoff) + " (extended section numbering is not supported)");
  if (shentsize != 40) throw fail("section header size " + std::to_string(shentsize) + ", need 40");
  const std::uint64_t sh_end = std::uint64_t{shoff} + std::uint64_t{shnum} * 40;
  if (sh_end > size)
    throw fail("section header table [" + hex(shoff) + ", " + hex(sh_end) + ") runs past the end of the file (" +
               std::to_string(size) + " bytes)");
  const auto sh = [&](unsigned i, unsigned field) { return r.u32(shoff + std::size_t{i} * 40 + field); };
  // [offset, offset + size) of section i's bytes, checked against the file.
  const auto section_bytes = [&](unsigned i, const char* what) {
    const std::uint64_t off = sh(i, 16), len = sh(i, 20), end = off + len;
    if (end > size)
      throw fail(std::string(what) + " (section " + std::to_string(i) + ") [" + hex(off) + ", " + hex(end) +
                 ") runs past the end of the file (" + std::to_string(size) + " bytes)");
    return bytes.subspan(static_cast<std::size_t>(off), static_cast<std::size_t>(len));
  };

  unsigned symtab = 0;
  while (symtab < shnum && sh(symtab, 4) != kShtSymtab) ++symtab;
  if (symtab == shnum) return {};  // stripped
  const std::string label = "symbol table (section " + std::to_string(symtab) + ")";
  if (sh(symtab, 36) != 16) throw fail(label + " entry size " + std::to_string(sh(symtab, 36)) + ", need 16");
  const std::span<const std::uint8_t> syms = section_bytes(symtab, "symbol table");
  if (syms.size() % 16 != 0)
    throw fail(label + " size " + std::to_string(syms.size()) + " is not a multiple of the entry size 16");
  const std::uint32_t link = sh(symtab, 24);
  if (link >= shnum || link == symtab)
    throw fail(label + " links to string table section " + std::to_string(link) + ", which is not a section (" +
               std::to_string(shnum) + " sections)");
  if (sh(link, 4) != kShtStrtab)
    throw fail(label + " links to section " + std::to_string(link) + ", which is not a string table (type " +
               std::to_string(sh(link, 4)) + ")");
  const std::span<const std::uint8_t> strtab = section_bytes(link, "string table");

  std::vector<FunctionSymbol> out;
  const Reader sr{syms};
  for (std::size_t i = 0; i < syms.size() / 16; ++i) {
    const std::size_t o = i * 16;
    const std::uint8_t info = syms[o + 12];
    const std::uint16_t shndx = sr.u16(o + 14);
    if ((info & 0xf) != kSttFunc || shndx == 0) continue;  // not a function, or undefined
    const std::uint32_t name_off = sr.u32(o);
    const std::string sym = label + " entry " + std::to_string(i);
    if (name_off >= strtab.size())
      throw fail(sym + ": name offset " + hex(name_off) + " is outside the string table (" +
                 std::to_string(strtab.size()) + " bytes)");
    const auto* first = strtab.data() + name_off;
    const auto* nul = std::find(first, strtab.data() + strtab.size(), std::uint8_t{0});
    if (nul == strtab.data() + strtab.size()) throw fail(sym + ": name runs past the end of the string table");
    FunctionSymbol f;
    f.name.assign(first, nul);
    f.addr = sr.u32(o + 4);
    f.size = sr.u32(o + 8);
    const unsigned bind = info >> 4;
    f.binding = bind == 0 ? FunctionSymbol::Local : bind == 2 ? FunctionSymbol::Weak : FunctionSymbol::Global;
    if (shndx < kShnLoReserve && shndx < shnum && (sh(shndx, 8) & kShfAlloc)) {
      const std::uint64_t end = std::uint64_t{sh(shndx, 12)} + sh(shndx, 20);
      if (end <= 0xffff'ffffu) f.section_end = static_cast<std::uint32_t>(end);
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace zkvm::vm
