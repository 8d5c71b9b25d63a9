#include "prover/rv32im/segment.h"

#include "prover/rv32im/alu.h"
#include "prover/rv32im/cpu.h"
#include "prover/rv32im/io.h"
#include "prover/rv32im/memory.h"
#include "prover/rv32im/program.h"
#include "prover/rv32im/witness.h"

namespace zkvm::rv32im {

using field::Fp;

uint32_t cpu_main_rows(uint32_t cycles) {
  return static_cast<uint32_t>(main_table_rows(cycles, 1, kMinTableRows));
}

std::vector<std::vector<Fp>> segment_publics(const SegmentInfo& s) {
  auto u = [](uint64_t v) { return Fp::from_u64(v); };
  std::vector<std::vector<Fp>> p(kNumTables);
  // The main CPU table, and the overflow table when the segment is split:
  // the main table ends (not halting) at split_pc after c1 cycles, the
  // overflow table starts there with clk c1 and ends as the segment does.
  // An absent overflow table's publics are zeros.
  const uint32_t c1 = cpu_main_rows(s.cycles);
  const bool split = c1 < s.cycles;
  auto cpu_publics = [&](uint32_t start_pc, uint32_t start_clk, uint32_t cycles, bool halts, uint32_t end_pc) {
    std::vector<Fp> v(cpu::kNumPublics);
    v[cpu::kPubStartPc] = u(start_pc);
    v[cpu::kPubExitCode] = u(halts ? s.exit_code : 0);
    v[cpu::kPubCycles] = u(cycles);
    v[cpu::kPubHalted] = u(halts);
    v[cpu::kPubEndPc] = u(end_pc);
    v[cpu::kPubStartCycle] = u(s.start_cycle);
    v[cpu::kPubSeg] = u(s.tag());
    v[cpu::kPubStartClk] = u(start_clk);
    return v;
  };
  p[kTableCpu] = split ? cpu_publics(s.start_pc, 0, c1, false, s.split_pc)
                       : cpu_publics(s.start_pc, 0, s.cycles, s.last, s.end_pc);
  p[kTableCpuX] = split ? cpu_publics(s.split_pc, c1, s.cycles, s.last, s.end_pc) : std::vector<Fp>(cpu::kNumPublics);
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
  p[kTableDense] = {u(s.tag())};
  p[kTableDotRomSx] = {u(s.tag())};
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
