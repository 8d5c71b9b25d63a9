// CPU implementation of hal/quotient.h: OpenMP-parallel over coset rows;
// by default one SIMD builder evaluation per block of rows (PackedFp), with
// a scalar path (one row per evaluation) kept as the reference.
#include <algorithm>
#include <span>
#include <stdexcept>

#include "prover/hal/quotient.h"
#include "prover/ntt/ntt.h"

namespace zkvm::hal {
namespace {

using field::Fp;
using field::Fp4;

inline size_t bit_reverse(size_t x, unsigned bits) {
  size_t r = 0;
  for (unsigned i = 0; i < bits; ++i) {
    r = (r << 1) | (x & 1);
    x >>= 1;
  }
  return r;
}

class CpuQuotientKernel final : public QuotientKernel {
 public:
  explicit CpuQuotientKernel(bool packed) : packed_(packed) {}

  std::vector<Fp4> evaluate(const QuotientInputs& in) override {
    const unsigned log_big = in.log_n + in.log_chunks;
    const size_t big = size_t{1} << log_big;
    if (in.gathered && in.rows.empty()) throw std::invalid_argument("quotient: gathered LDE rows without the rows");
    const size_t need = in.gathered ? 2 * in.rows.size() : big;
    auto check = [&](const matrix::RowMajorMatrix<Fp>* m, const char* what) {
      if (m != nullptr && m->height < need)
        throw std::invalid_argument(std::string("quotient: ") + what + " LDE has " + std::to_string(m->height) +
                                    " rows, need " + std::to_string(need));
    };
    if (in.main == nullptr) throw std::invalid_argument("quotient: no main LDE");
    check(in.main, "main");
    check(in.pre, "preprocessed");
    check(in.aux, "aux");

    const QuotientSelectors sel = quotient_selectors(in);
    const size_t nz = size_t{1} << in.log_chunks;

    for (const size_t p : in.rows)
      if (p >= big) throw std::invalid_argument("quotient: row " + std::to_string(p) + " outside the coset");
    const size_t count = in.rows.empty() ? big : in.rows.size();
    auto row_at = [&](size_t k) { return in.rows.empty() ? k : in.rows[k]; };
    std::vector<Fp4> out(count);
    if (packed_ && count % air::PackedFp::kLanes == 0 && air::PackedFp::kLanes > 1) {
      evaluate_packed(in, sel, row_at, out);
      return out;
    }
    const long long total = static_cast<long long>(count);
#pragma omp parallel
    {
      air::QuotientBuilder b;
      b.set_statement(in);
#pragma omp for schedule(static)
      for (long long kk = 0; kk < total; ++kk) {
        const size_t k = static_cast<size_t>(kk);
        const size_t i = bit_reverse(row_at(k), log_big);  // natural index of x_p
        const size_t inext = (i + nz) & (big - 1);          // x_p * g_n
        const size_t p = in.gathered ? 2 * k : row_at(k);
        const size_t pn = in.gathered ? 2 * k + 1 : bit_reverse(inext, log_big);
        b.local = in.main->row(p);
        b.next = in.main->row(pn);
        if (in.pre) {
          b.pre_local = in.pre->row(p);
          b.pre_next_row = in.pre->row(pn);
        }
        if (in.aux) {
          b.aux_local = in.aux->row(p);
          b.aux_next = in.aux->row(pn);
        }
        b.sel_first = sel.first[i];
        b.sel_last = sel.last[i];
        b.sel_transition = sel.transition[i];
        b.reset();
        in.air->eval(b);
        out[static_cast<size_t>(kk)] = b.acc * sel.factor[i];
      }
    }
    return out;
  }

