// STARK prover (prover side: may use OpenMP through the HAL and NTT).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "prover/air/checker.h"
#include "prover/hal/hal.h"
#include "prover/stark/proof.h"

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

struct ProveOptions {
  // Run the debug checker first and refuse (std::invalid_argument with the
  // checker's message) when a constraint or bus fails. Tests of the
  // verifier turn this off so a bad trace really reaches the verifier.
  bool check_constraints = true;
  // When set, receives (stage, wall seconds) and (stage + " (cpu)",
  // process CPU seconds) for each prover stage.
  std::vector<std::pair<std::string, double>>* timings = nullptr;
};

// tables[t].air must be pk.vk.airs[t]. Throws std::invalid_argument on
// shape errors (and constraint errors when checking).
StarkProof prove(const ProvingKey& pk, std::span<const air::TableWitness> tables, hal::Hal& hal,
                 const ProveOptions& opts = {});

}  // namespace zkvm::stark
