// The sha256_compress accelerator (a7 = 0x1002; docs/GUEST_ABI.md
// "Accelerator calls"; host reference vm/accel.h): three tables.
//
// ShaCallAir ("rv32im-shacall"): one row per call. Reads a1 (the block
// pointer; a0, the state pointer, comes from the CPU on kBusShaCall), the 16
// block words and the 8 state words through the memory argument, and writes
// state + (the state after 64 rounds) back.
// ShaRoundAir ("rv32im-sharound"): 65 rows per call: rows r = 0..63 hold the
// working variables a..h before round r and the schedule window W_r..W_r+15;
// row 64 (final) holds them after round 63.
// ShaConstAir ("rv32im-shaconst"): the 64 round constants (preprocessed):
// (r, K_r lo, K_r hi, [r = 0], [r = 63]).
//
// Words inside the round table are 16-bit halves (lo, hi); a, b, c, e, f, g
// are also 32 bit columns each (the rotations, Ch and Maj are polynomials in
// bits), d and h only halves. The schedule words at window positions 1 and
// 14 have bit columns (sigma0, sigma1).
//
// SOUNDNESS (round table):
// - Row kinds: round (r < 64), final, padding; booleans, at most one. A
//   round row looks up (r, K, first, last) in the constant table, so r is in
//   0..63, K is K_r, first = [r = 0], last = [r = 63]. A round row's next row
//   is a round row of the same call (clk) with r + 1, or, after r = 63, the
//   final row; a round row with r > 0 follows a round row and a final row
//   follows a round row; the table's first row is not a round row with r > 0.
//   So the rows of a call are 65 consecutive rows, r = 0..63 then final,
//   started by a first row.
// - The first row receives (seg, clk, a..h, W_0..W_15) (halves) from the call
//   table: the state read from memory and the block's words. The final row
//   sends (seg, clk, a..h) back. Calls are distinct clk (one CPU row each),
//   so each call row meets exactly its own 65 rows.
// - Bits are boolean; halves of a, b, c, e, f, g are their bits packed, so
//   every half is an exact 16-bit integer. d, h are packed from c, g of the
//   previous row; the window's halves at positions 1 and 14 equal their bit
//   columns; every schedule word passes position 14 before it is used at
//   position 9 or 0 (or, at rows 50..63, it is never used), and the block's
//   words are halves of bytes: every window half is exact too.
// - New a, e, W (halves NA, NE, NW) with carries (3, 3 and 2 bits per half):
//   NA_lo + 2^16 ca_lo = h_lo + S1_lo + Ch_lo + K_lo + W0_lo + S0_lo + Maj_lo,
//   NA_hi + 2^16 ca_hi = (the hi halves) + ca_lo, and likewise NE (d + T1) and
//   NW (sigma1(W14) + W9 + sigma0(W1) + W0). The sums are below 7 * 2^16 and
//   NA, NE, NW are exact halves where they are used (a round row's next row
//   packs them from bits; NW reaches position 14), so each is the sum mod
//   2^16 with its carry: the FIPS 180-4 round, mod 2^32.
// - On a round row's transition: a' = NA, b' = a, c' = b, d' = c, e' = NE,
//   f' = e, g' = f, h' = g (bitwise or as halves), the window shifts by one
//   and takes NW, clk stays, r rises by one.
// - Columns that a row kind does not use are 0 (K, first, last and carries
//   off round rows; everything on padding) or fixed by the constraints, so
//   no cell of a real row is free.
//
// SOUNDNESS (call table; one real row per call received from the CPU):
// - a1 (cell 11) at 8 clk + 6 is read and left (q = the block pointer);
//   block words (cell q/4 + j) at 8 clk + 7 are read and left; state words
//   (cell p/4 + i) at 8 clk + 8 are read (old H) and left as H + S mod 2^32
//   (S from the final row; a byte-pair check of each new byte and a carry
//   per half). Offline memory checking as in cpu.h (t - tp - 1 = lo + 2^16
//   hi, lo U16, hi a byte). A cell both in the state and the block is read
//   at +7 and written at +8: in time order.
// - p, q 4-aligned (p0 = 4 qp, q0 = 4 qq, PAIR(qp, qq)); U16(16 (p2 + 2^8 p3
//   - 1)) and p + 31 = Ep bytes with Ep3 < 16 put [p, p + 32) in guest
//   memory, the same for [q, q + 64); so the cells are exact word indices.
// - The state sent to the first round row is H (LE words as halves), the
//   schedule words are the block's bytes big-endian (W_hi = 2^8 b0 + b1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "prover/air/air.h"
#include "prover/rv32im/bus.h"
#include "prover/rv32im/bytes.h"
#include "prover/rv32im/memstate.h"
#include "zkvm/vm/trace.h"

