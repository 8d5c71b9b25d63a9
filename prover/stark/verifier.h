// STARK verifier (verifier side: OpenSSL + std only).
#pragma once

#include <span>

#include "prover/stark/proof.h"

namespace zkvm::stark {

// Throws VerifyError (a failed check, with context) or
// transcript::ProofFormatError (malformed bytes). Returns on success.
void verify(const VerifyingKey& vk, const StarkProof& proof);
void verify_bytes(const VerifyingKey& vk, std::span<const uint8_t> proof_bytes);

// Shared by prover and verifier: absorbs the statement (vk, heights,
// publics) into a fresh challenger.
transcript::Challenger start_transcript(const VerifyingKey& vk, std::span<const unsigned> log_heights,
                                        const std::vector<std::vector<Fp>>& publics);

}  // namespace zkvm::stark
