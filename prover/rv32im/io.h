// The IO table: the `read` (a7 = 63) and `write` (a7 = 64) ecalls
// (guest-abi.md "System calls"; vm/src/executor.h `syscall`). One header row
// per call, then one row per guest word the call touches (reads: the words of
// [buf, buf + n); journal writes: the words of [buf, buf + len); log writes
// to fd 1/2: none), then padding (all zero but jpos and eof).
//
// Receives (bus.h): kBusIoCall (clk, is_read, fd, n0..n3) once per header.
//   Assumed of the CPU (cpu.h): it sends exactly one such tuple per read/write
//   ecall, with distinct clk < 2^24, is_read boolean, fd = 0 for reads and
//   fd < 256 for writes, n = the a0 it writes back, n_i bytes. The IO table
//   proves everything else the emulator does for the call.
// Memory (kBusMemory; every access consumes (cell, old, tp) and produces
//   (cell, new, t) with t - tp - 1 = lo + 2^16 hi, lo U16, hi a byte, so
//   tp < t; offline memory checking as in cpu.h):
//   header: a1 (cell 11) at 8 clk + 5 -> buf = V, unchanged (New = V);
//           a2 (cell 12) at 8 clk + 6 -> len, unchanged;
//   word:   cell addr at 8 clk + 7, old V, new New.
//   Register values (buf, len) and the old words are bytes by the bus
//   invariant (every value produced on kBusMemory is bytes); New is pair-
//   checked on word rows, so this table keeps the invariant.
// Sends kBusJournal (pos, byte) for every byte of an fd-3 write, pos = the
//   running counter jpos (the segment's public start position on the first
//   row, += bytes sent on each journal word row, = its public end position
//   on the last row; segments chain them from 0 to L, segment.h); the
//   statement receives (pos, journal[pos]) for pos < L as public boundary
//   terms (journal_terms), so the bytes sent are exactly the public
//   journal, in order.
//   (Sent positions are consecutive from jpos on the first row, so the
//   multiset alone forces 0 .. L-1; the first/last-row checks are guards.)
//
// SOUNDNESS (header; all range checks are on expressions of proven bytes,
// so they are exact integers well below p before they are looked up):
// - Kind: rd, jr (fd 3), lg (fd 1/2) boolean with rd + jr + lg = 1; rd = the
//   bus's is_read; rd => fd = 0, jr => fd = 3, lg => (fd - 1)(fd - 2) = 0. So
//   every write has fd in {1, 2, 3} (the emulator faults on any other).
// - n: writes n = len bytewise. PAIR(16 n3, 16 len3): n, len < 2^28.
//   Reads: len - n = G0 + 2^8 G1 + 2^16 G2 + 2^24 G3, G bytes (two PAIRs),
//   PAIR(16 E3, 16 G3): G3 < 16. len - n is in (-2^28, 2^28) and a negative
//   one would be p - |.| > 2^28: so 0 <= n <= len (writes: G = 0).
// - Buffer (only when nz = [len != 0]; nz, inv: nz = lsum inv, lsum (1 - nz)
//   = 0, inv (1 - nz) = 0 with lsum = sum len_i): U16(16 (buf_hi - 1)) with
//   buf_hi = V2 + 256 V3: buf in [2^16, 2^28 + 2^16) (no wrap mod p);
//   buf + len - 1 = E (bytes E0..E3, two PAIRs, E3 < 16): buf + len <= 2^28.
//   Together: 0x10000 <= buf and buf + len <= 0x10000000, as buffer_in_guest.
// - Words: cnt = rd n + jr len (exact). hw (boolean): (1 - hw) cnt = 0, and a
//   header is followed by a word row iff hw. end = buf + cnt - 1. The header's
//   S (one-hot) is buf mod 4 with buf0 = 4 q0 + o, q0 PAIR-checked (a byte),
//   and addr = buf / 4 - 1 exactly.
// SOUNDNESS (word rows): lanes s..l of the word are the call's bytes, with S,
//   L one-hot (s, l), e_i = [s <= i] - [l < i] and e_s = 1 (so l >= s and
//   every e_i is 0/1: the run s..l, k = sum e_i >= 1 bytes). The first word
//   of a call has addr = buf / 4 and s = buf mod 4 (copied from the header);
//   each next word has addr + 1 and s = 0; a word before the last has l = 3;
//   the last has 4 addr + l = end. Integers here are below 2^30 < p, so the
//   rows cover exactly [buf, buf + cnt): no word skipped, none extra, and
//   hw = 1 with cnt = 0 is impossible (it would need l = s - 1). A mid word
//   is followed by a word, the last one is not, padding only by padding, the
//   first row is not a word, and the table ends outside a call.
// - (1 - rw e_i)(New_i - V_i) = 0 (rw = read word row): only the buffer bytes
//   of a read change (the private input: free but PAIR-checked bytes); a
//   write's words and the register accesses keep their value.
// - Calls are in cycle order: on a transition into a header, clk' - clk - 1
//   = dlo + 2^16 dhi (U16, byte), so the journal is in execution order.
// - Every column of a real row is fixed by the above (header-only columns are
//   0 on other rows), so the trace of an execution is unique but for the
//   private input bytes.
//
// - End of input: once a read has returned less than its len, every later
//   read returns 0 (eof column, carried on every row), as the ABI's host
//   does: no execution in which a short read is followed by more input. The
//   flag enters a segment as a public value and leaves as another
//   (after the last row's own short read), chained by the verifier.
//
// Columns: main 59 (kind 3, call 4, header-only 28, shared 24; Col below).
// LogUp: 21 interactions (IoCall 1, memory 4, journal 4, PAIR 8, U16 4; the
// PAIR slots P1, P2 check (16 n3, 16 len3), (q0, dhi) on headers and the new
// word's bytes on word rows) + 1 running sum = 22 Fp4 = 88 base columns.
// Max constraint degree 3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "prover/air/air.h"
#include "prover/rv32im/bus.h"
#include "prover/rv32im/bytes.h"
#include "prover/rv32im/memstate.h"
#include "zkvm/vm/trace.h"

