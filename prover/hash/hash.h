// Hashing for commitments: SHA-256 digests and the 2-to-1 / leaf hashing
// interface the Merkle tree uses. MerkleHasher is abstract so an
// algebraic hash (Poseidon2) can replace SHA-256 later without touching the
// tree or its verifier.
//
// Merkle hashes use the SHA-256 compression function f(state, block) on
// fixed-length inputs, without SHA-256's length padding (format v2):
//   leaf  = F(IV_leaf, LE32(canonical(row[0])) || ... || salt || 0...0)
//   inner = f(IV_node, left || right)                        (one block)
// where the leaf bytes are zero-padded to a whole number of 64-byte blocks
// (at least one), F chains f over the blocks (Merkle-Damgard without the
// length block), IV_x = the eight big-endian words of SHA-256(label_x)
// (labels below), and a digest is the final state as eight big-endian words
// (the byte order of an ordinary SHA-256 digest).
//
// Why this is as binding as SHA-256(prefix || message) here:
// - Fixed length. Within one tree every leaf has the same width and salt
//   length, and the verifier fixes both (merkle_verify_batch rejects a row
//   or salt of another length before hashing). For messages of one fixed
//   length, zero padding is injective and both chains run the same number of
//   blocks, so two different inputs with the same digest give a collision
//   of f at the last block index where the pairs (chaining value, block)
//   differ (the standard Merkle-Damgard argument; length padding is only
//   needed when lengths may differ). Leaves of trees with different widths can
//   coincide ([a, b] and [a, b, 0] pad alike), which does not matter: each
//   tree is opened against its own fixed width.
// - Domain separation. Leaves start from IV_leaf and nodes from IV_node,
//   two unrelated chaining values, instead of a 0x00 / 0x01 prefix byte.
//   Equal leaf and node digests would be a collision of f (as a function of
//   chaining value and block) or a preimage of one IV under f, and the
//   verifier never confuses the two anyway: the tree height is fixed, so
//   every node's level is known.
// - f itself is SHA-256's compression function, for which no collision or
//   preimage attacks are known; the security levels assumed for SHA-256 in
//   docs/SECURITY.md are those of f (128-bit collision resistance).
// The gain: an inner node is one compression instead of two (65 bytes plus
// padding), and a leaf drops the prefix byte and the padding block, with no
// EVP call overhead. The verifier computes these with OpenSSL's block
// function (sha256.cpp); the prover's tree builder uses the two-chain SHA-NI
// kernel of sha256_x2.h, tested to agree bit for bit.
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

inline constexpr std::string_view kMerkleLeafLabel = "zkvm merkle leaf sha256-compress v2";
inline constexpr std::string_view kMerkleNodeLabel = "zkvm merkle node sha256-compress v2";

// SHA-256 chaining values (state words) used as the Merkle IVs above.
using MerkleIv = std::array<uint32_t, 8>;
const MerkleIv& merkle_leaf_iv();
const MerkleIv& merkle_node_iv();

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

// The leaf input of format v2: merkle_leaf_blocks(elems, salt_len) blocks
// of 64 bytes, written by merkle_leaf_words into out (16 words per block):
// canonical LE32 elements of the parts in order, the salt, zeros.
size_t merkle_leaf_blocks(size_t elems, size_t salt_len);
void merkle_leaf_words(std::span<const std::span<const Fp>> parts, std::span<const uint8_t> salt,
                       uint32_t* out);

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

// SHA-256 compression with the IVs above (format v2). Thread-safe: each
// thread has its own leaf buffer; nothing else is shared but the IVs.
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
