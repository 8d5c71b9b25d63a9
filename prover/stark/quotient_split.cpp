#include "prover/stark/quotient_split.h"

#include <stdexcept>
#include <string>

#include "prover/ntt/ntt.h"

namespace zkvm::stark {

using field::Fp;
using field::Fp4;

namespace {

matrix::RowMajorMatrix<Fp> quotient_coefficients(const std::vector<Fp4>& q_bitrev, size_t big, Fp shift) {
  if (q_bitrev.size() != big) throw std::invalid_argument("split_quotient: wrong number of quotient values");
  matrix::RowMajorMatrix<Fp> coeffs(4, big);
  for (size_t p = 0; p < big; ++p)
    for (int c = 0; c < 4; ++c) coeffs.at(p, c) = q_bitrev[p].c[c];
  ntt::bit_reverse_rows(coeffs);   // natural order over s * H_N
  ntt::coset_intt(coeffs, shift);  // coefficients of Q(X)
  return coeffs;
}

}  // namespace

matrix::RowMajorMatrix<Fp> split_quotient(const std::vector<Fp4>& q_bitrev, unsigned log_n, unsigned log_chunks,
                                          Fp shift) {
  const size_t n = size_t{1} << log_n, chunks = size_t{1} << log_chunks, big = n * chunks;
  const auto coeffs = quotient_coefficients(q_bitrev, big, shift);
  matrix::RowMajorMatrix<Fp> out(4 * chunks, n);
  for (size_t j = 0; j < big; ++j) {
    const size_t ch = j / n, r = j % n;
    for (size_t c = 0; c < 4; ++c) out.at(r, 4 * ch + c) = coeffs.at(j, c);
  }
  ntt::ntt_forward(out);
  return out;
}


matrix::RowMajorMatrix<Fp> split_quotient_zk(const std::vector<Fp4>& q_bitrev, unsigned log_n, unsigned log_domain,
                                             size_t chunks, size_t stride, size_t m, Fp shift,
                                             const std::vector<Fp>& random) {
  const size_t n = size_t{1} << log_n, big = n << log_domain;
  size_t h = 1;
  while (h < stride + m) h <<= 1;
  if (chunks == 0 || stride == 0 || chunks * stride > big || m > n || h > 2 * n)
    throw std::invalid_argument("split_quotient_zk: " + std::to_string(chunks) + " chunks of " + std::to_string(stride) +
                                ", mask degree " + std::to_string(m) + " do not fit n = " + std::to_string(n));
  if (random.size() != 4 * (chunks - 1) * m)
    throw std::invalid_argument("split_quotient_zk: need " + std::to_string(4 * (chunks - 1) * m) +
                                " random values, got " + std::to_string(random.size()));
  const auto coeffs = quotient_coefficients(q_bitrev, big, shift);
  // Coefficients from chunks * stride on are zero for a trace that
  // satisfies the AIR; otherwise they are dropped, like split_quotient does
  // (the verifier then rejects, which the soundness tests rely on).
  // r(c, i, j): coefficient j < m of coordinate i of r_c, for 1 <= c < chunks.
  auto r = [&](size_t c, size_t i, size_t j) { return random[((c - 1) * 4 + i) * m + j]; };
  matrix::RowMajorMatrix<Fp> out(4 * chunks, h);  // zero-initialised
  for (size_t c = 0; c < chunks; ++c)
    for (size_t i = 0; i < 4; ++i) {
      for (size_t j = 0; j < stride; ++j) out.at(j, 4 * c + i) = coeffs.at(c * stride + j, i);
      for (size_t j = 0; j < m; ++j) {
        if (c >= 1) out.at(j, 4 * c + i) -= r(c, i, j);
        if (c + 1 < chunks) out.at(stride + j, 4 * c + i) = r(c + 1, i, j);
      }
    }
  ntt::ntt_forward(out);
  return out;
}

}  // namespace zkvm::stark
