#include <catch2/catch.hpp>
#include <openssl/sha.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "prover/hash/hash.h"

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

TEST_CASE("leaf hash is SHA-256 of 0x00, the little-endian canonical row, then the salt",
          "[hash]") {
  const zkvm::hash::Sha256MerkleHasher h;
  std::vector<Fp> row = {Fp::from_canonical(1), Fp::from_canonical(0x78000000),
                         Fp::from_canonical(0x01020304)};
  std::vector<uint8_t> salt = {9, 8, 7};
  std::vector<uint8_t> bytes = {0x00, 1, 0, 0, 0, 0x00, 0x00, 0x00, 0x78, 4, 3, 2, 1, 9, 8, 7};
  REQUIRE(h.hash_leaf(row, salt) == openssl_oneshot(bytes));
  bytes.resize(13);
  REQUIRE(h.hash_leaf(row, {}) == openssl_oneshot(bytes));
  // A concatenation of parts hashes like the whole row.
  const std::span<const Fp> parts[2] = {std::span(row).first(1), std::span(row).subspan(1)};
  REQUIRE(h.hash_leaf_parts(parts, salt) == h.hash_leaf(row, salt));
}

TEST_CASE("leaf hash streams long rows in chunks without changing the digest", "[hash]") {
  const zkvm::hash::Sha256MerkleHasher h;
  std::vector<Fp> row(1000);
  std::vector<uint8_t> bytes = {0x00};
  for (size_t i = 0; i < row.size(); ++i) {
    const uint32_t v = static_cast<uint32_t>(i * 2654435761u % Fp::kModulus);
    row[i] = Fp::from_canonical(v);
    for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<uint8_t>(v >> (8 * b)));
  }
  REQUIRE(h.hash_leaf(row, {}) == openssl_oneshot(bytes));
}

TEST_CASE("compress is SHA-256 of 0x01, left, right and is order-sensitive", "[hash]") {
  const zkvm::hash::Sha256MerkleHasher h;
  Digest l, r;
  for (int i = 0; i < 32; ++i) {
    l.bytes[i] = static_cast<uint8_t>(i);
    r.bytes[i] = static_cast<uint8_t>(100 + i);
  }
  std::vector<uint8_t> bytes = {0x01};
  bytes.insert(bytes.end(), l.bytes.begin(), l.bytes.end());
  bytes.insert(bytes.end(), r.bytes.begin(), r.bytes.end());
  REQUIRE(h.compress(l, r) == openssl_oneshot(bytes));
  REQUIRE(h.compress(l, r) != h.compress(r, l));
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
