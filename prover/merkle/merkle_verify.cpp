// Verifier side of Merkle batch openings: OpenSSL and the standard library
// only. The sibling order mirrors MerkleTree::open_batch in merkle_tree.cpp.
#include <algorithm>
#include <bit>
#include <string>
#include <utility>
#include <vector>

#include "prover/merkle/merkle.h"

namespace zkvm::merkle {

std::string merkle_groups(std::span<const MatrixShape> shapes, std::vector<MerkleGroup>& out) {
  using std::to_string;
  out.clear();
  if (shapes.empty()) return "no matrices";
  size_t col = 0;
  for (size_t m = 0; m < shapes.size(); ++m) {
    const uint64_t h = shapes[m].height;
    if (h == 0 || !std::has_single_bit(h)) return "matrix " + to_string(m) + ": height " + to_string(h) + " is not a power of two";
    if (!out.empty() && h > out.back().height)
      return "matrix " + to_string(m) + ": height " + to_string(h) + " after a shorter matrix (tallest first)";
    if (out.empty() || out.back().height != h) {
      const auto level = static_cast<unsigned>(std::countr_zero(shapes[0].height) - std::countr_zero(h));
      out.push_back({h, level, m, m, col, 0});
    }
    out.back().end = m + 1;
    out.back().width += shapes[m].width;
    col += shapes[m].width;
  }
  return "";
}

VerifyStatus merkle_verify_batch(const Digest& root, uint64_t height, size_t width,
                                 size_t salt_len, std::span<const uint64_t> indices,
                                 std::span<const std::vector<Fp>> rows,
                                 std::span<const std::vector<uint8_t>> salts,
                                 const MerkleBatchProof& proof, const MerkleHasher& hasher) {
  const MatrixShape one{height, width};
  return merkle_verify_mixed(root, std::span(&one, 1), salt_len, indices, rows, salts, proof, hasher);
}

VerifyStatus merkle_verify_mixed(const Digest& root, std::span<const MatrixShape> shapes, size_t salt_len,
                                 std::span<const uint64_t> indices, std::span<const std::vector<Fp>> rows,
                                 std::span<const std::vector<uint8_t>> salts, const MerkleBatchProof& proof,
                                 const MerkleHasher& hasher) {
  using std::to_string;
  auto fail = [](std::string e) { return VerifyStatus::failure("merkle: " + std::move(e)); };
  std::vector<MerkleGroup> groups;
  if (std::string e = merkle_groups(shapes, groups); !e.empty()) return fail(e);
  const uint64_t height = shapes[0].height;
  size_t width = 0;
  for (const auto& g : groups) width += g.width;
  const size_t row_salt = salt_len * groups.size();
  if (indices.empty()) return fail("no indices to verify");
  if (rows.size() != indices.size())
    return fail(to_string(indices.size()) + " indices but " + to_string(rows.size()) + " rows");
  const bool salted = salt_len != 0;
  if (salted ? salts.size() != indices.size()
             : !std::all_of(salts.begin(), salts.end(), [](auto& s) { return s.empty(); }))
    return fail("expected " + (salted ? to_string(indices.size()) : std::string("no")) +
                " salts of " + to_string(row_salt) + " bytes, got " + to_string(salts.size()));

  // (index, query number), sorted by index so levels can be walked in order.
  std::vector<std::pair<uint64_t, size_t>> order(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    if (indices[k] >= height)
      return fail("query " + to_string(k) + ": index " + to_string(indices[k]) +
                  " out of range for height " + to_string(height));
    if (rows[k].size() != width)
      return fail("query " + to_string(k) + ": row has " + to_string(rows[k].size()) +
                  " elements, expected width " + to_string(width));
    if (salted && salts[k].size() != row_salt)
      return fail("query " + to_string(k) + ": salt has " + to_string(salts[k].size()) +
                  " bytes, expected " + to_string(row_salt));
    order[k] = {indices[k], k};
  }
  std::sort(order.begin(), order.end());

  // Group g's part of query k's row and salt, hashed as a leaf.
  auto part = [&](size_t g, size_t k) {
    return std::span<const Fp>(rows[k]).subspan(groups[g].first_col, groups[g].width);
  };
  auto salt_part = [&](size_t g, size_t k) {
    return salted ? std::span<const uint8_t>(salts[k]).subspan(g * salt_len, salt_len) : std::span<const uint8_t>{};
  };
  auto group_leaf = [&](size_t g, size_t k) {
    const auto p = part(g, k);
    const auto sp = salt_part(g, k);
    return hasher.hash_leaf(p, sp);
  };

  // A known node: its index, digest and the queries below it (one per
  // distinct leaf), whose parts of the groups joining above must agree.
  struct Known {
    uint64_t idx;
    Digest d;
    std::vector<size_t> queries;
  };
  std::vector<Known> known;
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
    known.push_back({idx, group_leaf(0, k), {k}});
  }

  size_t next = 0;
  const unsigned log_height = static_cast<unsigned>(std::countr_zero(height));
  for (unsigned level = 0; level < log_height; ++level) {
    std::vector<Known> up;
    up.reserve(known.size());
    for (size_t i = 0; i < known.size(); ++i) {
      const uint64_t idx = known[i].idx;
      Known parent{idx >> 1, {}, std::move(known[i].queries)};
      if ((idx & 1) == 0 && i + 1 < known.size() && known[i + 1].idx == idx + 1) {
        parent.d = hasher.compress(known[i].d, known[i + 1].d);
        parent.queries.insert(parent.queries.end(), known[i + 1].queries.begin(), known[i + 1].queries.end());
        ++i;
      } else {
        if (next >= proof.siblings.size())
          return fail("proof has too few sibling digests (ran out at level " +
                      to_string(level) + ", node " + to_string(idx) + ")");
        const Digest& sib = proof.siblings[next++];
        parent.d = (idx & 1) == 0 ? hasher.compress(known[i].d, sib) : hasher.compress(sib, known[i].d);
      }
      up.push_back(std::move(parent));
    }
    known = std::move(up);
    for (size_t g = 1; g < groups.size(); ++g) {
      if (groups[g].level != level + 1) continue;
      for (Known& n : known) {
        // SOUNDNESS: every query below this node opens the same row of
        // group g; only the first one's is hashed, so the others must match.
        const size_t k0 = n.queries[0];
        for (const size_t k : n.queries) {
          const auto a = part(g, k0), b = part(g, k);
          const auto sa = salt_part(g, k0), sb = salt_part(g, k);
          if (!std::equal(a.begin(), a.end(), b.begin(), b.end()) ||
              !std::equal(sa.begin(), sa.end(), sb.begin(), sb.end()))
            return fail("queries " + to_string(k0) + " and " + to_string(k) + " open row " + to_string(n.idx) +
                        " of the matrices of height " + to_string(groups[g].height) + " differently");
        }
        n.d = hasher.compress(n.d, group_leaf(g, k0));
      }
    }
  }
  if (next != proof.siblings.size())
    return fail("proof has " + to_string(proof.siblings.size() - next) +
                " unused sibling digests");
  if (known.size() != 1 || known[0].d != root)
    return fail("computed root " + known[0].d.hex() + " does not match commitment " +
                root.hex());
  return VerifyStatus::success();
}

}  // namespace zkvm::merkle
