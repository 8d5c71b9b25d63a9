// C API of the verifier. Every entry point catches everything: no C++
// exception crosses into C.
#include <new>
#include <string>
#include <vector>

#include "prover/stark/verifier.h"
#include "prover/verify/registry.h"
#include "zkvm/verifier.h"

struct zkvm_verifier {
  zkvm::stark::VerifyingKey vk;
  size_t num_publics = 0;
  std::string last_error;
  std::vector<uint32_t> last_log_heights;  // of the last proof that verified; empty otherwise
};

namespace {

// Minimum conjectured security the C API accepts: in a vk (query phase,
// heights unknown) and in a proof (every term at its heights, stark::verify).
constexpr unsigned kMinSecurityBits = 100;

zkvm_verifier_error fail(zkvm_verifier* v, zkvm_verifier_error e, const std::string& msg) {
  if (v != nullptr) {
    try {
      v->last_error = msg;
    } catch (...) {
    }
  }
  return e;
}

// Both verify entry points; log_heights == nullptr: heights not stated.
zkvm_verifier_error verify_impl(zkvm_verifier* v, const uint8_t* proof, size_t proof_len, const uint32_t* publics,
                                size_t num_publics, const uint32_t* log_heights, size_t num_tables) {
  if (v == nullptr) return ZKVM_VERIFIER_ERR_NULL_ARGUMENT;
  v->last_log_heights.clear();
  if ((proof == nullptr && proof_len != 0) || (publics == nullptr && num_publics != 0))
    return fail(v, ZKVM_VERIFIER_ERR_NULL_ARGUMENT, "proof or publics is NULL");
  try {
    v->last_error.clear();
    if (log_heights != nullptr && num_tables != v->vk.airs.size())
      return fail(v, ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH,
                  std::to_string(num_tables) + " table heights given, program has " +
                      std::to_string(v->vk.airs.size()) + " tables");
    if (num_publics != v->num_publics)
      return fail(v, ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH,
                  std::to_string(num_publics) + " public values given, program has " + std::to_string(v->num_publics));
    zkvm::stark::StarkProof p;
    try {
      p = zkvm::stark::parse_proof(std::span<const uint8_t>(proof, proof_len), v->vk);
    } catch (const zkvm::transcript::ProofFormatError& e) {
      return fail(v, ZKVM_VERIFIER_ERR_MALFORMED_PROOF, e.what());
    }
    size_t k = 0;
    for (size_t t = 0; t < p.publics.size(); ++t)
      for (size_t i = 0; i < p.publics[t].size(); ++i, ++k)
        if (p.publics[t][i].canonical() != publics[k])
          return fail(v, ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH,
                      "table '" + v->vk.airs[t]->name() + "' public value " + std::to_string(i) + " is " +
                          std::to_string(p.publics[t][i].canonical()) + ", expected " + std::to_string(publics[k]));
    // The stated heights are part of the claim, like the publics.
    if (log_heights != nullptr)
      for (size_t t = 0; t < p.log_heights.size(); ++t)
        if (p.log_heights[t] != log_heights[t])
          return fail(v, ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH,
                      "table '" + v->vk.airs[t]->name() + "' has 2^" + std::to_string(p.log_heights[t]) +
                          " rows, stated 2^" + std::to_string(log_heights[t]));
    try {
      zkvm::stark::VerifyOptions opts;
      opts.min_security_bits = kMinSecurityBits;
      zkvm::stark::verify(v->vk, p, opts);
    } catch (const zkvm::stark::InsecureError& e) {
      return fail(v, ZKVM_VERIFIER_ERR_INSECURE_PARAMS, e.what());
    } catch (const zkvm::stark::VerifyError& e) {
      return fail(v, ZKVM_VERIFIER_ERR_REJECTED, e.what());
    } catch (const zkvm::transcript::ProofFormatError& e) {
      return fail(v, ZKVM_VERIFIER_ERR_MALFORMED_PROOF, e.what());
    }
    v->last_log_heights.assign(p.log_heights.begin(), p.log_heights.end());
    return ZKVM_VERIFIER_OK;
  } catch (const std::exception& e) {
    v->last_log_heights.clear();
    return fail(v, ZKVM_VERIFIER_ERR_INTERNAL, e.what());
  } catch (...) {
    v->last_log_heights.clear();
    return fail(v, ZKVM_VERIFIER_ERR_INTERNAL, "unknown exception");
  }
}

}  // namespace

