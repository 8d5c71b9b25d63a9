// FRI prove/verify on one codeword of 2^16..2^20 (rate 1/4, default
// parameters), and PCS commit+open / verify for a 64-column trace.
// Reference in the same run: a plain coset LDE of the same data (the
// dominant kernel of commit) so FRI's cost can be read relative to it.
#include <benchmark/benchmark.h>

#include <memory>

#include "prover/fri/fold.h"
#include "prover/fri/fri_prover.h"
#include "prover/fri/fri_verifier.h"
#include "prover/hal/hal.h"
#include "prover/ntt/ntt.h"
#include "prover/pcs/pcs.h"

using namespace zkvm;
using field::Fp;
using field::Fp4;

namespace {

uint64_t rng_state = 0x1234567;
Fp rnd() {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return Fp::from_u64(rng_state);
}

// Low-degree Fp4 codeword of log size n (bit-reversed on H_n).
std::vector<Fp4> low_degree_codeword(unsigned n, unsigned log_blowup) {
  RowMajorMatrix<Fp> m(4, size_t{1} << n);
  for (size_t i = 0; i < (size_t{1} << (n - log_blowup)); ++i)
    for (size_t c = 0; c < 4; ++c) m.at(i, c) = rnd();
  ntt::ntt_forward(m);
  std::vector<Fp4> cw(m.height);
  for (size_t i = 0; i < m.height; ++i) {
    const size_t j = fri::reverse_bits(i, n);
    cw[i] = Fp4::from_base(m.at(j, 0), m.at(j, 1), m.at(j, 2), m.at(j, 3));
  }
  return cw;
}

void BM_FriProve(benchmark::State& st) {
  const unsigned n = static_cast<unsigned>(st.range(0));
  const fri::FriParams params;
  const auto cw = low_degree_codeword(n, params.log_blowup);
  auto hal = hal::make_cpu_hal();
  for (auto _ : st) {
    transcript::Challenger ch("bench");
    auto res = fri::fri_prove(params, {cw}, ch, *hal);
    benchmark::DoNotOptimize(res.proof.pow_nonce);
  }
}

void BM_FriVerify(benchmark::State& st) {
  const unsigned n = static_cast<unsigned>(st.range(0));
  const fri::FriParams params;
  const auto cw = low_degree_codeword(n, params.log_blowup);
  auto hal = hal::make_cpu_hal();
  transcript::Challenger pch("bench");
  const auto res = fri::fri_prove(params, {cw}, pch, *hal);
  transcript::ByteWriter w;
  fri::write_fri_proof(w, res.proof);
  st.counters["proof_bytes"] = static_cast<double>(w.size());
  const std::vector<unsigned> heights{n};
  for (auto _ : st) {
    transcript::Challenger ch("bench");
    fri::fri_verify(params, heights, res.proof, ch, [&](std::span<const uint64_t> idx) {
      std::vector<std::vector<Fp4>> out(idx.size());
      for (size_t q = 0; q < idx.size(); ++q) out[q] = {cw[idx[q]]};
      return out;
    });
  }
}

// PCS: commit a 64 x 2^k trace (LDE + Merkle), open at zeta and g*zeta.
RowMajorMatrix<Fp> random_trace(size_t width, unsigned log_h) {
  RowMajorMatrix<Fp> m(width, size_t{1} << log_h);
  for (auto& v : m.values) v = rnd();
  return m;
}

void BM_PcsCommitOpen(benchmark::State& st) {
  const unsigned k = static_cast<unsigned>(st.range(0));
  const auto trace = random_trace(64, k);
  auto hal = hal::make_cpu_hal();
  pcs::PcsConfig cfg;
  size_t bytes = 0;
  for (auto _ : st) {
    pcs::PcsProver prover(cfg, *hal);
    transcript::Challenger ch("bench");
    auto round = prover.commit({trace});
    pcs::observe_commitment(ch, "trace", round->commitment());
    const Fp4 zeta = ch.sample_fp4("zeta");
    const Fp4 gz = zeta * field::two_adic_generator(k);
    auto op = prover.open({round.get()}, {{{zeta, gz}}}, ch);
    transcript::ByteWriter w;
    pcs::write_pcs_proof(w, op.proof);
    bytes = w.size();
  }
  st.counters["proof_bytes"] = static_cast<double>(bytes);
}

void BM_LdeReference(benchmark::State& st) {
  const unsigned k = static_cast<unsigned>(st.range(0));
  const auto trace = random_trace(64, k);
  for (auto _ : st) {
    auto lde = ntt::coset_lde(trace, 2, field::kMultiplicativeGenerator, true);
    benchmark::DoNotOptimize(lde.values.data());
  }
}

void BM_PcsVerify(benchmark::State& st) {
  const unsigned k = static_cast<unsigned>(st.range(0));
  const auto trace = random_trace(64, k);
  auto hal = hal::make_cpu_hal();
  pcs::PcsConfig cfg;
  pcs::PcsProver prover(cfg, *hal);
  transcript::Challenger ch("bench");
  auto round = prover.commit({trace});
  pcs::observe_commitment(ch, "trace", round->commitment());
  const Fp4 zeta = ch.sample_fp4("zeta");
  const Fp4 gz = zeta * field::two_adic_generator(k);
  auto op = prover.open({round.get()}, {{{zeta, gz}}}, ch);
  pcs::RoundClaim claim{round->commitment(), {round->dims(0)}, {{zeta, gz}}, op.values[0]};
  for (auto _ : st) {
    transcript::Challenger vch("bench");
    pcs::observe_commitment(vch, "trace", claim.commitment);
    (void)vch.sample_fp4("zeta");
    pcs::pcs_verify(cfg, {claim}, op.proof, vch);
  }
}

// Proof-of-work grinding alone (16 bits: 2^16 SHA-256 calls expected).
void BM_Grind(benchmark::State& st) {
  uint64_t i = 0;
  for (auto _ : st) {
    transcript::Challenger ch("bench");
    ch.observe_u64("seed", i++);
    benchmark::DoNotOptimize(ch.grind(static_cast<unsigned>(st.range(0))));
  }
}

}  // namespace

// 8: the standard challenge grind; 11 and 20: the LogUp grind of a full
// 2^21-row segment and of the largest statement (docs/SECURITY.md).
BENCHMARK(BM_Grind)->Arg(8)->Arg(11)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FriProve)->DenseRange(16, 20, 2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FriVerify)->DenseRange(16, 20, 2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LdeReference)->Arg(16)->Arg(18)->Arg(20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PcsCommitOpen)->Arg(16)->Arg(18)->Arg(20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PcsVerify)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
