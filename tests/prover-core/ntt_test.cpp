#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "prover/field/packed.h"
#include "prover/ntt/ntt.h"

using zkvm::RowMajorMatrix;
using zkvm::field::Fp;
using zkvm::field::two_adic_generator;
using namespace zkvm::ntt;

namespace {
RowMajorMatrix<Fp> random_matrix(size_t width, size_t height, std::mt19937_64& rng) {
  RowMajorMatrix<Fp> m(width, height);
  for (auto& v : m.values) v = Fp::from_u64(rng());
  return m;
}
// Column c of a coefficient matrix evaluated at x by Horner.
Fp eval_column(const RowMajorMatrix<Fp>& coeffs, size_t c, Fp x) {
  Fp acc;
  for (size_t i = coeffs.height; i-- > 0;) acc = acc * x + coeffs.at(i, c);
  return acc;
}
unsigned log2_exact(size_t n) { return static_cast<unsigned>(std::countr_zero(n)); }
}  // namespace

TEST_CASE("reverse_bits reverses the low bits", "[ntt]") {
  REQUIRE(reverse_bits(0b0001, 4) == 0b1000);
  REQUIRE(reverse_bits(0b0110, 4) == 0b0110);
  REQUIRE(reverse_bits(0b1011, 4) == 0b1101);
  REQUIRE(reverse_bits(1, 1) == 1);
  REQUIRE(reverse_bits(0, 0) == 0);
  REQUIRE(reverse_bits(1, 40) == (size_t{1} << 39));
}

TEST_CASE("bit_reverse_rows moves row i to row rev(i) for narrow and wide rows", "[ntt]") {
  std::mt19937_64 rng(30);
  // Narrow rows take the tile-copy path, wide ones the tile-swap path; the
  // sizes give single and multiple tiles, self-paired and paired ones.
  for (unsigned log_n : {0u, 1u, 2u, 5u, 9u, 13u, 16u}) {
    for (size_t w : {1, 2, 3, 8, 16, 20}) {
      const size_t n = size_t{1} << log_n;
      const auto orig = random_matrix(w, n, rng);
      auto m = orig;
      bit_reverse_rows(m);
      INFO("log height " << log_n << " width " << w);
      bool all_equal = true;
      for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < w; ++c)
          all_equal = all_equal && m.at(reverse_bits(i, log_n), c) == orig.at(i, c);
      REQUIRE(all_equal);
    }
  }
}

TEST_CASE("ntt_forward matches the naive O(n^2) DFT for every ISA, width and small height",
          "[ntt]") {
  std::mt19937_64 rng(31);
  for (Isa isa : available_isas()) {
    for (size_t n : {1, 2, 4, 8, 32, 64}) {
      for (size_t w : {1, 2, 3, 7, 8, 12, 16, 17, 31, 40}) {
        INFO(isa_name(isa) << " height " << n << " width " << w);
        const auto coeffs = random_matrix(w, n, rng);
        auto m = coeffs;
        ntt_forward(m, isa);
        const Fp g = two_adic_generator(log2_exact(n));
        for (size_t k = 0; k < n; ++k)
          for (size_t c = 0; c < w; ++c) REQUIRE(m.at(k, c) == eval_column(coeffs, c, g.pow(k)));
      }
    }
  }
}

