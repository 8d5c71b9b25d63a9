// Prover side of Merkle commitments: builds all levels in parallel and
// answers batch openings in the order merkle_verify.cpp consumes them.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "prover/hash/sha256_x2.h"
#include "prover/merkle/merkle.h"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace zkvm::merkle {

namespace {
// v.resize(n) after the fresh pages of its storage have been first touched
// by all threads: the kernel zeroes each page at first touch, which done by
// the one thread of resize() was a serial phase (256 MiB of digests for
// 2^22 leaves).
void resize_first_touch_parallel(std::vector<Digest>& v, size_t n) {
  v.reserve(n);
  unsigned char* raw = reinterpret_cast<unsigned char*>(v.data());
  constexpr size_t kPage = 4096;
  const int64_t pages = static_cast<int64_t>(n * sizeof(Digest) / kPage);
#pragma omp parallel for schedule(static) if (pages >= 1024)
  for (int64_t p = 0; p < pages; ++p) raw[static_cast<size_t>(p) * kPage] = 0;
  v.resize(n);
}

// Not an initializer list: its elements are const and would be copied.
std::vector<RowMajorMatrix<Fp>> one_matrix(RowMajorMatrix<Fp>&& m) {
  std::vector<RowMajorMatrix<Fp>> v;
  v.push_back(std::move(m));
  return v;
}
}  // namespace

MerkleTree::MerkleTree(RowMajorMatrix<Fp> matrix, std::vector<uint8_t> salts, size_t salt_len,
                       const MerkleHasher* hasher)
    : MerkleTree(one_matrix(std::move(matrix)), std::move(salts), salt_len, hasher) {}

MerkleTree::MerkleTree(std::vector<RowMajorMatrix<Fp>> matrices, std::vector<uint8_t> salts,
                       size_t salt_len, const MerkleHasher* hasher)
    : matrices_(std::move(matrices)),
      salts_(std::move(salts)),
      salt_len_(salt_len),
      hasher_(hasher != nullptr ? hasher : &hash::default_merkle_hasher()),
      fast_(dynamic_cast<const hash::Sha256MerkleHasher*>(hasher_) != nullptr && hash::x2::available()) {
  init_shape();
  build_levels();
}

MerkleTree::MerkleTree(std::vector<RowMajorMatrix<Fp>> matrices, std::vector<uint8_t> salts, size_t salt_len,
                       std::vector<std::vector<Digest>> levels)
    : matrices_(std::move(matrices)),
      salts_(std::move(salts)),
      salt_len_(salt_len),
      hasher_(&hash::default_merkle_hasher()),
      fast_(hash::x2::available()) {
  init_shape();
  adopt_levels(std::move(levels));
}

MerkleTree::MerkleTree(std::span<const MatrixShape> shapes, std::vector<uint8_t> salts, size_t salt_len,
                       std::vector<std::vector<Digest>> levels)
    : salts_(std::move(salts)),
      salt_len_(salt_len),
      hasher_(&hash::default_merkle_hasher()),
      fast_(hash::x2::available()) {
  init_shape(shapes);
  for (const auto& s : shapes) matrices_.emplace_back(s.width, 0);
  adopt_levels(std::move(levels));
}

void MerkleTree::adopt_levels(std::vector<std::vector<Digest>> levels) {
  const unsigned log_h = log_height();
  if (levels.size() != log_h + 1)
    throw std::invalid_argument("MerkleTree: " + std::to_string(levels.size()) + " levels given for a tree of " +
                                std::to_string(height_) + " leaves (expected " + std::to_string(log_h + 1) + ")");
  for (unsigned l = stored_from_; l <= log_h; ++l) {
    if (levels[l].size() != height_ >> l)
      throw std::invalid_argument("MerkleTree: level " + std::to_string(l) + " has " +
                                  std::to_string(levels[l].size()) + " digests, expected " +
                                  std::to_string(height_ >> l));
    levels_[l] = std::move(levels[l]);
  }
}

