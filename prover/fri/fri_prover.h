// FRI prover (conventions in fri.h).
#pragma once

#include <cstdint>
#include <vector>

#include "prover/fri/fri.h"
#include "prover/transcript/challenger.h"

namespace zkvm::hal {
class Hal;
}

namespace zkvm::fri {

struct FriProverResult {
  FriProof proof;
  std::vector<uint64_t> query_indices;  // in [0, 2^max input log height), sampling order
};

// inputs: bit-reversed codewords on H_n (see fri.h), sizes powers of two,
// strictly descending, each of degree < size / 2^log_blowup. Throws
// std::invalid_argument for bad shapes and when the inputs are not of low
// degree (the final polynomial would have too many coefficients).
//
// unsound_truncate_final_poly models a cheating prover for soundness tests:
// instead of refusing a high-degree input it sends the truncated final
// polynomial and answers every query consistently. Never set it otherwise.
FriProverResult fri_prove(const FriParams& params, std::vector<std::vector<Fp4>> inputs,
                          transcript::Challenger& ch, hal::Hal& hal,
                          bool unsound_truncate_final_poly = false);

}  // namespace zkvm::fri
