// Field arithmetic throughput: 8 independent dependency chains per loop so
// the figures are throughput, not latency. ns per operation (CPU time).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "prover/field/babybear.h"

using zkvm::field::Fp;
using zkvm::field::Fp4;

namespace {
template <class F>
F seed(uint64_t i) {
  if constexpr (std::is_same_v<F, Fp>) {
    return Fp::from_u64(i * 0x9e3779b97f4a7c15ull + 1);
  } else {
    return Fp4::from_base(seed<Fp>(i), seed<Fp>(i + 100), seed<Fp>(i + 200), seed<Fp>(i + 300));
  }
}

template <class F>
void BM_Mul(benchmark::State& st) {
  F acc[8];
  for (int j = 0; j < 8; ++j) acc[j] = seed<F>(j);
  const F b = seed<F>(99);
  for (auto _ : st) {
    for (int j = 0; j < 8; ++j) acc[j] = acc[j] * b;
    benchmark::DoNotOptimize(acc);
  }
  st.SetItemsProcessed(st.iterations() * 8);
}

template <class F>
void BM_Inverse(benchmark::State& st) {
  F x = seed<F>(7);
  for (auto _ : st) {
    x = x.inverse() + F(Fp::one());
    benchmark::DoNotOptimize(x);
  }
  st.SetItemsProcessed(st.iterations());
}

void BM_BatchInverse(benchmark::State& st) {
  std::vector<Fp> in(static_cast<size_t>(st.range(0))), out(in.size());
  for (size_t i = 0; i < in.size(); ++i) in[i] = seed<Fp>(i);
  for (auto _ : st) {
    zkvm::field::batch_inverse(in, out);
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}
}  // namespace

BENCHMARK_TEMPLATE(BM_Mul, Fp);
BENCHMARK_TEMPLATE(BM_Mul, Fp4);
BENCHMARK_TEMPLATE(BM_Inverse, Fp);
BENCHMARK_TEMPLATE(BM_Inverse, Fp4);
BENCHMARK(BM_BatchInverse)->Arg(1 << 16);

BENCHMARK_MAIN();
