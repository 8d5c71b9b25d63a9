#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "prover/merkle/merkle.h"

using zkvm::RowMajorMatrix;
using zkvm::field::Fp;
using zkvm::hash::Digest;
using namespace zkvm::merkle;

namespace {
RowMajorMatrix<Fp> random_matrix(size_t width, size_t height, std::mt19937_64& rng) {
  RowMajorMatrix<Fp> m(width, height);
  for (auto& v : m.values) v = Fp::from_u64(rng());
  return m;
}
VerifyStatus verify(const MerkleTree& t, const MerkleOpening& o) {
  return merkle_verify_opening(t.root(), t.height(), t.width(), t.salt_len(), o);
}
}  // namespace

TEST_CASE("Merkle root of a 4-row matrix is the hash of hashes of its rows", "[merkle]") {
  std::mt19937_64 rng(21);
  const auto m = random_matrix(3, 4, rng);
  const zkvm::hash::Sha256MerkleHasher h;
  const MerkleTree t(m);
  const Digest l0 = h.hash_leaf(m.row(0), {}), l1 = h.hash_leaf(m.row(1), {});
  const Digest l2 = h.hash_leaf(m.row(2), {}), l3 = h.hash_leaf(m.row(3), {});
  REQUIRE(t.root() == h.compress(h.compress(l0, l1), h.compress(l2, l3)));
  REQUIRE(t.log_height() == 2);
}

TEST_CASE("Merkle tree of height 1 has the leaf as root and opens with no siblings",
          "[merkle]") {
  std::mt19937_64 rng(22);
  const auto m = random_matrix(5, 1, rng);
  const MerkleTree t(m);
  REQUIRE(t.root() == zkvm::hash::Sha256MerkleHasher().hash_leaf(m.row(0), {}));
  const uint64_t idx[] = {0};
  const auto o = t.open_batch(idx);
  REQUIRE(o.proof.siblings.empty());
  REQUIRE(verify(t, o));
}

TEST_CASE("Merkle batch openings verify for many index sets and share siblings",
          "[merkle]") {
  std::mt19937_64 rng(23);
  for (unsigned log_h : {1u, 2u, 5u, 10u}) {
    const uint64_t h = uint64_t{1} << log_h;
    const MerkleTree t(random_matrix(7, h, rng));
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<uint64_t> idx(1 + rng() % 12);
      for (auto& i : idx) i = rng() % h;
      const auto o = t.open_batch(idx);
      INFO("height " << h << " trial " << trial);
      REQUIRE(verify(t, o));
      REQUIRE(o.proof.siblings.size() <= std::set<uint64_t>(idx.begin(), idx.end()).size() * log_h);
    }
    // Every leaf at once needs no siblings at all.
    std::vector<uint64_t> all(h);
    for (uint64_t i = 0; i < h; ++i) all[i] = i;
    const auto o = t.open_batch(all);
    REQUIRE(o.proof.siblings.empty());
    REQUIRE(verify(t, o));
  }
}

TEST_CASE("Merkle verifier rejects a changed row, sibling, index, root or proof length",
          "[merkle]") {
  std::mt19937_64 rng(24);
  const MerkleTree t(random_matrix(4, 64, rng));
  const uint64_t idx[] = {3, 17, 40, 17};
  const auto good = t.open_batch(idx);
  REQUIRE(verify(t, good));

  auto o = good;
  o.rows[1][2] += Fp::one();
  o.rows[3][2] += Fp::one();  // keep the repeated index consistent
  REQUIRE_THAT(verify(t, o).error, Catch::Contains("does not match commitment"));

  o = good;
  o.rows[3][0] += Fp::one();  // the repeat disagrees with the first copy
  REQUIRE_THAT(verify(t, o).error, Catch::Contains("repeats index 17"));

  for (size_t s = 0; s < good.proof.siblings.size(); ++s) {
    o = good;
    o.proof.siblings[s].bytes[s % 32] ^= 1;
    REQUIRE_FALSE(verify(t, o));
  }

  o = good;
  o.indices[0] = 2;  // right row, wrong position
  REQUIRE_FALSE(verify(t, o));
  o.indices[0] = 64;
  REQUIRE_THAT(verify(t, o).error, Catch::Contains("index 64 out of range for height 64"));

  o = good;
  o.proof.siblings.pop_back();
  REQUIRE_THAT(verify(t, o).error, Catch::Contains("too few sibling digests"));
  o = good;
  o.proof.siblings.push_back(Digest{});
  REQUIRE_THAT(verify(t, o).error, Catch::Contains("1 unused sibling digests"));

  // Leaves are zero-padded to whole blocks without a length (hash.h), so a
  // row with a zero appended has the same leaf digest; only the width check
  // rejects it.
  o = good;
  o.rows[0].push_back(Fp());
  REQUIRE(zkvm::hash::Sha256MerkleHasher().hash_leaf(o.rows[0], {}) ==
          zkvm::hash::Sha256MerkleHasher().hash_leaf(good.rows[0], {}));
  REQUIRE_THAT(verify(t, o).error, Catch::Contains("expected width 4"));

  o = good;
  o.rows[0].pop_back();
  REQUIRE_THAT(verify(t, o).error, Catch::Contains("expected width 4"));
  Digest other = t.root();
  other.bytes[0] ^= 0x80;
  REQUIRE_FALSE(merkle_verify_opening(other, t.height(), t.width(), 0, good));
  REQUIRE_THAT(merkle_verify_opening(t.root(), 48, t.width(), 0, good).error,
               Catch::Contains("height 48 is not a power of two"));
  REQUIRE_FALSE(merkle_verify_opening(t.root(), 128, t.width(), 0, good));

  o = good;
  o.indices.clear();
  o.rows.clear();
  o.salts.clear();
  REQUIRE_THAT(verify(t, o).error, Catch::Contains("no indices"));
}

