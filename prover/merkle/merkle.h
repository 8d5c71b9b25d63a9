// Merkle commitments to the rows of one or more matrices.
//
// Equal heights: leaf i hashes row i of every committed matrix, concatenated
// in order, then the optional per-leaf salt (hiding commitments: with random
// salts a leaf digest reveals nothing about its row). Height must be a power
// of two, so every level pairs up exactly; the verifier is told height and
// width and checks both.
//
// Mixed heights (one tree for a whole PCS round, as Plonky3's MMCS): the
// matrices come tallest first (heights non-increasing powers of two). Group
// g holds the matrices of the g-th distinct height h_g; the leaves hash
// group 0's rows, and group g joins at level l_g = log2(h_0 / h_g), where
// node j becomes compress(compress(child 2j, child 2j + 1), leaf hash of
// group g's row j and its salt). Leaf i of the tree "is" row i >> l_g of
// every group g: an opening carries their concatenation (the tree's row)
// and the concatenation of their salts. Every query then needs one path
// instead of one per height.
//
// Batch openings carry each distinct sibling digest once: walking the levels
// bottom-up over the sorted distinct indices, a node's sibling is taken from
// the proof only when it is not itself computable from the opened leaves.
// Prover (merkle_tree.cpp) and verifier (merkle_verify.cpp) follow this one
// order; the verifier depends only on OpenSSL and the standard library.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
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