extern "C" {

const char* zkvm_verifier_error_name(zkvm_verifier_error err) {
  switch (err) {
    case ZKVM_VERIFIER_OK: return "ZKVM_VERIFIER_OK";
    case ZKVM_VERIFIER_ERR_NULL_ARGUMENT: return "ZKVM_VERIFIER_ERR_NULL_ARGUMENT";
    case ZKVM_VERIFIER_ERR_MALFORMED_VK: return "ZKVM_VERIFIER_ERR_MALFORMED_VK";
    case ZKVM_VERIFIER_ERR_UNKNOWN_PROGRAM: return "ZKVM_VERIFIER_ERR_UNKNOWN_PROGRAM";
    case ZKVM_VERIFIER_ERR_INSECURE_PARAMS: return "ZKVM_VERIFIER_ERR_INSECURE_PARAMS";
    case ZKVM_VERIFIER_ERR_MALFORMED_PROOF: return "ZKVM_VERIFIER_ERR_MALFORMED_PROOF";
    case ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH: return "ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH";
    case ZKVM_VERIFIER_ERR_REJECTED: return "ZKVM_VERIFIER_ERR_REJECTED";
    case ZKVM_VERIFIER_ERR_INTERNAL: return "ZKVM_VERIFIER_ERR_INTERNAL";
    case ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH: return "ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH";
    case ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH: return "ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH";
    case ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT: return "ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT";
    case ZKVM_VERIFIER_ERR_IMAGE_ID_MISMATCH: return "ZKVM_VERIFIER_ERR_IMAGE_ID_MISMATCH";
    case ZKVM_VERIFIER_ERR_BUFFER_TOO_SMALL: return "ZKVM_VERIFIER_ERR_BUFFER_TOO_SMALL";
  }
  return "ZKVM_VERIFIER_ERR_UNKNOWN";
}

zkvm_verifier_error zkvm_verifier_new(zkvm_verifier** out, const uint8_t* vk, size_t vk_len) {
  if (out == nullptr) return ZKVM_VERIFIER_ERR_NULL_ARGUMENT;
  *out = nullptr;
  if (vk == nullptr && vk_len != 0) return ZKVM_VERIFIER_ERR_NULL_ARGUMENT;
  try {
    std::span<const uint8_t> bytes(vk, vk_len);
    uint32_t id = 0;
    try {
      id = zkvm::stark::read_vk_program_id(bytes);
    } catch (const zkvm::transcript::ProofFormatError&) {
      return ZKVM_VERIFIER_ERR_MALFORMED_VK;
    }
    const auto* prog = zkvm::verify::find_program(id);
    if (prog == nullptr) return ZKVM_VERIFIER_ERR_UNKNOWN_PROGRAM;
    zkvm::stark::VerifyingKey parsed;
    try {
      parsed = zkvm::stark::parse_vk(bytes, *prog);
    } catch (const zkvm::transcript::ProofFormatError&) {
      return ZKVM_VERIFIER_ERR_MALFORMED_VK;
    }
    // SOUNDNESS: the preprocessed columns are part of the program; a vk's
    // copy of their commitment is trusted only if it is the pinned one.
    if (!zkvm::verify::check_preprocessed(parsed).empty()) return ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH;
    if (parsed.config.conjectured_bits() < kMinSecurityBits) return ZKVM_VERIFIER_ERR_INSECURE_PARAMS;
    auto* v = new (std::nothrow) zkvm_verifier;
    if (v == nullptr) return ZKVM_VERIFIER_ERR_INTERNAL;
    v->vk = std::move(parsed);
    for (const auto* a : v->vk.airs) v->num_publics += a->num_public_values();
    *out = v;
    return ZKVM_VERIFIER_OK;
  } catch (...) {
    return ZKVM_VERIFIER_ERR_INTERNAL;
  }
}

void zkvm_verifier_free(zkvm_verifier* v) { delete v; }

uint32_t zkvm_verifier_program_id(const zkvm_verifier* v) { return v ? v->vk.program_id : 0; }

size_t zkvm_verifier_num_public_values(const zkvm_verifier* v) { return v ? v->num_publics : 0; }

size_t zkvm_verifier_num_tables(const zkvm_verifier* v) { return v ? v->vk.airs.size() : 0; }


zkvm_verifier_error zkvm_verifier_verify(zkvm_verifier* v, const uint8_t* proof, size_t proof_len,
                                         const uint32_t* publics, size_t num_publics) {
  return verify_impl(v, proof, proof_len, publics, num_publics, nullptr, 0);
}

zkvm_verifier_error zkvm_verifier_verify_at_heights(zkvm_verifier* v, const uint8_t* proof, size_t proof_len,
                                                    const uint32_t* publics, size_t num_publics,
                                                    const uint32_t* log_heights, size_t num_tables) {
  if (v == nullptr) return ZKVM_VERIFIER_ERR_NULL_ARGUMENT;
  if (log_heights == nullptr) {
    v->last_log_heights.clear();
    return fail(v, ZKVM_VERIFIER_ERR_NULL_ARGUMENT, "log_heights is NULL");
  }
  return verify_impl(v, proof, proof_len, publics, num_publics, log_heights, num_tables);
}

zkvm_verifier_error zkvm_verifier_log_heights_get(const zkvm_verifier* v, uint32_t* log_heights, size_t num_tables) {
  if (v == nullptr || log_heights == nullptr) return ZKVM_VERIFIER_ERR_NULL_ARGUMENT;
  if (num_tables != v->vk.airs.size()) return ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH;
  if (v->last_log_heights.size() != num_tables) return ZKVM_VERIFIER_ERR_REJECTED;
  for (size_t t = 0; t < num_tables; ++t) log_heights[t] = v->last_log_heights[t];
  return ZKVM_VERIFIER_OK;
}

const char* zkvm_verifier_last_error(const zkvm_verifier* v) { return v ? v->last_error.c_str() : ""; }

}  // extern "C"
