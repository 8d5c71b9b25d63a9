// Helpers for FRI/PCS tests: deterministic random field elements and
// low-degree codewords evaluated directly (no NTT), so the tests do not
// depend on the code under test to build their inputs.
#pragma once

#include <cstdint>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/fri/fold.h"

namespace zkvm::test {

using field::Fp;
using field::Fp4;

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull + 1) {}
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  Fp fp() { return Fp::from_u64(next()); }
  Fp4 fp4() { return Fp4::from_base(fp(), fp(), fp(), fp()); }
};

inline Fp4 horner(const std::vector<Fp4>& coeffs, Fp x) {
  Fp4 acc;
  for (size_t i = coeffs.size(); i-- > 0;) acc = acc * x + coeffs[i];
  return acc;
}

// Evaluations of the polynomial with these coefficients on H_log_n in
// bit-reversed order (the FRI input convention, fri.h).
inline std::vector<Fp4> codeword(const std::vector<Fp4>& coeffs, unsigned log_n) {
  const size_t n = size_t{1} << log_n;
  const Fp g = field::two_adic_generator(log_n);
  std::vector<Fp> pts(n);
  Fp x = Fp::one();
  for (size_t i = 0; i < n; ++i) {
    pts[i] = x;
    x *= g;
  }
  std::vector<Fp4> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = horner(coeffs, pts[fri::reverse_bits(i, log_n)]);
  return out;
}

inline std::vector<Fp4> random_poly(Rng& rng, size_t len) {
  std::vector<Fp4> c(len);
  for (auto& v : c) v = rng.fp4();
  return c;
}

}  // namespace zkvm::test
