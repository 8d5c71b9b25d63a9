// The CPU table: one row per executed instruction (cycle), then inert
// padding rows (is_real = 0).
//
// SOUNDNESS contract (bus.h has the tuples):
// - Decode: a real row sends (1, pc, decode fields, sel_const * r, word) on
//   kBusProgram; the program table holds exactly the decoded words of the
//   code image (elf.h code_words), so every flag, register index and
//   immediate of a real row is the decoding of the word at pc (flags are 0/1,
//   one class flag set), and w0..w3 are that word's bytes. Padding rows have
//   every flag 0 (constrained), so all their interactions vanish.
// - Fetch: every real row reads the word cell of pc through kBusMemory and
//   finds w0..w3 there (and leaves them): a word overwritten by a store or a
//   read() cannot be executed until its loaded value is back, which is the
//   emulator's ModifiedCode fault.
// - Registers and memory: four more accesses per row on kBusMemory (rs1 read,
//   rs2 read unless the instruction takes an immediate, the memory slot for
//   loads/stores (and a1 := 0 for the cycle-count call), the rd write when rd
//   != x0). Each consumes (addr, old, t_prev) and produces (addr, new, t)
//   with t - t_prev - 1 = lo + 2^16 hi, lo in U16, hi a byte: t_prev < t, so
//   every read returns the last value written (offline memory checking).
//   x0 is never written, so it reads as its initial 0.
// - a, b (operands) are bytes: they are register values (every value ever
//   produced on kBusMemory is bytes, by induction over the chips) or the
//   immediate (bytes in the program table). Results: the adder's s is
//   range-checked by two pair lookups; ALU-chip results are guaranteed bytes
//   by the chips (kBusAlu); loads select bytes of memory words; constants
//   come from the program table; ecall results pass through the adder
//   with y = 0 and no carries (constrained), so r = s is bytes.
// - Addresses: 0x10000 <= addr < 0x10000000 via U16(16 (s2 + 256 s3 - 1))
//   (s >> 16 >= 1) and a pair lookup of 16 s3 (s3 < 16), on loads and stores;
//   alignment via s0 = 4q + 2 o1 + o0 with q a byte (pair lookup): the word
//   index is exact.
// - Control flow: pc' = npc on every transition into a real row; npc is
//   pc + 4, the branch/JAL target pc + off, or the JALR target s - o0. A
//   target that is not a multiple of 4 or outside the code has no program
//   row, so it cannot be proven (the emulator faults there).
// - Segment (segment.h): the first row is real with pc = the public start
//   pc and clk = 0; real rows are a prefix of the table (padding only after
//   padding). The last real row (followed by padding, or the table's last
//   row) has clk + 1 = the public cycle count, npc = the public end pc, and
//   is the exit call iff the public halted flag is 1; the exit call is never
//   followed by a real row. Its a0 low byte is the public exit code. So a
//   halted segment is a run to exit, any other one a run of exactly
//   `cycles` instructions that hands pc = end pc to the next.
// - Memory tuples and io calls carry the public segment tag (bus.h).
#pragma once

#include <cstdint>

#include "prover/air/air.h"
#include "prover/rv32im/bus.h"

