// AIR framework: an AIR writes its constraints ONCE, in a templated
// `constraints(B& b)` over a builder B, and that one function serves
//   (a) DegreeBuilder   - symbolic degree analysis (quotient split),
//   (b) QuotientBuilder / PackedQuotientBuilder - the prover over the
//       quotient coset, one row (Fp) or one SIMD block of rows (PackedFp),
//   (c) PointBuilder    - the verifier, at the out-of-domain point zeta (Fp4),
//   (d) CheckBuilder    - the debug checker, row by row over the trace (Fp),
//   (e) RecordBuilder   - records the quotient evaluation as a program for
//       backends that cannot run C++ AIRs (record_expr.h).
// (Plonky3's Air::eval(builder) is the model.)
//
// Builder vocabulary used inside constraints(b) (every builder provides it):
//   b.main(c), b.main_next(c)       main column c on this / the next row
//   b.pre(c), b.pre_next(c)         preprocessed (fixed) column c
//   b.pub(i)                        public value i
//   b.lit(u)                        the constant u
//   b.is_first_row(), b.is_last_row(), b.is_transition()   selectors
//   b.assert_zero("name", e)        constraint e == 0 on every row
//   b.assert_eq("name", x, y)
//   b.when_first("name", e) / b.when_last / b.when_transition
//   b.send(bus, {t0, t1, ...}, m) / b.receive(bus, {...}, m)   LogUp bus
//
// LogUp (soundness argument, docs/STARK.md "LogUp bus"): interaction k of a
// table has the fraction m_k / (alpha - f_k), f_k = bus + sum_j beta^(j+1) t_j
// (sends count +m, receives -m). The fractions are grouped, one or two per
// auxiliary Fp4 column h_g (AirShape::logup_groups, fixed by the AIR's
// degrees, so prover and verifier agree):
//     one:  h_g * (alpha - f_a) - m_a = 0
//     two:  h_g * (alpha - f_a) (alpha - f_b) - m_a (alpha - f_b) - m_b (alpha - f_a) = 0
// on every row, and one running-sum Fp4 column s with
//     first row:  s - sum_g h_g = 0
//     transition: s' - s - sum_g h_g' = 0
//     last row:   s - cumsum = 0
// where cumsum (per table) is sent in the proof. The verifier checks that the
// cumsums of all tables add to zero. Degree of a single fraction's
// constraint: max(1 + deg f, deg m); of a pair's: max(1 + deg f_a + deg f_b,
// deg m_a + deg f_b, deg m_b + deg f_a). Two fractions share a column only
// when that does not raise the table's maximum constraint degree.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/matrix/matrix.h"

