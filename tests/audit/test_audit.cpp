// Soundness audit of the verifier side (docs/AUDIT.md). Every test here
// presents the verifier with something it must reject: a proof of another
// statement, a spliced or re-shaped proof, a non-canonical encoding, a key
// with other parameters. docs/AUDIT.md records which verifier check each test
// exercises and the mutation run that showed the test fails without it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "prover/air/examples.h"
#include "prover/fri/fold.h"
#include "prover/fri/fri_verifier.h"
#include "prover/merkle/merkle.h"
#include "prover/pcs/pcs_common.h"
#include "prover/hal/quotient.h"
#include "prover/stark/prover.h"
#include "prover/stark/quotient_split.h"
#include "prover/stark/verifier.h"
#include "prover/transcript/challenger.h"
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



struct Statement {
  uint32_t program = 0;
  std::vector<const Air*> airs;
  std::vector<RowMajorMatrix<Fp>> traces;
  std::vector<std::vector<Fp>> publics;
  std::vector<TableWitness> witnesses() const {
    std::vector<TableWitness> w;
    for (size_t i = 0; i < airs.size(); ++i) w.push_back({airs[i], &traces[i], publics[i]});
    return w;
  }
};

Statement fib(size_t height, uint64_t a0, uint64_t b0) {
  Statement s;
  s.program = ZKVM_PROGRAM_FIBONACCI;
  s.airs = *verify::find_program(s.program);
  s.traces.push_back(fibonacci_trace(height, Fp::from_u64(a0), Fp::from_u64(b0)));
  const auto& t = s.traces[0];
  s.publics.push_back({t.at(0, 0), t.at(0, 1), t.at(t.height - 1, 1)});
  return s;
}

Statement range(std::vector<uint32_t> xs, size_t height) {
  Statement s;
  s.program = ZKVM_PROGRAM_BYTE_RANGE;
  s.airs = *verify::find_program(s.program);
  s.traces.push_back(byte_values_trace(xs, height));
  s.traces.push_back(byte_table_trace(s.traces[0]));
  s.publics = {{}, {}};
  return s;
}

Statement outputs(std::vector<uint32_t> values, std::vector<uint32_t> claimed, size_t height) {
  Statement s;
  s.program = ZKVM_PROGRAM_PUBLIC_OUTPUT;
  s.airs = *verify::find_program(s.program);
  s.traces.push_back(output_trace(values, height));
  std::vector<Fp> pub;
  for (uint32_t v : claimed) pub.push_back(Fp::from_u64(v));
  s.publics.push_back(pub);
  return s;
}

struct Proved {
  stark::ProvingKey pk;
  StarkProof proof;
  std::vector<uint8_t> bytes;
};

// check = false: the prover does not refuse a bad statement, so it reaches
// the verifier.
Proved prove(const Statement& s, const StarkConfig& cfg, bool check = true) {
  Proved p{stark::setup(s.program, s.airs, cfg, cpu()), {}, {}};
  auto w = s.witnesses();
  stark::ProveOptions opts;
  opts.check_constraints = check;
  p.proof = stark::prove(p.pk, w, cpu(), opts);
  p.bytes = stark::serialize_proof(p.proof);
  return p;
}


// Same for an in-memory proof (no parser in front of verify()).
bool rejects_mem(const stark::VerifyingKey& vk, const StarkProof& p, std::string* why = nullptr) {
  return stark_test::rejects_proof(vk, p, why);
}

void put_u32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
}

std::array<uint8_t, 32> state_after(const stark::VerifyingKey& vk, std::vector<unsigned> heights,
                                    const std::vector<std::vector<Fp>>& publics) {
  auto ch = stark::start_transcript(vk, heights, publics);
  return ch.state();
}

}  // namespace

// ---------------------------------------------------------------------------
// Statement binding: public values, heights, key.

TEST_CASE("audit: a proof of public values A is rejected when presented with public values B") {
  // Two honest proofs of the same shape (same AIR, same height), different
  // statements. Splicing B's publics into A's proof must fail.
  auto a = prove(fib(16, 1, 1), fast_config());
  auto b = prove(fib(16, 2, 3), fast_config());
  REQUIRE_FALSE(rejects(a.pk.vk, a.bytes));
  REQUIRE_FALSE(rejects(b.pk.vk, b.bytes));
  auto bad = a.proof;
  bad.publics = b.proof.publics;
  CHECK(rejects(a.pk.vk, stark::serialize_proof(bad)));
  // Changing one public value alone, each in turn.
  for (size_t i = 0; i < 3; ++i) {
    auto one = a.proof;
    one.publics[0][i] = b.proof.publics[0][i];
    INFO("public " << i);
    CHECK(rejects(a.pk.vk, stark::serialize_proof(one)));
  }
}

TEST_CASE("audit: a proof replaying another statement's openings, commitments or PCS proof is rejected") {
  auto a = prove(fib(16, 1, 1), fast_config());
  auto b = prove(fib(16, 2, 3), fast_config());
  std::string why;
  SECTION("opened values of B in A") {
    auto bad = a.proof;
    bad.opened = b.proof.opened;
    CHECK(rejects(a.pk.vk, stark::serialize_proof(bad), &why));
  }
  SECTION("A's statement with B's whole argument (commitments, openings, PCS proof)") {
    auto bad = b.proof;
    bad.publics = a.proof.publics;
    CHECK(rejects(a.pk.vk, stark::serialize_proof(bad), &why));
  }
  SECTION("quotient commitment and its openings from B") {
    auto bad = a.proof;
    bad.quotient = b.proof.quotient;
    bad.opened.back() = b.proof.opened.back();
    CHECK(rejects(a.pk.vk, stark::serialize_proof(bad), &why));
  }
  SECTION("PCS proof of B under A's claims") {
    auto bad = a.proof;
    bad.pcs = b.proof.pcs;
    CHECK(rejects(a.pk.vk, stark::serialize_proof(bad), &why));
  }
  INFO(why);
}

TEST_CASE("audit: a proof whose claimed trace height differs from the committed one is rejected") {
  auto p = prove(fib(16, 1, 1), fast_config());  // log height 4
  for (unsigned h : {3u, 5u, 6u}) {
    auto bad = p.proof;
    bad.log_heights[0] = h;
    INFO("claimed log height " << h);
    CHECK(rejects_mem(p.pk.vk, bad));
    CHECK(rejects(p.pk.vk, stark::serialize_proof(bad)));
  }
  // Out of the supported range, in memory (no parser in front): a typed
  // rejection, no crash, no huge allocation.
  for (unsigned h : {0u, 25u, 40u, 200u}) {
    auto bad = p.proof;
    bad.log_heights[0] = h;
    INFO("claimed log height " << h);
    CHECK(rejects_mem(p.pk.vk, bad));
  }
}

TEST_CASE("audit: in a two-table proof, swapping or shifting the tables' heights is rejected") {
  // Byte values (height 8) and the byte table (preprocessed, 256 rows).
  auto p = prove(range({1, 2, 3, 200}, 8), fast_config());
  REQUIRE_FALSE(rejects(p.pk.vk, p.bytes));
  auto bad = p.proof;
  std::swap(bad.log_heights[0], bad.log_heights[1]);
  CHECK(rejects_mem(p.pk.vk, bad));
  bad = p.proof;
  bad.log_heights[1] = 7;  // differs from the preprocessed height in the vk
  std::string why;
  CHECK(rejects_mem(p.pk.vk, bad, &why));
  CHECK_THAT(why, Catch::Contains("preprocessed"));
  // The parser refuses it first, by name, before reading anything shaped by
  // the height.
  try {
    (void)stark::parse_proof(stark::serialize_proof(bad), p.pk.vk);
    FAIL("parser accepted a height that differs from the preprocessed height");
  } catch (const transcript::ProofFormatError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("differs from its preprocessed height"));
  }
}

