// End-to-end and soundness tests of the multi-table STARK.
#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <random>

#include "prover/air/examples.h"
#include "prover/fri/security.h"
#include "prover/ntt/ntt.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"
#include "prover/verify/registry.h"
#include "tests/stark/stark_test_support.h"
#include "zkvm/verifier.h"

using namespace zkvm;
using namespace zkvm::air;
using namespace zkvm::air::examples;
using zkvm::stark::StarkConfig;
using zkvm::stark::StarkProof;

using namespace zkvm::stark_test;

namespace {



std::vector<Fp> fib_publics(const RowMajorMatrix<Fp>& t) { return {t.at(0, 0), t.at(0, 1), t.at(t.height - 1, 1)}; }

struct Statement {
  std::vector<const Air*> airs;
  std::vector<RowMajorMatrix<Fp>> traces;
  std::vector<std::vector<Fp>> publics;
  std::vector<TableWitness> witnesses() const {
    std::vector<TableWitness> w;
    for (size_t i = 0; i < airs.size(); ++i) w.push_back({airs[i], &traces[i], publics[i]});
    return w;
  }
};

Statement fib_statement(size_t height) {
  const auto* prog = verify::find_program(ZKVM_PROGRAM_FIBONACCI);
  Statement s;
  s.airs = *prog;
  s.traces.push_back(fibonacci_trace(height, Fp::from_u64(1), Fp::from_u64(1)));
  s.publics.push_back(fib_publics(s.traces[0]));
  return s;
}

Statement range_statement(std::vector<uint32_t> xs, size_t height) {
  const auto* prog = verify::find_program(ZKVM_PROGRAM_BYTE_RANGE);
  Statement s;
  s.airs = *prog;
  s.traces.push_back(byte_values_trace(xs, height));
  s.traces.push_back(byte_table_trace(s.traces[0]));
  s.publics = {{}, {}};
  return s;
}

Statement synthetic_statement(uint32_t program, size_t width, size_t height) {
  Statement s;
  s.airs = *verify::find_program(program);
  s.traces.push_back(synthetic_trace(width, height, 7));
  s.publics.push_back({s.traces[0].at(0, 0)});
  return s;
}

struct Proved {
  stark::ProvingKey pk;
  StarkProof proof;
  std::vector<uint8_t> bytes;
};

Proved prove_statement(uint32_t program, const Statement& s, const StarkConfig& cfg, bool check = true) {
  Proved p{stark::setup(program, s.airs, cfg, cpu()), {}, {}};
  auto w = s.witnesses();
  stark::ProveOptions opts;
  opts.check_constraints = check;
  p.proof = stark::prove(p.pk, w, cpu(), opts);
  p.bytes = stark::serialize_proof(p.proof);
  return p;
}


}  // namespace

TEST_CASE("Fibonacci proof with public first and last values verifies") {
  auto s = fib_statement(64);
  auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, StarkConfig::standard());
  std::string why;
  CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
  INFO(why);
  // Round trip: the parsed proof serialises to the same bytes.
  CHECK(stark::serialize_proof(stark::parse_proof(p.bytes, p.pk.vk)) == p.bytes);
}

TEST_CASE("multi-table LogUp range check against a preprocessed byte table of another height verifies") {
  auto s = range_statement({0, 1, 7, 255, 128, 7, 7, 42}, 16);
  auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, StarkConfig::standard());
  REQUIRE(p.proof.log_heights == std::vector<unsigned>{4, 8});
  REQUIRE(p.proof.cumsums.size() == 2);
  CHECK(p.proof.cumsums[0] + p.proof.cumsums[1] == Fp4());
  std::string why;
  CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
  INFO(why);
}

TEST_CASE("degree-3 synthetic AIR with a public value verifies") {
  auto s = synthetic_statement(ZKVM_PROGRAM_SYNTHETIC_8, 8, 32);
  auto p = prove_statement(ZKVM_PROGRAM_SYNTHETIC_8, s, StarkConfig::standard());
  CHECK(p.pk.vk.shapes[0].max_degree == 3);
  std::string why;
  CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
  INFO(why);
}

TEST_CASE("prover refuses a bad trace by default, naming the constraint") {
  auto s = fib_statement(16);
  s.traces[0].at(5, 1) += Fp::one();
  auto pk = stark::setup(ZKVM_PROGRAM_FIBONACCI, s.airs, fast_config(), cpu());
  auto w = s.witnesses();
  CHECK_THROWS_WITH(stark::prove(pk, w, cpu()), Catch::Contains("row 4") && Catch::Contains("b' = a + b"));
}

TEST_CASE("verifier rejects a proof of a trace with any single wrong cell") {
  const auto good = fib_statement(8);
  for (size_t row = 0; row < 8; ++row) {
    for (size_t col = 0; col < 2; ++col) {
      auto s = good;
      s.traces[0].at(row, col) += Fp::from_u64(3);
      auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, fast_config(), /*check=*/false);
      std::string why;
      INFO("row " << row << " col " << col);
      CHECK(rejects(p.pk.vk, p.bytes, &why));
      CHECK_THAT(why, Catch::Contains("constraints at zeta do not match the quotient"));
    }
  }
}

TEST_CASE("verifier rejects a degree-3 trace with a wrong cell in any column") {
  const auto good = synthetic_statement(ZKVM_PROGRAM_SYNTHETIC_8, 8, 8);
  for (size_t col = 0; col < 8; ++col) {
    auto s = good;
    s.traces[0].at(3, col) += Fp::one();
    auto p = prove_statement(ZKVM_PROGRAM_SYNTHETIC_8, s, fast_config(), false);
    INFO("col " << col);
    CHECK(rejects(p.pk.vk, p.bytes));
  }
}

TEST_CASE("verifier rejects a LogUp multiset off by one element") {
  auto s = range_statement({3, 4, 5}, 8);
  s.traces[1].at(4, 0) += Fp::one();  // table claims one extra lookup of 4
  auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, fast_config(), false);
  std::string why;
  CHECK(rejects(p.pk.vk, p.bytes, &why));
  CHECK_THAT(why, Catch::Contains("LogUp"));
}

TEST_CASE("verifier rejects a value outside the byte table") {
  auto s = range_statement({3, 300}, 8);
  auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, fast_config(), false);
  CHECK(rejects(p.pk.vk, p.bytes));
}

