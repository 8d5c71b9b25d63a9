// The quotient kernel's per-row body: interprets a hal::QuotientProgram
// (recorded from the AIR's constraints(b) by air::RecordBuilder, never a
// hand-written copy of an AIR) at one point of the quotient coset.
#pragma once

#include <cstdint>

#include "cuda/kernels/launch.h"
#include "prover/field/babybear.h"
#include "prover/hal/quotient_program.h"

namespace zkvm::gpu {

using field::Fp;
using field::Fp4;

struct QuotientArgs {
  const hal::QInstr* code;
  uint64_t code_len;
  uint32_t out[4];
  unsigned log_big;  // coset of 2^log_big points, rows bit-reversed
  uint64_t nz;       // 2^log_chunks: the next row is natural index i + nz
  const uint64_t* rows;  // the coset rows to evaluate, or null for all
  const Fp* main;
  uint64_t main_width;
  const Fp* pre;
  uint64_t pre_width;
  const Fp* aux;
  uint64_t aux_width;
  // Per natural index (hal::QuotientSelectors).
  const Fp *sel_first, *sel_last, *sel_trans, *factor;
  Fp4* out_values;
};

// Thread k: coset row p = rows[k] (or k), natural index i = rev(p); the
// next row is p' = rev(i + nz). out_values[k] = (sum_i alpha^i C_i)(x_p) *
// factor(x_p).
struct QuotientRow {
  ZKVM_HD static void run(uint64_t k, QuotientArgs a) {
    Fp slot[hal::QuotientProgram::kMaxSlots];
    const uint64_t big = uint64_t{1} << a.log_big;
    const uint64_t p = a.rows != nullptr ? a.rows[k] : k;
    const uint64_t i = reverse_bits(p, a.log_big);
    const uint64_t pn = reverse_bits((i + a.nz) & (big - 1), a.log_big);
    for (uint64_t t = 0; t < a.code_len; ++t) {
      const hal::QInstr in = a.code[t];
      Fp v;
      switch (in.op) {
        case hal::QOp::Const: v = Fp::from_monty(in.a); break;
        case hal::QOp::Main: v = a.main[elem_index(p, a.main_width, in.a)]; break;
        case hal::QOp::MainNext: v = a.main[elem_index(pn, a.main_width, in.a)]; break;
        case hal::QOp::Pre: v = a.pre[elem_index(p, a.pre_width, in.a)]; break;
        case hal::QOp::PreNext: v = a.pre[elem_index(pn, a.pre_width, in.a)]; break;
        case hal::QOp::Aux: v = a.aux[elem_index(p, a.aux_width, in.a)]; break;
        case hal::QOp::AuxNext: v = a.aux[elem_index(pn, a.aux_width, in.a)]; break;
        case hal::QOp::SelFirst: v = a.sel_first[i]; break;
        case hal::QOp::SelLast: v = a.sel_last[i]; break;
        case hal::QOp::SelTrans: v = a.sel_trans[i]; break;
        case hal::QOp::Add: v = slot[in.a] + slot[in.b]; break;
        case hal::QOp::Sub: v = slot[in.a] - slot[in.b]; break;
        case hal::QOp::Mul: v = slot[in.a] * slot[in.b]; break;
        case hal::QOp::Neg: v = -slot[in.a]; break;
      }
      slot[in.dst] = v;
    }
    a.out_values[k] =
        Fp4::from_base(slot[a.out[0]], slot[a.out[1]], slot[a.out[2]], slot[a.out[3]]) * a.factor[i];
  }
};

}  // namespace zkvm::gpu
