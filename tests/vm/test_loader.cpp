// ELF loader: accepts a well-formed RV32IM executable, rejects every
// malformed or unsupported one with a message naming the problem.
#include "vm_test_util.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace zkvm::vm;
using namespace zkvm::vm::test;
using Catch::Contains;

namespace {
std::string load_error(const std::vector<std::uint8_t>& bytes) {
  try {
    load_elf(bytes, "guest.elf");
  } catch (const LoadError& e) {
    return e.what();
  }
  return "(loaded without error)";
}
std::string load_error(const ElfSpec& s) { return load_error(build_elf(s)); }

Phdr seg(std::uint32_t vaddr, std::uint32_t filesz, std::uint32_t memsz, std::uint32_t flags = 6) {
  Phdr p;
  p.vaddr = vaddr, p.filesz = filesz, p.memsz = memsz, p.flags = flags;
  p.payload.assign(filesz, 0xab);
  return p;
}
}  // namespace

TEST_CASE("loader accepts a valid executable and zero-fills past p_filesz", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(7);
  s.phdrs.push_back(seg(0x20000, 3, 0x2000));
  const Program p = load_elf(build_elf(s), "guest.elf");
  REQUIRE(p.segments.size() == 2);
  CHECK(p.entry == kCodeBase);
  CHECK(p.segments[1].bytes.size() == 3);
  CHECK(p.segments[1].memsz == 0x2000);
  const RunResult r = run(p, {});
  CHECK(r.status == RunStatus::Exited);
  CHECK(r.exit_code == 7);
}

TEST_CASE("loader ignores non-load segments such as notes", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  Phdr note = seg(0, 8, 8);
  note.type = 4;  // PT_NOTE
  s.phdrs.push_back(note);
  CHECK(load_elf(build_elf(s), "guest.elf").segments.size() == 1);
}

TEST_CASE("loader rejects bad magic and truncated headers", "[vm][elf]") {
  CHECK(load_error(std::vector<std::uint8_t>{'M', 'Z', 0, 0, 0}) == "guest.elf: not an ELF file (bad magic)");
  CHECK(load_error(std::vector<std::uint8_t>{}) == "guest.elf: not an ELF file (bad magic)");
  std::vector<std::uint8_t> b = build_elf(exit_elf_spec(0));
  b.resize(40);
  CHECK(load_error(b) == "guest.elf: truncated ELF header (40 bytes, need 52)");
}

TEST_CASE("loader rejects the wrong class, endianness, version and machine", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  s.cls = 2;
  CHECK(load_error(s) == "guest.elf: wrong ELF class: ELF64, need ELF32 (RV32)");
  s = exit_elf_spec(0);
  s.data = 2;
  CHECK(load_error(s) == "guest.elf: wrong endianness: big-endian, need little-endian");
  s = exit_elf_spec(0);
  s.version = 0;
  CHECK(load_error(s) == "guest.elf: bad ELF version 0");
  s = exit_elf_spec(0);
  s.machine = 62;
  CHECK(load_error(s) == "guest.elf: wrong machine 62, need RISC-V (243)");
  s = exit_elf_spec(0);
  s.type = 3;
  CHECK_THAT(load_error(s), Contains("ELF type 3 is not an executable (ET_EXEC)"));
}

TEST_CASE("loader rejects RVC, hardware float ABI and RVE flags", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  s.flags = 0x1;
  CHECK(load_error(s) ==
        "guest.elf: ELF flags 0x00000001 mark compressed instructions (EF_RISCV_RVC); build with -march=rv32im");
  s.flags = 0x2;
  CHECK(load_error(s) == "guest.elf: ELF flags 0x00000002 select a hardware float ABI; build with -mabi=ilp32");
  s.flags = 0x4;
  CHECK_THAT(load_error(s), Contains("select a hardware float ABI"));
  s.flags = 0x8;
  CHECK_THAT(load_error(s), Contains("mark the RV32E ABI"));
}

TEST_CASE("loader rejects a program header table that is missing, malformed or past EOF", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  s.phnum_override = 0;
  CHECK(load_error(s) == "guest.elf: no program headers");
  s = exit_elf_spec(0);
  s.phentsize = 56;
  CHECK(load_error(s) == "guest.elf: program header size 56, need 32");
  s = exit_elf_spec(0);
  s.phnum_override = 1000;
  CHECK_THAT(load_error(s), Contains("program header table [0x00000034, 0x00007d34) runs past the end of the file"));
  s = exit_elf_spec(0);
  s.phoff = 0xfffffff0;  // offset + size overflows 32 bits: must not wrap
  std::vector<std::uint8_t> b = build_elf(exit_elf_spec(0));
  put32(b, 28, 0xfffffff0);
  CHECK_THAT(load_error(b), Contains("program header table [0xfffffff0, 0x100000010) runs past the end of the file"));
}

TEST_CASE("loader rejects a segment whose bytes run past the end of the file", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  Phdr p = seg(0x20000, 16, 16);
  p.fixed_offset = true;
  p.offset = 0x10000;
  s.phdrs.push_back(p);
  CHECK_THAT(load_error(s), Contains("guest.elf: segment 1 file range [0x00010000, 0x00010010) runs past the end of the file"));
  // p_offset + p_filesz wraps around 2^32: still caught.
  s = exit_elf_spec(0);
  p.offset = 0xfffffff0;
  p.filesz = p.memsz = 0x20;
  s.phdrs.push_back(p);
  CHECK_THAT(load_error(s), Contains("segment 1 file range [0xfffffff0, 0x100000010) runs past the end of the file"));
}

