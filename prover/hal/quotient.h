// HAL kernel: constraint evaluation over the quotient coset (the heaviest
// per-row kernel of the STARK prover). Interface only; the CPU
// implementation lives in prover/stark/cpu_quotient.cpp, a CUDA one can
// implement the same interface (and a dual backend can compare them).
//
// Contract: for each point x of the quotient coset s * H_N (N = n * 2^d,
// rows in bit-reversed order exactly as the PCS LDE stores them: row p is
// x_p = s * w_N^rev_N(p)), returns
//     Q(x_p) = sum_i alpha^i C_i(x_p) / Z_H(x_p),  Z_H(x) = x^n - 1
// (times V_R(x_p) with zk random rows, see zk_rows),
// where C_i are the AIR's constraints (with first/last/transition
// selectors), "next" values come from row x_p * g_n, and the LogUp
// constraints use the aux columns (4 base columns per Fp4 column).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "prover/air/air.h"
#include "prover/hal/hal.h"
#include "prover/hal/quotient_program.h"

namespace zkvm::hal {

struct QuotientInputs {
  const air::Air* air = nullptr;
  unsigned log_n = 0;      // trace height 2^log_n
  unsigned log_chunks = 0; // quotient domain N = 2^(log_n + log_chunks)
  field::Fp shift;         // coset shift s
  // LDEs in bit-reversed row order; only the first N rows are read.
  const matrix::RowMajorMatrix<field::Fp>* main = nullptr;
  const matrix::RowMajorMatrix<field::Fp>* pre = nullptr;  // may be null
  const matrix::RowMajorMatrix<field::Fp>* aux = nullptr;  // may be null
  std::span<const field::Fp> publics;
  field::Fp4 logup_alpha;
  std::span<const field::Fp4> beta_pows;
  std::span<const field::Fp4> alpha_pows;  // one per constraint
  std::span<const std::vector<std::uint32_t>> logup_groups;  // AirShape::logup_groups
  field::Fp4 cumsum;
  // zk: the main LDE carries the LogUp sum mask in 4 columns from
  // logup_mask_col (logup_mask), or in columns 0..3 of the first random row
  // (logup_mask_row; air/builders.h).
  bool logup_mask = false;
  bool logup_mask_row = false;
  size_t logup_mask_col = 0;
  // zk random rows r (stark::zk_random_rows): the last constrained row is
  // n - 1 - r and the result is C V_R / Z_H, V_R(x) = prod_(j=1..r) (x - g^-j).
  size_t zk_rows = 0;
  // When non-empty: evaluate only these coset rows (bit-reversed positions
  // < N), returning Q at them in this order (a multiple of the SIMD width
  // long, or the scalar path runs). Empty: all N rows.
  std::span<const size_t> rows;
  // With rows (CPU kernel only): the LDEs are gathered copies holding, for
  // rows[k], the point's row at 2k and its next row (x_p * g_n) at 2k + 1,
  // so a few points of the coset need not keep the whole LDE resident.
  bool gathered = false;
};

class QuotientKernel {
 public:
  virtual ~QuotientKernel() = default;
  // Q at the N coset points, bit-reversed order (as the inputs), or at
  // in.rows.
  virtual std::vector<field::Fp4> evaluate(const QuotientInputs& in) = 0;
};

// packed: evaluate blocks of rows in SIMD lanes (default); false selects
// the scalar reference path (one row at a time). Both give identical output.
std::unique_ptr<QuotientKernel> make_cpu_quotient_kernel(bool packed = true);

// Records in.air's quotient numerator sum_i alpha^i C_i (with the inputs'
// challenges, publics, LogUp groups and zk mask; widths from the LDEs) by
// air::RecordBuilder, the EvalBuilderT code the CPU kernel runs, and
// compiles it: constants folded, dead nodes dropped, leaves loaded just
// before their first reader, slots reused after each value's last read.
// Throws std::invalid_argument if it needs more than max_slots (<=
// QuotientProgram::kMaxSlots) slots.
QuotientProgram compile_quotient_program(const QuotientInputs& in,
                                         uint32_t max_slots = QuotientProgram::kMaxSlots);

// The quotient on a backend that runs it (hal.runs_quotient()): records the
// AIR's evaluation as a program (compile_quotient_program) and the
// selectors on the host, then hal.quotient_rows. Same output as the CPU
// kernel, bit for bit. hal must outlive the kernel.
std::unique_ptr<QuotientKernel> make_hal_quotient_kernel(Hal& hal);

// The selectors and the 1/Z_H (times V_R) factor at every coset point, in
// natural order (both kernels use them).
QuotientSelectors quotient_selectors(const QuotientInputs& in);

}  // namespace zkvm::hal
