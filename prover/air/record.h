// Recording builder: runs an AIR's constraints(b) and the framework's LogUp
// and alpha-combination code (EvalBuilderT, the same code the CPU quotient
// kernel and the verifier run) over symbolic values, and compiles what it
// recorded into a hal::QuotientProgram for backends that cannot run C++ AIRs
// (the CUDA kernel interprets it per coset row).
//
// The values are Rec / Rec4 (record_expr.h). Constants are folded while
// recording (alpha powers, beta powers, bus ids, public values and
// literals are all known), so the program holds only the per-row work.
// Field arithmetic is exact, so the program's result equals the CPU
// kernel's bit for bit whatever the evaluation order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "prover/air/air.h"
#include "prover/hal/quotient_program.h"

namespace zkvm::air {

// Records in.air's quotient numerator sum_i alpha^i C_i (with the inputs'
// challenges, publics, LogUp groups and zk mask) and compiles it: dead
// nodes dropped, leaves loaded just before their first reader, slots reused
// after each value's last read. Throws std::invalid_argument if it needs
// more than in.max_slots (<= QuotientProgram::kMaxSlots).
struct QuotientProgramInputs {
  const Air* air = nullptr;
  size_t main_width = 0, pre_width = 0, aux_width = 0;  // base columns of the LDEs
  std::span<const Fp> publics;
  Fp4 logup_alpha, cumsum;
  std::span<const Fp4> beta_pows, alpha_pows;
  std::span<const std::vector<uint32_t>> logup_groups;
  bool logup_mask = false;
  size_t logup_mask_col = 0;
  // The slot budget (a device thread's local array); tests lower it.
  uint32_t max_slots = hal::QuotientProgram::kMaxSlots;
};
hal::QuotientProgram compile_quotient_program(const QuotientProgramInputs& in);

}  // namespace zkvm::air
