// Absent tables (docs/STARK.md "Absent tables"): a table whose AIR may be
// absent (Air::may_be_absent) is left out of a proof by a trace of height
// 0: nothing committed, opened or summed for it. These tests pin what the
// verifier enforces: only such a table may be absent, and absence never
// hides another table's bus tuples.
#include <catch2/catch.hpp>

#include "prover/air/examples.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"
#include "tests/stark/stark_test_support.h"

using namespace zkvm;
using namespace zkvm::air;
using namespace zkvm::stark_test;

namespace {

constexpr uint32_t kBus = 7;

// Sends (v) on kBus where en = 1; the first row pins v to public 0. Never
// absent by default; `optional` lets a cheating prover treat it as if it
// could be (the verifier's copy says no).
class SenderAir : public AirBase<SenderAir> {
 public:
  std::string name() const override { return "sender"; }
  size_t width() const override { return 2; }  // v, en
  size_t num_public_values() const override { return 1; }
  size_t zk_free_rows() const override { return 32; }
  bool may_be_absent() const override { return optional; }
  template <class B>
  void constraints(B& b) const {
    b.assert_bool("en is boolean", b.main(1));
    b.when_first("v starts at the public value", b.main(0) - b.pub(0));
    b.send(kBus, {b.main(0)}, b.main(1));
  }
  bool optional = false;
};

// Receives (v) on kBus with multiplicity m, where v is at most 3
// (v (v-1) (v-2) (v-3) = 0 through two degree-2 halves). A trace of
// padding rows (m = 0) satisfies it, so it may be absent.
class ReceiverAir : public AirBase<ReceiverAir> {
 public:
  std::string name() const override { return "receiver"; }
  size_t width() const override { return 3; }  // v, m, h = v (v - 1)
  size_t zk_free_rows() const override { return 32; }
  bool may_be_absent() const override { return true; }
  template <class B>
  void constraints(B& b) const {
    auto v = b.main(0), h = b.main(2);
    b.assert_eq("h = v (v - 1)", h, v * (v - b.lit(1)));
    b.assert_zero("v < 4", h * (v - b.lit(2)) * (v - b.lit(3)));
    b.receive(kBus, {v}, b.main(1));
  }
};

const SenderAir kSender;
const ReceiverAir kReceiver;

struct Statement {
  const SenderAir* sender = &kSender;
  const ReceiverAir* receiver = &kReceiver;
  RowMajorMatrix<Fp> sends, receives;
  std::vector<std::vector<Fp>> publics{{Fp::from_u64(2)}, {}};
  // `sent` rows of the sender send v = 2; the receiver has `height` rows
  // (0: absent), receiving (2) with multiplicity `received` in row 0.
  Statement(size_t sent, size_t height, uint64_t received) : sends(2, 64), receives(3, height) {
    for (size_t r = 0; r < sends.height; ++r) {
      sends.at(r, 0) = Fp::from_u64(2);
      sends.at(r, 1) = Fp::from_u64(r < sent ? 1 : 0);
    }
    if (height != 0) {
      receives.at(0, 0) = Fp::from_u64(2);
      receives.at(0, 1) = Fp::from_u64(received);
      receives.at(0, 2) = Fp::from_u64(2);
    }
  }
  std::vector<const Air*> airs() const { return {sender, receiver}; }
  std::vector<TableWitness> witnesses() const {
    return {{sender, &sends, publics[0]}, {receiver, &receives, publics[1]}};
  }
};

stark::StarkProof prove(const stark::ProvingKey& pk, const Statement& s, bool check = true) {
  stark::ProveOptions o;
  o.check_constraints = check;
  return stark::prove(pk, s.witnesses(), cpu(), o);
}


}  // namespace

TEST_CASE("absent tables: a height-0 trace leaves the table out, and the proof verifies, plain and zk") {
  for (const bool zk : {false, true}) {
    INFO("zk " << zk);
    const Statement absent(0, 0, 0), padded(0, 64, 0);
    const auto pk = stark::setup(0x61627374, absent.airs(), zk ? zk_config() : fast_config(), cpu());
    const auto p = prove(pk, absent);
    REQUIRE(p.log_heights == std::vector<unsigned>{6, 0});
    const auto dims = stark::round_dims(pk.vk, p.log_heights);
    // main, aux, quotient: the sender only (and, with zk, FRI's mask in main)
    for (size_t r = 0; r < dims.size(); ++r) CHECK(dims[r].size() == (zk && r == stark::main_round(pk.vk) ? 2u : 1u));
    CHECK(p.cumsums.size() == 1);
    const auto bytes = stark::serialize_proof(p);
    CHECK(stark::proof_sizes(p).total() == bytes.size());  // the size breakdown covers every byte
    std::string why;
    CHECK_FALSE(rejects(pk.vk, bytes, &why));
    INFO(why);
    // The same statement with the receiver as 64 padding rows: also valid,
    // and it opens the receiver's columns too. (Not the total size: under zk
    // the query positions, so the shared Merkle siblings, are random, and
    // with 4 queries that outweighs a 64-row table.)
    const auto qp = prove(pk, padded);
    const auto q = stark::serialize_proof(qp);
    CHECK_FALSE(rejects(pk.vk, q));
    CHECK(stark::proof_sizes(qp).ood_values > stark::proof_sizes(p).ood_values);
  }
}