TEST_CASE("ntt_inverse undoes ntt_forward, and SIMD paths equal the scalar path", "[ntt]") {
  std::mt19937_64 rng(32);
  // 2^14 x 8, 2^11 x 300, 2^17 x 16, 2^16 x 20 and 2^13 x 100 exceed the
  // 256 KiB block, exercising the streaming layers (radix 2 and 4, with and
  // without a column tail) as well as the blocked ones.
  for (auto [log_n, w] : {std::pair<unsigned, size_t>{0, 5}, {1, 1}, {7, 1}, {12, 1},
                          {10, 24}, {14, 8}, {11, 300}, {13, 2}, {12, 4}, {9, 3},
                          {17, 16}, {16, 20}, {13, 100},
                          // Narrow widths that are not powers of two (the
                          // period path) and wider ones with a column tail
                          // (the overlapping last vector), streaming too.
                          {12, 12}, {15, 12}, {11, 7}, {16, 7}, {13, 19}, {15, 34}, {10, 6}, {11, 9}}) {
    const auto orig = random_matrix(w, size_t{1} << log_n, rng);
    auto ref = orig;
    ntt_forward(ref, Isa::Scalar);
    for (Isa isa : available_isas()) {
      INFO(isa_name(isa) << " log height " << log_n << " width " << w);
      auto m = orig;
      ntt_forward(m, isa);
      REQUIRE(m == ref);
      ntt_inverse(m, isa);
      REQUIRE(m == orig);
    }
    // Spot-check the large transforms against direct evaluation.
    const Fp g = two_adic_generator(log_n);
    const size_t n = size_t{1} << log_n;
    for (size_t k : {size_t{0}, size_t{1} % n, n - 1, size_t{5} % n, (n / 2 + 3) % n})
      REQUIRE(ref.at(k, w - 1) == eval_column(orig, w - 1, g.pow(k)));
  }
}

TEST_CASE("coset_ntt evaluates on shift*H and coset_intt inverts it", "[ntt]") {
  std::mt19937_64 rng(33);
  const Fp shift = zkvm::field::kMultiplicativeGenerator;
  for (size_t w : {1, 20}) {
    const auto coeffs = random_matrix(w, 64, rng);
    auto m = coeffs;
    coset_ntt(m, shift);
    const Fp g = two_adic_generator(6);
    for (size_t k = 0; k < 64; ++k) REQUIRE(m.at(k, 0) == eval_column(coeffs, 0, shift * g.pow(k)));
    coset_intt(m, shift);
    REQUIRE(m == coeffs);
  }
  RowMajorMatrix<Fp> m(1, 4);
  REQUIRE_THROWS_WITH(coset_intt(m, Fp::zero()), Catch::Contains("shift is zero"));
}

TEST_CASE("coset_lde matches direct evaluation at the coset points for blowups 1..3",
          "[ntt]") {
  std::mt19937_64 rng(34);
  const Fp shift = zkvm::field::kMultiplicativeGenerator;
  for (Isa isa : available_isas()) {
    for (unsigned log_n : {0u, 1u, 3u, 6u}) {
      for (size_t w : {1, 5, 16, 33}) {
        const size_t n = size_t{1} << log_n;
        const auto coeffs = random_matrix(w, n, rng);
        RowMajorMatrix<Fp> evals(w, n);
        const Fp g = two_adic_generator(log_n);
        for (size_t k = 0; k < n; ++k)
          for (size_t c = 0; c < w; ++c) evals.at(k, c) = eval_column(coeffs, c, g.pow(k));
        for (unsigned lb : {0u, 1u, 2u, 3u}) {
          for (bool brev : {false, true}) {
            INFO(isa_name(isa) << " log n " << log_n << " width " << w << " log blowup " << lb
                               << " bit-reversed " << brev);
            const auto lde = coset_lde(evals, lb, shift, brev, isa);
            REQUIRE(lde.height == n << lb);
            REQUIRE(lde.width == w);
            const Fp gb = two_adic_generator(log_n + lb);
            for (size_t i = 0; i < lde.height; ++i) {
              const size_t e = brev ? reverse_bits(i, log_n + lb) : i;
              const Fp x = shift * gb.pow(e);
              for (size_t c = 0; c < w; ++c) REQUIRE(lde.at(i, c) == eval_column(coeffs, c, x));
            }
          }
        }
      }
    }
  }
}