namespace zkvm::rv32im {

namespace io {
enum Col : size_t {
  // Row kind: header, word row, last word row of its call.
  kHdr, kWord, kLast,
  // Call columns, copied from the header to its word rows.
  kClk, kRd, kJr, kEnd,
  // Header only (0 on other rows).
  kLg, kFd, kN, kLen = kN + 4, kNz = kLen + 4, kInv, kHw, kQ0, kE, kG = kE + 4, kTp2 = kG + 4, kLo2, kHi2, kDlo,
  kDhi, kGinv,
  // Shared: header (a1 access; buf) and word rows (the word access).
  kAddr, kS, kL = kS + 4, kV = kL + 4, kNew = kV + 4, kTp1 = kNew + 4, kLo1, kHi1, kJw, kRw, kJpos,
  // Every row: the input was exhausted by an earlier short read.
  kEof,
  kWidth
};
inline constexpr uint32_t kCellA1 = 11, kCellA2 = 12;
inline constexpr uint32_t kTimeA1 = 5, kTimeA2 = 6, kTimeWords = 7;  // t = 8 clk + slot
inline constexpr uint32_t kGuestBase = 0x10000, kGuestEnd = 0x10000000;
}  // namespace io

class IoAir : public PaddedAir<IoAir> {
 public:
  // Public values (segment.h): the segment tag (memory tuples, io calls),
  // the journal position at the start and end of the segment, the eof flag
  // at the start and end. The claimed journal itself is the statement's
  // boundary terms (segment.h journal_terms).
  enum Pub : size_t { kPubSeg, kPubJStart, kPubJEnd, kPubEofIn, kPubEofOut, kNumPublics };
  std::string name() const override { return "rv32im-io"; }
  size_t width() const override { return io::kWidth; }
  size_t num_public_values() const override { return kNumPublics; }
  std::string bus_name(uint32_t bus) const override { return rv32im_bus_name(bus); }

