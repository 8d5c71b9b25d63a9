// Synthetic-AIR STARK benchmark: `width` columns x 2^log_n rows, degree-3
// transition constraints (air::examples::SyntheticAir), default parameters
// (rate 1/4, 42 queries, 16 PoW bits: >= 100 conjectured bits).
// Reports prove time, verify time, proof size and peak RSS (getrusage).
// Results: docs/benchmarks/stark.md.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>

#include "prover/air/examples.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"

using namespace zkvm;

namespace {

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

// User + system CPU seconds of all threads (robust to a loaded machine).
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

void BM_StarkSynthetic(benchmark::State& state) {
  const size_t width = static_cast<size_t>(state.range(0));
  const unsigned log_n = static_cast<unsigned>(state.range(1));
  air::examples::SyntheticAir air(width);
  auto hal = hal::make_cpu_hal();
  auto cfg = stark::StarkConfig::standard();
  auto pk = stark::setup(100, {&air}, cfg, *hal);
  const auto trace = air::examples::synthetic_trace(width, size_t{1} << log_n, 1);
  std::vector<air::TableWitness> w{{&air, &trace, {trace.at(0, 0)}}};
  stark::ProveOptions opts;
  opts.check_constraints = false;  // timed: the prover alone
  std::vector<uint8_t> bytes;
  std::vector<std::pair<std::string, double>> timings;
  opts.timings = &timings;
  double verify_ms = 0;
  double prove_cpu_s = 0;
  for (auto _ : state) {
    const double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    auto proof = stark::prove(pk, w, *hal, opts);
    auto t1 = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    prove_cpu_s = cpu_seconds() - c0;
    bytes = stark::serialize_proof(proof);
    // Verify (parse + check) a few times; report the mean.
    const int reps = 5;
    auto v0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) stark::verify_bytes(pk.vk, bytes);
    auto v1 = std::chrono::steady_clock::now();
    verify_ms = std::chrono::duration<double, std::milli>(v1 - v0).count() / reps;
  }
  state.counters["proof_kB"] = static_cast<double>(bytes.size()) / 1000.0;
  state.counters["verify_ms"] = verify_ms;
  state.counters["prove_cpu_ms"] = prove_cpu_s * 1000.0;
  state.counters["peak_rss_MiB"] = peak_rss_mib();
  for (const auto& [stage, sec] : timings) state.counters[stage + "_ms"] = sec * 1000.0;
}

}  // namespace

BENCHMARK(BM_StarkSynthetic)
    ->Args({64, 16})
    ->Args({64, 18})
    ->Args({64, 20})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
