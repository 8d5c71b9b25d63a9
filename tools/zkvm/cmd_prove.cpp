// `zkvm prove GUEST.elf`: execute the guest, prove the execution with the
// chosen prover backend (--device: the CPU HAL, the CUDA HAL, or the CUDA
// kernels emulated on the CPU) and write the receipt (docs/RECEIPT.md
// "Tools", docs/CUDA.md). Progress and the
// summary go to stderr; guest stdout/stderr pass through as in `zkvm run`.
#include "command.h"
#include "json.h"

#if defined(ZKVM_HAVE_RV32IM)

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/select.h"
#include "prover/hal/hal.h"
#include "prover/rv32im/prove.h"
#include "prover/rv32im/receipt.h"
#include "zkvm/vm/elf.h"
#include "zkvm/vm/machine.h"

namespace {

// Same statuses as `zkvm run` for a guest that does not exit cleanly.
constexpr int kExitFault = 134;       // guest faulted
constexpr int kExitCycleLimit = 135;  // guest hit --max-cycles
using zkvm::cli::kExitUnprovable;

struct ProveArgs {
  std::string guest;
  std::string input;
  std::string out;
  std::string json;  // --json FILE ("-": stdout)
  bool no_zk = false;
  std::string ldes = "auto";
  bool check = false;
  unsigned segment_po2 = 0;  // 0: the default (rv32im::default_log_segment)
  unsigned jobs = 1;
  std::uint64_t max_cycles = zkvm::vm::kDefaultMaxCycles;
  std::string device = "cpu";
};

// Peak resident set of this process (Linux: ru_maxrss is in KiB).
double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

std::string default_receipt_path(const std::string& guest) {
  return std::filesystem::path(guest).filename().string() + ".receipt";
}

// prove() throws std::invalid_argument for any run it cannot prove; the
// fast executor tells which case it was so the exit status matches `run`.
int classify_unprovable(const zkvm::vm::Program& program, zkvm::vm::RunOptions run, zkvm::vm::RunResult* out) {
  run.on_output = [](int, std::span<const std::uint8_t>) {};  // already shown once
  const zkvm::vm::RunResult r = zkvm::vm::run(program, run);
  *out = r;
  switch (r.status) {
    case zkvm::vm::RunStatus::Faulted: return kExitFault;
    case zkvm::vm::RunStatus::CycleLimit: return kExitCycleLimit;
    case zkvm::vm::RunStatus::Exited: return kExitUnprovable;
  }
  return kExitUnprovable;
}

int tool_error(const ProveArgs& a, const std::string& message) {
  return zkvm::cli::tool_error("prove", a.guest, a.json, message);
}

int prove_command(const ProveArgs& a) {
  using namespace zkvm;
  vm::Program program;
  vm::RunOptions run;
  try {
    program = vm::load_elf_file(a.guest);
    if (!a.input.empty()) run.input = cli::read_file_bounded(a.input, cli::kMaxInputBytes);
  } catch (const std::exception& e) {
    return tool_error(a, e.what());
  }
  run.max_cycles = a.max_cycles;
  // With --json - the result owns stdout: guest stdout goes to stderr.
  const bool json_stdout = a.json == "-";
  run.on_output = [json_stdout](int fd, std::span<const std::uint8_t> bytes) {
    std::FILE* f = fd == 1 && !json_stdout ? stdout : stderr;
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    if (fd == 2) std::fflush(stderr);
  };
  const std::string out = a.out.empty() ? default_receipt_path(a.guest) : a.out;

  rv32im::ProveOptions opts;
  if (a.no_zk) opts.config.pcs.zk = false;
  opts.ldes = a.ldes == "full" ? stark::LdeMemory::Full : a.ldes == "lean" ? stark::LdeMemory::Lean : stark::LdeMemory::Auto;
  opts.check_constraints = a.check;
  opts.log_segment = a.segment_po2;
  opts.jobs = a.jobs;
  const auto t0 = std::chrono::steady_clock::now();
  auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  // On a terminal, per-segment lines overwrite each other (one status line
  // with segments done, kHz and ETA); elsewhere every line is kept.
  const bool tty = isatty(fileno(stderr)) != 0;
  bool status_line = false;
  opts.progress = [&](const std::string& stage) {
    const bool per_segment = stage.rfind("segment ", 0) == 0;
    if (tty && per_segment) {
      std::fprintf(stderr, "\r\033[Kzkvm prove: [%7.3f s] %s", since(), stage.c_str());
      std::fflush(stderr);
      status_line = true;
      return;
    }
    if (status_line) std::fputc('\n', stderr), status_line = false;
    std::fprintf(stderr, "zkvm prove: [%7.3f s] %s\n", since(), stage.c_str());
  };

  std::unique_ptr<hal::Hal> hal;
  try {
    hal = zkvm::gpu::make_named_hal(a.device);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkvm prove: --device %s: %s\n", a.device.c_str(), e.what());
    return cli::kExitToolError;
  }
  if (a.device != "cpu") opts.progress("prover backend: " + a.device);
  rv32im::Receipt receipt;
  rv32im::ProveReport report;
  try {
    receipt = rv32im::prove(program, run, opts, *hal, &report);
  } catch (const std::invalid_argument& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "zkvm prove: %s: cannot prove: %s\n", a.guest.c_str(), e.what());
    vm::RunResult r;
    const int status = classify_unprovable(program, run, &r);
    if (!a.json.empty()) {
      cli::JsonObject o = cli::result_header("prove", a.guest);
      cli::add_run_result(o, r, run.input.size());
      o.str("error", std::string("cannot prove: ") + e.what()).null("receipt");
      if (!cli::write_json(a.json, o, "zkvm prove")) return cli::kExitToolError;
    }
    return status;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "zkvm prove: %s: error while proving: %s\n", a.guest.c_str(), e.what());
    return tool_error(a, std::string("error while proving: ") + e.what());
  }
  const double seconds = since();
  if (status_line) std::fputc('\n', stderr);
  std::fflush(stdout);

  const std::vector<std::uint8_t> bytes = rv32im::serialize_receipt(receipt);
  {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) return tool_error(a, out + ": cannot write receipt");
  }

  std::fprintf(stderr, "zkvm prove: stage timings: execute+witness %.3f s, prove %.3f s\n", report.execute_seconds,
               report.prove_seconds);
  // Stages repeat per table or round: one line per stage name, summed, in
  // order of first appearance.
  std::vector<std::pair<std::string, double>> stages;
  for (const auto& [stage, s] : report.timings) {
    auto it = std::find_if(stages.begin(), stages.end(), [&](const auto& e) { return e.first == stage; });
    if (it == stages.end())
      stages.emplace_back(stage, s);
    else
      it->second += s;
  }
  for (const auto& [stage, s] : stages) std::fprintf(stderr, "  %-28s %8.3f s\n", stage.c_str(), s);
  const unsigned log_rows = report.log_heights.empty() ? 0 : report.log_heights[0];
  std::fprintf(stderr,
               "zkvm prove: %llu cycles, %zu segment%s of 2^%u rows, proved in %.3f s (%.2f kHz), receipt %zu bytes, "
               "peak RSS %.0f MiB, zk %s, exit code %u\n",
               static_cast<unsigned long long>(report.cycles), report.segments, report.segments == 1 ? "" : "s",
               log_rows, seconds,
               seconds > 0 ? static_cast<double>(report.cycles) / seconds / 1e3 : 0.0, bytes.size(), peak_rss_mib(),
               opts.config.pcs.zk ? "on" : "off", receipt.claim.exit_code);
  std::fprintf(stderr, "zkvm prove: image %s -> %s\n", rv32im::image_id_hex(receipt.claim.image_id).c_str(),
               out.c_str());
  if (!a.json.empty()) {
    vm::RunResult r;  // the proven claim, in the run result's shape
    r.status = vm::RunStatus::Exited;
    r.exit_code = receipt.claim.exit_code;
    r.cycles = receipt.claim.cycles;
    r.journal = receipt.claim.journal;
    cli::JsonObject o = cli::result_header("prove", a.guest);
    cli::add_run_result(o, r, run.input.size());
    cli::JsonObject rc;
    rc.str("path", out).num("bytes", bytes.size()).str("image_id", rv32im::image_id_hex(receipt.claim.image_id));
    rc.boolean("zk", opts.config.pcs.zk).num("segment_log_rows", log_rows).num("segments", report.segments);
    rc.num("segment_po2", report.log_segment);
    o.obj("receipt", rc);
    cli::JsonObject t;
    t.real("execute_seconds", report.execute_seconds).real("prove_seconds", report.prove_seconds);
    t.real("total_seconds", seconds).real("khz", seconds > 0 ? static_cast<double>(report.cycles) / seconds / 1e3 : 0.0);
    o.obj("timings", t).real("peak_rss_mib", peak_rss_mib());
    if (!cli::write_json(a.json, o, "zkvm prove")) return cli::kExitToolError;
  }
  return 0;
}