namespace zkvm::rv32im {

namespace sha {
inline constexpr uint32_t kCellA1 = 11;
inline constexpr uint32_t kTimeA1 = 6, kTimeBlock = 7, kTimeState = 8;  // t = 8 clk + kTime*
inline constexpr size_t kRowsPerCall = 65;

// Expression helpers shared by the round table's constraints.
template <class B>
typename B::Expr xor3(B& b, const typename B::Expr& x, const typename B::Expr& y, const typename B::Expr& z) {
  return x + y + z - b.lit(2) * (x * y + x * z + y * z) + b.lit(4) * x * y * z;
}
template <class B>
typename B::Expr xor2(B& b, const typename B::Expr& x, const typename B::Expr& y) {
  return x + y - b.lit(2) * x * y;
}
// sum_{i<16} 2^i bit(half * 16 + i)
template <class B, class F>
typename B::Expr pack16(B& b, size_t half, F bit) {
  typename B::Expr s = b.lit(0);
  for (size_t i = 0; i < 16; ++i) s = s + b.lit(1u << i) * bit(16 * half + i);
  return s;
}
}  // namespace sha

class ShaRoundAir : public SegTaggedAir<ShaRoundAir> {
 public:
  enum Col : size_t {
    kRound, kFinal, kClk, kR, kFirst, kLast, kK,  // kK: lo, hi
    kA = kK + 2, kB = kA + 32, kC = kB + 32, kE = kC + 32, kF = kE + 32, kG = kF + 32,  // bits
    kD = kG + 32, kH = kD + 2,                                                       // halves
    kWn = kH + 2,                   // window: word k (W_{r+k}) lo at kWn + 2k, hi at kWn + 2k + 1
    kX1 = kWn + 32, kX14 = kX1 + 32,  // bits of window words 1 and 14
    kNa = kX14 + 32, kNe = kNa + 2, kNw = kNe + 2,
    kCa = kNw + 2, kCe = kCa + 6, kCw = kCe + 6,  // carry bits: lo (3/3/2) then hi
    kWidth = kCw + 4
  };
  // The main table or the overflow table (main_table_rows, alu.h): the
  // same constraints; the builder puts each call's 65 rows in one of them.
  explicit ShaRoundAir(bool overflow = false) : overflow_(overflow) {}
  std::string name() const override { return overflow_ ? "rv32im-sharound-x" : "rv32im-sharound"; }

