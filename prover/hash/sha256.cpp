// SHA-256 through OpenSSL EVP. Verifier-side: depends only on OpenSSL.
#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "prover/hash/hash.h"

namespace zkvm::hash {
namespace {

// Fetched once: EVP_MD_fetch resolves the provider implementation, which
// EVP_DigestInit_ex2 would otherwise look up on every call.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) throw std::runtime_error("sha256: EVP_MD_fetch(\"SHA256\") failed");
    return m;
  }();
  return md;
}

void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("sha256: ") + what + " failed");
}

// One context per thread, reused for every leaf and node hash.
struct ThreadCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~ThreadCtx() { EVP_MD_CTX_free(ctx); }
};
EVP_MD_CTX* thread_ctx() {
  thread_local ThreadCtx t;
  if (t.ctx == nullptr) throw std::runtime_error("sha256: EVP_MD_CTX_new failed");
  return t.ctx;
}

// Streams canonical LE bytes of field elements through a stack buffer. On a
// little-endian host a uint32 array already has that byte order, which lets
// the compiler vectorise the Montgomery-to-canonical conversion.
void update_fields(EVP_MD_CTX* ctx, std::span<const Fp> elems) {
  constexpr size_t kChunk = 256;
  if constexpr (std::endian::native == std::endian::little) {
    uint32_t buf[kChunk];
    for (size_t off = 0; off < elems.size(); off += kChunk) {
      const size_t n = std::min(kChunk, elems.size() - off);
      for (size_t i = 0; i < n; ++i) buf[i] = elems[off + i].canonical();
      check(EVP_DigestUpdate(ctx, buf, 4 * n), "EVP_DigestUpdate");
    }
  } else {
    uint8_t buf[kChunk * 4];
    for (size_t off = 0; off < elems.size(); off += kChunk) {
      const size_t n = std::min(kChunk, elems.size() - off);
      for (size_t i = 0; i < n; ++i) elems[off + i].to_bytes(buf + 4 * i);
      check(EVP_DigestUpdate(ctx, buf, 4 * n), "EVP_DigestUpdate");
    }
  }
}

Digest final_digest(EVP_MD_CTX* ctx) {
  Digest d;
  unsigned int len = 0;
  check(EVP_DigestFinal_ex(ctx, d.bytes.data(), &len), "EVP_DigestFinal_ex");
  if (len != d.bytes.size()) throw std::runtime_error("sha256: unexpected digest length");
  return d;
}

}  // namespace

std::string Digest::hex() const {
  static const char* k = "0123456789abcdef";
  std::string s;
  s.reserve(64);
  for (uint8_t b : bytes) {
    s.push_back(k[b >> 4]);
    s.push_back(k[b & 15]);
  }
  return s;
}

Digest sha256(std::span<const uint8_t> data) {
  EVP_MD_CTX* ctx = thread_ctx();
  check(EVP_DigestInit_ex2(ctx, sha256_md(), nullptr), "EVP_DigestInit_ex2");
  check(EVP_DigestUpdate(ctx, data.data(), data.size()), "EVP_DigestUpdate");
  return final_digest(ctx);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw std::runtime_error("sha256: EVP_MD_CTX_new failed");
  check(EVP_DigestInit_ex2(ctx_, sha256_md(), nullptr), "EVP_DigestInit_ex2");
}
Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }
Sha256& Sha256::update(std::span<const uint8_t> data) {
  check(EVP_DigestUpdate(ctx_, data.data(), data.size()), "EVP_DigestUpdate");
  return *this;
}
Sha256& Sha256::update(std::span<const Fp> elems) {
  update_fields(ctx_, elems);
  return *this;
}
Digest Sha256::finalize() {
  Digest d = final_digest(ctx_);
  check(EVP_DigestInit_ex2(ctx_, sha256_md(), nullptr), "EVP_DigestInit_ex2");
  return d;
}

Digest Sha256MerkleHasher::hash_leaf(std::span<const Fp> row,
                                     std::span<const uint8_t> salt) const {
  const std::span<const Fp> parts[1] = {row};
  return hash_leaf_parts(parts, salt);
}

Digest Sha256MerkleHasher::hash_leaf_parts(std::span<const std::span<const Fp>> parts,
                                           std::span<const uint8_t> salt) const {
  EVP_MD_CTX* ctx = thread_ctx();
  check(EVP_DigestInit_ex2(ctx, sha256_md(), nullptr), "EVP_DigestInit_ex2");
  const uint8_t prefix = kLeafPrefix;
  check(EVP_DigestUpdate(ctx, &prefix, 1), "EVP_DigestUpdate");
  for (const auto& p : parts) update_fields(ctx, p);
  if (!salt.empty()) check(EVP_DigestUpdate(ctx, salt.data(), salt.size()), "EVP_DigestUpdate");
  return final_digest(ctx);
}

Digest Sha256MerkleHasher::compress(const Digest& left, const Digest& right) const {
  uint8_t buf[65];
  buf[0] = kNodePrefix;
  std::copy(left.bytes.begin(), left.bytes.end(), buf + 1);
  std::copy(right.bytes.begin(), right.bytes.end(), buf + 33);
  EVP_MD_CTX* ctx = thread_ctx();
  check(EVP_DigestInit_ex2(ctx, sha256_md(), nullptr), "EVP_DigestInit_ex2");
  check(EVP_DigestUpdate(ctx, buf, sizeof buf), "EVP_DigestUpdate");
  return final_digest(ctx);
}

const MerkleHasher& default_merkle_hasher() {
  static const Sha256MerkleHasher h;
  return h;
}

}  // namespace zkvm::hash
