// The dot4 accelerator (a7 = 0x1001; docs/GUEST_ABI.md "Accelerator calls";
// host reference vm/accel.h): two tables.
//
// DotCallAir ("rv32im-dotcall"): one row per call, then padding.
// DotAir ("rv32im-dot"): one row per group of four k (so K/4 rows per call),
// then padding. A row reads the x word and the four w words of its group and
// adds their 16 products to four running sums.
//
// The CPU row of the call (cpu.h) reads a7 and a0 = x, writes a0 := out0 and
// sends (clk, x0..x3, r0..r3, seg, a7's low byte) on kBusDotCall; r = out0
// passes through its adder, so r0..r3 are bytes (ecall rows have no
// carries). The call row receives the tag 1 (dot4) or 3 (dot4_rom), never
// dense4_rom's 4 (dense.h).
//
// SOUNDNESS (call table, one real row per received call):
// - Register accesses (kBusMemory, offline memory checking as in cpu.h, t -
//   tp - 1 = lo + 2^16 hi with lo U16, hi a byte): a1 (cell 11) at 8 clk + 6
//   reads w and leaves out1; a2 (cell 12) at 8 clk + 7 reads K and leaves
//   out2; a3 (cell 13) at 8 clk + 8 reads anything and leaves out3. The CPU
//   wrote a0 at 8 clk + 5, so the four results land after the call's reads.
// - Arguments (x, w, K bytes by the memory invariant): K2 = K3 = 0, K0 = 4 qk
//   and PAIR(qk, 2 K1): K = 4 qk + 256 K1 < 2^15, a multiple of 4, and the
//   group count nk = qk + 64 K1 = K / 4 exactly. x0 = 4 qx, w0 = 4 qw,
//   PAIR(qx, qw): x, w 4-aligned, and their word cells xa = qx + 2^6 x1 +
//   2^14 x2 + 2^22 x3, wa likewise, exactly.
// - Buffers when nz = [K != 0] (nz = ksum inv, ksum (1 - nz) = 0, inv (1 -
//   nz) = 0, ksum = K0 + K1): U16(16 (x2 + 2^8 x3 - 1)) puts x in [2^16,
//   2^28 + 2^16) (so x is below p); x + K - 1 = Ex with Ex bytes (two PAIRs)
//   and PAIR(16 Ex3, 16 Ew3) (Ex3 < 16): x + K <= 2^28; the same for w with
//   4K bytes (Ew). So [x, x + K) and [w, w + 4K) lie in guest memory, as the
//   emulator requires. With K = 0 nothing is read and E = 0.
// - Chain (kBusDotChain, tuples (seg, clk, xa, wa, s0..s3)): the row sends
//   (seg, clk, xa, wa, 0, 0, 0, 0) and receives (seg, clk, xa + nk, wa + 4
//   nk, acc0..acc3). Each data row receives a state and sends the state with
//   xa + 1, wa + 4 and its products added (below). Along a chain xa rises by
//   exactly 1 per row (xa is a memory cell below 2^27 on every real row, so
//   nothing wraps mod p): the rows of one call (same seg, clk) form a single
//   path of exactly nk rows from the start state to the end state, reading
//   words xa .. xa + nk - 1 and wa .. wa + 4 nk - 1, and acc_j is the exact
//   sum of the call's K products of row j (|acc_j| <= 2^14 K < 2^29).
// - Results: acc_j = R0 + 2^8 R1 + 2^16 R2 + 2^24 (R3 - 2^8 neg_j), neg_j
//   boolean, R bytes (out0: the CPU; out1..3: PAIRs here) and PAIR of
//   4 (R3 - 224 neg_j) (so R3 - 224 neg_j in [0, 64)): the right side is an
//   integer in [-2^29, 2^30), as is acc_j, and p > 1.5 * 2^30, so it equals
//   acc_j exactly and R is acc_j mod 2^32, the emulator's int32.
//
// SOUNDNESS (data rows; the memory bus only ever carries bytes, so the x and
// w bytes read are bytes): x word cell xa at 8 clk + 7, read and left
// unchanged; the w words wa + j (j = 0..3): in DotAir memory reads at 8 clk +
// 8 (distinct cells; x and w may overlap: different times), in DotRomAir
// rom-bus tuples (cell, word) that only the image table receives, so they
// are the ELF's loaded words (bytes too); accN_j = acc_j + sum_i v_i (w_ji
// - 128) on real rows, v_i = x_i - 128 (biased); padding rows have every
// multiplicity 0. A table's chain tuples carry its own tag (kKind: 0 in
// DotAir, 1 in DotRomAir, 2 in DotRomSxAir) and the call row's chain tuples
// the call's, so a dot4_rom call's chain runs through DotRomAir rows only,
// a dot4 call's through DotAir rows, and a dense4_rom call's through the
// table its Q's sx bit names (dense.h).
// - DotRomSxAir (int8 x bytes): v_i = x_i - 256 s_i with s_i boolean and
//   PAIR entries 2 (x_i - 128 s_i) (three PAIRs with the access's hi limb
//   and a 0): x_i - 128 s_i in [0, 128), so s_i is x_i's top bit and v_i the
//   byte as an int8 (a wrong s_i puts 2 (x_i - 128 s_i) outside [0, 256) in
//   the field). |v_i| <= 128 as before, so the sums' bounds hold.
//
// Columns and cost (circuit version 8), per row of 16 MACs:
// - DotAir: 47 main columns and 20 LogUp fractions (chain 2, memory 10, U16
//   5, PAIR 3) in 10 paired aux columns + the running sum: 47 + 44 = 91 base
//   columns, 5.7 per MAC.
// - DotRomAir: 35 main columns and 10 fractions (chain 2, memory 2, U16 1,
//   PAIR 1, rom 4) in 5 paired aux columns + the running sum: 35 + 24 = 59
//   base columns, 3.7 per MAC (before version 8 rom rows were DotAir rows
//   with a rom flag and unused access columns: 100 base columns).
// - DotRomSxAir (version 13): 39 main columns (4 sign bits) and 12
//   fractions (2 more PAIRs) in 6 paired aux columns + the running sum: 39 +
//   28 = 67 base columns, 4.2 per MAC; it saves the guest the biased copy of
//   x (about 4 cycles a word, each cycle 178 base columns of CPU).
// Degree 3.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "prover/air/air.h"
#include "prover/rv32im/alu.h"
#include "prover/rv32im/bus.h"
#include "prover/rv32im/bytes.h"
#include "prover/rv32im/memstate.h"
#include "zkvm/vm/trace.h"

