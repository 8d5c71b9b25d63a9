// Shared by the whole-circuit RV32IM tests (test_cpu.cpp, test_dot.cpp): an
// owned copy of a run's trace that a test can forge, the tables built from
// it (TraceCheck::kForge keeps the lie in the cells), proving with the
// debug checker off, and the "change one cell" sweep of a table.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "prover/rv32im/memory.h"
#include "prover/rv32im/receipt.h"
#include "prover/rv32im/witness.h"
#include "tests/rv32im/rv32im_test_support.h"
#include "tests/vm/vm_test_util.h"

namespace zkvm::rv32im_trace_test {

using namespace zkvm::vm::test;
using rv32im::TraceCheck;

// a7 := 93, ECALL (a0 is the exit code).
inline void exit_with_a0(std::vector<uint32_t>& code) {
  li(code, a7, vm::kSysExit);
  code.push_back(ECALL);
}

// About 975 cycles in one segment (a 1,103-row CPU table with its padding
// would be 2^11 rows): 896 fill a 2^10-row CPU table and the rest its
// 2^8-row overflow table (segment.h cpu_main_rows). A store before the
// loop; a load, an XOR and an 8-byte journal write after it; exit 42.
inline vm::Program split_program() {
  std::vector<uint32_t> code;
  li(code, s1, kDataBase);
  li(code, t0, 0x1234);
  code.push_back(SW(t0, s1, 0));
  li(code, t1, 480);
  code.push_back(ADDI(t1, t1, -1));
  code.push_back(BNE(t1, zero, -4));
  code.push_back(LW(a0, s1, 0));  // in the overflow table's rows
  code.push_back(enc_r(0, t0, a0, 4, a0, 0x33));  // XOR a0, a0, t0
  code.push_back(SW(a0, s1, 4));
  li(code, a0, 3);
  li(code, a1, kDataBase);
  li(code, a2, 8);
  li(code, a7, vm::kSysWrite);
  code.push_back(ECALL);
  li(code, a0, 42);
  exit_with_a0(code);
  return make_program(code, std::vector<uint8_t>(16, 0));
}

// An owned copy of a run's trace, in one chunk.
struct Recorded {
  std::vector<vm::TraceRow> rows;
  std::vector<vm::SyscallRecord> syscalls;
  std::vector<uint8_t> data;
  vm::RunResult claim;  // exit code and journal the cheater claims (the run's, until changed)
  size_t row_at(uint32_t pc, size_t from = 0) const {
    for (size_t i = from; i < rows.size(); ++i)
      if (rows[i].pc == pc) return i;
    FAIL("no row at pc " << pc);
    return 0;
  }
  // Drops row i (a forged control flow that skips it); later cycles move up.
  void erase_row(size_t i) {
    rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(i));
    for (auto& s : syscalls)
      if (s.cycle > i) --s.cycle;
  }
};

inline Recorded record(const vm::Program& p, vm::RunOptions o = {}) {
  Recorded r;
  r.claim = vm::run_traced(p, o, [&](const vm::TraceChunk& ch) {
    REQUIRE(ch.first_cycle == r.rows.size());
    const uint64_t off = r.data.size();
    r.rows.insert(r.rows.end(), ch.rows.begin(), ch.rows.end());
    for (vm::SyscallRecord s : ch.syscalls) {
      s.data_offset += off;
      r.syscalls.push_back(s);
    }
    r.data.insert(r.data.end(), ch.syscall_data.begin(), ch.syscall_data.end());
  });
  REQUIRE(r.claim.status == vm::RunStatus::Exited);
  return r;
}

// A hand-written trace whose last row is exit(0).
inline Recorded exit_zero_trace(std::vector<vm::TraceRow> rows) {
  Recorded r;
  r.rows = std::move(rows);
  vm::SyscallRecord exit_rec{};
  exit_rec.cycle = r.rows.size() - 1;
  exit_rec.number = vm::kSysExit;
  r.syscalls = {exit_rec};
  r.claim.exit_code = 0;
  return r;
}

// The exit ECALL (last row) reads and keeps a0 = v; the claim's exit code follows.
inline void forge_exit_a0(Recorded& r, uint32_t v) {
  auto& row = r.rows.back();
  REQUIRE(row.insn == ECALL);
  auto& rec = r.syscalls.back();
  REQUIRE(rec.number == vm::kSysExit);
  row.rs2_val = row.rd_val = v;
  rec.args[0] = rec.ret[0] = v;
  r.claim.exit_code = v & 0xff;
}

