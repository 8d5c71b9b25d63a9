// Profiler cost: median time of a guest run on the tracing path (run_traced
// with a sink that reads every row) against the same run under the profiler
// (Profiler::consume on every chunk, then profile() and to_folded(), what
// `zkvm run --profile` does short of writing the file), with the fast path
// for reference. The three are interleaved, rep by rep, in one process.
// Times are this process's CPU time (single-threaded work), so other jobs
// on the machine skew them less than wall time would.
//
//   zkvm_bench_profile [--reps N] [--only mlp|cnn|batch16|calls]
#include "cpu_time.h"
#include "zkvm/vm/machine.h"
#include "zkvm/vm/profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using namespace zkvm::vm;

using zkvm::bench::cpu_now;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Guest {
  const char* name;
  const char* what;
  const char* elf;
  const char* input;  // file with the guest's input, or null for `word` as a u32
  std::uint32_t word = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int reps = 21;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--reps" && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--reps N] [--only mlp|cnn|batch16|calls]\n", argv[0]);
      return 2;
    }
  }
  const Guest guests[] = {
      {"mlp", "Fashion-MNIST MLP, 1 image (mnist_public)", ZKVM_BENCH_MLP_ELF, ZKVM_BENCH_MLP_INPUT},
      {"cnn", "Fashion-MNIST CNN, 1 image (mnist_public_cnn)", ZKVM_BENCH_CNN_ELF, ZKVM_BENCH_CNN_INPUT},
      {"batch16", "Fashion-MNIST MLP, 16 images (mnist_batch)", ZKVM_BENCH_BATCH_ELF, ZKVM_BENCH_BATCH_INPUT},
      {"calls", "recursive fib(25): a call every 11 cycles (worst case)", ZKVM_BENCH_CALLS_ELF, nullptr, 25},
  };
  std::printf("| guest | cycles | fast ms | traced ms | profiled ms | profiled / traced | profiled Mcycles/s | stacks | top function |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  int rc = 0;
  std::uint64_t check = 0;  // keeps the traced run's row reads
  for (const Guest& g : guests) {
    if (!only.empty() && only != g.name) continue;
    const std::vector<std::uint8_t> elf = read_elf_file(g.elf);
    const Program program = load_elf(elf, g.elf);
    const std::vector<FunctionSymbol> symbols = load_elf_functions(elf, g.elf);
    RunOptions opts;
    if (g.input) {
      std::ifstream in(g.input, std::ios::binary);
      opts.input.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
      for (int i = 0; i < 4; ++i) opts.input.push_back(static_cast<std::uint8_t>(g.word >> (8 * i)));
    }
    opts.on_output = [](int, std::span<const std::uint8_t>) {};
    std::vector<double> fast_s, traced_s, profiled_s;
    RunResult traced;
    Profile prof;
    std::size_t folded_bytes = 0;
    for (int r = 0; r < reps; ++r) {
      double t0 = cpu_now();
      const RunResult fast = run(program, opts);
      fast_s.push_back(cpu_now() - t0);
      t0 = cpu_now();
      traced = run_traced(program, opts, [&](const TraceChunk& c) {
        for (const TraceRow& row : c.rows) check += row.pc ^ row.insn;
      });
      traced_s.push_back(cpu_now() - t0);
      t0 = cpu_now();
      Profiler profiler(symbols, program.entry);
      const RunResult profiled = run_traced(program, opts, [&](const TraceChunk& c) { profiler.consume(c); });
      prof = profiler.profile();
      folded_bytes = to_folded(prof).size();
      profiled_s.push_back(cpu_now() - t0);
      if (fast.cycles != traced.cycles || profiled.cycles != traced.cycles || prof.total_cycles != traced.cycles ||
          traced.status != RunStatus::Exited) {
        std::fprintf(stderr, "%s: runs disagree or the guest did not exit: %s\n", g.name, traced.summary().c_str());
        rc = 1;
      }
    }
    std::uint64_t excl = 0;
    const ProfileFunction* top = nullptr;
    for (const ProfileFunction& f : prof.functions) {
      excl += f.exclusive;
      if (!top || f.exclusive > top->exclusive) top = &f;
    }
    if (excl != traced.cycles) {
      std::fprintf(stderr, "%s: exclusive cycles sum to %llu, not %llu\n", g.name, static_cast<unsigned long long>(excl),
                   static_cast<unsigned long long>(traced.cycles));
      rc = 1;
    }
    const double f = median(fast_s), t = median(traced_s), p = median(profiled_s);
    std::printf("| %s | %llu | %.2f | %.2f | %.2f | **%.2fx** | %.0f | %zu (%zu B folded) | %s %.1f%% |\n", g.what,
                static_cast<unsigned long long>(traced.cycles), f * 1e3, t * 1e3, p * 1e3, p / t,
                static_cast<double>(traced.cycles) / p / 1e6, prof.stacks.size(), folded_bytes,
                top ? top->name.c_str() : "-",
                top ? 100.0 * static_cast<double>(top->exclusive) / static_cast<double>(traced.cycles) : 0.0);
    std::fflush(stdout);
  }
  std::printf("\n%d reps each, medians of process CPU time; checksum %llu\n", reps, static_cast<unsigned long long>(check));
  return rc;
}
