// NTT throughput: ns and TSC cycles per butterfly (butterflies = width *
// n/2 * log2 n per transform). "per core" multiplies wall time by the
// OpenMP thread count, i.e. the cost if the work were spread perfectly.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <random>

#include "bench_util.h"
#include "prover/ntt/ntt.h"

using zkvm::RowMajorMatrix;
using zkvm::field::Fp;
using namespace zkvm::ntt;

namespace {
RowMajorMatrix<Fp> random_matrix(size_t w, size_t h) {
  std::mt19937_64 rng(42);
  RowMajorMatrix<Fp> m(w, h);
  for (auto& v : m.values) v = Fp::from_u64(rng());
  return m;
}

// wall_ns_per_bfly: elapsed time / butterflies (all threads together).
// cyc_per_bfly_core: process CPU time (summed over threads) x TSC GHz /
// butterflies, i.e. TSC cycles each butterfly costs one core.
void report(benchmark::State& st, double butterflies_per_iter, int threads, double cpu_ns) {
  const double iters = static_cast<double>(st.iterations());
  const double bf = butterflies_per_iter * iters;
  st.counters["threads"] = threads;
  st.counters["wall_ns_per_bfly"] =
      benchmark::Counter(bf, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  st.counters["cyc_per_bfly_core"] = cpu_ns * zkvm::bench::tsc_ghz() / bf;
  st.counters["butterflies"] = butterflies_per_iter;
}

// args: log_n, width, isa, threads
void BM_NttForward(benchmark::State& st) {
  const unsigned log_n = static_cast<unsigned>(st.range(0));
  const size_t w = static_cast<size_t>(st.range(1));
  const Isa isa = static_cast<Isa>(st.range(2));
  const int threads = static_cast<int>(st.range(3));
  omp_set_num_threads(threads);
  auto m = random_matrix(w, size_t{1} << log_n);
  ntt_forward(m, isa);  // warm the twiddle cache
  const double c0 = zkvm::bench::process_cpu_ns();
  for (auto _ : st) {
    ntt_forward(m, isa);
    benchmark::DoNotOptimize(m.values.data());
    benchmark::ClobberMemory();
  }
  const double cpu = zkvm::bench::process_cpu_ns() - c0;
  st.SetLabel(isa_name(isa));
  report(st, static_cast<double>(w) * static_cast<double>(size_t{1} << (log_n - 1)) * log_n, threads,
         cpu);
}

// args: log_n, width, log_blowup, threads. Butterflies counted for the two
// transforms (size n inverse + size n<<b forward).
void BM_CosetLde(benchmark::State& st) {
  const unsigned log_n = static_cast<unsigned>(st.range(0));
  const size_t w = static_cast<size_t>(st.range(1));
  const unsigned lb = static_cast<unsigned>(st.range(2));
  const int threads = static_cast<int>(st.range(3));
  omp_set_num_threads(threads);
  const auto m = random_matrix(w, size_t{1} << log_n);
  benchmark::DoNotOptimize(coset_lde(m, lb, zkvm::field::kMultiplicativeGenerator, true));
  const double c0 = zkvm::bench::process_cpu_ns();
  for (auto _ : st) {
    auto out = coset_lde(m, lb, zkvm::field::kMultiplicativeGenerator, true);
    benchmark::DoNotOptimize(out.values.data());
  }
  const double cpu = zkvm::bench::process_cpu_ns() - c0;
  const double n = static_cast<double>(size_t{1} << log_n);
  const double big = n * static_cast<double>(size_t{1} << lb);
  report(st, static_cast<double>(w) * (n / 2 * log_n + big / 2 * (log_n + lb)), threads, cpu);
}

const int kBest = static_cast<int>(Isa::Best);

void ntt_args(benchmark::internal::Benchmark* b) {
  for (int log_n : {16, 18, 20, 22})
    for (int w : {1, 8, 16, 64, 256})
      if ((int64_t{w} << log_n) <= (int64_t{1} << 26))  // <= 256 MiB per matrix
        for (int t : {1, 2}) b->Args({log_n, w, kBest, t});
  // SIMD paths against the scalar one on a mid-size matrix, one thread.
  for (Isa isa : available_isas())
    if (isa != Isa::Best) b->Args({18, 64, static_cast<int>(isa), 1});
}
}  // namespace

BENCHMARK(BM_NttForward)->Apply(ntt_args)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CosetLde)
    ->Args({18, 64, 1, 1})
    ->Args({18, 64, 1, 2})
    ->Args({18, 64, 2, 1})
    ->Args({18, 64, 3, 1})
    ->Args({20, 16, 1, 1})
    ->Args({20, 16, 1, 2})
    // Narrow matrices as the prover commits them (quotient chunks: 4 per
    // chunk; the zk mask: 4), at the blowup it uses.
    ->Args({18, 4, 2, 2})
    ->Args({18, 8, 2, 2})
    ->Args({18, 12, 2, 2})
    ->Args({18, 16, 2, 2})
    ->Args({18, 7, 2, 2})
    ->Args({18, 19, 2, 2})
    ->Args({18, 32, 2, 2})
    ->Args({18, 34, 2, 2})
    ->Args({18, 118, 2, 2})
    ->Args({18, 128, 2, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("tsc_ghz", std::to_string(zkvm::bench::tsc_ghz()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
