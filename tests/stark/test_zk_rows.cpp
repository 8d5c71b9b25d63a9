// Zero knowledge by random rows (docs/STARK.md "Zero knowledge: random
// rows"): a table whose AIR declares Air::zk_free_rows >= zk_mask_degree is
// committed at its own height, its last m rows random and unconstrained.
// These tests pin what the verifier enforces there: every row before the
// random ones (the last of them is the "last row"), the LogUp sum up to it,
// and nothing after it.
#include <catch2/catch.hpp>

#include "prover/air/examples.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"
#include "tests/stark/stark_test_support.h"

using namespace zkvm;
using namespace zkvm::air;
using namespace zkvm::stark_test;

namespace {

// x counts the enabled rows before it (x' = x + en, en only falls from 1 to
// 0), y = x^3 (degree 3), x is sent on the byte bus where enabled, and the
// last row pins x to public 0 (the count). Padding (en = 0) repeats the last
// x, so an honest trace satisfies the AIR on all n rows.
class CountAir : public AirBase<CountAir> {
 public:
  explicit CountAir(size_t free_rows) : free_(free_rows) {}
  std::string name() const override { return "count"; }
  size_t width() const override { return 3; }  // x, en, y
  size_t num_public_values() const override { return 1; }
  size_t zk_free_rows() const override { return free_; }
  template <class B>
  void constraints(B& b) const {
    auto x = b.main(0), en = b.main(1), y = b.main(2);
    auto one = b.lit(1);
    b.assert_bool("en is boolean", en);
    b.assert_eq("y = x^3", y, x * x * x);
    b.when_first("x starts at 0", x);
    b.when_transition("x counts enabled rows", b.main_next(0) - x - en);
    b.when_transition("en only falls", (one - en) * b.main_next(1));
    b.when_last("x is the public count", x - b.pub(0));
    b.send(examples::kByteBus, {x}, en);
  }

 private:
  size_t free_;
};

struct Statement {
  CountAir count;
  examples::ByteTableAir table;
  RowMajorMatrix<Fp> values, lookups;
  std::vector<std::vector<Fp>> publics;
  Statement(size_t free_rows, size_t height, size_t enabled) : count(free_rows), values(3, height), lookups(1, 256) {
    for (size_t r = 0; r < height; ++r) {
      const size_t x = std::min(r, enabled);
      values.at(r, 0) = Fp::from_u64(x);
      values.at(r, 1) = Fp::from_u64(r < enabled ? 1 : 0);
      values.at(r, 2) = Fp::from_u64(x * x * x);
      if (r < enabled) lookups.at(x, 0) += Fp::one();
    }
    publics = {{Fp::from_u64(enabled)}, {}};
  }
  std::vector<const Air*> airs() const { return {&count, &table}; }
  std::vector<TableWitness> witnesses() const {
    return {{&count, &values, publics[0]}, {&table, &lookups, publics[1]}};
  }
};

struct Proved {
  stark::ProvingKey pk;
  stark::StarkProof proof;
  std::vector<uint8_t> bytes;
};

Proved prove(const Statement& s, bool check = true) {
  Proved p{stark::setup(0x7a6b7277, s.airs(), zk_config(), cpu()), {}, {}};
  stark::ProveOptions o;
  o.check_constraints = check;
  p.proof = stark::prove(p.pk, s.witnesses(), cpu(), o);
  p.bytes = stark::serialize_proof(p.proof);
  return p;
}

// zk_config: 4 queries, so m = 2 * 4 + 8 = 16 random rows.
constexpr size_t kM = 16, kN = 64, kLast = kN - 1 - kM;

}  // namespace

TEST_CASE("random rows: a table with enough free rows is committed at n rows, one without at 2n, both verify") {
  const Statement s(kM, kN, 20);
  const Proved p = prove(s);
  REQUIRE(stark::zk_random_rows(p.pk.vk, 0) == kM);
  REQUIRE(stark::zk_random_rows(p.pk.vk, 1) == 0);  // the byte table declares none: the 2n scheme
  const auto dims = stark::round_dims(p.pk.vk, p.proof.log_heights);
  const size_t r_main = 1;  // after the preprocessed round
  CHECK(dims[r_main][0].log_height == 6);
  CHECK(dims[r_main][1].log_height == 9);
  std::string why;
  CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
  INFO(why);
  // The quotient: degree 3, Q of degree <= 2n + m - 3 = 141 in chunks of
  // n - m = 48 coefficients.
  const auto ql = stark::quotient_layout(p.pk.vk, 0, 6);
  CHECK(ql.stride == kN - kM);
  CHECK(ql.chunks == 3);
  CHECK(ql.log_domain == 2);
  // One free row short of m: the 2n scheme.
  const Statement t(kM - 1, kN, 20);
  const Proved q = prove(t);
  CHECK(stark::zk_random_rows(q.pk.vk, 0) == 0);
  CHECK(stark::round_dims(q.pk.vk, q.proof.log_heights)[r_main][0].log_height == 7);
  CHECK_FALSE(rejects(q.pk.vk, q.bytes));
}