TEST_CASE("salted Merkle leaves hide rows and the verifier checks the salts", "[merkle]") {
  std::mt19937_64 rng(25);
  const auto m = random_matrix(3, 32, rng);
  const size_t salt_len = 16;
  const auto salts = MerkleTree::random_salts(32, salt_len);
  const MerkleTree salted(m, salts, salt_len);
  const MerkleTree plain(m);
  REQUIRE(salted.root() != plain.root());
  REQUIRE(salted.root() != MerkleTree(m, MerkleTree::random_salts(32, salt_len), salt_len).root());

  const uint64_t idx[] = {0, 9, 31};
  const auto good = salted.open_batch(idx);
  REQUIRE(good.salts[1].size() == salt_len);
  REQUIRE(verify(salted, good));

  auto o = good;
  o.salts[1][5] ^= 1;
  REQUIRE_FALSE(verify(salted, o));
  o = good;
  o.salts[2].pop_back();
  REQUIRE_THAT(verify(salted, o).error, Catch::Contains("salt has 15 bytes, expected 16"));
  // Claiming no salt for a salted tree must fail too.
  REQUIRE_FALSE(merkle_verify_opening(salted.root(), 32, 3, 0, good));
}

TEST_CASE("Merkle tree over several matrices hashes their rows concatenated", "[merkle]") {
  std::mt19937_64 rng(26);
  const auto a = random_matrix(2, 16, rng), b = random_matrix(5, 16, rng);
  RowMajorMatrix<Fp> joined(7, 16);
  for (size_t r = 0; r < 16; ++r)
    for (size_t c = 0; c < 7; ++c) joined.at(r, c) = c < 2 ? a.at(r, c) : b.at(r, c - 2);
  const MerkleTree t(std::vector<RowMajorMatrix<Fp>>{a, b});
  REQUIRE(t.width() == 7);
  REQUIRE(t.root() == MerkleTree(joined).root());
  const uint64_t idx[] = {5, 6};
  REQUIRE(verify(t, t.open_batch(idx)));
}

TEST_CASE("Merkle tree rejects bad shapes and out-of-range openings with clear errors",
          "[merkle]") {
  std::mt19937_64 rng(27);
  REQUIRE_THROWS_WITH(MerkleTree(random_matrix(2, 12, rng)),
                      Catch::Contains("height 12 is not a power of two"));
  REQUIRE_THROWS_WITH(MerkleTree(std::vector<RowMajorMatrix<Fp>>{random_matrix(2, 4, rng),
                                                                 random_matrix(2, 8, rng)}),
                      Catch::Contains("matrix 1: height 8 after a shorter matrix"));
  REQUIRE_THROWS_WITH(MerkleTree(random_matrix(2, 8, rng), std::vector<uint8_t>(10), 4),
                      Catch::Contains("10 salt bytes"));
  auto ragged = random_matrix(2, 8, rng);
  ragged.values.push_back(Fp::one());
  REQUIRE_THROWS_WITH(MerkleTree(ragged), Catch::Contains("holds 17 values, expected 2 x 8"));
  const MerkleTree t(random_matrix(2, 8, rng));
  const uint64_t bad[] = {8};
  REQUIRE_THROWS_WITH(t.open_batch(bad), Catch::Contains("index 8 out of range"));
  REQUIRE_THROWS_WITH(t.open_batch({}), Catch::Contains("no indices"));
}

