// `zkvm run GUEST.elf`: execute a guest with the fast executor, like
// qemu-user: guest stdout/stderr pass through, the process exits with the
// guest's exit code. See docs/EMULATOR.md. With --profile it runs on the
// tracing path under the cycle profiler (run_profile.h).
#include "command.h"
#include "json.h"
#include "run_profile.h"

#include "zkvm/vm/machine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

// Exit statuses besides the guest's own 0..255 (they overlap with guest
// codes; stderr says which case it was).
constexpr int kExitFault = 134;       // guest faulted
constexpr int kExitCycleLimit = 135;  // guest hit --max-cycles

struct RunArgs {
  std::string guest;
  std::string input;
  std::string journal;
  std::string json;  // --json FILE ("-": stdout)
  std::uint64_t max_cycles = zkvm::vm::kDefaultMaxCycles;
  bool stats = false;
  std::string profile;
  std::string profile_format = "folded";
};


void print_stats(const zkvm::vm::RunResult& r, double seconds, bool mix_counted) {
  std::fprintf(stderr, "zkvm run: cycles         %llu\n", static_cast<unsigned long long>(r.cycles));
  std::fprintf(stderr, "zkvm run: wall time      %.3f s\n", seconds);
  std::fprintf(stderr, "zkvm run: speed          %.1f MIPS\n", seconds > 0 ? r.cycles / seconds / 1e6 : 0.0);
  std::fprintf(stderr, "zkvm run: pages touched  %zu (%zu KiB)\n", r.pages_touched.size(),
               r.pages_touched.size() * zkvm::vm::kPageSize / 1024);
  if (!mix_counted) return;  // the tracing path (--profile) does not count it
  std::vector<std::pair<std::uint64_t, std::size_t>> mix;
  for (std::size_t i = 0; i < r.mix.size(); ++i)
    if (r.mix[i]) mix.emplace_back(r.mix[i], i);
  std::sort(mix.rbegin(), mix.rend());
  std::fprintf(stderr, "zkvm run: instruction mix\n");
  for (const auto& [count, op] : mix)
    std::fprintf(stderr, "  %-7.*s %14llu  %5.1f%%\n", static_cast<int>(zkvm::vm::mnemonic(static_cast<zkvm::vm::Op>(op)).size()),
                 zkvm::vm::mnemonic(static_cast<zkvm::vm::Op>(op)).data(), static_cast<unsigned long long>(count),
                 r.cycles ? 100.0 * static_cast<double>(count) / static_cast<double>(r.cycles) : 0.0);
}

int tool_error(const RunArgs& a, const std::string& message) { return zkvm::cli::tool_error("run", a.guest, a.json, message); }

int run_command(const RunArgs& a) {
  using namespace zkvm::vm;
  Program program;
  RunOptions opts;
  std::optional<zkvm::cli::RunProfile> profile;
  try {
    const std::vector<std::uint8_t> elf = read_elf_file(a.guest);
    program = load_elf(elf, a.guest);
    if (!a.profile.empty()) profile.emplace(elf, a.guest, program.entry);
    if (!a.input.empty()) opts.input = zkvm::cli::read_file_bounded(a.input, zkvm::cli::kMaxInputBytes);
  } catch (const std::exception& e) {
    return tool_error(a, e.what());
  }
  opts.max_cycles = a.max_cycles;
  opts.count_mix = a.stats;
  // With --json - the result owns stdout: guest stdout goes to stderr.
  const bool json_stdout = a.json == "-";
  opts.on_output = [json_stdout](int fd, std::span<const std::uint8_t> bytes) {
    std::FILE* f = fd == 1 && !json_stdout ? stdout : stderr;
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    if (fd == 2) std::fflush(stderr);
  };
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = profile ? profile->run(program, opts) : run(program, opts);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fflush(stdout);
  if (a.stats) print_stats(r, secs, !profile);
  if (profile && !profile->write(a.profile, a.profile_format, a.stats)) {  // it names the problem on stderr
    if (!a.json.empty())
      zkvm::cli::write_json(a.json, zkvm::cli::error_result("run", a.guest, a.profile + ": cannot write profile"),
                            "zkvm run");
    return zkvm::cli::kExitToolError;
  }
  if (r.status == RunStatus::Exited && !a.journal.empty()) {
    std::ofstream out(a.journal, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(r.journal.data()), static_cast<std::streamsize>(r.journal.size()));
    if (!out) return tool_error(a, a.journal + ": cannot write journal");
  }
  if (!a.json.empty()) {
    zkvm::cli::JsonObject o = zkvm::cli::result_header("run", a.guest);
    zkvm::cli::add_run_result(o, r, opts.input.size());
    zkvm::cli::JsonObject t;
    t.real("run_seconds", secs);
    o.obj("timings", t);
    if (!zkvm::cli::write_json(a.json, o, "zkvm run")) return zkvm::cli::kExitToolError;
  }
  switch (r.status) {
    case RunStatus::Exited:
      return static_cast<int>(r.exit_code);
    case RunStatus::Faulted:
      std::fprintf(stderr, "zkvm run: %s: %s\n", a.guest.c_str(), r.summary().c_str());
      return kExitFault;
    case RunStatus::CycleLimit:
      std::fprintf(stderr, "zkvm run: %s: %s\n", a.guest.c_str(), r.summary().c_str());
      return kExitCycleLimit;
  }
  return kExitFault;
}

void setup_run(CLI::App& root) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = root.add_subcommand("run", "Execute an RV32IM guest ELF (fast executor, no proof)");
  cmd->footer(
      "Exit status: the guest's exit code (0..255) when it calls exit;\n"
      "  134 when the guest faults (report on stderr),\n"
      "  135 when it reaches --max-cycles,\n"
      "  2 for tool errors (bad arguments, unreadable or malformed ELF).\n"
      "These overlap with guest exit codes; stderr tells the cases apart, and\n"
      "--json FILE writes a result object whose \"status\" is exited, faulted,\n"
      "cycle_limit or error (docs/EMULATOR.md \"Machine-readable results\").\n"
      "Guest stdout (fd 1) and stderr (fd 2) pass through; the journal (fd 3)\n"
      "is written to --journal only when the guest exits.\n"
      "--profile OUT runs the guest on the tracing path and writes cycles per\n"
      "function and call stack (from the ELF's symbols) however the run ends:\n"
      "folded stacks (flamegraph.pl, speedscope) or pprof (`pprof -top OUT`).\n"
      "With --stats it also prints the top 10 functions. See docs/GUEST_SDK.md.");
  cmd->add_option("guest", args->guest, "Guest ELF (RV32IM, statically linked)")->required();
  cmd->add_option("--input", args->input, "File whose bytes the guest reads from fd 0 (private input)");
  cmd->add_option("--journal", args->journal, "Write the guest's journal (fd 3 output) to this file");
  cmd->add_option("--max-cycles", args->max_cycles, "Stop the guest after this many cycles (default 2^32)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--json", args->json,
                  "Write the result as JSON to this file ('-': stdout, and guest stdout goes to stderr)");
  cmd->add_flag("--stats", args->stats,
                "Print cycles, instruction mix, pages touched, wall time and MIPS to stderr (with --profile: the top "
                "10 functions instead of the mix)");
  cmd->add_option("--profile", args->profile, "Profile the run: write cycles per function and call stack to this file");
  cmd->add_option("--profile-format", args->profile_format, "Profile format: folded (default) or pprof")
      ->check(CLI::IsMember({"folded", "pprof"}));
  cmd->callback([args] { zkvm::cli::exit_code() = run_command(*args); });
}

}  // namespace

ZKVM_REGISTER_COMMAND(setup_run);