TEST_CASE("random rows: two proofs of one witness open different values and both verify") {
  const Statement s(kM, kN, 20);
  const Proved a = prove(s), b = prove(s);
  CHECK_FALSE(rejects(a.pk.vk, a.bytes));
  CHECK_FALSE(rejects(b.pk.vk, b.bytes));
  const size_t r_main = 1;
  CHECK(a.proof.opened[r_main][0][0] != b.proof.opened[r_main][0][0]);
}

TEST_CASE("random rows: verifier rejects a wrong cell in every constrained row, up to the last, and a wrong count") {
  // Without the checker, so only the verifier can object. Every row up to
  // n - 1 - m is constrained: a verifier that let one more row go (V_R of
  // m + 1 factors, or the last row one too early) accepts the cheat in
  // row kLast.
  for (size_t row : {size_t{0}, size_t{7}, size_t{19}, size_t{20}, kLast - 1, kLast}) {
    Statement s(kM, kN, 20);
    s.values.at(row, 0) += Fp::one();
    s.values.at(row, 2) = s.values.at(row, 0) * s.values.at(row, 0) * s.values.at(row, 0);  // keep y = x^3
    const Proved p = prove(s, false);
    std::string why;
    INFO("row " << row);
    CHECK(rejects(p.pk.vk, p.bytes, &why));
  }
  {
    // The public count is checked at the last constrained row: a verifier
    // that placed the last row among the random ones would accept.
    Statement s(kM, kN, 20);
    s.publics[0][0] += Fp::one();
    const Proved p = prove(s, false);
    std::string why;
    CHECK(rejects(p.pk.vk, p.bytes, &why));
    CHECK_THAT(why, Catch::Contains("constraints at zeta do not match the quotient"));
  }
  {
    // An extra lookup claimed by the table: the LogUp sums stop at the last
    // constrained row, and are off by one fraction.
    Statement s(kM, kN, 20);
    s.lookups.at(3, 0) += Fp::one();
    const Proved p = prove(s, false);
    std::string why;
    CHECK(rejects(p.pk.vk, p.bytes, &why));
    CHECK_THAT(why, Catch::Contains("LogUp"));
  }
}

TEST_CASE("random rows: the rows after the last constrained row are free, and the prover refuses a lookup there") {
  // Honest traces satisfy the AIR on all n rows; the random rows replace
  // the last m of them. A trace that breaks the AIR only there proves.
  {
    Statement s(kM, kN, 20);
    for (size_t r = kLast + 1; r < kN; ++r) s.values.at(r, 0) = Fp::from_u64(1000 + r);
    const Proved p = prove(s, false);
    std::string why;
    CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
    INFO(why);
  }
  // A lookup in a row that becomes random would be lost: the prover says so.
  Statement s(kM, kN, kLast + 2);
  s.publics[0][0] = Fp::from_u64(kLast + 2);
  CHECK_THROWS_WITH(prove(s, false), Catch::Contains("row " + std::to_string(kLast + 1)) &&
                                         Catch::Contains("zero knowledge replaces by random rows"));
  // Lookups up to the row before the last constrained one (whose x is then
  // the count).
  Statement ok(kM, kN, kLast);
  const Proved p = prove(ok);
  CHECK_FALSE(rejects(p.pk.vk, p.bytes));
}

TEST_CASE("random rows: a bus table with a spare random row carries its LogUp sum mask there (no mask columns)") {
  // m + 1 free rows: the table's first random row holds rho in committed
  // columns 0..3 (CountAir has 3, so one mask column pads it); the byte
  // table has no random rows and keeps 4 mask columns.
  const Statement s(kM + 1, kN, 20);
  const Proved a = prove(s), b = prove(s);
  const auto& vk = a.pk.vk;
  CHECK(stark::zk_random_rows(vk, 0) == kM + 1);
  CHECK(stark::logup_mask_kind(vk, 0) == stark::LogupMask::kRandomRow);
  CHECK(stark::committed_main_width(vk, 0) == 4);
  CHECK(stark::logup_mask_kind(vk, 1) == stark::LogupMask::kColumns);
  CHECK(stark::committed_main_width(vk, 1) == 1 + 4);
  std::string why;
  CHECK_FALSE(rejects(vk, a.bytes, &why));
  INFO(why);
  CHECK_FALSE(rejects(b.pk.vk, b.bytes));
  // The sums are masked: neither is the raw sum a guessed witness gives,
  // and they still total 0.
  const auto w = s.witnesses();
  for (const Proved* p : {&a, &b}) {
    const auto lc = replay_logup(p->pk.vk, p->proof);
    REQUIRE(p->proof.cumsums.size() == 2);
    for (size_t t = 0; t < 2; ++t) {
      const Fp4 raw = raw_logup_sum(w[t], lc.alpha, lc.beta, p->pk.vk.shapes[t].max_tuple_len);
      INFO("table " << t);
      CHECK_FALSE(raw.is_zero());
      CHECK(p->proof.cumsums[t] != raw);
    }
    CHECK((p->proof.cumsums[0] + p->proof.cumsums[1]).is_zero());
  }
  // With exactly m free rows: the 4 mask columns (kColumns).
  const Statement t(kM, kN, 20);
  const Proved c = prove(t);
  CHECK(stark::logup_mask_kind(c.pk.vk, 0) == stark::LogupMask::kColumns);
  CHECK(stark::committed_main_width(c.pk.vk, 0) == 3 + 4);
}
