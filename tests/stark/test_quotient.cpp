// The quotient pipeline without the PCS: kernel on the LDE coset, chunk
// split, then the verifier's identity at an out-of-domain point, computed
// by direct interpolation. Pins the prover/verifier algebra (selectors,
// next-row indexing in bit-reversed order, chunk recombination).
#include <catch2/catch.hpp>

#include "cuda/emulate.h"
#include "prover/air/examples.h"
#include "prover/fri/fold.h"
#include "prover/hal/quotient.h"
#include "prover/ntt/ntt.h"
#include "prover/stark/quotient_split.h"

using namespace zkvm;
using namespace zkvm::air;

namespace {

const Fp kShift = field::kMultiplicativeGenerator;

// Q's values on the coset s H (bit-reversed rows, as the kernel returns
// them) from its coefficients (4 columns, one Fp4 coordinate each).
std::vector<Fp4> coset_values(RowMajorMatrix<Fp> qc) {
  ntt::coset_ntt(qc, kShift);
  ntt::bit_reverse_rows(qc);
  std::vector<Fp4> q(qc.height);
  for (size_t p = 0; p < q.size(); ++p) q[p] = Fp4::from_base(qc.at(p, 0), qc.at(p, 1), qc.at(p, 2), qc.at(p, 3));
  return q;
}

std::vector<Fp4> eval_at(const RowMajorMatrix<Fp>& evals_on_h, const Fp4& z) {
  auto c = evals_on_h;
  ntt::ntt_inverse(c);
  std::vector<Fp4> out(c.width);
  for (size_t col = 0; col < c.width; ++col) {
    Fp4 acc;
    for (size_t r = c.height; r-- > 0;) acc = acc * z + Fp4(c.at(r, col));
    out[col] = acc;
  }
  return out;
}

std::vector<Fp4> powers(const Fp4& a, size_t n) {
  std::vector<Fp4> p(n);
  Fp4 cur = Fp4::one();
  for (auto& x : p) {
    x = cur;
    cur *= a;
  }
  return p;
}

// Returns lhs - rhs of the verifier's identity at zeta (zero when the
// trace satisfies the AIR).
Fp4 identity_gap(const Air& air, const RowMajorMatrix<Fp>& trace, std::vector<Fp> publics) {
  const AirShape shape = analyse(air);
  unsigned log_n = 0;
  while ((size_t{1} << log_n) < trace.height) ++log_n;
  const auto lde = ntt::coset_lde(trace, 2, kShift, true);
  const Fp4 alpha = Fp4::from_base(Fp::from_u64(3), Fp::from_u64(1), Fp::from_u64(4), Fp::from_u64(1));
  const auto ap = powers(alpha, shape.num_constraints);
  const std::vector<Fp4> bp{Fp4::one()};
  hal::QuotientInputs in;
  in.air = &air;
  in.log_n = log_n;
  in.log_chunks = shape.log_quotient_chunks;
  in.shift = kShift;
  in.main = &lde;
  in.publics = publics;
  in.alpha_pows = ap;
  in.beta_pows = bp;
  auto q = hal::make_cpu_quotient_kernel()->evaluate(in);
  auto chunks = stark::split_quotient(q, log_n, shape.log_quotient_chunks, kShift);

  const Fp4 zeta = Fp4::from_base(Fp::from_u64(5), Fp::from_u64(7), Fp::from_u64(11), Fp::from_u64(13));
  const Fp g = field::two_adic_generator(log_n);
  const auto local = eval_at(trace, zeta), next = eval_at(trace, zeta * g);
  PointBuilder b;
  b.local = local;
  b.next = next;
  b.publics = publics;
  b.alpha_pows = ap;
  b.beta_pows = bp;
  const Fp4 zh = zeta.pow(trace.height) - Fp4::one();
  const Fp g_inv = g.inverse();
  b.sel_first = zh * (zeta - Fp4::one()).inverse();
  b.sel_last = zh * (zeta - Fp4(g_inv)).inverse();
  b.sel_transition = zeta - Fp4(g_inv);
  b.reset();
  air.eval(b);
  const auto qv = eval_at(chunks, zeta);
  Fp4 qz, zc = Fp4::one();
  const Fp4 x = Fp4::x();
  for (size_t c = 0; c < shape.quotient_chunks(); ++c) {
    qz += zc * (qv[4 * c] + x * qv[4 * c + 1] + x * x * qv[4 * c + 2] + x * x * x * qv[4 * c + 3]);
    zc *= zeta.pow(trace.height);
  }
  return b.acc - zh * qz;
}

}  // namespace

