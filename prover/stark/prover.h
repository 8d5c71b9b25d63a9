// STARK prover (prover side: may use OpenMP through the HAL and NTT).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "prover/air/checker.h"
#include "prover/hal/hal.h"
#include "prover/stark/proof.h"
#include "prover/stark/verifier.h"

namespace zkvm::stark {

struct ProvingKey {
  VerifyingKey vk;
  // Committed with commit_public (unsalted) at the trace height in every
  // mode; null when no preprocessed columns.
  std::shared_ptr<pcs::ProverRound> pre_round;
  // Per preprocessed matrix: its LDE over the quotient coset when that coset
  // is larger than the committed LDE (zk, 2^log_domain > blowup); an empty
  // matrix otherwise. Prover-only, never committed.
  std::vector<RowMajorMatrix<Fp>> pre_quotient_ldes;
  // What the quotient kernel reads for preprocessed matrix i.
  const RowMajorMatrix<Fp>& pre_lde_for_quotient(size_t i) const;
};

// Commits the preprocessed columns once per program (the verifying key).
// vk.pre_commitment depends only on the AIRs' preprocessed columns and
// config.pcs.fri.log_blowup: not on zk, queries, PoW, arity or final
// polynomial length (docs/STARK.md "Preprocessed columns"), so a verifier
// can pin it per program and blowup.
// Throws std::invalid_argument for an AIR the config cannot prove.
ProvingKey setup(uint32_t program_id, std::vector<const air::Air*> airs, const StarkConfig& config, hal::Hal& hal);

enum class LdeMemory { Auto, Full, Lean };
inline constexpr unsigned kLeanLdesFromLog = 20;

struct ProveOptions {
  // Run the debug checker first and refuse (std::invalid_argument with the
  // checker's message) when a constraint or bus fails. Tests of the
  // verifier turn this off so a bad trace really reaches the verifier.
  bool check_constraints = true;
  // When set, receives (stage, wall seconds) and (stage + " (cpu)",
  // process CPU seconds) for each prover stage.
  std::vector<std::pair<std::string, double>>* timings = nullptr;
  // With check_constraints: also check every bus for balance (off for one
  // segment of a continuation, whose buses balance only with the others').
  bool check_bus_balance = true;
  // When set, finish_proof calls it once the tables' traces are no longer
  // read (after the LogUp aux trace is built, before its commitment): the
  // caller may free them there (the committed LDEs hold what the rest of the
  // proof needs). The tables' publics stay in use.
  std::function<void()> release_traces;
  // Memory of the trace LDEs. Lean: each LDE drops the rows the quotient
  // does not read right after its commitment, and all but half after the
  // quotient; the openings recompute the rows they need (one size-n
  // inverse NTT and 2^(log_blowup - 1) forward ones per main and aux
  // column). Full: every row stays until the openings. The proof is the
  // same either way. Auto is lean for a proof whose tallest table has at
  // least 2^kLeanLdesFromLog rows: there the LDEs dominate the memory
  // (2^20 rows: peak 5.2 GiB full, 3.5 GiB lean, +4 % CPU), while below
  // it the recomputation costs more time (+15 % CPU at 2^18) than the
  // memory is worth (docs/BENCHMARKS.md "Memory per segment: lean LDEs").
  LdeMemory ldes = LdeMemory::Auto;
};

// tables[t].air must be pk.vk.airs[t]; a trace of height 0 leaves a table
// that may be absent (Air::may_be_absent) out of the proof. Throws
// std::invalid_argument on shape errors (and constraint errors when
// checking).
StarkProof prove(const ProvingKey& pk, std::span<const air::TableWitness> tables, hal::Hal& hal,
                 const ProveOptions& opts = {});

// The same proof in two phases, for statements of several proofs that share
// the LogUp challenges (continuations, docs/STARK.md "Segmented
// statements"): commit_main commits the main traces (with the zk LogUp
// masks, one per present bus table, summing to mask_offset); the caller
// observes the commitment in its transcript, samples the challenges and
// calls finish_proof with that transcript. prove() is commit_main (offset
// 0), start_transcript + "main", sample_logup_challenges, finish_proof.
struct MainCommit {
  std::vector<unsigned> log_heights;
  std::vector<std::vector<Fp>> publics;
  std::shared_ptr<pcs::ProverRound> round;
  pcs::Commitment commitment;
  std::vector<Fp4> masks;  // per table (zero without zk, without a bus, or absent)
};
MainCommit commit_main(const ProvingKey& pk, std::span<const air::TableWitness> tables, const Fp4& mask_offset,
                       hal::Hal& hal, const ProveOptions& opts = {});
StarkProof finish_proof(const ProvingKey& pk, std::span<const air::TableWitness> tables, MainCommit main,
                        transcript::Challenger& ch, const LogupChallenges& lc, hal::Hal& hal,
                        const ProveOptions& opts = {});

// zk LogUp masks of one proof: uniform for every present bus table except
// the last, which makes them sum to `offset`; zeros without zk. Throws
// std::logic_error for a non-zero offset and no present bus table.
// SOUNDNESS is not at stake (the masks are committed before the
// challenges); hiding is: only the statement's total sum may be revealed.
std::vector<Fp4> draw_logup_masks(const VerifyingKey& vk, std::span<const unsigned> log_heights, const Fp4& offset);
// The mask offsets of a statement of n proofs: uniform, summing to 0 (all
// zero without zk or without a bus), so the masks of all proofs sum to 0.
std::vector<Fp4> statement_mask_offsets(const VerifyingKey& vk, size_t n);

// Proves segments[k] (one witness per table each) as the segments of one
// statement, for verify_segments: commits every main trace, draws the shared
// LogUp challenges, then finishes each proof. The zk masks of all segments
// sum to 0. With opts.check_constraints every segment is checked on its own
// (constraints only: the buses balance across segments; verify_segments
// checks that). extra_terms: the statement's own public bus terms, as
// verify_segments will get them (they count in the LogUp grind's degree).
std::vector<StarkProof> prove_segments(const ProvingKey& pk, std::span<const std::vector<air::TableWitness>> segments,
                                       hal::Hal& hal, const ProveOptions& opts = {},
                                       std::span<const air::PublicInteraction> extra_terms = {});

}  // namespace zkvm::stark
