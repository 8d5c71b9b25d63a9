// Security estimate of a FRI/PCS configuration (docs/SECURITY.md explains
// each term and where it comes from). Standard library only.
#pragma once

#include <cstddef>

#include "prover/fri/fri.h"

namespace zkvm::fri {

struct SecurityEstimate {
  // Query phase: num_queries * log2(1/rate) + pow_bits (ethSTARK conjecture:
  // a word far from the code passes one query w.p. <= rate).
  double query_bits;
  // Algebraic challenges drawn from Fp4 (DEEP point, batching alpha, fold
  // betas): log2|Fp4| - log2|D_max| (ethSTARK / winterfell conjectured
  // accounting).
  double field_bits;
  // SHA-256 Merkle trees and Fiat-Shamir: collision resistance.
  double hash_bits;
  // min(query_bits, field_bits, hash_bits): the headline figure.
  double conjectured;

  // Finer counting of the algebraic terms (proximity-gaps style union
  // bounds), reported for information; see docs/SECURITY.md.
  // log2|F| - log2(sum over arity-2 fold steps of |D_step| + sum over the
  // heights where an input may join of |D_h|): every step and every input
  // combination is a random line with its own challenge.
  double fold_bits;
  double batching_bits;  // log2|F| - log2(2 |D_max|): PCS batch, two independent-coefficient steps
  double deep_bits;      // log2|F| - log2(points * constraint_degree * N_max)
  // min over every term above (query, field, hash, fold, batching, deep):
  // the figure stark::verify enforces as its security floor.
  double strict;

  // Query phase under what is proven today (Johnson bound, per-query error
  // about sqrt(rate)): num_queries * log_blowup / 2 + pow_bits. Not part of
  // `conjectured`; docs/SECURITY.md, "Proven versus conjectured".
  double johnson_query_bits;
};

// log_max_lde: log2 of the largest committed LDE (trace height * blowup),
// in [log_blowup + log_final_poly_len, 27] (what FRI accepts); throws
// std::invalid_argument outside. constraint_degree and opening_points size
// the DEEP (out-of-domain) term.
SecurityEstimate estimate_security(const FriParams& params, unsigned log_max_lde,
                                   unsigned constraint_degree = 3, unsigned opening_points = 2);

}  // namespace zkvm::fri