TEST_CASE("Merkle tree handles indices above 2^32 in the verifier", "[merkle]") {
  // A 2^33-leaf tree is too big to build in a test; check the verifier's
  // 64-bit index arithmetic on a hand-built path instead: leaf at index
  // 2^32 + 5 of a 2^33-leaf tree with all-zero sibling digests.
  const zkvm::hash::Sha256MerkleHasher h;
  const std::vector<Fp> row = {Fp::from_canonical(42)};
  const uint64_t idx = (uint64_t{1} << 32) + 5;
  MerkleBatchProof proof;
  Digest node = h.hash_leaf(row, {});
  for (unsigned level = 0; level < 33; ++level) {
    Digest sib;
    sib.bytes[0] = static_cast<uint8_t>(level);
    proof.siblings.push_back(sib);
    node = ((idx >> level) & 1) ? h.compress(sib, node) : h.compress(node, sib);
  }
  const uint64_t indices[] = {idx};
  const std::vector<std::vector<Fp>> rows = {row};
  REQUIRE(merkle_verify_batch(node, uint64_t{1} << 33, 1, 0, indices, rows, {}, proof));
  const uint64_t wrong[] = {idx - (uint64_t{1} << 32)};
  REQUIRE_FALSE(merkle_verify_batch(node, uint64_t{1} << 33, 1, 0, wrong, rows, {}, proof));
}

TEST_CASE("large salt fills are fresh, distinct per chunk and look uniform", "[merkle]") {
  // Above 1 MiB random_salts expands a fresh key by AES-256-CTR, one counter
  // range per 1 MiB chunk, chunks in parallel. A repeated key or counter
  // range would show as equal chunks or equal calls; a chunk left unfilled
  // as zeros (skewing the byte counts).
  const size_t rows = (size_t{3} << 20) / 16 + 5;  // 3 MiB and a partial chunk
  const auto a = MerkleTree::random_salts(rows, 16);
  const auto b = MerkleTree::random_salts(rows, 16);
  REQUIRE(a.size() == rows * 16);
  REQUIRE(a != b);
  const size_t chunk = size_t{1} << 20;
  for (size_t c = 0; c + 1 < a.size() / chunk; ++c)
    REQUIRE_FALSE(std::equal(a.begin() + static_cast<std::ptrdiff_t>(c * chunk),
                             a.begin() + static_cast<std::ptrdiff_t>(c * chunk + 64),
                             a.begin() + static_cast<std::ptrdiff_t>((c + 1) * chunk)));
  std::array<size_t, 256> count{};
  for (const uint8_t v : a) ++count[v];
  const double expect = static_cast<double>(a.size()) / 256;
  for (const size_t c : count) REQUIRE(std::abs(static_cast<double>(c) - expect) < 0.05 * expect);
  // The tail past the last full chunk is filled too.
  REQUIRE(std::count(a.end() - 80, a.end(), uint8_t{0}) < 8);
}

TEST_CASE("Merkle root of a 2^12-row tree equals a level-by-level recomputation", "[merkle]") {
  // Large enough that the tree is built as several parallel subtrees plus
  // serial top levels; this pins that split to the plain definition.
  std::mt19937_64 rng(28);
  const auto m = random_matrix(3, 4096, rng);
  const auto salts = MerkleTree::random_salts(4096, 4);
  const zkvm::hash::Sha256MerkleHasher h;
  std::vector<Digest> level(4096);
  for (size_t i = 0; i < 4096; ++i) level[i] = h.hash_leaf(m.row(i), std::span(salts).subspan(4 * i, 4));
  while (level.size() > 1) {
    std::vector<Digest> up(level.size() / 2);
    for (size_t i = 0; i < up.size(); ++i) up[i] = h.compress(level[2 * i], level[2 * i + 1]);
    level = std::move(up);
  }
  const MerkleTree t(m, salts, 4);
  REQUIRE(t.root() == level[0]);
  REQUIRE(t.leaf_digest(77) == h.hash_leaf(m.row(77), std::span(salts).subspan(4 * 77, 4)));
}

