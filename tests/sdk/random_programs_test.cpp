// Differential test of the emulator against qemu-riscv32 on random RV32IM
// programs: every ALU and M instruction with random registers and edge
// immediates, loads and stores on a scratch buffer, forward branches and
// jumps, and bounded loops. Each program seeds x1..x31 with random or edge
// values, runs its body, then writes all 31 registers and the scratch
// buffer to the journal (fd 3) and exits with x5's low byte. Seeds are fixed,
// so a failure is reproducible; the failing program's source is kept in the
// build tree (tests/sdk/random/) for debugging.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "process.h"

namespace fs = std::filesystem;
using zkvm::sdktest::RunOutput;

namespace {

constexpr int kBase = 27;     // s11: address of the scratch buffer, never written
constexpr int kCounter = 26;  // s10: loop counter, written only by loop code
constexpr int kScratchBytes = 256;
// The base register points into the middle of the buffer so that loads and
// stores use negative offsets too.
constexpr int kBaseBias = 128;

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  std::string program() {
    out_ << "  .text\n  .globl _start\n_start:\n";
    out_ << "  la x" << kBase << ", scratch+" << kBaseBias << "\n";
    for (int r = 1; r < 32; ++r)
      if (r != kBase) out_ << "  li x" << r << ", " << static_cast<std::int32_t>(value()) << "\n";
    const int items = pick(40, 160);
    for (int i = 0; i < items; ++i) item();
    // Epilogue: dump x1..x31 after the scratch buffer, journal it all, exit.
    const int dump = kScratchBytes - kBaseBias;
    for (int r = 1; r < 32; ++r) out_ << "  sw x" << r << ", " << dump + 4 * (r - 1) << "(x" << kBase << ")\n";
    out_ << "  li a0, 3\n  addi a1, x" << kBase << ", " << -kBaseBias << "\n  li a2, " << kScratchBytes + 31 * 4
         << "\n  li a7, 64\n  ecall\n";
    out_ << "  lw a0, " << dump + 4 * 4 << "(x" << kBase << ")\n  andi a0, a0, 255\n  li a7, 93\n  ecall\n";
    out_ << "  .data\n  .balign 4\nscratch:\n";
    for (int i = 0; i < kScratchBytes / 4; ++i) out_ << "  .word " << static_cast<std::int32_t>(value()) << "\n";
    out_ << "  .space " << 31 * 4 << "\n";
    return out_.str();
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(rng_()); }

  // Register values: edge cases for the M extension and shifts half the time.
  std::uint32_t value() {
    static const std::uint32_t edges[] = {0, 1, 2, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x80000001u,
                                          0xfffffffeu, 31, 32, 0x0000ffffu, 0xffff0000u};
    return pick(0, 1) ? edges[pick(0, std::size(edges) - 1)] : u32();
  }
  int imm12() {
    static const int edges[] = {-2048, -1, 0, 1, 2047, 31, -32};
    return pick(0, 2) == 0 ? edges[pick(0, std::size(edges) - 1)] : pick(-2048, 2047);
  }
  // Any register may be read; writes avoid the base and the loop counter
  // (x0 is allowed: the write must be discarded).
  int rs() { return pick(0, 31); }
  int rd() {
    for (;;) {
      int r = pick(0, 31);
      if (r != kBase && r != kCounter) return r;
    }
  }
  std::string label() { return ".L" + std::to_string(next_label_++); }

  void alu() {
    static const char* rr[] = {"add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
                               "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"};
    static const char* ri[] = {"addi", "slti", "sltiu", "xori", "ori", "andi"};
    static const char* sh[] = {"slli", "srli", "srai"};
    switch (pick(0, 9)) {
      case 0: case 1: case 2: case 3:
        out_ << "  " << rr[pick(0, std::size(rr) - 1)] << " x" << rd() << ", x" << rs() << ", x" << rs() << "\n";
        break;
      case 4: case 5:
        out_ << "  " << ri[pick(0, std::size(ri) - 1)] << " x" << rd() << ", x" << rs() << ", " << imm12() << "\n";
        break;
      case 6:
        out_ << "  " << sh[pick(0, 2)] << " x" << rd() << ", x" << rs() << ", " << pick(0, 31) << "\n";
        break;
      case 7:
        out_ << "  " << (pick(0, 1) ? "lui" : "auipc") << " x" << rd() << ", " << (u32() & 0xfffff) << "\n";
        break;
      case 8: {  // force an M-extension edge case: divisor 0 or -1, or INT_MIN
        static const std::int32_t special[] = {0, -1, INT32_MIN};
        int r = rd();
        out_ << "  li x" << r << ", " << special[pick(0, 2)] << "\n";
        static const char* m[] = {"div", "divu", "rem", "remu", "mulh", "mulhsu"};
        out_ << "  " << m[pick(0, 5)] << " x" << rd() << ", x" << (pick(0, 1) ? r : rs()) << ", x" << r << "\n";
        break;
      }
      default:
        mem();
    }
  }

  void mem() {
    static const char* loads[] = {"lb", "lbu", "lh", "lhu", "lw"};
    static const char* stores[] = {"sb", "sh", "sw"};
    bool load = pick(0, 1);
    int kind = load ? pick(0, 4) : pick(0, 2);
    int size = load ? (kind < 2 ? 1 : kind < 4 ? 2 : 4) : (1 << kind);
    // Naturally aligned and inside the buffer, relative to the biased base.
    int off = pick(0, kScratchBytes / size - 1) * size - kBaseBias;
    if (load)
      out_ << "  " << loads[kind] << " x" << rd() << ", " << off << "(x" << kBase << ")\n";
    else
      out_ << "  " << stores[kind] << " x" << rs() << ", " << off << "(x" << kBase << ")\n";
  }

