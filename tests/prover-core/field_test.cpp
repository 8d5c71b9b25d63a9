#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/matrix/matrix.h"

using zkvm::field::Fp;
using zkvm::field::Fp4;

namespace {
constexpr uint64_t P = 0x78000001u;

Fp rand_fp(std::mt19937_64& rng) { return Fp::from_canonical(static_cast<uint32_t>(rng() % P)); }
Fp4 rand_fp4(std::mt19937_64& rng) {
  return Fp4::from_base(rand_fp(rng), rand_fp(rng), rand_fp(rng), rand_fp(rng));
}
// Edge values plus random ones: the reduction paths differ near 0 and p.
std::vector<uint32_t> sample_values(std::mt19937_64& rng, size_t n) {
  std::vector<uint32_t> v = {0, 1, 2, 11, 31, static_cast<uint32_t>(P - 1),
                             static_cast<uint32_t>(P - 2), static_cast<uint32_t>(P / 2),
                             static_cast<uint32_t>(P / 2 + 1), 1u << 27, (1u << 30) - 1};
  while (v.size() < n) v.push_back(static_cast<uint32_t>(rng() % P));
  return v;
}
}  // namespace

TEST_CASE("BabyBear modulus is 15 * 2^27 + 1", "[field]") {
  REQUIRE(Fp::kModulus == 15u * (1u << 27) + 1u);
  REQUIRE(Fp::kModulus == 0x78000001u);
}

TEST_CASE("Fp round-trips canonical values and reduces larger inputs", "[field]") {
  std::mt19937_64 rng(1);
  for (uint32_t v : sample_values(rng, 2000)) REQUIRE(Fp::from_canonical(v).canonical() == v);
  REQUIRE(Fp::from_canonical(static_cast<uint32_t>(P)).is_zero());
  REQUIRE(Fp::from_canonical(0xffffffffu).canonical() == 0xffffffffull % P);
  REQUIRE(Fp::from_u64(~0ull).canonical() == ~0ull % P);
  REQUIRE(Fp::from_i64(-1).canonical() == P - 1);
  REQUIRE(Fp::from_i64(-static_cast<int64_t>(P) * 3 - 5).canonical() == P - 5);
  REQUIRE(Fp().is_zero());
  REQUIRE(Fp::one().canonical() == 1);
  REQUIRE_FALSE(Fp::is_canonical(static_cast<uint32_t>(P)));
  REQUIRE(Fp::is_canonical(static_cast<uint32_t>(P - 1)));
}

TEST_CASE("Fp add, sub, mul match integer arithmetic mod p", "[field]") {
  std::mt19937_64 rng(2);
  auto xs = sample_values(rng, 3000);
  auto ys = sample_values(rng, 3000);
  std::shuffle(ys.begin(), ys.end(), rng);
  for (size_t i = 0; i < xs.size(); ++i) {
    const uint64_t x = xs[i], y = ys[i];
    const Fp a = Fp::from_canonical(xs[i]), b = Fp::from_canonical(ys[i]);
    REQUIRE((a + b).canonical() == (x + y) % P);
    REQUIRE((a - b).canonical() == (x + P - y) % P);
    REQUIRE((a * b).canonical() == (x * y) % P);
    REQUIRE((-a).canonical() == (P - x) % P);
    Fp c = a;
    c += b;
    REQUIRE(c == a + b);
    c -= b;
    REQUIRE(c == a);
    c *= b;
    REQUIRE(c == a * b);
  }
}

TEST_CASE("Fp satisfies field laws on random elements", "[field]") {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const Fp a = rand_fp(rng), b = rand_fp(rng), c = rand_fp(rng);
    REQUIRE(a + b == b + a);
    REQUIRE(a * b == b * a);
    REQUIRE((a + b) + c == a + (b + c));
    REQUIRE((a * b) * c == a * (b * c));
    REQUIRE(a * (b + c) == a * b + a * c);
    REQUIRE(a - a == Fp::zero());
    REQUIRE(a * Fp::one() == a);
    if (!a.is_zero()) REQUIRE(a * a.inverse() == Fp::one());
  }
  REQUIRE(Fp::zero().inverse() == Fp::zero());
}

TEST_CASE("Fp pow matches repeated multiplication and Fermat", "[field]") {
  std::mt19937_64 rng(4);
  for (int i = 0; i < 50; ++i) {
    const Fp a = rand_fp(rng);
    Fp acc = Fp::one();
    for (uint64_t e = 0; e < 40; ++e) {
      REQUIRE(a.pow(e) == acc);
      acc *= a;
    }
    if (!a.is_zero()) REQUIRE(a.pow(P - 1) == Fp::one());
  }
}

