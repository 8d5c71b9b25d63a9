// C API for RV32IM receipts: zkvm_receipt_verify on top of
// rv32im::verify_receipt. Catches everything: no C++ exception crosses into
// C, and nothing but OK reports a receipt as valid.
#include <algorithm>
#include <cstring>
#include <string>

#include "prover/rv32im/receipt.h"
#include "prover/stark/proof.h"
#include "prover/transcript/serialize.h"
#include "zkvm/verifier.h"

static_assert(ZKVM_RECEIPT_MAX_BYTES == zkvm::rv32im::kMaxReceiptBytes);
static_assert(ZKVM_RECEIPT_MAX_JOURNAL_BYTES == zkvm::rv32im::kMaxJournalBytes);
static_assert(ZKVM_RECEIPT_IMAGE_ID_BYTES == sizeof(zkvm::rv32im::ImageId));

namespace {

void put_message(char* err, size_t cap, const char* msg) noexcept {
  if (err == nullptr || cap == 0) return;
  const size_t n = std::min(std::strlen(msg), cap - 1);
  std::memcpy(err, msg, n);
  err[n] = '\0';
}

}  // namespace

extern "C" zkvm_verifier_error zkvm_receipt_verify(const uint8_t image_id[32], const uint8_t* receipt,
                                                   size_t receipt_len, uint8_t* journal_out, size_t journal_cap,
                                                   size_t* journal_len, uint32_t* exit_code, uint64_t* cycles,
                                                   char* err, size_t err_cap) {
  using namespace zkvm;
  put_message(err, err_cap, "");
  if (journal_len != nullptr) *journal_len = 0;
  auto fail = [&](zkvm_verifier_error e, const char* msg) noexcept {
    put_message(err, err_cap, msg);
    return e;
  };
  if (image_id == nullptr || journal_len == nullptr)
    return fail(ZKVM_VERIFIER_ERR_NULL_ARGUMENT, "image_id or journal_len is NULL");
  if (receipt == nullptr && receipt_len != 0) return fail(ZKVM_VERIFIER_ERR_NULL_ARGUMENT, "receipt is NULL");
  if (journal_out == nullptr && journal_cap != 0)
    return fail(ZKVM_VERIFIER_ERR_NULL_ARGUMENT, "journal_out is NULL with a non-zero journal_cap");
  if (receipt_len > rv32im::kMaxReceiptBytes)
    return fail(ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT, "receipt: larger than ZKVM_RECEIPT_MAX_BYTES");
  try {
    const std::span<const uint8_t> bytes(receipt, receipt_len);
    rv32im::ImageId expected;
    std::memcpy(expected.data(), image_id, expected.size());
    // The claimed ID first, so a receipt of another program gets its own code.
    const rv32im::Receipt parsed = rv32im::parse_receipt(bytes);
    if (parsed.claim.image_id != expected)
      return fail(ZKVM_VERIFIER_ERR_IMAGE_ID_MISMATCH, ("image ID mismatch: the receipt claims " +
                                                        rv32im::image_id_hex(parsed.claim.image_id) + ", expected " +
                                                        rv32im::image_id_hex(expected))
                                                           .c_str());
    const rv32im::Claim claim = rv32im::verify_receipt(expected, bytes);
    if (claim.journal.size() > journal_cap) {
      *journal_len = claim.journal.size();
      return fail(ZKVM_VERIFIER_ERR_BUFFER_TOO_SMALL,
                  ("journal of " + std::to_string(claim.journal.size()) + " bytes, journal_cap " +
                   std::to_string(journal_cap))
                      .c_str());
    }
    if (!claim.journal.empty()) std::memcpy(journal_out, claim.journal.data(), claim.journal.size());
    *journal_len = claim.journal.size();
    if (exit_code != nullptr) *exit_code = claim.exit_code;
    if (cycles != nullptr) *cycles = claim.cycles;
    return ZKVM_VERIFIER_OK;
  } catch (const transcript::ProofFormatError& e) {
    return fail(ZKVM_VERIFIER_ERR_MALFORMED_RECEIPT, e.what());
  } catch (const stark::InsecureError& e) {
    return fail(ZKVM_VERIFIER_ERR_INSECURE_PARAMS, e.what());
  } catch (const stark::VerifyError& e) {
    return fail(ZKVM_VERIFIER_ERR_REJECTED, e.what());
  } catch (const rv32im::ReceiptError& e) {
    return fail(ZKVM_VERIFIER_ERR_REJECTED, e.what());
  } catch (const std::exception& e) {
    return fail(ZKVM_VERIFIER_ERR_INTERNAL, e.what());
  } catch (...) {
    return fail(ZKVM_VERIFIER_ERR_INTERNAL, "unknown exception");
  }
}

extern "C" const char* zkvm_version(void) { return ZKVM_VERSION_STRING; }
extern "C" uint32_t zkvm_receipt_format_version(void) { return zkvm::rv32im::kReceiptVersion; }
extern "C" uint32_t zkvm_circuit_version(void) { return zkvm::rv32im::kCircuitVersion; }
