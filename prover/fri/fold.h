// FRI folding arithmetic shared by prover (CpuHal::fri_fold) and verifier.
//
// Arity-2 step on a bit-reversed codeword of log size m: positions 2i and
// 2i+1 hold f(x) and f(-x) with x = g_m^rev_{m-1}(i). Writing f(X) =
// f_e(X^2) + X f_o(X^2):
//   f_e(x^2) = (y0 + y1) / 2,   f_o(x^2) = (y0 - y1) / (2x),
//   folded(x^2) = f_e(x^2) + beta * f_o(x^2),
// and position i of the folded codeword holds the value at x^2 =
// g_{m-1}^rev_{m-1}(i), again bit-reversed. An arity-2^k fold is k such
// steps, step s with its own challenge betas[s] (drawn one after another
// from the transcript), which yields sum_t (prod_{s : bit s of t} betas[s])
// f_t. Independent step challenges (not beta, beta^2, beta^4, ...) make
// each step a random line, so a fold of arity 2^k costs the soundness of
// k arity-2 folds, not a degree-(2^k - 1) curve (docs/SECURITY.md).
// Header-only; usable by the verifier (standard library only).
#pragma once

#include <cstdint>
#include <span>

#include "prover/field/babybear.h"

namespace zkvm::fri {

// The low `bits` bits of x in reverse order (bits <= 64).
inline uint64_t reverse_bits(uint64_t x, unsigned bits) {
  if (bits == 0) return 0;
  x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
  x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
  x = ((x >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((x & 0x0F0F0F0F0F0F0F0Full) << 4);
  x = __builtin_bswap64(x);
  return x >> (64 - bits);
}

inline constexpr field::Fp kInvTwo = field::Fp::from_canonical((field::Fp::kModulus + 1) / 2);

// (y0 + y1)/2 + beta (y0 - y1) * half_inv_x, half_inv_x = 1/(2x).
inline field::Fp4 fold_pair(const field::Fp4& y0, const field::Fp4& y1, const field::Fp4& beta,
                            field::Fp half_inv_x) {
  return (y0 + y1) * kInvTwo + beta * ((y0 - y1) * half_inv_x);
}

// 1/(2x) for pair i of a codeword of log size m (m >= 1).
inline field::Fp half_inv_x(unsigned m, uint64_t i) {
  const uint64_t n = uint64_t{1} << m;
  const uint64_t e = reverse_bits(i, m - 1);
  // x^-1 = g^(n - e) (g has order n).
  return field::two_adic_generator(m).pow((n - e) % n) * kInvTwo;
}

// Verifier: folds one leaf (the 2^k values of coset index `leaf` of a layer
// of log size m, k = betas.size()) down to the single value of the folded
// codeword at position `leaf`. values is overwritten.
inline field::Fp4 fold_coset(std::span<field::Fp4> values, unsigned m, uint64_t leaf,
                             std::span<const field::Fp4> betas) {
  size_t len = values.size();  // 2^k
  for (unsigned s = 0; s < betas.size(); ++s) {
    const unsigned ms = m - s;  // log size of the codeword at this step
    const size_t half = len / 2;
    for (size_t j = 0; j < half; ++j) {
      // Global pair index in the step's codeword: leaf * half + j.
      const uint64_t pair = leaf * half + j;
      values[j] = fold_pair(values[2 * j], values[2 * j + 1], betas[s], half_inv_x(ms, pair));
    }
    len = half;
  }
  return values[0];
}

}  // namespace zkvm::fri
