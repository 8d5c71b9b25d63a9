// Shared by the RV32IM chip tests: a stand-in for the CPU on kBusAlu (a
// table that sends given ALU events), proving helpers, and the "change one
// cell, rebuild the aux, the verifier must reject" check.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "prover/rv32im/alu.h"
#include "prover/rv32im/bus.h"
#include "prover/rv32im/bytes.h"
#include "prover/rv32im/segment.h"
#include "prover/rv32im/witness.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"
#include "prover/air/builders.h"
#include "prover/air/checker.h"
#include "tests/stark/stark_test_support.h"

namespace zkvm::rv32im_test {

using field::Fp;
using matrix::RowMajorMatrix;
using rv32im::AluEvent;

// Sends (op, a, b, r) on kBusAlu with multiplicity `send` (0 on padding).
class AluSourceAir : public air::AirBase<AluSourceAir> {
 public:
  enum Col : size_t { kOp, kA, kB = kA + 4, kR = kB + 4, kSend = kR + 4, kWidth };
  std::string name() const override { return "test-alu-source"; }
  size_t width() const override { return kWidth; }
  std::string bus_name(uint32_t bus) const override { return rv32im::rv32im_bus_name(bus); }
  template <class B>
  void constraints(B& b) const {
    b.assert_bool("send is boolean", b.main(kSend));
    b.send(rv32im::kBusAlu,
           {b.main(kOp), b.main(kA), b.main(kA + 1), b.main(kA + 2), b.main(kA + 3), b.main(kB), b.main(kB + 1),
            b.main(kB + 2), b.main(kB + 3), b.main(kR), b.main(kR + 1), b.main(kR + 2), b.main(kR + 3)},
           b.main(kSend));
  }
};

// The byte-table cell of entry e (x + 256 y, or a 16-bit value) among a
// segment's traces: the main byte table below kBytesMain, the tail above.
inline Fp& byte_cell(std::vector<RowMajorMatrix<Fp>>& traces, uint32_t e, size_t col) {
  if (e < rv32im::kBytesMain) return traces[rv32im::kTableBytes].at(e, col);
  return traces[rv32im::kTableBytesTail].at(e - rv32im::kBytesMain, col);
}

inline void put_word(std::span<Fp> row, size_t col, uint32_t w) {
  for (size_t i = 0; i < 4; ++i) row[col + i] = Fp::from_canonical((w >> (8 * i)) & 0xff);
}

inline RowMajorMatrix<Fp> alu_source_trace(std::span<const AluEvent> events, size_t height) {
  RowMajorMatrix<Fp> m(AluSourceAir::kWidth, height);
  for (size_t i = 0; i < events.size(); ++i) {
    auto row = m.row(i);
    row[AluSourceAir::kOp] = Fp::from_canonical(rv32im::op_id(events[i].op));
    put_word(row, AluSourceAir::kA, events[i].a);
    put_word(row, AluSourceAir::kB, events[i].b);
    put_word(row, AluSourceAir::kR, events[i].r);
    row[AluSourceAir::kSend] = Fp::one();
  }
  return m;
}

// A statement of several tables with their traces (source, chip, bytes).
struct Statement {
  std::vector<const air::Air*> airs;
  std::vector<RowMajorMatrix<Fp>> traces;
  std::vector<air::TableWitness> witnesses() const {
    std::vector<air::TableWitness> w;
    for (size_t i = 0; i < airs.size(); ++i) w.push_back({airs[i], &traces[i], {}});
    return w;
  }
};

// Proves with the debug checker off and verifies; true if accepted.
inline bool prove_and_verify(const Statement& s, std::string* why = nullptr) {
  auto& hal = stark_test::cpu();
  const auto pk = stark::setup(99, s.airs, stark_test::fast_config(), hal);
  const auto w = s.witnesses();
  stark::ProveOptions o;
  o.check_constraints = false;
  const auto proof = stark::prove(pk, w, hal, o);
  const auto bytes = stark::serialize_proof(proof);
  return !stark_test::rejects(pk.vk, bytes, why);
}

// RV32IM segments of one statement (each segment's tables with their
// segment_publics), proved with the debug checker off, each proof through
// its bytes, and verified as a statement whose boundary terms are the
// claimed journal; true if accepted (why: the verifier's reason).
inline bool statement_accepted(const stark::ProvingKey& pk, const std::vector<std::vector<air::TableWitness>>& segments,
                               std::span<const uint8_t> journal, std::string* why = nullptr) {
  stark::ProveOptions o;
  o.check_constraints = false;
  const auto proofs = stark::prove_segments(pk, segments, stark_test::cpu(), o);
  try {
    std::vector<stark::StarkProof> parsed;
    for (const auto& p : proofs) parsed.push_back(stark::parse_proof(stark::serialize_proof(p), pk.vk));
    stark::verify_segments(pk.vk, parsed, rv32im::journal_terms(journal), stark_test::no_floor());
    return true;
  } catch (const stark::VerifyError& e) {
    if (why) *why = e.what();
  } catch (const transcript::ProofFormatError& e) {
    if (why) *why = e.what();
  }
  return false;
}
inline bool statement_accepted(const stark::ProvingKey& pk, std::span<const air::TableWitness> tables,
                               std::span<const uint8_t> journal, std::string* why = nullptr) {
  const std::vector<std::vector<air::TableWitness>> one{std::vector<air::TableWitness>(tables.begin(), tables.end())};
  return statement_accepted(pk, one, journal, why);
}

// One table evaluated row by row: the first failing constraint and the net
// multiset of its bus tuples.
using TupleKey = std::pair<uint32_t, std::vector<uint32_t>>;
struct Eval {
  std::string failed;
  size_t row = 0;
  std::map<TupleKey, Fp> net;
};

inline Eval evaluate(const air::Air& air, const RowMajorMatrix<Fp>& m, std::span<const Fp> publics) {
  Eval ev;
  air::CheckBuilder b;
  b.height = m.height;
  b.publics = publics;
  for (size_t r = 0; r < m.height; ++r) {
    b.row = r;
    b.local = m.row(r);
    b.next = m.row((r + 1) % m.height);
    b.failed = nullptr;
    b.tuples.clear();
    air.eval(b);
    if (b.failed != nullptr && ev.failed.empty()) {
      ev.failed = b.failed;
      ev.row = r;
    }
    for (const auto& t : b.tuples) {
      if (t.mult.is_zero()) continue;
      std::vector<uint32_t> key;
      for (Fp v : t.values) key.push_back(v.canonical());
      ev.net[{t.bus, std::move(key)}] += t.mult;
    }
  }
  std::erase_if(ev.net, [](const auto& kv) { return kv.second.is_zero(); });
  return ev;
}

// The debug checker's verdict (fast; for exhaustive cell sweeps).
inline bool checker_accepts(const Statement& s) { return air::check_constraints(s.witnesses()).ok; }

}  // namespace zkvm::rv32im_test
