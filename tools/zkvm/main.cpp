// zkvm: run, prove and verify RV32IM guests; import ML models.
#include "command.h"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  CLI::App app{"zkvm: a zero-knowledge virtual machine for verifiable ML inference"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "zkvm 0.1.0");
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
