// The quotient kernel as a program: the AIR's constraints(b), its LogUp
// constraints and the random linear combination sum_i alpha^i C_i, recorded
// once per table and proof by air::RecordBuilder (prover/air/record_expr.h) from
// the same EvalBuilderT code the CPU kernel runs, as straight-line base-field
// instructions over numbered slots. A backend that cannot run the AIR's C++
// (a GPU) runs this instead, one thread per coset row (cuda/kernels/
// quotient_kernels.h). Plain data: no AIR types, so device code includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/matrix/matrix.h"

namespace zkvm::hal {

enum class QOp : uint32_t {
  Const,     // slot[dst] = Fp::from_monty(a)
  Main,      // slot[dst] = main column a on this row
  MainNext,  //                              on the next row (x * g_n)
  Pre,
  PreNext,
  Aux,       // base column a of the aux LDE (4 per Fp4 column)
  AuxNext,
  SelFirst,  // the row's selectors (QuotientSelectors)
  SelLast,
  SelTrans,
  Add,       // slot[dst] = slot[a] + slot[b]
  Sub,
  Mul,
  Neg,       // slot[dst] = -slot[a]
};

struct QInstr {
  QOp op;
  uint32_t dst, a, b;
};

struct QuotientProgram {
  std::vector<QInstr> code;
  uint32_t slots = 0;           // slots the program uses (reused after a value's last read)
  uint32_t out[4] = {0, 0, 0, 0};  // sum_i alpha^i C_i as 4 base coordinates
  // Largest slot count a device thread holds (local memory); the recorder
  // refuses a program that needs more.
  static constexpr uint32_t kMaxSlots = 1024;
};

// Per coset point (natural order i, point x_i = s w_N^i): the first-row,
// last-row and transition selectors and the factor 1/Z_H(x) (times V_R(x)
// with zk random rows) that the quotient kernel multiplies by (see
// prover/hal/quotient.h). Computed once per table on the host.
struct QuotientSelectors {
  std::vector<field::Fp> first, last, transition, factor;
};

// What a backend needs to run a program over one table's quotient coset:
// the LDEs (bit-reversed rows, at least 2^(log_n + log_chunks) of them),
// the selectors, and optionally the rows to evaluate (empty: all).
struct QuotientRowInputs {
  unsigned log_n = 0, log_chunks = 0;
  const matrix::RowMajorMatrix<field::Fp>* main = nullptr;
  const matrix::RowMajorMatrix<field::Fp>* pre = nullptr;  // may be null
  const matrix::RowMajorMatrix<field::Fp>* aux = nullptr;  // may be null
  const QuotientSelectors* selectors = nullptr;
  std::span<const size_t> rows;
};

}  // namespace zkvm::hal