TEST_CASE("audit: the transcript absorbs the key, every table height and every public value before any challenge") {
  auto p = prove(range({1, 2}, 8), fast_config());
  const auto& vk = p.pk.vk;
  const std::vector<unsigned> h = p.proof.log_heights;
  const auto base = state_after(vk, h, p.proof.publics);
  // Heights: each table's.
  for (size_t t = 0; t < h.size(); ++t) {
    auto h2 = h;
    h2[t] += 1;
    CHECK(state_after(vk, h2, p.proof.publics) != base);
  }
  // Key: each parameter, the zk flag, the program id, the preprocessed root.
  auto check_vk = [&](auto mutate) {
    auto vk2 = vk;
    mutate(vk2);
    CHECK(state_after(vk2, h, p.proof.publics) != base);
  };
  check_vk([](stark::VerifyingKey& k) { k.program_id += 1; });
  check_vk([](stark::VerifyingKey& k) { k.config.pcs.fri.log_blowup += 1; });
  check_vk([](stark::VerifyingKey& k) { k.config.pcs.fri.num_queries += 1; });
  check_vk([](stark::VerifyingKey& k) { k.config.pcs.fri.pow_bits += 1; });
  check_vk([](stark::VerifyingKey& k) { k.config.pcs.fri.log_max_arity += 1; });
  check_vk([](stark::VerifyingKey& k) { k.config.pcs.fri.log_final_poly_len += 1; });
  check_vk([](stark::VerifyingKey& k) { k.config.pcs.zk = !k.config.pcs.zk; });
  check_vk([](stark::VerifyingKey& k) { k.pre_commitment.roots.at(0).bytes[5] ^= 1; });
  // Publics: Fibonacci's three, each.
  auto f = prove(fib(8, 1, 1), fast_config());
  const auto fbase = state_after(f.pk.vk, f.proof.log_heights, f.proof.publics);
  for (size_t i = 0; i < 3; ++i) {
    auto pub = f.proof.publics;
    pub[0][i] += Fp::one();
    CHECK(state_after(f.pk.vk, f.proof.log_heights, pub) != fbase);
  }
}

TEST_CASE("audit: a proof is rejected under a key that differs only in a parameter that keeps the proof's shape") {
  // Proved with pow_bits = 1; a key with pow_bits = 0 accepts any nonce and
  // gives the proof the same shape, so only the key's place in the
  // transcript tells them apart.
  auto p = prove(fib(16, 1, 1), fast_config());
  auto vk0 = p.pk.vk;
  vk0.config.pcs.fri.pow_bits = 0;
  CHECK(rejects(vk0, p.bytes));
  // And a key of another program id with the same AIRs.
  auto vk_other = p.pk.vk;
  vk_other.program_id = 77;
  CHECK(rejects(vk_other, p.bytes));
}

TEST_CASE("audit: security parameters come from the key: a proof made with fewer queries fails under the standard key") {
  auto weak = prove(fib(32, 1, 1), fast_config());
  auto strong = prove(fib(32, 1, 1), StarkConfig::standard());
  REQUIRE_FALSE(rejects(strong.pk.vk, strong.bytes));
  std::string why;
  CHECK(rejects(strong.pk.vk, weak.bytes, &why));
  INFO(why);
  // Through the C API as well: never OK.
  const auto vkb = stark::serialize_vk(strong.pk.vk);
  zkvm_verifier* v = nullptr;
  REQUIRE(zkvm_verifier_new(&v, vkb.data(), vkb.size()) == ZKVM_VERIFIER_OK);
  std::vector<uint32_t> pubs;
  for (Fp x : weak.proof.publics[0]) pubs.push_back(x.canonical());
  const auto e = zkvm_verifier_verify(v, weak.bytes.data(), weak.bytes.size(), pubs.data(), pubs.size());
  CHECK(e != ZKVM_VERIFIER_OK);
  CHECK(std::string(zkvm_verifier_last_error(v)).size() > 0);
  zkvm_verifier_free(v);
}

// ---------------------------------------------------------------------------
// Encodings.

TEST_CASE("audit: non-canonical field encodings are rejected (public value in Fp, opened value in Fp4)") {
  auto p = prove(fib(16, 1, 1), fast_config());
  // Layout: "ZKSP" u16 | u32 tables | u8 height | publics (3 x u32) ...
  const size_t pub_off = 4 + 2 + 4 + 1;
  for (size_t i = 0; i < 3; ++i) {
    auto b = p.bytes;
    const uint64_t v = p.proof.publics[0][i].canonical();
    REQUIRE(v + Fp::kModulus < (uint64_t{1} << 32));
    put_u32(b, pub_off + 4 * i, static_cast<uint32_t>(v + Fp::kModulus));  // same residue mod p
    INFO("public " << i);
    std::string why;
    CHECK(rejects(p.pk.vk, b, &why));
    CHECK_THAT(why, Catch::Contains("non-canonical"));
  }
  // The first opened value: after publics, the two commitments (u32 count
  // + 32-byte root each; no aux for Fibonacci) and the alpha and zeta
  // grinding nonces (u64 each).
  const size_t open_off = pub_off + 12 + 2 * (4 + 32) + 2 * 8;
  {
    auto b = p.bytes;
    uint32_t v = 0;
    std::memcpy(&v, &b[open_off], 4);
    REQUIRE(v == p.proof.opened[0][0][0][0].c[0].canonical());
    REQUIRE(uint64_t{v} + Fp::kModulus < (uint64_t{1} << 32));
    put_u32(b, open_off, v + Fp::kModulus);
    std::string why;
    CHECK(rejects(p.pk.vk, b, &why));
    CHECK_THAT(why, Catch::Contains("non-canonical"));
  }
}

TEST_CASE("audit: C API maps every failure to an error code, never to OK") {
  auto s = fib(32, 1, 1);
  auto p = prove(s, StarkConfig::standard());
  const auto vkb = stark::serialize_vk(p.pk.vk);
  zkvm_verifier* v = nullptr;
  REQUIRE(zkvm_verifier_new(&v, vkb.data(), vkb.size()) == ZKVM_VERIFIER_OK);
  std::vector<uint32_t> pubs;
  for (Fp x : s.publics[0]) pubs.push_back(x.canonical());
  REQUIRE(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), pubs.data(), pubs.size()) == ZKVM_VERIFIER_OK);
  // Expected publics given as the non-canonical u32 p + v.
  auto nc = pubs;
  nc[0] += Fp::kModulus;
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), nc.data(), nc.size()) ==
        ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH);
  // Too few / too many publics, NULL publics with a count.
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), pubs.data(), 2) == ZKVM_VERIFIER_ERR_PUBLIC_MISMATCH);
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), nullptr, 3) == ZKVM_VERIFIER_ERR_NULL_ARGUMENT);
  // Empty proof, NULL proof with a length.
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), 0, pubs.data(), pubs.size()) == ZKVM_VERIFIER_ERR_MALFORMED_PROOF);
  CHECK(zkvm_verifier_verify(v, nullptr, 10, pubs.data(), pubs.size()) == ZKVM_VERIFIER_ERR_NULL_ARGUMENT);
  // A proof of another program (Fibonacci proof to a byte-range key).
  auto r = prove(range({5}, 8), StarkConfig::standard());
  const auto rvkb = stark::serialize_vk(r.pk.vk);
  zkvm_verifier* rv = nullptr;
  REQUIRE(zkvm_verifier_new(&rv, rvkb.data(), rvkb.size()) == ZKVM_VERIFIER_OK);
  CHECK(zkvm_verifier_verify(rv, p.bytes.data(), p.bytes.size(), nullptr, 0) != ZKVM_VERIFIER_OK);
  CHECK(zkvm_verifier_verify(rv, r.bytes.data(), r.bytes.size(), nullptr, 0) == ZKVM_VERIFIER_OK);
  // Every truncation of the proof: an error, never OK.
  for (size_t len = 0; len < p.bytes.size(); len += 97)
    CHECK(zkvm_verifier_verify(v, p.bytes.data(), len, pubs.data(), pubs.size()) != ZKVM_VERIFIER_OK);
  // The same verifier still accepts the honest proof afterwards (no sticky state).
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), pubs.data(), pubs.size()) == ZKVM_VERIFIER_OK);
  zkvm_verifier_free(rv);
  zkvm_verifier_free(v);
}

TEST_CASE("audit: C API refuses keys below the security floor, whichever parameter is lowered") {
  auto s = fib(8, 1, 1);
  auto key_with = [&](auto mutate) {
    auto vk = stark::setup(s.program, s.airs, StarkConfig::standard(), cpu()).vk;
    mutate(vk.config);
    return stark::serialize_vk(vk);
  };
  auto open = [](const std::vector<uint8_t>& b) {
    zkvm_verifier* v = nullptr;
    const auto e = zkvm_verifier_new(&v, b.data(), b.size());
    zkvm_verifier_free(v);
    return e;
  };
  CHECK(open(key_with([](StarkConfig&) {})) == ZKVM_VERIFIER_OK);
  CHECK(open(key_with([](StarkConfig& c) { c.pcs.fri.pow_bits = 15; })) == ZKVM_VERIFIER_ERR_INSECURE_PARAMS);
  CHECK(open(key_with([](StarkConfig& c) { c.pcs.fri.num_queries = 41; })) == ZKVM_VERIFIER_ERR_INSECURE_PARAMS);
  CHECK(open(key_with([](StarkConfig& c) { c.pcs.fri.log_blowup = 1; })) == ZKVM_VERIFIER_ERR_INSECURE_PARAMS);
  // Raising one parameter to pay for another is fine.
  CHECK(open(key_with([](StarkConfig& c) {
          c.pcs.fri.pow_bits = 0;
          c.pcs.fri.num_queries = 50;
        })) == ZKVM_VERIFIER_OK);
}

// ---------------------------------------------------------------------------
// LogUp.

