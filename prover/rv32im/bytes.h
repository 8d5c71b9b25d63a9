// The byte table: 2^16 preprocessed entries that serve every chip's byte
// range checks, XOR lookups and 16-bit range checks.
//
// Entry e: preprocessed x = e mod 256, y = e / 256, z = x XOR y; main
// columns m_pair, m_xor, m_u16 = how often the entry is looked up on each
// bus. The circuit splits the entries over two tables (kBytesMain, then the
// last kZkFreeRows in a 256-row tail) so that both end in padding rows and
// zero knowledge can use random rows (docs/STARK.md "Zero knowledge: random
// rows"): padding rows hold the tuples of entry 0 with multiplicity 0.
// Receives: kBusBytePair (x, y) with m_pair, kBusByteXor (x, y, z) with
// m_xor, kBusU16 (x + 256 y) with m_u16.
// SOUNDNESS: the tuples received are exactly the valid ones (preprocessed,
// fixed by the verifying key); the multiplicities are free, so a send of a
// tuple outside the table leaves the bus unbalanced. Multiplicities are
// counts below 2^32 << p, so the LogUp sum cannot wrap.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "prover/air/air.h"
#include "prover/rv32im/bus.h"

namespace zkvm::rv32im {

using field::Fp;
using matrix::RowMajorMatrix;

class ByteTableAir : public air::AirBase<ByteTableAir> {
 public:
  static constexpr size_t kLogHeight = 16;
  static constexpr size_t kEntries = size_t{1} << kLogHeight;
  enum Col : size_t { kMPair, kMXor, kMU16, kWidth };
  enum PreCol : size_t { kX, kY, kZ, kPreWidth };
  // The whole table: all 2^16 entries in 2^16 rows, no padding (chip tests).
  ByteTableAir() = default;
  // Entries [first, first + count) in rows 0 .. count - 1 of 2^log_height
  // rows, padding after them (declared as zk free rows).
  ByteTableAir(std::string name, size_t first, size_t count, unsigned log_height)
      : name_(std::move(name)), first_(first), count_(count), log_height_(log_height) {}
  size_t first() const { return first_; }
  size_t count() const { return count_; }
  size_t rows() const { return size_t{1} << log_height_; }
  std::string name() const override { return name_; }
  size_t zk_free_rows() const override { return rows() - count_; }
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

 private:
  std::string name_ = "rv32im-bytes";
  size_t first_ = 0, count_ = kEntries;
  unsigned log_height_ = kLogHeight;
};

// The circuit's two byte tables: entries 0 .. kBytesMain - 1 in 2^16 rows,
// the last kZkFreeRows entries in 256 rows; each ends in kZkFreeRows rows
// of padding.
inline constexpr size_t kBytesMain = ByteTableAir::kEntries - kZkFreeRows;
inline ByteTableAir circuit_bytes() { return {"rv32im-bytes", 0, kBytesMain, ByteTableAir::kLogHeight}; }
inline ByteTableAir circuit_bytes_tail() {
  return {"rv32im-bytes-tail", kBytesMain, ByteTableAir::kEntries - kBytesMain, 8};
}

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
  void clear();  // every count 0
  // The main trace of `table`: its entries' counts, zeros in its padding.
  RowMajorMatrix<Fp> trace(const ByteTableAir& table) const;
  RowMajorMatrix<Fp> trace() const { return trace(ByteTableAir()); }

 private:
  static constexpr size_t kRows = size_t{1} << ByteTableAir::kLogHeight;
  static size_t index(uint32_t x, uint32_t y) { return x >= 256 || y >= 256 ? kRows : x + 256 * y; }
  std::vector<uint32_t> pair_, xor_, u16_;
};

// Bus names shared by every RV32IM chip (checker messages).
std::string rv32im_bus_name(uint32_t bus);

}  // namespace zkvm::rv32im