// The matrices of one height in a mixed tree: matrices [begin, end) of the
// tree's (tallest first), columns [first_col, first_col + width) of a
// tree row, joining at `level`.
struct MerkleGroup {
  uint64_t height;
  unsigned level;
  size_t begin, end;
  size_t first_col, width;
};
struct MatrixShape {
  uint64_t height;
  size_t width;
};
// Groups of a mixed tree of these matrices. Empty error on success; else
// what is wrong (a height not a power of two, or taller than the one before).
std::string merkle_groups(std::span<const MatrixShape> shapes, std::vector<MerkleGroup>& out);
// A tree's groups and where each group's salts start in a buffer of
// salt_len bytes per row of every group, group by group (MerkleTree's
// salts argument). Empty error on success; else what is wrong: bad
// heights, a matrix not holding width x height values, or a salt buffer
// of another size than salt_len x the groups' rows.
struct MerkleLayout {
  std::vector<MerkleGroup> groups;
  std::vector<uint64_t> salt_offsets;  // per group, in bytes
};
std::string merkle_layout(std::span<const MatrixShape> shapes, size_t salt_bytes, size_t salt_len, MerkleLayout& out);
std::string merkle_layout(std::span<const RowMajorMatrix<Fp>> matrices, size_t salt_bytes, size_t salt_len,
                          MerkleLayout& out);

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
  // openings). Heights are powers of two >= 1, non-increasing (several
  // heights make a mixed tree, above). salts is empty (no hiding) or
  // salt_len bytes per row of every group, group by group: group g's row j
  // uses bytes [o_g + j*salt_len, o_g + (j+1)*salt_len), o_g = salt_len *
  // (sum of the heights of the groups before g). hasher must outlive the
  // tree; nullptr selects SHA-256. Leaves and levels are hashed in parallel
  // (OpenMP).
  explicit MerkleTree(std::vector<RowMajorMatrix<Fp>> matrices, std::vector<uint8_t> salts = {},
                      size_t salt_len = 0, const MerkleHasher* hasher = nullptr);
  explicit MerkleTree(RowMajorMatrix<Fp> matrix, std::vector<uint8_t> salts = {},
                      size_t salt_len = 0, const MerkleHasher* hasher = nullptr);
  // The tree of the same matrices and salts (SHA-256) whose digests were
  // computed elsewhere (a device HAL): levels[l] holds the height >> l
  // digests of level l for every l >= stored_from(log2 height); lower levels
  // may be empty (they are recomputed from the rows when an opening needs
  // them, as in a tree built here). The digests are taken as given: a wrong
  // one makes openings fail verification, and the dual HAL compares roots.
  // Throws std::invalid_argument on a shape mismatch.
  MerkleTree(std::vector<RowMajorMatrix<Fp>> matrices, std::vector<uint8_t> salts, size_t salt_len,
             std::vector<std::vector<Digest>> levels);
  // The same with no row held here (the rows live on a device): every
  // matrix is as after drop_rows(m, 0), matrices()[m] has the width and no
  // rows, and a row an opening reads must come through restore_rows.
  MerkleTree(std::span<const MatrixShape> shapes, std::vector<uint8_t> salts, size_t salt_len,
             std::vector<std::vector<Digest>> levels);
  // The lowest level a tree of 2^log_height leaves stores.
  static unsigned stored_from(unsigned log_height) { return std::min(kUnstoredLevels, log_height); }

  // height * salt_len bytes from OpenSSL's CSPRNG (RAND_bytes), or, inside
  // a ScopedRandomSeed on the calling thread, from its keyed stream. Every
  // random value of the prover (salts, zk masks: pcs::random_fps) comes
  // from here.
  static std::vector<uint8_t> random_salts(uint64_t height, size_t salt_len);

  const Digest& root() const { return levels_.back()[0]; }
  uint64_t height() const { return height_; }  // the tallest matrix's
  size_t width() const { return width_; }  // sum of matrix widths
  size_t salt_len() const { return salt_len_; }  // per group of an opened leaf
  const std::vector<MerkleGroup>& groups() const { return groups_; }
  unsigned log_height() const { return static_cast<unsigned>(levels_.size() - 1); }
  const std::vector<RowMajorMatrix<Fp>>& matrices() const { return matrices_; }
  // Recomputed from the row when the leaf level is not stored (below).
  // Throws std::invalid_argument for i >= height.
  Digest leaf_digest(uint64_t i) const;

  std::vector<Fp> row(uint64_t i) const;  // concatenated across matrices (row i >> l_g of group g)
  // Throws std::invalid_argument for an empty index list or an index >= height.
  MerkleOpening open_batch(std::span<const uint64_t> indices) const;

  // Memory: after the commitment only the first `keep` rows of matrix m
  // stay resident (matrices()[m].height becomes keep; the tree and its
  // root are unchanged). Reading a dropped row (row, open_batch) throws
  // std::logic_error until restore_rows supplies it; rows_for_opening says
  // which rows an open_batch reads. keep >= the matrix's resident height
  // changes nothing.
  void drop_rows(size_t m, uint64_t keep);
  // Matrix m's height as committed (resident or not).
  uint64_t matrix_height(size_t m) const;
  // The rows of matrix m (sorted, distinct) that open_batch(indices) reads:
  // each queried leaf's row and those the unstored levels' siblings hash.
  std::vector<uint64_t> rows_for_opening(size_t m, std::span<const uint64_t> indices) const;
  // Supplies dropped rows of matrix m (row index -> its width values), for
  // the openings that follow; wrong values give openings that fail
  // verification. Throws std::invalid_argument on a resident or
  // out-of-range row or a wrong width.
  void restore_rows(size_t m, std::vector<std::pair<uint64_t, std::vector<Fp>>> rows);

  // A backend's state that lives and dies with the tree (a device HAL's
  // copies of the matrices, docs/CUDA.md "Residency"); opaque here.
  void attach(std::shared_ptr<const void> state) { attached_ = std::move(state); }

 private:
  // Validates the matrices and salts, sets groups, widths and salt offsets,
  // sizes levels_ (shared by both constructors).
  void init_shape();
  void init_shape(std::span<const MatrixShape> shapes);
  void adopt_levels(std::vector<std::vector<Digest>> levels);
  // Sizes and hashes every stored level from the matrices (the first
  // constructor).
  void build_levels();
  std::vector<RowMajorMatrix<Fp>> matrices_;
  std::shared_ptr<const void> attached_;
  // Per matrix: rows past the resident ones, supplied by restore_rows.
  std::vector<std::vector<std::pair<uint64_t, std::vector<Fp>>>> restored_;
  // Row j of matrix m, resident or restored (throws std::logic_error).
  std::span<const Fp> matrix_row(size_t m, uint64_t j) const;
  size_t group_of(size_t m) const;
  std::vector<uint8_t> salts_;
  size_t salt_len_;
  uint64_t height_ = 0;
  size_t width_ = 0;
  const MerkleHasher* hasher_;
  // SHA-256 (format v2) on a CPU with SHA-NI: pairs of leaves and of nodes
  // take the two-chain path (identical digests; tests/prover-core).
  bool fast_;
  std::vector<MerkleGroup> groups_;
  std::vector<uint64_t> salt_offsets_;  // per group, in salts_
  // Leaf digests of group g's rows [first, first + count) into out.
  void hash_group_rows(size_t g, uint64_t first, uint64_t count, Digest* out) const;
  // Level `level` nodes [first, first + count) absorb the group joining there.
  void inject(unsigned level, uint64_t first, uint64_t count, Digest* nodes) const;
  // The two lowest levels (leaves and their parents: 3/4 of all digests)
  // are not stored; open_batch recomputes the siblings it needs there.
  static constexpr unsigned kUnstoredLevels = 2;
  Digest node(unsigned level, uint64_t i) const;  // stored or recomputed
  std::span<const uint8_t> salt_span(size_t group, uint64_t j) const;

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

// The same for a mixed tree of matrices with these shapes (tallest first):
// indices are leaves of the tallest, rows[k] the tree's row (all groups),
// salts[k] salt_len bytes per group. A leaf's group-g part must agree among
// all queries that share row i >> l_g of the group.
VerifyStatus merkle_verify_mixed(const Digest& root, std::span<const MatrixShape> shapes, size_t salt_len,
                                 std::span<const uint64_t> indices, std::span<const std::vector<Fp>> rows,
                                 std::span<const std::vector<uint8_t>> salts, const MerkleBatchProof& proof,
                                 const MerkleHasher& hasher = hash::default_merkle_hasher());

inline VerifyStatus merkle_verify_opening(const Digest& root, uint64_t height, size_t width,
                                          size_t salt_len, const MerkleOpening& o,
                                          const MerkleHasher& hasher =
                                              hash::default_merkle_hasher()) {
  return merkle_verify_batch(root, height, width, salt_len, o.indices, o.rows, o.salts, o.proof,
                             hasher);
}

}  // namespace zkvm::merkle