TEST_CASE("audit: LogUp sums shifted between tables so that they still add to zero are rejected") {
  auto p = prove(range({1, 2, 3, 200}, 8), fast_config());
  REQUIRE(p.proof.cumsums.size() == 2);
  auto bad = p.proof;
  const Fp4 d = Fp4(Fp::from_u64(12345));
  bad.cumsums[0] += d;
  bad.cumsums[1] -= d;
  std::string why;
  CHECK(rejects(p.pk.vk, stark::serialize_proof(bad), &why));
  INFO(why);
}

TEST_CASE("audit: LogUp public terms: a declared output claimed twice (and one dropped) is rejected") {
  // Trace sends 11, 12, 13, 14; claims 11, 11, 13, 14.
  auto p = prove(outputs({11, 12, 13, 14}, {11, 11, 13, 14}, 8), fast_config(), false);
  std::string why;
  CHECK(rejects(p.pk.vk, p.bytes, &why));
  CHECK_THAT(why, Catch::Contains("LogUp"));
  // A permutation of the outputs is the same multiset: accepted.
  auto ok = prove(outputs({11, 12, 13, 14}, {13, 14, 12, 11}, 8), fast_config());
  CHECK_FALSE(rejects(ok.pk.vk, ok.bytes));
  // A disabled row's value is not an output: claiming it fails.
  auto p2 = prove(outputs({11, 12, 13}, {11, 12, 13, 0}, 8), fast_config(), false);
  CHECK(rejects(p2.pk.vk, p2.bytes, &why));
}

TEST_CASE("audit: LogUp public terms are statement-bound: the outputs of proof A cannot be claimed with proof B") {
  auto a = prove(outputs({11, 12, 13, 14}, {11, 12, 13, 14}, 8), fast_config());
  auto b = prove(outputs({21, 22, 23, 24}, {21, 22, 23, 24}, 8), fast_config());
  auto bad = b.proof;
  bad.publics = a.proof.publics;
  CHECK(rejects(a.pk.vk, stark::serialize_proof(bad)));
}

// ---------------------------------------------------------------------------
// Shapes of in-memory proofs (verify() without the parser).

TEST_CASE("audit: in-memory proofs with a wrong quotient chunk count, cumsum count or opened shape are rejected") {
  auto p = prove(range({1, 2, 3}, 8), fast_config());
  const auto& vk = p.pk.vk;
  auto expect_reject = [&](const StarkProof& bad, const char* what) {
    INFO(what);
    std::string why;
    CHECK(rejects_mem(vk, bad, &why));
    INFO(why);
  };
  auto bad = p.proof;
  // Quotient: one Fp4 chunk (4 base columns) too many, and too few.
  for (auto& pt : bad.opened.back()[0]) pt.insert(pt.end(), 4, Fp4::one());
  expect_reject(bad, "extra quotient chunk");
  bad = p.proof;
  for (auto& pt : bad.opened.back()[0]) pt.resize(pt.size() - 4);
  expect_reject(bad, "missing quotient chunk");
  bad = p.proof;
  bad.cumsums.push_back(Fp4());
  expect_reject(bad, "extra LogUp sum");
  bad = p.proof;
  bad.cumsums.pop_back();
  expect_reject(bad, "missing LogUp sum");
  bad = p.proof;
  bad.opened[1][0].push_back(bad.opened[1][0][0]);
  expect_reject(bad, "extra opening point");
  bad = p.proof;
  bad.opened.pop_back();
  expect_reject(bad, "missing round");
  bad = p.proof;
  bad.publics[0].push_back(Fp::one());
  expect_reject(bad, "extra public value");
  bad = p.proof;
  bad.main.roots.push_back(bad.main.roots[0]);
  expect_reject(bad, "extra main root");
  bad = p.proof;
  bad.aux.roots.clear();
  expect_reject(bad, "aux commitment missing");
  bad = p.proof;
  bad.pcs.fri.final_poly.push_back(Fp4());
  expect_reject(bad, "final polynomial one coefficient longer");
  bad = p.proof;
  bad.pcs.fri.layers.pop_back();
  expect_reject(bad, "FRI layer missing");
}

// ---------------------------------------------------------------------------
// Constraint coverage: every constraint of the example AIRs is violated once.

TEST_CASE("audit: each Fibonacci constraint (first row, transition, last row) rejects its own violation") {
  // First row: a0 differs from public 0. Last row: b differs from public 2.
  // Transition: one wrong cell in the middle (publics consistent).
  const size_t n = 16;
  SECTION("first row") {
    auto s = fib(n, 1, 1);
    s.publics[0][0] = Fp::from_u64(2);
    auto p = prove(s, fast_config(), false);
    CHECK(rejects(p.pk.vk, p.bytes));
  }
  SECTION("public 1 (b0) on the first row") {
    auto s = fib(n, 1, 1);
    s.publics[0][1] = Fp::from_u64(5);
    auto p = prove(s, fast_config(), false);
    CHECK(rejects(p.pk.vk, p.bytes));
  }
  SECTION("last row") {
    auto s = fib(n, 1, 1);
    s.publics[0][2] += Fp::one();
    auto p = prove(s, fast_config(), false);
    CHECK(rejects(p.pk.vk, p.bytes));
  }
  SECTION("transition, at the last transition (row n-2 -> n-1)") {
    auto s = fib(n, 1, 1);
    s.traces[0].at(n - 1, 0) += Fp::one();  // a' != b on the last step; b_last unchanged
    auto p = prove(s, fast_config(), false);
    CHECK(rejects(p.pk.vk, p.bytes));
  }
  SECTION("no transition across the wrap-around: a trace valid except between row n-1 and row 0 verifies") {
    // The transition selector must switch off on the last row; a proof of
    // an honest trace exercises that (the wrap-around pair is not a step).
    auto p = prove(fib(n, 1, 1), fast_config());
    CHECK_FALSE(rejects(p.pk.vk, p.bytes));
  }
}

TEST_CASE("audit: OutputAir's boolean constraint rejects a non-boolean enable that would fake a multiplicity") {
  // enabled = 2 on the row holding 11: the bus then carries 11 twice, which
  // matches public outputs {11, 11, 13, 14} only if 'enabled' may be 2.
  auto s = outputs({11, 12, 13, 14}, {11, 11, 13, 14}, 8);
  s.traces[0].at(0, 1) = Fp::from_u64(2);  // row 0: v = 11, enabled = 2
  s.traces[0].at(1, 1) = Fp::zero();       // row 1: v = 12 disabled
  auto p = prove(s, fast_config(), false);
  std::string why;
  CHECK(rejects(p.pk.vk, p.bytes, &why));
  CHECK_THAT(why, Catch::Contains("constraints at zeta"));
}

// ---------------------------------------------------------------------------
// Transcript primitives.

TEST_CASE("audit: query indices are uniform and in range, and the PoW check absorbs the nonce") {
  transcript::Challenger ch("audit");
  std::array<int, 8> hist{};
  for (int i = 0; i < 8000; ++i) {
    const uint64_t v = ch.sample_index("q", 3);
    REQUIRE(v < 8);
    ++hist[v];
  }
  for (int c : hist) CHECK((c > 850 && c < 1150));
  CHECK_THROWS(ch.sample_index("q", 33));
  // check_pow: a bad nonce is refused and leaves the transcript untouched; a
  // good one is absorbed.
  transcript::Challenger a("pow"), b("pow");
  const uint64_t good = a.grind(8);
  const auto after_good = a.state();
  CHECK(b.check_pow(8, good));
  CHECK(b.state() == after_good);
  transcript::Challenger c("pow");
  uint64_t bad = good + 1;
  while (c.check_pow(8, bad)) {
    c = transcript::Challenger("pow");
    ++bad;
  }
  transcript::Challenger d("pow");
  const auto before = d.state();
  CHECK_FALSE(d.check_pow(8, bad));
  CHECK(d.state() == before);
  CHECK_FALSE(d.check_pow(41, 0));
}

// ---------------------------------------------------------------------------
// Adaptive (Fiat-Shamir) attacks. Each models a prover that picks a message
// after the challenges that should depend on it; each succeeds exactly when
// the verifier forgets to absorb that message (shown by the mutation run in
// docs/AUDIT.md), so each test fails if the observation is removed.

