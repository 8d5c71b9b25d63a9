// Recording (record_expr.h): constant folding and node creation. The
// program compiler is hal::compile_quotient_program (prover/stark/
// quotient_program.cpp).
#include "prover/air/air.h"

#include <stdexcept>

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

}  // namespace zkvm::air
