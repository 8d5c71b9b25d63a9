#include "prover/fri/security.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace zkvm::fri {

SecurityEstimate estimate_security(const FriParams& params, unsigned log_max_lde,
                                   unsigned constraint_degree, unsigned opening_points) {
  params.validate();
  // SOUNDNESS: log_max_lde - log_blowup below is unsigned; a value under the
  // FRI minimum would wrap and report an inflated DEEP term.
  if (log_max_lde < params.min_log_height() || log_max_lde > field::Fp::kTwoAdicity)
    throw std::invalid_argument("estimate_security: log_max_lde " + std::to_string(log_max_lde) + " outside [" +
                                std::to_string(params.min_log_height()) + ", " +
                                std::to_string(field::Fp::kTwoAdicity) +
                                "] (log_blowup + log_final_poly_len, two-adicity)");
  if (constraint_degree < 1 || opening_points < 1)
    throw std::invalid_argument("estimate_security: constraint_degree and opening_points must be >= 1");
  const double log_p = std::log2(static_cast<double>(field::Fp::kModulus));
  const double field = 4 * log_p;  // |Fp4| = p^4 ~ 2^123.6
  SecurityEstimate s{};
  s.query_bits = static_cast<double>(params.num_queries) * params.log_blowup + params.pow_bits;
  // Grinding before each algebraic challenge (challenge_pow_bits) adds its
  // bits to every algebraic term: a prover that wants another draw of a
  // challenge must redo that work (docs/SECURITY.md "Challenge grinding").
  const double grind = params.challenge_pow_bits;
  s.field_bits = field - log_max_lde + grind;
  s.hash_bits = 128;
  s.conjectured = std::min({s.query_bits, s.field_bits, s.hash_bits});

  // Each arity-2 step of each layer folds with its own challenge: a random
  // line over the step's domain, |D_step| / |F| (correlated agreement for
  // lines, unique decoding). The arity only groups the steps into layers.
  double fold_sum = 0;
  const unsigned heights[1] = {log_max_lde};
  for (const auto& l : plan_layers(params, heights))
    for (unsigned step = 0; step < l.log_arity; ++step)
      fold_sum += std::ldexp(1.0, static_cast<int>(l.log_height - step));
  // Shorter inputs join the chain with a fresh challenge each: another line
  // per input height. The estimate knows only the tallest height, so it
  // counts one input at every height below it: sum 2^h < |D|.
  for (unsigned h = params.min_log_height(); h < log_max_lde; ++h)
    fold_sum += std::ldexp(1.0, static_cast<int>(h));
  s.fold_bits = (fold_sum > 0 ? field - std::log2(fold_sum) : field) + grind;
  // Random linear combination with independent coefficients: per-column
  // combination, then per-point combination, each |D|/|F| (proximity gaps,
  // unique-decoding regime).
  s.batching_bits = field - 1 - log_max_lde + grind;
  const double n_max = std::ldexp(1.0, static_cast<int>(log_max_lde - params.log_blowup));
  s.deep_bits = field - std::log2(static_cast<double>(opening_points) * constraint_degree * n_max) + grind;
  s.johnson_query_bits =
      static_cast<double>(params.num_queries) * params.log_blowup / 2.0 + params.pow_bits;
  s.strict = std::min({s.conjectured, s.fold_bits, s.batching_bits, s.deep_bits});
  return s;
}

}  // namespace zkvm::fri