TEST_CASE("Merkle verifier returns an error, never throws, on random malformed openings",
          "[merkle]") {
  std::mt19937_64 rng(29);
  const MerkleTree t(random_matrix(3, 256, rng));
  const uint64_t idx[] = {1, 100, 255};
  const auto good = t.open_batch(idx);
  for (int trial = 0; trial < 300; ++trial) {
    auto o = good;
    switch (rng() % 6) {
      case 0: o.proof.siblings.resize(rng() % 40); break;
      case 1: o.indices[rng() % 3] = rng(); break;
      case 2: o.rows[rng() % 3].resize(rng() % 6); break;
      case 3: o.salts.resize(rng() % 5, std::vector<uint8_t>(rng() % 3)); break;
      case 4: o.rows.resize(rng() % 5); break;
      default: o.proof.siblings[rng() % o.proof.siblings.size()].bytes[rng() % 32] ^= 1; break;
    }
    VerifyStatus st;
    REQUIRE_NOTHROW(st = verify(t, o));
    // Only an unchanged opening may pass (e.g. resizing to the same size).
    if (st.ok()) {
      REQUIRE(o.indices == good.indices);
      REQUIRE(o.rows == good.rows);
      REQUIRE(o.proof.siblings == good.proof.siblings);
    } else {
      REQUIRE_THAT(st.error, Catch::StartsWith("merkle: "));
    }
  }
}

// Mixed heights (merkle.h): one tree over matrices of several heights,
// tallest first; group g joins at level log2(h_0 / h_g).
namespace {
struct Mixed {
  std::vector<RowMajorMatrix<Fp>> mats;
  std::vector<MatrixShape> shapes;
  std::vector<uint8_t> salts;
  size_t salt_len;
  // Matrices (width, height) in order; salt_len bytes per row of each group.
  Mixed(std::vector<std::pair<size_t, uint64_t>> dims, size_t salt, std::mt19937_64& rng) : salt_len(salt) {
    uint64_t salt_rows = 0;
    for (size_t i = 0; i < dims.size(); ++i) {
      mats.push_back(random_matrix(dims[i].first, dims[i].second, rng));
      shapes.push_back({dims[i].second, dims[i].first});
      if (i == 0 || dims[i].second != dims[i - 1].second) salt_rows += dims[i].second;
    }
    salts.resize(salt_rows * salt_len);
    for (auto& b : salts) b = static_cast<uint8_t>(rng());
  }
  MerkleTree tree() const { return MerkleTree(mats, salts, salt_len); }
};
VerifyStatus verify_mixed(const Mixed& m, const MerkleTree& t, const MerkleOpening& o) {
  return merkle_verify_mixed(t.root(), m.shapes, m.salt_len, o.indices, o.rows, o.salts, o.proof);
}
}  // namespace

TEST_CASE("mixed Merkle tree: a shorter matrix joins the level of its height", "[merkle]") {
  // Heights 4 and 2: N_j = compress(compress(L_2j, L_2j+1), leaf(short row j)).
  std::mt19937_64 rng(41);
  const Mixed m({{3, 4}, {2, 2}}, 0, rng);
  const MerkleTree t = m.tree();
  const zkvm::hash::Sha256MerkleHasher h;
  auto leaf = [&](size_t mat, uint64_t i) { return h.hash_leaf(m.mats[mat].row(i), {}); };
  const Digest n0 = h.compress(h.compress(leaf(0, 0), leaf(0, 1)), leaf(1, 0));
  const Digest n1 = h.compress(h.compress(leaf(0, 2), leaf(0, 3)), leaf(1, 1));
  REQUIRE(t.root() == h.compress(n0, n1));
  REQUIRE(t.height() == 4);
  REQUIRE(t.groups().size() == 2);
  // Leaf 3's row: the tall matrix's row 3, then the short one's row 1.
  const auto r = t.row(3);
  REQUIRE(r.size() == 5);
  REQUIRE(std::equal(r.begin(), r.begin() + 3, m.mats[0].row(3).begin()));
  REQUIRE(std::equal(r.begin() + 3, r.end(), m.mats[1].row(1).begin()));
}