namespace zkvm::rv32im {

// Decode flags, in program-tuple order. Class flags (exactly one per real
// row): ADD..FENCE except LDSX; LDSX, USEIMM and WRITERD qualify them.
enum Flag : size_t {
  kFAdd, kFSub, kFSlt, kFSltu, kFAlu, kFConst, kFJal, kFJalr,
  kFBeq, kFBne, kFBlt, kFBge, kFBltu, kFBgeu,
  kFLdw, kFLdh, kFLdb, kFLdsx, kFStw, kFSth, kFStb,
  kFEcall, kFFence, kFUseImm, kFWriteRd,
  kNumFlags
};

namespace cpu {
// Memory slots of a row, in time order (t = 8 clk + slot + 1): the fetch of
// the instruction word, rs1, rs2, the memory slot, rd (the io table uses
// slots 5-7).
enum Slot : size_t { kSlotFetch, kSlotRs1, kSlotRs2, kSlotMem, kSlotRd, kNumSlots };
enum Col : size_t {
  kIsReal, kPc, kClk, kNpc,
  kRd, kRs1, kRs2, kImm, kOff = kImm + 4, kAluOp,
  kFlags,
  kSysExit = kFlags + kNumFlags, kSysRead, kSysWrite, kSysCycle, kSysDot, kSysSha, kSysDotRom,
  kA, kB = kA + 4, kR = kB + 4,
  kS = kR + 4, kC = kS + 4,
  kSa = kC + 4, kSb, kDs, kLt, kInv, kTaken,
  kO0, kO1, kE, kLb = kE + 4, kHl, kHh, kSg,
  kM, kN = kM + 4, kD = kN + 4,
  kW = kD + 4,  // the instruction word's bytes (program tuple and fetch)
  kTp = kW + 4, kTlo = kTp + kNumSlots, kThi = kTlo + kNumSlots,
  // Degree-2 expressions held in columns so that their bus tuples are
  // linear and the LogUp fractions pair up (circuit version 9): the memory
  // slot's cell and the byte whose top bit sign-extends a load. Two
  // fractions keep a degree-2 tuple (the program tuple's constant result,
  // the scaled s3) and stay single; with an odd count left, a column for
  // either would not save an aux column.
  kMaddr = kThi + kNumSlots, kV,
  kWidth
};
// Public values (segment.h segment_publics): start pc, exit code (halted
// segments), cycles in the segment up to the table's last real row, halted
// (1: ends in exit), end pc (npc of the last row), cycles before the
// segment, segment tag, the first row's clk (0, or for the overflow table
// the main table's cycle count).
enum Pub : size_t {
  kPubStartPc, kPubExitCode, kPubCycles, kPubHalted, kPubEndPc, kPubStartCycle, kPubSeg, kPubStartClk, kNumPublics
};
// Program tuple: 1, pc, rd, rs1, rs2, imm0..3, off, alu_op, flags,
// const0..3, word0..3 (the instruction word's bytes).
inline constexpr size_t kProgramTupleLen = 11 + kNumFlags + 8;
inline constexpr uint32_t kTimeStride = 8;
}  // namespace cpu

inline constexpr uint32_t kInv4 = static_cast<uint32_t>((3ull * field::Fp::kModulus + 1) / 4);

// The CPU table, or its overflow table (circuit version 11): a segment's
// rows past cpu_main_rows(cycles) (segment.h), the same AIR from the public
// first clk on; absent when the main table holds the whole segment.
class CpuAir : public PaddedAir<CpuAir> {
 public:
  explicit CpuAir(bool overflow = false) : overflow_(overflow) {}
  std::string name() const override { return overflow_ ? "rv32im-cpu-x" : "rv32im-cpu"; }
  bool may_be_absent() const override { return overflow_; }
  size_t width() const override { return cpu::kWidth; }
  size_t num_public_values() const override { return cpu::kNumPublics; }
  std::string bus_name(uint32_t bus) const override;