  template <class B>
  void constraints(B& b) const {
    using namespace io;
    using E = typename B::Expr;
    auto c = [&](size_t i) { return b.main(i); };
    auto nx = [&](size_t i) { return b.main_next(i); };
    const E one = b.lit(1);
    auto word4 = [&](size_t col) {  // little-endian word of 4 byte columns
      return c(col) + b.lit(1u << 8) * c(col + 1) + b.lit(1u << 16) * c(col + 2) + b.lit(1u << 24) * c(col + 3);
    };
    const E hdr = c(kHdr), word = c(kWord), last = c(kLast);
    const E real = hdr + word, mid = word - last;
    const E rd = c(kRd), jr = c(kJr), lg = c(kLg);

    // --- row kinds and their order -------------------------------------------
    b.assert_bool("is_hdr is boolean", hdr);
    b.assert_bool("is_word is boolean", word);
    b.assert_bool("a row is one kind", real);
    b.assert_bool("last is boolean", last);
    b.assert_zero("only a word row is last", last * (one - word));
    b.when_first("the first row is not a word row", word);
    b.when_transition("padding is followed by padding", (one - real) * (nx(kHdr) + nx(kWord)));
    b.when_transition("a header is followed by a word row iff it has words", hdr * (nx(kWord) - c(kHw)));
    b.when_transition("a word before the last is followed by a word", mid * (one - nx(kWord)));
    b.when_transition("the last word ends its call", last * nx(kWord));
    b.when_last("the table does not end inside a call", mid);
    b.when_last("the table does not end before a call's words", hdr * c(kHw));

    // Header-only columns are 0 elsewhere (so every cell of a real row is fixed).
    for (size_t k = kLg; k < kAddr; ++k) b.assert_zero("header column is 0 off headers", (one - hdr) * c(k));

    // --- call kind and fd -------------------------------------------------------
    b.assert_bool("rd is boolean", rd);
    b.assert_bool("jr is boolean", jr);
    b.assert_bool("lg is boolean", lg);
    b.assert_eq("one kind per call row", rd + jr + lg, real);
    b.assert_zero("read is from fd 0", rd * c(kFd));
    b.assert_zero("journal write is to fd 3", (jr - c(kJw)) * (c(kFd) - b.lit(3)));  // header: jw = 0
    b.assert_zero("log write is to fd 1 or 2", lg * (c(kFd) - one) * (c(kFd) - b.lit(2)));
    for (size_t i = 0; i < 4; ++i) b.assert_zero("write returns len", (jr + lg) * (c(kN + i) - c(kLen + i)));
    for (size_t k : {size_t(kClk), size_t(kRd), size_t(kJr), size_t(kEnd)})
      b.when_transition("a word row carries its call's columns", nx(kWord) * (nx(k) - c(k)));
    b.receive(kBusIoCall, {c(kClk), rd, c(kFd), c(kN), c(kN + 1), c(kN + 2), c(kN + 3), b.pub(kPubSeg)}, hdr);

    // --- buffer and count (header) ----------------------------------------------
    const E buf = word4(kV), len = word4(kLen), n = word4(kN);
    const E lsum = c(kLen) + c(kLen + 1) + c(kLen + 2) + c(kLen + 3);
    const E nz = c(kNz), inv = c(kInv);
    b.assert_eq("nz = [len != 0]", nz, lsum * inv);
    b.assert_zero("nz is 1 when len != 0", lsum * (one - nz));
    b.assert_zero("inv is 0 when len = 0", inv * (one - nz));
    // SOUNDNESS: n, len < 2^28 (so n, len, len - n are exact integers).
    b.send(kBusBytePair, {b.lit(16) * c(kN + 3) + word * c(kNew), b.lit(16) * c(kLen + 3) + word * c(kNew + 1)}, real);
    // buf in [2^16, 2^28 + 2^16) when len != 0.
    b.send(kBusU16, {nz * b.lit(16) * (c(kV + 2) + b.lit(256) * c(kV + 3) - one)}, hdr);
    // buf + len - 1 = E < 2^28 when len != 0.
    b.assert_zero("buffer end E = buf + len - 1", nz * (buf + len - one - word4(kE)));
    for (size_t i = 0; i < 4; ++i) b.assert_zero("E is 0 when len = 0", (one - nz) * c(kE + i));
    // 0 <= len - n = G (reads); G = 0 for writes.
    b.assert_eq("read returns at most len: G = len - n", word4(kG), rd * (len - n));
    b.send(kBusBytePair, {c(kE), c(kE + 1)}, hdr);
    b.send(kBusBytePair, {c(kE + 2), c(kE + 3)}, hdr);
    b.send(kBusBytePair, {c(kG), c(kG + 1)}, hdr);
    b.send(kBusBytePair, {c(kG + 2), c(kG + 3)}, hdr);
    b.send(kBusBytePair, {b.lit(16) * c(kE + 3), b.lit(16) * c(kG + 3)}, hdr);
    // End of input (guest-abi.md: read returns min(len, bytes left)): a read
    // returning less than it asked for (G != 0) exhausts the input; every
    // later read returns 0. eof is 0 on the first row and turns 1 after a
    // short read (gnz = [G != 0], G = 0 off read headers), so it is boolean.
    const E gsum = c(kG) + c(kG + 1) + c(kG + 2) + c(kG + 3);
    const E gnz = gsum * c(kGinv);
    b.assert_zero("ginv is the inverse of G's byte sum", gsum * (one - gnz));
    b.assert_zero("ginv is 0 when G is", c(kGinv) * (one - gnz));
    b.when_first("the input state at the start is the segment's", c(kEof) - b.pub(kPubEofIn));
    b.when_transition("eof turns on after a short read", nx(kEof) - c(kEof) - (one - c(kEof)) * gnz);
    // The table ends in a padding row (so after every call's own short read),
    // which carries the flag the segment hands on.
    b.when_last("the table ends in padding", real);
    b.when_last("the input state at the end is the segment's", c(kEof) - b.pub(kPubEofOut));
    b.assert_zero("a read after a short read returns 0", c(kEof) * rd * n);
    // Words: cnt bytes from buf.
    const E cnt = rd * n + jr * len;
    b.assert_bool("hw is boolean", c(kHw));
    b.assert_zero("a call with bytes has words", (one - c(kHw)) * cnt);
    b.assert_zero("end = buf + cnt - 1", hdr * (c(kEnd) - buf - cnt + one));
    E s_index = b.lit(0), l_index = b.lit(0);
    for (size_t j = 0; j < 4; ++j) {
      s_index = s_index + b.lit(static_cast<uint32_t>(j)) * c(kS + j);
      l_index = l_index + b.lit(static_cast<uint32_t>(j)) * c(kL + j);
    }
    b.assert_zero("buf0 = 4 q0 + buf mod 4", hdr * (c(kV) - b.lit(4) * c(kQ0) - s_index));
    b.assert_zero("header addr = buf / 4 - 1",
                  hdr * (c(kAddr) + one - c(kQ0) - b.lit(64) * c(kV + 1) - b.lit(1u << 14) * c(kV + 2) -
                         b.lit(1u << 22) * c(kV + 3)));

    // --- word rows: the lanes s..l ---------------------------------------------------
    E s_sum = b.lit(0), l_sum = b.lit(0);
    for (size_t j = 0; j < 4; ++j) {
      b.assert_bool("S is boolean", c(kS + j));
      b.assert_bool("L is boolean", c(kL + j));
      s_sum = s_sum + c(kS + j);
      l_sum = l_sum + c(kL + j);
    }
    b.assert_eq("S is one-hot on call rows", s_sum, real);
    b.assert_eq("L is one-hot on word rows", l_sum, word);
    E e[4];
    E pre_s = b.lit(0), pre_l = b.lit(0), covers = b.lit(0), k = b.lit(0);
    for (size_t i = 0; i < 4; ++i) {
      pre_s = pre_s + c(kS + i);
      e[i] = pre_s - pre_l;  // [s <= i] - [l < i]
      pre_l = pre_l + c(kL + i);
      covers = covers + c(kS + i) * e[i];
      k = k + e[i];
    }
    b.assert_eq("a row covers its start lane (l >= s)", covers, real);
    b.assert_zero("a word before the last ends at lane 3", mid * (one - c(kL + 3)));
    b.assert_zero("the last word ends at the call's last byte", last * (b.lit(4) * c(kAddr) + l_index - c(kEnd)));
    b.when_transition("words are consecutive", nx(kWord) * (nx(kAddr) - c(kAddr) - one));
    for (size_t j = 0; j < 4; ++j)
      b.when_transition("the first word starts at buf, the others at lane 0",
                        nx(kWord) * (nx(kS + j) - hdr * c(kS + j) - (j == 0 ? word : b.lit(0))));
    b.assert_eq("jw = journal word row", c(kJw), word * jr);
    b.assert_eq("rw = read word row", c(kRw), word * rd);
    for (size_t i = 0; i < 4; ++i)
      b.assert_zero("only a read's buffer bytes change", (one - c(kRw) * e[i]) * (c(kNew + i) - c(kV + i)));
    // SOUNDNESS: a read's new bytes are bytes (the private input).
    b.send(kBusBytePair, {c(kQ0) + word * c(kNew + 2), c(kDhi) + word * c(kNew + 3)}, real);

    // --- memory accesses ----------------------------------------------------------
    const E t_base = b.lit(8) * c(kClk);
    const E cell1 = b.lit(kCellA1) * hdr + word * c(kAddr);
    const E t1 = t_base + b.lit(kTimeA1) + b.lit(kTimeWords - kTimeA1) * word;
    const E seg = b.pub(kPubSeg);
    b.receive(kBusMemory, {cell1, c(kV), c(kV + 1), c(kV + 2), c(kV + 3), c(kTp1), seg}, real);
    b.send(kBusMemory, {cell1, c(kNew), c(kNew + 1), c(kNew + 2), c(kNew + 3), t1, seg}, real);
    b.assert_zero("access time is after the previous one",
                  real * (t1 - c(kTp1) - one - c(kLo1) - b.lit(1u << 16) * c(kHi1)));
    const E t2 = t_base + b.lit(kTimeA2);
    b.receive(kBusMemory, {b.lit(kCellA2), c(kLen), c(kLen + 1), c(kLen + 2), c(kLen + 3), c(kTp2), seg}, hdr);
    b.send(kBusMemory, {b.lit(kCellA2), c(kLen), c(kLen + 1), c(kLen + 2), c(kLen + 3), t2, seg}, hdr);
    b.assert_zero("a2 access time is after the previous one",
                  hdr * (t2 - c(kTp2) - one - c(kLo2) - b.lit(1u << 16) * c(kHi2)));
    b.send(kBusU16, {c(kLo1)}, real);
    b.send(kBusU16, {c(kLo2)}, hdr);
    b.send(kBusBytePair, {c(kHi1), c(kHi2)}, real);

    // --- call order ------------------------------------------------------------------
    b.when_transition("calls are in cycle order",
                      nx(kHdr) * (nx(kClk) - c(kClk) - one - nx(kDlo) - b.lit(1u << 16) * nx(kDhi)));
    b.when_first("the first call has no predecessor", c(kDlo));
    b.when_first("the first call has no predecessor", c(kDhi));
    b.send(kBusU16, {c(kDlo)}, hdr);

    // --- journal ------------------------------------------------------------------------
    // SOUNDNESS: lane i of a journal word is byte jpos + (active lanes before i).
    E before = b.lit(0);
    for (size_t i = 0; i < 4; ++i) {
      b.send(kBusJournal, {c(kJpos) + before, c(kV + i)}, c(kJw) * e[i]);
      before = before + e[i];
    }
    b.when_first("the journal starts at the segment's position", c(kJpos) - b.pub(kPubJStart));
    b.when_transition("jpos counts journal bytes", nx(kJpos) - c(kJpos) - c(kJw) * k);
    b.when_last("the journal ends at the segment's position", c(kJpos) + c(kJw) * k - b.pub(kPubJEnd));
  }
};

// Witness generation. The CPU generator calls add_call for every read/write
// ecall in time order, right after the ecall's CPU row, sharing one
// MemoryState and one ByteCounts; it checks the call against the emulator's
// semantics (a record the emulator cannot produce is a logic_error).
class IoBuilder {
 public:
  // rec/data as in vm::SyscallRecord / TraceChunk::syscall_data (docs/TRACE.md).
  void add_call(const vm::SyscallRecord& rec, std::span<const uint8_t> data, MemoryState& mem, ByteCounts& bytes);
  // Pads to a power of two >= min_rows (padding rows look nothing up).
  RowMajorMatrix<Fp> trace(size_t min_rows, ByteCounts& bytes);
  // A new segment starting at global cycle `start_cycle`: the table starts
  // empty (calls' clk are local to it); the journal and eof carry over.
  void start_segment(uint64_t start_cycle) {
    cells_.clear();
    any_call_ = false;
    last_clk_ = 0;
    start_cycle_ = start_cycle;
  }
  bool eof() const { return eof_; }
  size_t journal_len() const { return journal_.size(); }
  const std::vector<uint8_t>& journal() const { return journal_; }

 private:
  std::vector<Fp> cells_;  // rows of io::kWidth
  std::vector<uint8_t> journal_;
  bool any_call_ = false;
  bool eof_ = false;  // a read returned less than asked
  uint64_t last_clk_ = 0;
  uint64_t start_cycle_ = 0;
};

}  // namespace zkvm::rv32im
