// The memory table of a segment: one row per memory cell the segment
// touches (registers 0..31 and guest words, by their kBusMemory address),
// strictly ascending by address, then padding (is_real = 0). And the
// boundary table: one row per cell of the whole execution (touched, or in
// the image), in the last segment only.
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
//   seg). The boundary table (below) sends (addr, v0, 0) and receives (addr,
//   vf, sf) once per cell, in one segment only. Per cell, every token sent
//   is received once: the rows of the cell (one per segment that touches it,
//   distinct tags) and the boundary's one pair form a single chain from the
//   initial word through the segments in increasing tag order (a receiver's
//   tag is below its own, so there is no cycle, and with one source there is
//   one chain) to the final word. So each segment starts from the word the
//   previous segment touching the cell left (a value stored in segment 3 and
//   loaded in segment 7 is the value stored), the first from the initial
//   memory.
// - fin and fin_t are whatever the last access left; they need no range
//   checks (they match a produced token). init matches a token produced by
//   the boundary table (bytes by the image table or 0) or by a memory row.
//
// SOUNDNESS contract (boundary table; active = public, 1 in the last
// segment only, set by the verifier):
// - Real rows only where active: so the rows of one statement are those of
//   one table, addresses distinct (the same ascending check as above).
// - in_image rows send (addr, v0) on kBusImage, which the image table
//   receives once per image word (in the active segment only, program.h):
//   every image word has a row and starts with its loaded value (addresses
//   are distinct, so once); every other cell (in_image = 0) starts at 0, as
//   the ABI says.
// - vf, sf: whatever the last segment touching the cell left (sf = 0 and
//   vf = v0 for an image word no segment touches).
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
  enum Col : size_t { kIsReal, kAddr, kV0, kVf = kV0 + 4, kSf = kVf + 4, kInImage, kALo, kAK, kDLo, kDK, kWidth };
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
    for (size_t i = 0; i < 4; ++i) b.assert_zero("a cell outside the image starts at 0", (one - c(kInImage)) * c(kV0 + i));
    b.send(kBusHandoff, {c(kAddr), c(kV0), c(kV0 + 1), c(kV0 + 2), c(kV0 + 3), b.lit(0)}, is_real);
    b.receive(kBusHandoff, {c(kAddr), c(kVf), c(kVf + 1), c(kVf + 2), c(kVf + 3), c(kSf)}, is_real);
    b.send(kBusImage, {c(kAddr), c(kV0), c(kV0 + 1), c(kV0 + 2), c(kV0 + 3)}, c(kInImage));
  }
};

}  // namespace zkvm::rv32im
