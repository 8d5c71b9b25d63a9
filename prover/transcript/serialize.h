// Bounds-checked binary serialization for proofs.
//
// Format: little-endian fixed-width integers; field elements as their
// canonical 4-byte encoding (Fp4 as 4 of those); digests as 32 raw bytes;
// counts as u32. Every value a reader takes from untrusted bytes is checked
// before use: each read checks the remaining length, each count is checked
// against an explicit maximum BEFORE anything is allocated for it, and field
// elements must be canonical (< p) so every proof has exactly one encoding.
//
// Errors are ProofFormatError with the reader's context path, e.g.
// "fri layer 3: query 17: truncated: need 16 bytes at offset 2040, 3 left".
// Verifier side: depends only on the standard library (and header-only
// field arithmetic).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "prover/field/babybear.h"

namespace zkvm::transcript {

// Thrown for any malformed proof byte string (truncated, oversized count,
// non-canonical element, trailing bytes, wrong magic/version).
class ProofFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  // A count or length; throws if it does not fit the u32 wire format.
  void count(size_t n);
  void bytes(std::span<const uint8_t> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  void fp(field::Fp v) {
    uint8_t b[4];
    v.to_bytes(b);
    bytes(b);
  }
  void fp4(const field::Fp4& v) {
    uint8_t b[16];
    v.to_bytes(b);
    bytes(b);
  }
  void fps(std::span<const field::Fp> v) {
    for (auto x : v) fp(x);
  }
  void fp4s(std::span<const field::Fp4> v) {
    for (const auto& x : v) fp4(x);
  }
  void bytes32(const std::array<uint8_t, 32>& b) { bytes(b); }
  // Proof header: 4-byte magic and a u16 format version.
  void header(uint32_t magic, uint16_t version) {
    u32(magic);
    u8(static_cast<uint8_t>(version));
    u8(static_cast<uint8_t>(version >> 8));
  }

  const std::vector<uint8_t>& data() const { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }
  size_t size() const { return buf_.size(); }

 private:
  std::vector<uint8_t> buf_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  // RAII context label: errors raised while it lives carry "label: ".
  class Scope {
   public:
    Scope(ByteReader& r, std::string label) : r_(r) { r_.context_.push_back(std::move(label)); }
    ~Scope() { r_.context_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ByteReader& r_;
  };
  [[nodiscard]] Scope scope(std::string label) { return Scope(*this, std::move(label)); }

  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  // Reads a u32 count and checks it against max (named `what` in the error)
  // before the caller allocates anything for it.
  size_t count(size_t max, std::string_view what);
  // Like count() but the value must equal `expected` exactly.
  void expect_count(size_t expected, std::string_view what);
  std::span<const uint8_t> bytes(size_t n);
  field::Fp fp();
  field::Fp4 fp4();
  std::array<uint8_t, 32> bytes32();
  // Reads n elements (n already validated by the caller).
  std::vector<field::Fp> fps(size_t n);
  std::vector<field::Fp4> fp4s(size_t n);
  void header(uint32_t magic, uint16_t version);
  // Rejects trailing bytes: a proof has exactly one encoding.
  void expect_end();

  size_t remaining() const { return data_.size() - pos_; }
  size_t offset() const { return pos_; }

  // Throws ProofFormatError("<context>: <msg>").
  [[noreturn]] void fail(std::string_view msg) const;

 private:
  void need(size_t n);

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  std::vector<std::string> context_;
};

}  // namespace zkvm::transcript