TEST_CASE("verifier rejects wrong public values") {
  auto s = fib_statement(16);
  auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, fast_config());
  for (size_t i = 0; i < 3; ++i) {
    auto bad = p.proof;
    bad.publics[0][i] += Fp::one();
    INFO("public " << i);
    CHECK(rejects(p.pk.vk, stark::serialize_proof(bad)));
  }
  // A trace proved against wrong publics (prover not checking) fails too.
  auto s2 = fib_statement(16);
  s2.publics[0][2] += Fp::one();
  auto p2 = prove_statement(ZKVM_PROGRAM_FIBONACCI, s2, fast_config(), false);
  CHECK(rejects(p2.pk.vk, p2.bytes));
}

TEST_CASE("verifier rejects an in-memory proof of the wrong shape without crashing") {
  auto s = fib_statement(16);
  auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, fast_config());
  auto bad = p.proof;
  bad.opened[0][0][1].pop_back();
  CHECK_THROWS_AS(stark::verify(p.pk.vk, bad, no_floor()), stark::VerifyError);
  bad = p.proof;
  bad.publics.clear();
  CHECK_THROWS_AS(stark::verify(p.pk.vk, bad, no_floor()), stark::VerifyError);
}

TEST_CASE("verifier rejects every single-byte change of a small serialised proof") {
  auto s = range_statement({1, 2, 3}, 8);
  auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, fast_config());
  REQUIRE_FALSE(rejects(p.pk.vk, p.bytes));
  size_t accepted = 0;
  for (size_t i = 0; i < p.bytes.size(); ++i) {
    auto b = p.bytes;
    b[i] ^= static_cast<uint8_t>(1u << (i % 8));
    if (!rejects(p.pk.vk, b)) {
      ++accepted;
      UNSCOPED_INFO("flip at byte " << i << " accepted");
    }
  }
  CHECK(accepted == 0);
  // Truncation at every length and a trailing byte are rejected too.
  for (size_t len = 0; len < p.bytes.size(); len += 7)
    CHECK(rejects(p.pk.vk, std::span<const uint8_t>(p.bytes.data(), len)));
  auto longer = p.bytes;
  longer.push_back(0);
  CHECK(rejects(p.pk.vk, longer));
}

TEST_CASE("verifier rejects random byte changes of a larger standard proof") {
  auto s = synthetic_statement(ZKVM_PROGRAM_SYNTHETIC_8, 8, 256);
  auto p = prove_statement(ZKVM_PROGRAM_SYNTHETIC_8, s, StarkConfig::standard());
  std::mt19937_64 rng(12345);
  for (int k = 0; k < 200; ++k) {
    auto b = p.bytes;
    const size_t i = rng() % b.size();
    b[i] ^= static_cast<uint8_t>(1 + rng() % 255);
    INFO("byte " << i);
    CHECK(rejects(p.pk.vk, b));
  }
}

TEST_CASE("C API verifies a Fibonacci proof and reports typed errors") {
  auto s = fib_statement(32);
  auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, StarkConfig::standard());
  auto vkb = stark::serialize_vk(p.pk.vk);
  zkvm_verifier* v = nullptr;
  REQUIRE(zkvm_verifier_new(&v, vkb.data(), vkb.size()) == ZKVM_VERIFIER_OK);
  REQUIRE(zkvm_verifier_num_public_values(v) == 3);
  std::vector<uint32_t> pubs;
  for (Fp x : s.publics[0]) pubs.push_back(x.canonical());
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), pubs.data(), pubs.size()) == ZKVM_VERIFIER_OK);
  CHECK(std::string(zkvm_verifier_last_error(v)).empty());

  auto wrong = pubs;
  wrong[2] += 1;
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), wrong.data(), wrong.size()) ==
        ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH);
  CHECK_THAT(zkvm_verifier_last_error(v), Catch::Contains("public value 2"));

  auto bad = p.bytes;
  bad[bad.size() / 2] ^= 1;
  auto e = zkvm_verifier_verify(v, bad.data(), bad.size(), pubs.data(), pubs.size());
  CHECK((e == ZKVM_VERIFIER_ERR_REJECTED || e == ZKVM_VERIFIER_ERR_MALFORMED_PROOF));
  CHECK(std::string(zkvm_verifier_last_error(v)).size() > 0);

  CHECK(zkvm_verifier_verify(v, p.bytes.data(), 10, pubs.data(), pubs.size()) == ZKVM_VERIFIER_ERR_MALFORMED_PROOF);
  CHECK(zkvm_verifier_verify(v, nullptr, 5, pubs.data(), pubs.size()) == ZKVM_VERIFIER_ERR_NULL_ARGUMENT);
  zkvm_verifier_free(v);
}

TEST_CASE("C API refuses malformed, unknown and insecure verifying keys") {
  zkvm_verifier* v = nullptr;
  const uint8_t junk[3] = {1, 2, 3};
  CHECK(zkvm_verifier_new(&v, junk, sizeof junk) == ZKVM_VERIFIER_ERR_MALFORMED_VK);
  CHECK(v == nullptr);
  CHECK(zkvm_verifier_new(nullptr, junk, 3) == ZKVM_VERIFIER_ERR_NULL_ARGUMENT);

  auto s = fib_statement(8);
  auto pk = stark::setup(ZKVM_PROGRAM_FIBONACCI, s.airs, fast_config(), cpu());
  auto vkb = stark::serialize_vk(pk.vk);
  CHECK(zkvm_verifier_new(&v, vkb.data(), vkb.size()) == ZKVM_VERIFIER_ERR_INSECURE_PARAMS);

  pk.vk.program_id = 999;
  vkb = stark::serialize_vk(pk.vk);
  CHECK(zkvm_verifier_new(&v, vkb.data(), vkb.size()) == ZKVM_VERIFIER_ERR_UNKNOWN_PROGRAM);

  auto pk2 = stark::setup(ZKVM_PROGRAM_BYTE_RANGE, *verify::find_program(ZKVM_PROGRAM_BYTE_RANGE),
                          StarkConfig::standard(), cpu());
  vkb = stark::serialize_vk(pk2.vk);
  for (size_t i = 0; i < vkb.size(); ++i) {
    auto b = vkb;
    b[i] ^= 0x80;
    zkvm_verifier* w = nullptr;
    auto e = zkvm_verifier_new(&w, b.data(), b.size());
    // A flipped root byte still parses (a different, untrusted vk); any
    // other flip is refused. Nothing crashes.
    if (e == ZKVM_VERIFIER_OK) zkvm_verifier_free(w);
  }
  CHECK(std::string(zkvm_verifier_error_name(ZKVM_VERIFIER_ERR_REJECTED)) == "ZKVM_VERIFIER_ERR_REJECTED");
}

