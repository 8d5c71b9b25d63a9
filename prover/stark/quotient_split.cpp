#include "prover/stark/quotient_split.h"

#include <stdexcept>

#include "prover/ntt/ntt.h"

namespace zkvm::stark {

using field::Fp;
using field::Fp4;

matrix::RowMajorMatrix<Fp> split_quotient(const std::vector<Fp4>& q_bitrev, unsigned log_n, unsigned log_chunks,
                                          Fp shift) {
  const size_t n = size_t{1} << log_n, chunks = size_t{1} << log_chunks, big = n * chunks;
  if (q_bitrev.size() != big) throw std::invalid_argument("split_quotient: wrong number of quotient values");
  matrix::RowMajorMatrix<Fp> coeffs(4, big);
  for (size_t p = 0; p < big; ++p)
    for (int c = 0; c < 4; ++c) coeffs.at(p, c) = q_bitrev[p].c[c];
  ntt::bit_reverse_rows(coeffs);     // natural order over s * H_N
  ntt::coset_intt(coeffs, shift);    // coefficients of Q(X)
  matrix::RowMajorMatrix<Fp> out(4 * chunks, n);
  for (size_t j = 0; j < big; ++j) {
    const size_t ch = j / n, r = j % n;
    for (size_t c = 0; c < 4; ++c) out.at(r, 4 * ch + c) = coeffs.at(j, c);
  }
  ntt::ntt_forward(out);
  return out;
}

}  // namespace zkvm::stark
