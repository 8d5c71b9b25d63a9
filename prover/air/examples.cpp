#include "prover/air/examples.h"

#include <stdexcept>

namespace zkvm::air::examples {

RowMajorMatrix<Fp> fibonacci_trace(size_t height, Fp a0, Fp b0) {
  RowMajorMatrix<Fp> m(2, height);
  Fp a = a0, b = b0;
  for (size_t r = 0; r < height; ++r) {
    m.at(r, 0) = a;
    m.at(r, 1) = b;
    Fp t = a + b;
    a = b;
    b = t;
  }
  return m;
}

RowMajorMatrix<Fp> byte_values_trace(const std::vector<uint32_t>& xs, size_t height) {
  if (xs.size() > height) throw std::invalid_argument("byte_values_trace: more values than rows");
  RowMajorMatrix<Fp> m(3, height);
  for (size_t r = 0; r < xs.size(); ++r) {
    Fp x = Fp::from_u64(xs[r]);
    m.at(r, 0) = x;
    m.at(r, 1) = Fp::one();
    m.at(r, 2) = x * x * x;
  }
  return m;  // padding rows: x = 0, enabled = 0, y = 0
}

std::optional<RowMajorMatrix<Fp>> ByteTableAir::preprocessed_trace() const {
  RowMajorMatrix<Fp> m(1, 256);
  for (size_t r = 0; r < 256; ++r) m.at(r, 0) = Fp::from_u64(r);
  return m;
}

RowMajorMatrix<Fp> byte_table_trace(const RowMajorMatrix<Fp>& values) {
  RowMajorMatrix<Fp> m(1, 256);
  for (size_t r = 0; r < values.height; ++r) {
    if (values.at(r, 1).is_zero()) continue;
    uint32_t x = values.at(r, 0).canonical();
    if (x < 256) m.at(x, 0) += Fp::one();  // out-of-range values stay unmatched
  }
  return m;
}

std::vector<PublicInteraction> OutputAir::public_interactions(std::span<const Fp> publics) const {
  std::vector<PublicInteraction> out;
  for (Fp v : publics) out.push_back(PublicInteraction{kOutputBus, {v}, Fp::one(), false});
  return out;
}

RowMajorMatrix<Fp> output_trace(const std::vector<uint32_t>& values, size_t height) {
  if (values.size() > height) throw std::invalid_argument("output_trace: more values than rows");
  RowMajorMatrix<Fp> m(2, height);
  for (size_t r = 0; r < values.size(); ++r) {
    m.at(r, 0) = Fp::from_u64(values[r]);
    m.at(r, 1) = Fp::one();
  }
  return m;
}

RowMajorMatrix<Fp> synthetic_trace(size_t width, size_t height, uint64_t seed) {
  RowMajorMatrix<Fp> m(width, height);
  uint64_t s = seed;
  for (size_t i = 0; i < width; ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    m.at(0, i) = Fp::from_u64(s >> 33);
  }
  for (size_t r = 1; r < height; ++r) {
    auto prev = m.row(r - 1);
    auto cur = m.row(r);
    for (size_t i = 0; i < width; ++i) cur[i] = prev[i] * prev[i] * prev[i] + prev[(i + 1) % width];
  }
  return m;
}

}  // namespace zkvm::air::examples