  template <class B>
  void constraints(B& b) const {
    using E = typename B::Expr;
    using sha::pack16;
    auto c = [&](size_t i) { return b.main(i); };
    auto nx = [&](size_t i) { return b.main_next(i); };
    const E one = b.lit(1), round = c(kRound), fin = c(kFinal), seg = b.pub(kPubSeg);
    const E real = round + fin;

    // --- row kinds and their order ------------------------------------------------
    b.assert_bool("round is boolean", round);
    b.assert_bool("final is boolean", fin);
    b.assert_bool("a row is one kind", real);
    b.send(kBusShaConst, {c(kR), c(kK), c(kK + 1), c(kFirst), c(kLast)}, round);
    for (size_t k : {size_t(kK), size_t(kK + 1), size_t(kFirst), size_t(kLast)})
      b.assert_zero("round columns are 0 off round rows", (one - round) * c(k));
    b.assert_zero("padding has r = 0 and clk = 0", (one - real) * c(kR));
    b.assert_zero("padding has r = 0 and clk = 0", (one - real) * c(kClk));
    b.when_transition("a round row is followed by the next round or the final row",
                      round * (nx(kRound) + c(kLast) - one));
    b.when_transition("round 63 is followed by the final row", round * (nx(kFinal) - c(kLast)));
    b.when_transition("rounds count up", round * (nx(kR) - c(kR) - one));
    b.when_transition("a call's rows share its clk", round * (nx(kClk) - c(kClk)));
    b.when_transition("a later round follows a round", nx(kRound) * (one - nx(kFirst)) * (one - round));
    b.when_transition("the final row follows a round", nx(kFinal) * (one - round));
    b.when_first("the table starts with a call's first round", round * (one - c(kFirst)));
    b.when_first("the table does not start with a final row", fin);

    // --- bits -----------------------------------------------------------------------
    for (size_t k = kA; k < kD; ++k) b.assert_bool("state bit is boolean", c(k));
    for (size_t k = kX1; k < kNa; ++k) b.assert_bool("schedule bit is boolean", c(k));
    for (size_t k = kCa; k < kWidth; ++k) b.assert_bool("carry bit is boolean", c(k));
    auto bits = [&](size_t base) { return [&, base](size_t i) { return c(base + i); }; };
    for (size_t h = 0; h < 2; ++h) {
      b.assert_eq("window word 1 is its bits", c(kWn + 2 + h), pack16(b, h, bits(kX1)));
      b.assert_eq("window word 14 is its bits", c(kWn + 28 + h), pack16(b, h, bits(kX14)));
    }

    // --- one round: NA = T1 + T2, NE = d + T1, NW = the next schedule word ------------------
    auto A = bits(kA), Bb = bits(kB), C = bits(kC), Ee = bits(kE), F = bits(kF), G = bits(kG);
    auto X1 = bits(kX1), X14 = bits(kX14);
    auto s0 = [&](size_t i) { return sha::xor3(b, A((i + 2) % 32), A((i + 13) % 32), A((i + 22) % 32)); };
    auto s1 = [&](size_t i) { return sha::xor3(b, Ee((i + 6) % 32), Ee((i + 11) % 32), Ee((i + 25) % 32)); };
    auto ch = [&](size_t i) { return Ee(i) * F(i) + (one - Ee(i)) * G(i); };
    auto maj = [&](size_t i) { return A(i) * Bb(i) + A(i) * C(i) + Bb(i) * C(i) - b.lit(2) * A(i) * Bb(i) * C(i); };
    auto ss0 = [&](size_t i) {
      return i + 3 < 32 ? sha::xor3(b, X1((i + 7) % 32), X1((i + 18) % 32), X1(i + 3))
                        : sha::xor2(b, X1((i + 7) % 32), X1((i + 18) % 32));
    };
    auto ss1 = [&](size_t i) {
      return i + 10 < 32 ? sha::xor3(b, X14((i + 17) % 32), X14((i + 19) % 32), X14(i + 10))
                         : sha::xor2(b, X14((i + 17) % 32), X14((i + 19) % 32));
    };
    auto carry = [&](size_t base, size_t nbits) {
      E v = b.lit(0);
      for (size_t i = 0; i < nbits; ++i) v = v + b.lit(1u << i) * c(base + i);
      return v;
    };
    for (size_t h = 0; h < 2; ++h) {
      const E t1 = c(kH + h) + pack16(b, h, s1) + pack16(b, h, ch) + c(kK + h) + c(kWn + h);
      const E t2 = pack16(b, h, s0) + pack16(b, h, maj);
      const E ca_in = h == 0 ? b.lit(0) : carry(kCa, 3), ce_in = h == 0 ? b.lit(0) : carry(kCe, 3);
      const E cw_in = h == 0 ? b.lit(0) : carry(kCw, 2);
      b.assert_eq("new a is T1 + T2", c(kNa + h) + b.lit(1u << 16) * carry(kCa + 3 * h, 3), t1 + t2 + ca_in);
      b.assert_eq("new e is d + T1", c(kNe + h) + b.lit(1u << 16) * carry(kCe + 3 * h, 3), c(kD + h) + t1 + ce_in);
      b.assert_eq("new schedule word", c(kNw + h) + b.lit(1u << 16) * carry(kCw + 2 * h, 2),
                  pack16(b, h, ss1) + c(kWn + 18 + h) + pack16(b, h, ss0) + c(kWn + h) + cw_in);
    }
    for (size_t k = kCa; k < kWidth; ++k) b.assert_zero("carries are 0 off round rows", (one - round) * c(k));

    // --- the transition: the next row's variables and window ---------------------------------
    auto nbits = [&](size_t base) { return [&, base](size_t i) { return nx(base + i); }; };
    for (size_t h = 0; h < 2; ++h) {
      b.when_transition("a' = new a", round * (pack16(b, h, nbits(kA)) - c(kNa + h)));
      b.when_transition("e' = new e", round * (pack16(b, h, nbits(kE)) - c(kNe + h)));
      b.when_transition("d' = c", round * (nx(kD + h) - pack16(b, h, C)));
      b.when_transition("h' = g", round * (nx(kH + h) - pack16(b, h, G)));
      b.when_transition("the window takes the new word", round * (nx(kWn + 30 + h) - c(kNw + h)));
    }
    for (size_t i = 0; i < 32; ++i) {
      b.when_transition("b' = a", round * (nx(kB + i) - A(i)));
      b.when_transition("c' = b", round * (nx(kC + i) - Bb(i)));
      b.when_transition("f' = e", round * (nx(kF + i) - Ee(i)));
      b.when_transition("g' = f", round * (nx(kG + i) - F(i)));
    }
    for (size_t k = 0; k < 30; ++k) b.when_transition("the window shifts", round * (nx(kWn + k) - c(kWn + 2 + k)));

    // --- the call: state and block in, state out ------------------------------------------------
    std::vector<E> init{seg, c(kClk)};
    std::vector<E> out{seg, c(kClk)};
    for (size_t v = 0; v < 8; ++v) {
      for (size_t h = 0; h < 2; ++h) {
        E half = b.lit(0);
        switch (v) {
          case 0: half = pack16(b, h, A); break;
          case 1: half = pack16(b, h, Bb); break;
          case 2: half = pack16(b, h, C); break;
          case 3: half = c(kD + h); break;
          case 4: half = pack16(b, h, Ee); break;
          case 5: half = pack16(b, h, F); break;
          case 6: half = pack16(b, h, G); break;
          default: half = c(kH + h); break;
        }
        init.push_back(half);
        out.push_back(half);
      }
    }
    for (size_t k = 0; k < 32; ++k) init.push_back(c(kWn + k));
    b.interact(kBusShaInit, std::span<const E>(init), round * c(kFirst), false);
    b.interact(kBusShaFinal, std::span<const E>(out), fin, true);
  }

