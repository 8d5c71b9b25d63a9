// The dense4_rom accelerator (a7 = 0x1004; docs/GUEST_ABI.md "dense4_rom";
// host reference vm/accel.h dense4_output): one block of four outputs of a
// Dense layer whose weights and biases are image words. One call table,
// DenseCallAir ("rv32im-densecall"), one row per call; the dot products are
// dot4_rom's data rows (DotRomAir, dot.h) for biased x bytes, or
// DotRomSxAir's for int8 x bytes (Q's sx bit), started and ended by this row.
//
// The CPU row of the call (cpu.h) has the dot4_rom flag (that flag covers
// a7 = 0x1003 and 0x1004: a7's low byte is 3 or 4), reads a7 and a0 = x,
// writes a0 := out (the four output bytes, passed through its adder, so
// bytes) and sends (clk, x0..x3, out0..out3, seg, a7 low byte = 4) on
// kBusDotCall, which only this table receives with a 4 (DotCallAir receives
// 1 or 3).
//
// SOUNDNESS (one real row per received call):
// - Registers a1..a5 (cells 11..15) read at 8 clk + 6 and left unchanged
//   (kBusMemory, offline memory checking as in cpu.h): w, K, bias, mult,
//   shift pointers; and the output word Q at cell xa + nk (the word after
//   x), read at the same time (a different cell; the data rows read x's
//   words at 8 clk + 7). All are bytes (the memory bus carries bytes only).
// - Arguments: K2 = K3 = 0, K0 = 4 qk, PAIR(qk, 2 K1): K = 4 qk + 256 K1 <
//   2^15, a multiple of 4, nk = K / 4 groups; (K0 + K1) inv = 1: K != 0.
//   x0 = 4 qx, and likewise for w, bias, mult, shift, the quotients byte
//   checked in pairs: all five 4-aligned and their word cells exact (as in
//   dot.h).
// - x in guest memory: U16(16 (x2 + 2^8 x3 - 1)) gives x >= 2^16 and x <
//   2^28 + 2^16; x + K + 3 = Ex with Ex bytes and 16 Ex3 a byte (Ex < 2^28):
//   every integer here is below 2^29 < p, so [x, x + K + 4) lies in guest
//   memory. w, bias, mult and shift need no range check: every word of theirs
//   goes on kBusRom, which only the image table receives, and image words
//   lie in guest memory.
// - Sums: the row sends the chain start (seg, clk, xa, wa, 0, 0, 0, 0, 1 +
//   sx) and receives its end (seg, clk, xa + nk, wa + 4 nk, acc0..acc3, 1 +
//   sx); the tag 1 + sx keeps the chain in DotRomAir (tag 1, biased x) or
//   DotRomSxAir (tag 2, int8 x), whose rows read the weights as image words
//   (dot.h): acc_j is the exact sum of row j's K products, |acc_j| <= 2^14
//   K < 2^29. clk names the call: one ecall per cycle.
// - Q = zp | lo << 8 | hi << 16 | (pc + 2 sx) << 24: Q3 = pc + 2 sx with pc
//   and sx boolean, so both are Q3's bits (Q3 <= 3); zp, lo, hi read as
//   int8: Q_i = 128 s + l with s boolean and PAIR(2 l) (l < 128), the value
//   Q_i - 256 s. PAIR(hi - lo): lo <= hi.
// - Parameter words on kBusRom (the image's words): bias j at ba + j, mult j
//   and shift j at ma + j pc and sa + j pc. shift_j < 2^8 (bytes 1..3 zero)
//   and s2 = shift_j0 - 32 with PAIR(8 (s2 - 3), 8 s2): 3 <= s2 <= 31.
// - rnd_j = SLL(1, s2 - 1) = 2^(s2 - 1) (kBusAlu: the shift chip proves it;
//   its operands are bytes, s2 - 1 in [2, 30]).
// - Per output j (columns at kOut + kPer j):
//   * acc_j = R0 + 2^8 R1 + 2^16 R2 + 2^24 (R3 - 256 neg), neg boolean, R
//     bytes, PAIR(4 (R3 - 224 neg)): both sides are integers in [-2^29,
//     2^30) (dot.h), so R = acc_j mod 2^32.
//   * a = R + B_j mod 2^32, by 16-bit lanes with boolean carries (each side
//     below 2^18), A bytes: a = (int32)(sum + bias).
//   * top = MULH(a, mult_j) (kBusAlu: the mul chip proves it, T bytes).
//   * u = top + rnd mod 2^32 (lanes, boolean carries, U bytes).
//   * v = SRA(u, s2) (kBusAlu: the shift chip; s2 <= 31 is its own shift
//     amount). V3 = 128 sv + l, PAIR(2 l): sv is v's sign bit, so the field
//     element word(V) - 2^32 sv is the integer v, and |v| <= 2^28 as s2 >= 3.
//   * z = v + zp: an integer in [-2^28 - 128, 2^28 + 127].
//   * out: the output byte O_j comes from the CPU (bytes); O = 128 m + l
//     with m boolean and PAIR(2 l), so out = O - 256 m is O as an int8.
//   * Clamp, one case by booleans below, above (below * above = 0, inside
//     = 1 - below - above):
//       below:  out = lo and d = lo - 1 - z = D0 + 2^16 D1 with U16(D0),
//               U16(8 D1): d in [0, 2^29). An honest d is below 2^28 + 255;
//               if z >= lo, d mod p >= p - 2^28 - 255 > 2^29: z < lo.
//       above:  out = hi and d = z - hi - 1 likewise (an honest d is below
//               2^28 + 256): z > hi.
//       inside: out = z; out is in [-128, 127] and z is an integer within
//               2^29 of it, so z = out exactly; PAIR(z - lo, hi - z):
//               lo <= z <= hi. (Both PAIR entries carry the inside factor,
//               so they are 0, 0 in the other cases.)
//     lo <= hi makes exactly one case true, so out = clamp(z, lo, hi), the
//     emulator's byte.
// Padding rows: every multiplicity is `real` (0), constraints hold on the
// all-zero row (inside = 1 with out = z = 0).
//
// Columns (circuit version 13): 87 per call and 43 per output, 259 main
// columns, one row per four outputs (a block of an MLP layer is K/4
// DotRomSxAir rows, or DotRomAir rows for a layer the kernel copies, and
// one of these).
#pragma once

