// Receipts of RV32IM executions (docs/RECEIPT.md): the claim, the verifying
// key's public part, one STARK proof per segment, and the image ID that
// binds them to an ELF. Verifier side: OpenSSL + std only.
//
// Claim: "the ELF with image ID I, run under the guest ABI on some private
// input, exited with code c after `cycles` cycles, having written exactly
// the journal bytes J to fd 3". The segments' public values (segment.h) are
// rebuilt by the verifier from the claim and the chain of segment ends the
// receipt carries; the journal bytes are the statement's kBusJournal
// boundary terms.
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

#include "prover/rv32im/segment.h"
#include "prover/stark/proof.h"
#include "prover/transcript/serialize.h"

namespace zkvm::rv32im {

inline constexpr uint32_t kReceiptMagic = 0x43524b5a;  // "ZKRC"
// 2: one proof per segment (continuations).
inline constexpr uint16_t kReceiptVersion = 3;
// 2: two LogUp fractions share an aux column where the degree allows
// (air.h); the AIR's constraints are those of version 1.
// 3: segments (segment.h): tagged memory and io tuples, the handoff bus and
// the boundary table, segment public values.
// 4: accelerator tables (dot4, dot4_rom, sha256_compress); ecall carries 0.
// 5: zero knowledge by random rows: every table ends in kZkFreeRows padding
// rows, the last of which are random and unconstrained under zk (alu.h);
// the byte table's last 128 entries move to a 256-row tail table (17
// tables); segments hold 2^k - kZkFreeRows cycles.
// 6: the ALU chips (bitwise, shift, mul, div) and the accelerator tables may
// be absent from a segment's proof (ChipAir, bus.h); proof format version 2.
// 7: boundary rows only for touched cells: the image table starts a touched
// image word's chain itself (its `touched` column), boundary rows of other
// cells prove them outside the image with the gap table (18 tables; the
// image bus is retired).
// 8: dot4_rom data rows in a table of their own (DotRomAir, dot.h): no
// memory-access columns or fractions for image weights (19 tables).
// 9: the CPU table holds two degree-2 expressions in columns (the memory
// slot's cell, the sign-source byte; a load's new word is its old one, and
// the address range check's multiplicity is ld + st) so that 26 of its 28
// LogUp fractions pair: 114 main and 16 aux columns (178 base per cycle,
// was 112 + 18 aux = 184).
// 10: the sha256 round table has an overflow table (rv32im-sharound-x, the
// same AIR; 20 tables): round rows just past a power of two (SHA-256 of 64
// KiB: 1,025 calls, 66,625 rows) fill a main table of half the height and
// a small overflow table instead of doubling it (alu.h main_table_rows).
// 11: the CPU table has an overflow table (rv32im-cpu-x, the same AIR with a
// public first clk; 21 tables): a segment's cycles just past a power of two
// fill a main table of half the height and a small overflow table
// (segment.h cpu_main_rows); the receipt's segment ends carry the pc where
// the overflow table starts (receipt version 3).
// 12: the dense4_rom call (a7 = 0x1004; dense.h, 22 tables): a Dense block's
// dot products, bias, requantisation and clamp in one call row over
// dot4_rom's data rows; the CPU's dot4_rom flag covers both calls and the
// call tuple carries a7's low byte.
// 13: dense4_rom over int8 x bytes (Q's sx bit; 23 tables): its data rows
// in a table of their own (rv32im-dotrom-sx, DotRomSxAir: sign bits and
// their range checks), so a Dense layer reads its input in place instead of
// a biased copy.
inline constexpr uint32_t kCircuitVersion = 13;
inline constexpr uint32_t kRv32imProgramId = 0x52563332;  // "RV32": the vk's program id
// Bounds on untrusted sizes (allocation limits before parsing).
inline constexpr size_t kMaxJournalBytes = size_t{1} << 20;
inline constexpr size_t kMaxReceiptBytes = size_t{256} << 20;

using ImageId = std::array<uint8_t, 32>;

struct Claim {
  ImageId image_id{};
  uint32_t entry = 0;
  uint32_t exit_code = 0;
  uint64_t cycles = 0;
  std::vector<uint8_t> journal;
};

// Where a segment ends (its start is the previous segment's end).
struct SegmentEnd {
  uint32_t cycles = 0;       // cycles of the segment
  uint32_t end_pc = 0;       // npc of its last instruction
  uint32_t journal_end = 0;  // journal bytes written by the end of the segment
  bool eof = false;          // the input is exhausted by the end of the segment
  uint32_t split_pc = 0;     // SegmentInfo::split_pc (0 unless the CPU table is split)
};

struct SegmentProof {
  SegmentEnd end;
  std::vector<uint8_t> proof;  // stark::serialize_proof
};

struct Receipt {
  Claim claim;
  std::vector<uint8_t> vk;  // stark::serialize_vk of the statement
  std::vector<SegmentProof> segments;
};

// A segment end on the wire: u32 cycles, u32 end pc, u32 journal end, u8 eof
// (0 or 1; read_segment_end refuses anything else), u32 split pc (receipt
// version 3).
void write_segment_end(transcript::ByteWriter& w, const SegmentEnd& e);
SegmentEnd read_segment_end(transcript::ByteReader& rd);

// The segment part of the wire format (u32 count, then per segment its end
// and proof), shared with the distributed prover's messages.
void write_segments(transcript::ByteWriter& w, std::span<const SegmentProof> segments);
// Throws transcript::ProofFormatError naming the segment.
std::vector<SegmentProof> read_segments(transcript::ByteReader& rd);

// Wire format: "ZKRC" u16 version | u32 circuit version | image id (32) |
// u32 entry | u32 exit code | u64 cycles | u32 journal length | journal |
// u32 vk length | vk | u32 segment count | per segment: u32 cycles |
// u32 end pc | u32 journal end | u8 eof | u32 proof length | proof.
// No trailing bytes.
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

// The segments' start/end states, rebuilt from the claim and the segment
// ends: segment 0 starts at the entry with nothing written, segment k+1
// where segment k ended, only the last halts. Throws ReceiptError when the
// chain does not add up to the claim (cycles, journal length) or breaks a
// limit (segment count, length).
std::vector<SegmentInfo> segment_chain(const Claim& claim, std::span<const SegmentEnd> ends);

// Verifies receipt bytes against the expected image ID; returns the claim
// (journal, exit code, cycles) on success. Throws ReceiptError (a failed
// check), stark::VerifyError (the proof is rejected) or
// transcript::ProofFormatError (malformed bytes). Enforces >= 100 bits of
// conjectured security on the receipt's parameters.
Claim verify_receipt(const ImageId& expected, std::span<const uint8_t> receipt_bytes);

}  // namespace zkvm::rv32im