TEST_CASE("loader rejects p_filesz larger than p_memsz", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  s.phdrs.push_back(seg(0x20000, 16, 8));
  CHECK(load_error(s) == "guest.elf: segment 1 has p_filesz 0x00000010 larger than p_memsz 0x00000008");
}

TEST_CASE("loader rejects segments outside the guest address space before allocating", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  s.phdrs.push_back(seg(0x20000, 0, 0x100));
  s.phdrs.push_back(seg(0x0fff0000, 0, 0x20000));
  CHECK(load_error(s) ==
        "guest.elf: segment 2 [0x0fff0000, 0x10010000) crosses the top of guest memory (0x10000000)");
  s = exit_elf_spec(0);
  s.phdrs.push_back(seg(0x8000, 4, 4));
  CHECK(load_error(s) == "guest.elf: segment 1 [0x00008000, 0x00008004) starts below the bottom of guest memory (0x00010000)");
  s = exit_elf_spec(0);
  s.phdrs.push_back(seg(0x20000, 0, 0xffff0000));  // 4 GiB of bss: rejected, not allocated
  CHECK_THAT(load_error(s), Contains("segment 1 [0x00020000, 0x100010000) crosses the top of guest memory"));
}

TEST_CASE("loader rejects overlapping segments", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  s.phdrs.push_back(seg(0x20000, 0, 0x2000));
  s.phdrs.push_back(seg(0x21000, 0, 0x10));
  CHECK(load_error(s) ==
        "guest.elf: segment 1 [0x00020000, 0x00022000) overlaps segment 2 [0x00021000, 0x00021010)");
  s = exit_elf_spec(0);
  s.phdrs.push_back(seg(0x10004, 0, 4));  // inside the code segment
  CHECK_THAT(load_error(s), Contains("overlaps segment 1"));
}

TEST_CASE("loader rejects an entry point outside executable memory or misaligned", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  s.phdrs.push_back(seg(0x20000, 8, 8, 6));
  s.entry = 0x20000;  // data segment, not executable
  CHECK(load_error(s) == "guest.elf: entry point 0x00020000 is not inside an executable segment");
  s.entry = 0x90000;
  CHECK(load_error(s) == "guest.elf: entry point 0x00090000 is not inside an executable segment");
  s.entry = kCodeBase + 2;
  CHECK(load_error(s) == "guest.elf: entry point 0x00010002 is not a multiple of 4");
}

TEST_CASE("loader rejects dynamically linked files and files without loadable segments", "[vm][elf]") {
  ElfSpec s = exit_elf_spec(0);
  Phdr interp = seg(0, 4, 4);
  interp.type = 3;  // PT_INTERP
  s.phdrs.push_back(interp);
  CHECK(load_error(s) == "guest.elf: segment 1 asks for dynamic linking; link the guest statically");
  s = exit_elf_spec(0);
  s.phdrs[0].type = 4;
  CHECK(load_error(s) == "guest.elf: no loadable (PT_LOAD) segment");
}

TEST_CASE("load_elf_file names the path of a missing file", "[vm][elf]") {
  CHECK_THROWS_WITH(load_elf_file("/nonexistent/guest.elf"), "/nonexistent/guest.elf: cannot open file (no such file)");
}

TEST_CASE("load_elf_file refuses a directory and a special file by what they are", "[vm][elf]") {
  CHECK_THROWS_WITH(load_elf_file("/tmp"), "/tmp: is a directory, not an ELF file");
  CHECK_THROWS_WITH(load_elf_file("/dev/null"), "/dev/null: is not a regular file (a device, FIFO or socket)");
  CHECK_THROWS_WITH(load_elf_file("/dev/zero"), "/dev/zero: is not a regular file (a device, FIFO or socket)");
}

TEST_CASE("randomly corrupted ELFs are rejected with a LoadError or run to a clean end", "[vm][elf]") {
  // Deterministic corruption (xorshift seed) of a valid test ELF: every
  // variant must either fail to load with a named error or run (with a small
  // cycle limit) to an exit, a fault or the limit. Any crash fails the suite.
  const std::string path = std::string(ZKVM_VM_ASM_ELF_DIR) + "/sw.elf";
  std::vector<std::uint8_t> good;
  {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    good.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::uint32_t seed = 0x9e3779b9u;
  const auto next = [&] {
    seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
    return seed;
  };
  int loaded = 0, rejected = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    std::vector<std::uint8_t> b = good;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      // Mostly the headers (first 256 bytes), sometimes anywhere.
      const std::size_t pos = (next() % 4 == 0) ? next() % b.size() : next() % 256;
      b[pos] = static_cast<std::uint8_t>(next());
    }
    if (next() % 8 == 0) b.resize(next() % b.size());
    try {
      const Program p = load_elf(b, "fuzz.elf");
      RunOptions opts;
      opts.max_cycles = 5000;
      const RunResult r = run(p, opts);
      CHECK((r.status != RunStatus::Faulted || r.fault.has_value()));
      ++loaded;
    } catch (const LoadError& e) {
      CHECK_THAT(std::string(e.what()), Contains("fuzz.elf: "));
      ++rejected;
    }
  }
  CHECK(loaded > 0);
  CHECK(rejected > 0);
}