 private:
  bool overflow_;
};

class ShaConstAir : public PaddedAir<ShaConstAir> {
 public:
  enum PreCol : size_t { kIsReal, kR, kK, kFirst = kK + 2, kLast, kPreWidth };
  std::string name() const override { return "rv32im-shaconst"; }
  size_t width() const override { return 1; }
  size_t preprocessed_width() const override { return kPreWidth; }
  std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const override;
  std::string bus_name(uint32_t bus) const override { return rv32im_bus_name(bus); }
  template <class B>
  void constraints(B& b) const {
    b.assert_zero("padding is never looked up", (b.lit(1) - b.pre(kIsReal)) * b.main(0));
    b.receive(kBusShaConst, {b.pre(kR), b.pre(kK), b.pre(kK + 1), b.pre(kFirst), b.pre(kLast)}, b.main(0));
  }
};

class ShaCallAir : public SegTaggedAir<ShaCallAir> {
 public:
  enum Col : size_t {
    kIsReal, kClk,
    kP, kQ = kP + 4,                       // state and block pointers (bytes)
    kHo = kQ + 4, kHn = kHo + 32, kHc = kHn + 32,  // state word i: old, new bytes at +4i; carries lo, hi at +2i
    kS = kHc + 16,                         // the state after 64 rounds: word i lo, hi at +2i
    kBlk = kS + 16,                        // block word j bytes at +4j
    kQp = kBlk + 64, kQq, kEp, kEq = kEp + 4,
    kTp = kEq + 4, kLo = kTp + 25, kHi = kLo + 25,  // accesses: a1, state 0..7, block 0..15
    kWidth = kHi + 25
  };
  std::string name() const override { return "rv32im-shacall"; }