namespace {

// The verifier's transcript up to zeta, for a program without a bus.
struct Challenges {
  Fp4 alpha, zeta;
  transcript::Challenger ch{"unused"};
};
Challenges replay_to_zeta(const stark::VerifyingKey& vk, const StarkProof& p) {
  Challenges c;
  c.ch = stark::start_transcript(vk, p.log_heights, p.publics);
  pcs::observe_commitment(c.ch, "main", p.main);
  (void)c.ch.check_pow(vk.config.pcs.fri.challenge_pow_bits, p.alpha_nonce);
  c.alpha = c.ch.sample_fp4("constraint alpha");
  pcs::observe_commitment(c.ch, "quotient", p.quotient);
  (void)c.ch.check_pow(vk.config.pcs.fri.challenge_pow_bits, p.zeta_nonce);
  c.zeta = c.ch.sample_fp4("zeta");
  return c;
}

// sum_i alpha^i C_i(zeta) - Z_H(zeta) Q(zeta) for a one-table program without
// bus or preprocessed columns (the verifier's V3 residual).
Fp4 v3_residual(const stark::VerifyingKey& vk, const StarkProof& p, const Fp4& alpha, const Fp4& zeta) {
  const air::Air& a = *vk.airs[0];
  const auto& shape = vk.shapes[0];
  const uint64_t n = uint64_t{1} << p.log_heights[0];
  const Fp g_inv = field::two_adic_generator(p.log_heights[0]).inverse();
  const Fp4 zh = zeta.pow(n) - Fp4::one();
  std::vector<Fp4> ap(shape.num_constraints), bp(shape.max_tuple_len + 1, Fp4::one());
  Fp4 cur = Fp4::one();
  for (auto& x : ap) {
    x = cur;
    cur *= alpha;
  }
  air::PointBuilder b;
  b.local = p.opened[0][0][0];
  b.next = p.opened[0][0][1];
  b.publics = p.publics[0];
  b.alpha_pows = ap;
  b.beta_pows = bp;
  b.sel_first = zh * (zeta - Fp4::one()).inverse();
  b.sel_last = zh * (zeta - Fp4(g_inv)).inverse();
  b.sel_transition = zeta - Fp4(g_inv);
  b.reset();
  a.eval(b);
  const auto& qv = p.opened[1][0][0];
  Fp4 q, zc = Fp4::one();
  const Fp4 x = Fp4::x();
  for (size_t c = 0; c < shape.quotient_chunks(); ++c) {
    q += zc * (qv[4 * c] + x * qv[4 * c + 1] + x * x * qv[4 * c + 2] + x * x * x * qv[4 * c + 3]);
    zc *= zeta.pow(n);
  }
  return b.acc - zh * q;
}

}  // namespace

TEST_CASE("audit: Fiat-Shamir: a prover that adjusts opened values after the PCS batch challenges is rejected") {
  // False claim: Fibonacci with the last value off by one. The prover
  // commits the honest trace and the (low-degree) interpolation of the
  // constraint quotient, so only V3 at zeta can fail. It then shifts the
  // opened values of columns a and b at zeta by (da, db) with
  //   cf_a da + cf_b db = 0   (the DEEP batch sum, hence FRI, unchanged)
  //   ka da + kb db = -residual   (V3 holds)
  // where cf are the PCS column coefficients. That is possible only if cf
  // is known when the values are chosen, i.e. if the values were not
  // absorbed before the batch challenges.
  auto s = fib(16, 1, 1);
  s.publics[0][2] += Fp::one();
  auto p = prove(s, fast_config(), false);
  const auto& vk = p.pk.vk;
  REQUIRE(rejects(vk, p.bytes));
  auto c = replay_to_zeta(vk, p.proof);
  const Fp4 r0 = v3_residual(vk, p.proof, c.alpha, c.zeta);
  REQUIRE_FALSE(r0.is_zero());
  // V3 is affine in each opened value: partial derivatives by finite difference.
  auto d_dv = [&](size_t col) {
    auto q = p.proof;
    q.opened[0][0][0][col] += Fp4::one();
    return v3_residual(vk, q, c.alpha, c.zeta) - r0;
  };
  const Fp4 ka = d_dv(0), kb = d_dv(1);
  // The batch challenges the verifier would draw if opened values were not
  // observed: right after zeta.
  const auto dims = stark::round_dims(vk, p.proof.log_heights);
  const Fp g = field::two_adic_generator(p.proof.log_heights[0]);
  pcs::OpeningPoints pts{{{c.zeta, c.zeta * g}}, {{c.zeta}}};
  const auto plan = pcs::detail::batch_plan(dims, pts);
  const auto chal = pcs::detail::sample_batch(c.ch, plan);
  const Fp4 cfa = chal.column[plan.offsets[0][0] + 0], cfb = chal.column[plan.offsets[0][0] + 1];
  // Solve [cfa cfb; ka kb] (da, db) = (0, -r0).
  const Fp4 det = cfa * kb - cfb * ka;
  REQUIRE_FALSE(det.is_zero());
  const Fp4 da = (cfb * r0) * det.inverse();
  const Fp4 db = -(cfa * r0) * det.inverse();
  auto bad = p.proof;
  bad.opened[0][0][0][0] += da;
  bad.opened[0][0][0][1] += db;
  // The forged values satisfy V3 at zeta: only the transcript stands between
  // this proof and acceptance.
  REQUIRE(v3_residual(vk, bad, c.alpha, c.zeta).is_zero());
  std::string why;
  CHECK(rejects(vk, stark::serialize_proof(bad), &why));
  INFO(why);
}

TEST_CASE("audit: Merkle batch verification rejects unused siblings and a repeated index with a different row") {
  RowMajorMatrix<Fp> m(3, 16);
  for (size_t r = 0; r < 16; ++r)
    for (size_t k = 0; k < 3; ++k) m.at(r, k) = Fp::from_u64(100 * r + k);
  merkle::MerkleTree tree(m);
  const std::vector<uint64_t> idx{2, 9};
  auto o = tree.open_batch(idx);
  REQUIRE(merkle::merkle_verify_opening(tree.root(), 16, 3, 0, o));
  auto extra = o;
  extra.proof.siblings.push_back(extra.proof.siblings[0]);
  CHECK_FALSE(merkle::merkle_verify_opening(tree.root(), 16, 3, 0, extra));
  // Index 9 twice: the second copy carries a row that is not in the tree.
  auto dup = tree.open_batch(std::vector<uint64_t>{2, 9, 9});
  REQUIRE(merkle::merkle_verify_opening(tree.root(), 16, 3, 0, dup));
  dup.rows[2][0] += Fp::one();
  CHECK_FALSE(merkle::merkle_verify_opening(tree.root(), 16, 3, 0, dup));
  dup.rows[2][0] -= Fp::one();
  dup.rows[1][0] += Fp::one();
  CHECK_FALSE(merkle::merkle_verify_opening(tree.root(), 16, 3, 0, dup));
}

TEST_CASE("audit: a STARK proof with an extra Merkle sibling digest is rejected") {
  auto p = prove(fib(16, 1, 1), fast_config());
  auto bad = p.proof;
  bad.pcs.openings[0][0].siblings.push_back(bad.pcs.openings[0][0].siblings.at(0));
  CHECK(rejects_mem(p.pk.vk, bad));
  bad = p.proof;
  bad.pcs.fri.layers.at(0).siblings.push_back(bad.pcs.fri.layers[0].siblings.at(0));
  CHECK(rejects_mem(p.pk.vk, bad));
}

namespace {

std::vector<Fp4> pows(const Fp4& a, size_t n) {
  std::vector<Fp4> p(n);
  Fp4 cur = Fp4::one();
  for (auto& x : p) {
    x = cur;
    cur *= a;
  }
  return p;
}

// The prover's LogUp aux trace (copy of prover.cpp's build_aux): one column
// per fraction group (the sum of its fractions) and the running sum, each Fp4
// as 4 base columns; returns the final sum.
RowMajorMatrix<Fp> aux_trace(const TableWitness& tw, const AirShape& shape, const Fp4& alpha,
                             std::span<const Fp4> beta_pows, Fp4& cumsum) {
  const Air& a = *tw.air;
  const auto& m = *tw.trace;
  const size_t n = m.height, k = shape.logup_groups.size();
  auto pre = a.preprocessed_trace();
  RowMajorMatrix<Fp> aux(4 * (k + 1), n);
  CheckBuilder b;
  b.height = n;
  b.publics = tw.publics;
  Fp4 s;
  for (size_t r = 0; r < n; ++r) {
    b.row = r;
    b.local = m.row(r);
    b.next = m.row((r + 1) % n);
    if (pre) {
      b.pre_local = pre->row(r);
      b.pre_next_row = pre->row((r + 1) % n);
    }
    b.tuples.clear();
    a.eval(b);
    auto row = aux.row(r);
    for (size_t j = 0; j < k; ++j) {
      Fp4 h;
      for (const uint32_t i : shape.logup_groups[j]) {
        const auto& tp = b.tuples[i];
        Fp4 f = Fp4(Fp::from_u64(tp.bus));
        for (size_t v = 0; v < tp.values.size(); ++v) f += beta_pows[v + 1] * tp.values[v];
        h += Fp4(tp.mult) * (alpha - f).inverse();
      }
      for (int c = 0; c < 4; ++c) row[4 * j + c] = h.c[c];
      s += h;
    }
    for (int c = 0; c < 4; ++c) row[4 * k + c] = s.c[c];
  }
  cumsum = s;
  return aux;
}

}  // namespace

