// Segmented statements (docs/STARK.md "Segmented statements"): several
// proofs under one key whose buses balance only together, as continuations
// use them. Every linking attack on the segment list must be rejected.
#include <catch2/catch.hpp>

#include "prover/air/examples.h"
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

// One segment of the byte-range program: its values table, and a byte table
// that counts `counted` (not necessarily the segment's own values).
struct Segment {
  RowMajorMatrix<Fp> values, table;
  std::vector<TableWitness> witnesses(const std::vector<const Air*>& airs) const {
    return {{airs[0], &values, {}}, {airs[1], &table, {}}};
  }
};

Segment segment(const std::vector<uint32_t>& values, const std::vector<uint32_t>& counted) {
  Segment s{byte_values_trace(values, 16), RowMajorMatrix<Fp>(1, 256)};
  for (uint32_t x : counted) s.table.at(x, 0) += Fp::one();
  return s;
}

struct Run {
  stark::ProvingKey pk;
  std::vector<StarkProof> proofs;
};

Run prove(const std::vector<Segment>& segs, const StarkConfig& cfg, bool check = true) {
  const auto& airs = *verify::find_program(ZKVM_PROGRAM_BYTE_RANGE);
  Run r{stark::setup(ZKVM_PROGRAM_BYTE_RANGE, airs, cfg, cpu()), {}};
  std::vector<std::vector<TableWitness>> w;
  for (const Segment& s : segs) w.push_back(s.witnesses(airs));
  stark::ProveOptions opts;
  opts.check_constraints = check;
  r.proofs = stark::prove_segments(r.pk, w, cpu(), opts);
  return r;
}

// "" when accepted, else the rejection message.
std::string verdict(const stark::VerifyingKey& vk, const std::vector<StarkProof>& proofs,
                    const std::vector<PublicInteraction>& extra = {}) {
  try {
    stark::verify_segments(vk, proofs, extra, no_floor());
    return "";
  } catch (const stark::VerifyError& e) {
    return e.what();
  }
}

// Values of segment 0 are counted by segment 1's byte table and vice versa:
// neither segment balances alone.
std::vector<Segment> crossed() { return {segment({1, 2, 3}, {9, 4}), segment({9, 4}, {1, 2, 3})}; }


}  // namespace

TEST_CASE("segments whose buses balance only together verify, with and without zero knowledge") {
  for (bool zk : {false, true}) {
    INFO("zk " << zk);
    auto r = prove(crossed(), zk ? zk_config() : fast_config());
    REQUIRE(r.proofs.size() == 2);
    CHECK(verdict(r.pk.vk, r.proofs) == "");
    // Neither segment's sums add to zero on its own...
    CHECK(r.proofs[0].cumsums[0] + r.proofs[0].cumsums[1] != field::Fp4());
    // ...and neither is a proof on its own (another transcript).
    CHECK(rejects(r.pk.vk, stark::serialize_proof(r.proofs[0])));
  }
  // Three segments, one of them balanced by itself.
  auto r = prove({segment({7}, {}), segment({8, 8}, {8, 8, 7, 200}), segment({200}, {})}, zk_config());
  CHECK(verdict(r.pk.vk, r.proofs) == "");
}

TEST_CASE("segmented statement: dropped, duplicated, reordered and foreign segments are rejected") {
  auto r = prove(crossed(), zk_config());
  const auto& vk = r.pk.vk;
  REQUIRE(verdict(vk, r.proofs) == "");
  CHECK(verdict(vk, {}) != "");
  CHECK(verdict(vk, {r.proofs[0]}) != "");
  CHECK(verdict(vk, {r.proofs[1]}) != "");
  CHECK(verdict(vk, {r.proofs[1], r.proofs[0]}) != "");
  CHECK(verdict(vk, {r.proofs[0], r.proofs[1], r.proofs[1]}) != "");
  CHECK(verdict(vk, {r.proofs[0], r.proofs[0]}) != "");
  // A segment of another run of the same witness: its challenges differ.
  auto other = prove(crossed(), zk_config());
  REQUIRE(verdict(vk, other.proofs) == "");
  CHECK(verdict(vk, {r.proofs[0], other.proofs[1]}) != "");
  CHECK(verdict(vk, {other.proofs[0], r.proofs[1]}) != "");
  // A stand-alone proof is not a one-segment statement.
  const auto& airs = *verify::find_program(ZKVM_PROGRAM_BYTE_RANGE);
  Segment whole = segment({5}, {5});
  auto single = stark::prove(r.pk, whole.witnesses(airs), cpu());
  CHECK_FALSE(rejects(vk, stark::serialize_proof(single)));
  CHECK(verdict(vk, {single}) != "");
}