// ---- Zero knowledge (docs/STARK.md "Zero knowledge") ----

namespace {


// zeta of a proof of a program without a bus, replayed from the transcript.
}  // namespace

TEST_CASE("zero-knowledge proofs of Fibonacci, LogUp with a preprocessed table and degree 3 verify") {
  {
    auto s = fib_statement(16);
    auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, zk_config());
    std::string why;
    CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
    INFO(why);
    CHECK(stark::serialize_proof(stark::parse_proof(p.bytes, p.pk.vk)) == p.bytes);
  }
  {
    auto s = range_statement({0, 1, 7, 255, 128, 7, 7, 42}, 16);
    auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, zk_config());
    std::string why;
    CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
    INFO(why);
  }
  {
    auto s = synthetic_statement(ZKVM_PROGRAM_SYNTHETIC_8, 8, 32);
    auto p = prove_statement(ZKVM_PROGRAM_SYNTHETIC_8, s, zk_config());
    // Degree 3, n = 32, mask degree m = 2 * 4 + 8 = 16: columns of degree
    // < n + m, Q of degree <= 2n + 3(m - 1) -> 4 chunks on an 8n coset.
    const auto ql = stark::quotient_layout(p.pk.vk, 0, 5);
    CHECK(ql.chunks == 4);
    CHECK(ql.log_domain == 2);
    std::string why;
    CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
    INFO(why);
  }
  {
    // Standard parameters (42 queries): 128 rows are enough to hide.
    auto s = fib_statement(128);
    StarkConfig c = StarkConfig::standard();
    c.pcs.zk = true;
    auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, c);
    std::string why;
    CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
    INFO(why);
  }
  {
    // Taller than the mask degree: fewer quotient chunks than 2D - 1.
    auto s = synthetic_statement(ZKVM_PROGRAM_SYNTHETIC_8, 8, 256);
    auto p = prove_statement(ZKVM_PROGRAM_SYNTHETIC_8, s, zk_config());
    CHECK(stark::quotient_layout(p.pk.vk, 0, 8).chunks == 3);
    std::string why;
    CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
    INFO(why);
  }
}

TEST_CASE("zero-knowledge: LogUp public boundary terms verify, and a wrong output is rejected") {
  Statement s;
  s.airs = *verify::find_program(ZKVM_PROGRAM_PUBLIC_OUTPUT);
  s.traces.push_back(output_trace({11, 12, 13, 14}, 16));
  s.publics.push_back({Fp::from_u64(14), Fp::from_u64(11), Fp::from_u64(13), Fp::from_u64(12)});
  auto p = prove_statement(ZKVM_PROGRAM_PUBLIC_OUTPUT, s, zk_config());
  std::string why;
  CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
  INFO(why);
  auto s2 = s;
  s2.publics[0][1] = Fp::from_u64(99);
  auto p2 = prove_statement(ZKVM_PROGRAM_PUBLIC_OUTPUT, s2, zk_config(), false);
  CHECK(rejects(p2.pk.vk, p2.bytes, &why));
  CHECK_THAT(why, Catch::Contains("LogUp"));
}

TEST_CASE("two zero-knowledge proofs of one witness differ and both verify") {
  auto s = fib_statement(16);
  auto a = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, zk_config());
  auto w = s.witnesses();
  auto b = stark::prove(a.pk, w, cpu());
  const auto bb = stark::serialize_proof(b);
  CHECK_FALSE(rejects(a.pk.vk, a.bytes));
  CHECK_FALSE(rejects(a.pk.vk, bb));
  CHECK(a.bytes != bb);
  CHECK(a.proof.main.roots != b.main.roots);
  CHECK(a.proof.quotient.roots != b.quotient.roots);
  // Same statement, so the same public part.
  CHECK(a.proof.log_heights == b.log_heights);
  CHECK(a.proof.publics == b.publics);
}

TEST_CASE("opened trace values at zeta are the trace polynomial's without zk and randomised with zk") {
  auto s = fib_statement(16);
  // Control: without zk the opening is the trace column's polynomial at zeta.
  auto plain = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, fast_config());
  const Fp4 z0 = replay_zeta(plain.pk.vk, plain.proof);
  for (size_t c = 0; c < 2; ++c) CHECK(plain.proof.opened[0][0][0][c] == column_at(s.traces[0], c, z0));
  // zk: the opening is f(zeta) + Z_H(zeta) r(zeta), not f(zeta), and it
  // changes from proof to proof of the same witness.
  auto p1 = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, zk_config());
  auto w = s.witnesses();
  auto p2 = stark::prove(p1.pk, w, cpu());
  const Fp4 z1 = replay_zeta(p1.pk.vk, p1.proof);
  for (size_t c = 0; c < 2; ++c) {
    INFO("column " << c);
    CHECK(p1.proof.opened[0][0][0][c] != column_at(s.traces[0], c, z1));
    CHECK(p1.proof.opened[0][0][0][c] != p2.opened[0][0][0][c]);
    CHECK(p1.proof.opened[0][0][1][c] != p2.opened[0][0][1][c]);
  }
  // Quotient chunk openings are randomised too.
  CHECK(p1.proof.opened[1][0][0] != p2.opened[1][0][0]);
}

TEST_CASE("zero-knowledge: verifier rejects any single wrong cell, wrong publics and a LogUp off by one") {
  const auto good = fib_statement(16);
  for (size_t row = 0; row < 16; row += 3) {
    for (size_t col = 0; col < 2; ++col) {
      auto s = good;
      s.traces[0].at(row, col) += Fp::from_u64(3);
      auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, zk_config(), /*check=*/false);
      std::string why;
      INFO("row " << row << " col " << col);
      CHECK(rejects(p.pk.vk, p.bytes, &why));
      CHECK_THAT(why, Catch::Contains("constraints at zeta do not match the quotient"));
    }
  }
  {
    auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, good, zk_config());
    for (size_t i = 0; i < 3; ++i) {
      auto bad = p.proof;
      bad.publics[0][i] += Fp::one();
      INFO("public " << i);
      CHECK(rejects(p.pk.vk, stark::serialize_proof(bad)));
    }
    auto s2 = good;
    s2.publics[0][2] += Fp::one();
    auto p2 = prove_statement(ZKVM_PROGRAM_FIBONACCI, s2, zk_config(), false);
    CHECK(rejects(p2.pk.vk, p2.bytes));
  }
  {
    auto s = range_statement({3, 4, 5}, 16);
    s.traces[1].at(4, 0) += Fp::one();  // table claims one extra lookup of 4
    auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, zk_config(), false);
    std::string why;
    CHECK(rejects(p.pk.vk, p.bytes, &why));
    CHECK_THAT(why, Catch::Contains("LogUp"));
  }
  {
    auto s = synthetic_statement(ZKVM_PROGRAM_SYNTHETIC_8, 8, 16);
    s.traces[0].at(3, 5) += Fp::one();
    auto p = prove_statement(ZKVM_PROGRAM_SYNTHETIC_8, s, zk_config(), false);
    CHECK(rejects(p.pk.vk, p.bytes));
  }
}

