#include "prover/rv32im/segment.h"

#include "prover/rv32im/cpu.h"
#include "prover/rv32im/io.h"
#include "prover/rv32im/memory.h"
#include "prover/rv32im/program.h"
#include "prover/rv32im/witness.h"

namespace zkvm::rv32im {

using field::Fp;

std::vector<std::vector<Fp>> segment_publics(const SegmentInfo& s) {
  auto u = [](uint64_t v) { return Fp::from_u64(v); };
  std::vector<std::vector<Fp>> p(kNumTables);
  p[kTableCpu].resize(cpu::kNumPublics);
  p[kTableCpu][cpu::kPubStartPc] = u(s.start_pc);
  p[kTableCpu][cpu::kPubExitCode] = u(s.last ? s.exit_code : 0);
  p[kTableCpu][cpu::kPubCycles] = u(s.cycles);
  p[kTableCpu][cpu::kPubHalted] = u(s.last);
  p[kTableCpu][cpu::kPubEndPc] = u(s.end_pc);
  p[kTableCpu][cpu::kPubStartCycle] = u(s.start_cycle);
  p[kTableCpu][cpu::kPubSeg] = u(s.tag());
  p[kTableImage] = {u(s.last)};
  p[kTableMemory] = {u(s.tag())};
  p[kTableIo].resize(IoAir::kNumPublics);
  p[kTableIo][IoAir::kPubSeg] = u(s.tag());
  p[kTableIo][IoAir::kPubJStart] = u(s.journal_start);
  p[kTableIo][IoAir::kPubJEnd] = u(s.journal_end);
  p[kTableIo][IoAir::kPubEofIn] = u(s.eof_in);
  p[kTableIo][IoAir::kPubEofOut] = u(s.eof_out);
  p[kTableBoundary] = {u(s.last)};
  p[kTableDotCall] = {u(s.tag())};
  p[kTableDot] = {u(s.tag())};
  p[kTableDotRom] = {u(s.tag())};
  p[kTableShaCall] = {u(s.tag())};
  p[kTableShaRound] = {u(s.tag())};
  p[kTableShaRoundX] = {u(s.tag())};
  return p;
}

std::vector<air::PublicInteraction> journal_terms(std::span<const uint8_t> journal) {
  std::vector<air::PublicInteraction> out;
  out.reserve(journal.size());
  for (size_t pos = 0; pos < journal.size(); ++pos)
    out.push_back(air::PublicInteraction{kBusJournal, {Fp::from_u64(pos), Fp::from_u64(journal[pos])}, Fp::one(), false});
  return out;
}

}  // namespace zkvm::rv32im
