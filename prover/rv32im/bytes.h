// The byte table: one preprocessed table of 2^16 rows that serves every
// chip's byte range checks, XOR lookups and 16-bit range checks.
//
// Row r: preprocessed x = r mod 256, y = r / 256, z = x XOR y; main columns
// m_pair, m_xor, m_u16 = how often the row is looked up on each bus.
// Receives: kBusBytePair (x, y) with m_pair, kBusByteXor (x, y, z) with
// m_xor, kBusU16 (x + 256 y) with m_u16.
// SOUNDNESS: the tuples received are exactly the valid ones (preprocessed,
// fixed by the verifying key); the multiplicities are free, so a send of a
// tuple outside the table leaves the bus unbalanced. Multiplicities are
// counts below 2^32 << p, so the LogUp sum cannot wrap.
#pragma once

#include <cstdint>
#include <vector>

#include "prover/air/air.h"
#include "prover/rv32im/bus.h"

namespace zkvm::rv32im {

using field::Fp;
using matrix::RowMajorMatrix;

class ByteTableAir : public air::AirBase<ByteTableAir> {
 public:
  static constexpr size_t kLogHeight = 16;
  enum Col : size_t { kMPair, kMXor, kMU16, kWidth };
  enum PreCol : size_t { kX, kY, kZ, kPreWidth };
  std::string name() const override { return "rv32im-bytes"; }
  size_t width() const override { return kWidth; }
  size_t preprocessed_width() const override { return kPreWidth; }
  std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const override;
  std::string bus_name(uint32_t bus) const override;
  template <class B>
  void constraints(B& b) const {
    auto x = b.pre(kX), y = b.pre(kY), z = b.pre(kZ);
    b.receive(kBusBytePair, {x, y}, b.main(kMPair));
    b.receive(kBusByteXor, {x, y, z}, b.main(kMXor));
    b.receive(kBusU16, {x + y * b.lit(256)}, b.main(kMU16));
  }
};

// Lookup counts collected by the witness generators of every chip; the byte
// table's main trace is built from them. Not thread-safe: merge per-thread
// counts with add().
class ByteCounts {
 public:
  ByteCounts() : pair_(kRows), xor_(kRows), u16_(kRows) {}
  // x, y < 256 (asserted: an out-of-range value is a witness-generation bug).
  void pair(uint32_t x, uint32_t y) { ++pair_.at(index(x, y)); }
  void xor_lookup(uint32_t x, uint32_t y) { ++xor_.at(index(x, y)); }
  void u16(uint32_t v) { ++u16_.at(v); }
  void add(const ByteCounts& o);
  RowMajorMatrix<Fp> trace() const;

 private:
  static constexpr size_t kRows = size_t{1} << ByteTableAir::kLogHeight;
  static size_t index(uint32_t x, uint32_t y) { return x >= 256 || y >= 256 ? kRows : x + 256 * y; }
  std::vector<uint32_t> pair_, xor_, u16_;
};

// Bus names shared by every RV32IM chip (checker messages).
std::string rv32im_bus_name(uint32_t bus);

}  // namespace zkvm::rv32im