TEST_CASE("zero-knowledge: verifier rejects byte changes of a small serialised proof") {
  auto s = range_statement({1, 2, 3}, 16);
  auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, zk_config());
  REQUIRE_FALSE(rejects(p.pk.vk, p.bytes));
  size_t accepted = 0;
  for (size_t i = 0; i < p.bytes.size(); i += 3) {
    auto b = p.bytes;
    b[i] ^= static_cast<uint8_t>(1u << (i % 8));
    if (!rejects(p.pk.vk, b)) {
      ++accepted;
      UNSCOPED_INFO("flip at byte " << i << " accepted");
    }
  }
  CHECK(accepted == 0);
}

TEST_CASE("a zero-knowledge proof does not verify under the plain key and vice versa") {
  auto s = fib_statement(16);
  auto zk = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, zk_config());
  auto plain = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, fast_config());
  std::string why;
  CHECK(rejects(plain.pk.vk, zk.bytes, &why));
  CHECK(rejects(zk.pk.vk, plain.bytes, &why));
  // The zk flag is in the vk bytes (and so in the transcript).
  CHECK(stark::serialize_vk(zk.pk.vk) != stark::serialize_vk(plain.pk.vk));
  auto parsed = stark::parse_vk(stark::serialize_vk(zk.pk.vk), s.airs);
  CHECK(parsed.config.pcs.zk);
  CHECK_FALSE(rejects(parsed, zk.bytes));
}

TEST_CASE("zero-knowledge prover refuses traces too short to hide, naming the table") {
  auto s = fib_statement(8);  // 4 queries: needs 2 * 4 + 8 = 16 rows
  auto pk = stark::setup(ZKVM_PROGRAM_FIBONACCI, s.airs, zk_config(), cpu());
  auto w = s.witnesses();
  CHECK_THROWS_WITH(stark::prove(pk, w, cpu()), Catch::Contains("zero-knowledge") &&
                                                    Catch::Contains("'fibonacci'") && Catch::Contains("16"));
}

TEST_CASE("proof parser names the table whose claimed height is out of range") {
  auto s = fib_statement(16);
  auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, fast_config());
  auto bad = p.proof;
  bad.log_heights[0] = 30;
  CHECK_THROWS_WITH(stark::parse_proof(stark::serialize_proof(bad), p.pk.vk),
                    Catch::Contains("table 'fibonacci'") && Catch::Contains("log height 30"));
  auto trunc = p.bytes;
  trunc.resize(trunc.size() - 1);
  CHECK_THROWS_AS(stark::parse_proof(trunc, p.pk.vk), transcript::ProofFormatError);
}

TEST_CASE("prover refuses tables that do not match the program") {
  auto s = fib_statement(16);
  auto pk = stark::setup(ZKVM_PROGRAM_FIBONACCI, s.airs, fast_config(), cpu());
  CHECK_THROWS_WITH(stark::prove(pk, {}, cpu()), Catch::Contains("0 tables given"));
  auto small = fibonacci_trace(2, Fp::one(), Fp::one());  // below the minimum height (2^log_final_poly_len)
  std::vector<TableWitness> w{{s.airs[0], &small, fib_publics(small)}};
  CHECK_THROWS_AS(stark::prove(pk, w, cpu()), std::invalid_argument);
  examples::SyntheticAir other(2);
  auto t = synthetic_trace(2, 16, 1);
  std::vector<TableWitness> w2{{&other, &t, {t.at(0, 0)}}};
  CHECK_THROWS_WITH(stark::prove(pk, w2, cpu()), Catch::Contains("not the program's table 'fibonacci'"));
}

TEST_CASE("LogUp public boundary terms: declared outputs verify, a wrong output is rejected") {
  const auto* prog = verify::find_program(ZKVM_PROGRAM_PUBLIC_OUTPUT);
  Statement s;
  s.airs = *prog;
  s.traces.push_back(output_trace({11, 12, 13, 14}, 8));
  s.publics.push_back({Fp::from_u64(14), Fp::from_u64(11), Fp::from_u64(13), Fp::from_u64(12)});
  auto p = prove_statement(ZKVM_PROGRAM_PUBLIC_OUTPUT, s, StarkConfig::standard());
  std::string why;
  CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
  INFO(why);
  // Claiming a different output: the trace no longer matches the public
  // multiset; only the bus sum check (V4) can see it.
  auto s2 = s;
  s2.publics[0][1] = Fp::from_u64(99);
  auto p2 = prove_statement(ZKVM_PROGRAM_PUBLIC_OUTPUT, s2, fast_config(), false);
  CHECK(rejects(p2.pk.vk, p2.bytes, &why));
  CHECK_THAT(why, Catch::Contains("LogUp"));
  // And the checker refuses it by default.
  auto w = s2.witnesses();
  CHECK_THROWS_WITH(stark::prove(p2.pk, w, cpu()), Catch::Contains("bus 'output'"));
}

TEST_CASE("verifier rejects a multi-table proof with any single wrong cell of the looked-up table") {
  const auto good = range_statement({9, 200, 9, 31}, 8);
  size_t cells = 0;
  for (size_t row = 0; row < 8; ++row) {
    for (size_t col = 0; col < 3; ++col) {
      auto s = good;
      s.traces[0].at(row, col) += Fp::one();
      auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, fast_config(), false);
      INFO("byte-values row " << row << " col " << col);
      CHECK(rejects(p.pk.vk, p.bytes));
      ++cells;
    }
  }
  for (size_t row : {0u, 9u, 31u, 200u, 255u}) {
    auto s = good;
    s.traces[1].at(row, 0) += Fp::one();
    auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, fast_config(), false);
    INFO("byte-table row " << row);
    CHECK(rejects(p.pk.vk, p.bytes));
    ++cells;
  }
  CHECK(cells == 29);
}

