// STARK verifier (verifier side: OpenSSL + std only).
#pragma once

#include <optional>

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

struct LogupChallenges {
  Fp4 alpha, beta;
  uint64_t nonce = 0;  // the grinding nonce observed before them
};
// The LogUp challenges after a grinding nonce of `bits` leading zero bits
// (stark::logup_pow_bits): without `nonce` the prover's side (finds
// the least one), with it the verifier's (VerifyError naming the check if it
// falls short). The nonce is observed either way.
LogupChallenges logup_challenges(transcript::Challenger& ch, unsigned bits, std::optional<uint64_t> nonce);

// --- Segmented statements (continuations; docs/STARK.md "Segmented
// statements") -----------------------------------------------------------
// Several proofs under one vk whose buses balance only together: the global
// transcript absorbs the vk and, per segment in order, its heights, public
// values and main commitment; then the segment count; then the LogUp
// challenges are drawn. Segment k finishes its proof (aux, quotient, FRI)
// on a copy of that transcript that has observed k. The verifier checks each
// proof (V0-V3, V5) and that the sum of every segment's LogUp sums and
// public terms, plus the statement's own public terms, is 0 (V4).
// SOUNDNESS: every main trace, and so every multiplicity and tuple of every
// segment, is fixed before the challenges.
transcript::Challenger start_segments(const VerifyingKey& vk);
void observe_segment(transcript::Challenger& ch, std::span<const unsigned> log_heights,
                     const std::vector<std::vector<Fp>>& publics, const pcs::Commitment& main);
LogupChallenges finish_segments(transcript::Challenger& ch, size_t num_segments, unsigned bits,
                                std::optional<uint64_t> nonce);
transcript::Challenger segment_transcript(const transcript::Challenger& global, size_t k);

// Verifies proofs as segments of one statement (each must be proof k of the
// transcript above); extra_terms are the statement's own public bus terms.
void verify_segments(const VerifyingKey& vk, std::span<const StarkProof> proofs,
                     std::span<const air::PublicInteraction> extra_terms, const VerifyOptions& opts = {});

}  // namespace zkvm::stark