TEST_CASE("segmented statement: a bus unbalanced across all segments is rejected by the total (V4)") {
  // 5 is sent and counted nowhere.
  auto segs = crossed();
  segs[1] = segment({9, 4, 5}, {1, 2, 3});
  for (bool zk : {false, true}) {
    // Every segment satisfies its constraints (the debug check passes).
    auto r = prove(segs, zk ? zk_config() : fast_config());
    CHECK_THAT(verdict(r.pk.vk, r.proofs), Catch::Contains("bus sums of all segments"));
  }
}

TEST_CASE("segmented statement: a wrong cell in any segment is rejected, naming the segment") {
  auto segs = crossed();
  segs[1].values.at(0, 2) += Fp::one();  // y != x^3 in segment 1
  auto r = prove(segs, fast_config(), false);
  CHECK_THAT(verdict(r.pk.vk, r.proofs), Catch::StartsWith("segment 1:"));
  auto segs0 = crossed();
  segs0[0].table.at(9, 0) += Fp::one();  // counts 9 twice
  auto r0 = prove(segs0, fast_config(), false);
  CHECK(verdict(r0.pk.vk, r0.proofs) != "");
}

TEST_CASE("segmented statement: the statement's own bus terms are part of the total") {
  // Segment 0 sends 77 that no table counts; the statement receives it.
  auto segs = crossed();
  segs[0] = segment({1, 2, 3, 77}, {9, 4});
  auto r = prove(segs, zk_config(), false);
  const PublicInteraction recv{kByteBus, {Fp::from_u64(77)}, Fp::one(), false};
  CHECK(verdict(r.pk.vk, r.proofs, {recv}) == "");
  CHECK_THAT(verdict(r.pk.vk, r.proofs), Catch::Contains("bus sums of all segments"));
  PublicInteraction wrong = recv;
  wrong.tuple[0] = Fp::from_u64(78);
  CHECK(verdict(r.pk.vk, r.proofs, {wrong}) != "");
  PublicInteraction twice = recv;
  twice.mult = Fp::from_u64(2);
  CHECK(verdict(r.pk.vk, r.proofs, {twice}) != "");
  PublicInteraction wrong_arity = recv;
  wrong_arity.tuple.push_back(Fp::zero());
  CHECK_THAT(verdict(r.pk.vk, r.proofs, {wrong_arity}), Catch::Contains("tuple of length"));
}

TEST_CASE("segments share one LogUp grinding nonce: a segment carrying another is rejected, and a prover that skips the statement's grind") {
  StarkConfig cfg = fast_config();
  cfg.pcs.fri.challenge_pow_bits = 8;  // the statement's LogUp grind takes at least these bits
  auto r = prove(crossed(), cfg);
  REQUIRE(r.proofs.size() == 2);
  REQUIRE(verdict(r.pk.vk, r.proofs) == "");
  REQUIRE(r.proofs[1].logup_nonce == r.proofs[0].logup_nonce);
  // Segment 1's copy is not used to draw the challenges; it must still be
  // the statement's (no second encoding of the same receipt).
  auto other = r.proofs;
  other[1].logup_nonce += 1;
  CHECK_THAT(verdict(r.pk.vk, other), Catch::Contains("segment 1: its LogUp grinding nonce differs from segment 0's"));
  // The statement's grind is the first one of prove_segments.
  transcript::Challenger::ScopedSkipGrind skip(0);
  const auto cheat = prove(crossed(), cfg);
  CHECK_THAT(verdict(cheat.pk.vk, cheat.proofs), Catch::Contains("LogUp: challenge grinding nonce"));
}