TEST_CASE("audit: Fiat-Shamir: a prover that picks its LogUp sums after zeta is rejected") {
  // False claim: byte-range with 300 among the values (not a byte), so the
  // honest per-table sums c_0 + c_1 != 0. The prover follows the protocol
  // (honest aux columns, a quotient that is a polynomial for the honest
  // sums) but adds a constant u_t to chunk 0 of each table's quotient, then
  // after zeta claims sums c'_t = c_t - w_t (zeta - g_t^-1) with
  // w_t = u_t / alpha^k_t (k_t: the last-row LogUp constraint). This keeps V3
  // true in each table; choosing w_0 = -w_1 = (c_0 + c_1) / (g_1^-1 - g_0^-1)
  // (tables of different heights) makes c'_0 + c'_1 = 0, so V4 passes too.
  // Possible only if the sums are not absorbed before the constraint
  // challenge (they depend on zeta).
  auto st = range({1, 2, 3, 300}, 8);
  auto pk = stark::setup(st.program, st.airs, fast_config(), cpu());
  const auto& vk = pk.vk;
  REQUIRE(vk.pre_log_heights[0] == 0);
  REQUIRE(vk.pre_log_heights[1] != 0);
  const auto w = st.witnesses();
  StarkProof proof;
  for (const auto& tr : st.traces) {
    unsigned lg = 0;
    while ((size_t{1} << lg) < tr.height) ++lg;
    proof.log_heights.push_back(lg);
  }
  REQUIRE(proof.log_heights[0] != proof.log_heights[1]);
  proof.publics = st.publics;
  auto ch = stark::start_transcript(vk, proof.log_heights, proof.publics);
  pcs::PcsProver pcs(vk.config.pcs, cpu());
  auto main_round = pcs.commit({st.traces[0], st.traces[1]});
  proof.main = main_round->commitment();
  pcs::observe_commitment(ch, "main", proof.main);
  const auto lc =
      stark::logup_challenges(ch, stark::logup_pow_bits(vk, stark::logup_degree(vk, proof.log_heights, proof.publics)),
                              std::nullopt);
  proof.logup_nonce = lc.nonce;
  const Fp4 la = lc.alpha, lb = lc.beta;
  std::vector<RowMajorMatrix<Fp>> auxes;
  std::vector<Fp4> honest(2);
  for (size_t t = 0; t < 2; ++t)
    auxes.push_back(aux_trace(w[t], vk.shapes[t], la, pows(lb, vk.shapes[t].max_tuple_len + 1), honest[t]));
  REQUIRE_FALSE((honest[0] + honest[1]).is_zero());  // the statement is false
  auto aux_round = pcs.commit(std::move(auxes));
  proof.aux = aux_round->commitment();
  pcs::observe_commitment(ch, "aux", proof.aux);
  // (The attack: the sums are not sent yet.)
  proof.alpha_nonce = ch.grind(vk.config.pcs.fri.challenge_pow_bits);
  const Fp4 alpha = ch.sample_fp4("constraint alpha");
  Fp4 a_inv[2], wt[2];
  for (size_t t = 0; t < 2; ++t) a_inv[t] = Fp4(field::two_adic_generator(proof.log_heights[t]).inverse());
  wt[0] = (honest[0] + honest[1]) * (a_inv[1] - a_inv[0]).inverse();
  wt[1] = -wt[0];
  auto kernel = hal::make_cpu_quotient_kernel();
  std::vector<RowMajorMatrix<Fp>> quotients;
  for (size_t t = 0; t < 2; ++t) {
    const auto& shape = vk.shapes[t];
    const auto bp = pows(lb, shape.max_tuple_len + 1);
    const auto ap = pows(alpha, shape.num_constraints);
    hal::QuotientInputs in;
    in.air = vk.airs[t];
    in.log_n = proof.log_heights[t];
    in.log_chunks = shape.log_quotient_chunks;
    in.shift = pcs::kCosetShift;
    in.main = &main_round->lde(t);
    if (t == 1) in.pre = &pk.pre_round->lde(0);
    in.aux = &aux_round->lde(t);
    in.cumsum = honest[t];
    in.publics = st.publics[t];
    in.logup_alpha = la;
    in.beta_pows = bp;
    in.alpha_pows = ap;
    in.logup_groups = shape.logup_groups;
    auto qm = stark::split_quotient(kernel->evaluate(in), in.log_n, in.log_chunks, pcs::kCosetShift);
    const Fp4 u = wt[t] * ap[shape.num_constraints - 1];  // u_t = w_t alpha^k_t
    for (size_t r = 0; r < qm.height; ++r)
      for (int c = 0; c < 4; ++c) qm.at(r, static_cast<size_t>(c)) += u.c[c];
    quotients.push_back(std::move(qm));
  }
  auto q_round = pcs.commit(std::move(quotients));
  proof.quotient = q_round->commitment();
  pcs::observe_commitment(ch, "quotient", proof.quotient);
  proof.zeta_nonce = ch.grind(vk.config.pcs.fri.challenge_pow_bits);
  const Fp4 zeta = ch.sample_fp4("zeta");
  for (size_t t = 0; t < 2; ++t) proof.cumsums.push_back(honest[t] - wt[t] * (zeta - a_inv[t]));
  REQUIRE((proof.cumsums[0] + proof.cumsums[1]).is_zero());
  pcs::OpeningPoints points(4);
  for (size_t t = 0; t < 2; ++t) {
    const std::vector<Fp4> zp{zeta, zeta * field::two_adic_generator(proof.log_heights[t])};
    if (t == 1) points[0].push_back(zp);
    points[1].push_back(zp);
    points[2].push_back(zp);
    points[3].push_back({zeta});
  }
  auto opening = pcs.open({pk.pre_round.get(), main_round.get(), aux_round.get(), q_round.get()}, points, ch);
  proof.opened = std::move(opening.values);
  proof.pcs = std::move(opening.proof);
  std::string why;
  CHECK(rejects(vk, stark::serialize_proof(proof), &why));
  INFO(why);
}

TEST_CASE("audit: Fiat-Shamir: a prover that commits its quotient after zeta is rejected") {
  // False claim: Fibonacci with the last value off by one. The prover
  // commits the trace, draws alpha and zeta without having committed a
  // quotient, computes sum_i alpha^i C_i(zeta) from the trace polynomials
  // (barycentric evaluation) and commits the constant quotient
  // q_0 = that / Z_H(zeta). V3 then holds for any trace; only the order of
  // the transcript (quotient root absorbed before zeta) prevents it.
  auto st = fib(16, 1, 1);
  st.publics[0][2] += Fp::one();
  auto pk = stark::setup(st.program, st.airs, fast_config(), cpu());
  const auto& vk = pk.vk;
  const auto& trace = st.traces[0];
  const unsigned log_n = 4;
  const uint64_t n = 16;
  StarkProof proof;
  proof.log_heights = {log_n};
  proof.publics = st.publics;
  auto ch = stark::start_transcript(vk, proof.log_heights, proof.publics);
  pcs::PcsProver pcs(vk.config.pcs, cpu());
  auto main_round = pcs.commit({trace});
  proof.main = main_round->commitment();
  pcs::observe_commitment(ch, "main", proof.main);
  proof.alpha_nonce = ch.grind(vk.config.pcs.fri.challenge_pow_bits);
  const Fp4 alpha = ch.sample_fp4("constraint alpha");
  proof.zeta_nonce = ch.grind(vk.config.pcs.fri.challenge_pow_bits);
  const Fp4 zeta = ch.sample_fp4("zeta");  // (the attack: no quotient yet)
  const Fp g = field::two_adic_generator(log_n);
  // f(z) = (z^n - 1)/n * sum_i f(g^i) g^i / (z - g^i).
  auto eval_col = [&](size_t col, const Fp4& z) {
    Fp4 acc;
    Fp gi = Fp::one();
    for (uint64_t i = 0; i < n; ++i) {
      acc += Fp4(trace.at(i, col) * gi) * (z - Fp4(gi)).inverse();
      gi *= g;
    }
    return acc * (z.pow(n) - Fp4::one()) * Fp4(Fp::from_u64(n).inverse());
  };
  StarkProof probe = proof;
  probe.opened = {{{{eval_col(0, zeta), eval_col(1, zeta)}, {eval_col(0, zeta * g), eval_col(1, zeta * g)}}},
                  {{std::vector<Fp4>(4 * vk.shapes[0].quotient_chunks())}}};
  const Fp4 c = v3_residual(vk, probe, alpha, zeta) * (zeta.pow(n) - Fp4::one()).inverse();
  RowMajorMatrix<Fp> q(4 * vk.shapes[0].quotient_chunks(), n);
  for (size_t r = 0; r < n; ++r)
    for (size_t k = 0; k < 4; ++k) q.at(r, k) = c.c[k];
  auto q_round = pcs.commit({q});
  proof.quotient = q_round->commitment();
  auto opening = pcs.open({main_round.get(), q_round.get()}, {{{zeta, zeta * g}}, {{zeta}}}, ch);
  proof.opened = std::move(opening.values);
  proof.pcs = std::move(opening.proof);
  // The forged openings satisfy V3 at this zeta.
  REQUIRE(v3_residual(vk, proof, alpha, zeta).is_zero());
  std::string why;
  CHECK(rejects(vk, stark::serialize_proof(proof), &why));
  INFO(why);
}