std::string merkle_layout(std::span<const MatrixShape> shapes, size_t salt_bytes, size_t salt_len, MerkleLayout& out) {
  using std::to_string;
  out = {};
  if (std::string e = merkle_groups(shapes, out.groups); !e.empty()) return e;
  uint64_t salt_rows = 0;
  for (const auto& g : out.groups) {
    out.salt_offsets.push_back(salt_rows * salt_len);
    salt_rows += g.height;
  }
  for (size_t m = 0; m < shapes.size(); ++m)
    if (shapes[m].width != 0 && shapes[m].height > SIZE_MAX / shapes[m].width)
      return "matrix " + to_string(m) + " shape overflows size_t";
  if (salt_bytes != (salt_len == 0 ? 0 : salt_rows * salt_len))
    return to_string(salt_bytes) + " salt bytes for " + to_string(salt_rows) + " rows of " + to_string(salt_len);
  return {};
}

std::string merkle_layout(std::span<const RowMajorMatrix<Fp>> matrices, size_t salt_bytes, size_t salt_len,
                          MerkleLayout& out) {
  using std::to_string;
  std::vector<MatrixShape> shapes;
  for (const auto& m : matrices) shapes.push_back({m.height, m.width});
  if (std::string e = merkle_layout(std::span<const MatrixShape>(shapes), salt_bytes, salt_len, out); !e.empty())
    return e;
  for (size_t m = 0; m < matrices.size(); ++m) {
    const auto& mat = matrices[m];
    if (mat.values.size() != mat.width * mat.height)
      return "matrix " + to_string(m) + " holds " + to_string(mat.values.size()) + " values, expected " +
             to_string(mat.width) + " x " + to_string(mat.height);
  }
  return {};
}

void MerkleTree::init_shape() {
  std::vector<MatrixShape> shapes;
  for (const auto& m : matrices_) shapes.push_back({m.height, m.width});
  MerkleLayout layout;
  if (!matrices_.empty())
    if (std::string e = merkle_layout(matrices_, salts_.size(), salt_len_, layout); !e.empty())
      throw std::invalid_argument("MerkleTree: " + e);
  init_shape(shapes);
}

void MerkleTree::init_shape(std::span<const MatrixShape> shapes) {
  if (shapes.empty()) throw std::invalid_argument("MerkleTree: no matrices to commit");
  height_ = shapes[0].height;
  MerkleLayout layout;
  if (std::string e = merkle_layout(shapes, salts_.size(), salt_len_, layout); !e.empty())
    throw std::invalid_argument("MerkleTree: " + e);
  groups_ = std::move(layout.groups);
  salt_offsets_ = std::move(layout.salt_offsets);
  for (const auto& m : shapes) width_ += m.width;

  const unsigned log_h = static_cast<unsigned>(std::countr_zero(height_));
  levels_.resize(log_h + 1);
  // Levels below stored_from_ (the leaves and their parents, 3/4 of all
  // digests, so 3/4 of their memory, page faults and writes) are not kept;
  // open_batch recomputes the few siblings it needs there from the rows.
  stored_from_ = stored_from(log_h);
}

