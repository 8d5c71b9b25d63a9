// Subcommand registry of the `zkvm` CLI: each cmd_*.cpp adds its subcommand
// with ZKVM_REGISTER_COMMAND(setup_fn); setup_fn receives the root app and
// adds one subcommand with its options and callback.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
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
// `prove` (and zkvm-mpi): the guest exited but the run cannot be proven
// (longer than receipts cover, a segment size beyond the security floor).
inline constexpr int kExitUnprovable = 136;

// The process exit status a subcommand's callback sets (default 0).
inline int& exit_code() {
  static int code = 0;
  return code;
}

// Largest private input `run` and `prove` accept (a guest can stream more
// than its 256 MiB of memory through read, but not usefully more than this).
inline constexpr std::size_t kMaxInputBytes = std::size_t{1} << 30;

// The whole of a file (regular or not: a pipe, /dev/zero), refused with a
// message naming it once it exceeds max_bytes, so no input can exhaust memory
// or hang the tool.
inline std::vector<std::uint8_t> read_file_bounded(const std::string& path, std::size_t max_bytes,
                                                   const char* what = "input file") {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw std::runtime_error(path + ": " + what + " is a directory");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::runtime_error(path + ": cannot open " + what);
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    if (out.size() + n > max_bytes)
      throw std::runtime_error(path + ": " + what + " is larger than " + std::to_string(max_bytes >> 20) + " MiB");
    out.insert(out.end(), buf, buf + n);
  }
  if (std::ferror(f.get())) throw std::runtime_error(path + ": read error");
  return out;
}

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup fn) { command_registry().push_back(fn); }
};

}  // namespace zkvm::cli

#define ZKVM_CONCAT_INNER(a, b) a##b
#define ZKVM_CONCAT(a, b) ZKVM_CONCAT_INNER(a, b)
#define ZKVM_REGISTER_COMMAND(fn) \
  static const ::zkvm::cli::CommandRegistrar ZKVM_CONCAT(zkvm_cmd_reg_, __LINE__){fn}