 private:
  // SIMD path: one builder evaluation per block of kLanes rows (consecutive
  // bit-reversed rows, or the next kLanes of in.rows); the block's rows are transposed into lane-major
  // buffers so each column is one packed load.
  template <class RowAt>
  void evaluate_packed(const QuotientInputs& in, const QuotientSelectors& sel, const RowAt& row_at,
                       std::vector<Fp4>& out) const {
    using air::PackedFp;
    constexpr size_t L = PackedFp::kLanes;
    const unsigned log_big = in.log_n + in.log_chunks;
    const size_t big = size_t{1} << log_big;
    const size_t nz = size_t{1} << in.log_chunks;
    const long long blocks = static_cast<long long>(out.size() / L);
    const size_t wm = in.main->width, wp = in.pre ? in.pre->width : 0, wa = in.aux ? in.aux->width : 0;
#pragma omp parallel
    {
      air::PackedQuotientBuilder b;
      b.set_statement(in);
      std::vector<Fp> scratch((2 * (wm + wp + wa) + 4) * L);
      std::vector<PackedFp> lanes(2 * (wm + wp + wa));
      size_t pn[L];
      // Transposes rows (rows_at[j], j < L) of m into lanes[off .. off + width).
      auto gather = [&](const matrix::RowMajorMatrix<Fp>& m, const size_t* rows_at, size_t off) {
        const size_t w = m.width;
        Fp* t = scratch.data();
        for (size_t j = 0; j < L; ++j) {
          const Fp* r = m.values.data() + rows_at[j] * w;
          for (size_t c = 0; c < w; ++c) t[c * L + j] = r[c];
        }
        for (size_t c = 0; c < w; ++c) lanes[off + c] = PackedFp::load(t + c * L);
      };
#pragma omp for schedule(static)
      for (long long blk = 0; blk < blocks; ++blk) {
        const size_t p0 = static_cast<size_t>(blk) * L;
        size_t pl[L];
        Fp sf[L], sl[L], st[L], zi[L];
        for (size_t j = 0; j < L; ++j) {
          const size_t i = bit_reverse(row_at(p0 + j), log_big);
          pl[j] = in.gathered ? 2 * (p0 + j) : row_at(p0 + j);
          pn[j] = in.gathered ? 2 * (p0 + j) + 1 : bit_reverse((i + nz) & (big - 1), log_big);
          sf[j] = sel.first[i];
          sl[j] = sel.last[i];
          st[j] = sel.transition[i];
          zi[j] = sel.factor[i];
        }
        size_t off = 0;
        gather(*in.main, pl, off);
        gather(*in.main, pn, off + wm);
        b.local = std::span<const PackedFp>(lanes.data() + off, wm);
        b.next = std::span<const PackedFp>(lanes.data() + off + wm, wm);
        off += 2 * wm;
        if (in.pre) {
          gather(*in.pre, pl, off);
          gather(*in.pre, pn, off + wp);
          b.pre_local = std::span<const PackedFp>(lanes.data() + off, wp);
          b.pre_next_row = std::span<const PackedFp>(lanes.data() + off + wp, wp);
          off += 2 * wp;
        }
        if (in.aux) {
          gather(*in.aux, pl, off);
          gather(*in.aux, pn, off + wa);
          b.aux_local = std::span<const PackedFp>(lanes.data() + off, wa);
          b.aux_next = std::span<const PackedFp>(lanes.data() + off + wa, wa);
        }
        b.sel_first = PackedFp::load(sf);
        b.sel_last = PackedFp::load(sl);
        b.sel_transition = PackedFp::load(st);
        b.reset();
        in.air->eval(b);
        const PackedFp zinv = PackedFp::load(zi);
        Fp res[4][L];
        for (int c = 0; c < 4; ++c) (b.acc.c[c] * zinv).store(res[c]);
        for (size_t j = 0; j < L; ++j) out[p0 + j] = Fp4::from_base(res[0][j], res[1][j], res[2][j], res[3][j]);
      }
    }
  }

  bool packed_;
};

// The quotient through the HAL's own kernel, from the recorded program.
class HalQuotientKernel final : public QuotientKernel {
 public:
  explicit HalQuotientKernel(Hal& hal) : hal_(hal) {}
  std::vector<Fp4> evaluate(const QuotientInputs& in) override {
    if (in.gathered) throw std::invalid_argument("quotient: gathered LDE rows are for the CPU kernel");
    const QuotientProgram program = compile_quotient_program(in);
    const QuotientSelectors sel = quotient_selectors(in);
    QuotientRowInputs ri;
    ri.log_n = in.log_n;
    ri.log_chunks = in.log_chunks;
    ri.main = in.main;
    ri.pre = in.pre;
    ri.aux = in.aux;
    ri.selectors = &sel;
    ri.rows = in.rows;
    std::vector<Fp4> out(in.rows.empty() ? size_t{1} << (in.log_n + in.log_chunks) : in.rows.size());
    hal_.quotient_rows(program, ri, out);
    return out;
  }

 private:
  Hal& hal_;
};

}  // namespace

std::unique_ptr<QuotientKernel> make_cpu_quotient_kernel(bool packed) {
  return std::make_unique<CpuQuotientKernel>(packed);
}

}  // namespace zkvm::hal

