// Example AIRs used by the tests, the benchmark and the verifier's registry
// (prover/verify). Each shows one feature of the framework.
#pragma once

#include <cstdint>
#include <vector>

#include "prover/air/air.h"

namespace zkvm::air::examples {

// Fibonacci: columns (a, b); public values (a0, b0, b_last).
//   first row: a = a0, b = b0; transition: a' = b, b' = a + b;
//   last row: b = b_last.
class FibonacciAir : public AirBase<FibonacciAir> {
 public:
  std::string name() const override { return "fibonacci"; }
  size_t width() const override { return 2; }
  size_t num_public_values() const override { return 3; }
  template <class B>
  void constraints(B& b) const {
    auto a = b.main(0), bb = b.main(1), a2 = b.main_next(0), b2 = b.main_next(1);
    b.when_first("boundary: a = a0", a - b.pub(0));
    b.when_first("boundary: b = b0", bb - b.pub(1));
    b.when_transition("step: a' = b", a2 - bb);
    b.when_transition("step: b' = a + b", b2 - (a + bb));
    b.when_last("boundary: b = b_last", bb - b.pub(2));
  }
};
RowMajorMatrix<Fp> fibonacci_trace(size_t height, Fp a0, Fp b0);

inline constexpr uint32_t kByteBus = 1;

// Values that must be bytes: column x is sent on the byte bus with
// multiplicity `enabled` (a boolean column), and y = x^3 exercises a
// degree-3 constraint next to the lookup.
class ByteValuesAir : public AirBase<ByteValuesAir> {
 public:
  std::string name() const override { return "byte-values"; }
  size_t width() const override { return 3; }  // x, enabled, y
  std::string bus_name(uint32_t bus) const override { return bus == kByteBus ? "byte" : "bus " + std::to_string(bus); }
  template <class B>
  void constraints(B& b) const {
    auto x = b.main(0), en = b.main(1), y = b.main(2);
    b.assert_bool("enabled is boolean", en);
    b.assert_eq("y = x^3", y, x * x * x);
    b.send(kByteBus, {x}, en);  // SOUNDNESS: x is a byte wherever enabled = 1
  }
};
RowMajorMatrix<Fp> byte_values_trace(const std::vector<uint32_t>& xs, size_t height);

// The byte table: preprocessed column t = row (0..255), main column m =
// how often t is looked up. Receives (t) with multiplicity m.
class ByteTableAir : public AirBase<ByteTableAir> {
 public:
  std::string name() const override { return "byte-table"; }
  size_t width() const override { return 1; }
  size_t preprocessed_width() const override { return 1; }
  std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const override;
  std::string bus_name(uint32_t bus) const override { return bus == kByteBus ? "byte" : "bus " + std::to_string(bus); }
  template <class B>
  void constraints(B& b) const {
    b.receive(kByteBus, {b.pre(0)}, b.main(0));
  }
};
// Multiplicities for the values trace (counts of enabled x's).
RowMajorMatrix<Fp> byte_table_trace(const RowMajorMatrix<Fp>& values);

inline constexpr uint32_t kOutputBus = 2;

// Declared outputs: column v (with boolean `enabled`) is sent on the output
// bus; the public values are the expected outputs, received as public
// boundary terms, so the proof shows the enabled v's are exactly the public
// multiset. Shows LogUp public boundary terms.
class OutputAir : public AirBase<OutputAir> {
 public:
  static constexpr size_t kOutputs = 4;
  std::string name() const override { return "outputs"; }
  size_t width() const override { return 2; }  // v, enabled
  size_t num_public_values() const override { return kOutputs; }
  std::string bus_name(uint32_t bus) const override { return bus == kOutputBus ? "output" : "bus " + std::to_string(bus); }
  std::vector<PublicInteraction> public_interactions(std::span<const Fp> publics) const override;
  template <class B>
  void constraints(B& b) const {
    b.assert_bool("enabled is boolean", b.main(1));
    b.send(kOutputBus, {b.main(0)}, b.main(1));
  }
};
// Rows: the values (enabled), then disabled padding.
RowMajorMatrix<Fp> output_trace(const std::vector<uint32_t>& values, size_t height);

// Synthetic benchmark AIR: `width` columns, transition
//   c_i' = c_i^3 + c_{i+1 mod width}   (degree 3)
// and a first-row constraint c_0 = public 0.
class SyntheticAir : public AirBase<SyntheticAir> {
 public:
  explicit SyntheticAir(size_t width) : width_(width) {}
  std::string name() const override { return "synthetic-" + std::to_string(width_); }
  size_t width() const override { return width_; }
  size_t num_public_values() const override { return 1; }
  template <class B>
  void constraints(B& b) const {
    b.when_first("boundary: c0 = public 0", b.main(0) - b.pub(0));
    for (size_t i = 0; i < width_; ++i) {
      auto c = b.main(i);
      b.when_transition("step: c_i' = c_i^3 + c_(i+1)", b.main_next(i) - (c * c * c + b.main((i + 1) % width_)));
    }
  }

 private:
  size_t width_;
};
RowMajorMatrix<Fp> synthetic_trace(size_t width, size_t height, uint64_t seed);

}  // namespace zkvm::air::examples