namespace zkvm::air {

using field::Fp;
using field::Fp4;
using matrix::RowMajorMatrix;

// Degree of an expression in units of the trace length n (a trace column
// has degree 1, first/last-row selectors degree 1, the transition selector
// and constants degree 0), as in Plonky3's symbolic builder.
struct Deg {
  unsigned d = 0;
  Deg() = default;
  explicit Deg(unsigned v) : d(v) {}
  friend Deg operator+(Deg a, Deg b) { return Deg(std::max(a.d, b.d)); }
  friend Deg operator-(Deg a, Deg b) { return Deg(std::max(a.d, b.d)); }
  friend Deg operator*(Deg a, Deg b) { return Deg(a.d + b.d); }
  Deg operator-() const { return *this; }
  Deg& operator+=(Deg o) { return *this = *this + o; }
  Deg& operator-=(Deg o) { return *this = *this - o; }
  Deg& operator*=(Deg o) { return *this = *this * o; }
};

// Shared convenience layer over a builder's primitives (CRTP).
template <class Derived, class Expr>
struct BuilderOps {
  Derived& self() { return static_cast<Derived&>(*this); }
  void assert_eq(const char* name, const Expr& x, const Expr& y) { self().assert_zero(name, x - y); }
  void assert_bool(const char* name, const Expr& x) { self().assert_zero(name, x * (x - self().lit(1))); }
  void when_first(const char* name, const Expr& e) { self().assert_zero(name, self().is_first_row() * e); }
  void when_last(const char* name, const Expr& e) { self().assert_zero(name, self().is_last_row() * e); }
  void when_transition(const char* name, const Expr& e) { self().assert_zero(name, self().is_transition() * e); }
  void send(uint32_t bus, std::initializer_list<Expr> tuple, const Expr& mult) {
    self().interact(bus, std::span<const Expr>(tuple.begin(), tuple.size()), mult, true);
  }
  void receive(uint32_t bus, std::initializer_list<Expr> tuple, const Expr& mult) {
    self().interact(bus, std::span<const Expr>(tuple.begin(), tuple.size()), mult, false);
  }
};

// A bus term fixed by the statement rather than by a trace: the verifier
// adds +-mult / (alpha - fingerprint(tuple)) to the tables' LogUp sums
// (public boundary terms, e.g. a program's declared outputs).
struct PublicInteraction {
  uint32_t bus = 0;
  std::vector<Fp> tuple;
  Fp mult;
  bool send = true;
};

class DegreeBuilder;
class CheckBuilder;
class QuotientBuilder;
class PackedQuotientBuilder;
class PointBuilder;
class FractionBuilder;
class RecordBuilder;

// Type-erased AIR. Concrete AIRs derive from AirBase<Derived> and write
// `template <class B> void constraints(B& b) const`.
class Air {
 public:
  virtual ~Air() = default;
  virtual std::string name() const = 0;
  virtual size_t width() const = 0;
  virtual size_t preprocessed_width() const { return 0; }
  virtual size_t num_public_values() const { return 0; }
  // Fixed columns, part of the verifying key (committed once per program).
  // Height must be a power of two and equal the table's trace height.
  virtual std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const { return std::nullopt; }
  // Public boundary terms of this table, computed from its public values
  // (trusted: part of the statement). Default: none.
  virtual std::vector<PublicInteraction> public_interactions(std::span<const Fp> publics) const {
    (void)publics;
    return {};
  }
  // Human-readable bus name for checker messages.
  virtual std::string bus_name(uint32_t bus) const { return "bus " + std::to_string(bus); }
  // Rows at the end of every honest trace that are padding: no bus
  // multiplicity, nothing a later row or a last-row constraint depends on
  // beyond what the row before them already satisfies. With zero knowledge
  // and at least zk_mask_degree such rows, the prover overwrites the last
  // zk_mask_degree rows with uniform values and the constraints and LogUp
  // sums skip them (docs/STARK.md "Zero knowledge: random rows"); the table
  // is then committed at n rows instead of 2n. Default 0: the 2n scheme.
  // Part of the AIR's definition (both sides read it): changing it changes
  // the statement, like changing a constraint.
  virtual size_t zk_free_rows() const { return 0; }
  // May a proof leave this table out (log height 0 in the proof: no rows,
  // nothing committed, opened or summed for it)? Only where, for any public
  // values, some trace of padding rows alone (every bus multiplicity zero)
  // satisfies the AIR, so that absence proves nothing such a trace would
  // not: its LogUp sum is 0 and nothing else depends on its rows. Its
  // public values and public bus terms stay part of the statement. Such an
  // AIR has no preprocessed columns (prepare_vk checks). The prover marks
  // the table absent by a trace of height 0. Part of the AIR's definition,
  // like zk_free_rows. Default false.
  virtual bool may_be_absent() const { return false; }

  virtual void eval(DegreeBuilder& b) const = 0;
  virtual void eval(CheckBuilder& b) const = 0;
  virtual void eval(QuotientBuilder& b) const = 0;
  virtual void eval(PackedQuotientBuilder& b) const = 0;
  virtual void eval(PointBuilder& b) const = 0;
  virtual void eval(FractionBuilder& b) const = 0;
  virtual void eval(RecordBuilder& b) const = 0;
};

}  // namespace zkvm::air

#include "prover/air/builders.h"
#include "prover/air/record_expr.h"

namespace zkvm::air {

template <class Derived>
class AirBase : public Air {
 public:
  void eval(DegreeBuilder& b) const override { run(b); }
  void eval(CheckBuilder& b) const override { run(b); }
  void eval(QuotientBuilder& b) const override { run(b); }
  void eval(PackedQuotientBuilder& b) const override { run(b); }
  void eval(PointBuilder& b) const override { run(b); }
  void eval(FractionBuilder& b) const override { run(b); }
  void eval(RecordBuilder& b) const override { run(b); }

 private:
  template <class B>
  void run(B& b) const {
    static_cast<const Derived*>(this)->constraints(b);
    b.finish_logup();
  }
};

// Shape facts about an AIR found by symbolic evaluation.
struct AirShape {
  size_t num_constraints = 0;      // base + extension, LogUp included
  size_t num_interactions = 0;     // LogUp interactions
  // The interactions (indices in call order) summed in each aux column h_g:
  // one or two each, every interaction in exactly one group, groups ordered
  // by their first interaction.
  std::vector<std::vector<uint32_t>> logup_groups;
  size_t max_tuple_len = 0;        // longest bus tuple
  std::map<uint32_t, size_t> bus_arity;  // tuple length of each bus the table uses
  unsigned max_degree = 1;         // max constraint degree in units of n
  unsigned log_quotient_chunks = 0;  // quotient split into 2^this chunks
  // Fp4 aux columns: one per group and the running sum (0 without a bus).
  size_t aux_width() const { return num_interactions == 0 ? 0 : logup_groups.size() + 1; }
  size_t quotient_chunks() const { return size_t{1} << log_quotient_chunks; }
};

AirShape analyse(const Air& air);

}  // namespace zkvm::air
