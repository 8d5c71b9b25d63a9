// Helpers shared by the STARK end-to-end tests (tests/stark) and the
// verifier audit (tests/audit): the CPU backend, small fast parameters and
// a "does the verifier reject these bytes" predicate.
#pragma once

#include <span>
#include <string>

#include "prover/air/builders.h"
#include "prover/hal/hal.h"
#include "prover/ntt/ntt.h"
#include "prover/pcs/pcs.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"
#include "prover/transcript/serialize.h"

namespace zkvm::stark_test {

inline hal::Hal& cpu() {
  static auto h = hal::make_cpu_hal();
  return *h;
}

// Small parameters so the tests stay fast; far below 100 bits (the C API
// refuses them, which is tested).
inline stark::StarkConfig fast_config() {
  stark::StarkConfig c;
  c.pcs.fri.num_queries = 4;
  c.pcs.fri.pow_bits = 1;
  c.pcs.fri.log_final_poly_len = 2;
  return c;
}

// fast_config with zero knowledge (4 queries: hiding needs >= 16 rows).
inline stark::StarkConfig zk_config() {
  stark::StarkConfig c = fast_config();
  c.pcs.zk = true;
  return c;
}

// verify() without the security floor: fast_config is far below it (the
// floor has its own tests, which pass their options explicitly).
inline stark::VerifyOptions no_floor() {
  stark::VerifyOptions o;
  o.min_security_bits = 0;
  return o;
}

// True when the verifier rejects with a typed error; false when it accepts.
// Any other exception escapes and fails the test (a crash is not a rejection).
// No security floor (no_floor).
inline bool rejects(const stark::VerifyingKey& vk, std::span<const uint8_t> bytes, std::string* why = nullptr) {
  try {
    stark::verify_bytes(vk, bytes, no_floor());
    return false;
  } catch (const stark::VerifyError& e) {
    if (why) *why = e.what();
    return true;
  } catch (const transcript::ProofFormatError& e) {
    if (why) *why = e.what();
    return true;
  }
}

// The same for an in-memory proof (no parser in front of verify()).
inline bool rejects_proof(const stark::VerifyingKey& vk, const stark::StarkProof& p, std::string* why = nullptr) {
  try {
    stark::verify(vk, p, no_floor());
    return false;
  } catch (const stark::VerifyError& e) {
    if (why) *why = e.what();
    return true;
  } catch (const transcript::ProofFormatError& e) {
    if (why) *why = e.what();
    return true;
  }
}

// The rest of a proof's transcript up to zeta, after the LogUp sums: the
// grinding nonces as the verifier checks them (observed), alpha, the
// quotient commitment.
inline field::Fp4 replay_alpha_zeta(const stark::VerifyingKey& vk, const stark::StarkProof& p,
                                    transcript::Challenger& ch) {
  const unsigned bits = vk.config.pcs.fri.challenge_pow_bits;
  (void)ch.check_pow(bits, p.alpha_nonce);
  (void)ch.sample_fp4("constraint alpha");
  pcs::observe_commitment(ch, "quotient", p.quotient);
  (void)ch.check_pow(bits, p.zeta_nonce);
  return ch.sample_fp4("zeta");
}

// The out-of-domain point zeta of a proof, replayed from its transcript as
// the verifier draws it.
inline field::Fp4 replay_zeta(const stark::VerifyingKey& vk, const stark::StarkProof& p) {
  auto ch = stark::start_transcript(vk, p.log_heights, p.publics);
  pcs::observe_commitment(ch, "main", p.main);
  if (vk.has_bus()) {
    (void)stark::logup_challenges(
        ch, stark::logup_pow_bits(vk, stark::logup_degree(vk, p.log_heights, p.publics)), p.logup_nonce);
    pcs::observe_commitment(ch, "aux", p.aux);
    ch.observe_fp4s("logup sums", p.cumsums);
  }
  return replay_alpha_zeta(vk, p, ch);
}

// zeta of segment k of a segmented statement (stark::prove_segments),
// replayed as verify_segments draws it (extra: the statement's public terms).
inline field::Fp4 replay_segment_zeta(const stark::VerifyingKey& vk, std::span<const stark::StarkProof> proofs, size_t k,
                                      std::span<const air::PublicInteraction> extra = {}) {
  auto global = stark::start_segments(vk);
  for (const auto& p : proofs) stark::observe_segment(global, p.log_heights, p.publics, p.main);
  double degree = stark::logup_degree(extra);
  for (const auto& p : proofs) degree += stark::logup_degree(vk, p.log_heights, p.publics);
  (void)stark::finish_segments(global, proofs.size(), stark::logup_pow_bits(vk, degree), proofs[0].logup_nonce);
  auto ch = stark::segment_transcript(global, k);
  const auto& p = proofs[k];
  pcs::observe_commitment(ch, "aux", p.aux);
  ch.observe_fp4s("logup sums", p.cumsums);
  return replay_alpha_zeta(vk, p, ch);
}

// The trace column's own polynomial (degree < n) at z.
inline field::Fp4 column_at(const matrix::RowMajorMatrix<field::Fp>& trace, size_t col, const field::Fp4& z) {
  matrix::RowMajorMatrix<field::Fp> m(1, trace.height);
  for (size_t r = 0; r < trace.height; ++r) m.at(r, 0) = trace.at(r, col);
  ntt::ntt_inverse(m);
  field::Fp4 acc;
  for (size_t r = trace.height; r-- > 0;) acc = acc * z + field::Fp4(m.at(r, 0));
  return acc;
}

// The LogUp challenges of proof p, replayed from its transcript.
inline stark::LogupChallenges replay_logup(const stark::VerifyingKey& vk, const stark::StarkProof& p) {
  auto ch = stark::start_transcript(vk, p.log_heights, p.publics);
  pcs::observe_commitment(ch, "main", p.main);
  return stark::logup_challenges(ch, stark::logup_pow_bits(vk, stark::logup_degree(vk, p.log_heights, p.publics)),
                                 p.logup_nonce);
}

// What table tw's LogUp sum is without a mask: anyone holding the witness
// (or guessing it) computes it from the public challenges.
inline field::Fp4 raw_logup_sum(const air::TableWitness& tw, const field::Fp4& alpha, const field::Fp4& beta,
                                size_t max_tuple_len) {
  const auto bp = stark::powers(beta, max_tuple_len + 1);
  const auto pre = tw.air->preprocessed_trace();
  air::CheckBuilder b;
  b.height = tw.trace->height;
  b.publics = tw.publics;
  field::Fp4 sum;
  for (size_t r = 0; r < tw.trace->height; ++r) {
    const size_t nr = (r + 1) % tw.trace->height;
    b.row = r;
    b.local = tw.trace->row(r);
    b.next = tw.trace->row(nr);
    if (pre) {
      b.pre_local = pre->row(r);
      b.pre_next_row = pre->row(nr);
    }
    b.tuples.clear();
    tw.air->eval(b);
    for (const auto& t : b.tuples)
      sum += (alpha - stark::logup_fingerprint(t.bus, t.values, bp)).inverse() * field::Fp4(t.mult);
  }
  return sum;
}

}  // namespace zkvm::stark_test
