// Receipts at the library level (rv32im::verify_receipt), with the standard
// parameters (zero knowledge, the 100-bit floor): every claim field, the
// journal byte by byte, journals and proofs swapped between two receipts of
// the same image, flipped and truncated bytes. A check that does not hold
// must never end in acceptance or a crash.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "prover/hal/hal.h"
#include "prover/rv32im/prove.h"
#include "prover/rv32im/receipt.h"
#include "prover/rv32im/witness.h"
#include "prover/transcript/serialize.h"
#include "tests/receipt/receipt_test_support.h"
#include "zkvm/vm/elf.h"

using namespace zkvm;

namespace {

struct Proved {
  rv32im::Receipt receipt;
  std::vector<uint8_t> bytes;
};

Proved prove_hello(const std::string& name) {
  const vm::Program prog = vm::load_elf_file(ZKVM_HELLO_ELF);
  vm::RunOptions run;
  run.input.assign(name.begin(), name.end());
  run.on_output = [](int, std::span<const uint8_t>) {};
  auto hal = hal::make_cpu_hal();
  Proved p;
  p.receipt = rv32im::prove(prog, run, {}, *hal);
  p.bytes = rv32im::serialize_receipt(p.receipt);
  return p;
}

using receipt_test::accepted;

const Proved& alice() {
  static const Proved p = prove_hello("alice");
  return p;
}
const Proved& bob() {
  static const Proved p = prove_hello("bob, a longer name");
  return p;
}

}  // namespace

TEST_CASE("a hello receipt verifies and returns the claim", "[receipt]") {
  const auto& a = alice();
  const auto claim = rv32im::verify_receipt(a.receipt.claim.image_id, a.bytes);
  CHECK(claim.exit_code == 0);
  CHECK(claim.cycles == a.receipt.claim.cycles);
  CHECK(claim.journal == a.receipt.claim.journal);
  const std::string text(claim.journal.begin() + 4, claim.journal.end());
  CHECK(text == "Hello, alice!");
  CHECK(a.receipt.claim.image_id == bob().receipt.claim.image_id);
}

TEST_CASE("verify_receipt rejects every changed claim field", "[receipt]") {
  const auto& a = alice();
  const auto id = a.receipt.claim.image_id;
  auto with = [&](auto change) {
    rv32im::Receipt r = a.receipt;
    change(r.claim);
    return r;
  };
  std::string why;
  CHECK_FALSE(accepted(id, with([](auto& c) { c.exit_code ^= 1; }), &why));
  CHECK_FALSE(accepted(id, with([](auto& c) { c.exit_code = 256; }), &why));
  CHECK_FALSE(accepted(id, with([](auto& c) { c.cycles += 1; }), &why));
  CHECK_FALSE(accepted(id, with([](auto& c) { c.cycles -= 1; }), &why));
  CHECK_FALSE(accepted(id, with([](auto& c) { c.entry += 4; }), &why));
  CHECK_FALSE(accepted(id, with([](auto& c) { c.journal.push_back(0); }), &why));
  CHECK_FALSE(accepted(id, with([](auto& c) { c.journal.pop_back(); }), &why));
  CHECK_FALSE(accepted(id, with([](auto& c) { c.journal.clear(); }), &why));
  for (size_t i = 0; i < a.receipt.claim.journal.size(); ++i) {
    INFO("journal byte " << i);
    CHECK_FALSE(accepted(id, with([&](auto& c) { c.journal[i] ^= 0x20; })));
  }
  // The claim's image ID is the expected one or the receipt is refused by name.
  auto other = id;
  other[7] ^= 1;
  CHECK_FALSE(accepted(other, a.bytes, &why));
  CHECK_THAT(why, Catch::Contains("image ID mismatch"));
  CHECK_FALSE(accepted(id, with([&](auto& c) { c.image_id = other; }), &why));
}

