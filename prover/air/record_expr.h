// Symbolic values for recording an AIR's evaluation (compiled to a program
// by hal::compile_quotient_program, prover/stark/quotient_program.cpp):
// Rec is a base-field value, a constant or a node of the recording active
// on this thread (Recording::Scope); Rec4 is an Fp4 value as four Recs,
// with Fp4 arithmetic written out in base operations (x^4 = W). Constants
// fold while recording. RecordBuilder is EvalBuilderT over them, so every
// AIR (AirBase) can be evaluated by it. Included by air.h only.
#pragma once

#include <cstdint>
#include <vector>

#include "prover/hal/quotient_program.h"

namespace zkvm::air {

// The node list being recorded (one per compile_quotient_program call).
class Recording {
 public:
  struct Node {
    hal::QOp op;
    uint32_t a, b;  // Const: monty value; leaves: column; Add/Sub/Mul: node ids; Neg: a
  };
  std::vector<Node> nodes;
  uint32_t add(hal::QOp op, uint32_t a, uint32_t b = 0) {
    nodes.push_back({op, a, b});
    return static_cast<uint32_t>(nodes.size() - 1);
  }
  // The recording Recs on this thread append to, while alive.
  class Scope {
   public:
    explicit Scope(Recording& r);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };
  static Recording& current();
};

// A recorded base-field value: constant (is_const, value) or node `id`.
struct Rec {
  bool is_const = true;
  Fp value;      // when is_const
  uint32_t id = 0;  // when not

  Rec() = default;  // the constant 0
  explicit Rec(Fp v) : value(v) {}
  static Rec node(uint32_t id) {
    Rec r;
    r.is_const = false;
    r.id = id;
    return r;
  }
  static Rec leaf(hal::QOp op, uint32_t column) { return node(Recording::current().add(op, column)); }

  friend Rec operator+(const Rec& x, const Rec& y);
  friend Rec operator-(const Rec& x, const Rec& y);
  friend Rec operator*(const Rec& x, const Rec& y);
  Rec operator-() const;
  Rec& operator+=(const Rec& o) { return *this = *this + o; }
  Rec& operator-=(const Rec& o) { return *this = *this - o; }
  Rec& operator*=(const Rec& o) { return *this = *this * o; }
};

// An Fp4 value as four recorded coordinates (c0 + c1 x + c2 x^2 + c3 x^3).
struct Rec4 {
  Rec c[4];
  Rec4() = default;
  explicit Rec4(const Fp4& v) {
    for (int k = 0; k < 4; ++k) c[k] = Rec(v.c[k]);
  }
  explicit Rec4(const Rec& e) { c[0] = e; }
  static Rec4 from_base(const Rec& c0, const Rec& c1, const Rec& c2, const Rec& c3) {
    Rec4 r;
    r.c[0] = c0, r.c[1] = c1, r.c[2] = c2, r.c[3] = c3;
    return r;
  }
  friend Rec4 operator+(const Rec4& x, const Rec4& y);
  friend Rec4 operator-(const Rec4& x, const Rec4& y);
  friend Rec4 operator*(const Rec4& x, const Rec4& y);
  friend Rec4 operator*(const Rec4& x, const Rec& s);
  Rec4 operator-() const;
  Rec4& operator+=(const Rec4& o) { return *this = *this + o; }
  Rec4& operator-=(const Rec4& o) { return *this = *this - o; }
};

// Constant times value (beta powers times tuple entries, alpha powers times
// constraints): namespace scope, so EvalBuilderT finds them.
inline Rec4 operator*(const Fp4& k, const Rec& e) { return Rec4(k) * e; }
inline Rec4 operator*(const Fp4& k, const Rec4& e) { return Rec4(k) * e; }

class RecordBuilder : public EvalBuilderT<Rec, Rec4> {};


}  // namespace zkvm::air
