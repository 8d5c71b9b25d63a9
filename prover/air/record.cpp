// Recording (record_expr.h) and compilation to a hal::QuotientProgram.
#include "prover/air/record.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace zkvm::air {

using hal::QOp;

namespace {
thread_local Recording* g_current = nullptr;

Rec make(QOp op, const Rec& x, const Rec& y) {
  auto& r = Recording::current();
  auto id = [&](const Rec& v) { return v.is_const ? r.add(QOp::Const, v.value.monty()) : v.id; };
  const uint32_t a = id(x);
  return Rec::node(r.add(op, a, op == QOp::Neg ? 0 : id(y)));
}
}  // namespace

Recording::Scope::Scope(Recording& r) {
  if (g_current != nullptr) throw std::logic_error("Recording::Scope: a recording is already active on this thread");
  g_current = &r;
}
Recording::Scope::~Scope() { g_current = nullptr; }

Recording& Recording::current() {
  if (g_current == nullptr) throw std::logic_error("Rec: no recording active on this thread");
  return *g_current;
}

Rec operator+(const Rec& x, const Rec& y) {
  if (x.is_const && y.is_const) return Rec(x.value + y.value);
  if (x.is_const && x.value.is_zero()) return y;
  if (y.is_const && y.value.is_zero()) return x;
  return make(QOp::Add, x, y);
}

Rec operator-(const Rec& x, const Rec& y) {
  if (x.is_const && y.is_const) return Rec(x.value - y.value);
  if (y.is_const && y.value.is_zero()) return x;
  if (x.is_const && x.value.is_zero()) return -y;
  return make(QOp::Sub, x, y);
}

Rec operator*(const Rec& x, const Rec& y) {
  if (x.is_const && y.is_const) return Rec(x.value * y.value);
  if ((x.is_const && x.value.is_zero()) || (y.is_const && y.value.is_zero())) return Rec();
  if (x.is_const && x.value == Fp::one()) return y;
  if (y.is_const && y.value == Fp::one()) return x;
  return make(QOp::Mul, x, y);
}

Rec Rec::operator-() const {
  if (is_const) return Rec(-value);
  return make(QOp::Neg, *this, *this);
}

Rec4 operator+(const Rec4& x, const Rec4& y) {
  return Rec4::from_base(x.c[0] + y.c[0], x.c[1] + y.c[1], x.c[2] + y.c[2], x.c[3] + y.c[3]);
}
Rec4 operator-(const Rec4& x, const Rec4& y) {
  return Rec4::from_base(x.c[0] - y.c[0], x.c[1] - y.c[1], x.c[2] - y.c[2], x.c[3] - y.c[3]);
}
Rec4 Rec4::operator-() const { return Rec4::from_base(-c[0], -c[1], -c[2], -c[3]); }
Rec4 operator*(const Rec4& x, const Rec& s) {
  return Rec4::from_base(x.c[0] * s, x.c[1] * s, x.c[2] * s, x.c[3] * s);
}
// (sum a_i x^i)(sum b_j x^j) with x^4 = W: r_k = sum_{i+j=k} a_i b_j + W
// sum_{i+j=k+4} a_i b_j (Fp4::operator*).
Rec4 operator*(const Rec4& x, const Rec4& y) {
  const Rec w(Fp::from_canonical(Fp4::kW));
  Rec4 r;
  for (int k = 0; k < 4; ++k) {
    Rec lo, hi;
    for (int i = 0; i <= k; ++i) lo += x.c[i] * y.c[k - i];
    for (int i = k + 1; i < 4; ++i) hi += x.c[i] * y.c[k + 4 - i];
    r.c[k] = lo + w * hi;
  }
  return r;
}

hal::QuotientProgram compile_quotient_program(const QuotientProgramInputs& in) {
  if (in.air == nullptr) throw std::invalid_argument("compile_quotient_program: no AIR");
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
    const auto main = leaves(QOp::Main, in.main_width), main_next = leaves(QOp::MainNext, in.main_width);
    const auto pre = leaves(QOp::Pre, in.pre_width), pre_next = leaves(QOp::PreNext, in.pre_width);
    const auto aux = leaves(QOp::Aux, in.aux_width), aux_next = leaves(QOp::AuxNext, in.aux_width);
    RecordBuilder b;
    b.local = main;
    b.next = main_next;
    b.pre_local = pre;
    b.pre_next_row = pre_next;
    b.aux_local = aux;
    b.aux_next = aux_next;
    b.publics = in.publics;
    b.sel_first = Rec::leaf(QOp::SelFirst, 0);
    b.sel_last = Rec::leaf(QOp::SelLast, 0);
    b.sel_transition = Rec::leaf(QOp::SelTrans, 0);
    b.logup_alpha = in.logup_alpha;
    b.cumsum = in.cumsum;
    b.logup_mask = in.logup_mask;
    b.logup_mask_col = in.logup_mask_col;
    b.beta_pows = in.beta_pows;
    b.alpha_pows = in.alpha_pows;
    b.logup_groups = in.logup_groups;
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
  hal::QuotientProgram p;
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
    hal::QInstr ins{nd.op, 0, slot_of[nd.a], binary ? slot_of[nd.b] : 0};
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
  const uint32_t budget = std::min(in.max_slots, hal::QuotientProgram::kMaxSlots);
  if (p.slots > budget)
    throw std::invalid_argument("quotient program for table '" + in.air->name() + "' needs " +
                                std::to_string(p.slots) + " slots, more than " + std::to_string(budget));
  return p;
}

}  // namespace zkvm::air
