// The memory table of a segment: one row per memory cell the segment
// touches (registers 0..31 and guest words, by their kBusMemory address),
// strictly ascending by address, then padding (is_real = 0). And the
// boundary table: one row per cell the whole execution touches, in the last
// segment only.
//
// SOUNDNESS contract (memory table; seg = the segment's public tag, >= 1):
// - Each real row sends the cell's initial token (addr, init, 0, seg) and
//   receives its final token (addr, fin, fin_t, seg) on kBusMemory. With the
//   CPU's and the io table's accesses of this segment (each consuming a
//   token and producing one with a later time, all tagged seg) the bus
//   balances only if every cell's accesses in the segment form one chain
//   from its initial to its final token.
// - Addresses are distinct: addr < 2^26 + 2^16 (addr = alo + 2^10 ak, both
//   U16) and addr' - addr - 1 = dlo + 2^14 dk (both U16) < 2^30 + 2^16 on
//   every transition into a real row; as p - 2^27 exceeds that bound, the
//   integer difference is positive. So no cell has two initial tokens in a
//   segment.
// - Between segments (kBusHandoff): each real row receives (addr, init,
//   sprev) with seg - sprev - 1 in U16 (sprev < seg) and sends (addr, fin,
//   seg). Once per touched cell, in one segment only, the boundary table
//   (below) receives (addr, vf, sf) and the cell's one source, the image
//   table for an image word and the boundary row for any other cell, sends
//   (addr, v0, 0). Per cell, every token sent is received once: the rows of
//   the cell (one per segment that touches it, distinct tags), the source
//   and the boundary's receive form a single chain from the
//   initial word through the segments in increasing tag order (a receiver's
//   tag is below its own, so there is no cycle, and with one source there is
//   one chain) to the final word. So each segment starts from the word the
//   previous segment touching the cell left (a value stored in segment 3 and
//   loaded in segment 7 is the value stored), the first from the initial
//   memory.
// - fin and fin_t are whatever the last access left; they need no range
//   checks (they match a produced token). init matches a token produced by
//   the source (the image table's bytes, or 0) or by a memory row.
//
// SOUNDNESS contract (boundary table; active = public, 1 in the last
// segment only, set by the verifier). One row per cell some segment touched
// (image words no segment touches have none: circuit version 7):
// - Real rows only where active: so the rows of one statement are those of
//   one table, addresses distinct (the same ascending check as above).
// - Every row receives the cell's final token (addr, vf, sf): whatever the
//   last segment touching the cell left.
// - The cell's initial token (addr, v0, 0) has one source. An image word's
//   comes from the image table (program.h: its row sends (addr, loaded word,
//   0) when its `touched` flag is set; rows here with in_image = 1 send
//   nothing). Every other cell's comes from its row here: in_image = 0 rows
//   send (addr, 0, 0), the ABI's zero memory, and prove that addr is no
//   image word: (glo, ghi) is a row of the gap table (kBusGap: the maximal
//   ranges of cells outside the image below 2^26, preprocessed from the
//   ELF) and addr - glo = g1lo + 2^10 g1k, ghi - 1 - addr = g2lo + 2^10 g2k
//   with the four limbs U16, so both differences lie in [0, 2^26 + 2^16).
//   addr < 2^26 + 2^16 (its own limbs), glo, ghi <= 2^26, and a negative
//   difference would be at least p - 2^27 - 2^16 > 2^26 + 2^16 as a field
//   element, so glo <= addr < ghi as integers. Without this check a row could claim an
//   image word is outside the image and start it at 0 instead of its loaded
//   value (test_segments "verifier rejects a boundary row that starts an
//   image word at 0 ...": it verifies without the gap limbs' U16 sends).
// - A row with in_image = 1 at a cell that is no image word has no source
//   for its cell: nothing produces the final token it receives, so the bus
//   does not balance; such a row cannot be part of a proof.
// - Two sources for one cell cannot happen: the image table sends at most
//   once per image word (touched is boolean), and a row here sends only for
//   a cell outside the image, once (addresses distinct). Zero sources for a
//   touched cell leave its first memory row's token unmatched.
#pragma once

#include "prover/air/air.h"
#include "prover/rv32im/bus.h"