namespace zkvm::rv32im {

namespace dot {
inline constexpr uint32_t kCellA1 = 11, kCellA2 = 12, kCellA3 = 13;
// Access times t = 8 clk + kTime* (the CPU's slots end at 8 clk + 5).
inline constexpr uint32_t kTimeA1 = 6, kTimeA2 = 7, kTimeA3 = 8, kTimeX = 7, kTimeW = 8;
inline constexpr uint32_t kAccesses = 5;  // data row: x, w row 0..3
}  // namespace dot

// The data rows, in three tables by where the weights come from and how x
// is read: DotAir (dot4: four memory reads of w words per row), DotRomAir
// (dot4_rom, and dense4_rom over biased x: four tuples on the rom bus,
// which the image table serves; no memory access, so none of its columns
// or fractions) and DotRomSxAir (dense4_rom over int8 x: DotRomAir's row
// and the x bytes' sign bits). A call's chain carries its kind tag (the
// call row's: dotcall's rom flag, densecall's 1 + sx), and each table sends
// and receives chain tuples with its own constant tag, so a call's rows are
// all in the table its call asks for.
template <bool kRomWeights, bool kSignedX = false>
class DotDataAir : public SegTaggedAir<DotDataAir<kRomWeights, kSignedX>> {
  static_assert(kRomWeights || !kSignedX, "int8 x bytes only with rom weights (dense4_rom)");

 public:
  static constexpr size_t kAccesses = kRomWeights ? 1 : dot::kAccesses;  // x (and w row 0..3)
  // The chain tag: 0 dot4, 1 rom weights, 2 rom weights and int8 x bytes.
  static constexpr uint32_t kKind = (kRomWeights ? 1 : 0) + (kSignedX ? 1 : 0);
  enum Col : size_t {
    kIsReal, kClk, kXa, kWa,
    kAcc, kAccN = kAcc + 4,
    kX = kAccN + 4, kW = kX + 4,  // w row j lane i at kW + 4 j + i
    kTp = kW + 16, kLo = kTp + kAccesses, kHi = kLo + kAccesses,
    kSign = kHi + kAccesses,  // int8 x: the sign bit of x byte i at kSign + i
    kWidth = kSign + (kSignedX ? 4 : 0)
  };
  std::string name() const override {
    return kSignedX ? "rv32im-dotrom-sx" : kRomWeights ? "rv32im-dotrom" : "rv32im-dot";
  }