#include <cstdint>
#include <string>

#include "prover/rv32im/bus.h"

namespace zkvm::rv32im {

namespace dense {
inline constexpr uint32_t kCellA1 = 11;  // a1..a5: cells 11..15
inline constexpr uint32_t kRegs = 5;
inline constexpr uint32_t kAccesses = kRegs + 1;  // and the output word Q
inline constexpr uint32_t kTimeRegs = 6;  // t = 8 clk + 6, also Q's (dot.h: x at + 7, weights on the rom bus)
inline constexpr uint32_t kCallTag = 4;   // the kBusDotCall tag: a7's low byte
inline constexpr uint32_t kTwo32 = static_cast<uint32_t>((uint64_t{1} << 32) % field::Fp::kModulus);
}  // namespace dense

class DenseCallAir : public SegTaggedAir<DenseCallAir> {
 public:
  // Per output, at kOut + kPer j.
  enum Per : size_t {
    kPR, kPNeg = kPR + 4, kPA, kPCa = kPA + 4, kPT = kPCa + 2, kPU = kPT + 4, kPCu = kPU + 4, kPV = kPCu + 2,
    kPSv = kPV + 4, kPBelow, kPAbove, kPD, kPM = kPD + 2,
    kPMult, kPShift = kPMult + 4, kPRnd = kPShift + 4, kPer = kPRnd + 4
  };
  enum Col : size_t {
    kIsReal, kClk,
    kX, kO = kX + 4,                  // a0 before (x) and after (out0..3 bytes)
    kWp = kO + 4, kK = kWp + 4, kBp = kK + 4, kMp = kBp + 4, kSp = kMp + 4,  // a1..a5
    kQx = kSp + 4, kQw, kQb, kQm, kQs, kQk, kInv,
    kQ,                               // the output word at x + K: zp, lo, hi, pc
    kEx = kQ + 4,
    kAcc = kEx + 4,
    kBias = kAcc + 4,                 // bias word j at kBias + 4 j
    kSz = kBias + 16, kSl, kSh,       // sign bits of zp, lo, hi
    kSx,                              // Q's sx bit: int8 x bytes (DotRomSxAir's chain)
    kTp, kLo = kTp + dense::kAccesses, kHi = kLo + dense::kAccesses,
    kOut = kHi + dense::kAccesses,
    kWidth = kOut + 4 * kPer
  };
  std::string name() const override { return "rv32im-densecall"; }

