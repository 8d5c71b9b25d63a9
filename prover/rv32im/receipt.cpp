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
  write_segments(w, r.segments);
  return w.take();
}

void write_segment_end(ByteWriter& w, const SegmentEnd& e) {
  w.u32(e.cycles);
  w.u32(e.end_pc);
  w.u32(e.journal_end);
  w.u8(e.eof ? 1 : 0);
  w.u32(e.split_pc);
}

SegmentEnd read_segment_end(ByteReader& rd) {
  SegmentEnd e;
  e.cycles = rd.u32();
  e.end_pc = rd.u32();
  e.journal_end = rd.u32();
  const uint8_t eof = rd.u8();
  if (eof > 1) rd.fail("eof flag " + std::to_string(eof) + " is not 0 or 1");
  e.eof = eof == 1;
  e.split_pc = rd.u32();
  return e;
}

void write_segments(ByteWriter& w, std::span<const SegmentProof> segments) {
  w.count(segments.size());
  for (const SegmentProof& s : segments) {
    write_segment_end(w, s.end);
    w.count(s.proof.size());
    w.bytes(s.proof);
  }
}

std::vector<SegmentProof> read_segments(ByteReader& rd) {
  const size_t ns = rd.count(kMaxSegments, "segment count");
  std::vector<SegmentProof> out;
  for (size_t k = 0; k < ns; ++k) {
    auto seg_scope = rd.scope("segment " + std::to_string(k));
    SegmentProof s;
    s.end = read_segment_end(rd);
    const size_t pl = rd.count(kMaxReceiptBytes, "proof length");
    const auto p = rd.bytes(pl);
    s.proof.assign(p.begin(), p.end());
    out.push_back(std::move(s));
  }
  return out;
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
  r.segments = read_segments(rd);
  if (r.segments.empty()) rd.fail("no segments");
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

std::vector<SegmentInfo> segment_chain(const Claim& claim, std::span<const SegmentEnd> ends) {
  if (ends.empty() || ends.size() > kMaxSegments)
    throw ReceiptError("segment count " + std::to_string(ends.size()) + " is outside 1.." + std::to_string(kMaxSegments));
  if (claim.cycles == 0 || claim.cycles >= (uint64_t{1} << kMaxLogTotalCycles))
    throw ReceiptError("claimed cycle count " + std::to_string(claim.cycles) + " is outside 1..2^" +
                       std::to_string(kMaxLogTotalCycles) + " - 1");
  std::vector<SegmentInfo> chain;
  SegmentInfo cur;
  cur.start_pc = claim.entry;
  for (size_t k = 0; k < ends.size(); ++k) {
    const SegmentEnd& e = ends[k];
    const std::string where = "segment " + std::to_string(k) + ": ";
    if (e.cycles == 0 || e.cycles > (uint32_t{1} << kMaxLogCycles))
      throw ReceiptError(where + "cycle count " + std::to_string(e.cycles) + " is outside 1..2^" +
                         std::to_string(kMaxLogCycles));
    if (e.journal_end < cur.journal_start || e.journal_end > claim.journal.size())
      throw ReceiptError(where + "journal end " + std::to_string(e.journal_end) + " is outside " +
                         std::to_string(cur.journal_start) + ".." + std::to_string(claim.journal.size()));
    cur.index = static_cast<uint32_t>(k);
    cur.last = k + 1 == ends.size();
    cur.cycles = e.cycles;
    cur.end_pc = e.end_pc;
    cur.exit_code = cur.last ? claim.exit_code : 0;
    cur.journal_end = e.journal_end;
    cur.eof_out = e.eof;
    if (cpu_main_rows(e.cycles) == e.cycles && e.split_pc != 0)
      throw ReceiptError(where + "a split pc, but " + std::to_string(e.cycles) + " cycles fit one CPU table");
    cur.split_pc = e.split_pc;
    chain.push_back(cur);
    SegmentInfo next;
    next.start_pc = e.end_pc;
    next.start_cycle = cur.start_cycle + e.cycles;
    next.journal_start = e.journal_end;
    next.eof_in = e.eof;
    cur = next;
  }
  if (cur.start_cycle != claim.cycles)
    throw ReceiptError("the segments' cycles add up to " + std::to_string(cur.start_cycle) + ", the claim says " +
                       std::to_string(claim.cycles));
  if (chain.back().journal_end != claim.journal.size())
    throw ReceiptError("the last segment ends the journal at " + std::to_string(chain.back().journal_end) +
                       " bytes, the claim has " + std::to_string(claim.journal.size()));
  return chain;
}

Claim verify_receipt(const ImageId& expected, std::span<const uint8_t> receipt_bytes) {
  Receipt r = parse_receipt(receipt_bytes);
  if (r.claim.image_id != expected)
    throw ReceiptError("image ID mismatch: the receipt claims " + image_id_hex(r.claim.image_id) + ", expected " +
                       image_id_hex(expected));
  std::vector<SegmentEnd> ends;
  for (const auto& s : r.segments) ends.push_back(s.end);
  const std::vector<SegmentInfo> chain = segment_chain(r.claim, ends);
  if (stark::read_vk_program_id(r.vk) != kRv32imProgramId) throw ReceiptError("the vk is not an RV32IM vk");
  const Circuit circuit(nullptr);
  stark::VerifyingKey vk = stark::parse_vk(r.vk, circuit.airs());
  // SOUNDNESS: the image ID is recomputed from the vk the proof is checked
  // against (its preprocessed commitment = program, image, byte tables).
  if (compute_image_id(r.claim.entry, vk) != expected)
    throw ReceiptError("image ID mismatch: the receipt's verifying key and entry hash to " +
                       image_id_hex(compute_image_id(r.claim.entry, vk)) + ", expected " + image_id_hex(expected));
  std::vector<stark::StarkProof> proofs;
  proofs.reserve(r.segments.size());
  for (size_t k = 0; k < r.segments.size(); ++k) {
    proofs.push_back(stark::parse_proof(r.segments[k].proof, vk));
    // SOUNDNESS: the public values are the chain's, rebuilt here from the
    // claim and the segment ends, not read from the proof.
    if (proofs.back().publics != segment_publics(chain[k]))
      throw ReceiptError("segment " + std::to_string(k) + ": the proof's public values differ from the receipt's chain");
    // SOUNDNESS: the two CPU tables are joined by public values, not a bus,
    // so an overflow table left out would leave the segment's end (its last
    // cycles, end pc, exit) unproven, and one put in without a split would
    // add rows nothing asked for: it is there exactly when the segment is
    // split.
    const bool split = cpu_main_rows(chain[k].cycles) < chain[k].cycles;
    if ((proofs.back().log_heights[kTableCpuX] != 0) != split)
      throw ReceiptError("segment " + std::to_string(k) + (split ? ": the CPU overflow table is missing (the segment's "
                                                                   "cycles do not fit one CPU table)"
                                                                 : ": a CPU overflow table, but the segment fits one CPU table"));
  }
  stark::verify_segments(vk, proofs, journal_terms(r.claim.journal));
  return std::move(r.claim);
}

}  // namespace zkvm::rv32im
