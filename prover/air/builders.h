// The four builders behind Air::eval (see air.h). Included by air.h only.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "prover/air/packed_expr.h"

namespace zkvm::air {

// (a) Symbolic degree analysis. Also validates column/public indices so a
// mis-indexed AIR is reported when it is first analysed, not as a wrong proof.
class DegreeBuilder : public BuilderOps<DegreeBuilder, Deg> {
 public:
  using Expr = Deg;
  DegreeBuilder(size_t width, size_t pre_width, size_t num_pub)
      : width_(width), pre_width_(pre_width), num_pub_(num_pub) {}

  Deg main(size_t c) { check(c, width_, "main column"); return Deg(1); }
  Deg main_next(size_t c) { return main(c); }
  Deg pre(size_t c) { check(c, pre_width_, "preprocessed column"); return Deg(1); }
  Deg pre_next(size_t c) { return pre(c); }
  Deg pub(size_t i) { check(i, num_pub_, "public value"); return Deg(0); }
  Deg lit(uint32_t) { return Deg(0); }
  Deg is_first_row() { return Deg(1); }
  Deg is_last_row() { return Deg(1); }
  Deg is_transition() { return Deg(0); }

  void assert_zero(const char*, const Deg& e) { note(e.d); }
  void interact(uint32_t bus, std::span<const Deg> tuple, const Deg& mult, bool) {
    unsigned t = 0;
    for (const Deg& x : tuple) t = std::max(t, x.d);
    // Its own column's constraint degree bounds the table's (the grouping
    // in finish_logup never exceeds the maximum with every fraction alone).
    max_degree = std::max(max_degree, std::max(1 + t, mult.d));
    fractions_.push_back({t, mult.d});
    ++interactions;
    max_tuple_len = std::max(max_tuple_len, tuple.size());
    // SOUNDNESS: the fingerprint bus + sum beta^(j+1) t_j does not encode the
    // tuple length ((a) and (a, 0) collide) and reduces the bus id mod p, so
    // every bus must carry tuples of one length and ids must be below p.
    if (bus >= Fp::kModulus)
      throw std::invalid_argument("bus id " + std::to_string(bus) + " is not below the field modulus");
    const auto [it, inserted] = bus_arity.emplace(bus, tuple.size());
    if (!inserted && it->second != tuple.size())
      throw std::invalid_argument("bus " + std::to_string(bus) + " is used with tuples of length " +
                                  std::to_string(it->second) + " and " + std::to_string(tuple.size()));
  }
  // Groups the fractions (greedily, in call order: each ungrouped one takes
  // the next ungrouped partner whose pair constraint fits the degree the
  // table has anyway), then counts one constraint per group and the three
  // running-sum constraints.
  void finish_logup() {
    if (interactions == 0) return;
    max_degree = std::max(max_degree, 2u);  // first/last-row running-sum constraints: selector * column
    const unsigned cap = max_degree;
    std::vector<bool> taken(fractions_.size(), false);
    for (uint32_t a = 0; a < fractions_.size(); ++a) {
      if (taken[a]) continue;
      taken[a] = true;
      std::vector<uint32_t> g{a};
      unsigned d = std::max(1 + fractions_[a].tuple, fractions_[a].mult);
      for (uint32_t b = a + 1; b < fractions_.size(); ++b) {
        if (taken[b]) continue;
        const unsigned pd = pair_degree(fractions_[a], fractions_[b]);
        if (pd <= cap) {
          taken[b] = true;
          g.push_back(b);
          d = pd;
          break;
        }
      }
      note(d);
      groups.push_back(std::move(g));
    }
    note(2);
    note(1);
    note(2);
  }

  size_t constraints = 0;
  size_t interactions = 0;
  size_t max_tuple_len = 0;
  std::map<uint32_t, size_t> bus_arity;  // tuple length of each bus used
  unsigned max_degree = 1;
  std::vector<std::vector<uint32_t>> groups;  // AirShape::logup_groups