TEST_CASE("absent tables: the sender's tuples still count, so leaving out their receiver is rejected") {
  // The sender sends (2) five times; an honest receiver takes them. A
  // prover that leaves the receiver out (debug checker off) leaves the bus
  // unbalanced: V4 rejects, plain and zk.
  for (const bool zk : {false, true}) {
    INFO("zk " << zk);
    const Statement honest(5, 64, 5), cheat(5, 0, 0);
    const auto pk = stark::setup(0x61627374, honest.airs(), zk ? zk_config() : fast_config(), cpu());
    CHECK_FALSE(rejects(pk.vk, stark::serialize_proof(prove(pk, honest))));
    std::string why;
    CHECK(rejects(pk.vk, stark::serialize_proof(prove(pk, cheat, false)), &why));
    CHECK_THAT(why, Catch::Contains("LogUp"));
  }
}

TEST_CASE("absent tables: a table whose AIR may not be absent cannot be left out") {
  // The sender pins its first v to the public value. A cheating prover that
  // treats it as optional proves a statement with public value 9 and no
  // sender rows at all (so nothing checks the 9); the verifier's AIR says
  // the sender may not be absent. Both the proof object (check_shape) and
  // its bytes (the parser) are refused.
  SenderAir sender;
  sender.optional = true;
  Statement s(0, 0, 0);
  s.sender = &sender;
  s.publics[0] = {Fp::from_u64(9)};
  const RowMajorMatrix<Fp> no_rows(2, 0);
  std::vector<TableWitness> w = s.witnesses();
  w[0].trace = &no_rows;
  // Two optional tables: prepare_vk wants one that is always present.
  CHECK_THROWS_WITH(stark::setup(0x61627374, s.airs(), fast_config(), cpu()), Catch::Contains("every table may be absent"));
  // The cheat needs a third, always-present table to have a proof at all.
  examples::ByteTableAir anchor;
  RowMajorMatrix<Fp> anchor_trace(1, 256);
  std::vector<const Air*> airs{&sender, &kReceiver, &anchor};
  w.push_back({&anchor, &anchor_trace, {}});
  const auto pk = stark::setup(0x61627374, airs, fast_config(), cpu());
  stark::ProveOptions o;
  o.check_constraints = false;
  const auto p = stark::prove(pk, w, cpu(), o);
  REQUIRE(p.log_heights[0] == 0);
  // While the prover's view holds (the AIR may be absent), it verifies.
  CHECK_FALSE(rejects_proof(pk.vk, p));
  sender.optional = false;
  std::string why;
  CHECK(rejects_proof(pk.vk, p, &why));
  CHECK_THAT(why, Catch::Contains("'sender'") && Catch::Contains("may not be absent"));
  CHECK(rejects(pk.vk, stark::serialize_proof(p), &why));
  CHECK_THAT(why, Catch::Contains("may not be absent"));
  // And the honest prover refuses a height-0 trace for it.
  CHECK_THROWS_WITH(stark::prove(pk, w, cpu()), Catch::Contains("may not be absent"));
}

TEST_CASE("absent tables: an AIR with preprocessed columns may not be absent") {
  class FixedOptional : public examples::ByteTableAir {
   public:
    bool may_be_absent() const override { return true; }
  };
  const FixedOptional fixed;
  CHECK_THROWS_WITH(stark::setup(0x61627374, {&kSender, &fixed}, fast_config(), cpu()),
                    Catch::Contains("may be absent but has preprocessed columns"));
}

TEST_CASE("absent tables: segments with and without the table verify as one zk statement") {
  // Segment 0 sends (2) three times and receives them; segment 1 sends
  // nothing and leaves the receiver out. The zk LogUp masks of each
  // segment cover only its present tables and still sum to 0 over the
  // statement.
  const Statement a(3, 64, 3), b(0, 0, 0);
  const auto pk = stark::setup(0x61627374, a.airs(), zk_config(), cpu());
  const std::vector<std::vector<TableWitness>> segs{a.witnesses(), b.witnesses()};
  for (int rep = 0; rep < 3; ++rep) {
    const auto proofs = stark::prove_segments(pk, segs, cpu());
    REQUIRE(proofs[1].log_heights[1] == 0);
    CHECK_NOTHROW(stark::verify_segments(pk.vk, proofs, {}, no_floor()));
  }
}
