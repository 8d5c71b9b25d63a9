// Proving RV32IM executions: ELF + input -> receipt (receipt.h).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "prover/hal/hal.h"
#include "prover/pcs/pcs.h"
#include "prover/rv32im/receipt.h"
#include "prover/stark/proof.h"
#include "prover/stark/prover.h"
#include "zkvm/vm/machine.h"

namespace zkvm::rv32im {

struct ProveOptions {
  stark::StarkConfig config = default_config();
  // Segment size: 2^log_segment cycles (continuations, segment.h); 0 picks
  // default_log_segment(vk).
  unsigned log_segment = 0;
  // Segments proven at once (threads; each runs the guest to the end of its
  // block of segments). Memory grows with it: one segment's tables per job.
  unsigned jobs = 1;
  // Run the debug constraint checker before proving (slow; development).
  bool check_constraints = false;
  // Progress lines for stderr ("executing", "proving: commit main", ...).
  std::function<void(const std::string&)> progress;
  // Trace LDE memory (stark::ProveOptions::ldes): the same receipt either
  // way; lean by default from 2^20 rows.
  stark::LdeMemory ldes = stark::LdeMemory::Auto;
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
// The default: 2^18 rows (2^18 - 128 cycles), or one below the largest
// segment the floor admits if that is less (the floor admits 2^21, the
// AIR's limit, at the standard parameters, with or without zero
// knowledge). Measured on the 2-core box
// (docs/BENCHMARKS.md "Continuations"): 2^19 is 10-15 % slower per cycle
// than 2^18 (its NTTs and trees leave the caches) and needs twice the
// memory; smaller ones make larger receipts.
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

// One segment's first-pass result: its end state and what the statement's
// transcript absorbs from it.
struct SegmentCommitment {
  SegmentEnd end;
  std::vector<unsigned> log_heights;
  std::vector<std::vector<field::Fp>> publics;
  pcs::Commitment main;
};
// Wire form for workers (MPI): a count and the commitments in order.
std::vector<uint8_t> serialize_commitments(std::span<const SegmentCommitment> c);
std::vector<SegmentCommitment> parse_commitments(std::span<const uint8_t> bytes);

// The prover of one execution as a statement of segments, split so that
// segments can be worked on by several workers (threads, MPI ranks, hosts):
// each worker builds a SegmentedProver from the same ELF, input, options and
// statement seed (a secret of the prover, expanded into the zk masks and
// every segment's commitment randomness, so workers agree), commits any
// range of segments (pass 1), hands every segment's commitment, in order,
// to draw_challenges, then finishes any range (pass 2). Each pass runs the
// guest traced up to the end of its range and keeps one segment's tables at
// a time. commit/finish of disjoint ranges may run on several threads.
class SegmentedProver {
 public:
  // Runs the guest once untraced (the segment count); throws
  // std::invalid_argument when the execution cannot be proven.
  SegmentedProver(const vm::Program& program, const vm::RunOptions& run, const ProveOptions& options, hal::Hal& hal,
                  const std::array<uint8_t, 32>& statement_seed);
  ~SegmentedProver();
  size_t num_segments() const;
  unsigned log_segment() const;
  uint64_t cycles() const;
  std::vector<SegmentCommitment> commit(size_t first, size_t last);
  // Whether commit keeps the range's last segment for finish (default on:
  // saves its second build and commit; its tables stay in memory between
  // the passes). Turn off when several threads commit at once.
  void keep_last(bool on);
  void draw_challenges(std::span<const SegmentCommitment> all);
  std::vector<SegmentProof> finish(size_t first, size_t last);
  Receipt receipt(std::vector<SegmentProof> proofs) const;
  // Cycles, segments, heights, widths, stage timings and witness time of
  // this worker.
  void fill_report(ProveReport& report) const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

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