namespace {

// A non-zero e in Fp^5 with sum_j e_j A_j = 0 (A_j in Fp4 = Fp^4: five
// vectors in a 4-dimensional space are dependent). Gaussian elimination.
std::vector<Fp> fp_kernel_vector(const std::vector<Fp4>& a) {
  const size_t cols = a.size(), rows = 4;
  std::vector<std::vector<Fp>> m(rows, std::vector<Fp>(cols));
  for (size_t k = 0; k < rows; ++k)
    for (size_t j = 0; j < cols; ++j) m[k][j] = a[j].c[k];
  std::vector<size_t> pivcol;
  size_t row = 0;
  for (size_t col = 0; col < cols && row < rows; ++col) {
    size_t r = row;
    while (r < rows && m[r][col].is_zero()) ++r;
    if (r == rows) continue;
    std::swap(m[r], m[row]);
    const Fp inv = m[row][col].inverse();
    for (auto& x : m[row]) x *= inv;
    for (size_t o = 0; o < rows; ++o) {
      if (o == row || m[o][col].is_zero()) continue;
      const Fp f = m[o][col];
      for (size_t j = 0; j < cols; ++j) m[o][j] -= f * m[row][j];
    }
    pivcol.push_back(col);
    ++row;
  }
  size_t free_col = 0;
  while (std::find(pivcol.begin(), pivcol.end(), free_col) != pivcol.end()) ++free_col;
  std::vector<Fp> e(cols);
  e[free_col] = Fp::one();
  for (size_t r = 0; r < pivcol.size(); ++r) e[pivcol[r]] = -m[r][free_col];
  return e;
}

}  // namespace

TEST_CASE("audit: Fiat-Shamir: a trace chosen after the constraint challenge (violations in its kernel) is rejected") {
  // Synthetic AIR, 8 transition constraints active on the same rows, with
  // coefficients alpha^1..alpha^8. Over Fp, any five powers of alpha are
  // linearly dependent, so once alpha is known a prover can pick violations
  // e_0..e_4 in Fp (one row, columns 0..4) with sum_i alpha^(1+i) e_i = 0:
  // the combined constraint then vanishes on all of H and the honest
  // quotient is a polynomial although the trace breaks the AIR. The alpha
  // used here is the one drawn when the main commitment is not absorbed;
  // the real verifier absorbs it, so alpha changes and V3 fails.
  const size_t width = 8, n = 16, bad_row = 5;
  Statement st;
  st.program = ZKVM_PROGRAM_SYNTHETIC_8;
  st.airs = *verify::find_program(st.program);
  REQUIRE(st.airs[0]->width() == width);
  auto pk = stark::setup(st.program, st.airs, fast_config(), cpu());
  const auto honest = synthetic_trace(width, n, 7);
  st.publics = {{honest.at(0, 0)}};
  auto ch = stark::start_transcript(pk.vk, std::vector<unsigned>{4}, st.publics);
  (void)ch.grind(pk.vk.config.pcs.fri.challenge_pow_bits);
  const Fp4 alpha = ch.sample_fp4("constraint alpha");
  std::vector<Fp4> a(5);
  for (size_t i = 0; i < 5; ++i) a[i] = alpha.pow(1 + i);
  const auto e = fp_kernel_vector(a);
  Fp4 combo;
  bool nonzero = false;
  for (size_t i = 0; i < 5; ++i) {
    combo += a[i] * e[i];
    nonzero = nonzero || !e[i].is_zero();
  }
  REQUIRE(nonzero);
  REQUIRE(combo.is_zero());
  // The trace: honest recurrence, plus e on the step out of bad_row.
  RowMajorMatrix<Fp> t(width, n);
  for (size_t i = 0; i < width; ++i) t.at(0, i) = honest.at(0, i);
  for (size_t r = 1; r < n; ++r)
    for (size_t i = 0; i < width; ++i) {
      const Fp c = t.at(r - 1, i);
      t.at(r, i) = c * c * c + t.at(r - 1, (i + 1) % width) + (r - 1 == bad_row && i < 5 ? e[i] : Fp::zero());
    }
  st.traces.push_back(std::move(t));
  auto w = st.witnesses();
  REQUIRE_FALSE(air::check_constraints(w).ok);  // the statement is false
  stark::ProveOptions opts;
  opts.check_constraints = false;
  const auto proof = stark::prove(pk, w, cpu(), opts);
  std::string why;
  CHECK(rejects(pk.vk, stark::serialize_proof(proof), &why));
  INFO(why);
}

TEST_CASE("audit: Fiat-Shamir: a FRI prover that commits its layers after the query indices is rejected") {
  // Input: 4096 random values, far from any polynomial of degree < 2048.
  // If the layer roots were not absorbed, the betas, the final polynomial
  // and the query indices would all be known before any layer is committed.
  // The cheat: final polynomial 0, every layer after the first all zero,
  // and in layer 0 (which must equal the input only at the query positions)
  // each query's coset partner chosen so that the coset folds to 0.
  fri::FriParams params;
  params.log_blowup = 1;
  params.num_queries = 8;
  params.pow_bits = 0;
  params.log_max_arity = 1;
  params.log_final_poly_len = 0;
  const unsigned log_n = 12;
  const std::vector<unsigned> heights{log_n};
  std::vector<Fp4> input(size_t{1} << log_n);
  uint64_t x = 99;
  for (auto& v : input) {
    for (auto& c : v.c) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      c = Fp::from_u64(x >> 33);
    }
  }
  const auto plan = fri::plan_layers(params, heights);
  transcript::Challenger ch("audit-fri");
  std::vector<Fp4> betas;
  fri::FriProof proof;
  for (size_t l = 0; l < plan.size(); ++l) {
    proof.layer_nonces.push_back(ch.grind(params.challenge_pow_bits));  // as the verifier observes it
    betas.push_back(fri::sample_fold_challenges(ch, "fri/layer " + std::to_string(l), plan[l].log_arity)[0]);
  }
  proof.final_poly = {Fp4()};
  ch.observe_fp4s("fri/final poly", proof.final_poly);
  proof.pow_nonce = ch.grind(0);
  std::vector<uint64_t> idx(params.num_queries);
  for (auto& i : idx) i = ch.sample_index("fri/query index", log_n);
  // Layer 0: the input, with each query's partner solved for a zero fold.
  std::vector<Fp4> layer0 = input;
  // Two queries at the two positions of one coset would fix both values;
  // this seed has none (checked).
  for (uint64_t i : idx)
    for (uint64_t j : idx) REQUIRE((i == j || (i >> 1) != (j >> 1)));
  for (uint64_t i : idx) {
    const uint64_t leaf = i >> 1;
    // fold = (y0 + y1)/2 + beta (y0 - y1) h, h = 1/(2x): zero iff
    // y0 (1/2 + beta h) + y1 (1/2 - beta h) = 0.
    const Fp4 a0 = Fp4(fri::kInvTwo) + betas[0] * Fp4(fri::half_inv_x(log_n, leaf));
    const Fp4 a1 = Fp4(fri::kInvTwo) - betas[0] * Fp4(fri::half_inv_x(log_n, leaf));
    if ((i & 1) == 0)
      layer0[i + 1] = -(a0 * input[i]) * a1.inverse();
    else
      layer0[i - 1] = -(a1 * input[i]) * a0.inverse();
    std::vector<Fp4> coset{layer0[2 * leaf], layer0[2 * leaf + 1]};
    REQUIRE(fri::fold_coset(coset, log_n, leaf, std::span(betas).first(1)).is_zero());
  }
  for (size_t l = 0; l < plan.size(); ++l) {
    const auto [n, k] = plan[l];
    std::vector<Fp4> cw = l == 0 ? layer0 : std::vector<Fp4>(size_t{1} << n);
    std::vector<Fp> flat;
    for (auto& v : cw) flat.insert(flat.end(), v.c, v.c + 4);
    merkle::MerkleTree tree(RowMajorMatrix<Fp>(std::move(flat), size_t{4} << k));
    proof.layer_roots.push_back(tree.root());
    std::vector<uint64_t> leaves;
    for (uint64_t i : idx) leaves.push_back((i >> (log_n - n)) >> k);
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    auto o = tree.open_batch(leaves);
    fri::LayerOpening lo;
    for (auto& row : o.rows) {
      std::vector<Fp4> c;
      for (size_t t = 0; t < row.size(); t += 4) c.push_back(Fp4::from_base(row[t], row[t + 1], row[t + 2], row[t + 3]));
      lo.cosets.push_back(c);
    }
    lo.siblings = o.proof.siblings;
    proof.layers.push_back(lo);
  }
  auto opener = [&](std::span<const uint64_t> q) {
    std::vector<std::vector<Fp4>> out;
    for (uint64_t i : q) out.push_back({input[i]});
    return out;
  };
  transcript::Challenger vch("audit-fri");
  CHECK_THROWS_AS(fri::fri_verify(params, heights, proof, vch, opener), fri::VerifyError);
}

