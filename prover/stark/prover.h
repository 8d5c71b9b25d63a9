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
  std::shared_ptr<pcs::ProverRound> pre_round;  // null when no preprocessed columns
};

// Commits the preprocessed columns once per program (the verifying key).
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