TEST_CASE("quotient of a valid Fibonacci trace satisfies the identity at an outside point") {
  examples::FibonacciAir air;
  auto t = examples::fibonacci_trace(32, Fp::one(), Fp::one());
  CHECK(identity_gap(air, t, {t.at(0, 0), t.at(0, 1), t.at(31, 1)}).is_zero());
}

TEST_CASE("quotient of a valid degree-3 trace satisfies the identity with two chunks") {
  examples::SyntheticAir air(6);
  auto t = examples::synthetic_trace(6, 64, 3);
  REQUIRE(analyse(air).quotient_chunks() == 2);
  CHECK(identity_gap(air, t, {t.at(0, 0)}).is_zero());
}

TEST_CASE("quotient identity fails at an outside point for a trace with one wrong cell") {
  examples::SyntheticAir air(3);
  auto good = examples::synthetic_trace(3, 16, 9);
  for (size_t r = 0; r < 16; ++r) {
    auto t = good;
    t.at(r, 1) += Fp::one();
    INFO("row " << r);
    CHECK_FALSE(identity_gap(air, t, {t.at(0, 0)}).is_zero());
  }
  examples::FibonacciAir fib;
  auto f = examples::fibonacci_trace(8, Fp::one(), Fp::one());
  CHECK_FALSE(identity_gap(fib, f, {f.at(0, 0), f.at(0, 1), f.at(7, 1) + Fp::one()}).is_zero());
}

namespace {

RowMajorMatrix<Fp> random_matrix(size_t w, size_t h, uint64_t seed) {
  RowMajorMatrix<Fp> m(w, h);
  uint64_t s = seed;
  for (auto& v : m.values) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    v = Fp::from_u64(s >> 33);
  }
  return m;
}

// Runs both CPU kernels (SIMD blocks and scalar rows) and the emulated
// device kernel (the recorded program, cuda/kernels/quotient_kernels.h) on
// random LDE data and returns whether they agree on every row
// (dual-backend style check). zk_rows, the LogUp mask and a row subset
// switch on what the zk prover uses.
struct KernelCase {
  size_t zk_rows = 0;
  bool logup_mask = false;
  bool half_rows = false;
};
bool kernels_agree(const Air& air, unsigned log_n, size_t num_pub, KernelCase kc = {}) {
  const AirShape shape = analyse(air);
  const size_t big = size_t{1} << (log_n + shape.log_quotient_chunks);
  const auto main = random_matrix(air.width() + (kc.logup_mask ? 4 : 0), big, 1);
  const auto pre = random_matrix(air.preprocessed_width(), big, 2);
  const auto aux = random_matrix(4 * shape.aux_width(), big, 3);
  const std::vector<Fp> pubs(num_pub, Fp::from_u64(77));
  const Fp4 a = Fp4::from_base(Fp::from_u64(9), Fp::from_u64(8), Fp::from_u64(7), Fp::from_u64(6));
  const auto ap = powers(a, shape.num_constraints);
  const auto bp = powers(a * a, shape.max_tuple_len + 1);
  hal::QuotientInputs in;
  in.air = &air;
  in.log_n = log_n;
  in.log_chunks = shape.log_quotient_chunks;
  in.shift = kShift;
  in.main = &main;
  if (air.preprocessed_width() > 0) in.pre = &pre;
  if (shape.aux_width() > 0) in.aux = &aux;
  in.publics = pubs;
  in.logup_alpha = a + Fp4::one();
  in.cumsum = a * a * a;
  in.alpha_pows = ap;
  in.beta_pows = bp;
  in.logup_groups = shape.logup_groups;
  in.zk_rows = kc.zk_rows;
  in.logup_mask = kc.logup_mask;
  in.logup_mask_col = air.width();
  std::vector<size_t> rows;
  if (kc.half_rows) {
    rows = stark::half_coset_rows(log_n + shape.log_quotient_chunks, 8);
    in.rows = rows;
  }
  const auto packed = hal::make_cpu_quotient_kernel(true)->evaluate(in);
  const auto scalar = hal::make_cpu_quotient_kernel(false)->evaluate(in);
  auto emu = gpu::make_emulated_hal();
  const auto device = hal::make_hal_quotient_kernel(*emu)->evaluate(in);
  if (packed != scalar || device != scalar) return false;
  // (The prover halves only cosets of at least 2n points.)
  if (!kc.half_rows || shape.log_quotient_chunks == 0) return true;
  // What the prover does once the LDEs keep only their first half: that
  // half as the coset of half the size (one chunk bit less), then the
  // other points from their gathered rows.
  const unsigned log_big = log_n + shape.log_quotient_chunks;
  const size_t half = big / 2;
  auto first_half = [&](const RowMajorMatrix<Fp>& m) {
    return RowMajorMatrix<Fp>(std::vector<Fp>(m.values.begin(), m.values.begin() + static_cast<ptrdiff_t>(half * m.width)),
                              m.width);
  };
  const auto main_h = first_half(main), pre_h = first_half(pre), aux_h = first_half(aux);
  hal::QuotientInputs head = in;
  head.rows = {};
  head.log_chunks = shape.log_quotient_chunks - 1;
  head.main = &main_h;
  if (in.pre) head.pre = &pre_h;
  if (in.aux) head.aux = &aux_h;
  auto got = hal::make_cpu_quotient_kernel(true)->evaluate(head);
  const auto head_dev = hal::make_hal_quotient_kernel(*emu)->evaluate(head);
  const std::span<const size_t> extra(rows.begin() + static_cast<ptrdiff_t>(half), rows.end());
  const auto main_g = stark::gather_quotient_rows(main, extra, log_big, shape.log_quotient_chunks);
  const auto pre_g = stark::gather_quotient_rows(pre, extra, log_big, shape.log_quotient_chunks);
  const auto aux_g = stark::gather_quotient_rows(aux, extra, log_big, shape.log_quotient_chunks);
  hal::QuotientInputs tail = in;
  tail.rows = extra;
  tail.gathered = true;
  tail.main = &main_g;
  if (in.pre) tail.pre = &pre_g;
  if (in.aux) tail.aux = &aux_g;
  const auto tail_packed = hal::make_cpu_quotient_kernel(true)->evaluate(tail);
  const auto tail_scalar = hal::make_cpu_quotient_kernel(false)->evaluate(tail);
  if (tail_packed != tail_scalar) return false;
  if (!std::equal(head_dev.begin(), head_dev.end(), got.begin(), got.end())) return false;
  got.insert(got.end(), tail_packed.begin(), tail_packed.end());
  return got == scalar;
}

}  // namespace

