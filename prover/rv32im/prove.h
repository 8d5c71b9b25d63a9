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

struct ProveReport {
  uint64_t cycles = 0;
  std::vector<unsigned> log_heights;                     // per table
  std::vector<size_t> widths;                            // main columns per table
  std::vector<std::pair<std::string, double>> timings;   // stage, seconds
  double execute_seconds = 0, witness_seconds = 0, prove_seconds = 0;
};

// The image ID of an ELF at the given parameters' rate (zk or not: the same).
ImageId image_id(const vm::Program& program, const stark::StarkConfig& config, hal::Hal& hal);

// Executes the guest (options.input is the private input), proves and
// returns the receipt. Throws std::invalid_argument when the execution
// cannot be proven (fault, cycle limit, longer than one segment).
Receipt prove(const vm::Program& program, const vm::RunOptions& run, const ProveOptions& options, hal::Hal& hal,
              ProveReport* report = nullptr);

}  // namespace zkvm::rv32im
