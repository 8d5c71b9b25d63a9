// zkvm: run, prove and verify RV32IM guests; import ML models.
#include "command.h"

#include <cstdio>
#include <exception>
#include <string>

#if defined(ZKVM_HAVE_RV32IM)
#include "prover/hal/host_memory.h"
#include "prover/rv32im/receipt.h"
#endif

namespace {
// "zkvm 0.1.0 (receipt format 2, circuit version 5)": the project version
// and the receipt and circuit versions this build proves and verifies
// (the verifier library reports the same, zkvm_version()).
std::string version_line() {
  std::string s = std::string("zkvm ") + ZKVM_VERSION_STRING;
#if defined(ZKVM_HAVE_RV32IM)
  s += " (receipt format " + std::to_string(zkvm::rv32im::kReceiptVersion) + ", circuit version " +
       std::to_string(zkvm::rv32im::kCircuitVersion) + ")";
#endif
  return s;
}
}  // namespace

int main(int argc, char** argv) {
#if defined(ZKVM_HAVE_RV32IM)
  // Proving reuses freed buffers instead of faulting fresh mmaps in (a
  // process-wide allocator setting; prover/hal/host_memory.h).
  zkvm::hal::keep_large_allocations_in_heap();
#endif
  CLI::App app{"zkvm: a zero-knowledge virtual machine for verifiable ML inference"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line());
  for (auto setup : zkvm::cli::command_registry()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : zkvm::cli::kExitToolError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkvm: error: %s\n", e.what());
    return zkvm::cli::kExitToolError;
  }
  return zkvm::cli::exit_code();
}
