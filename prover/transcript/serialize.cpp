#include "prover/transcript/serialize.h"

namespace zkvm::transcript {

void ByteWriter::count(size_t n) {
  if (n > UINT32_MAX)
    throw std::length_error("ByteWriter: count " + std::to_string(n) + " exceeds u32");
  u32(static_cast<uint32_t>(n));
}

void ByteReader::fail(std::string_view msg) const {
  std::string s;
  for (const auto& c : context_) {
    s += c;
    s += ": ";
  }
  s += msg;
  throw ProofFormatError(s);
}

void ByteReader::need(size_t n) {
  if (n > remaining())
    fail("truncated: need " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
         ", " + std::to_string(remaining()) + " left");
}

uint8_t ByteReader::u8() {
  need(1);
  return data_[pos_++];
}

uint32_t ByteReader::u32() {
  need(4);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(data_[pos_ + i]) << (8 * i);
  pos_ += 4;
  return v;
}

uint64_t ByteReader::u64() {
  need(8);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
  pos_ += 8;
  return v;
}

size_t ByteReader::count(size_t max, std::string_view what) {
  const uint32_t n = u32();
  if (n > max)
    fail(std::string(what) + " count " + std::to_string(n) + " exceeds the maximum " +
         std::to_string(max));
  return n;
}

void ByteReader::expect_count(size_t expected, std::string_view what) {
  const uint32_t n = u32();
  if (n != expected)
    fail(std::string(what) + " count " + std::to_string(n) + " but expected " +
         std::to_string(expected));
}

std::span<const uint8_t> ByteReader::bytes(size_t n) {
  need(n);
  auto s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

field::Fp ByteReader::fp() {
  need(4);
  field::Fp v;
  if (!field::Fp::from_bytes(data_.data() + pos_, &v))
    fail("non-canonical field element at offset " + std::to_string(pos_));
  pos_ += 4;
  return v;
}

field::Fp4 ByteReader::fp4() {
  need(16);
  field::Fp4 v;
  if (!field::Fp4::from_bytes(data_.data() + pos_, &v))
    fail("non-canonical extension field element at offset " + std::to_string(pos_));
  pos_ += 16;
  return v;
}

std::array<uint8_t, 32> ByteReader::bytes32() {
  need(32);
  std::array<uint8_t, 32> out;
  for (size_t i = 0; i < 32; ++i) out[i] = data_[pos_ + i];
  pos_ += 32;
  return out;
}

std::vector<field::Fp> ByteReader::fps(size_t n) {
  // Length check first: n comes from a validated count, but it must also fit
  // in what is left, so a short buffer never triggers a large allocation.
  if (n > remaining() / 4)
    fail("truncated: " + std::to_string(n) + " field elements at offset " + std::to_string(pos_) +
         " but only " + std::to_string(remaining()) + " bytes left");
  std::vector<field::Fp> v(n);
  for (auto& x : v) x = fp();
  return v;
}

std::vector<field::Fp4> ByteReader::fp4s(size_t n) {
  if (n > remaining() / 16)
    fail("truncated: " + std::to_string(n) + " extension elements at offset " +
         std::to_string(pos_) + " but only " + std::to_string(remaining()) + " bytes left");
  std::vector<field::Fp4> v(n);
  for (auto& x : v) x = fp4();
  return v;
}

void ByteReader::header(uint32_t magic, uint16_t version) {
  const uint32_t m = u32();
  if (m != magic) fail("bad magic " + std::to_string(m) + ", expected " + std::to_string(magic));
  const uint16_t v = static_cast<uint16_t>(u8() | (static_cast<uint16_t>(u8()) << 8));
  if (v != version)
    fail("unsupported format version " + std::to_string(v) + " (this build reads version " +
         std::to_string(version) + ")");
}

void ByteReader::expect_end() {
  if (remaining() != 0)
    fail(std::to_string(remaining()) + " trailing bytes after offset " + std::to_string(pos_));
}

}  // namespace zkvm::transcript