TEST_CASE("coset_lde of a large matrix agrees across ISAs and at sampled points", "[ntt]") {
  std::mt19937_64 rng(35);
  const auto evals = random_matrix(16, size_t{1} << 13, rng);
  auto coeffs = evals;
  ntt_inverse(coeffs);
  const Fp shift = Fp::from_canonical(7);
  const auto ref = coset_lde(evals, 2, shift, true, Isa::Scalar);
  for (Isa isa : available_isas()) REQUIRE(coset_lde(evals, 2, shift, true, isa) == ref);
  const Fp gb = two_adic_generator(15);
  for (size_t i : {size_t{0}, size_t{1}, size_t{12345}, (size_t{1} << 15) - 1})
    REQUIRE(ref.at(i, 3) == eval_column(coeffs, 3, shift * gb.pow(reverse_bits(i, 15))));
}

TEST_CASE("NTT rejects heights that are not powers of two or exceed 2^27, and inconsistent shapes", "[ntt]") {
  RowMajorMatrix<Fp> m(2, 12);
  REQUIRE_THROWS_WITH(ntt_forward(m), Catch::Contains("height 12 is not a power of two"));
  RowMajorMatrix<Fp> empty(2, 0);
  REQUIRE_THROWS_WITH(ntt_inverse(empty), Catch::Contains("height 0"));
  RowMajorMatrix<Fp> short_values(4, 8);
  short_values.values.pop_back();
  REQUIRE_THROWS_WITH(ntt_forward(short_values), Catch::Contains("holds 31 values, expected width 4 x height 8"));
  REQUIRE_THROWS_WITH(coset_lde(short_values, 1, Fp::one(), true), Catch::Contains("holds 31 values"));
  RowMajorMatrix<Fp> ok(1, 1u << 20);
  REQUIRE_THROWS_WITH(coset_lde(ok, 8, Fp::one(), false), Catch::Contains("exceeds the field's two-adicity"));
}

TEST_CASE("packed field lanes match scalar add, sub and mul", "[field][simd]") {
  std::mt19937_64 rng(36);
  std::vector<Fp> a(4096), b(4096);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = Fp::from_u64(rng());
    b[i] = Fp::from_u64(rng());
  }
  // Edge values near 0 and p in the first lanes.
  const uint32_t edges[] = {0, 1, Fp::kModulus - 1, Fp::kModulus - 2, Fp::kModulus / 2, 2};
  for (size_t i = 0; i < 6; ++i)
    for (size_t j = 0; j < 6; ++j) {
      a[i * 6 + j] = Fp::from_canonical(edges[i]);
      b[i * 6 + j] = Fp::from_canonical(edges[j]);
    }
  [[maybe_unused]] auto check = [&](auto tag) {
    using P = decltype(tag);
    std::vector<Fp> s(P::kLanes), d(P::kLanes), p(P::kLanes), pb(P::kLanes);
    for (size_t i = 0; i + P::kLanes <= a.size(); i += P::kLanes) {
      const auto x = P::load(&a[i]), y = P::load(&b[i]);
      P::store(s.data(), P::add(x, y));
      P::store(d.data(), P::sub(x, y));
      P::store(p.data(), P::mul(x, y));
      P::store(pb.data(), P::mul_bcast(x, P::broadcast(b[i])));
      for (size_t l = 0; l < P::kLanes; ++l) {
        REQUIRE(s[l] == a[i + l] + b[i + l]);
        REQUIRE(d[l] == a[i + l] - b[i + l]);
        REQUIRE(p[l] == a[i + l] * b[i + l]);
        REQUIRE(pb[l] == a[i + l] * b[i]);
      }
    }
  };
  size_t paths = 0;
#if defined(ZKVM_HAVE_AVX2)
  check(zkvm::field::packed::Avx2{});
  ++paths;
#endif
#if defined(ZKVM_HAVE_AVX512)
  check(zkvm::field::packed::Avx512{});
  ++paths;
#endif
  REQUIRE(paths + 1 == available_isas().size());
}