  template <class B>
  void constraints(B& b) const {
    using E = typename B::Expr;
    auto c = [&](size_t i) { return b.main(i); };
    const E real = c(kIsReal), seg = b.pub(SegTaggedAir<DotDataAir>::kPubSeg), one = b.lit(1), bias = b.lit(128);
    const E rom = b.lit(kKind);
    b.assert_bool("is_real is boolean", real);
    // x byte i's value: biased (x - 128), or int8 (x - 256 s with s its sign
    // bit: s boolean and x - 128 s < 128 by a PAIR entry of twice it).
    auto xv = [&](size_t i) { return kSignedX ? c(kX + i) - b.lit(256) * c(kSign + i) : c(kX + i) - bias; };
    auto low7 = [&](size_t i) { return b.lit(2) * (c(kX + i) - bias * c(kSign + i)); };
    if constexpr (kSignedX)
      for (size_t i = 0; i < 4; ++i) b.assert_bool("x sign is boolean", c(kSign + i));
    for (size_t j = 0; j < 4; ++j) {
      E sum = c(kAcc + j);
      for (size_t i = 0; i < 4; ++i) sum = sum + xv(i) * (c(kW + 4 * j + i) - bias);
      b.assert_zero("the running sum adds the row's products", real * (c(kAccN + j) - sum));
    }
    b.receive(kBusDotChain, {seg, c(kClk), c(kXa), c(kWa), c(kAcc), c(kAcc + 1), c(kAcc + 2), c(kAcc + 3), rom}, real);
    b.send(kBusDotChain,
           {seg, c(kClk), c(kXa) + one, c(kWa) + b.lit(4), c(kAccN), c(kAccN + 1), c(kAccN + 2), c(kAccN + 3), rom},
           real);
    const E t_base = b.lit(8) * c(kClk);
    memory_access(b, c, c(kXa), kX, kX, kTp, t_base + b.lit(dot::kTimeX), kLo, kHi, seg, real, real);
    for (size_t j = 0; j < 4; ++j) {
      const E cell = c(kWa) + b.lit(static_cast<uint32_t>(j));
      const size_t v = kW + 4 * j;
      if constexpr (kRomWeights) {
        // The weights of a dot4_rom call are image words (kBusRom), not memory.
        b.send(kBusRom, {cell, c(v), c(v + 1), c(v + 2), c(v + 3)}, real);
      } else {
        memory_access(b, c, cell, v, v, kTp + 1 + j, t_base + b.lit(dot::kTimeW), kLo + 1 + j, kHi + 1 + j, seg,
                      real, real);
      }
    }
    if constexpr (kSignedX) {
      b.send(kBusBytePair, {c(kHi), low7(0)}, real);
      b.send(kBusBytePair, {low7(1), low7(2)}, real);
      b.send(kBusBytePair, {low7(3), b.lit(0)}, real);
    } else if constexpr (kRomWeights) {
      b.send(kBusBytePair, {c(kHi), b.lit(0)}, real);
    } else {
      b.send(kBusBytePair, {c(kHi), c(kHi + 1)}, real);
      b.send(kBusBytePair, {c(kHi + 2), c(kHi + 3)}, real);
      b.send(kBusBytePair, {c(kHi + 4), b.lit(0)}, real);
    }
  }
};
using DotAir = DotDataAir<false>;
using DotRomAir = DotDataAir<true>;
using DotRomSxAir = DotDataAir<true, true>;  // dense4_rom with int8 x bytes (Q's sx bit)

class DotCallAir : public SegTaggedAir<DotCallAir> {
 public:
  enum Col : size_t {
    kIsReal, kClk, kRom,                             // kRom: a dot4_rom call
    kX, kK = kX + 4, kWp = kK + 4, kA3 = kWp + 4,   // x (a0), K (a2), w (a1), old a3
    kR = kA3 + 4,                                    // out0..out3 bytes, out j at kR + 4 j
    kAcc = kR + 16, kNeg = kAcc + 4,
    kQx = kNeg + 4, kQw, kQk, kNz, kInv,
    kEx, kEw = kEx + 4,
    kTp = kEw + 4, kLo = kTp + 3, kHi = kLo + 3,
    kWidth = kHi + 3
  };
  std::string name() const override { return "rv32im-dotcall"; }