namespace {
// x' = x^k + 1 on one column: degree k transition, for quotient splits
// beyond two chunks.
struct PowerAir : AirBase<PowerAir> {
  unsigned k;
  explicit PowerAir(unsigned kk) : k(kk) {}
  std::string name() const override { return "power-" + std::to_string(k); }
  size_t width() const override { return 1; }
  template <class B>
  void constraints(B& b) const {
    auto x = b.main(0);
    auto p = x;
    for (unsigned i = 1; i < k; ++i) p = p * x;
    b.when_transition("step: x' = x^k + 1", b.main_next(0) - (p + b.lit(1)));
  }
};
RowMajorMatrix<Fp> power_trace(unsigned k, size_t n) {
  RowMajorMatrix<Fp> m(1, n);
  m.at(0, 0) = Fp::from_u64(3);
  for (size_t r = 1; r < n; ++r) m.at(r, 0) = m.at(r - 1, 0).pow(k) + Fp::one();
  return m;
}
}  // namespace

TEST_CASE("degree-5 constraints prove with four quotient chunks, and a wrong cell is rejected") {
  PowerAir air(5);
  auto pk = stark::setup(77, {&air}, StarkConfig::standard(), cpu());
  REQUIRE(pk.vk.shapes[0].quotient_chunks() == 4);
  auto t = power_trace(5, 32);
  std::vector<TableWitness> w{{&air, &t, {}}};
  auto bytes = stark::serialize_proof(stark::prove(pk, w, cpu()));
  std::string why;
  CHECK_FALSE(rejects(pk.vk, bytes, &why));
  INFO(why);
  t.at(17, 0) += Fp::one();
  stark::ProveOptions opts;
  opts.check_constraints = false;
  CHECK(rejects(pk.vk, stark::serialize_proof(stark::prove(pk, w, cpu(), opts))));
}

TEST_CASE("setup refuses constraints whose quotient does not fit the blowup") {
  PowerAir air(6);  // 5 chunks -> 8 > blowup 4
  CHECK_THROWS_WITH(stark::setup(78, {&air}, StarkConfig::standard(), cpu()),
                    Catch::Contains("power-6") && Catch::Contains("constraint degree 6"));
}

TEST_CASE("setup refuses zero-knowledge constraints whose quotient does not fit the blowup") {
  PowerAir air5(5);  // zk: 9n quotient degree -> 16 chunks > 2 * blowup 4
  StarkConfig c = StarkConfig::standard();
  c.pcs.zk = true;
  CHECK_THROWS_WITH(stark::setup(79, {&air5}, c, cpu()),
                    Catch::Contains("power-5") && Catch::Contains("zero-knowledge"));
  PowerAir air3(3);  // zk, worst case m = n: 5n -> an 8n coset = 2 * blowup 4: fits
  auto pk = stark::setup(80, {&air3}, c, cpu());
  // m = 2 * 42 + 8 = 92: at n = 128, Q has degree <= 2n + 3 * 91 < 5n (5
  // chunks, 8n coset); at n = 1024, < 3n (3 chunks, 4n coset).
  CHECK(stark::quotient_layout(pk.vk, 0, 7).chunks == 5);
  CHECK(stark::quotient_layout(pk.vk, 0, 7).log_domain == 3);
  CHECK(stark::quotient_layout(pk.vk, 0, 10).chunks == 3);
  CHECK(stark::quotient_layout(pk.vk, 0, 10).log_domain == 2);
  auto t = power_trace(3, 128);
  std::vector<TableWitness> w{{&air3, &t, {}}};
  auto bytes = stark::serialize_proof(stark::prove(pk, w, cpu()));
  std::string why;
  CHECK_FALSE(rejects(pk.vk, bytes, &why));
  INFO(why);
}

TEST_CASE("zk randomness: random field elements are fresh and spread over the whole field") {
  const auto a = pcs::random_fps(4096), b = pcs::random_fps(4096);
  REQUIRE(a.size() == 4096);
  CHECK(a != b);
  // Rejection sampling of 31-bit words: values reach the top of [0, p)
  // (a generator that dropped the high bits would not), with about half
  // of them above p / 2.
  size_t high = 0, top = 0;
  for (const Fp& x : a) {
    high += x.canonical() >= Fp::kModulus / 2;
    top += x.canonical() >= Fp::kModulus - Fp::kModulus / 16;
  }
  CHECK(high > 1700);
  CHECK(high < 2400);
  CHECK(top > 100);
  CHECK(pcs::random_fps(0).empty());
}

TEST_CASE("C API verifies a standard-parameter zero-knowledge proof, and wrong publics and an altered opening are refused") {
  auto s = fib_statement(128);
  StarkConfig c = StarkConfig::standard();
  c.pcs.zk = true;
  auto p = prove_statement(ZKVM_PROGRAM_FIBONACCI, s, c);
  auto vkb = stark::serialize_vk(p.pk.vk);
  zkvm_verifier* v = nullptr;
  REQUIRE(zkvm_verifier_new(&v, vkb.data(), vkb.size()) == ZKVM_VERIFIER_OK);
  std::vector<uint32_t> pubs;
  for (Fp x : s.publics[0]) pubs.push_back(x.canonical());
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), pubs.data(), pubs.size()) == ZKVM_VERIFIER_OK);
  auto wrong = pubs;
  wrong[0] += 1;
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), wrong.data(), wrong.size()) ==
        ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH);
  // An altered opened value (the first one after the header, heights,
  // publics and the two commitments) is rejected by a check.
  auto bad = p.proof;
  bad.opened[0][0][0][0] += Fp4::one();
  const auto bb = stark::serialize_proof(bad);
  CHECK(zkvm_verifier_verify(v, bb.data(), bb.size(), pubs.data(), pubs.size()) == ZKVM_VERIFIER_ERR_REJECTED);
  zkvm_verifier_free(v);
}

TEST_CASE("zero-knowledge quotient layout suffices for degrees 2-5 at heights around the mask degree") {
  // fast_config: m = 16. Heights 16 (m = n: 2D - 1 chunks), 32, 64, 256
  // (fewer chunks as n grows past D m); each proof must verify and a wrong
  // cell must be rejected.
  for (unsigned k = 2; k <= 5; ++k) {
    PowerAir air(k);
    StarkConfig c = zk_config();
    c.pcs.fri.log_blowup = 3;  // degree 5 needs a 16n coset in zk
    auto pk = stark::setup(90 + k, {&air}, c, cpu());
    for (size_t n : {16u, 32u, 64u, 256u}) {
      auto t = power_trace(k, n);
      std::vector<TableWitness> w{{&air, &t, {}}};
      INFO("degree " << k << " rows " << n);
      std::string why;
      CHECK_FALSE(rejects(pk.vk, stark::serialize_proof(stark::prove(pk, w, cpu())), &why));
      INFO(why);
      t.at(n / 2 + 1, 0) += Fp::one();
      stark::ProveOptions opts;
      opts.check_constraints = false;
      CHECK(rejects(pk.vk, stark::serialize_proof(stark::prove(pk, w, cpu(), opts))));
    }
  }
}