  template <class B>
  void constraints(B& b) const {
    using E = typename B::Expr;
    auto c = [&](size_t i) { return b.main(i); };
    const E real = c(kIsReal), seg = b.pub(kPubSeg), one = b.lit(1);
    auto word = [&](size_t col) { return word_of_bytes(b, c, col); };
    b.assert_bool("is_real is boolean", real);
    b.receive(kBusShaCall, {c(kClk), c(kP), c(kP + 1), c(kP + 2), c(kP + 3), seg}, real);

    // --- pointers: aligned, buffers inside guest memory --------------------------------
    b.assert_eq("the state pointer is 4-aligned", c(kP), b.lit(4) * c(kQp));
    b.assert_eq("the block pointer is 4-aligned", c(kQ), b.lit(4) * c(kQq));
    b.send(kBusBytePair, {c(kQp), c(kQq)}, real);
    b.send(kBusU16, {b.lit(16) * (c(kP + 2) + b.lit(256) * c(kP + 3) - one)}, real);
    b.send(kBusU16, {b.lit(16) * (c(kQ + 2) + b.lit(256) * c(kQ + 3) - one)}, real);
    b.assert_zero("state end Ep = p + 31", real * (word(kP) + b.lit(31) - word(kEp)));
    b.assert_zero("block end Eq = q + 63", real * (word(kQ) + b.lit(63) - word(kEq)));
    b.send(kBusBytePair, {c(kEp), c(kEp + 1)}, real);
    b.send(kBusBytePair, {c(kEp + 2), c(kEp + 3)}, real);
    b.send(kBusBytePair, {c(kEq), c(kEq + 1)}, real);
    b.send(kBusBytePair, {c(kEq + 2), c(kEq + 3)}, real);
    b.send(kBusBytePair, {b.lit(16) * c(kEp + 3), b.lit(16) * c(kEq + 3)}, real);
    auto cell = [&](size_t ptr, size_t q) {
      return c(q) + b.lit(64) * c(ptr + 1) + b.lit(1u << 14) * c(ptr + 2) + b.lit(1u << 22) * c(ptr + 3);
    };
    const E pcell = cell(kP, kQp), qcell = cell(kQ, kQq);

    // --- the round table: H and the block in, S out ---------------------------------------
    std::vector<E> init{seg, c(kClk)};
    for (size_t i = 0; i < 8; ++i) {
      const size_t o = kHo + 4 * i;
      init.push_back(c(o) + b.lit(256) * c(o + 1));
      init.push_back(c(o + 2) + b.lit(256) * c(o + 3));
    }
    for (size_t j = 0; j < 16; ++j) {  // big-endian schedule words
      const size_t o = kBlk + 4 * j;
      init.push_back(b.lit(256) * c(o + 2) + c(o + 3));
      init.push_back(b.lit(256) * c(o) + c(o + 1));
    }
    b.interact(kBusShaInit, std::span<const E>(init), real, true);
    std::vector<E> out{seg, c(kClk)};
    for (size_t k = 0; k < 16; ++k) out.push_back(c(kS + k));
    b.interact(kBusShaFinal, std::span<const E>(out), real, false);

    // --- new state: H + S mod 2^32, bytes -------------------------------------------------
    for (size_t i = 0; i < 8; ++i) {
      const size_t o = kHo + 4 * i, n = kHn + 4 * i, cr = kHc + 2 * i;
      b.assert_bool("state carry is boolean", c(cr));
      b.assert_bool("state carry is boolean", c(cr + 1));
      b.assert_eq("new state, low half", c(n) + b.lit(256) * c(n + 1) + b.lit(1u << 16) * c(cr),
                  c(o) + b.lit(256) * c(o + 1) + c(kS + 2 * i));
      b.assert_eq("new state, high half", c(n + 2) + b.lit(256) * c(n + 3) + b.lit(1u << 16) * c(cr + 1),
                  c(o + 2) + b.lit(256) * c(o + 3) + c(kS + 2 * i + 1) + c(cr));
      b.send(kBusBytePair, {c(n), c(n + 1)}, real);
      b.send(kBusBytePair, {c(n + 2), c(n + 3)}, real);
    }

    // --- memory: a1, the state (read and written), the block (read) ------------------------------
    const E t_base = b.lit(8) * c(kClk);
    for (size_t k = 0; k < 25; ++k) {
      E cl = b.lit(0), t = b.lit(0);
      size_t old = 0, nw = 0;
      if (k == 0) cl = b.lit(sha::kCellA1), t = t_base + b.lit(sha::kTimeA1), old = nw = kQ;
      else if (k <= 8) cl = pcell + b.lit(static_cast<uint32_t>(k - 1)), t = t_base + b.lit(sha::kTimeState),
                       old = kHo + 4 * (k - 1), nw = kHn + 4 * (k - 1);
      else cl = qcell + b.lit(static_cast<uint32_t>(k - 9)), t = t_base + b.lit(sha::kTimeBlock),
           old = nw = kBlk + 4 * (k - 9);
      memory_access(b, c, cl, old, nw, kTp + k, t, kLo + k, kHi + k, seg, real, real);
    }
    for (size_t k = 0; k < 25; k += 2) b.send(kBusBytePair, {c(kHi + k), k + 1 < 25 ? c(kHi + k + 1) : b.lit(0)}, real);
  }
};

// Witness generation: the CPU generator calls add_call for every
// sha256_compress ecall right after its CPU row. Strict: a call the
// emulator faults on is a logic_error. Forge (tests): tables are built from
// memory as the model holds it.
class ShaBuilder {
 public:
  void add_call(const vm::SyscallRecord& rec, uint32_t clk, MemoryState& mem, ByteCounts& bytes, bool strict);
  void start_segment() { calls_.clear(), round_calls_.clear(), const_mult_.assign(64, 0); }
  size_t round_rows() const { return round_calls_.size() * sha::kRowsPerCall; }
  size_t calls() const { return calls_.size() / ShaCallAir::kWidth; }
  RowMajorMatrix<Fp> call_trace(size_t min_rows) const;
  // The round rows the main table holds (main_table_rows: whole calls);
  // the rest are the overflow table's.
  size_t main_round_rows(size_t min_rows) const;
  RowMajorMatrix<Fp> round_trace(size_t min_rows) const;
  RowMajorMatrix<Fp> overflow_round_trace(size_t min_rows) const;
  RowMajorMatrix<Fp> const_trace() const;

 private:
  // What a call's 65 round rows are made of; the rows themselves are built
  // when a table is asked for, calls in parallel, straight into it.
  struct RoundCall {
    uint32_t clk;
    uint32_t h[8];
    uint8_t block[64];
  };
  RowMajorMatrix<Fp> rounds_of(size_t first_call, size_t calls, size_t min_rows) const;

  std::vector<Fp> calls_;
  std::vector<RoundCall> round_calls_;
  std::vector<uint64_t> const_mult_ = std::vector<uint64_t>(64, 0);
};

size_t sha_const_height();

}  // namespace zkvm::rv32im
