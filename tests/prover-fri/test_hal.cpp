// CPU HAL kernels against their definitions written out directly.
#include <catch2/catch.hpp>

#include <string>

#include "fri_test_util.h"
#include "prover/hal/hal.h"
#include "prover/merkle/merkle.h"

using namespace zkvm;
using field::Fp;
using field::Fp4;
using test::Rng;

TEST_CASE("HAL reduce_rows and column_sums match the scalar definitions at every width") {
  auto hal = hal::make_cpu_hal();
  Rng rng(1);
  for (size_t w : {1u, 7u, 8u, 15u, 16u, 17u, 33u, 64u, 70u}) {
    INFO("width " << w);
    RowMajorMatrix<Fp> m(w, 37);
    for (auto& v : m.values) v = rng.fp();
    std::vector<Fp4> coeffs(w);
    for (auto& c : coeffs) c = rng.fp4();
    std::vector<Fp4> out(m.height);
    hal->reduce_rows(m, coeffs, out);
    for (size_t r = 0; r < m.height; ++r) {
      Fp4 e;
      for (size_t c = 0; c < w; ++c) e += coeffs[c] * m.at(r, c);
      REQUIRE(out[r] == e);
    }
    const size_t rows = 29;
    std::vector<Fp4> wts(rows);
    for (auto& x : wts) x = rng.fp4();
    std::vector<Fp4> sums(w);
    hal->column_sums(m, rows, wts, sums);
    for (size_t c = 0; c < w; ++c) {
      Fp4 e;
      for (size_t r = 0; r < rows; ++r) e += wts[r] * m.at(r, c);
      REQUIRE(sums[c] == e);
    }
  }
}

TEST_CASE("HAL fri_fold by 2^k with betas b_0..b_k-1 equals the codeword of sum_t (prod over bits s of t of b_s) f_t") {
  auto hal = hal::make_cpu_hal();
  Rng rng(2);
  const unsigned n = 8;
  const auto f = test::random_poly(rng, 64);
  const auto cw = test::codeword(f, n);
  for (unsigned k = 0; k <= 4; ++k) {
    INFO("log arity " << k);
    std::vector<Fp4> betas(k);
    for (auto& b : betas) b = rng.fp4();
    const size_t a = size_t{1} << k;
    // g(Y) = sum_t c_t f_t(Y) with f(X) = sum_t X^t f_t(X^a): coefficient i
    // of f goes to coefficient i / a of g with factor c_(i mod a), c_t the
    // product of the betas of the bits set in t.
    std::vector<Fp4> g(f.size() / a + 1);
    for (size_t i = 0; i < f.size(); ++i) {
      Fp4 c = Fp4::one();
      for (unsigned s = 0; s < k; ++s)
        if ((i % a) >> s & 1) c = c * betas[s];
      g[i / a] += c * f[i];
    }
    REQUIRE(hal->fri_fold(cw, betas) == test::codeword(g, n - k));
    // Not the powers of one beta (the former fold) unless the betas are.
    if (k >= 2) {
      std::vector<Fp4> powers(k, betas[0]);
      for (unsigned s = 1; s < k; ++s) powers[s] = powers[s - 1] * powers[s - 1];
      REQUIRE(hal->fri_fold(cw, betas) != hal->fri_fold(cw, powers));
    }
  }
}

TEST_CASE("HAL coset_lde gives the polynomial's values on s*H' in bit-reversed order") {
  auto hal = hal::make_cpu_hal();
  Rng rng(3);
  const unsigned k = 4, lb = 2;
  RowMajorMatrix<Fp> m(3, size_t{1} << k);
  for (auto& v : m.values) v = rng.fp();
  const auto lde = hal->coset_lde(m, lb, field::kMultiplicativeGenerator);
  REQUIRE(lde.height == (size_t{1} << (k + lb)));
  // Row i holds f(s * g'^rev(i)). Interpolating the first 2^k rows (the
  // points of s*H) and evaluating at h_j must give back the input f(h_j).
  const Fp s = field::kMultiplicativeGenerator;
  const Fp g = field::two_adic_generator(k + lb);
  for (size_t c = 0; c < 3; ++c) {
    for (size_t j : {0u, 5u, 15u}) {
      const Fp hj = field::two_adic_generator(k).pow(j);
      Fp4 acc;
      const size_t n = size_t{1} << k;
      for (size_t i = 0; i < n; ++i) {
        const Fp xi = s * g.pow(fri::reverse_bits(i, k + lb));
        Fp num = Fp::one(), den = Fp::one();
        for (size_t t = 0; t < n; ++t) {
          if (t == i) continue;
          const Fp xt = s * g.pow(fri::reverse_bits(t, k + lb));
          num *= hj - xt;
          den *= xi - xt;
        }
        acc += Fp4(lde.at(i, c) * num * den.inverse());
      }
      REQUIRE(acc == Fp4(m.at(j, c)));
    }
  }
}

