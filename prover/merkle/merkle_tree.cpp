// Prover side of Merkle commitments: builds all levels in parallel and
// answers batch openings in the order merkle_verify.cpp consumes them.
#include <openssl/rand.h>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "prover/merkle/merkle.h"

namespace zkvm::merkle {

MerkleTree::MerkleTree(RowMajorMatrix<Fp> matrix, std::vector<uint8_t> salts, size_t salt_len,
                       const MerkleHasher* hasher)
    : MerkleTree(std::vector<RowMajorMatrix<Fp>>{std::move(matrix)}, std::move(salts), salt_len,
                 hasher) {}

MerkleTree::MerkleTree(std::vector<RowMajorMatrix<Fp>> matrices, std::vector<uint8_t> salts,
                       size_t salt_len, const MerkleHasher* hasher)
    : matrices_(std::move(matrices)),
      salts_(std::move(salts)),
      salt_len_(salt_len),
      hasher_(hasher != nullptr ? hasher : &hash::default_merkle_hasher()) {
  using std::to_string;
  if (matrices_.empty()) throw std::invalid_argument("MerkleTree: no matrices to commit");
  height_ = matrices_[0].height;
  for (size_t m = 0; m < matrices_.size(); ++m) {
    if (matrices_[m].height != height_)
      throw std::invalid_argument("MerkleTree: matrix " + to_string(m) + " has height " +
                                  to_string(matrices_[m].height) + ", matrix 0 has " +
                                  to_string(height_));
    width_ += matrices_[m].width;
  }
  if (height_ == 0 || !std::has_single_bit(height_))
    throw std::invalid_argument("MerkleTree: height " + to_string(height_) +
                                " is not a power of two");
  if (salts_.size() != (salt_len_ == 0 ? 0 : height_ * salt_len_))
    throw std::invalid_argument("MerkleTree: " + to_string(salts_.size()) +
                                " salt bytes for height " + to_string(height_) +
                                " and salt length " + to_string(salt_len_));

  const unsigned log_h = static_cast<unsigned>(std::countr_zero(height_));
  levels_.resize(log_h + 1);
  levels_[0].resize(height_);
  const int64_t n = static_cast<int64_t>(height_);
  std::vector<Digest>& leaves = levels_[0];
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    std::span<const Fp> parts_small[4];
    std::vector<std::span<const Fp>> parts_big;
    std::span<const std::span<const Fp>> parts;
    if (matrices_.size() <= 4) {
      for (size_t m = 0; m < matrices_.size(); ++m) parts_small[m] = matrices_[m].row(i);
      parts = {parts_small, matrices_.size()};
    } else {
      for (auto& mat : matrices_) parts_big.push_back(mat.row(i));
      parts = parts_big;
    }
    const std::span<const uint8_t> salt =
        salt_len_ == 0 ? std::span<const uint8_t>{}
                       : std::span<const uint8_t>(salts_.data() + i * salt_len_, salt_len_);
    leaves[i] = hasher_->hash_leaf_parts(parts, salt);
  }
  for (unsigned l = 1; l <= log_h; ++l) {
    const std::vector<Digest>& below = levels_[l - 1];
    std::vector<Digest>& cur = levels_[l];
    cur.resize(below.size() / 2);
    const int64_t m = static_cast<int64_t>(cur.size());
#pragma omp parallel for schedule(static) if (m >= 1024)
    for (int64_t i = 0; i < m; ++i) cur[i] = hasher_->compress(below[2 * i], below[2 * i + 1]);
  }
}

std::vector<uint8_t> MerkleTree::random_salts(uint64_t height, size_t salt_len) {
  std::vector<uint8_t> s(height * salt_len);
  // RAND_bytes takes an int length; fill in chunks.
  for (size_t off = 0; off < s.size(); off += 1u << 30) {
    const size_t n = std::min<size_t>(s.size() - off, 1u << 30);
    if (RAND_bytes(s.data() + off, static_cast<int>(n)) != 1)
      throw std::runtime_error("MerkleTree::random_salts: RAND_bytes failed");
  }
  return s;
}

std::vector<Fp> MerkleTree::row(uint64_t i) const {
  if (i >= height_)
    throw std::invalid_argument("MerkleTree::row: index " + std::to_string(i) +
                                " out of range for height " + std::to_string(height_));
  std::vector<Fp> r;
  r.reserve(width_);
  for (auto& m : matrices_) {
    auto s = m.row(i);
    r.insert(r.end(), s.begin(), s.end());
  }
  return r;
}

MerkleOpening MerkleTree::open_batch(std::span<const uint64_t> indices) const {
  if (indices.empty()) throw std::invalid_argument("MerkleTree::open_batch: no indices");
  MerkleOpening o;
  o.indices.assign(indices.begin(), indices.end());
  for (uint64_t idx : indices) {
    o.rows.push_back(row(idx));  // range-checked
    if (salt_len_ != 0)
      o.salts.emplace_back(salts_.begin() + static_cast<ptrdiff_t>(idx * salt_len_),
                           salts_.begin() + static_cast<ptrdiff_t>((idx + 1) * salt_len_));
    else
      o.salts.emplace_back();
  }
  // Same walk as merkle_verify_batch: sorted distinct nodes per level; a
  // sibling goes into the proof unless it is itself a known node.
  std::vector<uint64_t> known(indices.begin(), indices.end());
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  for (unsigned level = 0; level < log_height(); ++level) {
    std::vector<uint64_t> up;
    up.reserve(known.size());
    for (size_t i = 0; i < known.size(); ++i) {
      const uint64_t idx = known[i];
      if ((idx & 1) == 0 && i + 1 < known.size() && known[i + 1] == idx + 1)
        ++i;
      else
        o.proof.siblings.push_back(levels_[level][idx ^ 1]);
      up.push_back(idx >> 1);
    }
    known = std::move(up);
  }
  return o;
}

}  // namespace zkvm::merkle