// The claim changed and the proof's public values rewritten to match it (a
// forger's receipt): only the STARK can object.
TEST_CASE("verify_receipt rejects a claim whose proof's public values were rewritten to match", "[receipt]") {
  const auto& a = alice();
  const auto id = a.receipt.claim.image_id;
  auto forged = [&](auto change) {
    rv32im::Receipt r = a.receipt;
    change(r.claim);
    const rv32im::Circuit circuit(nullptr);
    const auto vk = stark::parse_vk(r.vk, circuit.airs());
    std::vector<rv32im::SegmentEnd> ends;
    for (const auto& sp : r.segments) ends.push_back(sp.end);
    if (!ends.empty()) ends.back().journal_end = static_cast<uint32_t>(r.claim.journal.size());
    if (!ends.empty()) ends.back().cycles = static_cast<uint32_t>(r.claim.cycles);  // one segment
    const auto chain = rv32im::segment_chain(r.claim, ends);
    for (size_t k = 0; k < r.segments.size(); ++k) {
      auto proof = stark::parse_proof(r.segments[k].proof, vk);
      proof.publics = rv32im::segment_publics(chain[k]);
      r.segments[k].end = ends[k];
      r.segments[k].proof = stark::serialize_proof(proof);
    }
    return r;
  };
  std::string why;
  CHECK(accepted(id, forged([](auto&) {}), &why));  // the rewrite itself keeps an honest receipt valid
  INFO(why);
  CHECK_FALSE(accepted(id, forged([](auto& c) { c.exit_code = 1; }), &why));
  CHECK_THAT(why, !Catch::Contains("public values differ"));
  CHECK_FALSE(accepted(id, forged([](auto& c) { c.cycles += 1; })));
  CHECK_FALSE(accepted(id, forged([](auto& c) { c.entry += 4; })));
  for (size_t i = 0; i < a.receipt.claim.journal.size(); ++i) {
    INFO("journal byte " << i);
    CHECK_FALSE(accepted(id, forged([&](auto& c) { c.journal[i] ^= 1; })));
  }
}

TEST_CASE("verify_receipt rejects journals and proofs swapped between receipts of one image", "[receipt]") {
  const auto& a = alice();
  const auto& b = bob();
  const auto id = a.receipt.claim.image_id;
  REQUIRE(accepted(id, b.bytes));
  rv32im::Receipt r = a.receipt;
  r.claim.journal = b.receipt.claim.journal;
  CHECK_FALSE(accepted(id, r));
  r.claim = b.receipt.claim;  // bob's claim, alice's proof
  CHECK_FALSE(accepted(id, r));
  r = a.receipt;
  r.segments = b.receipt.segments;  // alice's claim, bob's proof
  CHECK_FALSE(accepted(id, r));
  // The vk is the image's (the journal's length comes from the claim).
  CHECK(a.receipt.vk == b.receipt.vk);
}

TEST_CASE("verify_receipt never accepts flipped, truncated or extended receipt bytes", "[receipt]") {
  const auto& a = alice();
  const auto id = a.receipt.claim.image_id;
  const size_t n = a.bytes.size();
  // Every byte of the header, claim and vk; then a spread over the proof.
  REQUIRE(a.receipt.segments.size() == 1);
  const size_t proof_at = n - a.receipt.segments[0].proof.size();
  std::vector<size_t> positions;
  for (size_t i = 0; i < proof_at; ++i) positions.push_back(i);
  for (size_t i = proof_at; i < n; i += (n - proof_at) / 150) positions.push_back(i);
  positions.push_back(n - 1);
  for (size_t i : positions) {
    auto bytes = a.bytes;
    bytes[i] ^= static_cast<uint8_t>(1u << (i % 8));
    INFO("byte " << i << " of " << n);
    CHECK_FALSE(accepted(id, bytes));
  }
  for (size_t len : {size_t{0}, size_t{3}, size_t{40}, proof_at - 1, proof_at + 10, n / 2, n - 1}) {
    INFO("truncated to " << len);
    CHECK_FALSE(accepted(id, std::span(a.bytes).first(len)));
  }
  auto longer = a.bytes;
  longer.push_back(0);
  CHECK_FALSE(accepted(id, longer));
}
