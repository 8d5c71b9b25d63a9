#include "prover/field/babybear.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace zkvm::field {
namespace {
template <class F>
void batch_inverse_impl(std::span<const F> in, std::span<F> out, const char* what) {
  if (in.size() != out.size())
    throw std::invalid_argument(std::string("batch_inverse<") + what + ">: input has " +
                                std::to_string(in.size()) + " elements but output has " +
                                std::to_string(out.size()));
  const size_t n = in.size();
  if (n == 0) return;
  // prefix[i] = in[0] * ... * in[i-1]; one inversion of the full product,
  // then walk back. in may alias out, so read in[i] before writing out[i].
  std::vector<F> prefix(n);
  F acc = F::one();
  for (size_t i = 0; i < n; ++i) {
    if (in[i].is_zero())
      throw std::invalid_argument(std::string("batch_inverse<") + what + ">: element " +
                                  std::to_string(i) + " is zero and has no inverse");
    prefix[i] = acc;
    acc *= in[i];
  }
  F inv = acc.inverse();
  for (size_t i = n; i-- > 0;) {
    const F x = in[i];
    out[i] = inv * prefix[i];
    inv *= x;
  }
}
}  // namespace

void batch_inverse(std::span<const Fp> in, std::span<Fp> out) {
  batch_inverse_impl<Fp>(in, out, "Fp");
}
void batch_inverse(std::span<const Fp4> in, std::span<Fp4> out) {
  batch_inverse_impl<Fp4>(in, out, "Fp4");
}

}  // namespace zkvm::field
