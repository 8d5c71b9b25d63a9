// FRI low-degree test over Fp4 codewords (shared prover/verifier types).
//
// Conventions (as Plonky3's two-adic FRI):
// - A codeword of log size n holds evaluations of a polynomial of degree
//   < 2^(n - log_blowup) on the subgroup H_n = <g_n>, in bit-reversed order:
//   position p holds f(g_n^rev_n(p)). FRI treats every input as living on
//   H_n (no coset shift): a PCS that evaluates on s*H_n tests the polynomial
//   f(s X), which has the same degree.
// - In bit-reversed order the 2^k values at positions [2^k i, 2^k (i+1)) are
//   f on the coset x_i <w_{2^k}>, x_i = g_n^rev_{n-k}(i): one Merkle leaf of a
//   layer commitment holds exactly the coset a fold consumes.
// - Folding by arity a = 2^k is k arity-2 folds, each with its own
//   challenge beta_0 .. beta_{k-1} drawn after the layer's root (fold.h, the
//   same code in prover and verifier): f = sum_{t<a} X^t f_t(X^a) maps to
//   sum_t (prod_{s : bit s of t} beta_s) f_t. Each step is a random line,
//   so the fold error of a layer is that of k arity-2 layers
//   (docs/SECURITY.md), whatever the arity.
// - Several inputs of different heights (descending, distinct): the largest
//   starts the chain; when the folded codeword reaches an input's height the
//   input is added with a fresh challenge ("fri/layer l/input", drawn after
//   the fold's betas; the inputs were fixed before FRI began, so no
//   cancellation can be arranged).
//   Layer arities are min(max arity, distance to the next input height,
//   distance to the final size), so every input height is hit.
// - The last codeword (log size log_final_poly_len + log_blowup) is not
//   committed: the prover sends its polynomial's 2^log_final_poly_len
//   coefficients and the verifier evaluates it at each query's point.
// - Transcript order: per layer its root (observe), a challenge_pow_bits
//   nonce (grind/check), its betas and input challenge (sample); final poly
//   (observe), PoW nonce (grind/check), query indices (sample).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/hash/hash.h"
#include "prover/transcript/challenger.h"

namespace zkvm::fri {

using field::Fp;
using field::Fp4;

struct FriParams {
  unsigned log_blowup = 2;          // rate 1/4
  unsigned num_queries = 42;        // 2 bits each at rate 1/4
  unsigned pow_bits = 16;           // grinding before query sampling
  // Grinding before each FRI layer's fold challenges (and, in the STARK
  // and PCS above, before every other algebraic challenge): adds this many
  // bits to each algebraic soundness term (docs/SECURITY.md "Challenge
  // grinding"). 0: none (the nonce is still sent and observed).
  unsigned challenge_pow_bits = 0;
  unsigned log_max_arity = 3;       // fold by up to 8 per layer (1..4: arity 2..16)
  unsigned log_final_poly_len = 3;  // final polynomial has < 8 coefficients

  // Throws std::invalid_argument naming the bad field.
  void validate() const;
  // Smallest input log height FRI accepts.
  unsigned min_log_height() const { return log_blowup + log_final_poly_len; }
};

// One committed layer: its codeword log size and the fold applied to it.
struct LayerPlan {
  unsigned log_height;
  unsigned log_arity;
};

// Folding schedule for inputs of the given log heights (descending,
// distinct, each >= params.min_log_height(), max <= 27). Throws
// std::invalid_argument otherwise.
std::vector<LayerPlan> plan_layers(const FriParams& params,
                                   std::span<const unsigned> input_log_heights);

// The k fold challenges of one layer, in transcript order (labels
// "<layer>/beta 0" .. "<layer>/beta k-1"); the prover and verifier both
// draw them with this.
std::vector<Fp4> sample_fold_challenges(transcript::Challenger& ch, const std::string& layer,
                                        unsigned log_arity);

// Openings of one layer for all queries: one leaf per distinct coset index,
// in increasing coset order (the verifier recomputes that order from the
// query indices), plus the deduplicated Merkle siblings of that batch.
struct LayerOpening {
  std::vector<std::vector<Fp4>> cosets;  // [distinct leaf][arity]
  std::vector<hash::Digest> siblings;
};

struct FriProof {
  std::vector<hash::Digest> layer_roots;  // one per LayerPlan
  std::vector<uint64_t> layer_nonces;     // one per LayerPlan: challenge grinding
  std::vector<Fp4> final_poly;            // 2^log_final_poly_len coefficients, low first
  uint64_t pow_nonce = 0;
  std::vector<LayerOpening> layers;       // one per LayerPlan
};

// A verification failure with context ("fri layer 2: query 5: Merkle path
// mismatch"). Malformed bytes raise transcript::ProofFormatError instead.
class VerifyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace zkvm::fri