TEST_CASE("SIMD, scalar and emulated device quotient kernels agree on every row, LogUp and preprocessed columns included") {
  CHECK(kernels_agree(examples::FibonacciAir(), 6, 3));
  CHECK(kernels_agree(examples::SyntheticAir(5), 5, 1));
  CHECK(kernels_agree(examples::ByteValuesAir(), 5, 0));
  CHECK(kernels_agree(examples::ByteTableAir(), 8, 0));
  // What the zk prover adds: random rows (V_R factor), the LogUp sum mask
  // columns, and the half-coset row subset.
  CHECK(kernels_agree(examples::ByteValuesAir(), 6, 0, {.zk_rows = 5, .logup_mask = true}));
  REQUIRE(analyse(examples::SyntheticAir(5)).log_quotient_chunks >= 1);  // so the halved coset is checked too
  CHECK(kernels_agree(examples::SyntheticAir(5), 6, 1, {.zk_rows = 3, .half_rows = true}));
  CHECK(kernels_agree(examples::ByteTableAir(), 8, 0, {.zk_rows = 7, .logup_mask = true, .half_rows = true}));
}

TEST_CASE("gathered quotient rows: the next row is the one a chunk step away, and a wrong row changes the result") {
  const examples::SyntheticAir air(5);
  const AirShape shape = analyse(air);
  const unsigned log_n = 6, log_big = log_n + shape.log_quotient_chunks;
  const auto main = random_matrix(air.width(), size_t{1} << log_big, 4);
  const std::vector<size_t> rows = {1, 5};
  const auto g = stark::gather_quotient_rows(main, rows, log_big, shape.log_quotient_chunks);
  REQUIRE(g.height == 4);
  for (size_t k = 0; k < rows.size(); ++k) {
    const uint64_t i = fri::reverse_bits(rows[k], log_big);
    const uint64_t pn = fri::reverse_bits(i + (uint64_t{1} << shape.log_quotient_chunks), log_big);
    CHECK(std::equal(g.row(2 * k).begin(), g.row(2 * k).end(), main.row(rows[k]).begin()));
    CHECK(std::equal(g.row(2 * k + 1).begin(), g.row(2 * k + 1).end(), main.row(pn).begin()));
  }
  // The kernel reads rows 2k and 2k + 1 and nothing else: swapping a
  // point's two rows changes its value.
  const Fp4 a = Fp4::from_base(Fp::from_u64(2), Fp::from_u64(3), Fp::from_u64(5), Fp::from_u64(7));
  const auto ap = powers(a, shape.num_constraints);
  const std::vector<Fp> pubs(1, Fp::from_u64(4));
  hal::QuotientInputs in;
  in.air = &air;
  in.log_n = log_n;
  in.log_chunks = shape.log_quotient_chunks;
  in.shift = kShift;
  in.publics = pubs;
  in.alpha_pows = ap;
  in.rows = rows;
  in.main = &main;
  const auto direct = hal::make_cpu_quotient_kernel(false)->evaluate(in);
  in.main = &g;
  in.gathered = true;
  CHECK(hal::make_cpu_quotient_kernel(false)->evaluate(in) == direct);
  auto swapped = g;
  std::swap_ranges(swapped.row(0).begin(), swapped.row(0).end(), swapped.row(1).begin());
  in.main = &swapped;
  CHECK(hal::make_cpu_quotient_kernel(false)->evaluate(in)[0] != direct[0]);
  // Too few gathered rows, gathered rows without the rows, and the device
  // kernel are refused.
  const RowMajorMatrix<Fp> short_g(air.width(), 3);
  in.main = &short_g;
  CHECK_THROWS_WITH(hal::make_cpu_quotient_kernel(false)->evaluate(in), Catch::Contains("has 3 rows, need 4"));
  in.main = &g;
  auto emu = gpu::make_emulated_hal();
  CHECK_THROWS_WITH(hal::make_hal_quotient_kernel(*emu)->evaluate(in), Catch::Contains("for the CPU kernel"));
  in.rows = {};
  CHECK_THROWS_WITH(hal::make_cpu_quotient_kernel(false)->evaluate(in), Catch::Contains("without the rows"));
  CHECK_THROWS_WITH(stark::gather_quotient_rows(main, std::vector<size_t>{size_t{1} << log_big}, log_big, 1),
                    Catch::Contains("not in the LDE"));
}