 private:
  struct Fraction {
    unsigned tuple, mult;  // degrees of the fingerprint and the multiplicity
  };
  static unsigned pair_degree(const Fraction& a, const Fraction& b) {
    return std::max({1 + a.tuple + b.tuple, a.mult + b.tuple, b.mult + a.tuple});
  }
  std::vector<Fraction> fractions_;

  void note(unsigned d) {
    ++constraints;
    max_degree = std::max(max_degree, d);
  }
  static void check(size_t i, size_t n, const char* what) {
    if (i >= n)
      throw std::out_of_range(std::string("AIR uses ") + what + " " + std::to_string(i) + " but has only " +
                              std::to_string(n));
  }
  size_t width_, pre_width_, num_pub_;
};

// LogUp fingerprint of a bus tuple: bus + sum_j beta^(j+1) t_j (beta_pows
// holds beta^0 .. beta^len); a fraction's denominator is alpha minus it.
inline Fp4 logup_fingerprint(uint32_t bus, std::span<const Fp> tuple, std::span<const Fp4> beta_pows) {
  Fp4 f = Fp4(Fp::from_u64(bus));
  for (size_t j = 0; j < tuple.size(); ++j) f += beta_pows[j + 1] * tuple[j];
  return f;
}

// One trace row (and the next) as exact field values: the column accessors
// of the checker and the fraction builder.
struct FpRowView {
  std::span<const Fp> local, next, pre_local, pre_next_row, publics;
  Fp main(size_t c) const { return local[c]; }
  Fp main_next(size_t c) const { return next[c]; }
  Fp pre(size_t c) const { return pre_local[c]; }
  Fp pre_next(size_t c) const { return pre_next_row[c]; }
  Fp pub(size_t i) const { return publics[i]; }
  Fp lit(uint32_t u) const { return Fp::from_u64(u); }
};

// (d) Debug checker row evaluation (Fp, exact). Records the first failing
// constraint of the row and the evaluated bus tuples.
class CheckBuilder : public BuilderOps<CheckBuilder, Fp>, public FpRowView {
 public:
  using Expr = Fp;
  struct Tuple {
    uint32_t bus;
    std::vector<Fp> values;
    Fp mult;  // signed: +m for send, -m for receive
  };

  size_t row = 0, height = 0;

  Fp is_first_row() const { return row == 0 ? Fp::one() : Fp::zero(); }
  Fp is_last_row() const { return row + 1 == height ? Fp::one() : Fp::zero(); }
  Fp is_transition() const { return row + 1 == height ? Fp::zero() : Fp::one(); }

  void assert_zero(const char* name, const Fp& e) {
    if (!e.is_zero() && failed == nullptr) failed = name;
  }
  // Records every interaction, in order, zero multiplicities included (the
  // prover builds the LogUp aux columns from these).
  void interact(uint32_t bus, std::span<const Fp> tuple, const Fp& mult, bool send) {
    tuples.push_back(Tuple{bus, std::vector<Fp>(tuple.begin(), tuple.end()), send ? mult : -mult});
  }
  void finish_logup() {}

  const char* failed = nullptr;
  std::vector<Tuple> tuples;
};

// (e) LogUp fractions of one row for the prover's aux trace: each
// interaction's denominator alpha - fingerprint(bus, tuple) and signed
// multiplicity, written in call order to den[] and num[] (as many slots as
// the AIR has interactions; an interaction of multiplicity 0 gets the
// denominator 1). Constraints are not evaluated (assert_zero does nothing),
// and nothing is allocated per row.
class FractionBuilder : public BuilderOps<FractionBuilder, Fp>, public FpRowView {
 public:
  using Expr = Fp;
  Fp4 alpha;
  std::span<const Fp4> beta_pows;  // beta^0 .. beta^(max tuple len)
  Fp4* den = nullptr;
  Fp* num = nullptr;
  size_t count = 0, capacity = 0;  // interactions seen this row; slots in den[], num[]
  size_t row = 0, last = 0;  // this row; the last constrained row (n - 1 - zk random rows)