struct Built {
  std::unique_ptr<rv32im::Image> image;  // the circuit points at it
  rv32im::Execution ex;
  std::unique_ptr<rv32im::Circuit> circuit;
  std::vector<air::TableWitness> witnesses() const {
    std::vector<air::TableWitness> w;
    for (size_t t = 0; t < rv32im::kNumTables; ++t) w.push_back({circuit->airs()[t], &ex.traces[t], ex.publics[t]});
    return w;
  }
};

inline Built build(const vm::Program& p, const Recorded& r, TraceCheck mode = TraceCheck::kForge) {
  Built b;
  b.image = std::make_unique<rv32im::Image>(rv32im::build_image(p));
  const vm::TraceChunk ch{0, r.rows, r.syscalls, r.data};
  b.ex = rv32im::execute_trace(*b.image, std::span(&ch, 1), r.claim, rv32im::kMinTableRows, mode);
  b.circuit = std::make_unique<rv32im::Circuit>(b.image.get());
  return b;
}

inline stark::ProvingKey setup(const Built& b) {
  return stark::setup(rv32im::kRv32imProgramId, b.circuit->airs(), stark_test::fast_config(), stark_test::cpu());
}

// With the debug checker off; pk from setup(b) (or of the same image).
inline bool prove_verify(const Built& b, const stark::ProvingKey& pk, std::string* why = nullptr) {
  return rv32im_test::statement_accepted(pk, b.witnesses(), b.ex.run.journal, why);
}
inline bool prove_verify(const Built& b, std::string* why = nullptr) { return prove_verify(b, setup(b), why); }

// One cell of `table` changed by +1 (nothing else fixed up) and proven with
// the checker off: true when the verifier accepts. The cell is restored.
inline bool accepts_changed_cell(Built& b, const stark::ProvingKey& pk, size_t table, size_t row, size_t col) {
  auto& cell = b.ex.traces[table].at(row, col);
  const field::Fp honest = cell;
  cell += field::Fp::one();
  const bool accepted = prove_verify(b, pk);
  cell = honest;
  return accepted;
}

inline air::CheckResult check(const Built& b) {
  return air::check_constraints(b.witnesses(), true, rv32im::journal_terms(b.ex.run.journal));
}

// The checker names `what` (a constraint, or "bus" for an unbalanced bus)
// and the verifier rejects.
inline void require_rejected(const vm::Program& p, const Recorded& r, const std::string& what) {
  const Built b = build(p, r);
  const auto c = check(b);
  INFO("checker: " << c.message);
  CHECK_FALSE(c.ok);
  CHECK(c.constraint == what);
  std::string why;
  CHECK_FALSE(prove_verify(b, &why));
  INFO("verifier: " << why);
}


// An accelerator's call table (its first row the call of `p`'s only
// ecall of it): the row copied over the next (the call twice) and the row
// zeroed (no call row) each leave a bus unbalanced, which the verifier
// rejects with the checker off.
inline void require_call_row_bound(const vm::Program& p, const Recorded& r, size_t table) {
  for (const bool twice : {true, false}) {
    INFO((twice ? "the call twice" : "no call row"));
    Built b = build(p, r, TraceCheck::kStrict);
    auto& call = b.ex.traces[table];
    for (size_t col = 0; col < call.width; ++col) {
      if (twice) call.at(1, col) = call.at(0, col);
      else call.at(0, col) = field::Fp::zero();
    }
    CHECK(check(b).constraint == "bus");
    CHECK_FALSE(prove_verify(b));
  }
}

// Real rows of a table whose is_real is column 0 (memory, boundary, dot4).
inline size_t real_rows_of(const RowMajorMatrix<field::Fp>& m) {
  static_assert(rv32im::MemoryAir::kIsReal == 0 && rv32im::BoundaryAir::kIsReal == 0);
  size_t n = 0;
  while (n < m.height && m.at(n, 0) == field::Fp::one()) ++n;
  return n;
}
inline size_t real_rows(const Built& b, size_t table) { return real_rows_of(b.ex.traces[table]); }

inline void sweep_table(const Built& honest, size_t table, size_t width, size_t real_rows) {
  const air::Air& air = *honest.circuit->airs()[table];
  const auto& publics = honest.ex.publics[table];
  const auto honest_net = rv32im_test::evaluate(air, honest.ex.traces[table], publics).net;
  for (size_t col = 0; col < width; ++col) {
    for (size_t row = 0; row < real_rows; ++row) {
      auto m = honest.ex.traces[table];
      m.at(row, col) += field::Fp::one();
      const auto ev = rv32im_test::evaluate(air, m, publics);
      INFO(air.name() << " row " << row << " column " << col);
      CHECK((!ev.failed.empty() || ev.net != honest_net));
    }
  }
}

}  // namespace zkvm::rv32im_trace_test