TEST_CASE("the recorded quotient program keeps only what the result reads and refuses a table past the slot limit") {
  const examples::SyntheticAir air(5);
  const AirShape shape = analyse(air);
  const Fp4 a = Fp4::from_base(Fp::from_u64(2), Fp::from_u64(3), Fp::from_u64(5), Fp::from_u64(7));
  const auto ap = powers(a, shape.num_constraints);
  const std::vector<Fp> pubs(1, Fp::from_u64(4));
  const RowMajorMatrix<Fp> main(air.width() + 40, 1);  // columns the AIR never reads
  hal::QuotientInputs pi;
  pi.air = &air;
  pi.main = &main;
  pi.publics = pubs;
  pi.alpha_pows = ap;
  const auto p = hal::compile_quotient_program(pi);
  for (const auto& ins : p.code) CHECK((ins.op != hal::QOp::Main || ins.a < air.width()));
  CHECK(p.slots < air.width() + 8);
  CHECK(p.slots <= hal::QuotientProgram::kMaxSlots);
  // Rec outside a recording is a logic error, not a silent value.
  CHECK_THROWS_WITH(air::Rec::leaf(hal::QOp::Main, 0), Catch::Contains("no recording active"));
  // A table that needs more slots than a device thread has is refused by
  // name (budget lowered to below what this one needs).
  CHECK_THROWS_WITH(hal::compile_quotient_program(pi, p.slots - 1),
                    Catch::Contains("table 'synthetic-5' needs " + std::to_string(p.slots) + " slots, more than " +
                                    std::to_string(p.slots - 1)));
}

