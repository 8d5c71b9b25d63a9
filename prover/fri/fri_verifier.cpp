// FRI verifier: mirrors fri_prover.cpp step for step. OpenSSL and the
// standard library only.
//
// SOUNDNESS: checks, each with a negative test in tests/prover-fri:
//  - proof shape matches the schedule (layer count, coset sizes, final
//    polynomial length);
//  - PoW nonce meets pow_bits (before query indices are sampled);
//  - every opened layer leaf authenticates against its layer root;
//  - at each layer the opened coset contains the value the previous fold
//    (or the input) predicts at the query's position;
//  - the last folded value equals the final polynomial at the query point.
#include "prover/fri/fri_verifier.h"

#include <algorithm>
#include <string>

#include "prover/fri/fold.h"
#include "prover/merkle/merkle.h"

namespace zkvm::fri {

using std::to_string;

Fp4 eval_poly(std::span<const Fp4> coeffs, Fp x) {
  Fp4 acc;
  for (size_t i = coeffs.size(); i-- > 0;) acc = acc * x + coeffs[i];
  return acc;
}

namespace {

[[noreturn]] void reject(const std::string& m) { throw VerifyError("fri: " + m); }

std::vector<uint64_t> distinct_sorted(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

void fri_verify(const FriParams& params, std::span<const unsigned> input_log_heights,
                const FriProof& proof, transcript::Challenger& ch, const InputOpener& open_inputs) {
  std::vector<LayerPlan> plan;
  try {
    plan = plan_layers(params, input_log_heights);
  } catch (const std::invalid_argument& e) {
    reject(e.what());
  }
  if (proof.layer_roots.size() != plan.size() || proof.layer_nonces.size() != plan.size() ||
      proof.layers.size() != plan.size())
    reject("proof has " + to_string(proof.layer_roots.size()) + " layer roots, " +
           to_string(proof.layer_nonces.size()) + " layer nonces and " + to_string(proof.layers.size()) +
           " layer openings, expected " + to_string(plan.size()));
  const size_t final_len = size_t{1} << params.log_final_poly_len;
  if (proof.final_poly.size() != final_len)
    reject("final polynomial has " + to_string(proof.final_poly.size()) +
           " coefficients, expected " + to_string(final_len));

  // Commit phase: same observe/sample order as the prover.
  std::vector<std::vector<Fp4>> betas(plan.size());
  std::vector<Fp4> input_coeffs(plan.size());
  for (size_t l = 0, next_input = 1; l < plan.size(); ++l) {
    const std::string layer = "fri/layer " + to_string(l);
    ch.observe_digest(layer + "/root", proof.layer_roots[l].bytes);
    if (!ch.check_pow(params.challenge_pow_bits, proof.layer_nonces[l]))
      reject("layer " + to_string(l) + ": challenge grinding nonce " + to_string(proof.layer_nonces[l]) +
             " does not have " + to_string(params.challenge_pow_bits) + " leading zero bits");
    betas[l] = sample_fold_challenges(ch, layer, plan[l].log_arity);
    if (next_input < input_log_heights.size() &&
        input_log_heights[next_input] == plan[l].log_height - plan[l].log_arity) {
      input_coeffs[l] = ch.sample_fp4(layer + "/input");
      ++next_input;
    }
  }
  ch.observe_fp4s("fri/final poly", proof.final_poly);
  if (!ch.check_pow(params.pow_bits, proof.pow_nonce))
    reject("proof-of-work nonce " + to_string(proof.pow_nonce) + " does not have " +
           to_string(params.pow_bits) + " leading zero bits");

  const unsigned log_max = input_log_heights[0];
  std::vector<uint64_t> indices(params.num_queries);
  for (auto& idx : indices) idx = ch.sample_index("fri/query index", log_max);

  const auto inputs = open_inputs(indices);
  if (inputs.size() != indices.size()) reject("input opener returned the wrong number of queries");
  for (const auto& row : inputs)
    if (row.size() != input_log_heights.size())
      reject("input opener returned the wrong number of inputs");

  // Authenticate each layer's opened cosets (distinct leaves, increasing).
  std::vector<std::vector<uint64_t>> leaves(plan.size());
  for (size_t l = 0; l < plan.size(); ++l) {
    const auto [n, k] = plan[l];
    const std::string where = "layer " + to_string(l) + ": ";
    std::vector<uint64_t> pos(indices.size());
    for (size_t q = 0; q < indices.size(); ++q) pos[q] = (indices[q] >> (log_max - n)) >> k;
    leaves[l] = distinct_sorted(std::move(pos));
    const auto& op = proof.layers[l];
    if (op.cosets.size() != leaves[l].size())
      reject(where + "has " + to_string(op.cosets.size()) + " opened cosets, expected " +
             to_string(leaves[l].size()));
    std::vector<std::vector<Fp>> rows(op.cosets.size());
    for (size_t i = 0; i < op.cosets.size(); ++i) {
      if (op.cosets[i].size() != (size_t{1} << k))
        reject(where + "coset " + to_string(i) + " has " + to_string(op.cosets[i].size()) +
               " values, expected arity " + to_string(size_t{1} << k));
      rows[i].reserve(4 << k);
      for (const auto& v : op.cosets[i]) rows[i].insert(rows[i].end(), v.c, v.c + 4);
    }
    merkle::MerkleBatchProof mp{op.siblings};
    const auto st = merkle::merkle_verify_batch(proof.layer_roots[l], uint64_t{1} << (n - k),
                                                size_t{4} << k, 0, leaves[l], rows, {}, mp);
    if (!st) reject(where + st.error);
  }

  // Query phase: follow each query through the layers.
  for (size_t q = 0; q < indices.size(); ++q) {
    Fp4 value = inputs[q][0];
    uint64_t pos = indices[q];
    size_t next_input = 1;
    for (size_t l = 0; l < plan.size(); ++l) {
      const auto [n, k] = plan[l];
      const uint64_t leaf = pos >> k;
      const auto it = std::lower_bound(leaves[l].begin(), leaves[l].end(), leaf);
      std::vector<Fp4> coset = proof.layers[l].cosets[static_cast<size_t>(it - leaves[l].begin())];
      if (coset[pos & ((uint64_t{1} << k) - 1)] != value)
        reject("layer " + to_string(l) + ": query " + to_string(q) + " (index " +
               to_string(indices[q]) + "): opened value differs from the folded value");
      value = fold_coset(coset, n, leaf, betas[l]);
      pos = leaf;
      const unsigned folded_log = n - k;
      if (next_input < input_log_heights.size() && input_log_heights[next_input] == folded_log) {
        value += input_coeffs[l] * inputs[q][next_input];
        ++next_input;
      }
    }
    const unsigned m = params.min_log_height();
    const Fp x = field::two_adic_generator(m).pow(reverse_bits(pos, m));
    if (eval_poly(proof.final_poly, x) != value)
      reject("query " + to_string(q) + " (index " + to_string(indices[q]) +
             "): final polynomial disagrees with the folded value");
  }
}

void write_fri_proof(transcript::ByteWriter& w, const FriProof& p) {
  w.count(p.layer_roots.size());
  for (size_t l = 0; l < p.layer_roots.size(); ++l) {
    w.bytes32(p.layer_roots[l].bytes);
    w.u64(p.layer_nonces.at(l));
  }
  w.count(p.final_poly.size());
  w.fp4s(p.final_poly);
  w.u64(p.pow_nonce);
  for (const auto& l : p.layers) {
    w.count(l.cosets.size());
    for (const auto& c : l.cosets) w.fp4s(c);
    w.count(l.siblings.size());
    for (const auto& d : l.siblings) w.bytes32(d.bytes);
  }
}

FriProof read_fri_proof(transcript::ByteReader& r, const FriParams& params,
                        std::span<const unsigned> input_log_heights) {
  std::vector<LayerPlan> plan;
  try {
    plan = plan_layers(params, input_log_heights);
  } catch (const std::invalid_argument& e) {
    r.fail(e.what());
  }
  auto scope = r.scope("fri");
  FriProof p;
  r.expect_count(plan.size(), "layer root");
  p.layer_roots.resize(plan.size());
  p.layer_nonces.resize(plan.size());
  for (size_t l = 0; l < plan.size(); ++l) {
    p.layer_roots[l].bytes = r.bytes32();
    p.layer_nonces[l] = r.u64();
  }
  r.expect_count(size_t{1} << params.log_final_poly_len, "final polynomial coefficient");
  p.final_poly = r.fp4s(size_t{1} << params.log_final_poly_len);
  p.pow_nonce = r.u64();
  p.layers.resize(plan.size());
  for (size_t l = 0; l < plan.size(); ++l) {
    auto ls = r.scope("layer " + to_string(l));
    const auto [n, k] = plan[l];
    const size_t ncos = r.count(params.num_queries, "opened coset");
    p.layers[l].cosets.resize(ncos);
    for (size_t i = 0; i < ncos; ++i) {
      auto cs = r.scope("coset " + to_string(i));
      p.layers[l].cosets[i] = r.fp4s(size_t{1} << k);
    }
    // At most one sibling per opened leaf per tree level.
    const size_t nsib = r.count(ncos * (n - k), "Merkle sibling");
    p.layers[l].siblings.resize(nsib);
    for (auto& d : p.layers[l].siblings) d.bytes = r.bytes32();
  }
  return p;
}

}  // namespace zkvm::fri