  Fp is_first_row() const { return row == 0 ? Fp::one() : Fp::zero(); }
  Fp is_last_row() const { return row == last ? Fp::one() : Fp::zero(); }
  Fp is_transition() const { return row == last ? Fp::zero() : Fp::one(); }

  void assert_zero(const char*, const Fp&) {}
  void interact(uint32_t bus, std::span<const Fp> tuple, const Fp& mult, bool send) {
    if (count < capacity) {  // a row with more interactions than the shape is caught by count
      // An inactive interaction's fraction is 0 whatever its denominator,
      // which build_aux neither inverts nor checks: skip the fingerprint
      // (most of the CPU table's slots on any row).
      den[count] = mult.is_zero() ? Fp4::one() : alpha - logup_fingerprint(bus, tuple, beta_pows);
      num[count] = send ? mult : -mult;
    }
    ++count;
  }
  void finish_logup() {}
};

// (b)/(c) Evaluation of the random linear combination sum_i alpha^i C_i at
// one point: a quotient-coset row (E = Fp, prover), a block of rows (E =
// PackedFp, prover, SIMD) or zeta (E = Fp4, verifier). EF is the matching
// extension type. Constraint order is the order of the calls in
// constraints(b), then the LogUp constraints; prover and verifier run the
// same code.
template <class E, class EF>
class EvalBuilderT : public BuilderOps<EvalBuilderT<E, EF>, E> {
 public:
  using Expr = E;
  // Aux columns: the prover passes flattened base coordinates (4 per Fp4
  // column), the verifier the recombined Fp4 values.
  using AuxT = std::conditional_t<std::is_same_v<E, Fp4>, Fp4, E>;

  // Values at the point ("local") and at g * point ("next").
  std::span<const E> local, next, pre_local, pre_next_row;
  std::span<const Fp> publics;
  std::span<const AuxT> aux_local, aux_next;
  E sel_first, sel_last, sel_transition;
  Fp4 logup_alpha, cumsum;
  // zk: the LogUp sum mask (docs/STARK.md "LogUp sums under zero
  // knowledge"; stark::LogupMask). logup_mask: 4 base columns of the
  // committed main row from logup_mask_col on (after the AIR's own
  // columns), added to the running sum on every row. logup_mask_row: the
  // committed main columns 0..3 of the row after the last constrained one
  // (the first random row), added to the final sum.
  bool logup_mask = false;
  bool logup_mask_row = false;
  size_t logup_mask_col = 0;
  std::span<const Fp4> beta_pows;    // beta^0 .. beta^(max tuple len)
  std::span<const Fp4> alpha_pows;   // constraint-combination powers
  // AirShape::logup_groups of the table: which fractions share a column.
  std::span<const std::vector<uint32_t>> logup_groups;
  EF acc;
  size_t index = 0;
  size_t interactions = 0;

  // The statement's and the challenges' fields from any inputs struct that
  // names them alike (hal::QuotientInputs: the CPU kernel and the recorded
  // program set up their builders from it).
  template <class In>
  void set_statement(const In& in) {
    publics = in.publics;
    logup_alpha = in.logup_alpha;
    cumsum = in.cumsum;
    logup_mask = in.logup_mask;
    logup_mask_row = in.logup_mask_row;
    logup_mask_col = in.logup_mask_col;
    beta_pows = in.beta_pows;
    alpha_pows = in.alpha_pows;
    logup_groups = in.logup_groups;
  }

  void reset() {
    acc = EF();
    index = 0;
    interactions = 0;
    denom_.clear();
    num_.clear();
  }

