// Receipts of RV32IM executions (docs/RECEIPT.md): the claim, the verifying
// key's public part, the STARK proof, and the image ID that binds them to an
// ELF. Verifier side: OpenSSL + std only.
//
// Claim: "the ELF with image ID I, run under the guest ABI on some private
// input, exited with code c after `cycles` cycles, having written exactly
// the journal bytes J to fd 3". The proof's public values are the claim's
// (entry pc, exit code, cycles; the journal bytes as kBusJournal boundary
// terms), the verifier rebuilds them from the claim.
//
// Image ID = SHA-256("zkvm image id v1" || u32 circuit version || u32 entry
// || u32 log_blowup || u8 pre_log_height[t] for every table || the
// preprocessed commitment's roots). The preprocessed tables (program, image,
// byte table) are fixed by the ELF; their commitment is unsalted and the same
// with or without zero knowledge, so a user computes I from the ELF alone.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "prover/stark/proof.h"

namespace zkvm::rv32im {

inline constexpr uint32_t kReceiptMagic = 0x43524b5a;  // "ZKRC"
inline constexpr uint16_t kReceiptVersion = 1;
// 2: two LogUp fractions share an aux column where the degree allows
// (air.h); the AIR's constraints are those of version 1.
inline constexpr uint32_t kCircuitVersion = 2;
inline constexpr uint32_t kRv32imProgramId = 0x52563332;  // "RV32": the vk's program id
// Bounds on untrusted sizes (allocation limits before parsing).
inline constexpr size_t kMaxJournalBytes = size_t{1} << 20;
inline constexpr size_t kMaxReceiptBytes = size_t{64} << 20;

using ImageId = std::array<uint8_t, 32>;

struct Claim {
  ImageId image_id{};
  uint32_t entry = 0;
  uint32_t exit_code = 0;
  uint64_t cycles = 0;
  std::vector<uint8_t> journal;
};

struct Receipt {
  Claim claim;
  std::vector<uint8_t> vk;     // stark::serialize_vk of the statement
  std::vector<uint8_t> proof;  // stark::serialize_proof
};

// Wire format: "ZKRC" u16 version | u32 circuit version | image id (32) |
// u32 entry | u32 exit code | u64 cycles | u32 journal length | journal |
// u32 vk length | vk | u32 proof length | proof. No trailing bytes.
std::vector<uint8_t> serialize_receipt(const Receipt& r);
// Throws transcript::ProofFormatError naming the malformed part.
Receipt parse_receipt(std::span<const uint8_t> bytes);

ImageId compute_image_id(uint32_t entry, const stark::VerifyingKey& vk);
std::string image_id_hex(const ImageId& id);
// Parses 64 hex digits; throws std::invalid_argument otherwise.
ImageId parse_image_id(std::string_view hex);

// A failed receipt check, naming it ("image ID mismatch: ...").
class ReceiptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Verifies receipt bytes against the expected image ID; returns the claim
// (journal, exit code, cycles) on success. Throws ReceiptError (a failed
// check), stark::VerifyError (the proof is rejected) or
// transcript::ProofFormatError (malformed bytes). Enforces >= 100 bits of
// conjectured security on the receipt's parameters.
Claim verify_receipt(const ImageId& expected, std::span<const uint8_t> receipt_bytes);

}  // namespace zkvm::rv32im