void MerkleTree::build_levels() {
  const unsigned log_h = log_height();
  for (unsigned l = stored_from_; l <= log_h; ++l)
    resize_first_touch_parallel(levels_[l], height_ >> l);

  // Subtrees of 2^sub_log leaves are built independently, leaves and inner
  // levels, in one parallel loop with no barrier per level (barriers cost
  // the most when other jobs share the cores); the levels above them, fewer
  // than 4 x threads nodes wide, are built serially.
  int threads = 1;
#if defined(_OPENMP)
  threads = omp_get_max_threads();
#endif
  unsigned top_log = 0;  // 2^top_log subtrees
  while (top_log < log_h && (size_t{1} << top_log) < 4 * static_cast<size_t>(threads) &&
         (height_ >> (top_log + 1)) >= 256)
    ++top_log;
  const unsigned sub_log = log_h - top_log;
  const int64_t subtrees = int64_t{1} << top_log;
  // SHA-256 (format v2) takes the prover's two-chain SHA-NI path where the
  // CPU has it: pairs of leaves and pairs of parents; identical digests to
  // hasher_->hash_leaf_parts / compress (tests/prover-core check both).
  // parent[j] = compress(child[2j], child[2j+1]) for j < count, then the
  // group joining at that level (mixed trees); parent[0] is node `first`.
  auto hash_level = [&](unsigned level, const Digest* child, Digest* parent, uint64_t first, uint64_t count) {
    uint64_t j = 0;
    if (fast_) {
      // Children 2j, 2j+1 are adjacent Digests: one 64-byte block.
      static_assert(sizeof(Digest) == 32);
      const uint8_t* c = reinterpret_cast<const uint8_t*>(child);
      for (; j + 1 < count; j += 2)
        hash::x2::compress_chains(hash::merkle_node_iv(), c + 64 * j, c + 64 * (j + 1), 1,
                                  parent[j], parent[j + 1]);
    }
    for (; j < count; ++j) parent[j] = hasher_->compress(child[2 * j], child[2 * j + 1]);
    inject(level, first, count, parent);
  };
  // Leaves are hashed in chunks of 2^chunk_log (>= 2^stored_from_) into a
  // local buffer, which also holds the unstored levels above them.
  const unsigned chunk_log = std::min(sub_log, 8u);
  const uint64_t chunk = uint64_t{1} << chunk_log;
#pragma omp parallel for schedule(dynamic, 1) if (subtrees > 1)
  for (int64_t st = 0; st < subtrees; ++st) {
    std::vector<Digest> local(2 * chunk);  // level l at offset 2*chunk - (2*chunk >> l)
    const uint64_t first = static_cast<uint64_t>(st) << sub_log;
    const uint64_t end = first + (uint64_t{1} << sub_log);
    for (uint64_t c0 = first; c0 < end; c0 += chunk) {
      // Level l of this chunk: local (l < stored_from_) or the tree.
      auto level_ptr = [&](unsigned l) {
        return l < stored_from_ ? local.data() + (2 * chunk - ((2 * chunk) >> l))
                                : levels_[l].data() + (c0 >> l);
      };
      hash_group_rows(0, c0, chunk, level_ptr(0));
      for (unsigned l = 1; l <= chunk_log; ++l) hash_level(l, level_ptr(l - 1), level_ptr(l), c0 >> l, chunk >> l);
    }
    for (unsigned l = chunk_log + 1; l <= sub_log; ++l)
      hash_level(l, levels_[l - 1].data() + (first >> (l - 1)), levels_[l].data() + (first >> l), first >> l,
                 (end - first) >> l);
  }
  for (unsigned l = sub_log + 1; l <= log_h; ++l)
    hash_level(l, levels_[l - 1].data(), levels_[l].data(), 0, levels_[l].size());
}

void MerkleTree::hash_group_rows(size_t g, uint64_t first, uint64_t count, Digest* out) const {
  const MerkleGroup& grp = groups_[g];
  std::vector<std::span<const Fp>> parts(grp.end - grp.begin);
  auto gather = [&](uint64_t j) {
    for (size_t m = grp.begin; m < grp.end; ++m) parts[m - grp.begin] = matrix_row(m, j);
  };
  uint64_t i = 0;
  if (fast_) {
    // SHA-256 (format v2): the prover's two-chain SHA-NI path, pairs of
    // rows; identical digests to hash_leaf_parts (tests/prover-core).
    const size_t blocks = hash::merkle_leaf_blocks(grp.width, salt_len_);
    std::vector<uint32_t> a(16 * blocks), b(16 * blocks);
    for (; i + 1 < count; i += 2) {
      gather(first + i);
      hash::merkle_leaf_words(parts, salt_span(g, first + i), a.data());
      gather(first + i + 1);
      hash::merkle_leaf_words(parts, salt_span(g, first + i + 1), b.data());
      hash::x2::compress_chains(hash::merkle_leaf_iv(), reinterpret_cast<const uint8_t*>(a.data()),
                                reinterpret_cast<const uint8_t*>(b.data()), blocks, out[i], out[i + 1]);
    }
  }
  for (; i < count; ++i) {
    gather(first + i);
    out[i] = hasher_->hash_leaf_parts(parts, salt_span(g, first + i));
  }
}

void MerkleTree::inject(unsigned level, uint64_t first, uint64_t count, Digest* nodes) const {
  for (size_t g = 1; g < groups_.size(); ++g) {
    if (groups_[g].level != level) continue;
    std::vector<Digest> rows(count);
    hash_group_rows(g, first, count, rows.data());
    for (uint64_t j = 0; j < count; ++j) nodes[j] = hasher_->compress(nodes[j], rows[j]);
  }
}

std::span<const uint8_t> MerkleTree::salt_span(size_t group, uint64_t j) const {
  return salt_len_ == 0 ? std::span<const uint8_t>{}
                        : std::span<const uint8_t>(salts_.data() + salt_offsets_[group] + j * salt_len_, salt_len_);
}