TEST_CASE("audit: the query indices depend on the proof-of-work nonce: another valid nonce is rejected") {
  // pow_bits = 0: every nonce meets the target. If the nonce were not
  // absorbed before the query indices (or the indices sampled before the
  // PoW), a different nonce would leave the indices, hence the whole proof,
  // valid, and grinding would not gate the choice of queries.
  auto cfg = fast_config();
  cfg.pcs.fri.pow_bits = 0;
  auto p = prove(fib(16, 1, 1), cfg);
  REQUIRE_FALSE(rejects(p.pk.vk, p.bytes));
  for (uint64_t nonce : {uint64_t{1}, uint64_t{2}, uint64_t{12345}}) {
    auto bad = p.proof;
    bad.pcs.fri.pow_nonce = nonce;
    INFO("nonce " << nonce);
    CHECK(rejects(p.pk.vk, stark::serialize_proof(bad)));
  }
}

namespace {

// Two tables on one bus with tuples of different lengths: (x) sent, (x, 0)
// received. Their LogUp fingerprints bus + beta*x and bus + beta*x + beta^2*0
// are equal, so without a one-length-per-bus rule the bus would balance
// although the multisets {(x)} and {(x, 0)} differ.
inline constexpr uint32_t kMixedBus = 7;

class ShortSenderAir : public AirBase<ShortSenderAir> {
 public:
  std::string name() const override { return "short-sender"; }
  size_t width() const override { return 1; }
  template <class B>
  void constraints(B& b) const {
    b.send(kMixedBus, {b.main(0)}, b.lit(1));
  }
};

class PairReceiverAir : public AirBase<PairReceiverAir> {
 public:
  std::string name() const override { return "pair-receiver"; }
  size_t width() const override { return 2; }
  template <class B>
  void constraints(B& b) const {
    b.receive(kMixedBus, {b.main(0), b.main(1)}, b.lit(1));
  }
};

class MixedArityAir : public AirBase<MixedArityAir> {
 public:
  std::string name() const override { return "mixed-arity"; }
  size_t width() const override { return 2; }
  template <class B>
  void constraints(B& b) const {
    b.send(kMixedBus, {b.main(0)}, b.lit(1));
    b.receive(kMixedBus, {b.main(0), b.main(1)}, b.lit(1));
  }
};

class HugeBusIdAir : public AirBase<HugeBusIdAir> {
 public:
  std::string name() const override { return "huge-bus-id"; }
  size_t width() const override { return 1; }
  template <class B>
  void constraints(B& b) const {
    b.send(Fp::kModulus + 1, {b.main(0)}, b.lit(1));  // would alias bus 1 mod p
  }
};

}  // namespace

TEST_CASE("audit: setup refuses a bus used with tuples of two lengths by two tables (LogUp fingerprint collision)") {
  ShortSenderAir sender;
  PairReceiverAir receiver;
  CHECK_THROWS_WITH(stark::setup(9001, {&sender, &receiver}, fast_config(), cpu()),
                    Catch::Contains("bus 7") && Catch::Contains("length 2") && Catch::Contains("length 1"));
}

TEST_CASE("audit: an AIR using one bus with tuples of two lengths is refused") {
  MixedArityAir air;
  CHECK_THROWS_WITH(analyse(air), Catch::Contains("bus 7 is used with tuples of length 1 and 2"));
}

TEST_CASE("audit: a bus id at or above the field modulus is refused") {
  HugeBusIdAir air;
  CHECK_THROWS_WITH(analyse(air), Catch::Contains("not below the field modulus"));
}

namespace {

// OutputAir whose public boundary terms are (v, 0) instead of (v): the same
// fingerprints as the table's (v) sends, but another tuple length.
class PaddedPublicOutputAir : public OutputAir {
 public:
  std::vector<PublicInteraction> public_interactions(std::span<const Fp> publics) const override {
    auto terms = OutputAir::public_interactions(publics);
    for (auto& t : terms) t.tuple.push_back(Fp::zero());
    return terms;
  }
};

}  // namespace

TEST_CASE("audit: verifier rejects public bus terms whose tuple length differs from the bus's") {
  auto s = outputs({3, 5, 7, 9}, {3, 5, 7, 9}, 16);
  REQUIRE_FALSE(rejects(prove(s, fast_config()).pk.vk, prove(s, fast_config()).bytes));
  static const PaddedPublicOutputAir padded;
  s.airs = {&padded};
  auto p = prove(s, fast_config(), /*check=*/false);
  std::string why;
  CHECK(rejects(p.pk.vk, p.bytes, &why));
  CHECK_THAT(why, Catch::Contains("has no table using that bus with a tuple of length 2"));
}

// ---------------------------------------------------------------------------
// Issue 13: the statement a C API caller checks (preprocessed tables, heights,
// security at the proof's heights).

namespace {

// Program 2's byte table with 300 in row 255 instead of 255: the same AIR,
// name and shape, another preprocessed column.
class ForgedByteTableAir : public ByteTableAir {
 public:
  std::optional<RowMajorMatrix<Fp>> preprocessed_trace() const override {
    auto m = ByteTableAir::preprocessed_trace();
    m->at(255, 0) = Fp::from_u64(300);
    return m;
  }
};

zkvm_verifier_error open_vk(const std::vector<uint8_t>& b) {
  zkvm_verifier* v = nullptr;
  const auto e = zkvm_verifier_new(&v, b.data(), b.size());
  zkvm_verifier_free(v);
  return e;
}

}  // namespace

TEST_CASE("audit: C API refuses a program-2 key whose byte table holds 300, so no proof that 300 is a byte verifies") {
  static const ByteValuesAir values;
  static const ForgedByteTableAir forged;
  // The attack of issue 13: a key for program 2 made from the forged table,
  // and an honest proof under it that the values {1, 300} are bytes.
  Statement st;
  st.program = ZKVM_PROGRAM_BYTE_RANGE;
  st.airs = {&values, &forged};
  st.traces.push_back(byte_values_trace({1, 300}, 8));
  auto mult = byte_table_trace(st.traces[0]);
  mult.at(255, 0) = Fp::one();  // the forged row 255 (= 300) is looked up once
  st.traces.push_back(mult);
  st.publics = {{}, {}};
  auto p = prove(st, StarkConfig::standard());
  // The proof is valid for the forged key: only the key check stands
  // between it and acceptance.
  std::string why;
  REQUIRE_FALSE(rejects(p.pk.vk, p.bytes, &why));
  const auto vkb = stark::serialize_vk(p.pk.vk);
  CHECK(open_vk(vkb) == ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH);
  CHECK_THAT(verify::check_preprocessed(p.pk.vk),
             Catch::Contains("program 2, log_blowup 2") && Catch::Contains("table 'byte-table'") &&
                 Catch::Contains("differs from the pinned"));
  // And nothing else lets the proof through: a handle made from the honest
  // key rejects it.
  const auto honest = stark::setup(ZKVM_PROGRAM_BYTE_RANGE, *verify::find_program(ZKVM_PROGRAM_BYTE_RANGE),
                                   StarkConfig::standard(), cpu());
  const auto hvkb = stark::serialize_vk(honest.vk);
  zkvm_verifier* v = nullptr;
  REQUIRE(zkvm_verifier_new(&v, hvkb.data(), hvkb.size()) == ZKVM_VERIFIER_OK);
  CHECK(zkvm_verifier_verify(v, p.bytes.data(), p.bytes.size(), nullptr, 0) == ZKVM_VERIFIER_ERR_REJECTED);
  zkvm_verifier_free(v);
}

