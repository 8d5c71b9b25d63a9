// hal::compile_quotient_program: records a table's quotient numerator with
// air::RecordBuilder (prover/air/record_expr.h) and compiles it to a
// QuotientProgram (prover/hal/quotient_program.h).
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "prover/hal/quotient.h"

namespace zkvm::hal {

using air::Rec;
using air::Rec4;
using air::RecordBuilder;
using air::Recording;

QuotientProgram compile_quotient_program(const QuotientInputs& in, uint32_t max_slots) {
  if (in.air == nullptr || in.main == nullptr)
    throw std::invalid_argument("compile_quotient_program: no AIR or no main LDE");
  Recording rec;
  Rec4 acc;
  {
    Recording::Scope scope(rec);
    auto leaves = [&](QOp op, size_t width) {
      std::vector<Rec> v;
      v.reserve(width);
      for (size_t c = 0; c < width; ++c) v.push_back(Rec::leaf(op, static_cast<uint32_t>(c)));
      return v;
    };
    const size_t wm = in.main->width, wp = in.pre != nullptr ? in.pre->width : 0,
                 wa = in.aux != nullptr ? in.aux->width : 0;
    const auto main = leaves(QOp::Main, wm), main_next = leaves(QOp::MainNext, wm);
    const auto pre = leaves(QOp::Pre, wp), pre_next = leaves(QOp::PreNext, wp);
    const auto aux = leaves(QOp::Aux, wa), aux_next = leaves(QOp::AuxNext, wa);
    RecordBuilder b;
    b.local = main;
    b.next = main_next;
    b.pre_local = pre;
    b.pre_next_row = pre_next;
    b.aux_local = aux;
    b.aux_next = aux_next;
    b.set_statement(in);
    b.sel_first = Rec::leaf(QOp::SelFirst, 0);
    b.sel_last = Rec::leaf(QOp::SelLast, 0);
    b.sel_transition = Rec::leaf(QOp::SelTrans, 0);
    b.reset();
    in.air->eval(b);
    acc = b.acc;
  }
  // Outputs: the four coordinates (a constant coordinate gets a Const node).
  uint32_t out[4];
  for (int k = 0; k < 4; ++k)
    out[k] = acc.c[k].is_const ? rec.add(QOp::Const, acc.c[k].value.monty()) : acc.c[k].id;
  const auto& nodes = rec.nodes;
  const size_t n = nodes.size();
  auto is_binary = [](QOp op) { return op == QOp::Add || op == QOp::Sub || op == QOp::Mul; };
  // Liveness: the last node reading each node (operands precede their
  // users, so one backward pass marks what the outputs need).
  std::vector<bool> live(n, false);
  std::vector<uint32_t> last_use(n, 0);
  for (int k = 0; k < 4; ++k) live[out[k]] = true;
  for (size_t i = n; i-- > 0;) {
    if (!live[i]) continue;
    const auto& nd = nodes[i];
    auto use = [&](uint32_t a) {
      live[a] = true;
      last_use[a] = std::max(last_use[a], static_cast<uint32_t>(i));
    };
    if (is_binary(nd.op)) use(nd.a), use(nd.b);
    if (nd.op == QOp::Neg) use(nd.a);
  }
  // Outputs stay live to the end.
  for (int k = 0; k < 4; ++k) last_use[out[k]] = static_cast<uint32_t>(n);
  QuotientProgram p;
  std::vector<uint32_t> slot_of(n, 0), free_slots;
  std::vector<bool> emitted(n, false);
  auto alloc = [&] {
    if (free_slots.empty()) return p.slots++;
    const uint32_t s = free_slots.back();
    free_slots.pop_back();
    return s;
  };
  // Leaves and constants are loaded just before their first reader, so a
  // column's slot is held only between its first and last use.
  auto materialize = [&](uint32_t o) {
    if (emitted[o]) return;
    emitted[o] = true;
    slot_of[o] = alloc();
    p.code.push_back({nodes[o].op, slot_of[o], nodes[o].a, 0});
  };
  for (size_t i = 0; i < n; ++i) {
    const auto& nd = nodes[i];
    const bool binary = is_binary(nd.op);
    if (!live[i] || !(binary || nd.op == QOp::Neg)) continue;
    materialize(nd.a);
    if (binary) materialize(nd.b);
    QInstr ins{nd.op, 0, slot_of[nd.a], binary ? slot_of[nd.b] : 0};
    // Operands read for the last time free their slots before dst is
    // chosen (an instruction reads its operands before it writes).
    for (const uint32_t o : {nd.a, binary ? nd.b : nd.a}) {
      if (last_use[o] == i) {
        free_slots.push_back(slot_of[o]);
        last_use[o] = UINT32_MAX;  // freed once when both operands are o
      }
    }
    ins.dst = alloc();
    slot_of[i] = ins.dst;
    emitted[i] = true;
    p.code.push_back(ins);
  }
  for (int k = 0; k < 4; ++k) materialize(out[k]);
  for (int k = 0; k < 4; ++k) p.out[k] = slot_of[out[k]];
  const uint32_t budget = std::min(max_slots, QuotientProgram::kMaxSlots);
  if (p.slots > budget)
    throw std::invalid_argument("quotient program for table '" + in.air->name() + "' needs " +
                                std::to_string(p.slots) + " slots, more than " + std::to_string(budget));
  return p;
}

}  // namespace zkvm::hal