  template <class B>
  void constraints(B& b) const {
    using namespace cpu;
    auto c = [&](size_t i) { return b.main(i); };
    auto f = [&](size_t i) { return b.main(kFlags + i); };
    auto one = b.lit(1);
    auto zero = b.lit(0);
    const auto is_real = c(kIsReal);

    // --- row bookkeeping --------------------------------------------------
    b.assert_bool("is_real is boolean", is_real);
    for (size_t i = 0; i < kNumFlags; ++i) b.assert_zero("padding rows have no flags", (one - is_real) * f(i));
    b.when_first("first row is real", is_real - one);
    b.when_first("first row starts at the start pc", c(kPc) - b.pub(kPubStartPc));
    b.when_first("clk starts at the public first clk", c(kClk) - b.pub(kPubStartClk));
    b.when_transition("clk counts rows", b.main_next(kClk) - c(kClk) - one);
    b.when_transition("a padding row is followed by padding", (one - is_real) * b.main_next(kIsReal));
    b.when_transition("exit is the last real row", c(kSysExit) * b.main_next(kIsReal));
    b.when_transition("pc follows npc", b.main_next(kIsReal) * (b.main_next(kPc) - c(kNpc)));
    {
      // The segment's last real row: followed by padding, or the table's last row.
      const auto end_next = is_real * (one - b.main_next(kIsReal));
      const auto halted = b.pub(kPubHalted);
      b.when_transition("the segment has its public cycle count", end_next * (c(kClk) + one - b.pub(kPubCycles)));
      b.when_transition("the segment ends at its public end pc", end_next * (c(kNpc) - b.pub(kPubEndPc)));
      b.when_transition("the segment ends in exit iff it halts", end_next * (halted - c(kSysExit)));
      b.when_last("the segment has its public cycle count", is_real * (c(kClk) + one - b.pub(kPubCycles)));
      b.when_last("the segment ends at its public end pc", is_real * (c(kNpc) - b.pub(kPubEndPc)));
      b.when_last("the segment ends in exit iff it halts", is_real * (halted - c(kSysExit)));
    }

    // --- decode: the instruction at pc --------------------------------------
    const auto sel_const = f(kFConst) + f(kFJal) + f(kFJalr);
    {
      std::vector<typename B::Expr> t;
      t.reserve(kProgramTupleLen);
      t.push_back(one);
      for (size_t i : {size_t(kPc), size_t(kRd), size_t(kRs1), size_t(kRs2)}) t.push_back(c(i));
      for (size_t i = 0; i < 4; ++i) t.push_back(c(kImm + i));
      t.push_back(c(kOff));
      t.push_back(c(kAluOp));
      for (size_t i = 0; i < kNumFlags; ++i) t.push_back(f(i));
      for (size_t i = 0; i < 4; ++i) t.push_back(sel_const * c(kR + i));
      for (size_t i = 0; i < 4; ++i) t.push_back(c(kW + i));
      b.interact(kBusProgram, std::span<const typename B::Expr>(t), is_real, true);
    }

    const auto ld = f(kFLdw) + f(kFLdh) + f(kFLdb);
    const auto st = f(kFStw) + f(kFSth) + f(kFStb);
    const auto br = f(kFBeq) + f(kFBne) + f(kFBlt) + f(kFBge) + f(kFBltu) + f(kFBgeu);
    const auto ecall = f(kFEcall);

    // --- operands -----------------------------------------------------------
    for (size_t i = 0; i < 4; ++i)
      b.assert_zero("an immediate operand is the immediate", f(kFUseImm) * (c(kB + i) - c(kImm + i)));

    // --- adder: s = X + Y + cin mod 2^32 ---------------------------------------
    // X = a (r on ecall rows, so the call's result is range-checked); Y = b
    // (ADD), ~b with cin = 1 (SUB, compares, branches), imm (address, JALR).
    const auto neg = f(kFSub) + f(kFSlt) + f(kFSltu) + br;
    const auto use_imm_y = ld + st + f(kFJalr);
    for (size_t i = 0; i < 4; ++i) {
      const auto x = c(kA + i) + ecall * (c(kR + i) - c(kA + i));
      const auto y = neg * (b.lit(255) - c(kB + i)) + use_imm_y * c(kImm + i) + f(kFAdd) * c(kB + i);
      const auto carry_in = i == 0 ? neg : c(kC + i - 1);
      b.assert_bool("adder carry is boolean", c(kC + i));
      b.assert_zero("adder byte", x + y + carry_in - c(kS + i) - b.lit(256) * c(kC + i));
    }
    // s0, s1, s2 bytes; s3 a byte, and below 16 on loads, stores and JALR
    // (the pair lookup of 16 s3 there, with the U16 lookup below).
    // The cycle-count call's a0 (r, passed through the adder): 4 r3 < 256, so
    // a0 < 2^30 < p and a0 = start_cycle + clk below is exact.
    const auto s3_scale = one + b.lit(15) * (ld + st + f(kFJalr)) + b.lit(3) * c(kSysCycle);
    b.send(kBusBytePair, {c(kS), c(kS + 1)}, is_real);
    b.send(kBusBytePair, {c(kS + 2), s3_scale * c(kS + 3)}, is_real);
    const auto s_word = c(kS) + b.lit(1u << 8) * c(kS + 1) + b.lit(1u << 16) * c(kS + 2) + b.lit(1u << 24) * c(kS + 3);

    // --- comparisons ------------------------------------------------------------
    // a3 = 128 sa + l with l < 128 (2l is a byte, l an integer: a3 is a byte).
    b.assert_bool("sign of a is boolean", c(kSa));
    b.assert_bool("sign of b is boolean", c(kSb));
    b.send(kBusBytePair,
           {b.lit(2) * (c(kA + 3) - b.lit(128) * c(kSa)), b.lit(2) * (c(kB + 3) - b.lit(128) * c(kSb))}, is_real);
    b.assert_eq("ds = sa xor sb", c(kDs), c(kSa) + c(kSb) - b.lit(2) * c(kSa) * c(kSb));
    // a - b borrows iff a < b (unsigned): c3 = 1 iff a >= b.
    const auto ltu = one - c(kC + 3);
    const auto signed_cmp = f(kFSlt) + f(kFBlt) + f(kFBge);
    b.assert_eq("lt is the (signed) comparison", c(kLt),
                signed_cmp * (c(kDs) * c(kSa) + (one - c(kDs)) * ltu) + (one - signed_cmp) * ltu);
    const auto z = c(kS) + c(kS + 1) + c(kS + 2) + c(kS + 3);  // a - b = 0 iff z = 0 (bytes)
    b.assert_zero("inv is the inverse of z", z * (one - z * c(kInv)));
    b.assert_zero("inv is 0 when z is", c(kInv) * (one - z * c(kInv)));
    const auto eq = one - z * c(kInv);
    b.assert_eq("taken is the branch condition", c(kTaken),
                f(kFBeq) * eq + f(kFBne) * (one - eq) + (f(kFBlt) + f(kFBltu)) * c(kLt) +
                    (f(kFBge) + f(kFBgeu)) * (one - c(kLt)));

    // --- next pc ------------------------------------------------------------------
    b.assert_eq("npc", c(kNpc),
                c(kPc) + b.lit(4) + (c(kTaken) + f(kFJal)) * (c(kOff) - b.lit(4)) +
                    f(kFJalr) * (s_word - c(kO0) - c(kPc) - b.lit(4)));

    // --- memory address: s = 4q + 2 o1 + o0 ----------------------------------------
    b.assert_bool("o0 is boolean", c(kO0));
    b.assert_bool("o1 is boolean", c(kO1));
    const auto q = (c(kS) - b.lit(2) * c(kO1) - c(kO0)) * b.lit(kInv4);
    const auto waddr = q + b.lit(64) * c(kS + 1) + b.lit(1u << 14) * c(kS + 2) + b.lit(1u << 22) * c(kS + 3);
    b.assert_zero("LW/SW are word aligned", (f(kFLdw) + f(kFStw)) * (c(kO0) + c(kO1)));
    b.assert_zero("LH/SH are halfword aligned", (f(kFLdh) + f(kFSth)) * c(kO0));
    // Loads/stores: s >> 16 >= 1 (U16 lookup of 16 (s >> 16) - 16) and s3 < 16
    // (adder): 0x10000 <= s < 0x10000000. JALR: s3 < 16 keeps s_word below p.
    b.send(kBusU16, {b.lit(16) * (c(kS + 2) + b.lit(256) * c(kS + 3) - one)}, ld + st);
    b.assert_eq("e0", c(kE), (one - c(kO0)) * (one - c(kO1)));
    b.assert_eq("e1", c(kE + 1), c(kO0) * (one - c(kO1)));
    b.assert_eq("e2", c(kE + 2), (one - c(kO0)) * c(kO1));
    b.assert_eq("e3", c(kE + 3), c(kO0) * c(kO1));
    b.assert_eq("loaded byte", c(kLb),
                c(kE) * c(kM) + c(kE + 1) * c(kM + 1) + c(kE + 2) * c(kM + 2) + c(kE + 3) * c(kM + 3));
    b.assert_eq("loaded half, low byte", c(kHl), (one - c(kO1)) * c(kM) + c(kO1) * c(kM + 2));
    b.assert_eq("loaded half, high byte", c(kHh), (one - c(kO1)) * c(kM + 1) + c(kO1) * c(kM + 3));
    b.assert_bool("load sign is boolean", c(kSg));
    // v = 128 sg + l, l < 128: sg is the top bit of the loaded byte/half (0 on other rows).
    b.assert_eq("v is the loaded byte or high byte", c(kV), f(kFLdb) * c(kLb) + f(kFLdh) * c(kHh));
    b.send(kBusBytePair, {q, b.lit(2) * (c(kV) - b.lit(128) * c(kSg))}, is_real);

    // --- results ---------------------------------------------------------------
    const auto fill = b.lit(255) * c(kSg) * f(kFLdsx);
    for (size_t i = 0; i < 4; ++i) {
      auto r = c(kR + i);
      b.assert_zero("ADD/SUB result", (f(kFAdd) + f(kFSub)) * (r - c(kS + i)));
      b.assert_zero("SLT/SLTU result", (f(kFSlt) + f(kFSltu)) * (r - (i == 0 ? c(kLt) : zero)));
      b.assert_zero("LW result", f(kFLdw) * (r - c(kM + i)));
      b.assert_zero("LH/LHU result", f(kFLdh) * (r - (i == 0 ? c(kHl) : i == 1 ? c(kHh) : fill)));
      b.assert_zero("LB/LBU result", f(kFLdb) * (r - (i == 0 ? c(kLb) : fill)));
      b.assert_zero("no result without rd", (st + br + f(kFFence)) * r);
      b.assert_zero("exit and sha256_compress leave a0", (c(kSysExit) + c(kSysSha)) * (r - c(kB + i)));
    }
    b.send(kBusAlu,
           {c(kAluOp), c(kA), c(kA + 1), c(kA + 2), c(kA + 3), c(kB), c(kB + 1), c(kB + 2), c(kB + 3), c(kR),
            c(kR + 1), c(kR + 2), c(kR + 3)},
           f(kFAlu));

    // --- stores: the new word ---------------------------------------------------
    for (size_t i = 0; i < 4; ++i) {
      auto n = c(kN + i), m = c(kM + i);
      const auto bh = c(kB + (i & 1));  // SH: rs2's low half goes to half o1
      const auto keep_half = i < 2 ? c(kO1) : one - c(kO1);
      b.assert_zero("SW new word", f(kFStw) * (n - c(kB + i)));
      b.assert_zero("SH new word", f(kFSth) * (n - (keep_half * m + (one - keep_half) * bh)));
      b.assert_zero("SB new word", f(kFStb) * (n - (c(kE + i) * c(kB) + (one - c(kE + i)) * m)));
      b.assert_zero("a load leaves its word", ld * (n - m));
      b.assert_zero("new word only for loads and stores", (one - ld - st) * n);
    }

    // --- ecall ---------------------------------------------------------------------
    const auto sys_exit = c(kSysExit), sys_read = c(kSysRead), sys_write = c(kSysWrite), sys_cycle = c(kSysCycle);
    const auto sys_dot = c(kSysDot), sys_sha = c(kSysSha), sys_dot_rom = c(kSysDotRom);
    constexpr size_t kNumCalls = 7;
    const size_t kSys[kNumCalls] = {kSysExit, kSysRead, kSysWrite, kSysCycle, kSysDot, kSysSha, kSysDotRom};
    for (size_t k : kSys) b.assert_bool("syscall flag is boolean", c(k));
    b.assert_eq("one syscall flag per ecall", sys_exit + sys_read + sys_write + sys_cycle + sys_dot + sys_sha + sys_dot_rom, ecall);
    // a = a7 is the call number (guest-abi.md: any other number faults).
    // The dot4_rom flag covers dot4_rom (0x1003) and dense4_rom (0x1004):
    // a7's low byte is 3 or 4 there, and it tags the call tuple below.
    constexpr uint32_t kNumbers[kNumCalls] = {93, 63, 64, 0x1000, 0x1001, 0x1002, 0x1003};
    for (size_t i = 0; i < 4; ++i) {
      auto e = zero;
      for (size_t k = 0; k < kNumCalls; ++k) {
        const auto d = c(kA + i) - b.lit((kNumbers[k] >> (8 * i)) & 0xff);
        e = e + c(kSys[k]) * (kSys[k] == kSysDotRom && i == 0 ? d * (d - one) : d);
      }
      b.assert_zero("a7 is the call number", e);
    }
    // The call's result r passes through the adder with y = 0 and no carries,
    // so r = s bytewise and every ecall result is bytes.
    for (size_t i = 0; i < 4; ++i) b.assert_zero("an ecall's adder has no carries", ecall * c(kC + i));
    b.assert_zero("exit code is a0's low byte", sys_exit * (c(kB) - b.pub(kPubExitCode)));
    // cycle count: a0 = the global cycle index start_cycle + clk (< 2^30, the
    // adder's scaled range check of r3 above), a1 = 0 (through the memory slot).
    b.assert_zero("cycle count result",
                  sys_cycle * (c(kR) + b.lit(256) * c(kR + 1) + b.lit(1u << 16) * c(kR + 2) + b.lit(1u << 24) * c(kR + 3) -
                               c(kClk) - b.pub(kPubStartCycle)));
    // read/write: fd = a0 (0 for read; the io table checks 1..3 for write).
    for (size_t i = 1; i < 4; ++i) b.assert_zero("fd is a small number", (sys_read + sys_write) * c(kB + i));
    b.assert_zero("read is from fd 0", sys_read * c(kB));
    b.send(kBusIoCall, {c(kClk), sys_read, c(kB), c(kR), c(kR + 1), c(kR + 2), c(kR + 3), b.pub(kPubSeg)},
           sys_read + sys_write);
    // dot4, dot4_rom and dense4_rom: x = a0 (b), the result r goes to a0; the
    // tag a7's low byte (1, 3, 4) names the call (dot.h, dense.h prove it).
    b.send(kBusDotCall,
           {c(kClk), c(kB), c(kB + 1), c(kB + 2), c(kB + 3), c(kR), c(kR + 1), c(kR + 2), c(kR + 3), b.pub(kPubSeg),
            c(kA)},
           sys_dot + sys_dot_rom);
    // sha256_compress: p = a0 (b); sha.h proves the call, a0 is left as it is.
    b.send(kBusShaCall, {c(kClk), c(kB), c(kB + 1), c(kB + 2), c(kB + 3), b.pub(kPubSeg)}, sys_sha);

    // --- memory accesses -------------------------------------------------------------
    const auto t_base = b.lit(kTimeStride) * c(kClk);
    const auto mem_slot = ld + st + sys_cycle;
    b.assert_eq("the memory slot's cell", c(kMaddr), (ld + st) * waddr + sys_cycle * b.lit(11));
    // Fetch: the word cell of pc (pc is 4-aligned: it is a program row's)
    // holds the program's word, read and left as it is. A store over code
    // makes a later fetch of that word unprovable until the word is restored,
    // as the emulator faults (ModifiedCode).
    const typename B::Expr enable[kNumSlots] = {is_real, is_real, is_real - f(kFUseImm), mem_slot, f(kFWriteRd)};
    const typename B::Expr addr[kNumSlots] = {c(kPc) * b.lit(kInv4), c(kRs1), c(kRs2), c(kMaddr), c(kRd)};
    for (size_t k = 0; k < kNumSlots; ++k) {
      const auto t = t_base + b.lit(static_cast<uint32_t>(k + 1));
      const size_t old = k == kSlotFetch ? kW : k == kSlotRs1 ? kA : k == kSlotRs2 ? kB : k == kSlotMem ? kM : kD;
      auto w = [&](size_t i) {  // value written
        if (k == kSlotMem) return c(kN + i);  // loads: m; stores: the new word; cycle count: a1 := 0
        if (k == kSlotRd) return c(kR + i);
        return c(old + i);
      };
      b.receive(kBusMemory, {addr[k], c(old), c(old + 1), c(old + 2), c(old + 3), c(kTp + k), b.pub(kPubSeg)}, enable[k]);
      b.send(kBusMemory, {addr[k], w(0), w(1), w(2), w(3), t, b.pub(kPubSeg)}, enable[k]);
      b.assert_zero("access time is after the previous one",
                    enable[k] * (t - c(kTp + k) - one - c(kTlo + k) - b.lit(1u << 16) * c(kThi + k)));
      b.assert_zero("no previous time without an access", (one - enable[k]) * c(kTp + k));
      b.assert_zero("no time difference without an access", (one - enable[k]) * c(kTlo + k));
      b.assert_zero("no time difference without an access", (one - enable[k]) * c(kThi + k));
      b.send(kBusU16, {c(kTlo + k)}, is_real);
    }
    for (size_t i = 0; i < 4; ++i) {
      b.assert_zero("no old word without a memory access", (one - mem_slot) * c(kM + i));
      b.assert_zero("no old rd value without an rd write", (one - f(kFWriteRd)) * c(kD + i));
    }
    b.send(kBusBytePair, {c(kThi), c(kThi + 1)}, is_real);
    b.send(kBusBytePair, {c(kThi + 2), c(kThi + 3)}, is_real);
    b.send(kBusBytePair, {c(kThi + 4), zero}, is_real);
  }

 private:
  bool overflow_;
};

}  // namespace zkvm::rv32im