namespace zkvm::rv32im {

// Address limbs and the ascending check shared by the memory and boundary
// tables: addr = alo + 2^10 ak, addr' - addr - 1 = dlo + 2^14 dk (all U16).
template <class B, class C>
void ascending_addresses(B& b, C c, size_t is_real, size_t addr, size_t alo) {
  const size_t ak = alo + 1, dlo = alo + 2, dk = alo + 3;
  auto one = b.lit(1);
  b.when_transition("a padding row is followed by padding", (one - c(is_real)) * b.main_next(is_real));
  b.assert_eq("address limbs", c(addr), c(alo) + b.lit(1024) * c(ak));
  b.when_transition("addresses ascend",
                    b.main_next(is_real) * (b.main_next(addr) - c(addr) - one - c(dlo) - b.lit(1u << 14) * c(dk)));
  for (size_t k : {alo, ak, dlo, dk}) b.send(kBusU16, {c(k)}, c(is_real));
}

class MemoryAir : public PaddedAir<MemoryAir> {
 public:
  enum Col : size_t { kIsReal, kAddr, kInit, kFin = kInit + 4, kFinT = kFin + 4, kSPrev, kALo, kAK, kDLo, kDK, kWidth };
  enum Pub : size_t { kPubSeg, kNumPublics };
  std::string name() const override { return "rv32im-memory"; }
  size_t width() const override { return kWidth; }
  size_t num_public_values() const override { return kNumPublics; }
  std::string bus_name(uint32_t bus) const override;
  template <class B>
  void constraints(B& b) const {
    auto c = [&](size_t i) { return b.main(i); };
    auto one = b.lit(1);
    const auto is_real = c(kIsReal);
    const auto seg = b.pub(kPubSeg);
    b.assert_bool("is_real is boolean", is_real);
    ascending_addresses(b, c, kIsReal, kAddr, kALo);
    b.send(kBusU16, {seg - c(kSPrev) - one}, is_real);
    b.send(kBusMemory, {c(kAddr), c(kInit), c(kInit + 1), c(kInit + 2), c(kInit + 3), b.lit(0), seg}, is_real);
    b.receive(kBusMemory, {c(kAddr), c(kFin), c(kFin + 1), c(kFin + 2), c(kFin + 3), c(kFinT), seg}, is_real);
    b.receive(kBusHandoff, {c(kAddr), c(kInit), c(kInit + 1), c(kInit + 2), c(kInit + 3), c(kSPrev)}, is_real);
    b.send(kBusHandoff, {c(kAddr), c(kFin), c(kFin + 1), c(kFin + 2), c(kFin + 3), seg}, is_real);
  }
};

class BoundaryAir : public PaddedAir<BoundaryAir> {
 public:
  enum Col : size_t {
    kIsReal, kAddr, kVf, kSf = kVf + 4, kInImage, kALo, kAK, kDLo, kDK,
    kGLo, kGHi, kG1Lo, kG1K, kG2Lo, kG2K,  // the gap that holds addr (in_image = 0 rows)
    kWidth
  };
  enum Pub : size_t { kPubActive, kNumPublics };
  std::string name() const override { return "rv32im-boundary"; }
  size_t width() const override { return kWidth; }
  size_t num_public_values() const override { return kNumPublics; }
  std::string bus_name(uint32_t bus) const override;
  template <class B>
  void constraints(B& b) const {
    auto c = [&](size_t i) { return b.main(i); };
    auto one = b.lit(1);
    const auto is_real = c(kIsReal);
    b.assert_bool("is_real is boolean", is_real);
    b.assert_zero("rows only in the active segment", (one - b.pub(kPubActive)) * is_real);
    b.assert_bool("in_image is boolean", c(kInImage));
    b.assert_zero("padding is not in the image", (one - is_real) * c(kInImage));
    ascending_addresses(b, c, kIsReal, kAddr, kALo);
    const auto outside = is_real * (one - c(kInImage));  // a cell outside the image
    const auto zero = b.lit(0);
    b.send(kBusHandoff, {c(kAddr), zero, zero, zero, zero, zero}, outside);
    b.receive(kBusHandoff, {c(kAddr), c(kVf), c(kVf + 1), c(kVf + 2), c(kVf + 3), c(kSf)}, is_real);
    // addr lies in the gap [glo, ghi) (above).
    b.send(kBusGap, {c(kGLo), c(kGHi)}, outside);
    b.assert_zero("addr - glo = g1lo + 2^10 g1k", outside * (c(kAddr) - c(kGLo) - c(kG1Lo) - b.lit(1024) * c(kG1K)));
    b.assert_zero("ghi - 1 - addr = g2lo + 2^10 g2k",
                  outside * (c(kGHi) - one - c(kAddr) - c(kG2Lo) - b.lit(1024) * c(kG2K)));
    for (size_t k : {kG1Lo, kG1K, kG2Lo, kG2K}) b.send(kBusU16, {c(k)}, is_real);
    for (size_t k = kGLo; k <= kG2K; ++k) b.assert_zero("gap columns are 0 unless the cell is outside the image", (one - outside) * c(k));
  }
};

}  // namespace zkvm::rv32im
