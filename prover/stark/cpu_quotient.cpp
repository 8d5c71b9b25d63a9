// CPU implementation of hal/quotient.h: OpenMP-parallel over coset rows,
// one scalar builder per row.
#include <stdexcept>

#include "prover/hal/quotient.h"

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
  std::vector<Fp4> evaluate(const QuotientInputs& in) override {
    const unsigned log_big = in.log_n + in.log_chunks;
    const size_t big = size_t{1} << log_big;
    const size_t n = size_t{1} << in.log_n;
    auto check = [&](const matrix::RowMajorMatrix<Fp>* m, const char* what) {
      if (m != nullptr && m->height < big)
        throw std::invalid_argument(std::string("quotient: ") + what + " LDE has " + std::to_string(m->height) +
                                    " rows, need " + std::to_string(big));
    };
    if (in.main == nullptr) throw std::invalid_argument("quotient: no main LDE");
    check(in.main, "main");
    check(in.pre, "preprocessed");
    check(in.aux, "aux");

    const Fp w = field::two_adic_generator(log_big);
    const Fp g_inv = field::two_adic_generator(in.log_n).inverse();
    // Points in natural order, then the selector denominators, inverted in
    // one batch each (x - 1 and x - g^-1 never vanish on the coset: s is
    // not in the subgroup).
    std::vector<Fp> xs(big), d_first(big), d_last(big);
    {
      Fp x = in.shift;
      for (size_t i = 0; i < big; ++i) {
        xs[i] = x;
        d_first[i] = x - Fp::one();
        d_last[i] = x - g_inv;
        x *= w;
      }
    }
    field::batch_inverse(d_first, d_first);
    field::batch_inverse(d_last, d_last);
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

    std::vector<Fp4> out(big);
    const long long total = static_cast<long long>(big);
#pragma omp parallel
    {
      air::QuotientBuilder b;
      b.publics = in.publics;
      b.logup_alpha = in.logup_alpha;
      b.beta_pows = in.beta_pows;
      b.alpha_pows = in.alpha_pows;
      b.cumsum = in.cumsum;
#pragma omp for schedule(static)
      for (long long pp = 0; pp < total; ++pp) {
        const size_t p = static_cast<size_t>(pp);
        const size_t i = bit_reverse(p, log_big);        // natural index of x_p
        const size_t inext = (i + nz) & (big - 1);          // x_p * g_n
        const size_t pn = bit_reverse(inext, log_big);
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
        const Fp zero_h = zh[i & (nz - 1)];
        b.sel_first = zero_h * d_first[i];
        b.sel_last = zero_h * d_last[i];
        b.sel_transition = xs[i] - g_inv;
        b.reset();
        in.air->eval(b);
        out[p] = b.acc * zh_inv[i & (nz - 1)];
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<QuotientKernel> make_cpu_quotient_kernel() { return std::make_unique<CpuQuotientKernel>(); }

}  // namespace zkvm::hal
