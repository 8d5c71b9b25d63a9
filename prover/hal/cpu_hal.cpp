// CPU backend of the HAL: prover/ntt for LDEs, prover/merkle for trees,
// OpenMP loops for folding and row reduction.
#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>

#include "prover/field/packed.h"
#include "prover/fri/fold.h"
#include "prover/hal/hal.h"
#ifdef ZKVM_HAL_HAVE_NTT
#include "prover/ntt/ntt.h"
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

namespace zkvm::hal {
namespace {

#if defined(ZKVM_HAVE_AVX512)
using Simd = field::packed::Avx512;
#elif defined(ZKVM_HAVE_AVX2)
using Simd = field::packed::Avx2;
#endif

#if !defined(ZKVM_HAVE_AVX512) && defined(ZKVM_HAVE_AVX2)
Fp hsum(Simd::V v) {
  alignas(64) Fp lanes[Simd::kLanes];
  Simd::store(lanes, v);
  Fp s;
  for (size_t l = 0; l < Simd::kLanes; ++l) s += lanes[l];
  return s;
}
#endif

// out = sum_c coeffs[c] * row[c]. coeff_soa holds the coefficients split by
// component: coeff_soa[j * width + c] = coeffs[c].c[j], so each component is
// a dot product that SIMD runs across columns.
Fp4 reduce_row(const Fp* row, size_t width, const Fp* coeff_soa, std::span<const Fp4> coeffs) {
  Fp4 acc;
  size_t c = 0;
#if defined(ZKVM_HAVE_AVX512) || defined(ZKVM_HAVE_AVX2)
  constexpr size_t L = Simd::kLanes;
  if (width >= L) {
    Simd::V a[4] = {Simd::broadcast(Fp()), Simd::broadcast(Fp()), Simd::broadcast(Fp()),
                    Simd::broadcast(Fp())};
    for (; c + L <= width; c += L) {
      const Simd::V v = Simd::load(row + c);
      for (size_t j = 0; j < 4; ++j)
        a[j] = Simd::add(a[j], Simd::mul(v, Simd::load(coeff_soa + j * width + c)));
    }
#if defined(ZKVM_HAVE_AVX512)
    // The four horizontal sums together: fold 256-bit halves of (a0, a1)
    // and (a2, a3) into one vector each, then 128-bit halves of both into
    // one, then within 128-bit lanes; about 10 shuffles and 6 SIMD adds
    // where four separate sums took 60 scalar additions per row.
    const auto fold256 = [](Simd::V x, Simd::V y) {
      const __m512i p = _mm512_mask_blend_epi32(0xFF00, x, y);  // x[0..7] | y[8..15]
      __m512i q = _mm512_mask_blend_epi32(0xFF00, y, x);        // y[0..7] | x[8..15]
      q = _mm512_shuffle_i32x4(q, q, 0x4E);                     // x[8..15] | y[0..7]
      return Simd::add(p, q);
    };
    const __m512i u01 = fold256(a[0], a[1]), u23 = fold256(a[2], a[3]);
    const __m512i p = _mm512_mask_blend_epi32(0xF0F0, u01, u23);
    __m512i q = _mm512_mask_blend_epi32(0xF0F0, u23, u01);
    q = _mm512_shuffle_i32x4(q, q, 0xB1);
    __m512i v = Simd::add(p, q);  // quads: a0 | a2 | a1 | a3
    v = Simd::add(v, _mm512_shuffle_epi32(v, static_cast<_MM_PERM_ENUM>(0x4E)));
    v = Simd::add(v, _mm512_shuffle_epi32(v, static_cast<_MM_PERM_ENUM>(0xB1)));
    alignas(64) Fp lanes[16];
    Simd::store(lanes, v);
    acc = Fp4::from_base(lanes[0], lanes[8], lanes[4], lanes[12]);
#else
    for (size_t j = 0; j < 4; ++j) acc.c[j] = hsum(a[j]);
#endif
  }
#else
  (void)coeff_soa;
#endif
  for (; c < width; ++c) acc += coeffs[c] * row[c];
  return acc;
}

class CpuHal final : public Hal {
 public:
  std::string_view name() const override { return "cpu"; }