  template <class B>
  void constraints(B& b) const {
    using E = typename B::Expr;
    auto c = [&](size_t i) { return b.main(i); };
    const E real = c(kIsReal), seg = b.pub(kPubSeg), one = b.lit(1);
    auto word = [&](size_t col) { return word_of_bytes(b, c, col); };
    b.assert_bool("is_real is boolean", real);
    b.assert_bool("rom is boolean", c(kRom));
    b.assert_zero("padding is not rom", (one - real) * c(kRom));
    b.receive(kBusDotCall,
              {c(kClk), c(kX), c(kX + 1), c(kX + 2), c(kX + 3), c(kR), c(kR + 1), c(kR + 2), c(kR + 3), seg,
               one + b.lit(2) * c(kRom)},
              real);

    // --- arguments ---------------------------------------------------------------
    b.assert_zero("K < 2^16", c(kK + 2));
    b.assert_zero("K < 2^16", c(kK + 3));
    b.assert_eq("K is a multiple of 4", c(kK), b.lit(4) * c(kQk));
    b.send(kBusBytePair, {c(kQk), b.lit(2) * c(kK + 1)}, real);  // K1 < 128: K < 2^15
    b.assert_eq("x is 4-aligned", c(kX), b.lit(4) * c(kQx));
    b.assert_eq("w is 4-aligned", c(kWp), b.lit(4) * c(kQw));
    b.send(kBusBytePair, {c(kQx), c(kQw)}, real);
    const E nk = c(kQk) + b.lit(64) * c(kK + 1);
    auto cell = [&](size_t col, size_t q) {
      return c(q) + b.lit(64) * c(col + 1) + b.lit(1u << 14) * c(col + 2) + b.lit(1u << 22) * c(col + 3);
    };
    const E xa = cell(kX, kQx), wa = cell(kWp, kQw);

    // --- buffers in guest memory when K != 0 ---------------------------------------
    const E ksum = c(kK) + c(kK + 1), nz = c(kNz), inv = c(kInv);
    b.assert_eq("nz = [K != 0]", nz, ksum * inv);
    b.assert_zero("nz is 1 when K != 0", ksum * (one - nz));
    b.assert_zero("inv is 0 when K = 0", inv * (one - nz));
    const E k_bytes = c(kK) + b.lit(256) * c(kK + 1);
    b.send(kBusU16, {nz * b.lit(16) * (c(kX + 2) + b.lit(256) * c(kX + 3) - one)}, real);
    b.send(kBusU16, {nz * b.lit(16) * (c(kWp + 2) + b.lit(256) * c(kWp + 3) - one)}, real);
    b.assert_zero("x buffer end Ex = x + K - 1", nz * (word(kX) + k_bytes - one - word(kEx)));
    b.assert_zero("w buffer end Ew = w + 4K - 1", nz * (word(kWp) + b.lit(4) * k_bytes - one - word(kEw)));
    for (size_t i = 0; i < 4; ++i) {
      b.assert_zero("Ex is 0 when K = 0", (one - nz) * c(kEx + i));
      b.assert_zero("Ew is 0 when K = 0", (one - nz) * c(kEw + i));
    }
    b.send(kBusBytePair, {c(kEx), c(kEx + 1)}, real);
    b.send(kBusBytePair, {c(kEx + 2), c(kEx + 3)}, real);
    b.send(kBusBytePair, {c(kEw), c(kEw + 1)}, real);
    b.send(kBusBytePair, {c(kEw + 2), c(kEw + 3)}, real);
    b.send(kBusBytePair, {b.lit(16) * c(kEx + 3), b.lit(16) * c(kEw + 3)}, real);

    // --- the data rows: from (xa, wa, 0) to (xa + nk, wa + 4 nk, acc) ---------------
    const E zero = b.lit(0);
    b.send(kBusDotChain, {seg, c(kClk), xa, wa, zero, zero, zero, zero, c(kRom)}, real);
    b.receive(kBusDotChain,
              {seg, c(kClk), xa + nk, wa + b.lit(4) * nk, c(kAcc), c(kAcc + 1), c(kAcc + 2), c(kAcc + 3), c(kRom)}, real);

    // --- results: out_j = acc_j mod 2^32 ----------------------------------------------
    for (size_t j = 0; j < 4; ++j) {
      const size_t r = kR + 4 * j;
      b.assert_bool("neg is boolean", c(kNeg + j));
      b.assert_eq("out is acc mod 2^32", c(kAcc + j),
                  c(r) + b.lit(1u << 8) * c(r + 1) + b.lit(1u << 16) * c(r + 2) +
                      b.lit(1u << 24) * (c(r + 3) - b.lit(256) * c(kNeg + j)));
    }
    auto top = [&](size_t j) { return b.lit(4) * (c(kR + 4 * j + 3) - b.lit(224) * c(kNeg + j)); };
    b.send(kBusBytePair, {top(0), top(1)}, real);
    b.send(kBusBytePair, {top(2), top(3)}, real);
    for (size_t j = 1; j < 4; ++j) {
      b.send(kBusBytePair, {c(kR + 4 * j), c(kR + 4 * j + 1)}, real);
      b.send(kBusBytePair, {c(kR + 4 * j + 2), c(kR + 4 * j + 3)}, real);
    }

    // --- registers a1, a2, a3: read the arguments, leave out1..out3 ---------------------
    const size_t cells[3] = {dot::kCellA1, dot::kCellA2, dot::kCellA3};
    const size_t olds[3] = {kWp, kK, kA3};
    const uint32_t times[3] = {dot::kTimeA1, dot::kTimeA2, dot::kTimeA3};
    for (size_t k = 0; k < 3; ++k) {
      const size_t o = olds[k], n = kR + 4 * (k + 1);
      const E t = b.lit(8) * c(kClk) + b.lit(times[k]);
      const E cl = b.lit(static_cast<uint32_t>(cells[k]));
      memory_access(b, c, cl, o, n, kTp + k, t, kLo + k, kHi + k, seg, real, real);
    }
    b.send(kBusBytePair, {c(kHi), c(kHi + 1)}, real);
    b.send(kBusBytePair, {c(kHi + 2), b.lit(0)}, real);
  }
};

// Witness generation: the CPU generator calls add_call for every dot4 ecall
// right after its CPU row (sharing the MemoryState and ByteCounts). Strict:
// a record whose results differ from the call over memory as the memory
// model holds it is a logic_error. Forge (tests): the record's results are
// kept (written to a0..a3 and into the call row), so only the constraints
// can object.
class DotBuilder {
 public:
  // dot4_rom calls pass `rom`: the image word at a cell (counting the read),
  // or nothing when the cell is no image word.
  using RomReader = std::function<std::optional<uint32_t>(uint32_t cell)>;
  void add_call(const vm::SyscallRecord& rec, uint32_t clk, MemoryState& mem, ByteCounts& bytes, bool strict,
                const RomReader* rom = nullptr);
  // dense4_rom (dense.h): its call row, its data rows (DotRomAir) and its
  // MULH, SLL and SRA events for the ALU chips.
  void add_dense_call(const vm::SyscallRecord& rec, uint32_t clk, MemoryState& mem, ByteCounts& bytes, bool strict,
                      const RomReader& rom, std::vector<AluEvent>& mul, std::vector<AluEvent>& shift);
  void start_segment() {
    calls_.clear(), dense_.clear();
    for (size_t k = 0; k < kKinds; ++k) groups_[k].clear(), chains_[k].clear();
  }
  size_t rows() const { return groups_[0].size(); }
  size_t rom_rows() const { return groups_[1].size(); }
  size_t rom_sx_rows() const { return groups_[2].size(); }
  size_t calls() const { return calls_.size() / DotCallAir::kWidth; }
  size_t dense_calls() const;
  RowMajorMatrix<Fp> call_trace(size_t min_rows) const;
  RowMajorMatrix<Fp> data_trace(size_t min_rows) const;
  RowMajorMatrix<Fp> rom_trace(size_t min_rows) const;
  RowMajorMatrix<Fp> rom_sx_trace(size_t min_rows) const;
  RowMajorMatrix<Fp> dense_trace(size_t min_rows) const;