TEST_CASE("audit: C API refuses keys whose preprocessed height or root count differs from the pins") {
  const auto honest = stark::setup(ZKVM_PROGRAM_BYTE_RANGE, *verify::find_program(ZKVM_PROGRAM_BYTE_RANGE),
                                   StarkConfig::standard(), cpu());
  REQUIRE(open_vk(stark::serialize_vk(honest.vk)) == ZKVM_VERIFIER_OK);
  auto vk = honest.vk;
  vk.pre_log_heights[1] = 7;  // same root, another height
  CHECK(open_vk(stark::serialize_vk(vk)) == ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH);
  CHECK_THAT(verify::check_preprocessed(vk), Catch::Contains("table 'byte-table': preprocessed log height 7, pinned 8"));
  vk = honest.vk;
  vk.pre_commitment.roots[0].bytes[31] ^= 1;
  CHECK(open_vk(stark::serialize_vk(vk)) == ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH);
  // Another blowup needs that blowup's pin: the standard key's root under
  // log_blowup 3 is refused.
  vk = honest.vk;
  vk.config.pcs.fri.log_blowup = 3;
  vk.config.pcs.fri.num_queries = 28;
  CHECK(open_vk(stark::serialize_vk(vk)) == ZKVM_VERIFIER_ERR_PREPROCESSED_MISMATCH);
  // The zk key of the same program and blowup carries the same, pinned root.
  StarkConfig zk = StarkConfig::standard();
  zk.pcs.zk = true;
  const auto zvk = stark::setup(ZKVM_PROGRAM_BYTE_RANGE, honest.vk.airs, zk, cpu()).vk;
  CHECK(zvk.pre_commitment.roots == honest.vk.pre_commitment.roots);
  CHECK(open_vk(stark::serialize_vk(zvk)) == ZKVM_VERIFIER_OK);
}

TEST_CASE("audit: C API: a Fibonacci proof at another height than the stated one is refused, and heights read back") {
  // One vk, proofs of 16 and 32 steps with different b_last: both verify
  // with plain zkvm_verifier_verify (the height is the prover's choice), so
  // a caller whose claim includes the step count states it.
  auto p16 = prove(fib(16, 1, 1), StarkConfig::standard());
  auto p32 = prove(fib(32, 1, 1), StarkConfig::standard());
  const auto vkb = stark::serialize_vk(p16.pk.vk);
  REQUIRE(vkb == stark::serialize_vk(p32.pk.vk));
  zkvm_verifier* v = nullptr;
  REQUIRE(zkvm_verifier_new(&v, vkb.data(), vkb.size()) == ZKVM_VERIFIER_OK);
  REQUIRE(zkvm_verifier_num_tables(v) == 1);
  auto pubs_of = [](const Proved& p) {
    std::vector<uint32_t> out;
    for (Fp x : p.proof.publics[0]) out.push_back(x.canonical());
    return out;
  };
  const auto pub16 = pubs_of(p16), pub32 = pubs_of(p32);
  REQUIRE(pub16[2] != pub32[2]);
  const uint32_t stated[1] = {4};
  CHECK(zkvm_verifier_verify_at_heights(v, p16.bytes.data(), p16.bytes.size(), pub16.data(), pub16.size(), stated, 1) ==
        ZKVM_VERIFIER_OK);
  CHECK(zkvm_verifier_verify_at_heights(v, p32.bytes.data(), p32.bytes.size(), pub32.data(), pub32.size(), stated, 1) ==
        ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH);
  CHECK_THAT(zkvm_verifier_last_error(v), Catch::Contains("table 'fibonacci' has 2^5 rows, stated 2^4"));
  uint32_t got[1] = {99};
  CHECK(zkvm_verifier_log_heights_get(v, got, 1) == ZKVM_VERIFIER_ERR_REJECTED);  // last call failed
  CHECK(got[0] == 99);
  CHECK(zkvm_verifier_verify_at_heights(v, p16.bytes.data(), p16.bytes.size(), pub16.data(), pub16.size(), stated, 2) ==
        ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH);
  CHECK(zkvm_verifier_verify_at_heights(v, p16.bytes.data(), p16.bytes.size(), pub16.data(), pub16.size(), nullptr, 1) ==
        ZKVM_VERIFIER_ERR_NULL_ARGUMENT);
  // Read back after plain verification.
  REQUIRE(zkvm_verifier_verify(v, p32.bytes.data(), p32.bytes.size(), pub32.data(), pub32.size()) == ZKVM_VERIFIER_OK);
  CHECK(zkvm_verifier_log_heights_get(v, got, 1) == ZKVM_VERIFIER_OK);
  CHECK(got[0] == 5);
  CHECK(zkvm_verifier_log_heights_get(v, got, 2) == ZKVM_VERIFIER_ERR_HEIGHT_MISMATCH);
  CHECK(zkvm_verifier_log_heights_get(v, nullptr, 1) == ZKVM_VERIFIER_ERR_NULL_ARGUMENT);
  // A failed verification clears the read-back.
  CHECK(zkvm_verifier_verify(v, p32.bytes.data(), 10, pub32.data(), pub32.size()) == ZKVM_VERIFIER_ERR_MALFORMED_PROOF);
  CHECK(zkvm_verifier_log_heights_get(v, got, 1) == ZKVM_VERIFIER_ERR_REJECTED);
  zkvm_verifier_free(v);
}

TEST_CASE("audit: an in-memory proof claiming a height outside the supported range is refused by the shape check") {
  // fast_config: log_final_poly_len 2, so heights in [2, 24]. The parser caps
  // serialised heights; verify() on an in-memory proof must not shift or
  // allocate by them (docs/AUDIT.md note C).
  auto p = prove(fib(16, 1, 1), fast_config());
  for (unsigned h : {0u, 1u, 25u, 40u, 200u}) {
    auto bad = p.proof;
    bad.log_heights[0] = h;
    INFO("claimed log height " << h);
    std::string why;
    CHECK(rejects_mem(p.pk.vk, bad, &why));
    // Height 0 marks an absent table, which the fibonacci AIR may not be.
    CHECK_THAT(why, Catch::Contains(h == 0 ? std::string("table 'fibonacci': absent, but the table may not be absent")
                                           : "table 'fibonacci': log height " + std::to_string(h) + " outside [2, 24]"));
  }
}

TEST_CASE("audit: stark::verify enforces 100 bits at the proof's own heights, every term counted") {
  // Rate 1/64, 14 queries, 16 PoW bits: 100 query bits, so the C API takes
  // the key. The fold term (one line per arity-2 step and per joining
  // height, about 3 |D| / |F|) is 100.04 bits at an LDE of 2^22 and 99.04 at
  // 2^23: 2^16 rows pass, 2^17 rows do not.
  StarkConfig c;
  c.pcs.fri.log_blowup = 6;
  c.pcs.fri.num_queries = 14;
  c.pcs.fri.pow_bits = 16;
  c.pcs.fri.log_max_arity = 4;
  auto lo = prove(fib(1 << 13, 1, 1), c);
  auto hi = prove(fib(1 << 17, 1, 1), c);
  std::string weakest;
  CHECK(stark::security_bits(lo.pk.vk, lo.proof.log_heights) >= 100);
  CHECK(stark::security_bits(hi.pk.vk, hi.proof.log_heights, &weakest) < 100);
  CHECK(weakest == "fold");
  CHECK_NOTHROW(stark::verify_bytes(lo.pk.vk, lo.bytes));  // default floor: 100
  CHECK_THROWS_AS(stark::verify_bytes(hi.pk.vk, hi.bytes), stark::InsecureError);
  CHECK_THROWS_WITH(stark::verify(hi.pk.vk, hi.proof),
                    Catch::Contains("security: 99.") && Catch::Contains("2^17 rows") &&
                        Catch::Contains("weakest term: fold") && Catch::Contains("floor of 100"));
  stark::VerifyOptions o;
  o.min_security_bits = 99;
  CHECK_NOTHROW(stark::verify_bytes(hi.pk.vk, hi.bytes, o));
  // Through the C API: the key passes the key-time floor, the taller proof
  // does not pass the proof-time one.
  const auto vkb = stark::serialize_vk(lo.pk.vk);
  zkvm_verifier* v = nullptr;
  REQUIRE(zkvm_verifier_new(&v, vkb.data(), vkb.size()) == ZKVM_VERIFIER_OK);
  std::vector<uint32_t> pl, ph;
  for (Fp x : lo.proof.publics[0]) pl.push_back(x.canonical());
  for (Fp x : hi.proof.publics[0]) ph.push_back(x.canonical());
  CHECK(zkvm_verifier_verify(v, lo.bytes.data(), lo.bytes.size(), pl.data(), pl.size()) == ZKVM_VERIFIER_OK);
  CHECK(zkvm_verifier_verify(v, hi.bytes.data(), hi.bytes.size(), ph.data(), ph.size()) ==
        ZKVM_VERIFIER_ERR_INSECURE_PARAMS);
  CHECK_THAT(zkvm_verifier_last_error(v), Catch::Contains("weakest term: fold"));
  zkvm_verifier_free(v);
  // Small fast parameters are refused by default, accepted with the floor off.
  auto f = prove(fib(16, 1, 1), fast_config());
  CHECK_THROWS_AS(stark::verify_bytes(f.pk.vk, f.bytes), stark::InsecureError);
  CHECK_NOTHROW(stark::verify_bytes(f.pk.vk, f.bytes, no_floor()));
}