  void item() {
    switch (pick(0, 19)) {
      case 0: case 1: {  // forward conditional branch over a few instructions
        static const char* br[] = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
        std::string l = label();
        out_ << "  " << br[pick(0, 5)] << " x" << rs() << ", x" << rs() << ", " << l << "\n";
        for (int k = pick(1, 4); k > 0; --k) alu();
        out_ << l << ":\n";
        break;
      }
      case 2: {  // jal / jalr forward; rd receives the return address
        std::string l = label();
        if (pick(0, 1)) {
          out_ << "  jal x" << rd() << ", " << l << "\n";
        } else {
          int t = rd();
          if (t == 0) t = 1;
          // JALR clears bit 0 of rs1 + imm (RISC-V spec 2.5), so offset 1 is a valid jump to l.
          out_ << "  la x" << t << ", " << l << "\n  jalr x" << rd() << ", " << pick(0, 1) << "(x" << t << ")\n";
        }
        for (int k = pick(1, 3); k > 0; --k) alu();
        out_ << l << ":\n";
        break;
      }
      case 3: {  // bounded loop: the counter register is written only here
        std::string l = label();
        out_ << "  li x" << kCounter << ", " << pick(1, 12) << "\n" << l << ":\n";
        for (int k = pick(1, 6); k > 0; --k) alu();
        out_ << "  addi x" << kCounter << ", x" << kCounter << ", -1\n  bnez x" << kCounter << ", " << l << "\n";
        break;
      }
      case 4:
        out_ << "  fence\n";  // a no-op in the guest ABI
        break;
      default:
        alu();
    }
  }

  std::mt19937 rng_;
  std::ostringstream out_;
  int next_label_ = 0;
};

std::string register_diff(const std::string& q, const std::string& z) {
  if (q.size() != z.size()) return "journal sizes differ: qemu " + std::to_string(q.size()) + ", zkvm " + std::to_string(z.size());
  auto word = [](const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
    return v;
  };
  for (std::size_t at = 0; at + 4 <= q.size(); at += 4) {
    if (word(q, at) != word(z, at)) {
      std::ostringstream o;
      if (at >= kScratchBytes)
        o << "x" << (at - kScratchBytes) / 4 + 1;
      else
        o << "scratch[" << at << "]";
      o << ": qemu 0x" << std::hex << word(q, at) << ", zkvm 0x" << word(z, at);
      return o.str();
    }
  }
  return "no difference";
}

}  // namespace

TEST_CASE("random RV32IM programs give the same registers, memory and exit code under qemu and zkvm",
          "[sdk][diff][random]") {
  const fs::path dir = fs::path(ZKVM_SDK_RANDOM_DIR);
  fs::create_directories(dir);
  // 120 by default (a few seconds); ZKVM_SDK_RANDOM_PROGRAMS=N runs seeds 1..N
  // for a longer hunt.
  int programs = 120;
  if (const char* env = std::getenv("ZKVM_SDK_RANDOM_PROGRAMS")) programs = std::max(1, std::atoi(env));
  int differing = 0;
  for (int seed = 1; seed <= programs; ++seed) {
    const std::string stem = "prog_" + std::to_string(seed);
    const fs::path src = dir / (stem + ".S"), obj = dir / (stem + ".o"), elf = dir / (stem + ".elf");
    zkvm::sdktest::write_file(src, Generator(static_cast<std::uint32_t>(seed) * 2654435761u).program());
    const RunOutput as = zkvm::sdktest::run_process(
        {ZKVM_SDK_CLANG, "--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32", "-mno-relax", "-c",
         src.string(), "-o", obj.string()},
        "/dev/null", {}, dir);
    REQUIRE(as.exit_code == 0);
    const RunOutput ld = zkvm::sdktest::run_process(
        {ZKVM_SDK_LLD, "-T", ZKVM_SDK_LINKER_SCRIPT, "-static", obj.string(), "-o", elf.string()}, "/dev/null", {}, dir);
    INFO(ld.stderr_bytes);
    REQUIRE(ld.exit_code == 0);

    zkvm::sdktest::TempDir tmp;
    const RunOutput q = zkvm::sdktest::run_qemu(elf.string(), "", tmp.path());
    const RunOutput z = zkvm::sdktest::run_zkvm(elf.string(), "", tmp.path());
    REQUIRE(q.exit_code == (q.journal.size() >= kScratchBytes + 20 ? static_cast<unsigned char>(q.journal[kScratchBytes + 16]) : -1));
    REQUIRE(q.journal.size() == kScratchBytes + 31 * 4);
    const bool same = q.exit_code == z.exit_code && q.journal == z.journal;
    if (!same) ++differing;
    INFO("program " << src.string() << "\n" << register_diff(q.journal, z.journal) << "\nzkvm stderr: " << z.stderr_bytes);
    CHECK(q.exit_code == z.exit_code);
    CHECK(same);
    if (same) {  // keep only the sources of failing programs
      fs::remove(obj);
      fs::remove(elf);
      fs::remove(src);
    }
  }
  CHECK(differing == 0);
}