 private:
  // What a data row is made of: its x and w words and their accesses'
  // previous times (memory order is fixed when the call is added); the rows
  // themselves are built when a table is asked for, calls in parallel.
  struct Group {
    uint32_t x, w[4];
    uint32_t prev[dot::kAccesses];  // x, then w row 0..3 (DotAir only)
  };
  struct Chain {
    uint32_t clk, xa, wa;
    size_t first, groups;  // the call's rows in groups_
  };
  template <class Row>
  RowMajorMatrix<Fp> data_rows(size_t min_rows) const;
  // A call's data rows (the memory accesses of x, and of w for dot4, in
  // time order) and its four sums.
  // signed_x: int8 x bytes (dense4_rom's sx; rom weights only).
  std::array<int64_t, 4> add_data_rows(uint32_t x, uint32_t w, uint32_t k, uint32_t clk, MemoryState& mem,
                                       ByteCounts& bytes, bool strict, const RomReader* rom, const std::string& where,
                                       bool signed_x = false);

  std::vector<Fp> calls_;  // rows of DotCallAir::kWidth
  std::vector<Fp> dense_;  // rows of DenseCallAir::kWidth
  static constexpr size_t kKinds = 3;  // the data tables by chain tag (DotDataAir::kKind)
  std::vector<Group> groups_[kKinds];  // [0]: DotAir, [1]: DotRomAir, [2]: DotRomSxAir
  std::vector<Chain> chains_[kKinds];
};

}  // namespace zkvm::rv32im