  RowMajorMatrix<Fp> coset_lde(const RowMajorMatrix<Fp>& evals, unsigned log_blowup,
                               Fp shift) override {
#ifdef ZKVM_HAL_HAVE_NTT
    return ntt::coset_lde(evals, log_blowup, shift, /*bit_reversed_output=*/true);
#else
    (void)evals;
    (void)log_blowup;
    (void)shift;
    throw std::logic_error("cpu hal: coset_lde needs prover/ntt, which is not in this build");
#endif
  }

  std::unique_ptr<merkle::MerkleTree> merkle_commit(std::vector<RowMajorMatrix<Fp>> mats,
                                                    std::vector<uint8_t> salts,
                                                    size_t salt_len) override {
    return std::make_unique<merkle::MerkleTree>(std::move(mats), std::move(salts), salt_len);
  }

  std::vector<Fp4> fri_fold(std::span<const Fp4> codeword, std::span<const Fp4> betas) override {
    const size_t n0 = codeword.size();
    const unsigned log_arity = static_cast<unsigned>(betas.size());
    if (n0 == 0 || (n0 & (n0 - 1)) != 0 || log_arity >= 64 || (n0 >> log_arity) == 0)
      throw std::invalid_argument("cpu hal: fri_fold of size " + std::to_string(n0) +
                                  " by arity 2^" + std::to_string(log_arity));
    const unsigned m0 = static_cast<unsigned>(__builtin_ctzll(n0));
    const auto tab_ptr = half_inv_table(m0);
    const std::vector<Fp>& tab = *tab_ptr;
    // Step s works on a codeword of log size m0 - s; its pair table is the
    // prefix of the table for m0 (see half_inv_table).
    std::vector<Fp4> cur;
    std::span<const Fp4> src = codeword;
    if (log_arity == 0) return {codeword.begin(), codeword.end()};
    for (unsigned s = 0; s < log_arity; ++s) {
      const Fp4 beta = betas[s];
      const size_t half = src.size() / 2;
      std::vector<Fp4> next(half);
      const int64_t nh = static_cast<int64_t>(half);
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < nh; ++i) {
        const size_t u = static_cast<size_t>(i);
        next[u] = fri::fold_pair(src[2 * u], src[2 * u + 1], beta, tab[u]);
      }
      cur = std::move(next);
      src = cur;
    }
    return cur;
  }

  // tab[i] = g_m^-rev_{m-1}(i) / 2 for i < 2^(m-1): entry i is 1/(2x) for
  // pair i of a bit-reversed codeword of log size m (fold.h). Built in
  // bit-reversed order directly, T_b(w) = T_{b-1}(w^2) || w * T_{b-1}(w^2),
  // so it is written and read sequentially; and T_{b-1}(w^2) being the
  // first half means the table for m serves every smaller size as a prefix
  // (g_{m-1}^-1 = (g_m^-1)^2). Cached for the largest m requested.
  std::shared_ptr<const std::vector<Fp>> half_inv_table(unsigned m) {
    std::lock_guard<std::mutex> lock(tab_mutex_);
    if (tab_ && tab_log_ >= m) return tab_;
    const unsigned b = m - 1;
    const Fp w = field::two_adic_generator(m).inverse();
    std::vector<Fp> pw(b + 1);  // pw[k] = w^(2^k)
    pw[0] = w;
    for (unsigned k = 1; k <= b; ++k) pw[k] = pw[k - 1].square();
    std::vector<Fp> t(size_t{1} << b);
    t[0] = fri::kInvTwo;
    for (unsigned j = 0; j < b; ++j) {
      const size_t len = size_t{1} << j;
      const Fp mul = pw[b - 1 - j];
      const int64_t n = static_cast<int64_t>(len);
#pragma omp parallel for schedule(static) if (len >= 4096)
      for (int64_t i = 0; i < n; ++i)
        t[len + static_cast<size_t>(i)] = t[static_cast<size_t>(i)] * mul;
    }
    tab_ = std::make_shared<const std::vector<Fp>>(std::move(t));
    tab_log_ = m;
    return tab_;
  }

