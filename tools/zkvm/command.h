// Subcommand registry of the `zkvm` CLI: each cmd_*.cpp adds its subcommand
// with ZKVM_REGISTER_COMMAND(setup_fn); setup_fn receives the root app and
// adds one subcommand with its options and callback.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace zkvm::cli {

using CommandSetup = void (*)(CLI::App& root);

inline std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

// Exit code for errors of the tool itself (bad arguments, unreadable files,
// malformed ELF). Guest exit codes 0..255 pass through unchanged.
inline constexpr int kExitToolError = 2;

// The process exit status a subcommand's callback sets (default 0).
inline int& exit_code() {
  static int code = 0;
  return code;
}

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup fn) { command_registry().push_back(fn); }
};

}  // namespace zkvm::cli

#define ZKVM_CONCAT_INNER(a, b) a##b
#define ZKVM_CONCAT(a, b) ZKVM_CONCAT_INNER(a, b)
#define ZKVM_REGISTER_COMMAND(fn) \
  static const ::zkvm::cli::CommandRegistrar ZKVM_CONCAT(zkvm_cmd_reg_, __LINE__){fn}
