// Verifier side of Merkle batch openings: OpenSSL and the standard library
// only. The sibling order mirrors MerkleTree::open_batch in merkle_tree.cpp.
#include <algorithm>
#include <bit>
#include <string>
#include <utility>
#include <vector>

#include "prover/merkle/merkle.h"

namespace zkvm::merkle {

VerifyStatus merkle_verify_batch(const Digest& root, uint64_t height, size_t width,
                                 size_t salt_len, std::span<const uint64_t> indices,
                                 std::span<const std::vector<Fp>> rows,
                                 std::span<const std::vector<uint8_t>> salts,
                                 const MerkleBatchProof& proof, const MerkleHasher& hasher) {
  using std::to_string;
  auto fail = [](std::string e) { return VerifyStatus::failure("merkle: " + std::move(e)); };
  if (height == 0 || !std::has_single_bit(height))
    return fail("height " + to_string(height) + " is not a power of two");
  if (indices.empty()) return fail("no indices to verify");
  if (rows.size() != indices.size())
    return fail(to_string(indices.size()) + " indices but " + to_string(rows.size()) + " rows");
  const bool salted = salt_len != 0;
  if (salted ? salts.size() != indices.size()
             : !std::all_of(salts.begin(), salts.end(), [](auto& s) { return s.empty(); }))
    return fail("expected " + (salted ? to_string(indices.size()) : std::string("no")) +
                " salts of " + to_string(salt_len) + " bytes, got " + to_string(salts.size()));

  // (index, query number), sorted by index so levels can be walked in order.
  std::vector<std::pair<uint64_t, size_t>> order(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    if (indices[k] >= height)
      return fail("query " + to_string(k) + ": index " + to_string(indices[k]) +
                  " out of range for height " + to_string(height));
    if (rows[k].size() != width)
      return fail("query " + to_string(k) + ": row has " + to_string(rows[k].size()) +
                  " elements, expected width " + to_string(width));
    if (salted && salts[k].size() != salt_len)
      return fail("query " + to_string(k) + ": salt has " + to_string(salts[k].size()) +
                  " bytes, expected " + to_string(salt_len));
    order[k] = {indices[k], k};
  }
  std::sort(order.begin(), order.end());

  static const std::vector<uint8_t> kNoSalt;
  std::vector<std::pair<uint64_t, Digest>> known;
  known.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const auto [idx, k] = order[i];
    if (i > 0 && order[i - 1].first == idx) {
      // A repeated index must carry the same leaf, or one copy goes unchecked.
      const size_t k0 = order[i - 1].second;
      if (rows[k0] != rows[k] || (salted && salts[k0] != salts[k]))
        return fail("query " + to_string(k) + " repeats index " + to_string(idx) +
                    " with a different row or salt");
      continue;
    }
    known.emplace_back(idx, hasher.hash_leaf(rows[k], salted ? salts[k] : kNoSalt));
  }

  size_t next = 0;
  const unsigned log_height = static_cast<unsigned>(std::countr_zero(height));
  for (unsigned level = 0; level < log_height; ++level) {
    std::vector<std::pair<uint64_t, Digest>> up;
    up.reserve(known.size());
    for (size_t i = 0; i < known.size(); ++i) {
      const uint64_t idx = known[i].first;
      Digest parent;
      if ((idx & 1) == 0 && i + 1 < known.size() && known[i + 1].first == idx + 1) {
        parent = hasher.compress(known[i].second, known[i + 1].second);
        ++i;
      } else {
        if (next >= proof.siblings.size())
          return fail("proof has too few sibling digests (ran out at level " +
                      to_string(level) + ", node " + to_string(idx) + ")");
        const Digest& sib = proof.siblings[next++];
        parent = (idx & 1) == 0 ? hasher.compress(known[i].second, sib)
                                : hasher.compress(sib, known[i].second);
      }
      up.emplace_back(idx >> 1, parent);
    }
    known = std::move(up);
  }
  if (next != proof.siblings.size())
    return fail("proof has " + to_string(proof.siblings.size() - next) +
                " unused sibling digests");
  if (known.size() != 1 || known[0].second != root)
    return fail("computed root " + known[0].second.hex() + " does not match commitment " +
                root.hex());
  return VerifyStatus::success();
}

}  // namespace zkvm::merkle
