// STARK verifier (verifier side: OpenSSL + std only).
#pragma once

#include <span>

#include "prover/stark/proof.h"

namespace zkvm::stark {

struct VerifyOptions {
  // Floor on security_bits(vk, proof.log_heights): the strict conjectured
  // security at the proof's own heights, every term counted (the C API's
  // floor too). 0 turns it off; tests with small fast parameters do.
  unsigned min_security_bits = 100;
};

// Throws VerifyError (a failed check, with context; InsecureError below the
// floor) or transcript::ProofFormatError (malformed bytes). Returns on
// success.
void verify(const VerifyingKey& vk, const StarkProof& proof, const VerifyOptions& opts = {});
void verify_bytes(const VerifyingKey& vk, std::span<const uint8_t> proof_bytes, const VerifyOptions& opts = {});

// Shared by prover and verifier: absorbs the statement (vk, heights,
// publics) into a fresh challenger.
transcript::Challenger start_transcript(const VerifyingKey& vk, std::span<const unsigned> log_heights,
                                        const std::vector<std::vector<Fp>>& publics);

}  // namespace zkvm::stark
