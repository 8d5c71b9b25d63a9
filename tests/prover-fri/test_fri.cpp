// FRI prover/verifier tests: completeness over sizes, arities and mixed
// heights; one negative test per verifier check; serialization.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "fri_test_util.h"
#include "prover/fri/fri_prover.h"
#include "prover/fri/fri_verifier.h"
#include "prover/fri/security.h"
#include "prover/hal/hal.h"
#include "prover/merkle/merkle.h"

using namespace zkvm;
using field::Fp;
using field::Fp4;
using fri::FriParams;
using fri::FriProof;
using fri::VerifyError;
using test::Rng;

namespace {

struct Instance {
  FriParams params;
  std::vector<unsigned> heights;
  std::vector<std::vector<Fp4>> inputs;
};

// Random inputs of degree < 2^(h - log_blowup) for each log height h.
Instance make_instance(FriParams params, std::vector<unsigned> heights, uint64_t seed) {
  Rng rng(seed);
  Instance in{params, heights, {}};
  for (unsigned h : heights)
    in.inputs.push_back(
        test::codeword(test::random_poly(rng, size_t{1} << (h - params.log_blowup)), h));
  return in;
}

fri::InputOpener opener_for(const Instance& in) {
  return [&in](std::span<const uint64_t> idx) {
    std::vector<std::vector<Fp4>> out(idx.size());
    for (size_t q = 0; q < idx.size(); ++q)
      for (size_t j = 0; j < in.inputs.size(); ++j)
        out[q].push_back(in.inputs[j][idx[q] >> (in.heights[0] - in.heights[j])]);
    return out;
  };
}

fri::FriProverResult prove(const Instance& in) {
  auto hal = hal::make_cpu_hal();
  transcript::Challenger ch("fri-test");
  return fri::fri_prove(in.params, in.inputs, ch, *hal);
}

void verify(const Instance& in, const FriProof& proof) {
  transcript::Challenger ch("fri-test");
  fri::fri_verify(in.params, in.heights, proof, ch, opener_for(in));
}

FriParams small_params(unsigned log_arity, unsigned pow_bits = 4) {
  FriParams p;
  p.log_blowup = 1;
  p.num_queries = 12;
  p.pow_bits = pow_bits;
  p.log_max_arity = log_arity;
  p.log_final_poly_len = 2;
  return p;
}

}  // namespace

TEST_CASE("FRI accepts low-degree codewords for arities 2, 4, 8, 16 and several sizes") {
  for (unsigned k = 1; k <= 4; ++k) {
    for (unsigned n : {3u, 6u, 9u, 11u}) {
      INFO("log arity " << k << ", log size " << n);
      const auto in = make_instance(small_params(k), {n}, 10 * k + n);
      const auto res = prove(in);
      REQUIRE(res.query_indices.size() == in.params.num_queries);
      REQUIRE_NOTHROW(verify(in, res.proof));
    }
  }
}

TEST_CASE("FRI accepts several inputs of different heights folded into one chain") {
  for (unsigned k : {1u, 2u, 3u, 4u}) {
    INFO("log arity " << k);
    const auto in = make_instance(small_params(k), {11, 10, 7, 5, 3}, 100 + k);
    const auto res = prove(in);
    REQUIRE_NOTHROW(verify(in, res.proof));
  }
}

TEST_CASE("FRI at rate 1/4 with the default arity accepts") {
  FriParams p = small_params(3);
  p.log_blowup = 2;
  const auto in = make_instance(p, {12, 9}, 7);
  REQUIRE_NOTHROW(verify(in, prove(in).proof));
}

TEST_CASE("FRI prover refuses a codeword of too high degree") {
  auto in = make_instance(small_params(2), {9}, 3);
  Rng rng(5);
  in.inputs[0] = test::codeword(test::random_poly(rng, (size_t{1} << 8) + 1), 9);
  REQUIRE_THROWS_WITH(prove(in), Catch::Contains("not of low degree"));
}