TEST_CASE("Fp serializes as 4 little-endian canonical bytes and rejects values >= p",
          "[field]") {
  const Fp a = Fp::from_canonical(0x12345678u);
  uint8_t b[4];
  a.to_bytes(b);
  REQUIRE(b[0] == 0x78);
  REQUIRE(b[1] == 0x56);
  REQUIRE(b[2] == 0x34);
  REQUIRE(b[3] == 0x12);
  Fp back;
  REQUIRE(Fp::from_bytes(b, &back));
  REQUIRE(back == a);
  const uint8_t p_bytes[4] = {0x01, 0x00, 0x00, 0x78};
  REQUIRE_FALSE(Fp::from_bytes(p_bytes, &back));
  const uint8_t max_bytes[4] = {0xff, 0xff, 0xff, 0xff};
  REQUIRE_FALSE(Fp::from_bytes(max_bytes, &back));
}

TEST_CASE("31 generates the multiplicative group of order 15 * 2^27", "[field]") {
  const Fp g = zkvm::field::kMultiplicativeGenerator;
  REQUIRE(g.canonical() == 31);
  REQUIRE(g.pow(P - 1) == Fp::one());
  // Order is exactly p-1 iff g^((p-1)/q) != 1 for each prime q | p-1 = 2^27 * 3 * 5.
  for (uint64_t q : {2u, 3u, 5u}) REQUIRE(g.pow((P - 1) / q) != Fp::one());
}

TEST_CASE("two_adic_generator(k) has order exactly 2^k and squares to the previous one",
          "[field]") {
  using zkvm::field::two_adic_generator;
  REQUIRE(two_adic_generator(0) == Fp::one());
  REQUIRE(two_adic_generator(1) == -Fp::one());
  REQUIRE(two_adic_generator(27) == zkvm::field::kMultiplicativeGenerator.pow(15));
  for (unsigned k = 1; k <= 27; ++k) {
    const Fp g = two_adic_generator(k);
    REQUIRE(g.pow(uint64_t{1} << k) == Fp::one());
    REQUIRE(g.pow(uint64_t{1} << (k - 1)) == -Fp::one());  // so the order is not smaller
    REQUIRE(g.square() == two_adic_generator(k - 1));
  }
  REQUIRE(two_adic_generator(28).is_zero());
}

TEST_CASE("batch_inverse matches single inverses, works in place, and names a zero input",
          "[field]") {
  std::mt19937_64 rng(5);
  std::vector<Fp> in(1000);
  for (auto& x : in) {
    do x = rand_fp(rng);
    while (x.is_zero());
  }
  std::vector<Fp> out(in.size());
  zkvm::field::batch_inverse(in, out);
  for (size_t i = 0; i < in.size(); ++i) REQUIRE(out[i] == in[i].inverse());
  std::vector<Fp> inplace = in;
  zkvm::field::batch_inverse(inplace, inplace);
  REQUIRE(inplace == out);
  zkvm::field::batch_inverse(std::span<const Fp>{}, std::span<Fp>{});

  in[417] = Fp::zero();
  REQUIRE_THROWS_WITH(zkvm::field::batch_inverse(in, out),
                      Catch::Contains("element 417 is zero"));
  std::vector<Fp> short_out(3);
  REQUIRE_THROWS_WITH(zkvm::field::batch_inverse(in, short_out),
                      Catch::Contains("output has 3"));

  std::vector<Fp4> in4(100), out4(100);
  for (auto& x : in4) x = rand_fp4(rng);
  zkvm::field::batch_inverse(in4, out4);
  for (size_t i = 0; i < in4.size(); ++i) REQUIRE(out4[i] * in4[i] == Fp4::one());
}

TEST_CASE("x^4 - 11 is irreducible: 11 is a non-square mod p", "[field][fp4]") {
  // p = 1 mod 4, so x^4 - a is irreducible iff a is not a square.
  REQUIRE(P % 4 == 1);
  REQUIRE(Fp::from_canonical(11).pow((P - 1) / 2) == -Fp::one());
}

TEST_CASE("Fp4 reduces x^4 to 11", "[field][fp4]") {
  const Fp4 x = Fp4::x();
  REQUIRE(x * x * x * x == Fp4(Fp::from_canonical(11)));
  REQUIRE(x.pow(4) == Fp4(Fp::from_canonical(11)));
  REQUIRE(x.pow(5) == Fp4::from_base(Fp(), Fp::from_canonical(11), Fp(), Fp()));
  // (x^3)(x^3) = x^6 = 11 x^2
  const Fp4 x3 = Fp4::from_base(Fp(), Fp(), Fp(), Fp::one());
  REQUIRE(x3 * x3 == Fp4::from_base(Fp(), Fp(), Fp::from_canonical(11), Fp()));
}

