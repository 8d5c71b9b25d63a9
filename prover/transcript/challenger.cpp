#include "prover/transcript/challenger.h"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace zkvm::transcript {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

MdCtx new_sha256() {
  MdCtx c(EVP_MD_CTX_new());
  if (!c || EVP_DigestInit_ex(c.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("challenger: OpenSSL SHA-256 init failed");
  return c;
}

void update(EVP_MD_CTX* c, const void* p, size_t n) {
  if (EVP_DigestUpdate(c, p, n) != 1) throw std::runtime_error("challenger: SHA-256 update failed");
}

std::array<uint8_t, 32> final(EVP_MD_CTX* c) {
  std::array<uint8_t, 32> out;
  unsigned len = 0;
  if (EVP_DigestFinal_ex(c, out.data(), &len) != 1 || len != 32)
    throw std::runtime_error("challenger: SHA-256 final failed");
  return out;
}

void le64(uint64_t v, uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

std::string hex_prefix(std::span<const uint8_t> d, size_t n) {
  static const char* k = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < d.size() && i < n; ++i) {
    s += k[d[i] >> 4];
    s += k[d[i] & 15];
  }
  if (d.size() > n) s += "..";
  return s;
}

constexpr std::string_view kAbsorbTag = "zkvm/absorb";
constexpr std::string_view kSqueezeTag = "zkvm/squeeze";
constexpr std::string_view kPowTag = "zkvm/pow";

}  // namespace

Challenger::Challenger(std::string_view domain) {
  observe_bytes("domain", {reinterpret_cast<const uint8_t*>(domain.data()), domain.size()});
}

void Challenger::observe_bytes(std::string_view label, std::span<const uint8_t> data) {
  uint8_t hdr[8];
  // Record: u64 label length, label, u64 data length, data.
  le64(label.size(), hdr);
  pending_.insert(pending_.end(), hdr, hdr + 8);
  pending_.insert(pending_.end(), label.begin(), label.end());
  le64(data.size(), hdr);
  pending_.insert(pending_.end(), hdr, hdr + 8);
  pending_.insert(pending_.end(), data.begin(), data.end());
  block_pos_ = 32;  // output after an observation must depend on it
  if (trace_ != nullptr)
    note("P->V: " + std::string(label) + " (" + std::to_string(data.size()) + " bytes) " +
         hex_prefix(data, 8));
}

void Challenger::observe_u64(std::string_view label, uint64_t v) {
  uint8_t b[8];
  le64(v, b);
  observe_bytes(label, b);
}

void Challenger::observe_fp(std::string_view label, field::Fp v) {
  uint8_t b[4];
  v.to_bytes(b);
  observe_bytes(label, b);
}

void Challenger::observe_fps(std::string_view label, std::span<const field::Fp> v) {
  std::vector<uint8_t> b(v.size() * 4);
  for (size_t i = 0; i < v.size(); ++i) v[i].to_bytes(b.data() + 4 * i);
  observe_bytes(label, b);
}

void Challenger::observe_fp4(std::string_view label, const field::Fp4& v) {
  uint8_t b[16];
  v.to_bytes(b);
  observe_bytes(label, b);
}

void Challenger::observe_fp4s(std::string_view label, std::span<const field::Fp4> v) {
  std::vector<uint8_t> b(v.size() * 16);
  for (size_t i = 0; i < v.size(); ++i) v[i].to_bytes(b.data() + 16 * i);
  observe_bytes(label, b);
}

void Challenger::flush() {
  if (pending_.empty()) return;
  auto c = new_sha256();
  update(c.get(), kAbsorbTag.data(), kAbsorbTag.size());
  update(c.get(), state_.data(), state_.size());
  update(c.get(), pending_.data(), pending_.size());
  state_ = final(c.get());
  pending_.clear();
  counter_ = 0;
  block_pos_ = 32;
}

std::array<uint8_t, 32> Challenger::state() {
  flush();
  return state_;
}

uint32_t Challenger::next_word() {
  flush();
  if (block_pos_ + 4 > 32) {
    auto c = new_sha256();
    uint8_t ctr[8];
    le64(counter_++, ctr);
    update(c.get(), kSqueezeTag.data(), kSqueezeTag.size());
    update(c.get(), state_.data(), state_.size());
    update(c.get(), ctr, 8);
    block_ = final(c.get());
    block_pos_ = 0;
  }
  uint32_t w = 0;
  for (int i = 0; i < 4; ++i) w |= static_cast<uint32_t>(block_[block_pos_ + i]) << (8 * i);
  block_pos_ += 4;
  return w;
}

uint32_t Challenger::sample_u32(std::string_view label) {
  const uint32_t w = next_word();
  if (trace_ != nullptr) note("V->P: " + std::string(label) + " = " + std::to_string(w));
  return w;
}

// Rejection sampling: 31-bit words are uniform on [0, 2^31); keep those < p.
field::Fp Challenger::sample_fp(std::string_view label) {
  for (;;) {
    const uint32_t w = next_word() & 0x7fffffffu;
    if (w < field::Fp::kModulus) {
      const auto v = field::Fp::from_canonical(w);
      if (trace_ != nullptr) note("V->P: " + std::string(label) + " = " + std::to_string(w));
      return v;
    }
  }
}

field::Fp4 Challenger::sample_fp4(std::string_view label) {
  field::Fp4 r;
  for (auto& c : r.c) {
    for (;;) {
      const uint32_t w = next_word() & 0x7fffffffu;
      if (w < field::Fp::kModulus) {
        c = field::Fp::from_canonical(w);
        break;
      }
    }
  }
  if (trace_ != nullptr)
    note("V->P: " + std::string(label) + " = [" + std::to_string(r.c[0].canonical()) + ", " +
         std::to_string(r.c[1].canonical()) + ", " + std::to_string(r.c[2].canonical()) + ", " +
         std::to_string(r.c[3].canonical()) + "]");
  return r;
}

uint64_t Challenger::sample_index(std::string_view label, unsigned log_n) {
  if (log_n > 32)
    throw std::invalid_argument("challenger: sample_index domain 2^" + std::to_string(log_n) +
                                " exceeds 2^32");
  const uint64_t w = next_word();
  // Masking a uniform 32-bit word to log_n bits is exactly uniform.
  const uint64_t v = log_n == 32 ? w : (w & ((uint64_t{1} << log_n) - 1));
  if (trace_ != nullptr) note("V->P: " + std::string(label) + " = " + std::to_string(v));
  return v;
}

// Leading zero bits of SHA256("zkvm/pow" || state || bits || nonce), most
// significant bit of byte 0 first, compared against `bits`.
bool Challenger::pow_ok(unsigned bits, uint64_t nonce) const {
  return pow_search(bits, nonce, 1) == nonce;
}

// Tries nonces start, start+1, ... (count of them) with one reused context;
// returns the first that meets the target, or UINT64_MAX.
uint64_t Challenger::pow_search(unsigned bits, uint64_t start, uint64_t count) const {
  auto c = new_sha256();
  uint8_t buf[8 + 32 + 1 + 8];
  for (size_t i = 0; i < kPowTag.size(); ++i) buf[i] = static_cast<uint8_t>(kPowTag[i]);
  static_assert(kPowTag.size() == 8);
  for (size_t i = 0; i < 32; ++i) buf[8 + i] = state_[i];
  buf[40] = static_cast<uint8_t>(bits);
  for (uint64_t k = 0; k < count; ++k) {
    const uint64_t nonce = start + k;
    le64(nonce, buf + 41);
    if (EVP_DigestInit_ex(c.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("challenger: SHA-256 init failed");
    update(c.get(), buf, sizeof(buf));
    const auto d = final(c.get());
    unsigned zeros = 0;
    for (uint8_t b : d) {
      if (b == 0) {
        zeros += 8;
        if (zeros >= bits) break;
        continue;
      }
      zeros += static_cast<unsigned>(__builtin_clz(b)) - 24;
      break;
    }
    if (zeros >= bits) return nonce;
  }
  return UINT64_MAX;
}

namespace {
// ScopedSkipGrind state of this thread: active, the grind to skip, grinds so far.
thread_local bool skip_active = false;
thread_local uint64_t skip_index = 0, grinds_seen = 0;
}  // namespace

Challenger::ScopedSkipGrind::ScopedSkipGrind(uint64_t k) {
  skip_active = true;
  skip_index = k;
  grinds_seen = 0;
}
Challenger::ScopedSkipGrind::~ScopedSkipGrind() { skip_active = false; }
uint64_t Challenger::ScopedSkipGrind::count_grinds() { return grinds_seen; }

uint64_t Challenger::grind(unsigned bits) {
  if (bits > 40)
    throw std::invalid_argument("challenger: " + std::to_string(bits) +
                                " proof-of-work bits exceeds the supported 40");
  flush();
  uint64_t nonce = 0;
  if (skip_active && grinds_seen++ == skip_index) {
    while (bits > 0 && pow_ok(bits, nonce)) ++nonce;  // the cheat: no work, a nonce that misses
  } else if (bits > 0) {
    for (uint64_t start = 0;; start += 4096) {
      nonce = pow_search(bits, start, 4096);
      if (nonce != UINT64_MAX) break;
    }
  }
  observe_u64("pow nonce", nonce);
  return nonce;
}

bool Challenger::check_pow(unsigned bits, uint64_t nonce) {
  if (bits > 40) return false;
  flush();
  if (bits > 0 && !pow_ok(bits, nonce)) return false;
  observe_u64("pow nonce", nonce);
  return true;
}

}  // namespace zkvm::transcript