TEST_CASE("mixed Merkle tree: openings verify at every shape, salted or not, unstored and parallel levels too",
          "[merkle]") {
  std::mt19937_64 rng(42);
  // Groups joining at the unstored levels 1 and 2, above them, at the root,
  // and trees tall enough for the parallel subtree build.
  const std::vector<std::vector<std::pair<size_t, uint64_t>>> cases = {
      {{3, 16}, {2, 16}, {4, 8}, {1, 4}, {2, 1}},
      {{5, 1024}, {3, 512}, {2, 256}, {7, 64}, {1, 2}},
      {{4, 4096}, {6, 4096}, {2, 2048}, {3, 8}},
  };
  for (const size_t salt : {size_t{0}, size_t{16}})
    for (const auto& dims : cases) {
      const Mixed m(dims, salt, rng);
      const MerkleTree t = m.tree();
      for (int trial = 0; trial < 10; ++trial) {
        std::vector<uint64_t> idx(1 + rng() % 20);
        for (auto& i : idx) i = rng() % t.height();
        const auto o = t.open_batch(idx);
        INFO("height " << t.height() << " salt " << salt << " trial " << trial);
        REQUIRE(o.salts[0].size() == salt * t.groups().size());
        REQUIRE(verify_mixed(m, t, o));
      }
    }
}

TEST_CASE("Merkle tree with dropped rows: openings need them restored, and equal the full tree's then",
          "[merkle]") {
  std::mt19937_64 rng(47);
  // Groups joining at the unstored levels 1 and 2 and above them.
  const Mixed m({{3, 64}, {2, 32}, {4, 16}, {1, 4}}, 16, rng);
  const MerkleTree full = m.tree();
  MerkleTree lean = m.tree();
  const std::vector<uint64_t> keep = {8, 17, 16, 1};  // one row past a 4-block too
  for (size_t j = 0; j < keep.size(); ++j) lean.drop_rows(j, keep[j]);
  REQUIRE(lean.root() == full.root());
  REQUIRE(lean.matrices()[0].height == 8);
  REQUIRE(lean.matrices()[0].values.size() == 8 * 3);
  REQUIRE(lean.matrix_height(0) == 64);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<uint64_t> idx(1 + rng() % 6);
    for (auto& i : idx) i = rng() % 64;
    MerkleTree t = m.tree();
    for (size_t j = 0; j < keep.size(); ++j) t.drop_rows(j, keep[j]);
    bool dropped_read = false;
    for (size_t j = 0; j < keep.size(); ++j)
      for (const uint64_t r : t.rows_for_opening(j, idx)) dropped_read |= r >= keep[j];
    if (dropped_read) REQUIRE_THROWS_AS(t.open_batch(idx), std::logic_error);
    for (size_t j = 0; j < keep.size(); ++j) {
      std::vector<std::pair<uint64_t, std::vector<Fp>>> rows;
      for (const uint64_t r : t.rows_for_opening(j, idx))
        if (r >= keep[j]) rows.emplace_back(r, std::vector<Fp>(m.mats[j].row(r).begin(), m.mats[j].row(r).end()));
      t.restore_rows(j, std::move(rows));
    }
    const auto a = full.open_batch(idx), b = t.open_batch(idx);
    INFO("trial " << trial);
    REQUIRE(a.rows == b.rows);
    REQUIRE(a.salts == b.salts);
    REQUIRE(a.proof.siblings == b.proof.siblings);
  }
  // A wrong restored row gives an opening that fails verification.
  MerkleTree t = m.tree();
  t.drop_rows(0, 8);
  const std::vector<uint64_t> idx = {40};
  std::vector<std::pair<uint64_t, std::vector<Fp>>> rows;
  for (const uint64_t r : t.rows_for_opening(0, idx))
    rows.emplace_back(r, std::vector<Fp>(m.mats[0].row(r).begin(), m.mats[0].row(r).end()));
  REQUIRE(rows.size() == 4);
  rows[1].second[2] += Fp::one();  // a sibling leaf's row (40 is rows[0])
  t.restore_rows(0, std::move(rows));
  REQUIRE_FALSE(verify_mixed(m, t, t.open_batch(idx)));
  // Resident, out-of-range and wrong-width rows are refused.
  REQUIRE_THROWS_AS(t.restore_rows(0, {{3, std::vector<Fp>(3)}}), std::invalid_argument);
  REQUIRE_THROWS_AS(t.restore_rows(0, {{64, std::vector<Fp>(3)}}), std::invalid_argument);
  REQUIRE_THROWS_AS(t.restore_rows(0, {{9, std::vector<Fp>(2)}}), std::invalid_argument);
}

