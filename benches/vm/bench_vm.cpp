// Emulator speed: the fast and tracing executors against qemu-riscv32 on the
// same guest ELFs, in the same run, with the same input. Prints a markdown
// table (docs/benchmarks/vm.md). Times are CPU seconds (user + sys; this
// process's CPU clock for the emulator, wait4's rusage for qemu), best of
// --reps runs, so a machine shared with other jobs skews them less than wall
// time would. qemu's time includes its start-up (~10 ms), so the work is
// sized for about a second of qemu time.
//
//   zkvm_bench_vm [--qemu PATH] [--reps N] [--scale X] [--only NAME]
#include "cpu_time.h"
#include "zkvm/vm/machine.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ctime>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

using namespace zkvm::vm;
using zkvm::bench::cpu_now;

struct Guest {
  const char* name;
  const char* what;
  std::uint32_t work;        // input u32 for the fast/qemu runs
  std::uint32_t trace_work;  // smaller input for the tracing run
};

std::vector<std::uint8_t> u32_input(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs qemu-riscv32 ELF < input 3> journal; returns wall seconds, or -1.
double time_qemu(const std::string& qemu, const std::string& elf, const std::string& input,
                 const std::string& journal) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, input.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 3, journal.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv = {const_cast<char*>(qemu.c_str()), const_cast<char*>(elf.c_str()), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, qemu.c_str(), &fa, nullptr, argv.data(), environ) != 0) return -1;
  int st = 0;
  struct rusage ru {};
  wait4(pid, &st, 0, &ru);
  const double s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                   static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
  posix_spawn_file_actions_destroy(&fa);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return -1;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string qemu = ZKVM_BENCH_QEMU_DEFAULT, only;
  int reps = 2;
  double scale = 1.0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--qemu" && i + 1 < argc) qemu = argv[++i];
    else if (a == "--reps" && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (a == "--scale" && i + 1 < argc) scale = std::atof(argv[++i]);
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--qemu PATH] [--reps N] [--scale X] [--only loop|sha256|matmul]\n", argv[0]);
      return 2;
    }
  }
  const Guest guests[] = {
      // About 6e9 guest instructions each (~1 s of qemu CPU time), and
      // about 1e9 for the tracing run.
      {"loop", "tight integer loop (xorshift), N iterations", 600'000'000, 100'000'000},
      {"sha256", "SHA-256 of 1 MiB, N times", 80, 14},
      {"matmul", "int8 128x128x128 matmul, N times", 360, 60},
  };
  const auto dir = std::filesystem::temp_directory_path() / ("zkvm_bench_vm." + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::printf("| guest | work | cycles | fast s | fast MIPS | qemu s | qemu MIPS | fast/qemu speed | plain MIPS | plain/qemu "
              "| trace Mcycles/s | trace MB/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  int rc = 0;
  for (const Guest& g : guests) {
    if (!only.empty() && only != g.name) continue;
    const std::string elf = std::string(ZKVM_BENCH_GUEST_DIR) + "/vm_bench_" + g.name + ".elf";
    const Program p = load_elf_file(elf);
    const auto work = static_cast<std::uint32_t>(g.work * scale < 1 ? 1 : g.work * scale);
    const auto twork = static_cast<std::uint32_t>(g.trace_work * scale < 1 ? 1 : g.trace_work * scale);
    RunOptions opts;
    opts.max_cycles = std::uint64_t{1} << 40;  // the work exceeds the default 2^32
    opts.input = u32_input(work);
    const std::string in_path = (dir / (std::string(g.name) + ".in")).string();
    std::ofstream(in_path, std::ios::binary).write(reinterpret_cast<const char*>(opts.input.data()), 4);

    // "fast" = the fast path as shipped (superinstructions on); "plain" =
    // the same executor with RunOptions::fusion = false, alternated with it.
    double fast_s = 1e30, plain_s = 1e30;
    RunResult fast, plain;
    RunOptions popts = opts;
    popts.fusion = false;
    for (int r = 0; r < reps; ++r) {
      double t0 = cpu_now();
      fast = run(p, opts);
      fast_s = std::min(fast_s, cpu_now() - t0);
      t0 = cpu_now();
      plain = run(p, popts);
      plain_s = std::min(plain_s, cpu_now() - t0);
    }
    if (plain.cycles != fast.cycles || plain.journal != fast.journal || plain.regs != fast.regs) {
      std::fprintf(stderr, "%s: fused and plain runs disagree\n", g.name);
      rc = 1;
    }
    if (fast.status != RunStatus::Exited || fast.exit_code != 0) {
      std::fprintf(stderr, "%s: %s\n", g.name, fast.summary().c_str());
      rc = 1;
      continue;
    }

    double qemu_s = -1;
    if (!qemu.empty()) {
      const std::string jpath = (dir / (std::string(g.name) + ".journal")).string();
      qemu_s = 1e30;
      for (int r = 0; r < reps && qemu_s > 0; ++r) {
        const double s = time_qemu(qemu, elf, in_path, jpath);
        qemu_s = s < 0 ? -1 : std::min(qemu_s, s);
      }
      if (qemu_s > 0 && read_all(jpath) != fast.journal) {
        std::fprintf(stderr, "%s: qemu and zkvm journals differ\n", g.name);
        rc = 1;
      }
    }

    RunOptions topts;
    topts.input = u32_input(twork);
    double trace_s = 1e30;
    RunResult traced;
    std::uint64_t check = 0;
    for (int r = 0; r < reps; ++r) {
      const double t0 = cpu_now();
      traced = run_traced(p, topts, [&](const TraceChunk& c) { check += c.rows.back().pc + c.rows.size(); });
      trace_s = std::min(trace_s, cpu_now() - t0);
    }
    const RunResult fast_small = run(p, topts);
    if (traced.cycles != fast_small.cycles || traced.journal != fast_small.journal) {
      std::fprintf(stderr, "%s: traced and fast runs disagree\n", g.name);
      rc = 1;
    }
    const double fast_mips = static_cast<double>(fast.cycles) / fast_s / 1e6;
    const double trace_mcps = static_cast<double>(traced.cycles) / trace_s / 1e6;
    const double plain_mips = static_cast<double>(plain.cycles) / plain_s / 1e6;
    char qbuf[64] = "n/a", qmips[64] = "n/a", ratio[64] = "n/a", pratio[64] = "n/a";
    if (qemu_s > 0) {
      std::snprintf(qbuf, sizeof qbuf, "%.3f", qemu_s);
      std::snprintf(qmips, sizeof qmips, "%.0f", static_cast<double>(fast.cycles) / qemu_s / 1e6);
      std::snprintf(ratio, sizeof ratio, "%.2fx", qemu_s / fast_s);
      std::snprintf(pratio, sizeof pratio, "%.2fx", qemu_s / plain_s);
    }
    std::printf("| %s (%s) | N=%u | %llu | %.3f | %.0f | %s | %s | %s | %.0f | %s | %.1f | %.0f |\n", g.name, g.what,
                work, static_cast<unsigned long long>(fast.cycles), fast_s, fast_mips, qbuf, qmips, ratio, plain_mips,
                pratio, trace_mcps, trace_mcps * sizeof(TraceRow));
    std::fflush(stdout);
    (void)check;
  }
  std::filesystem::remove_all(dir);
  return rc;
}
