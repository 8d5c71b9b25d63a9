// Quotient chunking (prover side): Q on the quotient coset s * H_N
// (bit-reversed, as hal/quotient.h returns it) -> chunk polynomials on H:
// Q(X) = sum_c X^(c n) q_c(X), q_c of degree < n, each Fp4 chunk as 4 base
// columns (column 4c + i holds coordinate i of q_c), evaluated on H in
// natural order, ready for the PCS.
#pragma once

#include <vector>

#include "prover/field/babybear.h"
#include "prover/matrix/matrix.h"

namespace zkvm::stark {

matrix::RowMajorMatrix<field::Fp> split_quotient(const std::vector<field::Fp4>& q_bitrev, unsigned log_n,
                                                 unsigned log_chunks, field::Fp shift);

}  // namespace zkvm::stark
