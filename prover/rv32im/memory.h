// The memory table: one row per memory cell the execution touches or the
// image holds (registers 0..31 and guest words, by their kBusMemory address),
// strictly ascending by address, then padding (is_real = 0).
//
// SOUNDNESS contract:
// - Each real row sends the cell's initial token (addr, init, 0) and receives
//   its final token (addr, fin, fin_t) on kBusMemory. With the CPU's and the
//   io table's accesses (each consuming a token and producing one with a later
//   time) the bus balances only if every cell's accesses form one chain from
//   its initial to its final token.
// - Addresses are distinct: addr < 2^26 + 2^16 (addr = alo + 2^10 ak, both
//   U16) and addr' - addr - 1 = dlo + 2^14 dk (both U16) < 2^30 + 2^16 on
//   every transition into a real row; as p - 2^27 exceeds that bound, the
//   integer difference is positive. So no cell has two initial tokens.
// - in_image rows send (addr, init) on kBusImage, which the image table
//   receives once per image word: the image cells are initialised with the
//   image, each exactly once (addresses are distinct); every other cell
//   (in_image = 0) starts at 0, as the ABI says.
// - fin and fin_t are whatever the last access left (the final state, for
//   continuations); they need no range checks (they match a produced token).
#pragma once

#include "prover/air/air.h"
#include "prover/rv32im/bus.h"

namespace zkvm::rv32im {

class MemoryAir : public air::AirBase<MemoryAir> {
 public:
  enum Col : size_t { kIsReal, kAddr, kInit, kFin = kInit + 4, kFinT = kFin + 4, kInImage, kALo, kAK, kDLo, kDK, kWidth };
  std::string name() const override { return "rv32im-memory"; }
  size_t width() const override { return kWidth; }
  std::string bus_name(uint32_t bus) const override;
  template <class B>
  void constraints(B& b) const {
    auto c = [&](size_t i) { return b.main(i); };
    auto one = b.lit(1);
    const auto is_real = c(kIsReal);
    b.assert_bool("is_real is boolean", is_real);
    b.assert_bool("in_image is boolean", c(kInImage));
    b.assert_zero("padding is not in the image", (one - is_real) * c(kInImage));
    b.when_transition("a padding row is followed by padding", (one - is_real) * b.main_next(kIsReal));
    b.assert_eq("address limbs", c(kAddr), c(kALo) + b.lit(1024) * c(kAK));
    b.when_transition("addresses ascend",
                      b.main_next(kIsReal) * (b.main_next(kAddr) - c(kAddr) - one - c(kDLo) - b.lit(1u << 14) * c(kDK)));
    for (size_t i = 0; i < 4; ++i) b.assert_zero("a cell outside the image starts at 0", (one - c(kInImage)) * c(kInit + i));
    b.send(kBusU16, {c(kALo)}, is_real);
    b.send(kBusU16, {c(kAK)}, is_real);
    b.send(kBusU16, {c(kDLo)}, is_real);
    b.send(kBusU16, {c(kDK)}, is_real);
    b.send(kBusMemory, {c(kAddr), c(kInit), c(kInit + 1), c(kInit + 2), c(kInit + 3), b.lit(0)}, is_real);
    b.receive(kBusMemory, {c(kAddr), c(kFin), c(kFin + 1), c(kFin + 2), c(kFin + 3), c(kFinT)}, is_real);
    b.send(kBusImage, {c(kAddr), c(kInit), c(kInit + 1), c(kInit + 2), c(kInit + 3)}, c(kInImage));
  }
};

}  // namespace zkvm::rv32im
