#include "prover/rv32im/receipt.h"

#include "prover/hash/hash.h"
#include "prover/rv32im/cpu.h"
#include "prover/rv32im/witness.h"
#include "prover/stark/verifier.h"
#include "prover/transcript/serialize.h"

namespace zkvm::rv32im {

using transcript::ByteReader;
using transcript::ByteWriter;

std::vector<uint8_t> serialize_receipt(const Receipt& r) {
  ByteWriter w;
  w.header(kReceiptMagic, kReceiptVersion);
  w.u32(kCircuitVersion);
  w.bytes(r.claim.image_id);
  w.u32(r.claim.entry);
  w.u32(r.claim.exit_code);
  w.u32(static_cast<uint32_t>(r.claim.cycles));
  w.u32(static_cast<uint32_t>(r.claim.cycles >> 32));
  w.count(r.claim.journal.size());
  w.bytes(r.claim.journal);
  w.count(r.vk.size());
  w.bytes(r.vk);
  w.count(r.proof.size());
  w.bytes(r.proof);
  return w.take();
}

Receipt parse_receipt(std::span<const uint8_t> bytes) {
  ByteReader rd(bytes);
  auto scope = rd.scope("receipt");
  if (bytes.size() > kMaxReceiptBytes) rd.fail("larger than " + std::to_string(kMaxReceiptBytes) + " bytes");
  rd.header(kReceiptMagic, kReceiptVersion);
  if (const uint32_t cv = rd.u32(); cv != kCircuitVersion)
    rd.fail("circuit version " + std::to_string(cv) + ", this verifier knows " + std::to_string(kCircuitVersion));
  Receipt r;
  r.claim.image_id = rd.bytes32();
  r.claim.entry = rd.u32();
  r.claim.exit_code = rd.u32();
  if (r.claim.exit_code > 255) rd.fail("exit code above 255");
  const uint64_t lo = rd.u32(), hi = rd.u32();
  r.claim.cycles = lo | (hi << 32);
  const size_t jl = rd.count(kMaxJournalBytes, "journal length");
  const auto j = rd.bytes(jl);
  r.claim.journal.assign(j.begin(), j.end());
  const size_t vl = rd.count(1u << 16, "vk length");
  const auto v = rd.bytes(vl);
  r.vk.assign(v.begin(), v.end());
  const size_t pl = rd.count(kMaxReceiptBytes, "proof length");
  const auto p = rd.bytes(pl);
  r.proof.assign(p.begin(), p.end());
  rd.expect_end();
  return r;
}

ImageId compute_image_id(uint32_t entry, const stark::VerifyingKey& vk) {
  ByteWriter w;
  const std::string_view label = "zkvm image id v1";
  w.bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(label.data()), label.size()));
  w.u32(kCircuitVersion);
  w.u32(entry);
  w.u32(vk.config.pcs.fri.log_blowup);
  w.count(vk.pre_log_heights.size());
  for (unsigned h : vk.pre_log_heights) w.u8(static_cast<uint8_t>(h));
  w.count(vk.pre_commitment.roots.size());
  for (const auto& d : vk.pre_commitment.roots) w.bytes32(d.bytes);
  return hash::sha256(w.take()).bytes;
}

std::string image_id_hex(const ImageId& id) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : id) s += kHex[b >> 4], s += kHex[b & 15];
  return s;
}

ImageId parse_image_id(std::string_view hex) {
  if (hex.size() != 64) throw std::invalid_argument("image ID must be 64 hex digits, got " + std::to_string(hex.size()));
  ImageId id{};
  auto nib = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument(std::string("image ID: '") + c + "' is not a hex digit");
  };
  for (size_t i = 0; i < 32; ++i) id[i] = static_cast<uint8_t>(nib(hex[2 * i]) * 16 + nib(hex[2 * i + 1]));
  return id;
}

Claim verify_receipt(const ImageId& expected, std::span<const uint8_t> receipt_bytes) {
  Receipt r = parse_receipt(receipt_bytes);
  if (r.claim.image_id != expected)
    throw ReceiptError("image ID mismatch: the receipt claims " + image_id_hex(r.claim.image_id) + ", expected " +
                       image_id_hex(expected));
  if (r.claim.cycles == 0 || r.claim.cycles > (uint64_t{1} << kMaxLogCycles))
    throw ReceiptError("claimed cycle count " + std::to_string(r.claim.cycles) + " is outside one segment");
  if (stark::read_vk_program_id(r.vk) != kRv32imProgramId) throw ReceiptError("the vk is not an RV32IM vk");
  const Circuit circuit(nullptr, r.claim.journal.size());
  stark::VerifyingKey vk = stark::parse_vk(r.vk, circuit.airs());
  // SOUNDNESS: the image ID is recomputed from the vk the proof is checked
  // against (its preprocessed commitment = program, image, byte tables).
  if (compute_image_id(r.claim.entry, vk) != expected)
    throw ReceiptError("image ID mismatch: the receipt's verifying key and entry hash to " +
                       image_id_hex(compute_image_id(r.claim.entry, vk)) + ", expected " + image_id_hex(expected));
  stark::StarkProof proof = stark::parse_proof(r.proof, vk);
  // SOUNDNESS: the public values are the claim's, rebuilt here, not read
  // from the proof.
  std::vector<std::vector<field::Fp>> publics(kNumTables);
  publics[kTableCpu] = {field::Fp::from_u64(r.claim.entry), field::Fp::from_u64(r.claim.exit_code),
                        field::Fp::from_u64(r.claim.cycles)};
  for (uint8_t b : r.claim.journal) publics[kTableIo].push_back(field::Fp::from_u64(b));
  if (proof.publics != publics) throw ReceiptError("the proof's public values differ from the receipt's claim");
  stark::verify(vk, proof);
  return std::move(r.claim);
}

}  // namespace zkvm::rv32im