  E main(size_t c) const { return local[c]; }
  E main_next(size_t c) const { return next[c]; }
  E pre(size_t c) const { return pre_local[c]; }
  E pre_next(size_t c) const { return pre_next_row[c]; }
  E pub(size_t i) const { return E(publics[i]); }
  E lit(uint32_t u) const { return E(Fp::from_u64(u)); }
  E is_first_row() const { return sel_first; }
  E is_last_row() const { return sel_last; }
  E is_transition() const { return sel_transition; }

  void assert_zero(const char*, const E& e) { acc += alpha_pows[index++] * e; }
  void assert_zero_ext(const EF& e) { acc += alpha_pows[index++] * e; }

  // Records the fraction; its constraint is emitted with its group's.
  void interact(uint32_t bus, std::span<const E> tuple, const E& mult, bool send) {
    EF combined = EF(Fp4(Fp::from_u64(bus)));
    for (size_t j = 0; j < tuple.size(); ++j) combined += beta_pows[j + 1] * tuple[j];
    denom_.push_back(EF(logup_alpha) - combined);
    num_.push_back(EF(send ? mult : -mult));
    ++interactions;
  }
  void finish_logup() {
    if (interactions == 0) return;
    // The groups are AirShape::logup_groups of this AIR (every caller sets
    // them from the shape); an unset span is the one way to get them wrong.
    if (logup_groups.empty()) throw std::logic_error("LogUp: the evaluation builder has no fraction groups");
    EF sum_h_local, sum_h_next;
    for (size_t gi = 0; gi < logup_groups.size(); ++gi) {
      const auto& g = logup_groups[gi];
      const EF h = aux_value(aux_local, gi);
      if (g.size() == 1) {
        assert_zero_ext(h * denom_[g[0]] - num_[g[0]]);
      } else {
        const EF &da = denom_[g[0]], &db = denom_[g[1]];
        assert_zero_ext(h * da * db - num_[g[0]] * db - num_[g[1]] * da);
      }
      sum_h_local += h;
      sum_h_next += aux_value(aux_next, gi);
    }
    const size_t ns = logup_groups.size();
    const EF s = aux_value(aux_local, ns);
    const EF s_next = aux_value(aux_next, ns);
    EF mask_local, mask_next, mask_end;
    if (logup_mask) {
      mask_local = ext_at(local, logup_mask_col);
      mask_next = ext_at(next, logup_mask_col);
    }
    if (logup_mask_row) mask_end = ext_at(next, 0);
    assert_zero_ext((s - sum_h_local - mask_local) * sel_first);
    assert_zero_ext((s_next - s - sum_h_next - mask_next) * sel_transition);
    assert_zero_ext((s + mask_end - EF(cumsum)) * sel_last);
  }

 private:
  // Fp4 element from 4 base columns: h = c0 + x c1 + x^2 c2 + x^3 c3 (the
  // verifier holds each column's value at the point, itself in Fp4).
  static EF ext_at(std::span<const E> v, size_t c) {
    if constexpr (std::is_same_v<E, Fp4>) {
      const Fp4 x = Fp4::x();
      return v[c] + x * v[c + 1] + x * x * v[c + 2] + x * x * x * v[c + 3];
    } else {
      return EF::from_base(v[c], v[c + 1], v[c + 2], v[c + 3]);
    }
  }
  static EF aux_value(std::span<const AuxT> a, size_t k) {
    if constexpr (std::is_same_v<AuxT, Fp4>) {
      return a[k];
    } else {
      return EF::from_base(a[4 * k], a[4 * k + 1], a[4 * k + 2], a[4 * k + 3]);
    }
  }
  std::vector<EF> denom_, num_;  // per interaction of the current point
};

class QuotientBuilder : public EvalBuilderT<Fp, Fp4> {};
class PackedQuotientBuilder : public EvalBuilderT<PackedFp, PackedFp4> {};
class PointBuilder : public EvalBuilderT<Fp4, Fp4> {};

}  // namespace zkvm::air
