// Shared by the receipt tests: verify_receipt's verdict without letting a
// documented rejection escape, so that anything else (a crash, an
// undocumented exception) fails the test.
#pragma once

#include <span>
#include <string>

#include "prover/rv32im/receipt.h"
#include "prover/stark/proof.h"
#include "prover/transcript/serialize.h"

namespace zkvm::receipt_test {

// Accepted, or rejected with one of the documented errors (why: its message).
inline bool accepted(const rv32im::ImageId& id, std::span<const uint8_t> bytes, std::string* why = nullptr) {
  try {
    rv32im::verify_receipt(id, bytes);
    return true;
  } catch (const rv32im::ReceiptError& e) {
    if (why) *why = e.what();
  } catch (const stark::VerifyError& e) {
    if (why) *why = e.what();
  } catch (const transcript::ProofFormatError& e) {
    if (why) *why = e.what();
  }
  return false;
}

inline bool accepted(const rv32im::ImageId& id, const rv32im::Receipt& r, std::string* why = nullptr) {
  return accepted(id, rv32im::serialize_receipt(r), why);
}

}  // namespace zkvm::receipt_test
