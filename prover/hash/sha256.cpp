// SHA-256 through OpenSSL: EVP for whole messages, and the raw compression
// function (through the low-level SHA256_CTX, whose SHA256_Update runs the
// block function, SHA-NI where the CPU has it, over whole blocks in place)
// for the fixed-length Merkle hashes described in hash.h. Verifier-side:
// depends only on OpenSSL.
//
// The low-level SHA256_* API is deprecated in OpenSSL 3 but present; it is
// the only public entry to the compression function without the final
// length padding.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>
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

namespace {

// IV = the eight big-endian words of SHA-256(label).
MerkleIv iv_from_label(std::string_view label) {
  const Digest d =
      sha256({reinterpret_cast<const uint8_t*>(label.data()), label.size()});
  MerkleIv iv{};
  for (size_t i = 0; i < 8; ++i)
    iv[i] = (uint32_t{d.bytes[4 * i]} << 24) | (uint32_t{d.bytes[4 * i + 1]} << 16) |
            (uint32_t{d.bytes[4 * i + 2]} << 8) | uint32_t{d.bytes[4 * i + 3]};
  return iv;
}

// Chains the compression function from iv over nblocks 64-byte blocks;
// returns the state as big-endian bytes (no length padding).
Digest compress_blocks(const MerkleIv& iv, const uint8_t* blocks, size_t nblocks) {
  SHA256_CTX c;
  std::memset(&c, 0, sizeof c);
  for (size_t i = 0; i < 8; ++i) c.h[i] = iv[i];
  c.md_len = SHA256_DIGEST_LENGTH;
  // With c.num == 0 and a whole number of blocks, SHA256_Update hands the
  // input straight to the block function and buffers nothing.
  check(SHA256_Update(&c, blocks, 64 * nblocks), "SHA256_Update");
  Digest d;
  for (size_t i = 0; i < 8; ++i) {
    d.bytes[4 * i] = static_cast<uint8_t>(c.h[i] >> 24);
    d.bytes[4 * i + 1] = static_cast<uint8_t>(c.h[i] >> 16);
    d.bytes[4 * i + 2] = static_cast<uint8_t>(c.h[i] >> 8);
    d.bytes[4 * i + 3] = static_cast<uint8_t>(c.h[i]);
  }
  return d;
}

}  // namespace

const MerkleIv& merkle_leaf_iv() {
  static const MerkleIv iv = iv_from_label(kMerkleLeafLabel);
  return iv;
}
const MerkleIv& merkle_node_iv() {
  static const MerkleIv iv = iv_from_label(kMerkleNodeLabel);
  return iv;
}

Digest Sha256MerkleHasher::hash_leaf(std::span<const Fp> row,
                                     std::span<const uint8_t> salt) const {
  const std::span<const Fp> parts[1] = {row};
  return hash_leaf_parts(parts, salt);
}

size_t merkle_leaf_blocks(size_t elems, size_t salt_len) {
  return std::max<size_t>(1, (4 * elems + salt_len + 63) / 64);
}

void merkle_leaf_words(std::span<const std::span<const Fp>> parts, std::span<const uint8_t> salt,
                       uint32_t* out) {
  size_t elems = 0;
  for (const auto& p : parts) {
    if constexpr (std::endian::native == std::endian::little) {
      // Words hold the LE bytes already; the loop vectorises.
      for (size_t i = 0; i < p.size(); ++i) out[elems + i] = p[i].canonical();
    } else {
      for (size_t i = 0; i < p.size(); ++i)
        p[i].to_bytes(reinterpret_cast<uint8_t*>(out + elems + i));
    }
    elems += p.size();
  }
  const size_t words = 16 * merkle_leaf_blocks(elems, salt.size());
  uint8_t* tail = reinterpret_cast<uint8_t*>(out + elems);
  if (!salt.empty()) std::memcpy(tail, salt.data(), salt.size());
  std::memset(tail + salt.size(), 0, 4 * (words - elems) - salt.size());
}

Digest Sha256MerkleHasher::hash_leaf_parts(std::span<const std::span<const Fp>> parts,
                                           std::span<const uint8_t> salt) const {
  size_t elems = 0;
  for (const auto& p : parts) elems += p.size();
  const size_t nblocks = merkle_leaf_blocks(elems, salt.size());
  thread_local std::vector<uint32_t> buf;  // one per thread, grown on demand
  if (buf.size() < nblocks * 16) buf.resize(nblocks * 16);
  merkle_leaf_words(parts, salt, buf.data());
  return compress_blocks(merkle_leaf_iv(), reinterpret_cast<const uint8_t*>(buf.data()), nblocks);
}

Digest Sha256MerkleHasher::compress(const Digest& left, const Digest& right) const {
  alignas(16) uint8_t block[64];
  std::memcpy(block, left.bytes.data(), 32);
  std::memcpy(block + 32, right.bytes.data(), 32);
  return compress_blocks(merkle_node_iv(), block, 1);
}

const MerkleHasher& default_merkle_hasher() {
  static const Sha256MerkleHasher h;
  return h;
}

}  // namespace zkvm::hash