void setup_prove(CLI::App& root) {
  auto args = std::make_shared<ProveArgs>();
  CLI::App* cmd = root.add_subcommand("prove", "Execute an RV32IM guest and prove the execution (writes a receipt)");
  cmd->footer(
      "Exit status: 0 when the receipt is written (whatever the guest's exit code;\n"
      "  the receipt carries it),\n"
      "  134 when the guest faults, 135 when it reaches --max-cycles,\n"
      "  136 when it exits but the run cannot be proven (longer than 2^30 cycles or 65535\n"
      "  segments, or a --segment-po2 beyond the verifier's security floor),\n"
      "  2 for tool errors (bad arguments, unreadable or malformed ELF, unwritable receipt).\n"
      "--json FILE tells the cases apart for scripts: \"status\" is exited (receipt written),\n"
      "  faulted, cycle_limit, or error; \"error\" says why a run was not proven.\n"
      "Guest stdout (fd 1) and stderr (fd 2) pass through; progress, stage timings and a\n"
      "summary (cycles, segment size, prove time, kHz, receipt size, peak RSS) go to stderr.");
  cmd->add_option("guest", args->guest, "Guest ELF (RV32IM, statically linked)")->required();
  cmd->add_option("--input", args->input, "File whose bytes the guest reads from fd 0 (private input)");
  cmd->add_option("-o,--output", args->out, "Receipt file (default: the ELF's file name + .receipt, in the current directory)");
  cmd->add_option("--json", args->json,
                  "Write the result (claim, receipt path, size, image ID, timings) as JSON to this file "
                  "('-': stdout, and guest stdout goes to stderr)");
  cmd->add_flag("--no-zk", args->no_zk, "Prove without zero knowledge (smaller, faster; reveals witness information)");
  cmd->add_option("--ldes", args->ldes,
                  "Trace LDE memory: full keeps every row until the openings; lean drops what the quotient and the "
                  "DEEP reduction do not read and recomputes the opened rows (2^20 rows: 3.5 instead of 5.2 GiB, "
                  "about 10 % more time); auto (default) is lean from 2^20 rows. The receipt is the same. "
                  "With --device cuda or cuda-emulated the LDEs live on the device and the host holds none: "
                  "this option has no effect there")
      ->check(CLI::IsMember({"auto", "full", "lean"}));
  cmd->add_option("--segment-po2", args->segment_po2,
                  "Cut the execution into segments of 2^K rows (2^K - 128 cycles; 2^21 at 21), one proof each "
                  "(default: 18; 10..21)")
      ->check(CLI::Range(10u, 21u));
  cmd->add_option("--jobs", args->jobs,
                  "Prove this many segments at once (threads; memory grows by one segment's tables per job)")
      ->check(CLI::Range(1u, 256u));
  cmd->add_flag("--check-constraints", args->check, "Run the debug constraint checker before proving (slow)");
  cmd->add_option("--device", args->device,
                  "Prover backend: cpu (default), cuda (an NVIDIA GPU; needs a build with nvcc), or cuda-emulated "
                  "(the CUDA kernels run on the CPU, launch by launch: slow, for testing the backend without a GPU)")
      ->check(CLI::IsMember({"cpu", "cuda", "cuda-emulated"}));
  cmd->add_option("--max-cycles", args->max_cycles, "Stop the guest after this many cycles (default 2^32)")
      ->check(CLI::PositiveNumber);
  cmd->callback([args] { zkvm::cli::exit_code() = prove_command(*args); });
}

}  // namespace

ZKVM_REGISTER_COMMAND(setup_prove);

#endif  // ZKVM_HAVE_RV32IM