  void reduce_rows(const RowMajorMatrix<Fp>& m, std::span<const Fp4> coeffs,
                   std::span<Fp4> out) override {
    if (coeffs.size() != m.width || out.size() > m.height || m.values.size() != m.width * m.height)
      throw std::invalid_argument("cpu hal: reduce_rows shape mismatch (" +
                                  std::to_string(m.width) + " x " + std::to_string(m.height) +
                                  " matrix, " + std::to_string(coeffs.size()) + " coeffs, " +
                                  std::to_string(out.size()) + " outputs)");
    const int64_t h = static_cast<int64_t>(out.size());
    const size_t w = m.width;
    std::vector<Fp> soa(4 * w);
    for (size_t c = 0; c < w; ++c)
      for (size_t j = 0; j < 4; ++j) soa[j * w + c] = coeffs[c].c[j];
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < h; ++r)
      out[static_cast<size_t>(r)] =
          reduce_row(m.values.data() + static_cast<size_t>(r) * w, w, soa.data(), coeffs);
  }

  void column_sums(const RowMajorMatrix<Fp>& m, size_t rows, std::span<const Fp4> weights,
                   std::span<Fp4> out) override {
    if (rows > m.height || weights.size() != rows || out.size() != m.width)
      throw std::invalid_argument("cpu hal: column_sums shape mismatch (" +
                                  std::to_string(m.width) + " x " + std::to_string(m.height) +
                                  " matrix, " + std::to_string(rows) + " rows, " +
                                  std::to_string(weights.size()) + " weights, " +
                                  std::to_string(out.size()) + " outputs)");
    const size_t w = m.width;
    std::fill(out.begin(), out.end(), Fp4());
#pragma omp parallel
    {
      // Each thread sums a contiguous block of rows, then the partial sums
      // are added in a fixed order so the result does not depend on timing.
      // part holds the 4 components as separate rows (SoA) so the inner
      // loop runs SIMD across columns.
      std::vector<Fp> part(4 * w);
#ifdef _OPENMP
      const size_t nt = static_cast<size_t>(omp_get_num_threads());
      const size_t t = static_cast<size_t>(omp_get_thread_num());
#else
      const size_t nt = 1, t = 0;
#endif
      const size_t lo = rows * t / nt, hi = rows * (t + 1) / nt;
      for (size_t r = lo; r < hi; ++r) {
        const Fp* row = m.values.data() + r * w;
        const Fp4 wr = weights[r];
        for (size_t j = 0; j < 4; ++j) {
          Fp* pj = part.data() + j * w;
          size_t c = 0;
#if defined(ZKVM_HAVE_AVX512) || defined(ZKVM_HAVE_AVX2)
          const Simd::V b = Simd::broadcast(wr.c[j]);
          for (; c + Simd::kLanes <= w; c += Simd::kLanes)
            Simd::store(pj + c, Simd::add(Simd::load(pj + c), Simd::mul_bcast(Simd::load(row + c), b)));
#endif
          for (; c < w; ++c) pj[c] += wr.c[j] * row[c];
        }
      }
#pragma omp for ordered schedule(static, 1)
      for (int64_t k = 0; k < static_cast<int64_t>(nt); ++k) {
#pragma omp ordered
        for (size_t c = 0; c < w; ++c)
          out[c] += Fp4::from_base(part[c], part[w + c], part[2 * w + c], part[3 * w + c]);
      }
    }
  }