TEST_CASE("zero-knowledge quotient chunks recombine to Q, differ from the plain chunks, and need all their randomness") {
  const unsigned log_n = 3, log_domain = 2;
  const size_t n = size_t{1} << log_n, k = 3, m = 5;
  // Q of degree < k n: coefficients, then its values on the coset.
  RowMajorMatrix<Fp> qc(4, n << log_domain);
  for (size_t j = 0; j < k * n; ++j)
    for (size_t i = 0; i < 4; ++i) qc.at(j, i) = Fp::from_u64(31 * j + 7 * i + 1);
  const std::vector<Fp4> q = coset_values(qc);
  std::vector<Fp> rnd(4 * (k - 1) * m);
  for (size_t i = 0; i < rnd.size(); ++i) rnd[i] = Fp::from_u64(1000003 * i + 17);
  const auto plain = stark::split_quotient(q, log_n, log_domain, kShift);  // 4 chunks, the last zero
  const auto zk = stark::split_quotient_zk(q, log_n, log_domain, k, n, m, kShift, rnd);
  REQUIRE(zk.height == 2 * n);
  REQUIRE(zk.width == 4 * k);
  const Fp4 z = Fp4::from_base(Fp::from_u64(9), Fp::from_u64(2), Fp::from_u64(4), Fp::from_u64(6));
  auto recombine = [&](const RowMajorMatrix<Fp>& chunks, size_t count) {
    const auto v = eval_at(chunks, z);
    const Fp4 x = Fp4::x(), zn = z.pow(n);
    Fp4 acc, zc = Fp4::one();
    for (size_t c = 0; c < count; ++c) {
      acc += zc * (v[4 * c] + x * v[4 * c + 1] + x * x * v[4 * c + 2] + x * x * x * v[4 * c + 3]);
      zc *= zn;
    }
    return acc;
  };
  CHECK(recombine(zk, k) == recombine(plain, 4));
  // Every chunk is changed by the randomness (at z).
  const auto vp = eval_at(plain, z), vz = eval_at(zk, z);
  for (size_t c = 0; c < k; ++c) {
    INFO("chunk " << c);
    CHECK(vp[4 * c] != vz[4 * c]);
  }
  // Zero randomness gives the plain chunks (extended to 2n rows).
  const auto zero = stark::split_quotient_zk(q, log_n, log_domain, k, n, m, kShift, std::vector<Fp>(rnd.size()));
  const auto v0 = eval_at(zero, z);
  for (size_t j = 0; j < 4 * k; ++j) CHECK(v0[j] == vp[j]);
  CHECK_THROWS_WITH(stark::split_quotient_zk(q, log_n, log_domain, k, n, m, kShift, std::vector<Fp>(3)),
                    Catch::Contains("random values"));
  CHECK_THROWS_WITH(stark::split_quotient_zk(q, log_n, log_domain, 5, n, m, kShift, rnd), Catch::Contains("do not fit"));
}

TEST_CASE("random-row quotient chunks: stride n - m, committed at n rows, recombine to Q") {
  const unsigned log_n = 4, log_domain = 2;
  const size_t n = size_t{1} << log_n, m = 5, stride = n - m, k = 5;  // degree < k (n - m) = 55 < 4n
  RowMajorMatrix<Fp> qc(4, n << log_domain);
  for (size_t j = 0; j < k * stride; ++j)
    for (size_t i = 0; i < 4; ++i) qc.at(j, i) = Fp::from_u64(29 * j + 5 * i + 3);
  const RowMajorMatrix<Fp> coeffs = qc;
  const std::vector<Fp4> q = coset_values(qc);
  std::vector<Fp> rnd(4 * (k - 1) * m);
  for (size_t i = 0; i < rnd.size(); ++i) rnd[i] = Fp::from_u64(7919 * i + 11);
  const auto zk = stark::split_quotient_zk(q, log_n, log_domain, k, stride, m, kShift, rnd);
  REQUIRE(zk.height == n);
  REQUIRE(zk.width == 4 * k);
  const Fp4 z = Fp4::from_base(Fp::from_u64(3), Fp::from_u64(8), Fp::from_u64(1), Fp::from_u64(5));
  Fp4 want, zp = Fp4::one();
  for (size_t j = 0; j < k * stride; ++j, zp *= z)
    want += zp * Fp4::from_base(coeffs.at(j, 0), coeffs.at(j, 1), coeffs.at(j, 2), coeffs.at(j, 3));
  const auto v = eval_at(zk, z);
  const Fp4 x = Fp4::x(), zs = z.pow(stride);
  Fp4 got, zc = Fp4::one();
  for (size_t c = 0; c < k; ++c, zc *= zs) got += zc * (v[4 * c] + x * v[4 * c + 1] + x * x * v[4 * c + 2] + x * x * x * v[4 * c + 3]);
  CHECK(got == want);
  // Recombined with stride n instead, they do not give Q.
  Fp4 wrong;
  zc = Fp4::one();
  for (size_t c = 0; c < k; ++c, zc *= z.pow(n)) wrong += zc * (v[4 * c] + x * v[4 * c + 1] + x * x * v[4 * c + 2] + x * x * x * v[4 * c + 3]);
  CHECK(wrong != want);
}