// A cheating prover: identical to fri_prove except that it truncates the
// final polynomial instead of refusing a high-degree input, and can tamper
// with a layer's codeword before committing it or with the final polynomial
// before sending it (everything after stays consistent with the transcript).
struct Tamper {
  std::function<void(size_t layer, std::vector<Fp4>&)> layer;
  std::function<void(std::vector<Fp4>&)> final_poly;
  // Replaces a layer's fold challenges (drawn from the transcript as the
  // verifier draws them) before folding.
  std::function<void(std::vector<Fp4>&)> betas;
};
FriProof cheat_prove(const FriParams& params, std::vector<Fp4> input, unsigned log_n,
                     const Tamper& tamper = {}) {
  auto hal = hal::make_cpu_hal();
  transcript::Challenger ch("fri-test");
  const std::vector<unsigned> heights{log_n};
  const auto plan = fri::plan_layers(params, heights);
  FriProof proof;
  std::vector<std::unique_ptr<merkle::MerkleTree>> trees;
  auto cur = input;
  for (size_t l = 0; l < plan.size(); ++l) {
    const auto [n, k] = plan[l];
    if (tamper.layer) tamper.layer(l, cur);
    std::vector<Fp> flat;
    for (auto& v : cur) flat.insert(flat.end(), v.c, v.c + 4);
    trees.push_back(hal->merkle_commit({RowMajorMatrix<Fp>(std::move(flat), size_t{4} << k)}, {}, 0));
    proof.layer_roots.push_back(trees.back()->root());
    ch.observe_digest("fri/layer " + std::to_string(l) + "/root", proof.layer_roots.back().bytes);
    proof.layer_nonces.push_back(ch.grind(params.challenge_pow_bits));
    auto betas = fri::sample_fold_challenges(ch, "fri/layer " + std::to_string(l), k);
    if (tamper.betas) tamper.betas(betas);
    cur = hal->fri_fold(cur, betas);
  }
  // Interpolate the final codeword and keep only the allowed coefficients.
  const unsigned m = params.min_log_height();
  const size_t len = size_t{1} << params.log_final_poly_len;
  std::vector<Fp4> coeffs(len);
  const Fp ginv = field::two_adic_generator(m).inverse();
  const Fp ninv = Fp::from_canonical(1u << m).inverse();
  for (size_t t = 0; t < len; ++t) {
    Fp4 acc;
    for (size_t j = 0; j < cur.size(); ++j)
      acc += cur[fri::reverse_bits(j, m)] * ginv.pow(j * t);
    coeffs[t] = acc * ninv;
  }
  if (tamper.final_poly) tamper.final_poly(coeffs);
  proof.final_poly = coeffs;
  ch.observe_fp4s("fri/final poly", proof.final_poly);
  proof.pow_nonce = ch.grind(params.pow_bits);
  std::vector<uint64_t> idx(params.num_queries);
  for (auto& i : idx) i = ch.sample_index("fri/query index", log_n);
  for (size_t l = 0; l < plan.size(); ++l) {
    const auto [n, k] = plan[l];
    std::vector<uint64_t> leaves;
    for (auto i : idx) leaves.push_back((i >> (log_n - n)) >> k);
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    auto o = trees[l]->open_batch(leaves);
    fri::LayerOpening lo;
    for (auto& row : o.rows) {
      std::vector<Fp4> c;
      for (size_t t = 0; t < row.size(); t += 4)
        c.push_back(Fp4::from_base(row[t], row[t + 1], row[t + 2], row[t + 3]));
      lo.cosets.push_back(c);
    }
    lo.siblings = o.proof.siblings;
    proof.layers.push_back(lo);
  }
  return proof;
}

TEST_CASE("FRI verifier rejects a codeword of too high degree from a cheating prover") {
  const FriParams p = small_params(2, 0);
  Rng rng(9);
  Instance in{p, {10}, {test::codeword(test::random_poly(rng, 1u << 9), 10)}};
  // Degree 2^9 - 1 at log size 10 and rate 1/2 is allowed; double it.
  in.inputs[0] = test::codeword(test::random_poly(rng, 1u << 10), 10);
  const auto proof = cheat_prove(p, in.inputs[0], 10);
  REQUIRE_THROWS_WITH(verify(in, proof), Catch::Contains("final polynomial disagrees"));
}

TEST_CASE("FRI cheating-prover harness produces accepted proofs when it does not cheat") {
  // Guards the negative tests below: their rejections come from the tamper.
  const auto in = make_instance(small_params(2, 0), {10}, 11);
  REQUIRE_NOTHROW(verify(in, cheat_prove(in.params, in.inputs[0], 10)));
}

TEST_CASE("FRI verifier rejects an altered final polynomial") {
  const auto in = make_instance(small_params(2, 0), {10}, 11);
  // Changing the sent proof's polynomial would also reshuffle the queries, so
  // the cheater sends the altered polynomial and answers consistently.
  Tamper t;
  t.final_poly = [](std::vector<Fp4>& c) { c[1] += Fp4(Fp::one()); };
  REQUIRE_THROWS_WITH(verify(in, cheat_prove(in.params, in.inputs[0], 10, t)),
                      Catch::Contains("final polynomial disagrees"));
  // Tampering with the honest proof's bytes is rejected too (by some check).
  auto proof = prove(in).proof;
  proof.final_poly[1] += Fp4(Fp::one());
  REQUIRE_THROWS_AS(verify(in, proof), VerifyError);
}

