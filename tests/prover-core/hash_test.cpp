#include <catch2/catch.hpp>
#include <openssl/sha.h>

#include <algorithm>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "prover/hash/hash.h"
#include "prover/hash/sha256_x2.h"

using zkvm::field::Fp;
using zkvm::hash::Digest;

namespace {
std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
Digest openssl_oneshot(std::span<const uint8_t> data) {
  Digest d;
  SHA256(data.data(), data.size(), d.bytes.data());
  return d;
}
}  // namespace

// Known answers from FIPS 180-2, Appendix B (and the empty-message digest).
TEST_CASE("sha256 matches the FIPS 180-2 test vectors", "[hash]") {
  using zkvm::hash::sha256;
  REQUIRE(sha256(bytes_of("")).hex() ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  REQUIRE(sha256(bytes_of("abc")).hex() ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE(sha256(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).hex() ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  REQUIRE(sha256(bytes_of(std::string(1000000, 'a'))).hex() ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 and incremental Sha256 agree with OpenSSL one-shot SHA256()", "[hash]") {
  std::mt19937_64 rng(11);
  zkvm::hash::Sha256 inc;
  for (size_t len : {0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 4099}) {
    std::vector<uint8_t> data(len);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    const Digest want = openssl_oneshot(data);
    REQUIRE(zkvm::hash::sha256(data) == want);
    // Split updates at an arbitrary point; finalize resets for the next use.
    const size_t cut = len / 3;
    inc.update(std::span(data).first(cut)).update(std::span(data).subspan(cut));
    REQUIRE(inc.finalize() == want);
  }
}

// Merkle hashing, format v2 (hash.h): raw SHA-256 compression from the
// leaf / node IVs over zero-padded fixed-length input. The hex vectors were
// computed with an independent pure-Python implementation of the FIPS 180-4
// compression function (self-checked by reproducing SHA-256("abc") from the
// standard IV and padding by hand), IVs from Python's hashlib of the labels.
TEST_CASE("Merkle IVs are the big-endian words of SHA-256 of their labels", "[hash]") {
  using zkvm::hash::MerkleIv;
  REQUIRE(zkvm::hash::merkle_leaf_iv() == MerkleIv{0xede4c22d, 0x694fe0c8, 0x28e6214d, 0x6756dbe2,
                                                   0xfc87cd50, 0x9e7dda22, 0x76c291e6, 0x1763ccc4});
  REQUIRE(zkvm::hash::merkle_node_iv() == MerkleIv{0xb5502e2d, 0x3a06f716, 0xeceef07b, 0x78b36c5d,
                                                   0x22519509, 0xa8ffdf83, 0x00fe0285, 0x9c62e070});
}

TEST_CASE("leaf hash is the compression chain over the LE canonical row, salt, zero padding",
          "[hash]") {
  const zkvm::hash::Sha256MerkleHasher h;
  std::vector<Fp> row = {Fp::from_canonical(1), Fp::from_canonical(0x78000000),
                         Fp::from_canonical(0x01020304)};
  std::vector<uint8_t> salt = {9, 8, 7};
  REQUIRE(h.hash_leaf(row, salt).hex() ==
          "423454a109cf85cc08676139e5414a34cd088f60e42de60f7500b0a07bfe727c");
  REQUIRE(h.hash_leaf(row, {}).hex() ==
          "f59166761f2f3502ab38be73e72970fe692508ec73c40981dd82096a12fd9dce");
  // An empty leaf is one all-zero block, not the IV itself.
  REQUIRE(h.hash_leaf({}, {}).hex() ==
          "9c2a9da1eb5bdffa1363859a7b83d77943fe06a05e72c1a8c14fd6860e34956c");
  // A concatenation of parts hashes like the whole row.
  const std::span<const Fp> parts[2] = {std::span(row).first(1), std::span(row).subspan(1)};
  REQUIRE(h.hash_leaf_parts(parts, salt) == h.hash_leaf(row, salt));
}

TEST_CASE("leaf hash of a long row chains 63 blocks", "[hash]") {
  const zkvm::hash::Sha256MerkleHasher h;
  std::vector<Fp> row(1000);
  for (size_t i = 0; i < row.size(); ++i)
    row[i] = Fp::from_canonical(static_cast<uint32_t>(i * 2654435761u % Fp::kModulus));
  REQUIRE(h.hash_leaf(row, {}).hex() ==
          "949a501191fbef6d3ff32114d051f4d81bf893b675ce326b0d16d49de85677fd");
}

TEST_CASE("compress is one compression of left || right from the node IV, order-sensitive",
          "[hash]") {
  const zkvm::hash::Sha256MerkleHasher h;
  Digest l, r;
  for (int i = 0; i < 32; ++i) {
    l.bytes[i] = static_cast<uint8_t>(i);
    r.bytes[i] = static_cast<uint8_t>(100 + i);
  }
  REQUIRE(h.compress(l, r).hex() ==
          "3f2c184bd1a11c93a08535ef7d12f976ed064a82d215032c26e20812d8ba92b6");
  REQUIRE(h.compress(l, r) != h.compress(r, l));
}

TEST_CASE("leaf and node hashing are domain-separated by their IVs", "[hash]") {
  // A leaf whose 64 padded bytes are exactly left || right must not hash to
  // the node of left, right: same block, different chaining value.
  const zkvm::hash::Sha256MerkleHasher h;
  Digest l, r;
  for (int i = 0; i < 32; ++i) {
    l.bytes[i] = static_cast<uint8_t>(i);
    r.bytes[i] = static_cast<uint8_t>(100 + i);
  }
  std::vector<uint8_t> salt(l.bytes.begin(), l.bytes.end());
  salt.insert(salt.end(), r.bytes.begin(), r.bytes.end());
  REQUIRE(h.hash_leaf({}, salt) != h.compress(l, r));
}

TEST_CASE("Merkle leaf rows of every length up to 3 blocks match a byte-wise padded chain",
          "[hash]") {
  // Rows of n elements and salts of s bytes: the fast path (field words
  // written straight into the block buffer) against the same chain fed with
  // explicitly padded bytes through the salt path, which touches no field
  // conversion. Covers every boundary around 64 and 128 bytes.
  const zkvm::hash::Sha256MerkleHasher h;
  std::mt19937_64 rng(5);
  for (size_t n = 0; n <= 48; ++n)
    for (size_t s : {0, 1, 4, 16}) {
      std::vector<Fp> row(n);
      std::vector<uint8_t> bytes;
      for (auto& v : row) {
        v = Fp::from_u64(rng());
        uint8_t b[4];
        v.to_bytes(b);
        bytes.insert(bytes.end(), b, b + 4);
      }
      std::vector<uint8_t> salt(s);
      for (auto& b : salt) b = static_cast<uint8_t>(rng());
      bytes.insert(bytes.end(), salt.begin(), salt.end());
      const size_t padded = std::max<size_t>(64, (bytes.size() + 63) / 64 * 64);
      std::vector<uint8_t> with_zeros = bytes;
      with_zeros.resize(padded, 0);
      REQUIRE(h.hash_leaf(row, salt) == h.hash_leaf({}, with_zeros));
    }
}

TEST_CASE("hashing from several threads at once gives the single-threaded digests", "[hash]") {
  const zkvm::hash::Sha256MerkleHasher h;
  std::vector<std::vector<Fp>> rows(64);
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < 37; ++j) rows[i].push_back(Fp::from_u64(i * 1000 + j));
  std::vector<Digest> want;
  for (auto& r : rows) want.push_back(h.hash_leaf(r, {}));
  std::vector<Digest> got_a(rows.size()), got_b(rows.size());
  std::thread ta([&] { for (size_t i = 0; i < rows.size(); ++i) got_a[i] = h.hash_leaf(rows[i], {}); });
  std::thread tb([&] { for (size_t i = rows.size(); i-- > 0;) got_b[i] = h.hash_leaf(rows[i], {}); });
  ta.join();
  tb.join();
  REQUIRE(got_a == want);
  REQUIRE(got_b == want);
}

TEST_CASE("two-chain SHA-NI compression equals the OpenSSL path for 1 to 20 blocks",
          "[hash]") {
  if (!zkvm::hash::x2::available()) {
    WARN("no SHA-NI on this CPU: the two-chain path is not used and not tested");
    return;
  }
  // Leaves of 16 * nblocks elements hash through the OpenSSL block function
  // in Sha256MerkleHasher; the same words through both chains of x2.
  const zkvm::hash::Sha256MerkleHasher h;
  std::mt19937_64 rng(13);
  for (size_t nblocks = 1; nblocks <= 20; ++nblocks) {
    std::vector<Fp> ra(16 * nblocks), rb(16 * nblocks);
    for (auto& v : ra) v = Fp::from_u64(rng());
    for (auto& v : rb) v = Fp::from_u64(rng());
    std::vector<uint32_t> wa(16 * nblocks), wb(16 * nblocks);
    const std::span<const Fp> pa[1] = {ra}, pb[1] = {rb};
    zkvm::hash::merkle_leaf_words(pa, {}, wa.data());
    zkvm::hash::merkle_leaf_words(pb, {}, wb.data());
    Digest da, db;
    zkvm::hash::x2::compress_chains(zkvm::hash::merkle_leaf_iv(),
                                    reinterpret_cast<const uint8_t*>(wa.data()),
                                    reinterpret_cast<const uint8_t*>(wb.data()), nblocks, da, db);
    REQUIRE(da == h.hash_leaf(ra, {}));
    REQUIRE(db == h.hash_leaf(rb, {}));
  }
  // Nodes: one block from the node IV, against the pinned vector above.
  Digest l, r;
  for (int i = 0; i < 32; ++i) {
    l.bytes[i] = static_cast<uint8_t>(i);
    r.bytes[i] = static_cast<uint8_t>(100 + i);
  }
  uint8_t blk[128];
  std::copy(l.bytes.begin(), l.bytes.end(), blk);
  std::copy(r.bytes.begin(), r.bytes.end(), blk + 32);
  std::copy(r.bytes.begin(), r.bytes.end(), blk + 64);
  std::copy(l.bytes.begin(), l.bytes.end(), blk + 96);
  Digest n0, n1;
  zkvm::hash::x2::compress_chains(zkvm::hash::merkle_node_iv(), blk, blk + 64, 1, n0, n1);
  REQUIRE(n0.hex() == "3f2c184bd1a11c93a08535ef7d12f976ed064a82d215032c26e20812d8ba92b6");
  REQUIRE(n1 == h.compress(r, l));
}
