#include "prover/rv32im/bytes.h"

#include "prover/rv32im/cpu.h"
#include "prover/rv32im/memory.h"

namespace zkvm::rv32im {

std::optional<RowMajorMatrix<Fp>> ByteTableAir::preprocessed_trace() const {
  RowMajorMatrix<Fp> m(kPreWidth, rows());  // padding rows: entry 0
  for (size_t r = 0; r < count_; ++r) {
    const size_t e = first_ + r;
    const uint32_t x = e & 0xff, y = static_cast<uint32_t>(e >> 8);
    m.at(r, kX) = Fp::from_canonical(x);
    m.at(r, kY) = Fp::from_canonical(y);
    m.at(r, kZ) = Fp::from_canonical(x ^ y);
  }
  return m;
}

std::string ByteTableAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }
std::string CpuAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }
std::string MemoryAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }
std::string BoundaryAir::bus_name(uint32_t bus) const { return rv32im_bus_name(bus); }

void ByteCounts::add(const ByteCounts& o) {
  for (size_t i = 0; i < kRows; ++i) {
    pair_[i] += o.pair_[i];
    xor_[i] += o.xor_[i];
    u16_[i] += o.u16_[i];
  }
}

void ByteCounts::clear() {
  std::fill(pair_.begin(), pair_.end(), 0u);
  std::fill(xor_.begin(), xor_.end(), 0u);
  std::fill(u16_.begin(), u16_.end(), 0u);
}

RowMajorMatrix<Fp> ByteCounts::trace(const ByteTableAir& table) const {
  RowMajorMatrix<Fp> m(ByteTableAir::kWidth, table.rows());
  for (size_t r = 0; r < table.count(); ++r) {
    const size_t e = table.first() + r;
    m.at(r, ByteTableAir::kMPair) = Fp::from_u64(pair_[e]);
    m.at(r, ByteTableAir::kMXor) = Fp::from_u64(xor_[e]);
    m.at(r, ByteTableAir::kMU16) = Fp::from_u64(u16_[e]);
  }
  return m;
}

std::string rv32im_bus_name(uint32_t bus) {
  switch (bus) {
    case kBusBytePair: return "byte pair";
    case kBusByteXor: return "byte xor";
    case kBusU16: return "u16 range";
    case kBusAlu: return "alu";
    case kBusProgram: return "program";
    case kBusMemory: return "memory";
    case kBusIoCall: return "io call";
    case kBusJournal: return "journal";
    case kBusHandoff: return "handoff";
    case kBusDotCall: return "dot4 call";
    case kBusDotChain: return "dot4 chain";
    case kBusShaCall: return "sha256 call";
    case kBusShaInit: return "sha256 init";
    case kBusShaFinal: return "sha256 final";
    case kBusShaConst: return "sha256 constants";
    case kBusRom: return "rom";
    case kBusGap: return "image gap";
    default: return "bus " + std::to_string(bus);
  }
}

}  // namespace zkvm::rv32im
