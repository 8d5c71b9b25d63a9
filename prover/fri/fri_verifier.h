// FRI verifier (conventions in fri.h). OpenSSL and the standard library
// only.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "prover/fri/fri.h"
#include "prover/transcript/challenger.h"
#include "prover/transcript/serialize.h"

namespace zkvm::fri {

// Supplies the inputs' values at the sampled query indices:
// result[q][j] = input j at position indices[q] >> (max log height - its log
// height). Called once, after the indices are sampled; it must authenticate
// those values itself (the PCS checks its Merkle openings) and throw
// VerifyError if they do not verify.
using InputOpener = std::function<std::vector<std::vector<Fp4>>(std::span<const uint64_t> indices)>;

// Throws VerifyError naming the failed check.
void fri_verify(const FriParams& params, std::span<const unsigned> input_log_heights,
                const FriProof& proof, transcript::Challenger& ch, const InputOpener& open_inputs);

// Serialization; read_fri_proof takes every count from params and the input
// heights, so nothing is allocated from an unchecked length.
void write_fri_proof(transcript::ByteWriter& w, const FriProof& p);
FriProof read_fri_proof(transcript::ByteReader& r, const FriParams& params,
                        std::span<const unsigned> input_log_heights);

// Horner evaluation of coefficients (low first) at a base-field point.
Fp4 eval_poly(std::span<const Fp4> coeffs, Fp x);

}  // namespace zkvm::fri
