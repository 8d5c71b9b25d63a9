// Challenger and proof-serialization tests.
#include <catch2/catch.hpp>

#include <set>

#include "prover/transcript/challenger.h"
#include "prover/transcript/serialize.h"

using namespace zkvm;
using field::Fp;
using field::Fp4;
using transcript::ByteReader;
using transcript::ByteWriter;
using transcript::Challenger;
using transcript::ProofFormatError;

TEST_CASE("challenger is deterministic for the same observations") {
  Challenger a("test"), b("test");
  a.observe_u64("x", 7);
  b.observe_u64("x", 7);
  REQUIRE(a.sample_fp4("c") == b.sample_fp4("c"));
  REQUIRE(a.sample_index("i", 20) == b.sample_index("i", 20));
}

TEST_CASE("challenger samples change when any observation, label or domain changes") {
  auto sample = [](std::string_view domain, std::string_view label, uint64_t v) {
    Challenger c(domain);
    c.observe_u64(label, v);
    return c.sample_fp4("c");
  };
  const Fp4 base = sample("test", "x", 7);
  REQUIRE(sample("test", "x", 8) != base);
  REQUIRE(sample("test", "y", 7) != base);
  REQUIRE(sample("other", "x", 7) != base);
  // Splitting one message into two is a different transcript.
  Challenger one("test"), two("test");
  const uint8_t ab[2] = {1, 2}, a1[1] = {1}, b1[1] = {2};
  one.observe_bytes("m", ab);
  two.observe_bytes("m", a1);
  two.observe_bytes("m", b1);
  REQUIRE(one.sample_fp("c") != two.sample_fp("c"));
}

TEST_CASE("consecutive samples differ and observing after a sample changes later samples") {
  Challenger a("t"), b("t");
  const Fp x1 = a.sample_fp("c"), x2 = a.sample_fp("c");
  REQUIRE(x1 != x2);
  (void)b.sample_fp("c");
  b.observe_u64("late", 1);
  REQUIRE(b.sample_fp("c") != x2);
}

TEST_CASE("sampled indices stay in range and cover a small domain roughly uniformly") {
  Challenger c("t");
  std::vector<int> hist(16, 0);
  for (int i = 0; i < 16000; ++i) {
    const uint64_t v = c.sample_index("i", 4);
    REQUIRE(v < 16);
    hist[v]++;
  }
  // Expected 1000 each; a uniform sampler lands within +-20% with
  // overwhelming probability (sd ~ 31).
  for (int h : hist) {
    REQUIRE(h > 800);
    REQUIRE(h < 1200);
  }
  REQUIRE(c.sample_index("i", 0) == 0);
  REQUIRE_THROWS_WITH(c.sample_index("i", 33), Catch::Contains("exceeds 2^32"));
}

TEST_CASE("sampled field elements are canonical and spread over the top and bottom halves") {
  Challenger c("t");
  int high = 0;
  for (int i = 0; i < 4000; ++i) {
    const Fp v = c.sample_fp("f");
    REQUIRE(v.canonical() < Fp::kModulus);
    if (v.canonical() >= Fp::kModulus / 2) ++high;
  }
  REQUIRE(high > 1800);
  REQUIRE(high < 2200);
}

TEST_CASE("proof of work: grind finds a nonce the verifier accepts and a wrong nonce is rejected") {
  Challenger p("t"), v("t"), bad("t");
  p.observe_u64("commit", 42);
  v.observe_u64("commit", 42);
  bad.observe_u64("commit", 42);
  const uint64_t nonce = p.grind(12);
  REQUIRE(v.check_pow(12, nonce));
  REQUIRE(p.sample_fp4("after") == v.sample_fp4("after"));
  // The least valid nonce was returned, so every smaller one fails.
  bool any_smaller_ok = false;
  for (uint64_t n = 0; n < nonce; ++n) {
    Challenger t("t");
    t.observe_u64("commit", 42);
    any_smaller_ok |= t.check_pow(12, n);
  }
  REQUIRE_FALSE(any_smaller_ok);
  REQUIRE_FALSE(bad.check_pow(40, nonce));  // 40 bits: a random nonce fails w.p. 1 - 2^-40
}

