// Proving RV32IM executions: ELF + input -> receipt (receipt.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "prover/hal/hal.h"
#include "prover/rv32im/receipt.h"
#include "prover/stark/proof.h"
#include "zkvm/vm/machine.h"

namespace zkvm::rv32im {

struct ProveOptions {
  stark::StarkConfig config = default_config();
  // Segment size: 2^log_segment cycles (continuations, segment.h); 0 picks
  // default_log_segment(vk).
  unsigned log_segment = 0;
  // Run the debug constraint checker before proving (slow; development).
  bool check_constraints = false;
  // Progress lines for stderr ("executing", "proving: commit main", ...).
  std::function<void(const std::string&)> progress;
  // Standard receipts: 100-bit conjectured defaults with zero knowledge.
  static stark::StarkConfig default_config() {
    stark::StarkConfig c = stark::StarkConfig::standard();
    c.pcs.zk = true;
    return c;
  }
};

// Segment sizes prove() accepts: 2^kMinLogSegment .. 2^kMaxLogCycles cycles,
// further bounded by the verifier's security floor at the vk's parameters
// (max_log_segment).
inline constexpr unsigned kMinLogSegment = 10;
unsigned max_log_segment(const stark::VerifyingKey& vk);
// The default: the largest segment the floor admits (2^19 cycles with zero
// knowledge, 2^20 without, at the standard parameters): fewest segments,
// so least repeated work per cycle (docs/BENCHMARKS.md).
unsigned default_log_segment(const stark::VerifyingKey& vk);

struct ProveReport {
  uint64_t cycles = 0;
  size_t segments = 0;
  unsigned log_segment = 0;
  std::vector<unsigned> log_heights;                     // per table, the tallest over the segments
  std::vector<size_t> widths;                            // main columns per table
  std::vector<std::pair<std::string, double>> timings;   // stage, seconds
  double execute_seconds = 0, witness_seconds = 0, prove_seconds = 0;
};

// The image ID of an ELF at the given parameters' rate (zk or not: the same).
ImageId image_id(const vm::Program& program, const stark::StarkConfig& config, hal::Hal& hal);

// Executes the guest (options.input is the private input), proves and
// returns the receipt: one proof per segment of 2^log_segment cycles.
// With several segments the guest runs three times (a fast run for the
// shape, then two traced passes: every segment's main trace is committed,
// the statement's challenges drawn, then each segment is rebuilt,
// recommitted identically from a per-segment secret seed and finished), so
// only one segment's tables are in memory at a time. Throws
// std::invalid_argument when the execution cannot be proven (fault, cycle
// limit, too long, a segment size outside the accepted range).
Receipt prove(const vm::Program& program, const vm::RunOptions& run, const ProveOptions& options, hal::Hal& hal,
              ProveReport* report = nullptr);

}  // namespace zkvm::rv32im