// ---- Preprocessed commitments and their pins (issue 13) ----

TEST_CASE("setup yields the same preprocessed commitment with and without zk and for any queries, PoW and arity") {
  const auto& airs = *verify::find_program(ZKVM_PROGRAM_BYTE_RANGE);
  const auto base = stark::setup(ZKVM_PROGRAM_BYTE_RANGE, airs, StarkConfig::standard(), cpu()).vk;
  REQUIRE(base.pre_commitment.roots.size() == 1);
  std::vector<StarkConfig> others;
  for (bool zk : {false, true}) {
    StarkConfig c = fast_config();  // 4 queries, 1 PoW bit
    c.pcs.zk = zk;
    others.push_back(c);
    c = StarkConfig::standard();  // 42 queries, 16 PoW bits
    c.pcs.zk = zk;
    others.push_back(c);
    c.pcs.fri.num_queries = 60;
    c.pcs.fri.pow_bits = 0;
    c.pcs.fri.log_max_arity = 3;
    c.pcs.fri.log_final_poly_len = 1;
    others.push_back(c);
  }
  for (const auto& c : others) {
    INFO("zk " << c.pcs.zk << " queries " << c.pcs.fri.num_queries << " pow " << c.pcs.fri.pow_bits);
    const auto vk = stark::setup(ZKVM_PROGRAM_BYTE_RANGE, airs, c, cpu()).vk;
    CHECK(vk.pre_log_heights == base.pre_log_heights);
    CHECK(vk.pre_commitment.roots == base.pre_commitment.roots);
  }
  // The blowup is the one parameter it depends on.
  StarkConfig c3 = StarkConfig::standard();
  c3.pcs.fri.log_blowup = 3;
  CHECK(stark::setup(ZKVM_PROGRAM_BYTE_RANGE, airs, c3, cpu()).vk.pre_commitment.roots != base.pre_commitment.roots);
}

TEST_CASE("zero-knowledge proofs open the preprocessed round without salts and every other round with them") {
  auto s = range_statement({1, 2, 3}, 16);
  auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, zk_config());
  REQUIRE_FALSE(rejects(p.pk.vk, p.bytes));
  REQUIRE(p.proof.pcs.openings.size() == 4);  // pre, main, aux, quotient
  for (const auto& tree : p.proof.pcs.openings[0]) CHECK(tree.salts.empty());
  for (size_t r = 1; r < 4; ++r)
    for (const auto& tree : p.proof.pcs.openings[r]) {
      INFO("round " << r);
      CHECK(tree.salts.size() == tree.rows.size());
    }
  // A salt attached to the public round is refused (the verifier expects none).
  auto bad = p.proof;
  bad.pcs.openings[0][0].salts = p.proof.pcs.openings[1][0].salts;
  bad.pcs.openings[0][0].salts.resize(bad.pcs.openings[0][0].rows.size());
  CHECK_THROWS_AS(stark::verify(p.pk.vk, bad, no_floor()), stark::VerifyError);
}

TEST_CASE("registry pins equal the preprocessed commitments setup() computes, at every blowup") {
  for (uint32_t id : verify::program_ids()) {
    for (unsigned lb = 1; lb <= 6; ++lb) {
      StarkConfig c = fast_config();
      c.pcs.fri.log_blowup = lb;
      const auto vk = stark::setup(id, *verify::find_program(id), c, cpu()).vk;
      std::string hex;
      for (const auto& r : vk.pre_commitment.roots) hex += r.hex();
      INFO("program " << id << " log_blowup " << lb << " computed roots \"" << hex << "\"");
      const auto pin = verify::expected_preprocessed(id, lb);
      REQUIRE(pin.has_value());
      CHECK(pin->log_heights == vk.pre_log_heights);
      CHECK(pin->roots == vk.pre_commitment.roots);
      CHECK(verify::check_preprocessed(vk).empty());
    }
  }
  CHECK_FALSE(verify::expected_preprocessed(ZKVM_PROGRAM_BYTE_RANGE, 7).has_value());
  CHECK_FALSE(verify::expected_preprocessed(999, 2).has_value());
}

TEST_CASE("for_height and standard reach 100 bits under the strict count at every height up to theirs") {
  // Degree-3 AIR (the synthetic one); security_bits is what verify() enforces.
  const auto* airs = verify::find_program(ZKVM_PROGRAM_SYNTHETIC_8);
  for (bool zk : {false, true}) {
    // With 8 bits of challenge grinding every height the field's two-adic
    // subgroup admits (kMaxLogHeight) reaches the floor at rate 1/4.
    const unsigned top = stark::kMaxLogHeight;
    for (unsigned h = 3; h <= top; ++h) {
      const StarkConfig c = StarkConfig::for_height(h, zk);
      CHECK(c.pcs.fri.log_blowup == 2);
      auto vk = stark::setup(ZKVM_PROGRAM_SYNTHETIC_8, *airs, c, cpu()).vk;
      for (unsigned k = c.min_log_height(); k <= h; ++k) {
        INFO("zk " << zk << " for_height(" << h << ") at 2^" << k << " rows");
        const std::vector<unsigned> hs{k};
        CHECK(stark::security_bits(vk, hs) >= 100);
      }
    }
    CHECK_THROWS_WITH(StarkConfig::for_height(top + 1, zk), Catch::Contains("no parameters reach 100"));
  }
  // standard(): rate 1/4, 42 queries, fold arity 8, 8 grinding bits per
  // algebraic challenge.
  const StarkConfig s = StarkConfig::standard();
  CHECK(s.pcs.fri.log_blowup == 2);
  CHECK(s.pcs.fri.num_queries == 42);
  CHECK(s.pcs.fri.log_max_arity == 3);
  CHECK(s.pcs.fri.challenge_pow_bits == 8);
  auto vk = stark::setup(ZKVM_PROGRAM_SYNTHETIC_8, *airs, s, cpu()).vk;
  const std::vector<unsigned> h20{20}, h21{21}, h22{22};
  CHECK(stark::security_bits(vk, h20) >= 100);
  CHECK(stark::security_bits(vk, h22) >= 100);
  // Without the grinding: every fold step draws its own challenge, so
  // arity 8 costs nothing at 2^20; one height more and an algebraic term
  // is below, whatever the arity.
  StarkConfig bare = s;
  bare.pcs.fri.challenge_pow_bits = 0;
  const auto bvk = stark::setup(ZKVM_PROGRAM_SYNTHETIC_8, *airs, bare, cpu()).vk;
  std::string weakest;
  for (unsigned k = 1; k <= 4; ++k) {
    StarkConfig a = bare;
    a.pcs.fri.log_max_arity = k;
    const auto avk = stark::setup(ZKVM_PROGRAM_SYNTHETIC_8, *airs, a, cpu()).vk;
    CHECK(stark::security_bits(avk, h20) == Approx(stark::security_bits(bvk, h20)));
    CHECK(stark::security_bits(avk, h21, &weakest) < 100);
    CHECK(weakest == "fold");
  }
  // Below 100 at 2^22 whatever the queries: an algebraic term (LDE size).
  StarkConfig many = bare;
  many.pcs.fri.num_queries = 200;
  CHECK(stark::security_bits(stark::setup(ZKVM_PROGRAM_SYNTHETIC_8, *airs, many, cpu()).vk, h22, &weakest) < 100);
  CHECK(weakest != "query");
  // Each grinding bit lifts every algebraic term by one bit.
  for (unsigned log_lde : {16u, 22u, 26u}) {
    const auto e0 = fri::estimate_security(bare.pcs.fri, log_lde, 3, 2);
    const auto e8 = fri::estimate_security(s.pcs.fri, log_lde, 3, 2);
    CHECK(e8.field_bits == Approx(e0.field_bits + 8));
    CHECK(e8.fold_bits == Approx(e0.fold_bits + 8));
    CHECK(e8.batching_bits == Approx(e0.batching_bits + 8));
    CHECK(e8.deep_bits == Approx(e0.deep_bits + 8));
    CHECK(e8.query_bits == Approx(e0.query_bits));
  }
}

