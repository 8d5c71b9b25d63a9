// Fiat-Shamir challenger: a SHA-256 hash chain.
//
// State is a 32-byte digest s. Observations are appended to a pending
// buffer as (tag, label, length, bytes) records, so the encoding is
// injective and labels separate domains. Before the first sample after any
// observation the buffer is absorbed: s = SHA256("zkvm/absorb" || s ||
// pending). Output blocks are SHA256("zkvm/squeeze" || s || counter).
//
// Sampling is unbiased: field elements take 31-bit words and reject those
// >= p (probability 1/16 per word); indices in a power-of-two domain mask a
// 32-bit word, which is exactly uniform.
//
// Proof of work: grind(bits) finds the least nonce with
// SHA256("zkvm/pow" || s || bits || nonce) starting with `bits` zero bits,
// then observes the nonce; check_pow does the same check on the verifier
// side. Every commitment, public value and PoW witness must be observed
// (SOUNDNESS: anything the prover sends that is not observed can be chosen
// after the challenges it influences).
//
// Trace mode: with set_trace(&lines) every observation appends
// "P->V: <label> (<n> bytes) <first bytes hex>" and every sample appends
// "V->P: <label> = <value>"; diffing the prover's and verifier's lines shows
// where they diverge (as stone-prover's annotations).
//
// Verifier side: depends only on OpenSSL and the standard library.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prover/field/babybear.h"

namespace zkvm::transcript {

class Challenger {
 public:
  // domain: a protocol name/version string observed first.
  explicit Challenger(std::string_view domain);

  void observe_bytes(std::string_view label, std::span<const uint8_t> data);
  void observe_u64(std::string_view label, uint64_t v);
  void observe_fp(std::string_view label, field::Fp v);
  void observe_fps(std::string_view label, std::span<const field::Fp> v);
  void observe_fp4(std::string_view label, const field::Fp4& v);
  void observe_fp4s(std::string_view label, std::span<const field::Fp4> v);
  void observe_digest(std::string_view label, const std::array<uint8_t, 32>& d) {
    observe_bytes(label, d);
  }

  field::Fp sample_fp(std::string_view label);
  field::Fp4 sample_fp4(std::string_view label);
  // Uniform in [0, 2^log_n), log_n <= 32.
  uint64_t sample_index(std::string_view label, unsigned log_n);
  uint32_t sample_u32(std::string_view label);

  // Prover: finds and observes the PoW nonce. bits <= 40.
  uint64_t grind(unsigned bits);
  // Verifier: returns false if the nonce misses the target; on success the
  // nonce is observed exactly as grind() does.
  bool check_pow(unsigned bits, uint64_t nonce);

  // Tests of the verifier's grinding checks: a cheating prover that skips
  // the work of one grind. While a ScopedSkipGrind(k) lives on this thread,
  // the k-th grind() call after it (0-based, any Challenger) observes the
  // least nonce that MISSES its target instead of searching; the verifier's
  // check_pow is unaffected. Count grinds with count_grinds().
  class ScopedSkipGrind {
   public:
    explicit ScopedSkipGrind(uint64_t k);
    ~ScopedSkipGrind();
    ScopedSkipGrind(const ScopedSkipGrind&) = delete;
    ScopedSkipGrind& operator=(const ScopedSkipGrind&) = delete;
    // grind() calls on this thread since the scope began.
    static uint64_t count_grinds();
  };

  // Lines are appended to *trace (not owned; nullptr turns tracing off).
  void set_trace(std::vector<std::string>* trace) { trace_ = trace; }

  // Current state after absorbing pending observations (for tests).
  std::array<uint8_t, 32> state();

 private:
  void flush();
  uint32_t next_word();
  bool pow_ok(unsigned bits, uint64_t nonce) const;
  uint64_t pow_search(unsigned bits, uint64_t start, uint64_t count) const;
  void note(std::string line) {
    if (trace_ != nullptr) trace_->push_back(std::move(line));
  }

  std::array<uint8_t, 32> state_{};
  std::vector<uint8_t> pending_;
  std::array<uint8_t, 32> block_{};
  size_t block_pos_ = 32;  // 32 = no unread output
  uint64_t counter_ = 0;
  std::vector<std::string>* trace_ = nullptr;
};

}  // namespace zkvm::transcript
