// Packed expression types for the quotient kernel: PackedFp holds one Fp
// per SIMD lane (16 rows), PackedFp4 four of them. An AIR's constraints(b) runs once per block of rows with these as
// the builder's expression types, so every arithmetic op works on all lanes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "prover/field/babybear.h"

namespace zkvm::air {

// 16 lanes as GCC/Clang vector extensions: the compiler emits AVX-512 (or
// pairs of AVX2, or scalar code) for -march, and no intrinsic with an
// "undefined" pass-through is involved (GCC 12 warns about those in every
// file that instantiates an AIR). Montgomery multiplication follows
// field::detail::monty_reduce lane by lane; tests compare against the scalar
// kernel row by row.
struct PackedFp {
  static constexpr size_t kLanes = 16;
  typedef uint32_t V __attribute__((vector_size(64)));
  typedef uint64_t W __attribute__((vector_size(64)));
  V v;

  PackedFp() : v(V{}) {}
  PackedFp(field::Fp x) : v(V{} + x.monty()) {}  // NOLINT: broadcast embedding
  static PackedFp from_v(V x) {
    PackedFp r;
    r.v = x;
    return r;
  }
  static PackedFp load(const field::Fp* p) {
    PackedFp r;
    std::memcpy(&r.v, p, sizeof(V));  // Fp is its Montgomery uint32
    return r;
  }
  void store(field::Fp* p) const { std::memcpy(static_cast<void*>(p), &v, sizeof(V)); }

  static V reduce_range(V t, V sub) { return t < sub ? t : sub; }  // unsigned min
  friend PackedFp operator+(const PackedFp& a, const PackedFp& b) {
    const V t = a.v + b.v;  // < 2p < 2^32
    return from_v(reduce_range(t, t - field::Fp::kModulus));
  }
  friend PackedFp operator-(const PackedFp& a, const PackedFp& b) {
    const V t = a.v - b.v;  // wraps when a < b; then t + p is the answer
    return from_v(reduce_range(t, t + field::Fp::kModulus));
  }
  friend PackedFp operator*(const PackedFp& a, const PackedFp& b) {
    const W lo32 = W{} + 0xffffffffull;
    const W wa = (W)a.v, wb = (W)b.v;  // vector casts are bit casts
    const W p_even = mul_reduce(wa & lo32, wb & lo32);
    const W p_odd = mul_reduce(wa >> 32, wb >> 32);
    const W r = p_even | (p_odd << 32);
    return from_v((V)r);
  }
  PackedFp operator-() const { return PackedFp() - *this; }
  PackedFp& operator+=(const PackedFp& o) { return *this = *this + o; }
  PackedFp& operator-=(const PackedFp& o) { return *this = *this - o; }
  PackedFp& operator*=(const PackedFp& o) { return *this = *this * o; }

 private:
  // Low 32 bits of x times low 32 bits of y, in 64-bit lanes. GCC 12 turns
  // the plain product into vpmullq (3 uops); its builtin (with a zero
  // pass-through, so no uninitialised-value warning) gives vpmuludq.
  static W mul_lo32(W x, W y) {
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
    typedef int32_t VS __attribute__((vector_size(64)));
    typedef long long WL __attribute__((vector_size(64)));
    return (W)__builtin_ia32_pmuludq512_mask((VS)x, (VS)y, WL{}, static_cast<unsigned char>(0xFF));
#else
    const W lo32 = W{} + 0xffffffffull;
    return (x & lo32) * (y & lo32);
#endif
  }
  // x, y < p in 64-bit lanes -> x * y / 2^32 mod p in [0, p).
  static W mul_reduce(W x, W y) {
    const W lo32 = W{} + 0xffffffffull;
    const W prod = mul_lo32(x, y);
    const W q = mul_lo32(prod, W{} + field::detail::kPInv);  // only the low 32 bits matter
    const W qp = mul_lo32(q, W{} + field::Fp::kModulus);
    const W hi = prod >> 32, qp_hi = qp >> 32;
    const W r = hi - qp_hi;
    return (r + ((W)(hi < qp_hi) & field::Fp::kModulus)) & lo32;
  }
};

struct PackedFp4 {
  PackedFp c[4];
  PackedFp4() = default;
  PackedFp4(const PackedFp& a) : c{a, PackedFp(), PackedFp(), PackedFp()} {}  // NOLINT
  PackedFp4(const field::Fp4& a) : c{a.c[0], a.c[1], a.c[2], a.c[3]} {}        // NOLINT: broadcast
  static PackedFp4 from_base(const PackedFp& a, const PackedFp& b, const PackedFp& cc, const PackedFp& d) {
    PackedFp4 r;
    r.c[0] = a;
    r.c[1] = b;
    r.c[2] = cc;
    r.c[3] = d;
    return r;
  }
  friend PackedFp4 operator+(const PackedFp4& a, const PackedFp4& b) {
    return from_base(a.c[0] + b.c[0], a.c[1] + b.c[1], a.c[2] + b.c[2], a.c[3] + b.c[3]);
  }
  friend PackedFp4 operator-(const PackedFp4& a, const PackedFp4& b) {
    return from_base(a.c[0] - b.c[0], a.c[1] - b.c[1], a.c[2] - b.c[2], a.c[3] - b.c[3]);
  }
  friend PackedFp4 operator*(const PackedFp4& a, const PackedFp& s) {
    return from_base(a.c[0] * s, a.c[1] * s, a.c[2] * s, a.c[3] * s);
  }
  // x^4 = W (Fp4 = Fp[x]/(x^4 - 11)), as Fp4::operator*.
  friend PackedFp4 operator*(const PackedFp4& x, const PackedFp4& y) {
    const PackedFp w(field::Fp::from_canonical(field::Fp4::kW));
    const PackedFp* a = x.c;
    const PackedFp* b = y.c;
    return from_base(a[0] * b[0] + w * (a[1] * b[3] + a[2] * b[2] + a[3] * b[1]),
                     a[0] * b[1] + a[1] * b[0] + w * (a[2] * b[3] + a[3] * b[2]),
                     a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + w * (a[3] * b[3]),
                     a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0]);
  }
  PackedFp4 operator-() const { return PackedFp4() - *this; }
  PackedFp4& operator+=(const PackedFp4& o) { return *this = *this + o; }
  PackedFp4& operator-=(const PackedFp4& o) { return *this = *this - o; }
};

// Broadcast constant times packed value.
inline PackedFp4 operator*(const field::Fp4& a, const PackedFp& s) {
  return PackedFp4::from_base(PackedFp(a.c[0]) * s, PackedFp(a.c[1]) * s, PackedFp(a.c[2]) * s,
                              PackedFp(a.c[3]) * s);
}
inline PackedFp4 operator*(const field::Fp4& a, const PackedFp4& b) { return PackedFp4(a) * b; }

}  // namespace zkvm::air
