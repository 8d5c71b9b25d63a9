// Dense row-major matrix: row i occupies values[i*width, (i+1)*width).
// Row-major because every prover kernel (NTT butterflies, Merkle leaves,
// constraint evaluation) touches whole rows. Indices are size_t throughout:
// rows * width exceeds 2^32 for real traces (STYLE.md, 64-bit indices).
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace zkvm::matrix {

template <class T>
struct RowMajorMatrix {
  size_t width = 0;
  size_t height = 0;
  std::vector<T> values;

  RowMajorMatrix() = default;
  // Zero-filled (value-initialised) width x height matrix.
  RowMajorMatrix(size_t w, size_t h) : width(w), height(h), values(checked_size(w, h)) {}
  // Takes ownership of values; its size must be width * height.
  RowMajorMatrix(std::vector<T> v, size_t w) : width(w), height(0), values(std::move(v)) {
    if (w == 0) {
      if (!values.empty())
        throw std::invalid_argument("RowMajorMatrix: width 0 with " +
                                    std::to_string(values.size()) + " values");
      return;
    }
    if (values.size() % w != 0)
      throw std::invalid_argument("RowMajorMatrix: " + std::to_string(values.size()) +
                                  " values is not a multiple of width " + std::to_string(w));
    height = values.size() / w;
  }

  std::span<T> row(size_t i) { return {values.data() + i * width, width}; }
  std::span<const T> row(size_t i) const { return {values.data() + i * width, width}; }
  T& at(size_t r, size_t c) { return values[r * width + c]; }
  const T& at(size_t r, size_t c) const { return values[r * width + c]; }
  size_t size() const { return values.size(); }

  // Column c as a vector (copies; for tests and small matrices).
  std::vector<T> column(size_t c) const {
    std::vector<T> out(height);
    for (size_t r = 0; r < height; ++r) out[r] = values[r * width + c];
    return out;
  }

  bool operator==(const RowMajorMatrix&) const = default;

 private:
  static size_t checked_size(size_t w, size_t h) {
    if (w != 0 && h > SIZE_MAX / w)
      throw std::length_error("RowMajorMatrix: " + std::to_string(w) + " x " +
                              std::to_string(h) + " overflows size_t");
    return w * h;
  }
};

}  // namespace zkvm::matrix

namespace zkvm {
using matrix::RowMajorMatrix;
}  // namespace zkvm