TEST_CASE("HAL inverse_differences equals scale / (x - z) and refuses x == z") {
  auto hal = hal::make_cpu_hal();
  Rng rng(5);
  std::vector<Fp> xs(100);
  for (auto& x : xs) x = rng.fp();
  for (int trial = 0; trial < 3; ++trial) {
    const Fp4 z = trial == 2 ? Fp4(rng.fp()) : rng.fp4();  // also a base-field z
    const Fp4 scale = rng.fp4();
    std::vector<Fp4> out(xs.size());
    hal->inverse_differences(xs, z, scale, out);
    for (size_t i = 0; i < xs.size(); ++i) REQUIRE(out[i] == scale * (Fp4(xs[i]) - z).inverse());
  }
  std::vector<Fp4> out(xs.size());
  REQUIRE_THROWS_WITH(hal->inverse_differences(xs, Fp4(xs[7]), Fp4::one(), out),
                      Catch::Contains("a point equals z"));
}

namespace {
// A backend that corrupts one output element of one kernel.
class FaultyHal final : public hal::Hal {
 public:
  explicit FaultyHal(const char* kernel) : inner_(hal::make_cpu_hal()), kernel_(kernel) {}
  std::string_view name() const override { return "faulty"; }
  RowMajorMatrix<Fp> coset_lde(const RowMajorMatrix<Fp>& e, unsigned lb, Fp s) override {
    auto m = inner_->coset_lde(e, lb, s);
    if (kernel_ == "coset_lde") m.at(5, 1) += Fp::one();
    return m;
  }
  std::unique_ptr<merkle::MerkleTree> merkle_commit(std::vector<RowMajorMatrix<Fp>> mats,
                                                    std::vector<uint8_t> salts,
                                                    size_t salt_len) override {
    if (kernel_ == "merkle_commit") mats[0].at(3, 0) += Fp::one();
    if (kernel_ == "salts") salts.at(0) ^= 1;
    return inner_->merkle_commit(std::move(mats), std::move(salts), salt_len);
  }
  std::vector<Fp4> fri_fold(std::span<const Fp4> cw, std::span<const Fp4> betas) override {
    auto v = inner_->fri_fold(cw, betas);
    if (kernel_ == "fri_fold") v[2] += Fp4(Fp::one());
    return v;
  }
  void reduce_rows(const RowMajorMatrix<Fp>& m, std::span<const Fp4> c, std::span<Fp4> out) override {
    inner_->reduce_rows(m, c, out);
  }
  void column_sums(const RowMajorMatrix<Fp>& m, size_t rows, std::span<const Fp4> w,
                   std::span<Fp4> out) override {
    inner_->column_sums(m, rows, w, out);
  }
  void batch_inverse(std::span<const Fp4> in, std::span<Fp4> out) override {
    inner_->batch_inverse(in, out);
  }
  void inverse_differences(std::span<const Fp> xs, const Fp4& z, const Fp4& scale,
                           std::span<Fp4> out) override {
    inner_->inverse_differences(xs, z, scale, out);
  }

 private:
  std::unique_ptr<hal::Hal> inner_;
  std::string kernel_;
};
}  // namespace

TEST_CASE("dual HAL agrees with itself and names the first differing row and column") {
  Rng rng(4);
  RowMajorMatrix<Fp> m(3, 16);
  for (auto& v : m.values) v = rng.fp();
  auto same = hal::make_dual_hal(hal::make_cpu_hal(), hal::make_cpu_hal());
  REQUIRE(same->coset_lde(m, 1, field::kMultiplicativeGenerator) ==
          hal::make_cpu_hal()->coset_lde(m, 1, field::kMultiplicativeGenerator));
  REQUIRE_NOTHROW(same->merkle_commit({m}, {}, 0));

  auto bad_lde = hal::make_dual_hal(hal::make_cpu_hal(), std::make_unique<FaultyHal>("coset_lde"));
  REQUIRE_THROWS_WITH(bad_lde->coset_lde(m, 1, field::kMultiplicativeGenerator),
                      Catch::Contains("dual(cpu, faulty): coset_lde: backends differ at row 5 column 1"));
  auto bad_tree = hal::make_dual_hal(hal::make_cpu_hal(), std::make_unique<FaultyHal>("merkle_commit"));
  REQUIRE_THROWS_WITH(bad_tree->merkle_commit({m}, {}, 0), Catch::Contains("merkle_commit: backends differ at leaf 3"));
  std::vector<Fp4> cw(32);
  for (auto& v : cw) v = rng.fp4();
  auto bad_fold = hal::make_dual_hal(hal::make_cpu_hal(), std::make_unique<FaultyHal>("fri_fold"));
  REQUIRE_THROWS_WITH(bad_fold->fri_fold(cw, std::vector<Fp4>{rng.fp4(), rng.fp4()}), Catch::Contains("fri_fold: backends differ at row 2"));
  // commit_ldes (the Hal default on both sides here): the LDEs are
  // compared, then the roots.
  const Fp g = field::kMultiplicativeGenerator;
  REQUIRE_NOTHROW(same->commit_ldes({m}, 1, g, {}, 0));
  REQUIRE_THROWS_WITH(bad_lde->commit_ldes({m}, 1, g, {}, 0),
                      Catch::Contains("commit_ldes: backends differ at row 5 column 1"));
  auto bad_salt = hal::make_dual_hal(hal::make_cpu_hal(), std::make_unique<FaultyHal>("salts"));
  REQUIRE_THROWS_WITH(bad_salt->commit_ldes({m}, 1, g, std::vector<uint8_t>(16 * 32), 16),
                      Catch::Contains("commit_ldes: backends differ at leaf 0"));
}
