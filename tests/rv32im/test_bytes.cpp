#include <catch2/catch.hpp>

#include "tests/rv32im/rv32im_test_support.h"

using namespace zkvm;
using namespace zkvm::rv32im_test;

namespace {

// Sends one tuple per row on the byte buses: (x, y) pair, (x, y, z) xor, (v) u16.
class ByteUserAir : public air::AirBase<ByteUserAir> {
 public:
  std::string name() const override { return "test-byte-user"; }
  size_t width() const override { return 4; }  // x, y, z, v
  template <class B>
  void constraints(B& b) const {
    b.send(rv32im::kBusBytePair, {b.main(0), b.main(1)}, b.lit(1));
    b.send(rv32im::kBusByteXor, {b.main(0), b.main(1), b.main(2)}, b.lit(1));
    b.send(rv32im::kBusU16, {b.main(3)}, b.lit(1));
  }
};

Statement byte_statement(const ByteUserAir& user, const rv32im::ByteTableAir& table, uint32_t bad_z, uint32_t bad_v) {
  Statement s;
  s.airs = {&user, &table};
  RowMajorMatrix<Fp> m(4, 8);
  rv32im::ByteCounts counts;
  for (uint32_t r = 0; r < 8; ++r) {
    const uint32_t x = 37 * r + 200, y = 255 - 3 * r, v = 9000 * r;
    const uint32_t xb = x & 0xff;
    m.at(r, 0) = Fp::from_canonical(xb);
    m.at(r, 1) = Fp::from_canonical(y);
    m.at(r, 2) = Fp::from_canonical(r == 3 ? bad_z : xb ^ y);
    m.at(r, 3) = Fp::from_canonical(r == 5 ? bad_v : v);
    counts.pair(xb, y);
    counts.xor_lookup(xb, y);
    counts.u16(v);
  }
  s.traces.push_back(std::move(m));
  s.traces.push_back(counts.trace());
  return s;
}

}  // namespace

TEST_CASE("byte table accepts valid pair, xor and u16 lookups", "[rv32im][bytes]") {
  ByteUserAir user;
  rv32im::ByteTableAir table;
  const uint32_t z3 = ((37 * 3 + 200) & 0xff) ^ (255 - 9);
  REQUIRE(prove_and_verify(byte_statement(user, table, z3, 9000 * 5)));
}

TEST_CASE("verifier rejects a wrong xor and an out-of-range u16", "[rv32im][bytes]") {
  ByteUserAir user;
  rv32im::ByteTableAir table;
  const uint32_t z3 = ((37 * 3 + 200) & 0xff) ^ (255 - 9);
  REQUIRE_FALSE(prove_and_verify(byte_statement(user, table, z3 ^ 1, 9000 * 5)));
  REQUIRE_FALSE(prove_and_verify(byte_statement(user, table, z3, 65536)));
}
