// Merkle commit throughput (bytes of leaf data per second) against raw
// OpenSSL SHA-256 over the same bytes, in the same run. The raw baseline
// hashes the matrix's canonical bytes as one stream on one thread; the
// Merkle tree additionally converts from Montgomery form, hashes each row
// separately (per-leaf padding) and builds the inner levels.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <openssl/sha.h>

#include <random>
#include <vector>

#include "bench_util.h"
#include "prover/merkle/merkle.h"

using zkvm::RowMajorMatrix;
using zkvm::field::Fp;

namespace {
RowMajorMatrix<Fp> random_matrix(size_t w, size_t h) {
  std::mt19937_64 rng(7);
  RowMajorMatrix<Fp> m(w, h);
  for (auto& v : m.values) v = Fp::from_u64(rng());
  return m;
}

// args: log_n, width, threads
void BM_MerkleCommit(benchmark::State& st) {
  const size_t n = size_t{1} << st.range(0), w = static_cast<size_t>(st.range(1));
  omp_set_num_threads(static_cast<int>(st.range(2)));
  std::vector<RowMajorMatrix<Fp>> mats{random_matrix(w, n)};
  double cpu = 0;
  for (auto _ : st) {
    const double c0 = zkvm::bench::process_cpu_ns();
    // The tree owns its matrices; hand the same one back and forth so the
    // copy stays out of the timed region.
    zkvm::merkle::MerkleTree t(std::move(mats));
    benchmark::DoNotOptimize(t.root());
    cpu += zkvm::bench::process_cpu_ns() - c0;
    st.PauseTiming();
    mats = t.matrices();
    st.ResumeTiming();
  }
  const double bytes = static_cast<double>(st.iterations() * n * w * sizeof(Fp));
  st.SetBytesProcessed(static_cast<int64_t>(bytes));
  st.counters["threads"] = static_cast<double>(st.range(2));
  // Leaf bytes per second of CPU time summed over threads: per-core rate.
  st.counters["MBps_per_core"] = bytes / cpu * 1e3;
}

// args: log_n, width (bytes = n * width * 4), one thread, one stream.
void BM_RawSha256(benchmark::State& st) {
  const size_t bytes = (size_t{1} << st.range(0)) * static_cast<size_t>(st.range(1)) * 4;
  std::vector<uint8_t> data(bytes);
  std::mt19937_64 rng(8);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  uint8_t out[32];
  const double c0 = zkvm::bench::process_cpu_ns();
  for (auto _ : st) {
    SHA256(data.data(), data.size(), out);
    benchmark::DoNotOptimize(out);
  }
  const double cpu = zkvm::bench::process_cpu_ns() - c0;
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * bytes));
  st.counters["MBps_per_core"] = static_cast<double>(st.iterations() * bytes) / cpu * 1e3;
}

// args: log_n, width. SHA-256 of each row's bytes separately (the leaf
// work without the tree), one thread, EVP context reused.
void BM_RawSha256PerRow(benchmark::State& st) {
  const size_t n = size_t{1} << st.range(0), row = static_cast<size_t>(st.range(1)) * 4;
  std::vector<uint8_t> data(n * row);
  std::mt19937_64 rng(9);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  zkvm::hash::Sha256 h;
  const double c0 = zkvm::bench::process_cpu_ns();
  for (auto _ : st) {
    for (size_t i = 0; i < n; ++i) {
      h.update(std::span<const uint8_t>(data.data() + i * row, row));
      benchmark::DoNotOptimize(h.finalize());
    }
  }
  const double cpu = zkvm::bench::process_cpu_ns() - c0;
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * n * row));
  st.counters["MBps_per_core"] = static_cast<double>(st.iterations() * n * row) / cpu * 1e3;
}

void sizes(benchmark::internal::Benchmark* b, bool threads) {
  for (int log_n : {16, 20})
    for (int w : {8, 64, 256})
      if ((int64_t{w} << log_n) <= (int64_t{1} << 26)) {
        if (threads)
          for (int t : {1, 2}) b->Args({log_n, w, t});
        else
          b->Args({log_n, w});
      }
}
}  // namespace

BENCHMARK(BM_RawSha256)->Apply([](auto* b) { sizes(b, false); })->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RawSha256PerRow)->Apply([](auto* b) { sizes(b, false); })->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MerkleCommit)->Apply([](auto* b) { sizes(b, true); })->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
