// FRI prover: commit phase (commit layer, sample beta, fold, add inputs),
// final polynomial, PoW, queries, batch openings. fri_verifier.cpp mirrors
// it.
#include "prover/fri/fri_prover.h"

#include <algorithm>
#include <bit>
#include <memory>
#include <stdexcept>
#include <string>

#include "prover/fri/fold.h"
#include "prover/hal/hal.h"
#include "prover/merkle/merkle.h"

namespace zkvm::fri {

using std::to_string;

namespace {

// Coefficients of the polynomial whose evaluations on H_m are given in
// bit-reversed order (inverse DFT; the final codeword is at most 2^14 long,
// so the quadratic loop is cheap next to the commit phase).
std::vector<Fp4> interpolate_bit_reversed(const std::vector<Fp4>& evals) {
  const size_t n = evals.size();
  const unsigned m = static_cast<unsigned>(std::countr_zero(n));
  const Fp ginv = field::two_adic_generator(m).inverse();
  const Fp ninv = Fp::from_canonical(static_cast<uint32_t>(n)).inverse();
  std::vector<Fp4> nat(n);
  for (size_t j = 0; j < n; ++j) nat[j] = evals[reverse_bits(j, m)];
  std::vector<Fp4> coeffs(n);
  Fp wt = Fp::one();  // g^-t
  for (size_t t = 0; t < n; ++t) {
    Fp4 acc;
    Fp w = Fp::one();  // g^-jt
    for (size_t j = 0; j < n; ++j) {
      acc += nat[j] * w;
      w *= wt;
    }
    coeffs[t] = acc * ninv;
    wt *= ginv;
  }
  return coeffs;
}

}  // namespace

FriProverResult fri_prove(const FriParams& params, std::vector<std::vector<Fp4>> inputs,
                          transcript::Challenger& ch, hal::Hal& hal,
                          bool unsound_truncate_final_poly) {
  std::vector<unsigned> heights(inputs.size());
  for (size_t j = 0; j < inputs.size(); ++j) {
    const size_t n = inputs[j].size();
    if (n == 0 || !std::has_single_bit(n))
      throw std::invalid_argument("fri: input " + to_string(j) + " has size " + to_string(n) +
                                  ", not a power of two");
    heights[j] = static_cast<unsigned>(std::countr_zero(n));
  }
  const auto plan = plan_layers(params, heights);

  FriProverResult out;
  FriProof& proof = out.proof;
  // The commit phase on the backend (Hal::fri_commit): per layer, its root
  // and PoW nonce into the proof and the transcript, then the layer's fold
  // challenges; an input joining after a fold gets a fresh challenge, drawn
  // after the input was fixed (before FRI began) and after that fold.
  std::vector<std::pair<unsigned, unsigned>> hal_plan;
  for (const auto& [n, k] : plan) hal_plan.emplace_back(n, k);
  auto betas = [&](size_t l, const hash::Digest& root) {
    const std::string layer = "fri/layer " + to_string(l);
    proof.layer_roots.push_back(root);
    ch.observe_digest(layer + "/root", root.bytes);
    proof.layer_nonces.push_back(ch.grind(params.challenge_pow_bits));
    return sample_fold_challenges(ch, layer, plan[l].log_arity);
  };
  auto join = [&](size_t l) { return ch.sample_fp4("fri/layer " + to_string(l) + "/input"); };
  auto committed = hal.fri_commit(std::move(inputs), hal_plan, betas, join);
  auto& trees = committed.trees;
  const std::vector<Fp4> cur = std::move(committed.last);

  auto coeffs = interpolate_bit_reversed(cur);
  const size_t final_len = size_t{1} << params.log_final_poly_len;
  for (size_t t = final_len; t < coeffs.size(); ++t)
    if (!coeffs[t].is_zero() && !unsound_truncate_final_poly)
      throw std::invalid_argument("fri: inputs are not of low degree: final polynomial "
                                  "coefficient " + to_string(t) + " is nonzero (bound " +
                                  to_string(final_len) + ")");
  coeffs.resize(final_len);
  proof.final_poly = std::move(coeffs);
  ch.observe_fp4s("fri/final poly", proof.final_poly);
  proof.pow_nonce = ch.grind(params.pow_bits);

  const unsigned log_max = heights[0];
  out.query_indices.resize(params.num_queries);
  for (auto& idx : out.query_indices) idx = ch.sample_index("fri/query index", log_max);

  proof.layers.resize(plan.size());
  for (size_t l = 0; l < plan.size(); ++l) {
    const auto [n, k] = plan[l];
    std::vector<uint64_t> leaves(out.query_indices.size());
    for (size_t q = 0; q < leaves.size(); ++q)
      leaves[q] = (out.query_indices[q] >> (log_max - n)) >> k;
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    hal::restore_from_backend(hal, *trees[l], 0, leaves);  // a device backend's layer
    auto opening = trees[l]->open_batch(leaves);
    auto& lo = proof.layers[l];
    lo.cosets.resize(leaves.size());
    for (size_t i = 0; i < leaves.size(); ++i) {
      const auto& row = opening.rows[i];
      lo.cosets[i].resize(size_t{1} << k);
      for (size_t t = 0; t < lo.cosets[i].size(); ++t)
        lo.cosets[i][t] = Fp4::from_base(row[4 * t], row[4 * t + 1], row[4 * t + 2], row[4 * t + 3]);
    }
    lo.siblings = std::move(opening.proof.siblings);
  }
  return out;
}

}  // namespace zkvm::fri