namespace {
// x = t^3 on every row, t preprocessed (t = row + 2): degree 3 in a
// preprocessed column, so the zk quotient coset outgrows the committed
// preprocessed LDE.
struct PreCubeAir : AirBase<PreCubeAir> {
  std::string name() const override { return "pre-cube"; }
  size_t width() const override { return 1; }
  size_t preprocessed_width() const override { return 1; }
  std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const override {
    RowMajorMatrix<Fp> m(1, 16);
    for (size_t r = 0; r < 16; ++r) m.at(r, 0) = Fp::from_u64(r + 2);
    return m;
  }
  template <class B>
  void constraints(B& b) const {
    auto t = b.pre(0);
    b.assert_eq("x = t^3", b.main(0), t * t * t);
  }
};
}  // namespace

TEST_CASE("zero-knowledge: a degree-3 constraint on a preprocessed column uses an LDE taller than the committed one") {
  PreCubeAir air;
  auto pk = stark::setup(81, {&air}, zk_config(), cpu());
  // n = 16, m = 16, D = 3: Q of degree <= 2n + 3 (m - 1) -> 5 chunks on an
  // 8n coset, beyond the committed 4n-row LDE.
  REQUIRE(stark::quotient_layout(pk.vk, 0, 4).log_domain == 3);
  REQUIRE(pk.pre_round->lde(0).height == 64);
  REQUIRE(pk.pre_quotient_ldes.at(0).height == 128);
  RowMajorMatrix<Fp> t(1, 16);
  for (size_t r = 0; r < 16; ++r) t.at(r, 0) = Fp::from_u64(r + 2).pow(3);
  std::vector<TableWitness> w{{&air, &t, {}}};
  std::string why;
  CHECK_FALSE(rejects(pk.vk, stark::serialize_proof(stark::prove(pk, w, cpu())), &why));
  INFO(why);
  // The same preprocessed root as without zk.
  CHECK(stark::setup(81, {&air}, fast_config(), cpu()).vk.pre_commitment.roots == pk.vk.pre_commitment.roots);
  t.at(7, 0) += Fp::one();
  stark::ProveOptions opts;
  opts.check_constraints = false;
  CHECK(rejects(pk.vk, stark::serialize_proof(stark::prove(pk, w, cpu(), opts))));
}


// Challenge grinding (docs/SECURITY.md "Challenge grinding"): a nonce with
// challenge_pow_bits leading zero bits precedes the LogUp challenges, the
// constraint alpha, zeta, the PCS batch coefficients and each FRI layer's
// fold challenges. A prover that skips any one of those grinds (observing a
// nonce that misses, so its transcript is otherwise consistent) is rejected
// by that grind's own check. Without the check the proof would verify: the
// nonce is observed like any other, and everything after it was made for it.
TEST_CASE("verifier rejects a prover that skips any one challenge grind, by that grind's check") {
  const auto s = range_statement({0, 1, 7, 255, 128, 7, 7, 42}, 16);
  for (bool zk : {false, true}) {
    INFO((zk ? "zk" : "plain"));
    StarkConfig cfg = zk ? zk_config() : fast_config();
    cfg.pcs.fri.challenge_pow_bits = 8;
    cfg.pcs.fri.pow_bits = 8;
    uint64_t grinds = 0;
    {
      transcript::Challenger::ScopedSkipGrind count(UINT64_MAX);  // skips none, counts
      const auto honest = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, cfg);
      grinds = transcript::Challenger::ScopedSkipGrind::count_grinds();
      CHECK_FALSE(rejects(honest.pk.vk, honest.bytes));
      CHECK(honest.proof.pcs.fri.layer_nonces.size() + 5 == grinds);
    }
    REQUIRE(grinds >= 6);
    for (uint64_t k = 0; k < grinds; ++k) {
      std::string expect;
      if (k == 0) expect = "LogUp: challenge grinding nonce";
      else if (k == 1) expect = "constraint alpha: challenge grinding nonce";
      else if (k == 2) expect = "zeta: challenge grinding nonce";
      else if (k == 3) expect = "batch challenge grinding nonce";
      else if (k + 1 < grinds) expect = "layer " + std::to_string(k - 4) + ": challenge grinding nonce";
      else expect = "proof-of-work nonce";
      INFO("grind " << k << " skipped; expected: " << expect);
      transcript::Challenger::ScopedSkipGrind skip(k);
      const auto cheat = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, cfg);
      std::string why;
      CHECK(rejects(cheat.pk.vk, cheat.bytes, &why));
      CHECK_THAT(why, Catch::Contains(expect));
    }
  }
}

