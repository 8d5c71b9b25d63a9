#include <catch2/catch.hpp>

#include "prover/air/checker.h"
#include "prover/air/examples.h"

using namespace zkvm::air;
using namespace zkvm::air::examples;

namespace {
std::vector<Fp> fib_publics(const RowMajorMatrix<Fp>& t) {
  return {t.at(0, 0), t.at(0, 1), t.at(t.height - 1, 1)};
}
}  // namespace

TEST_CASE("degree analysis finds degree 3 and two quotient chunks for x^3 constraints") {
  SyntheticAir air(4);
  AirShape s = analyse(air);
  CHECK(s.max_degree == 3);
  CHECK(s.log_quotient_chunks == 1);
  CHECK(s.num_constraints == 5);
  CHECK(s.num_interactions == 0);
  CHECK(s.aux_width() == 0);
}

TEST_CASE("degree analysis counts LogUp interactions and their constraints") {
  ByteValuesAir v;
  AirShape s = analyse(v);
  CHECK(s.num_interactions == 1);
  CHECK(s.aux_width() == 2);
  CHECK(s.num_constraints == 2 + 1 + 3);
  CHECK(s.max_degree == 3);
  ByteTableAir t;
  CHECK(analyse(t).max_degree == 2);
}

TEST_CASE("checker accepts a correct Fibonacci trace") {
  FibonacciAir air;
  auto t = fibonacci_trace(16, Fp::one(), Fp::one());
  TableWitness w{&air, &t, fib_publics(t)};
  auto r = check_constraints(std::span(&w, 1));
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("checker names the table, row and constraint of every single wrong cell") {
  FibonacciAir air;
  const auto good = fibonacci_trace(8, Fp::one(), Fp::from_u64(2));
  for (size_t row = 0; row < good.height; ++row) {
    for (size_t col = 0; col < good.width; ++col) {
      auto t = good;
      t.at(row, col) += Fp::one();
      TableWitness w{&air, &t, fib_publics(good)};
      auto r = check_constraints(std::span(&w, 1));
      REQUIRE_FALSE(r.ok);
      CHECK(r.table == "fibonacci");
      // The first failing row is the changed row or the one before it.
      CHECK((r.row == row || r.row + 1 == row));
      CHECK_THAT(r.message, Catch::Contains("fibonacci") && Catch::Contains("row"));
    }
  }
  auto t = good;
  t.at(3, 1) += Fp::one();
  TableWitness w{&air, &t, fib_publics(good)};
  auto r = check_constraints(std::span(&w, 1));
  CHECK(r.row == 2);
  CHECK(r.constraint == "step: b' = a + b");
}

TEST_CASE("checker rejects wrong public values by boundary constraint name") {
  FibonacciAir air;
  auto t = fibonacci_trace(8, Fp::one(), Fp::one());
  auto pubs = fib_publics(t);
  pubs[2] += Fp::one();
  TableWitness w{&air, &t, pubs};
  auto r = check_constraints(std::span(&w, 1));
  REQUIRE_FALSE(r.ok);
  CHECK(r.row == 7);
  CHECK(r.constraint == "boundary: b = b_last");
}

TEST_CASE("checker accepts a balanced byte lookup across tables of different heights") {
  ByteValuesAir va;
  ByteTableAir ta;
  auto vals = byte_values_trace({1, 2, 3, 255, 0, 2, 2}, 16);
  auto tab = byte_table_trace(vals);
  TableWitness ws[2] = {{&va, &vals, {}}, {&ta, &tab, {}}};
  auto r = check_constraints(ws);
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("checker names the bus and tuple of a multiset off by one element") {
  ByteValuesAir va;
  ByteTableAir ta;
  auto vals = byte_values_trace({1, 2, 3}, 8);
  auto tab = byte_table_trace(vals);
  tab.at(2, 0) += Fp::one();  // table claims value 2 was looked up twice
  TableWitness ws[2] = {{&va, &vals, {}}, {&ta, &tab, {}}};
  auto r = check_constraints(ws);
  REQUIRE_FALSE(r.ok);
  CHECK(r.constraint == "bus");
  CHECK_THAT(r.message, Catch::Contains("bus 'byte'") && Catch::Contains("(2)") && Catch::Contains("-1"));
}

TEST_CASE("checker reports a value that is not a byte as an unmatched bus tuple") {
  ByteValuesAir va;
  ByteTableAir ta;
  auto vals = byte_values_trace({1, 256}, 4);
  auto tab = byte_table_trace(vals);
  TableWitness ws[2] = {{&va, &vals, {}}, {&ta, &tab, {}}};
  auto r = check_constraints(ws);
  REQUIRE_FALSE(r.ok);
  CHECK_THAT(r.message, Catch::Contains("(256)") && Catch::Contains("+1") && Catch::Contains("byte-values"));
}

TEST_CASE("checker reports shape errors by table name") {
  FibonacciAir air;
  auto t = fibonacci_trace(6, Fp::one(), Fp::one());
  TableWitness w{&air, &t, fib_publics(t)};
  auto r = check_constraints(std::span(&w, 1));
  REQUIRE_FALSE(r.ok);
  CHECK_THAT(r.message, Catch::Contains("fibonacci") && Catch::Contains("power of two"));
  auto t2 = fibonacci_trace(8, Fp::one(), Fp::one());
  TableWitness w2{&air, &t2, {}};
  CHECK_THAT(check_constraints(std::span(&w2, 1)).message, Catch::Contains("public values"));
}

struct BadAir : AirBase<BadAir> {
  std::string name() const override { return "bad"; }
  size_t width() const override { return 1; }
  template <class B>
  void constraints(B& b) const { b.assert_zero("x", b.main(1)); }
};

TEST_CASE("degree analysis rejects an AIR that reads past its width") {
  BadAir bad;
  CHECK_THROWS_WITH(analyse(bad), Catch::Contains("main column 1"));
}

TEST_CASE("checker balances a bus against public boundary terms and names a wrong public output") {
  OutputAir air;
  auto t = output_trace({5, 6, 7, 8}, 8);
  TableWitness w{&air, &t, {Fp::from_u64(8), Fp::from_u64(7), Fp::from_u64(6), Fp::from_u64(5)}};
  auto r = check_constraints(std::span(&w, 1));
  INFO(r.message);
  CHECK(r.ok);
  w.publics[0] = Fp::from_u64(3);  // tuple (3) sorts first: reported as the public term
  r = check_constraints(std::span(&w, 1));
  REQUIRE_FALSE(r.ok);
  CHECK_THAT(r.message, Catch::Contains("bus 'output'") && Catch::Contains("(3)") && Catch::Contains("public values of 'outputs'"));
}
