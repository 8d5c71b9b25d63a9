// Hashing for commitments: SHA-256 digests and the 2-to-1 / leaf hashing
// interface the Merkle tree uses. MerkleHasher is abstract so an
// algebraic hash (Poseidon2) can replace SHA-256 later without touching the
// tree or its verifier.
//
// Domain separation (so a leaf can never be read as an inner node):
//   leaf  = SHA-256(0x00 || LE32(canonical(row[0])) || ... || salt)
//   inner = SHA-256(0x01 || left || right)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "prover/field/babybear.h"

struct evp_md_ctx_st;

namespace zkvm::hash {

using field::Fp;

struct Digest {
  std::array<uint8_t, 32> bytes{};
  bool operator==(const Digest&) const = default;
  std::string hex() const;
};

inline constexpr uint8_t kLeafPrefix = 0x00;
inline constexpr uint8_t kNodePrefix = 0x01;

// One-shot SHA-256 (OpenSSL EVP; uses SHA-NI where the CPU has it).
Digest sha256(std::span<const uint8_t> data);

// Incremental SHA-256 over an owned EVP context (not thread-safe per object).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& update(std::span<const uint8_t> data);
  // Canonical LE bytes of each element.
  Sha256& update(std::span<const Fp> elems);
  // Returns the digest and resets the state for reuse.
  Digest finalize();

 private:
  evp_md_ctx_st* ctx_;
};

class MerkleHasher {
 public:
  virtual ~MerkleHasher() = default;
  virtual Digest hash_leaf(std::span<const Fp> row, std::span<const uint8_t> salt) const = 0;
  // Leaf over the concatenation of several row slices (one per matrix of a
  // batch commitment); must equal hash_leaf of the concatenated row.
  virtual Digest hash_leaf_parts(std::span<const std::span<const Fp>> parts,
                                 std::span<const uint8_t> salt) const = 0;
  virtual Digest compress(const Digest& left, const Digest& right) const = 0;
  virtual std::string_view name() const = 0;
};

// SHA-256 with the prefixes above. Thread-safe: each thread reuses its own
// EVP_MD_CTX and the SHA-256 EVP_MD is fetched once.
class Sha256MerkleHasher final : public MerkleHasher {
 public:
  Digest hash_leaf(std::span<const Fp> row, std::span<const uint8_t> salt) const override;
  Digest hash_leaf_parts(std::span<const std::span<const Fp>> parts,
                         std::span<const uint8_t> salt) const override;
  Digest compress(const Digest& left, const Digest& right) const override;
  std::string_view name() const override { return "sha256"; }
};

// Process-wide instance for callers that do not pick a hasher.
const MerkleHasher& default_merkle_hasher();

}  // namespace zkvm::hash