TEST_CASE("mixed Merkle tree: every changed cell, salt byte and sibling of an opening is rejected", "[merkle]") {
  std::mt19937_64 rng(43);
  const Mixed m({{3, 64}, {2, 32}, {2, 4}}, 16, rng);
  const MerkleTree t = m.tree();
  const std::vector<uint64_t> idx{5, 40, 41};
  const auto o = t.open_batch(idx);
  REQUIRE(verify_mixed(m, t, o));
  for (size_t k = 0; k < idx.size(); ++k)
    for (size_t c = 0; c < o.rows[k].size(); ++c) {
      auto bad = o;
      bad.rows[k][c] += Fp::one();
      INFO("query " << k << " column " << c);
      REQUIRE_FALSE(verify_mixed(m, t, bad));
    }
  for (size_t k = 0; k < idx.size(); ++k)
    for (size_t b = 0; b < o.salts[k].size(); ++b) {
      auto bad = o;
      bad.salts[k][b] ^= 1;
      REQUIRE_FALSE(verify_mixed(m, t, bad));
    }
  for (size_t s = 0; s < o.proof.siblings.size(); ++s) {
    auto bad = o;
    bad.proof.siblings[s].bytes[0] ^= 1;
    REQUIRE_FALSE(verify_mixed(m, t, bad));
  }
  // The verifier's shapes must be the committed ones.
  auto shapes = m.shapes;
  shapes[2].height = 8;
  REQUIRE_FALSE(merkle_verify_mixed(t.root(), shapes, m.salt_len, o.indices, o.rows, o.salts, o.proof));
}

TEST_CASE("mixed Merkle tree: two queries must open a shared short row alike", "[merkle]") {
  // Leaves 40 and 41 share row 20 of the 32-row matrix and row 2 of the
  // 4-row one. The verifier hashes the first query's copy; a different copy
  // in the second (here a changed cell of the 4-row matrix's part, which
  // the path would never see) is refused by name.
  std::mt19937_64 rng(44);
  const Mixed m({{3, 64}, {2, 32}, {2, 4}}, 0, rng);
  const MerkleTree t = m.tree();
  const std::vector<uint64_t> idx{40, 41};
  auto o = t.open_batch(idx);
  REQUIRE(verify_mixed(m, t, o));
  o.rows[1][6] += Fp::one();  // column 6: the 4-row matrix's second column
  const auto st = verify_mixed(m, t, o);
  REQUIRE_FALSE(st);
  REQUIRE_THAT(st.error, Catch::Contains("open row") && Catch::Contains("differently"));
}

TEST_CASE("a Merkle tree from precomputed digests opens as the tree built here, and refuses digests of the wrong shape",
          "[merkle]") {
  std::mt19937_64 rng(31);
  const auto m = random_matrix(3, 16, rng);
  const MerkleTree ref(m);
  const zkvm::hash::Sha256MerkleHasher h;
  std::vector<std::vector<Digest>> levels(5);
  for (uint64_t i = 0; i < 16; ++i) levels[0].push_back(h.hash_leaf(m.row(i), {}));
  for (unsigned l = 1; l <= 4; ++l)
    for (size_t j = 0; j < levels[l - 1].size() / 2; ++j)
      levels[l].push_back(h.compress(levels[l - 1][2 * j], levels[l - 1][2 * j + 1]));
  REQUIRE(levels[4][0] == ref.root());
  const std::vector<uint64_t> idx{0, 5, 6, 15};
  {
    // Levels below the stored ones may be empty: recomputed from the rows.
    auto sparse = levels;
    sparse[0].clear();
    sparse[1].clear();
    const MerkleTree t({m}, {}, 0, sparse);
    REQUIRE(t.root() == ref.root());
    const auto a = ref.open_batch(idx), b = t.open_batch(idx);
    REQUIRE(a.rows == b.rows);
    REQUIRE(a.proof.siblings == b.proof.siblings);
    REQUIRE(verify(ref, b));
  }
  // The digests are taken as given: a wrong stored one gives openings that
  // fail against the true root.
  auto wrong = levels;
  wrong[2][2].bytes[0] ^= 1;  // the sibling of leaf 15's level-2 node
  const MerkleTree bad({m}, {}, 0, wrong);
  REQUIRE_FALSE(verify(ref, bad.open_batch(idx)));
  auto short_levels = levels;
  short_levels.pop_back();
  REQUIRE_THROWS_WITH(MerkleTree({m}, {}, 0, short_levels),
                      Catch::Contains("4 levels given for a tree of 16 leaves (expected 5)"));
  auto thin = levels;
  thin[3].pop_back();
  REQUIRE_THROWS_WITH(MerkleTree({m}, {}, 0, thin), Catch::Contains("level 3 has 1 digests, expected 2"));
}
