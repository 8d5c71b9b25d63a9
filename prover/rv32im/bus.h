// Buses of the RV32IM AIR: the tuple each carries and who sends and who
// receives it. Every chip file restates the part of this contract it relies
// on. A 32-bit word travels as four little-endian byte limbs w0..w3.
//
// SOUNDNESS (LogUp, docs/STARK.md "LogUp bus"): a bus balances only if the
// multiset of sent tuples equals the multiset of received ones (with
// multiplicities far below p). Every bus carries tuples of one length.
#pragma once

#include <cstdint>
#include <string>

#include "prover/air/air.h"
#include "prover/rv32im/alu.h"
#include "zkvm/vm/isa.h"

namespace zkvm::rv32im {

enum Bus : uint32_t {
  // (x, y): x and y are bytes. Received by the byte table (bytes.h).
  kBusBytePair = 10,
  // (x, y, z): x, y bytes and z = x XOR y. Received by the byte table.
  kBusByteXor = 11,
  // (v): 0 <= v < 2^16. Received by the byte table.
  kBusU16 = 12,
  // (op, a0..a3, b0..b3, r0..r3): r = op(a, b) for the 32-bit words a, b.
  // op is static_cast<uint32_t>(vm::Op) of the register form (AND, OR, XOR,
  // SLL, SRL, SRA, MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU; the CPU
  // sends ANDI as AND with b = the immediate, SLLI as SLL, ...).
  // Sent by the CPU, which guarantees a and b are bytes, and by the
  // dense4_rom call table (dense.h: MULH, SLL, SRA over byte-checked words,
  // image bytes and small constants). Received by the ALU
  // chips, each for its own ops; a receiving chip guarantees that r is bytes
  // and equals the emulator's result (vm/src/executor.h semantics).
  kBusAlu = 13,
  // (1, pc, decode fields..., const result bytes): an instruction of the
  // program (cpu.h kProgramTuple lists the fields). Sent by the CPU once per
  // executed instruction; received by the program table (program.h), whose
  // rows are fixed by the verifying key.
  kBusProgram = 14,
  // (addr, v0..v3, t, seg): in segment seg, memory cell `addr` holds word v
  // since time t. addr: registers 0..31, guest words byte_addr / 4
  // (>= 0x4000, so never a register). Every access consumes (receives) the
  // cell's token and produces (sends) the new one with a later time; the
  // memory table (memory.h) sends each cell the segment touches its initial
  // token (time 0) and receives its final one. Times are local to the
  // segment: 8 clk + slot + 1 with clk the cycle within the segment (cpu.h
  // slots; the io table's accesses, io.h). seg (the segment's public tag, segment.h) keeps the tokens of
  // one segment from meeting another's: the challenges are shared by all
  // segments of a statement (docs/STARK.md "Segmented statements").
  kBusMemory = 15,
  // 16: retired (circuit version 6 and before: the image table served each
  // image word's initial value to the boundary table).
  // (clk, is_read, fd, n0..n3, seg): the read/write ecall at cycle clk of
  // segment seg returns n. Sent by the CPU; received by the io table (io.h).
  kBusIoCall = 17,
  // (pos, byte): journal byte `pos`. Sent by the io table; received as the
  // public boundary terms of the statement (the claimed journal).
  kBusJournal = 18,
  // (addr, v0..v3, s): cell `addr` holds v after segment tag s (s = 0: the
  // initial memory). Between segments (memory.h): the boundary table sends
  // every touched cell's final word (and its initial word with s = 0, when
  // the cell is no image word; the image table sends an image word's); a
  // segment's memory table receives the word it starts from, with a tag
  // below its own, and sends the word it leaves, with its own tag.
  kBusHandoff = 19,
  // (clk, x0..x3, r0..r3, seg, tag): the dot4 (tag 1), dot4_rom (3) or
  // dense4_rom (4) ecall at cycle clk of segment seg with a0 = x returns a0
  // = r; the tag is a7's low byte. Sent by the CPU (r bytes); received by
  // the dot4 call table (dot.h, tags 1 and 3) and the dense4_rom call table
  // (dense.h, tag 4).
  kBusDotCall = 20,
  // (seg, clk, xa, wa, s0..s3, rom): the state of the dot4 call at clk after
  // its groups before word cell xa (running sums s_j). Sent and received by
  // the dot4 call and data tables (dot.h) and the dense4_rom call table
  // (dense.h, rom = 1).
  kBusDotChain = 21,
  // (clk, p0..p3, seg): the sha256_compress ecall at cycle clk of segment seg
  // with a0 = p (the state pointer). Sent by the CPU; received by the call
  // table (sha.h).
  kBusShaCall = 22,
  // (seg, clk, a..h halves, W_0..W_15 halves): a call's input to its first
  // round row. Sent by the call table, received by the round table (sha.h).
  kBusShaInit = 23,
  // (seg, clk, a..h halves): the state after 64 rounds. Sent by the final
  // round row, received by the call table.
  kBusShaFinal = 24,
  // (r, K_r lo, K_r hi, [r = 0], [r = 63]): round constants. Sent by round
  // rows, received by the preprocessed constant table.
  kBusShaConst = 25,
  // (addr, v0..v3): the ELF's loaded word at cell addr (an image word).
  // Sent by dot4_rom data rows for their weights and by dense4_rom call rows
  // for their bias, mult and shift words; received by the image
  // table with its main column as the multiplicity (program.h).
  kBusRom = 26,
  // (lo, hi): [lo, hi) is a maximal range of cells holding no image word
  // (the gap table, program.h GapAir). Sent by boundary rows of cells outside
  // the image (memory.h); received by the gap table.
  kBusGap = 27,
};

// Bus names shared by every RV32IM chip (checker messages; bytes.cpp).
std::string rv32im_bus_name(uint32_t bus);

// An RV32IM table: its trace ends in kZkFreeRows padding rows
// (padded_height, alu.h), which zero knowledge turns into random rows.
template <class D>
class PaddedAir : public air::AirBase<D> {
 public:
  size_t zk_free_rows() const override { return kZkFreeRows; }
};

// A chip table (ALU units, accelerators) that a segment without its
// operations leaves out of the proof (Air::may_be_absent, docs/STARK.md
// "Absent tables"): a trace of padding rows alone satisfies it, as the
// witness's minimum-height traces of unused chips always did.
template <class D>
class ChipAir : public PaddedAir<D> {
 public:
  bool may_be_absent() const override { return true; }
};

// A chip table whose one public value is the segment tag (bus.h tuples
// carry it): the accelerator chips. D defines name(), kWidth and
// constraints().
template <class D>
class SegTaggedAir : public ChipAir<D> {
 public:
  enum Pub : size_t { kPubSeg, kNumPublics };
  size_t width() const override { return D::kWidth; }
  size_t num_public_values() const override { return kNumPublics; }
  std::string bus_name(uint32_t bus) const override { return rv32im_bus_name(bus); }
};

// One access on kBusMemory (offline memory checking, cpu.h): consumes the
// cell's token (cell, old word at columns old..old+3, time at column tp) and
// produces (cell, new word at new_word..new_word+3, time t), with
// t - tp - 1 = lo + 2^16 hi (columns lo, hi) so that tp < t once lo is a U16
// (sent here, with multiplicity `lookup`) and hi a byte (the caller's pair
// lookups). All of it with multiplicity `mult`.
template <class B, class C>
void memory_access(B& b, C c, const typename B::Expr& cell, size_t old, size_t new_word, size_t tp,
                   const typename B::Expr& t, size_t lo, size_t hi, const typename B::Expr& seg,
                   const typename B::Expr& mult, const typename B::Expr& lookup) {
  b.receive(kBusMemory, {cell, c(old), c(old + 1), c(old + 2), c(old + 3), c(tp), seg}, mult);
  b.send(kBusMemory, {cell, c(new_word), c(new_word + 1), c(new_word + 2), c(new_word + 3), t, seg}, mult);
  b.assert_zero("access time is after the previous one", mult * (t - c(tp) - b.lit(1) - c(lo) - b.lit(1u << 16) * c(hi)));
  b.send(kBusU16, {c(lo)}, lookup);
}

// The little-endian word of four byte columns col..col+3.
template <class B, class C>
typename B::Expr word_of_bytes(B& b, C c, size_t col) {
  return c(col) + b.lit(1u << 8) * c(col + 1) + b.lit(1u << 16) * c(col + 2) + b.lit(1u << 24) * c(col + 3);
}

// Tuple length of kBusAlu.
inline constexpr size_t kAluTupleLen = 13;

inline constexpr uint32_t op_id(vm::Op op) { return static_cast<uint32_t>(op); }

}  // namespace zkvm::rv32im