Digest MerkleTree::node(unsigned level, uint64_t i) const {
  if (level >= stored_from_) return levels_[level][i];
  Digest d;
  if (level == 0)
    hash_group_rows(0, i, 1, &d);
  else
    d = hasher_->compress(node(level - 1, 2 * i), node(level - 1, 2 * i + 1));
  inject(level, i, 1, &d);
  return d;
}

Digest MerkleTree::leaf_digest(uint64_t i) const {
  if (i >= height_)
    throw std::invalid_argument("MerkleTree::leaf_digest: index " + std::to_string(i) +
                                " out of range for height " + std::to_string(height_));
  return node(0, i);
}

namespace {
thread_local EVP_CIPHER_CTX* seeded_stream = nullptr;
}  // namespace

ScopedRandomSeed::ScopedRandomSeed(const std::array<uint8_t, 32>& seed) {
  if (seeded_stream != nullptr) throw std::logic_error("ScopedRandomSeed: already seeded on this thread");
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const uint8_t iv[16] = {};
  if (ctx == nullptr || EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nullptr, seed.data(), iv) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    throw std::runtime_error("ScopedRandomSeed: AES-256-CTR setup failed");
  }
  seeded_stream = ctx;
}

ScopedRandomSeed::~ScopedRandomSeed() {
  EVP_CIPHER_CTX_free(seeded_stream);
  seeded_stream = nullptr;
}

std::array<uint8_t, 32> ScopedRandomSeed::fresh() {
  std::array<uint8_t, 32> s{};
  if (RAND_bytes(s.data(), static_cast<int>(s.size())) != 1) throw std::runtime_error("ScopedRandomSeed: RAND_bytes failed");
  return s;
}

std::vector<uint8_t> MerkleTree::random_salts(uint64_t height, size_t salt_len) {
  std::vector<uint8_t> s(height * salt_len);
  if (seeded_stream != nullptr) {  // keystream = AES-CTR of zeros
    for (size_t off = 0; off < s.size(); off += 1u << 30) {
      const int n = static_cast<int>(std::min<size_t>(s.size() - off, 1u << 30));
      int out = 0;
      if (EVP_EncryptUpdate(seeded_stream, s.data() + off, &out, s.data() + off, n) != 1 || out != n)
        throw std::runtime_error("MerkleTree::random_salts: AES-256-CTR failed");
    }
    return s;
  }
  constexpr size_t kChunk = size_t{1} << 20;
  if (s.size() <= kChunk) {
    if (!s.empty() && RAND_bytes(s.data(), static_cast<int>(s.size())) != 1)
      throw std::runtime_error("MerkleTree::random_salts: RAND_bytes failed");
    return s;
  }
  // Large fills (16 MiB for the salts of a 2^20-row LDE; serial RAND_bytes
  // took ~1 ms per MiB): the AES-256-CTR keystream under a fresh random
  // key, chunk c from counter c * 2^64 (its own range), chunks in parallel.
  // This is the generator OpenSSL's CTR-DRBG runs, keyed once per call.
  std::array<uint8_t, 32> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    throw std::runtime_error("MerkleTree::random_salts: RAND_bytes failed");
  const int64_t chunks = static_cast<int64_t>((s.size() + kChunk - 1) / kChunk);
  bool failed = false;
#pragma omp parallel for schedule(static) reduction(|| : failed)
  for (int64_t c = 0; c < chunks; ++c) {
    const size_t off = static_cast<size_t>(c) * kChunk, n = std::min(kChunk, s.size() - off);
    uint8_t iv[16] = {};
    for (int b = 0; b < 8; ++b) iv[b] = static_cast<uint8_t>(static_cast<uint64_t>(c) >> (56 - 8 * b));
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int out = 0;
    std::fill_n(s.data() + off, n, uint8_t{0});
    failed = failed || ctx == nullptr || EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nullptr, key.data(), iv) != 1 ||
             EVP_EncryptUpdate(ctx, s.data() + off, &out, s.data() + off, static_cast<int>(n)) != 1 ||
             out != static_cast<int>(n);
    EVP_CIPHER_CTX_free(ctx);
  }
  OPENSSL_cleanse(key.data(), key.size());
  if (failed) throw std::runtime_error("MerkleTree::random_salts: AES-256-CTR failed");
  return s;
}

std::vector<Fp> MerkleTree::row(uint64_t i) const {
  if (i >= height_)
    throw std::invalid_argument("MerkleTree::row: index " + std::to_string(i) +
                                " out of range for height " + std::to_string(height_));
  std::vector<Fp> r;
  r.reserve(width_);
  for (const auto& g : groups_)
    for (size_t m = g.begin; m < g.end; ++m) {
      auto s = matrix_row(m, i >> g.level);
      r.insert(r.end(), s.begin(), s.end());
    }
  return r;
}