  // 1/(x - z) = A(x) / P(x) with P(X) = N(X - z) the characteristic
  // polynomial of z over Fp (monic, degree 4, P(z) = 0) and A = P / (X - z)
  // (degree 3, Fp4 coefficients). For base-field x this costs one base-field
  // inversion of P(x) (batched) and ~20 base multiplications, against ~50
  // for an Fp4 batch inversion. scale is folded into A.
  void inverse_differences(std::span<const Fp> xs, const Fp4& z, const Fp4& scale,
                           std::span<Fp4> out) override {
    if (xs.size() != out.size())
      throw std::invalid_argument("cpu hal: inverse_differences size mismatch");
    // P's coefficients by interpolation of N(t - z) at t = 0..4.
    auto norm = [](const Fp4& a) {
      const Fp4 conj = Fp4::from_base(a.c[0], -a.c[1], a.c[2], -a.c[3]);
      const Fp4 b = a * conj;  // in Fp[X^2]
      return b.c[0] * b.c[0] - Fp::from_canonical(Fp4::kW) * b.c[2] * b.c[2];
    };
    Fp v[5];
    for (uint32_t t = 0; t < 5; ++t) v[t] = norm(Fp4(Fp::from_canonical(t)) - z);
    // Newton forward differences on t = 0..4 -> monomial coefficients.
    Fp c[5] = {};  // c[k] coefficient of X^k
    {
      Fp d[5];
      for (int i = 0; i < 5; ++i) d[i] = v[i];
      for (int k = 1; k < 5; ++k)
        for (int i = 4; i >= k; --i)
          d[i] = (d[i] - d[i - 1]) * Fp::from_canonical(static_cast<uint32_t>(k)).inverse();
      // P(X) = sum_k d[k] * X ... (X-k+1): expand.
      Fp basis[5] = {Fp::one()};  // running product polynomial
      for (int k = 0; k < 5; ++k) {
        for (int j = 0; j <= k; ++j) c[j] += d[k] * basis[j];
        if (k == 4) break;
        // basis *= (X - k)
        for (int j = k + 1; j > 0; --j) basis[j] = basis[j - 1] - Fp::from_canonical(static_cast<uint32_t>(k)) * basis[j];
        basis[0] = -(Fp::from_canonical(static_cast<uint32_t>(k)) * basis[0]);
      }
    }
    // A = P / (X - z): synthetic division, then scale.
    Fp4 q3 = Fp4(c[4]);
    Fp4 q2 = Fp4(c[3]) + z * q3;
    Fp4 q1 = Fp4(c[2]) + z * q2;
    Fp4 q0 = Fp4(c[1]) + z * q1;
    if (!(Fp4(c[0]) + z * q0).is_zero())
      throw std::logic_error("cpu hal: characteristic polynomial does not vanish at z");
    q3 *= scale;
    q2 *= scale;
    q1 *= scale;
    q0 *= scale;
    const size_t n = xs.size();
    std::vector<Fp> px(n);
    const int64_t ni = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < ni; ++i) {
      const Fp x = xs[static_cast<size_t>(i)];
      px[static_cast<size_t>(i)] = (((c[4] * x + c[3]) * x + c[2]) * x + c[1]) * x + c[0];
    }
    const size_t chunk = 1 << 14;
    const int64_t nchunks = static_cast<int64_t>((n + chunk - 1) / chunk);
    bool zero = false;
#pragma omp parallel for schedule(static) reduction(|| : zero)
    for (int64_t k = 0; k < nchunks; ++k) {
      const size_t lo = static_cast<size_t>(k) * chunk, len = std::min(chunk, n - lo);
      try {
        field::batch_inverse(std::span<const Fp>(px).subspan(lo, len),
                             std::span<Fp>(px).subspan(lo, len));
      } catch (const std::invalid_argument&) {
        zero = true;
      }
    }
    if (zero) throw std::invalid_argument("cpu hal: inverse_differences: a point equals z");
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < ni; ++i) {
      const size_t u = static_cast<size_t>(i);
      const Fp x = xs[u];
      out[u] = (((q3 * x + q2) * x + q1) * x + q0) * px[u];
    }
  }

  std::mutex tab_mutex_;
  std::shared_ptr<const std::vector<Fp>> tab_;
  unsigned tab_log_ = 0;

 public:
  void batch_inverse(std::span<const Fp4> in, std::span<Fp4> out) override {
    if (in.size() != out.size())
      throw std::invalid_argument("cpu hal: batch_inverse size mismatch");
    const size_t n = in.size();
    // Independent chunks, one inversion each.
    const size_t chunk = 1 << 14;
    const int64_t nchunks = static_cast<int64_t>((n + chunk - 1) / chunk);
    bool zero = false;
#pragma omp parallel for schedule(static) reduction(|| : zero)
    for (int64_t k = 0; k < nchunks; ++k) {
      const size_t lo = static_cast<size_t>(k) * chunk, len = std::min(chunk, n - lo);
      try {
        field::batch_inverse(in.subspan(lo, len), out.subspan(lo, len));
      } catch (const std::invalid_argument&) {
        zero = true;
      }
    }
    if (zero) throw std::invalid_argument("cpu hal: batch_inverse of a zero element");
  }
};

}  // namespace