namespace zkvm::hal {

std::unique_ptr<QuotientKernel> make_hal_quotient_kernel(Hal& hal) {
  if (!hal.runs_quotient())
    throw std::invalid_argument("hal '" + std::string(hal.name()) + "' does not run the quotient kernel");
  return std::make_unique<HalQuotientKernel>(hal);
}

QuotientSelectors quotient_selectors(const QuotientInputs& in) {
  const unsigned log_big = in.log_n + in.log_chunks;
  const size_t big = size_t{1} << log_big;
  const size_t n = size_t{1} << in.log_n;
  const Fp w = field::two_adic_generator(log_big);
  // The last constrained row's point: g^(n - 1 - zk_rows).
  const Fp g_last = field::two_adic_generator(in.log_n).inverse().pow(in.zk_rows + 1);
  // Points in natural order, then the selector denominators, inverted in
  // one batch each (x - 1 and x - g^-1 never vanish on the coset: s is
  // not in the subgroup).
  std::vector<Fp> xs(big), d_first(big), d_last(big);
  // In chunks, one per iteration (each starts from its own power of w).
  constexpr size_t kChunk = size_t{1} << 13;
  const int64_t chunks = static_cast<int64_t>((big + kChunk - 1) / kChunk);
  bool zero = false;
#pragma omp parallel for schedule(static) if (chunks > 1) reduction(|| : zero)
  for (int64_t k = 0; k < chunks; ++k) {
    const size_t lo = static_cast<size_t>(k) * kChunk, hi = std::min(big, lo + kChunk);
    Fp x = in.shift * w.pow(lo);
    for (size_t i = lo; i < hi; ++i) {
      xs[i] = x;
      d_first[i] = x - Fp::one();
      d_last[i] = x - g_last;
      x *= w;
    }
    const std::span<Fp> df = std::span<Fp>(d_first).subspan(lo, hi - lo);
    const std::span<Fp> dl = std::span<Fp>(d_last).subspan(lo, hi - lo);
    try {
      field::batch_inverse(df, df);
      field::batch_inverse(dl, dl);
    } catch (const std::invalid_argument&) {  // not on a coset of H: s is outside the subgroup
      zero = true;
    }
  }
  if (zero) throw std::invalid_argument("quotient: a selector denominator vanishes on the coset");
  // Z_H(x) = s^n w^(i n) - 1 takes 2^log_chunks values (w^n has that order).
  const size_t nz = size_t{1} << in.log_chunks;
  std::vector<Fp> zh(nz), zh_inv(nz);
  {
    const Fp sn = in.shift.pow(n);
    const Fp wn = w.pow(n);
    Fp t = sn;
    for (size_t j = 0; j < nz; ++j) {
      zh[j] = t - Fp::one();
      t *= wn;
    }
    field::batch_inverse(zh, zh_inv);
  }
  QuotientSelectors sel;
  sel.first.resize(big);
  sel.last.resize(big);
  sel.transition.resize(big);
  sel.factor.resize(big);
  const int64_t big_i = static_cast<int64_t>(big);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t ii = 0; ii < big_i; ++ii) {
    const size_t i = static_cast<size_t>(ii);
    const Fp zero_h = zh[i & (nz - 1)];
    sel.first[i] = zero_h * d_first[i];
    sel.last[i] = zero_h * d_last[i];
    sel.transition[i] = xs[i] - g_last;
    sel.factor[i] = zh_inv[i & (nz - 1)];
  }
  // Random rows: the factor per point is V_R(x) / Z_H(x), V_R from its
  // r + 1 coefficients by one coset NTT (natural order, like xs).
  if (in.zk_rows != 0) {
    if (in.zk_rows >= n) throw std::invalid_argument("quotient: no row before the random rows");
    matrix::RowMajorMatrix<Fp> vr(1, big);
    vr.at(0, 0) = Fp::one();
    const Fp gi = field::two_adic_generator(in.log_n).inverse();
    Fp gj = gi;
    for (size_t j = 1; j <= in.zk_rows; ++j, gj *= gi)  // multiply by (X - g^-j)
      for (size_t k = j; k-- > 0;) vr.at(k + 1, 0) += vr.at(k, 0), vr.at(k, 0) *= -gj;
    ntt::coset_ntt(vr, in.shift);
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (int64_t ii = 0; ii < big_i; ++ii) sel.factor[static_cast<size_t>(ii)] *= vr.at(static_cast<size_t>(ii), 0);
  }
  return sel;
}

}  // namespace zkvm::hal