TEST_CASE("FRI verifier rejects a prover that folds with powers of the first challenge") {
  // The fold error is counted per arity-2 step with independent challenges
  // (docs/SECURITY.md); a prover that folds with beta_0, beta_0^2, beta_0^4
  // (the version-2 fold, a degree-7 curve in beta_0) must not verify.
  const auto in = make_instance(small_params(3, 0), {10}, 12);
  REQUIRE_NOTHROW(verify(in, cheat_prove(in.params, in.inputs[0], 10)));
  Tamper t;
  t.betas = [](std::vector<Fp4>& b) {
    for (size_t s = 1; s < b.size(); ++s) b[s] = b[s - 1] * b[s - 1];
  };
  REQUIRE_THROWS_WITH(verify(in, cheat_prove(in.params, in.inputs[0], 10, t)),
                      Catch::Contains("layer 1: query 0 (index"));
}

TEST_CASE("FRI verifier rejects a layer that is not the fold of the previous one") {
  const auto in = make_instance(small_params(2, 0), {10}, 12);
  Tamper t;
  t.layer = [](size_t l, std::vector<Fp4>& cw) {
    if (l == 2)
      for (auto& v : cw) v += Fp4(Fp::one());
  };
  REQUIRE_THROWS_WITH(verify(in, cheat_prove(in.params, in.inputs[0], 10, t)),
                      Catch::Contains("layer 2: query 0 (index"));
}

TEST_CASE("FRI verifier rejects an altered layer commitment") {
  const auto in = make_instance(small_params(2, 0), {10}, 12);
  auto proof = prove(in).proof;
  proof.layer_roots[3].bytes[0] ^= 1;
  REQUIRE_THROWS_WITH(verify(in, proof), Catch::Contains("fri: layer"));
}

TEST_CASE("FRI verifier rejects an altered opened query value") {
  const auto in = make_instance(small_params(2, 0), {10}, 13);
  auto proof = prove(in).proof;
  proof.layers[2].cosets[0][1] += Fp4(Fp::one());
  REQUIRE_THROWS_WITH(verify(in, proof), Catch::Contains("layer 2: merkle"));
}

TEST_CASE("FRI verifier rejects input values that differ from the committed first layer") {
  auto in = make_instance(small_params(2, 0), {10}, 14);
  const auto proof = prove(in).proof;
  // The opener now reports other values than the codeword that was folded.
  for (auto& v : in.inputs[0]) v += Fp4(Fp::one());
  REQUIRE_THROWS_WITH(verify(in, proof), Catch::Contains("differs from the folded value"));
}

TEST_CASE("FRI verifier rejects a bad proof-of-work nonce") {
  const auto in = make_instance(small_params(2, 12), {10}, 15);
  auto proof = prove(in).proof;
  proof.pow_nonce += 1;
  REQUIRE_THROWS_WITH(verify(in, proof), Catch::Contains("proof-of-work nonce"));
}

TEST_CASE("FRI verifier rejects proofs of the wrong shape") {
  const auto in = make_instance(small_params(2, 0), {10}, 16);
  const auto good = prove(in).proof;
  auto p1 = good;
  p1.final_poly.pop_back();
  REQUIRE_THROWS_WITH(verify(in, p1), Catch::Contains("final polynomial has 3 coefficients"));
  auto p2 = good;
  p2.layers.pop_back();
  REQUIRE_THROWS_WITH(verify(in, p2), Catch::Contains("expected"));
  auto p3 = good;
  p3.layers[0].cosets[0].pop_back();
  REQUIRE_THROWS_WITH(verify(in, p3), Catch::Contains("expected arity 4"));
}

TEST_CASE("FRI proof survives a serialization round trip and still verifies") {
  const auto in = make_instance(small_params(3), {11, 8}, 17);
  const auto proof = prove(in).proof;
  transcript::ByteWriter w;
  fri::write_fri_proof(w, proof);
  const auto bytes = w.take();
  transcript::ByteReader r(bytes);
  const auto back = fri::read_fri_proof(r, in.params, in.heights);
  REQUIRE_NOTHROW(r.expect_end());
  REQUIRE(back.final_poly == proof.final_poly);
  REQUIRE_NOTHROW(verify(in, back));
}

TEST_CASE("FRI proof reader rejects every truncation and an oversized count without crashing") {
  const auto in = make_instance(small_params(2), {9}, 18);
  transcript::ByteWriter w;
  fri::write_fri_proof(w, prove(in).proof);
  const auto bytes = w.take();
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    transcript::ByteReader r(std::span<const uint8_t>(bytes).first(cut));
    REQUIRE_THROWS_AS(fri::read_fri_proof(r, in.params, in.heights),
                      transcript::ProofFormatError);
  }
  // Layer roots come first: replace the count with a huge number.
  auto bad = bytes;
  bad[0] = bad[1] = bad[2] = bad[3] = 0xff;
  transcript::ByteReader r(bad);
  REQUIRE_THROWS_WITH(fri::read_fri_proof(r, in.params, in.heights),
                      Catch::Contains("fri: layer root count 4294967295 but expected"));
}

