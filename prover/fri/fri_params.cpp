// FRI parameter checks and the folding schedule (shared by prover and
// verifier; standard library only).
#include <stdexcept>
#include <string>

#include "prover/fri/fri.h"

namespace zkvm::fri {

void FriParams::validate() const {
  using std::to_string;
  auto bad = [](const std::string& m) { throw std::invalid_argument("fri params: " + m); };
  if (log_blowup < 1 || log_blowup > 6)
    bad("log_blowup " + to_string(log_blowup) + " outside [1, 6]");
  if (num_queries < 1 || num_queries > 512)
    bad("num_queries " + to_string(num_queries) + " outside [1, 512]");
  if (pow_bits > 32) bad("pow_bits " + to_string(pow_bits) + " exceeds 32");
  if (challenge_pow_bits > 24) bad("challenge_pow_bits " + to_string(challenge_pow_bits) + " exceeds 24");
  if (log_max_arity < 1 || log_max_arity > 4)
    bad("log_max_arity " + to_string(log_max_arity) + " outside [1, 4] (arity 2..16)");
  if (log_final_poly_len > 8) bad("log_final_poly_len " + to_string(log_final_poly_len) + " exceeds 8");
}

std::vector<LayerPlan> plan_layers(const FriParams& params,
                                   std::span<const unsigned> input_log_heights) {
  using std::to_string;
  params.validate();
  if (input_log_heights.empty()) throw std::invalid_argument("fri: no input codewords");
  const unsigned final_log = params.min_log_height();
  for (size_t j = 0; j < input_log_heights.size(); ++j) {
    const unsigned h = input_log_heights[j];
    if (h > field::Fp::kTwoAdicity)
      throw std::invalid_argument("fri: input " + to_string(j) + " has log height " +
                                  to_string(h) + " > 27, beyond BabyBear's two-adic subgroups");
    if (h < final_log)
      throw std::invalid_argument("fri: input " + to_string(j) + " has log height " +
                                  to_string(h) + " below log_blowup + log_final_poly_len = " +
                                  to_string(final_log));
    if (j > 0 && h >= input_log_heights[j - 1])
      throw std::invalid_argument("fri: input log heights must be strictly descending (input " +
                                  to_string(j) + ")");
  }
  std::vector<LayerPlan> plan;
  unsigned cur = input_log_heights[0];
  size_t next = 1;
  while (cur > final_log) {
    while (next < input_log_heights.size() && input_log_heights[next] >= cur) ++next;
    const unsigned target = next < input_log_heights.size() ? input_log_heights[next] : final_log;
    unsigned k = params.log_max_arity;
    if (cur - target < k) k = cur - target;
    plan.push_back({cur, k});
    cur -= k;
  }
  return plan;
}

std::vector<Fp4> sample_fold_challenges(transcript::Challenger& ch, const std::string& layer,
                                        unsigned log_arity) {
  std::vector<Fp4> betas(log_arity);
  for (unsigned s = 0; s < log_arity; ++s) betas[s] = ch.sample_fp4(layer + "/beta " + std::to_string(s));
  return betas;
}

}  // namespace zkvm::fri