// The leak this closes: the witness is a function of the private input, so
// a verifier could test a guess of the input by recomputing one table's
// LogUp sum. With zk each table's sum carries a random mask (sum 0 over the
// tables); the masked sums verify and differ from the raw ones.
TEST_CASE("zero-knowledge: a table's LogUp sum does not confirm a guessed witness (it does without zk)") {
  const auto s = range_statement({0, 1, 7, 255, 128, 7, 7, 42}, 16);
  const auto w = s.witnesses();
  for (bool zk : {false, true}) {
    INFO((zk ? "zk" : "plain"));
    const auto p = prove_statement(ZKVM_PROGRAM_BYTE_RANGE, s, zk ? zk_config() : fast_config());
    std::string why;
    CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
    INFO(why);
    const auto lc = replay_logup(p.pk.vk, p.proof);
    const Fp4 alpha = lc.alpha, beta = lc.beta;
    REQUIRE(p.proof.cumsums.size() == 2);
    Fp4 total;
    for (size_t t = 0; t < 2; ++t) {
      const Fp4 raw = raw_logup_sum(w[t], alpha, beta, p.pk.vk.shapes[t].max_tuple_len);
      CHECK((p.proof.cumsums[t] == raw) == !zk);
      CHECK_FALSE(raw.is_zero());
      total += p.proof.cumsums[t];
    }
    CHECK(total.is_zero());  // no public terms on this bus
  }
}

// ---- Two LogUp fractions per aux column (air.h, AirShape::logup_groups) ----

namespace {

// Three values per row that must be bytes, each sent on the byte bus with
// its own enable column. With kCube, y = x0^3 gives the table degree 3, so
// two sends of degree-1 tuples and multiplicities (pair degree 3) share a
// column and the third has one of its own. Without it the constraints stay
// at degree 2: pairing would raise that to 3, so no fractions are paired.
template <bool kCube>
class ThreeBytesAirT : public AirBase<ThreeBytesAirT<kCube>> {
 public:
  std::string name() const override { return kCube ? "three-bytes" : "three-bytes-deg2"; }
  size_t width() const override { return kCube ? 7 : 6; }  // x0, x1, x2, en0, en1, en2[, y]
  template <class B>
  void constraints(B& b) const {
    for (size_t i = 0; i < 3; ++i) b.assert_bool("enabled is boolean", b.main(3 + i));
    if constexpr (kCube) b.assert_eq("y = x0^3", b.main(6), b.main(0) * b.main(0) * b.main(0));
    for (size_t i = 0; i < 3; ++i) b.send(kByteBus, {b.main(i)}, b.main(3 + i));
  }
};
using ThreeBytesAir = ThreeBytesAirT<true>;
using ThreeBytesDeg2Air = ThreeBytesAirT<false>;

struct ThreeBytes {
  ThreeBytesAir air;
  ByteTableAir table;
  Statement s;
};

// rows[r] = the row's three values (all enabled); the byte table counts them.
std::unique_ptr<ThreeBytes> three_bytes(const std::vector<std::array<uint32_t, 3>>& rows, size_t height) {
  auto t = std::make_unique<ThreeBytes>();
  RowMajorMatrix<Fp> m(7, height), counts(1, 256);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < 3; ++i) {
      m.at(r, i) = Fp::from_u64(rows[r][i]);
      m.at(r, 3 + i) = Fp::one();
      if (rows[r][i] < 256) counts.at(rows[r][i], 0) += Fp::one();
    }
    m.at(r, 6) = m.at(r, 0) * m.at(r, 0) * m.at(r, 0);
  }
  t->s.airs = {&t->air, &t->table};
  t->s.traces.push_back(std::move(m));
  t->s.traces.push_back(std::move(counts));
  t->s.publics = {{}, {}};
  return t;
}

constexpr uint32_t kThreeBytesProgram = 0x33427974;

}  // namespace

TEST_CASE("LogUp fractions share an aux column only where the table's degree allows") {
  const AirShape s = analyse(ThreeBytesAir{});
  CHECK(s.num_interactions == 3);
  REQUIRE(s.logup_groups == std::vector<std::vector<uint32_t>>{{0, 1}, {2}});
  CHECK(s.aux_width() == 3);
  CHECK(s.max_degree == 3);
  CHECK(s.num_constraints == 3 + 1 + 2 + 3);  // bools, y, two group constraints, running sum
  const AirShape d2 = analyse(ThreeBytesDeg2Air{});
  CHECK(d2.logup_groups == std::vector<std::vector<uint32_t>>{{0}, {1}, {2}});
  CHECK(d2.max_degree == 2);
  // The byte table's one fraction is alone.
  CHECK(analyse(ByteTableAir{}).logup_groups == std::vector<std::vector<uint32_t>>{{0}});
}

TEST_CASE("a paired LogUp column proves and verifies, with and without zero knowledge") {
  auto t = three_bytes({{1, 2, 3}, {255, 0, 7}, {9, 9, 9}}, 16);
  for (const bool zk : {false, true}) {
    StarkConfig cfg = fast_config();
    cfg.pcs.zk = zk;
    auto p = prove_statement(kThreeBytesProgram, t->s, cfg);
    CHECK(p.pk.vk.shapes[0].aux_width() == 3);
    std::string why;
    CHECK_FALSE(rejects(p.pk.vk, p.bytes, &why));
    INFO(why);
  }
}

TEST_CASE("verifier rejects a non-byte in either fraction of a paired column and in the single one") {
  for (size_t i = 0; i < 3; ++i) {
    std::array<uint32_t, 3> bad{4, 5, 6};
    bad[i] = 300;
    auto t = three_bytes({{1, 2, 3}, bad}, 16);
    auto p = prove_statement(kThreeBytesProgram, t->s, fast_config(), false);
    std::string why;
    INFO("value " << i);
    CHECK(rejects(p.pk.vk, p.bytes, &why));
    CHECK_THAT(why, Catch::Contains("LogUp"));
  }
}

TEST_CASE("verifier rejects a byte table that counts a paired fraction's value once too often") {
  auto t = three_bytes({{4, 5, 6}}, 16);
  t->s.traces[1].at(5, 0) = Fp::from_u64(2);  // 5 is sent once, by the second fraction of the pair
  auto p = prove_statement(kThreeBytesProgram, t->s, fast_config(), false);
  std::string why;
  CHECK(rejects(p.pk.vk, p.bytes, &why));
  CHECK_THAT(why, Catch::Contains("LogUp"));
}
