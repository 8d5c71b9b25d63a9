// One proof of an RV32IM execution: the tables of the statement (AIR
// objects of one image) and the witness generated from the emulator's trace.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "prover/air/air.h"
#include "prover/rv32im/program.h"
#include "prover/rv32im/segment.h"
#include "zkvm/vm/machine.h"

namespace zkvm::rv32im {

// Tables of the statement, in proof order.
enum Table : size_t { kTableCpu, kTableProgram, kTableImage, kTableMemory, kTableBytes,
                      kTableBitwise, kTableShift, kTableMul, kTableDiv, kTableIo, kTableBoundary,
                      kTableDotCall, kTableDot, kTableShaCall, kTableShaRound, kTableShaConst, kTableBytesTail,
                      kTableGaps, kTableDotRom, kTableShaRoundX, kTableCpuX, kTableDense,
                      kTableDotRomSx, kNumTables };

// Longest segment: the CPU table holds 2^21 rows and memory times
// 8 clk + 8 stay below 2^24 (cpu.h, io.h time differences).
inline constexpr unsigned kMaxLogCycles = 21;

// The AIR objects of one image. With image = nullptr the preprocessed
// tables cannot produce their columns (verifier side: their commitment comes
// from the verifying key).
class Circuit {
 public:
  explicit Circuit(const Image* image);
  ~Circuit();
  Circuit(const Circuit&) = delete;
  Circuit& operator=(const Circuit&) = delete;
  const std::vector<const air::Air*>& airs() const { return airs_; }

 private:
  struct Chips;
  std::unique_ptr<Chips> chips_;
  std::vector<const air::Air*> airs_;
};

// Where segments are cut: after segment_cycles(log_segment) cycles, or
// before an accelerator call whose rows would take its data table (dot4
// rows, sha256 round rows) past accel_cap(log_segment) rows, or its ALU
// events (dense4_rom: 8 shift and 4 mul events a call) past the same cap,
// so that an ALU chip's table holds at most the segment's cycles plus the
// cap (the CPU sends at most one event a cycle). The prover plans with it from
// a fast run's calls (the segment count goes into the statement up front);
// witness generation cuts with it row by row; both see the same cuts.
class SegmentPlan {
 public:
  explicit SegmentPlan(unsigned log_segment);
  // Cycles of a full segment: 2^log_segment less the padding rows every
  // table keeps for zero knowledge (kZkFreeRows), so that the CPU table of
  // a full segment is 2^log_segment rows; at the largest size, 2^21
  // exactly (the CPU overflow table takes the last kZkFreeRows).
  static uint64_t segment_cycles(unsigned log_segment);
  // Rows the chips' data tables may hold in one segment: 2^log_segment -
  // kZkFreeRows, or 2^13 if that is more (one dot4 call has up to 8191 rows).
  static size_t accel_cap(unsigned log_segment);
  // The row at global cycle `clk` (rows in increasing cycle order; rows
  // without a call may be skipped) with its call record, if any: true when
  // a new segment starts at it.
  bool starts_segment(uint64_t clk, const vm::SyscallRecord* rec);
  // The number of segments of a run of `cycles` cycles.
  size_t segments(uint64_t cycles) const;

 private:
  uint64_t seg_cycles_, cap_;
  uint64_t start_ = 0;  // first cycle of the current segment
  size_t n_ = 1, dot_ = 0, sha_ = 0, alu_ = 0;
};

// One segment's tables and public values (segment.h).
struct SegmentWitness {
  SegmentInfo info;
  std::vector<RowMajorMatrix<Fp>> traces;   // per table, in Table order
  std::vector<std::vector<Fp>> publics;     // segment_publics(info)
};

// A whole execution proved as one segment (tests, small guests).
struct Execution {
  vm::RunResult run;                        // the emulator's result (journal, exit code, cycles)
  std::vector<RowMajorMatrix<Fp>> traces;   // per table, in Table order
  std::vector<std::vector<Fp>> publics;     // per table
  SegmentInfo info;
};

// Runs the guest with the tracing executor and builds every table's trace
// as one segment (tables at least min_rows high). Throws
// std::invalid_argument naming the problem when the run faults, hits the
// cycle limit or exceeds one segment.
Execution execute(const vm::Program& program, const Image& image, const vm::RunOptions& options,
                  size_t min_rows = kMinTableRows);

// Runs the guest with the tracing executor and hands each segment of at
// most 2^log_segment cycles to on_segment, in order, as soon as the trace
// has passed it (one segment's tables in memory at a time). Returns the run;
// throws std::invalid_argument when it faults or hits the cycle limit (after
// the segments before that point were handed over).
// Segments before `first` are handed over without tables (info only: the
// run must still pass them to reach the others).
vm::RunResult execute_segments(const vm::Program& program, const Image& image, const vm::RunOptions& options,
                               unsigned log_segment, size_t first,
                               const std::function<void(SegmentWitness&&)>& on_segment,
                               size_t min_rows = kMinTableRows);

// What witness generation does where the trace disagrees with the AIR's own
// computation (a result, a register or memory value, the next pc, a word
// outside the program, an address outside guest memory).
// kStrict, the prover: throws std::logic_error naming the row.
// kForge, for tests that play a cheating prover: the cell keeps the trace's
// value and generation goes on, so the tables carry the lie consistently
// (the memory model follows the trace, the ALU chips get the true result)
// and only the constraints can object. A forged load that is a later
// segment's first access of its word makes the segment start from the
// loaded word (its memory table, the handoff it receives).
enum class TraceCheck { kStrict, kForge };

// Builds every table of one segment from given trace chunks (in cycle
// order) and the claimed result (journal, exit code) of the run.
Execution execute_trace(const Image& image, std::span<const vm::TraceChunk> chunks, vm::RunResult claim,
                        size_t min_rows = kMinTableRows, TraceCheck check = TraceCheck::kStrict);

// The same, cut into segments of at most 2^log_segment cycles.
std::vector<SegmentWitness> execute_trace_segments(const Image& image, std::span<const vm::TraceChunk> chunks,
                                                   vm::RunResult claim, unsigned log_segment,
                                                   size_t min_rows = kMinTableRows,
                                                   TraceCheck check = TraceCheck::kStrict);

}  // namespace zkvm::rv32im