std::span<const Fp> MerkleTree::matrix_row(size_t m, uint64_t j) const {
  const auto& mat = matrices_[m];
  if (j < mat.height) return mat.row(j);
  if (m < restored_.size()) {
    const auto& r = restored_[m];
    const auto it = std::lower_bound(r.begin(), r.end(), j, [](const auto& e, uint64_t v) { return e.first < v; });
    if (it != r.end() && it->first == j) return it->second;
  }
  throw std::logic_error("MerkleTree: row " + std::to_string(j) + " of matrix " + std::to_string(m) +
                         " was dropped and not restored");
}

size_t MerkleTree::group_of(size_t m) const {
  for (size_t g = 0; g < groups_.size(); ++g)
    if (m >= groups_[g].begin && m < groups_[g].end) return g;
  throw std::invalid_argument("MerkleTree: no matrix " + std::to_string(m) + " in a tree of " +
                              std::to_string(matrices_.size()));
}

uint64_t MerkleTree::matrix_height(size_t m) const { return groups_[group_of(m)].height; }

void MerkleTree::drop_rows(size_t m, uint64_t keep) {
  auto& mat = matrices_.at(m);
  if (keep >= mat.height) return;
  // Shrunk in place (a copy of the kept rows would double them for a
  // moment); the whole pages past the kept rows go back to the system.
  mat.values.resize(keep * mat.width);
  mat.height = keep;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto first = (reinterpret_cast<uintptr_t>(mat.values.data() + mat.values.size()) + page - 1) & ~(page - 1);
  const auto last = reinterpret_cast<uintptr_t>(mat.values.data() + mat.values.capacity()) & ~(page - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

std::vector<uint64_t> MerkleTree::rows_for_opening(size_t m, std::span<const uint64_t> indices) const {
  const MerkleGroup& g = groups_[group_of(m)];
  // open_batch reads each leaf's row and recomputes the unstored levels'
  // nodes, which hash every leaf of the leaf's aligned block of
  // 2^stored_from_ (and the joining groups' rows there).
  const uint64_t block = uint64_t{1} << stored_from_;
  std::vector<uint64_t> out;
  for (const uint64_t i : indices) {
    if (i >= height_) continue;
    const uint64_t first = i & ~(block - 1);
    for (uint64_t u = first; u < first + block; ++u) out.push_back(u >> g.level);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void MerkleTree::restore_rows(size_t m, std::vector<std::pair<uint64_t, std::vector<Fp>>> rows) {
  const uint64_t h = matrix_height(m);
  const auto& mat = matrices_[m];
  for (const auto& [j, v] : rows) {
    if (j < mat.height || j >= h)
      throw std::invalid_argument("MerkleTree::restore_rows: row " + std::to_string(j) + " of matrix " +
                                  std::to_string(m) + " is resident or outside its " + std::to_string(h) + " rows");
    if (v.size() != mat.width)
      throw std::invalid_argument("MerkleTree::restore_rows: row " + std::to_string(j) + " has " +
                                  std::to_string(v.size()) + " values, the matrix " + std::to_string(mat.width));
  }
  if (restored_.size() < matrices_.size()) restored_.resize(matrices_.size());
  auto& r = restored_[m];
  r.insert(r.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  std::sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  r.erase(std::unique(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.first == b.first; }), r.end());
}

MerkleOpening MerkleTree::open_batch(std::span<const uint64_t> indices) const {
  if (indices.empty()) throw std::invalid_argument("MerkleTree::open_batch: no indices");
  MerkleOpening o;
  o.indices.assign(indices.begin(), indices.end());
  for (uint64_t idx : indices) {
    o.rows.push_back(row(idx));  // range-checked
    auto& salt = o.salts.emplace_back();
    for (size_t g = 0; g < groups_.size() && salt_len_ != 0; ++g) {
      const auto s = salt_span(g, idx >> groups_[g].level);
      salt.insert(salt.end(), s.begin(), s.end());
    }
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
        o.proof.siblings.push_back(node(level, idx ^ 1));
      up.push_back(idx >> 1);
    }
    known = std::move(up);
  }
  return o;
}

}  // namespace zkvm::merkle