TEST_CASE("Fp4 multiplication matches schoolbook polynomial product mod x^4 - 11",
          "[field][fp4]") {
  std::mt19937_64 rng(6);
  // Limbs at p-1 maximise the unreduced 64-bit sums; mix them with randoms.
  const Fp big = Fp::from_canonical(static_cast<uint32_t>(P - 1));
  const Fp4 all_big = Fp4::from_base(big, big, big, big);
  for (int t = 0; t < 500; ++t) {
    const Fp4 a = t == 0 ? all_big : rand_fp4(rng);
    const Fp4 b = t < 2 ? all_big : rand_fp4(rng);
    uint64_t prod[7] = {};
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        prod[i + j] = (prod[i + j] + uint64_t{a.c[i].canonical()} * b.c[j].canonical()) % P;
    for (int k = 6; k >= 4; --k) prod[k - 4] = (prod[k - 4] + 11 * prod[k]) % P;
    const Fp4 r = a * b;
    for (int i = 0; i < 4; ++i) REQUIRE(r.c[i].canonical() == prod[i]);
  }
}

TEST_CASE("Fp4 satisfies field laws and embeds Fp", "[field][fp4]") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    const Fp4 a = rand_fp4(rng), b = rand_fp4(rng), c = rand_fp4(rng);
    const Fp s = rand_fp(rng), u = rand_fp(rng);
    REQUIRE(a + b == b + a);
    REQUIRE(a * b == b * a);
    REQUIRE((a * b) * c == a * (b * c));
    REQUIRE(a * (b + c) == a * b + a * c);
    REQUIRE(a - a == Fp4::zero());
    REQUIRE(-a + a == Fp4::zero());
    REQUIRE(a * s == a * Fp4(s));
    REQUIRE(s * a == a * s);
    REQUIRE(Fp4(s) * Fp4(u) == Fp4(s * u));
    REQUIRE(Fp4(s) + Fp4(u) == Fp4(s + u));
    REQUIRE(a + s == a + Fp4(s));
    REQUIRE(a - s == a - Fp4(s));
    REQUIRE(a.pow(3) == a * a * a);
    if (!a.is_zero()) REQUIRE(a * a.inverse() == Fp4::one());
  }
  REQUIRE(Fp4::zero().inverse() == Fp4::zero());
  // Elements with a zero half exercise the norm path separately.
  const Fp4 y = Fp4::from_base(Fp(), Fp(), Fp::one(), Fp());
  REQUIRE(y * y.inverse() == Fp4::one());
  // Frobenius: a^p is a field automorphism; a^(p^4) = a.
  const Fp4 a = rand_fp4(rng);
  REQUIRE(a.pow(P).pow(P).pow(P).pow(P) == a);
  REQUIRE(a.pow(P) != a);
}

TEST_CASE("Fp4 serializes as four canonical Fp encodings", "[field][fp4]") {
  std::mt19937_64 rng(8);
  const Fp4 a = rand_fp4(rng);
  uint8_t b[16];
  a.to_bytes(b);
  Fp4 back;
  REQUIRE(Fp4::from_bytes(b, &back));
  REQUIRE(back == a);
  b[15] = 0xff;  // limb 3 >= p
  REQUIRE_FALSE(Fp4::from_bytes(b, &back));
}

TEST_CASE("Field arithmetic is usable in constant expressions", "[field]") {
  constexpr Fp a = Fp::from_canonical(5) * Fp::from_canonical(7);
  static_assert(a.canonical() == 35);
  static_assert(zkvm::field::two_adic_generator(1).canonical() == P - 1);
  static_assert(Fp::from_canonical(3).inverse() * Fp::from_canonical(3) == Fp::one());
  REQUIRE(a.canonical() == 35);
}

TEST_CASE("RowMajorMatrix rows are contiguous slices and bad shapes are rejected", "[matrix]") {
  zkvm::RowMajorMatrix<Fp> m(3, 4);
  REQUIRE(m.size() == 12);
  for (size_t r = 0; r < 4; ++r)
    for (size_t c = 0; c < 3; ++c) m.at(r, c) = Fp::from_canonical(static_cast<uint32_t>(10 * r + c));
  REQUIRE(m.row(2).size() == 3);
  REQUIRE(m.row(2)[1].canonical() == 21);
  REQUIRE(m.column(2)[3].canonical() == 32);
  std::vector<Fp> v(10);
  REQUIRE_THROWS_WITH((zkvm::RowMajorMatrix<Fp>(v, 3)),
                      Catch::Contains("not a multiple of width 3"));
  zkvm::RowMajorMatrix<Fp> from_vec(std::vector<Fp>(12), 4);
  REQUIRE(from_vec.height == 3);
  REQUIRE_THROWS_AS((zkvm::RowMajorMatrix<Fp>(SIZE_MAX / 2, 3)), std::length_error);
}
