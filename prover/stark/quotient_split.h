// Quotient chunking (prover side): Q on the quotient coset s * H_N
// (bit-reversed, as hal/quotient.h returns it) -> chunk polynomials on H:
// Q(X) = sum_c X^(c n) q_c(X), q_c of degree < n, each Fp4 chunk as 4 base
// columns (column 4c + i holds coordinate i of q_c), evaluated on H in
// natural order, ready for the PCS.
#pragma once

#include <span>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/matrix/matrix.h"

namespace zkvm::stark {

matrix::RowMajorMatrix<field::Fp> split_quotient(const std::vector<field::Fp4>& q_bitrev, unsigned log_n,
                                                 unsigned log_chunks, field::Fp shift);

// Zero-knowledge variant (docs/STARK.md "Zero knowledge"): Q, evaluated on
// the coset of n 2^log_domain points, must have degree < k s (k = chunks,
// s = stride; higher coefficients are dropped). Its k chunks of s
// coefficients are randomised so that they still recombine to Q,
//   q'_c = q_c - r_c + X^s r_{c+1}   (r_0 = r_k = 0),
//   sum_c X^(c s) q'_c = Q,
// with r_1..r_(k-1) random Fp4 polynomials of degree < m. Each q'_c has
// degree < s + m and is returned evaluated on H_h, h the power of two from
// s + m on (natural order, 4 base columns per chunk): the 2n scheme has
// s = n (h = 2n), random rows s = n - m (h = n). random: 4 (k - 1) m
// uniform Fp values, coefficient j of r_c's coordinate i at
// [((c - 1) 4 + i) m + j].
matrix::RowMajorMatrix<field::Fp> split_quotient_zk(const std::vector<field::Fp4>& q_bitrev, unsigned log_n,
                                                    unsigned log_domain, size_t chunks, size_t stride, size_t m,
                                                    field::Fp shift, const std::vector<field::Fp>& random);

// The same chunks from Q at fewer points, for Q of degree < N/2 + extra
// (N = n 2^log_domain; random rows give degree about 2n + m on a 4n coset):
// Q on the first N/2 bit-reversed coset rows (s H_(N/2)) fixes Q mod
// (X^(N/2) - s^(N/2)); `extra` (a power of two) more points on the other
// half, s w z^k, fix the rest. Rows to evaluate: half_coset_rows(log N,
// extra), in that order; q_values holds Q there. Saves about half the
// constraint evaluations; the chunks are the same polynomials.
std::vector<size_t> half_coset_rows(unsigned log_big, size_t extra);
// The rows the quotient reads for coset rows `rows` (bit-reversed positions
// of a coset of 2^log_big points, next row = natural index + 2^log_chunks)
// copied out of an LDE, as hal::QuotientInputs::gathered takes them: row
// 2k = rows[k]'s, row 2k + 1 = its next row's. The prover gathers the
// extra half-coset rows right after a commitment and then drops the LDE's
// second half.
matrix::RowMajorMatrix<field::Fp> gather_quotient_rows(const matrix::RowMajorMatrix<field::Fp>& lde,
                                                       std::span<const size_t> rows, unsigned log_big,
                                                       unsigned log_chunks);
matrix::RowMajorMatrix<field::Fp> split_quotient_zk_half(const std::vector<field::Fp4>& q_values, unsigned log_n,
                                                         unsigned log_domain, size_t extra, size_t chunks,
                                                         size_t stride, size_t m, field::Fp shift,
                                                         const std::vector<field::Fp>& random);

}  // namespace zkvm::stark