  template <class B>
  void constraints(B& b) const {
    using E = typename B::Expr;
    auto c = [&](size_t i) { return b.main(i); };
    const E real = c(kIsReal), seg = b.pub(kPubSeg), one = b.lit(1), zero = b.lit(0);
    auto word = [&](size_t col) { return word_of_bytes(b, c, col); };
    auto lane = [&](size_t col, size_t k) { return c(col + 2 * k) + b.lit(256) * c(col + 2 * k + 1); };
    auto pair = [&](const E& x, const E& y) { b.send(kBusBytePair, {x, y}, real); };
    b.assert_bool("is_real is boolean", real);
    b.receive(kBusDotCall,
              {c(kClk), c(kX), c(kX + 1), c(kX + 2), c(kX + 3), c(kO), c(kO + 1), c(kO + 2), c(kO + 3), seg,
               b.lit(dense::kCallTag)},
              real);

    // --- arguments --------------------------------------------------------------------
    b.assert_zero("K < 2^16", c(kK + 2));
    b.assert_zero("K < 2^16", c(kK + 3));
    b.assert_eq("K is a multiple of 4", c(kK), b.lit(4) * c(kQk));
    pair(c(kQk), b.lit(2) * c(kK + 1));  // K1 < 128: K < 2^15
    b.assert_eq("K is not 0", (c(kK) + c(kK + 1)) * c(kInv), real);
    b.assert_eq("x is 4-aligned", c(kX), b.lit(4) * c(kQx));
    b.assert_eq("w is 4-aligned", c(kWp), b.lit(4) * c(kQw));
    b.assert_eq("bias is 4-aligned", c(kBp), b.lit(4) * c(kQb));
    b.assert_eq("mult is 4-aligned", c(kMp), b.lit(4) * c(kQm));
    b.assert_eq("shift is 4-aligned", c(kSp), b.lit(4) * c(kQs));
    pair(c(kQx), c(kQw));
    pair(c(kQb), c(kQm));
    pair(c(kQs), zero);
    auto cell = [&](size_t col, size_t q) {
      return c(q) + b.lit(64) * c(col + 1) + b.lit(1u << 14) * c(col + 2) + b.lit(1u << 22) * c(col + 3);
    };
    const E xa = cell(kX, kQx), wa = cell(kWp, kQw), ba = cell(kBp, kQb), ma = cell(kMp, kQm), sa = cell(kSp, kQs);
    const E nk = c(kQk) + b.lit(64) * c(kK + 1);
    b.send(kBusU16, {b.lit(16) * (c(kX + 2) + b.lit(256) * c(kX + 3) - one)}, real);
    b.assert_zero("x buffer end Ex = x + K + 3",
                  real * (word(kX) + c(kK) + b.lit(256) * c(kK + 1) + b.lit(3) - word(kEx)));
    pair(c(kEx), c(kEx + 1));
    pair(c(kEx + 2), c(kEx + 3));
    pair(b.lit(16) * c(kEx + 3), zero);

    // --- the sums: dot4_rom's data rows from (xa, wa, 0) to (xa + nk, wa + 4 nk, acc) ---
    // Chain tag 1 + sx: DotRomAir's rows (biased x) or DotRomSxAir's (int8 x).
    const E sx = c(kSx), tag = one + sx;
    b.send(kBusDotChain, {seg, c(kClk), xa, wa, zero, zero, zero, zero, tag}, real);
    b.receive(kBusDotChain,
              {seg, c(kClk), xa + nk, wa + b.lit(4) * nk, c(kAcc), c(kAcc + 1), c(kAcc + 2), c(kAcc + 3), tag}, real);

    // --- the output word Q = zp | lo << 8 | hi << 16 | (pc + 2 sx) << 24 -----------------------
    const E pc = c(kQ + 3) - b.lit(2) * sx;
    b.assert_bool("sx is boolean", sx);
    b.assert_bool("pc is boolean", pc);
    b.assert_bool("zp sign is boolean", c(kSz));
    b.assert_bool("lo sign is boolean", c(kSl));
    b.assert_bool("hi sign is boolean", c(kSh));
    auto low7 = [&](size_t col, size_t sign) { return b.lit(2) * (c(col) - b.lit(128) * c(sign)); };
    auto int8 = [&](size_t col, size_t sign) { return c(col) - b.lit(256) * c(sign); };
    const E zp = int8(kQ, kSz), lo = int8(kQ + 1, kSl), hi = int8(kQ + 2, kSh);
    pair(low7(kQ, kSz), low7(kQ + 1, kSl));
    pair(low7(kQ + 2, kSh), hi - lo);  // lo <= hi

    // --- each output ----------------------------------------------------------------------
    for (size_t j = 0; j < 4; ++j) {
      const size_t o = kOut + kPer * j;
      auto p = [&](size_t k) { return c(o + k); };
      const E jj = b.lit(static_cast<uint32_t>(j));
      // Its parameter words: bias j, and mult and shift at +4 j pc (image words).
      auto rom = [&](const E& at, size_t col) { b.send(kBusRom, {at, c(col), c(col + 1), c(col + 2), c(col + 3)}, real); };
      rom(ba + jj, kBias + 4 * j);
      rom(ma + jj * pc, o + kPMult);
      rom(sa + jj * pc, o + kPShift);
      // shift = s2 + 32 with 3 <= s2 <= 31; rnd = SLL(1, s2 - 1) = 2^(s2 - 1).
      b.assert_zero("shift < 2^8", p(kPShift + 1));
      b.assert_zero("shift < 2^8", p(kPShift + 2));
      b.assert_zero("shift < 2^8", p(kPShift + 3));
      const E s2 = p(kPShift) - b.lit(32);
      pair(b.lit(8) * (s2 - b.lit(3)), b.lit(8) * s2);
      b.send(kBusAlu,
             {b.lit(op_id(vm::Op::SLL)), one, zero, zero, zero, s2 - one, zero, zero, zero, p(kPRnd), p(kPRnd + 1),
              p(kPRnd + 2), p(kPRnd + 3)},
             real);
      // R = acc mod 2^32.
      b.assert_bool("neg is boolean", p(kPNeg));
      b.assert_eq("R is acc mod 2^32", c(kAcc + j),
                  p(kPR) + b.lit(1u << 8) * p(kPR + 1) + b.lit(1u << 16) * p(kPR + 2) +
                      b.lit(1u << 24) * (p(kPR + 3) - b.lit(256) * p(kPNeg)));
      pair(p(kPR), p(kPR + 1));
      pair(p(kPR + 2), p(kPR + 3));
      pair(b.lit(4) * (p(kPR + 3) - b.lit(224) * p(kPNeg)), zero);
      // a = R + bias mod 2^32; u = top + rnd mod 2^32: 16-bit lanes with carries.
      auto add = [&](const char* what, size_t x, size_t y, size_t s, size_t carry) {
        for (size_t k = 0; k < 2; ++k) {
          b.assert_bool("carry is boolean", p(carry + k));
          const E cin = k == 0 ? zero : p(carry);
          b.assert_zero(what, lane(x, k) + lane(y, k) + cin - lane(s, k) - b.lit(1u << 16) * p(carry + k));
        }
        pair(c(s), c(s + 1));
        pair(c(s + 2), c(s + 3));
      };
      add("a is sum + bias", o + kPR, kBias + 4 * j, o + kPA, kPCa);
      b.send(kBusAlu,
             {b.lit(op_id(vm::Op::MULH)), p(kPA), p(kPA + 1), p(kPA + 2), p(kPA + 3), p(kPMult), p(kPMult + 1),
              p(kPMult + 2), p(kPMult + 3), p(kPT), p(kPT + 1), p(kPT + 2), p(kPT + 3)},
             real);
      add("u is top + rnd", o + kPT, o + kPRnd, o + kPU, kPCu);
      b.send(kBusAlu,
             {b.lit(op_id(vm::Op::SRA)), p(kPU), p(kPU + 1), p(kPU + 2), p(kPU + 3), s2, zero, zero, zero, p(kPV),
              p(kPV + 1), p(kPV + 2), p(kPV + 3)},
             real);
      // z = v + zp, out = O as an int8.
      b.assert_bool("sign of v is boolean", p(kPSv));
      b.assert_bool("sign of out is boolean", p(kPM));
      pair(b.lit(2) * (p(kPV + 3) - b.lit(128) * p(kPSv)), b.lit(2) * (c(kO + j) - b.lit(128) * p(kPM)));
      const E z = word(o + kPV) - b.lit(dense::kTwo32) * p(kPSv) + zp;
      const E out = c(kO + j) - b.lit(256) * p(kPM);
      // clamp(z, lo, hi).
      const E below = p(kPBelow), above = p(kPAbove), inside = one - below - above;
      b.assert_bool("below is boolean", below);
      b.assert_bool("above is boolean", above);
      b.assert_zero("below and above exclude each other", below * above);
      b.assert_zero("below: out is lo", below * (out - lo));
      b.assert_zero("above: out is hi", above * (out - hi));
      b.assert_zero("inside: out is z", inside * (out - z));
      b.assert_zero("the clamp's distance", below * (lo - one - z) + above * (z - hi - one) - p(kPD) -
                                                b.lit(1u << 16) * p(kPD + 1));
      b.send(kBusU16, {p(kPD)}, real);
      b.send(kBusU16, {b.lit(8) * p(kPD + 1)}, real);
      pair(inside * (z - lo), inside * (hi - z));
    }

    // --- memory: registers a1..a5 and Q (at x + K), read and left as they are ---------------
    const E t = b.lit(8) * c(kClk) + b.lit(dense::kTimeRegs);
    for (size_t k = 0; k < dense::kAccesses; ++k) {
      const size_t v = k < dense::kRegs ? kWp + 4 * k : kQ;
      const E at = k < dense::kRegs ? b.lit(static_cast<uint32_t>(dense::kCellA1 + k)) : xa + nk;
      memory_access(b, c, at, v, v, kTp + k, t, kLo + k, kHi + k, seg, real, real);
    }
    pair(c(kHi), c(kHi + 1));
    pair(c(kHi + 2), c(kHi + 3));
    pair(c(kHi + 4), c(kHi + 5));
  }
};

}  // namespace zkvm::rv32im
