// Merkle commitments to the rows of one or more matrices of equal height.
//
// Leaf i hashes row i of every committed matrix, concatenated in order, then
// the optional per-leaf salt (hiding commitments: with random salts a leaf
// digest reveals nothing about its row). Height must be a power of two, so
// every level pairs up exactly; the verifier is told height and width and
// checks both.
//
// Batch openings carry each distinct sibling digest once: walking the levels
// bottom-up over the sorted distinct indices, a node's sibling is taken from
// the proof only when it is not itself computable from the opened leaves.
// Prover (merkle_tree.cpp) and verifier (merkle_verify.cpp) follow this one
// order; the verifier depends only on OpenSSL and the standard library.
#pragma once

#include <array>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/hash/hash.h"
#include "prover/matrix/matrix.h"

namespace zkvm::merkle {

using field::Fp;
using hash::Digest;
using hash::MerkleHasher;

struct MerkleBatchProof {
  std::vector<Digest> siblings;  // deduplicated, in verification order
};

// What the prover sends for a batch of queries (indices in query order; a
// repeated index repeats its row).
struct MerkleOpening {
  std::vector<uint64_t> indices;
  std::vector<std::vector<Fp>> rows;            // concatenated across matrices
  std::vector<std::vector<uint8_t>> salts;      // empty vectors when not hiding
  MerkleBatchProof proof;
};

// Result of verification: ok, or an error that names what failed.
struct VerifyStatus {
  std::string error;
  bool ok() const { return error.empty(); }
  explicit operator bool() const { return ok(); }
  static VerifyStatus success() { return {}; }
  static VerifyStatus failure(std::string e) { return {std::move(e)}; }
};

// While alive, random_salts on this thread draws from AES-256-CTR keyed by
// `seed` (a fresh secret from RAND_bytes, never revealed) instead of
// RAND_bytes: the same seed and the same sequence of calls give the same
// bytes. Continuations use it to recommit a segment's main trace after the
// statement's challenges are drawn, identically, without keeping its LDE
// (rv32im/prove.cpp). Not nestable.
class ScopedRandomSeed {
 public:
  explicit ScopedRandomSeed(const std::array<uint8_t, 32>& seed);
  ~ScopedRandomSeed();
  ScopedRandomSeed(const ScopedRandomSeed&) = delete;
  ScopedRandomSeed& operator=(const ScopedRandomSeed&) = delete;
  // A fresh seed from RAND_bytes.
  static std::array<uint8_t, 32> fresh();
};

class MerkleTree {
 public:
  // Commits to the matrices (moved in; the tree keeps them to answer
  // openings). All must have the same power-of-two height >= 1. salts is
  // empty (no hiding) or height * salt_len bytes, leaf i using bytes
  // [i*salt_len, (i+1)*salt_len). hasher must outlive the tree; nullptr
  // selects SHA-256. Leaves and levels are hashed in parallel (OpenMP).
  explicit MerkleTree(std::vector<RowMajorMatrix<Fp>> matrices, std::vector<uint8_t> salts = {},
                      size_t salt_len = 0, const MerkleHasher* hasher = nullptr);
  explicit MerkleTree(RowMajorMatrix<Fp> matrix, std::vector<uint8_t> salts = {},
                      size_t salt_len = 0, const MerkleHasher* hasher = nullptr);

  // height * salt_len bytes from OpenSSL's CSPRNG (RAND_bytes), or, inside
  // a ScopedRandomSeed on the calling thread, from its keyed stream. Every
  // random value of the prover (salts, zk masks: pcs::random_fps) comes
  // from here.
  static std::vector<uint8_t> random_salts(uint64_t height, size_t salt_len);

  const Digest& root() const { return levels_.back()[0]; }
  uint64_t height() const { return height_; }
  size_t width() const { return width_; }  // sum of matrix widths
  size_t salt_len() const { return salt_len_; }
  unsigned log_height() const { return static_cast<unsigned>(levels_.size() - 1); }
  const std::vector<RowMajorMatrix<Fp>>& matrices() const { return matrices_; }
  // Recomputed from the row when the leaf level is not stored (below).
  // Throws std::invalid_argument for i >= height.
  Digest leaf_digest(uint64_t i) const;

  std::vector<Fp> row(uint64_t i) const;  // concatenated across matrices
  // Throws std::invalid_argument for an empty index list or an index >= height.
  MerkleOpening open_batch(std::span<const uint64_t> indices) const;

 private:
  std::vector<RowMajorMatrix<Fp>> matrices_;
  std::vector<uint8_t> salts_;
  size_t salt_len_;
  uint64_t height_ = 0;
  size_t width_ = 0;
  const MerkleHasher* hasher_;
  // The two lowest levels (leaves and their parents: 3/4 of all digests)
  // are not stored; open_batch recomputes the siblings it needs there.
  static constexpr unsigned kUnstoredLevels = 2;
  Digest node(unsigned level, uint64_t i) const;  // stored or recomputed
  std::span<const uint8_t> salt_span(uint64_t i) const;

  unsigned stored_from_ = 0;
  // levels_[l] for l >= stored_from_ (below: empty); levels_[0] = leaves,
  // back() = {root}.
  std::vector<std::vector<Digest>> levels_;
};

// Checks that rows[k] (width elements) with salts[k] (salt_len bytes each;
// salts may be empty when salt_len == 0) is leaf indices[k] of the tree with
// this root and height, using proof. Never throws on malformed input.
VerifyStatus merkle_verify_batch(const Digest& root, uint64_t height, size_t width,
                                 size_t salt_len, std::span<const uint64_t> indices,
                                 std::span<const std::vector<Fp>> rows,
                                 std::span<const std::vector<uint8_t>> salts,
                                 const MerkleBatchProof& proof,
                                 const MerkleHasher& hasher = hash::default_merkle_hasher());

inline VerifyStatus merkle_verify_opening(const Digest& root, uint64_t height, size_t width,
                                          size_t salt_len, const MerkleOpening& o,
                                          const MerkleHasher& hasher =
                                              hash::default_merkle_hasher()) {
  return merkle_verify_batch(root, height, width, salt_len, o.indices, o.rows, o.salts, o.proof,
                             hasher);
}

}  // namespace zkvm::merkle