TEST_CASE("transcript trace mode logs prover messages and verifier challenges in order") {
  std::vector<std::string> lines;
  Challenger c("t");
  c.set_trace(&lines);
  c.observe_u64("stark/trace root", 1);
  (void)c.sample_fp4("stark/alpha");
  REQUIRE(lines.size() == 2);
  REQUIRE_THAT(lines[0], Catch::StartsWith("P->V: stark/trace root (8 bytes)"));
  REQUIRE_THAT(lines[1], Catch::StartsWith("V->P: stark/alpha = ["));
}

TEST_CASE("byte reader round-trips what the writer wrote") {
  ByteWriter w;
  w.header(0x5a4b564d, 3);
  w.u8(9);
  w.u32(0xdeadbeef);
  w.u64(0x0123456789abcdefull);
  w.fp(Fp::from_canonical(12345));
  w.fp4(Fp4::from_base(Fp::from_canonical(1), Fp::from_canonical(2), Fp::from_canonical(3),
                       Fp::from_canonical(Fp::kModulus - 1)));
  w.count(3);
  auto bytes = w.take();
  ByteReader r(bytes);
  r.header(0x5a4b564d, 3);
  REQUIRE(r.u8() == 9);
  REQUIRE(r.u32() == 0xdeadbeef);
  REQUIRE(r.u64() == 0x0123456789abcdefull);
  REQUIRE(r.fp() == Fp::from_canonical(12345));
  REQUIRE(r.fp4().c[3] == Fp::from_canonical(Fp::kModulus - 1));
  REQUIRE(r.count(3, "thing") == 3);
  REQUIRE_NOTHROW(r.expect_end());
}

TEST_CASE("byte reader rejects truncation with the context path") {
  ByteWriter w;
  w.u32(1);
  auto bytes = w.take();
  ByteReader r(std::span<const uint8_t>(bytes).first(3));
  auto s1 = r.scope("fri layer 3");
  auto s2 = r.scope("query 17");
  REQUIRE_THROWS_MATCHES(r.u32(), ProofFormatError,
                         Catch::Matchers::Message(
                             "fri layer 3: query 17: truncated: need 4 bytes at offset 0, 3 left"));
}

TEST_CASE("byte reader rejects counts above the maximum before allocating") {
  ByteWriter w;
  w.u32(0xffffffffu);
  auto bytes = w.take();
  ByteReader r(bytes);
  REQUIRE_THROWS_WITH(r.count(64, "opened row"),
                      Catch::Contains("opened row count 4294967295 exceeds the maximum 64"));
  // A plausible count with too few bytes behind it fails without a large vector.
  ByteReader r2(bytes);
  REQUIRE_THROWS_WITH(r2.fp4s(1u << 30), Catch::Contains("truncated"));
}

TEST_CASE("byte reader rejects non-canonical field elements, wrong headers and trailing bytes") {
  ByteWriter w;
  w.u32(Fp::kModulus);  // p itself is not a canonical encoding
  auto bytes = w.take();
  ByteReader r(bytes);
  REQUIRE_THROWS_WITH(r.fp(), Catch::Contains("non-canonical field element"));

  ByteWriter h;
  h.header(1, 2);
  h.u8(0);
  auto hb = h.take();
  ByteReader rh(hb);
  REQUIRE_THROWS_WITH(rh.header(1, 3), Catch::Contains("unsupported format version 2"));
  ByteReader rm(hb);
  REQUIRE_THROWS_WITH(rm.header(7, 2), Catch::Contains("bad magic"));
  ByteReader rt(hb);
  rt.header(1, 2);
  REQUIRE_THROWS_WITH(rt.expect_end(), Catch::Contains("1 trailing bytes"));
}