TEST_CASE("FRI parameter validation names the bad parameter") {
  FriParams p;
  p.log_max_arity = 5;
  REQUIRE_THROWS_WITH(p.validate(), Catch::Contains("log_max_arity 5"));
  FriParams q;
  const std::vector<unsigned> h{4};
  REQUIRE_THROWS_WITH(fri::plan_layers(q, h), Catch::Contains("below log_blowup"));
  const std::vector<unsigned> h2{12, 12};
  REQUIRE_THROWS_WITH(fri::plan_layers(q, h2), Catch::Contains("strictly descending"));
}

TEST_CASE("default FRI parameters reach 100 conjectured bits for a 2^20-row trace") {
  const FriParams p;  // rate 1/4, 42 queries, 16 PoW bits
  const auto s = fri::estimate_security(p, 22);
  REQUIRE(s.query_bits == Approx(42 * 2 + 16));
  REQUIRE(s.field_bits == Approx(4 * std::log2(double(Fp::kModulus)) - 22));
  REQUIRE(s.conjectured >= 100);
  REQUIRE(s.conjectured == Approx(std::min(s.query_bits, s.field_bits)));
  REQUIRE(s.johnson_query_bits == Approx(42 + 16));  // what is proven: far below
  // The finer union-bound terms lose a few bits to arity and batch size.
  REQUIRE(s.fold_bits < s.field_bits);
  REQUIRE(s.batching_bits < s.field_bits);
  // Fewer queries lower the query term linearly.
  FriParams q = p;
  q.num_queries = 20;
  REQUIRE(fri::estimate_security(q, 22).conjectured == Approx(20 * 2 + 16));
}

TEST_CASE("security estimate refuses LDE heights FRI cannot take instead of wrapping log_max_lde - log_blowup") {
  FriParams p;  // log_blowup 2, log_final_poly_len 3: FRI takes LDEs of 2^5..2^27
  REQUIRE_NOTHROW(fri::estimate_security(p, 5));
  REQUIRE_NOTHROW(fri::estimate_security(p, 27));
  // 1 - 2 would wrap to 2^32 - 1 and report a DEEP term above the field size.
  REQUIRE_THROWS_WITH(fri::estimate_security(p, 1), Catch::Contains("estimate_security: log_max_lde 1 outside [5, 27]"));
  REQUIRE_THROWS_WITH(fri::estimate_security(p, 4), Catch::Contains("log_max_lde 4 outside"));
  REQUIRE_THROWS_WITH(fri::estimate_security(p, 28), Catch::Contains("log_max_lde 28 outside"));
  REQUIRE_THROWS_AS(fri::estimate_security(p, 22, 0), std::invalid_argument);
  // The strict figure is the minimum of every term.
  const auto s = fri::estimate_security(p, 22);
  REQUIRE(s.strict == Approx(std::min({s.query_bits, s.field_bits, s.hash_bits, s.fold_bits, s.batching_bits,
                                       s.deep_bits})));
  // At 2^22 the fold term (3 |D| / |F|, any arity) is just above the query
  // term's 100 bits; at 2^23 it is the weakest.
  REQUIRE(s.strict == Approx(s.query_bits));
  REQUIRE(s.fold_bits == Approx(123.63 - std::log2(3.0) - 22).margin(0.01));
  const auto t = fri::estimate_security(p, 23);
  REQUIRE(t.strict == Approx(t.fold_bits));
  REQUIRE(t.strict < 100);
}

TEST_CASE("the fold term does not depend on the arity: every arity-2 step draws its own challenge") {
  for (unsigned lde = 8; lde <= 24; ++lde) {
    FriParams p;
    p.log_max_arity = 1;
    const double two = fri::estimate_security(p, lde).fold_bits;
    for (unsigned k = 2; k <= 4; ++k) {
      INFO("LDE 2^" << lde << ", arity 2^" << k);
      p.log_max_arity = k;
      CHECK(fri::estimate_security(p, lde).fold_bits == Approx(two));
    }
  }
}

TEST_CASE("FRI prover and verifier transcripts agree line by line in trace mode") {
  const auto in = make_instance(small_params(3), {9, 6}, 19);
  auto hal = hal::make_cpu_hal();
  std::vector<std::string> plines, vlines;
  transcript::Challenger pch("fri-test");
  pch.set_trace(&plines);
  const auto res = fri::fri_prove(in.params, in.inputs, pch, *hal);
  transcript::Challenger vch("fri-test");
  vch.set_trace(&vlines);
  fri::fri_verify(in.params, in.heights, res.proof, vch, opener_for(in));
  REQUIRE(plines == vlines);
  REQUIRE(plines.size() > in.params.num_queries);
  REQUIRE_THAT(plines.front(), Catch::StartsWith("P->V: fri/layer 0/root (32 bytes)"));
}