std::unique_ptr<Hal> make_cpu_hal() { return std::make_unique<CpuHal>(); }

std::unique_ptr<merkle::MerkleTree> Hal::commit_ldes(std::vector<RowMajorMatrix<Fp>> traces, unsigned log_blowup,
                                                     Fp shift, std::vector<uint8_t> salts, size_t salt_len) {
  std::vector<RowMajorMatrix<Fp>> ldes;
  ldes.reserve(traces.size());
  for (auto& t : traces) {
    ldes.push_back(coset_lde(t, log_blowup, shift));
    t = {};  // free the trace-domain copy early
  }
  return merkle_commit(std::move(ldes), std::move(salts), salt_len);
}

Hal::FriCommitted Hal::fri_commit(std::vector<std::vector<Fp4>> inputs,
                                  std::span<const std::pair<unsigned, unsigned>> plan,
                                  const std::function<std::vector<Fp4>(size_t, const hash::Digest&)>& betas,
                                  const std::function<Fp4(size_t)>& join) {
  if (inputs.empty()) throw std::invalid_argument("hal: fri_commit of no input");
  FriCommitted out;
  std::vector<Fp4> cur = std::move(inputs[0]);
  size_t next = 1;
  for (size_t l = 0; l < plan.size(); ++l) {
    const auto [n, k] = plan[l];
    if (cur.size() != (size_t{1} << n))
      throw std::invalid_argument("hal: fri_commit: layer " + std::to_string(l) + " has " +
                                  std::to_string(cur.size()) + " values, its plan 2^" + std::to_string(n));
    // Leaf i: the coset cur[i 2^k, (i + 1) 2^k), each value as its 4 base
    // coefficients.
    std::vector<Fp> flat(cur.size() * 4);
    for (size_t i = 0; i < cur.size(); ++i)
      for (int c = 0; c < 4; ++c) flat[4 * i + c] = cur[i].c[c];
    out.trees.push_back(merkle_commit({RowMajorMatrix<Fp>(std::move(flat), size_t{4} << k)}, {}, 0));
    cur = fri_fold(cur, betas(l, out.trees.back()->root()));
    if (next < inputs.size() && inputs[next].size() == cur.size()) {
      const Fp4 f = join(l);
      const auto& in = inputs[next];
      for (size_t i = 0; i < cur.size(); ++i) cur[i] += f * in[i];
      ++next;
    }
  }
  out.last = std::move(cur);
  return out;
}

bool restore_from_backend(Hal& hal, merkle::MerkleTree& tree, size_t m, std::span<const uint64_t> leaves) {
  const auto& mat = tree.matrices().at(m);
  if (mat.height == tree.matrix_height(m)) return false;
  std::vector<uint64_t> rows = tree.rows_for_opening(m, leaves);
  std::erase_if(rows, [&](uint64_t x) { return x < mat.height; });
  auto got = hal.resident_rows(mat, rows);
  if (!got) return false;
  tree.restore_rows(m, std::move(*got));
  return true;
}

void Hal::quotient_rows(const QuotientProgram&, const QuotientRowInputs&, std::span<Fp4>) {
  throw std::logic_error("hal '" + std::string(name()) + "' does not run the quotient kernel (runs_quotient is false)");
}

}  // namespace zkvm::hal