TEST_CASE("random-row quotient from half the coset and bit_ceil(m) more points equals the one from the whole coset") {
  const unsigned log_n = 5, log_domain = 2;
  const size_t n = size_t{1} << log_n, big = n << log_domain, half = big / 2, m = 6, extra = 8;
  const size_t stride = n - m, k = (2 * n + m) / stride + 1;
  std::vector<Fp> rnd(4 * (k - 1) * m);
  for (size_t i = 0; i < rnd.size(); ++i) rnd[i] = Fp::from_u64(48271 * i + 5);
  // Q of the given degree bound: values on the whole coset (bit-reversed)
  // and at the rows the half method evaluates.
  auto values = [&](size_t degree) {
    RowMajorMatrix<Fp> qc(4, big);
    for (size_t j = 0; j < degree; ++j)
      for (size_t i = 0; i < 4; ++i) qc.at(j, i) = Fp::from_u64(17 * j + 3 * i + 2);
    const std::vector<Fp4> all = coset_values(qc);
    std::vector<Fp4> some;
    for (const size_t p : stark::half_coset_rows(log_n + log_domain, extra)) some.push_back(all[p]);
    return std::pair{all, some};
  };
  {
    const auto [all, some] = values(2 * n + m);  // degree < half + extra: the half method is exact
    REQUIRE(some.size() == half + extra);
    const auto whole = stark::split_quotient_zk(all, log_n, log_domain, k, stride, m, kShift, rnd);
    const auto part = stark::split_quotient_zk_half(some, log_n, log_domain, extra, k, stride, m, kShift, rnd);
    CHECK(part.values == whole.values);
  }
  {
    // Past half + extra coefficients the extra points cannot pin Q: the
    // prover must not take this path then (prover.cpp checks the bound).
    const auto [all, some] = values(half + extra + 1);
    const auto whole = stark::split_quotient_zk(all, log_n, log_domain, 4, n, m, kShift,
                                                std::vector<Fp>(4 * 3 * m, Fp::one()));
    const auto part = stark::split_quotient_zk_half(some, log_n, log_domain, extra, 4, n, m, kShift,
                                                    std::vector<Fp>(4 * 3 * m, Fp::one()));
    CHECK(part.values != whole.values);
  }
  CHECK_THROWS_WITH(stark::half_coset_rows(7, 3), Catch::Contains("3 extra points"));
}

TEST_CASE("only backends that run the quotient are asked to: the CPU HAL refuses, a dual HAL runs it when both sides do") {
  auto cpu = hal::make_cpu_hal();
  CHECK_FALSE(cpu->runs_quotient());
  CHECK_THROWS_WITH(hal::make_hal_quotient_kernel(*cpu), Catch::Contains("does not run the quotient kernel"));
  std::vector<Fp4> out;
  CHECK_THROWS_WITH(cpu->quotient_rows({}, {}, out), Catch::Contains("runs_quotient is false"));
  CHECK_FALSE(hal::make_dual_hal(hal::make_cpu_hal(), gpu::make_emulated_hal())->runs_quotient());
  // (The first keeps host copies of its LDEs: the dual's second backend
  // reads the first one's trees.)
  auto both = hal::make_dual_hal(gpu::make_emulated_hal(gpu::kBlockDim, gpu::HostExec::Order::Natural, true),
                                 gpu::make_emulated_hal());
  REQUIRE(both->runs_quotient());
  // The dual kernel compares the two results and returns them.
  const examples::FibonacciAir fib;
  const AirShape shape = analyse(fib);
  const size_t big = size_t{1} << (4 + shape.log_quotient_chunks);
  const auto main = random_matrix(fib.width(), big, 9);
  const std::vector<Fp> pubs{Fp::one(), Fp::one(), Fp::from_u64(5)};
  const auto ap = powers(Fp4::from_base(Fp::from_u64(3), Fp::one(), Fp(), Fp()), shape.num_constraints);
  hal::QuotientInputs in;
  in.air = &fib;
  in.log_n = 4;
  in.log_chunks = shape.log_quotient_chunks;
  in.shift = kShift;
  in.main = &main;
  in.publics = pubs;
  in.alpha_pows = ap;
  CHECK(hal::make_hal_quotient_kernel(*both)->evaluate(in) == hal::make_cpu_quotient_kernel()->evaluate(in));
}
