// BabyBear prime field p = 15 * 2^27 + 1 = 0x78000001 and its quartic
// extension Fp4 = Fp[x] / (x^4 - 11).
//
// Representation: Montgomery form with R = 2^32; every stored value is
// fully reduced (in [0, p)), so == compares representations directly.
// All arithmetic is constexpr and ZKVM_HD so host code, CUDA kernels and the
// verifier share one definition (STYLE.md, "Kernels and backends").
//
// Serialization is canonical: 4 bytes little-endian of canonical(); parsers
// must reject values >= p (see is_canonical) so each element has exactly one
// encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>

#if defined(__CUDACC__)
#define ZKVM_HD __host__ __device__
#else
#define ZKVM_HD
#endif

namespace zkvm::field {

namespace detail {
inline constexpr uint32_t kP = 0x78000001u;

// p^-1 mod 2^32 by Newton iteration (each step doubles the correct bits).
ZKVM_HD constexpr uint32_t inverse_mod_2_32(uint32_t a) {
  uint32_t x = 1;
  for (int i = 0; i < 5; ++i) x *= 2u - a * x;
  return x;
}
inline constexpr uint32_t kPInv = inverse_mod_2_32(kP);  // p * kPInv == 1 mod 2^32
// R^2 mod p with R = 2^32, used to enter Montgomery form.
inline constexpr uint64_t kRModP = (uint64_t{1} << 32) % kP;
inline constexpr uint32_t kR2 = static_cast<uint32_t>(kRModP * kRModP % kP);

// Signed Montgomery reduction: for x < p * 2^32 returns x / 2^32 mod p in
// [0, p). q is chosen so that q*p == x (mod 2^32); the low words cancel and
// hi(x) - hi(q*p) lies in (-p, p). The SIMD kernels use the same steps.
ZKVM_HD constexpr uint32_t monty_reduce(uint64_t x) {
  const uint32_t q = static_cast<uint32_t>(x) * kPInv;
  const uint64_t qp = static_cast<uint64_t>(q) * kP;
  const uint32_t hi_x = static_cast<uint32_t>(x >> 32);
  const uint32_t hi_qp = static_cast<uint32_t>(qp >> 32);
  const uint32_t r = hi_x - hi_qp;
  return hi_x < hi_qp ? r + kP : r;
}
// Montgomery reduction of any x < 2^64: subtracting p * 2^32 changes
// neither x mod p nor x mod 2^32, and at most two bring x below p * 2^32.
// Lets sums of up to four products be reduced once (Fp4 multiplication).
ZKVM_HD constexpr uint32_t monty_reduce_wide(uint64_t x) {
  constexpr uint64_t kP32 = static_cast<uint64_t>(kP) << 32;
  if (x >= kP32) x -= kP32;
  if (x >= kP32) x -= kP32;
  return monty_reduce(x);
}
}  // namespace detail

class Fp {
 public:
  static constexpr uint32_t kModulus = detail::kP;
  static constexpr unsigned kTwoAdicity = 27;  // p - 1 = 15 * 2^27
  static constexpr size_t kBytes = 4;

  ZKVM_HD constexpr Fp() : v_(0) {}

  // Any uint32 is accepted and reduced mod p (Montgomery multiplication by
  // R^2 is exact for inputs < 2^32). Parsers of untrusted data must check
  // is_canonical() first so that encodings stay unique.
  ZKVM_HD static constexpr Fp from_canonical(uint32_t v) {
    return from_monty(detail::monty_reduce(static_cast<uint64_t>(v) * detail::kR2));
  }
  ZKVM_HD static constexpr bool is_canonical(uint32_t v) { return v < kModulus; }
  ZKVM_HD static constexpr Fp from_u64(uint64_t v) {
    return from_canonical(static_cast<uint32_t>(v % kModulus));
  }
  // Signed integers map to their residue: -1 becomes p - 1.
  ZKVM_HD static constexpr Fp from_i64(int64_t v) {
    const int64_t r = v % static_cast<int64_t>(kModulus);
    return from_canonical(static_cast<uint32_t>(r < 0 ? r + kModulus : r));
  }
  // Raw Montgomery representation (x * 2^32 mod p), for SIMD kernels.
  ZKVM_HD static constexpr Fp from_monty(uint32_t m) {
    Fp f;
    f.v_ = m;
    return f;
  }
  ZKVM_HD constexpr uint32_t monty() const { return v_; }
  ZKVM_HD constexpr uint32_t canonical() const { return detail::monty_reduce(v_); }

  ZKVM_HD static constexpr Fp zero() { return Fp(); }
  ZKVM_HD static constexpr Fp one() { return from_canonical(1); }
  ZKVM_HD constexpr bool is_zero() const { return v_ == 0; }

  ZKVM_HD constexpr Fp operator+(Fp o) const {
    uint32_t s = v_ + o.v_;  // < 2p < 2^32
    return from_monty(s >= kModulus ? s - kModulus : s);
  }
  ZKVM_HD constexpr Fp operator-(Fp o) const {
    uint32_t d = v_ - o.v_;
    return from_monty(v_ < o.v_ ? d + kModulus : d);
  }
  ZKVM_HD constexpr Fp operator-() const { return Fp() - *this; }
  ZKVM_HD constexpr Fp operator*(Fp o) const {
    return from_monty(detail::monty_reduce(static_cast<uint64_t>(v_) * o.v_));
  }
  ZKVM_HD constexpr Fp& operator+=(Fp o) { return *this = *this + o; }
  ZKVM_HD constexpr Fp& operator-=(Fp o) { return *this = *this - o; }
  ZKVM_HD constexpr Fp& operator*=(Fp o) { return *this = *this * o; }
  ZKVM_HD constexpr bool operator==(const Fp& o) const { return v_ == o.v_; }
  ZKVM_HD constexpr bool operator!=(const Fp& o) const { return v_ != o.v_; }

  ZKVM_HD constexpr Fp square() const { return *this * *this; }
  ZKVM_HD constexpr Fp pow(uint64_t e) const {
    Fp base = *this, acc = one();
    while (e != 0) {
      if (e & 1) acc *= base;
      base = base.square();
      e >>= 1;
    }
    return acc;
  }
  // Fermat: x^(p-2). The inverse of zero is defined as zero (there is none);
  // callers that can meet zero must check is_zero() (batch_inverse throws).
  ZKVM_HD constexpr Fp inverse() const { return pow(kModulus - 2); }

  // Little-endian canonical bytes (4).
  ZKVM_HD constexpr void to_bytes(uint8_t* out) const {
    const uint32_t c = canonical();
    for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(c >> (8 * i));
  }
  // Returns false (and leaves *out alone) for a non-canonical encoding.
  ZKVM_HD static constexpr bool from_bytes(const uint8_t* in, Fp* out) {
    uint32_t c = 0;
    for (int i = 0; i < 4; ++i) c |= static_cast<uint32_t>(in[i]) << (8 * i);
    if (!is_canonical(c)) return false;
    *out = from_canonical(c);
    return true;
  }

 private:
  uint32_t v_;
};

// 31 generates the whole multiplicative group (order 15 * 2^27).
inline constexpr Fp kMultiplicativeGenerator = Fp::from_canonical(31);

namespace detail {
struct TwoAdicTable {
  Fp g[Fp::kTwoAdicity + 1];
};
// g[27] = 31^15 has order exactly 2^27; g[k-1] = g[k]^2 keeps the family
// consistent (g(k)^(2^(k-j)) = g(j)).
constexpr TwoAdicTable make_two_adic_table() {
  TwoAdicTable t{};
  t.g[Fp::kTwoAdicity] = kMultiplicativeGenerator.pow(15);
  for (unsigned k = Fp::kTwoAdicity; k > 0; --k) t.g[k - 1] = t.g[k].square();
  return t;
}
inline constexpr TwoAdicTable kTwoAdic = make_two_adic_table();
}  // namespace detail

// 31^15: generator of the order-2^27 subgroup, as a scalar constant (device
// code cannot read host tables; it squares down from here instead).
inline constexpr uint32_t kTwoAdicGenerator27 = 0x1a427a41u;
static_assert(detail::kTwoAdic.g[Fp::kTwoAdicity] == Fp::from_canonical(kTwoAdicGenerator27));

// Generator of the subgroup of order 2^log_n (log_n <= 27). Out-of-range
// log_n returns zero, which no caller can mistake for a root of unity.
ZKVM_HD constexpr Fp two_adic_generator(unsigned log_n) {
  if (log_n > Fp::kTwoAdicity) return Fp::zero();
#if defined(__CUDA_ARCH__)
  Fp g = Fp::from_canonical(kTwoAdicGenerator27);
  for (unsigned k = Fp::kTwoAdicity; k > log_n; --k) g = g.square();
  return g;
#else
  return detail::kTwoAdic.g[log_n];
#endif
}

// Quartic extension Fp[x]/(x^4 - W), W = 11 (a non-square mod p, and p = 1
// mod 4, so x^4 - 11 is irreducible). Element = c[0] + c[1]x + c[2]x^2 + c[3]x^3.
class Fp4 {
 public:
  static constexpr uint32_t kW = 11;
  static constexpr size_t kBytes = 16;
  Fp c[4];

  ZKVM_HD constexpr Fp4() : c{} {}
  ZKVM_HD constexpr Fp4(Fp a) : c{a, Fp(), Fp(), Fp()} {}  // NOLINT: implicit embedding
  ZKVM_HD static constexpr Fp4 from_base(Fp c0, Fp c1, Fp c2, Fp c3) {
    Fp4 r;
    r.c[0] = c0;
    r.c[1] = c1;
    r.c[2] = c2;
    r.c[3] = c3;
    return r;
  }
  ZKVM_HD static constexpr Fp4 zero() { return Fp4(); }
  ZKVM_HD static constexpr Fp4 one() { return Fp4(Fp::one()); }
  // The generator x of the extension as a polynomial ring.
  ZKVM_HD static constexpr Fp4 x() { return from_base(Fp(), Fp::one(), Fp(), Fp()); }
  ZKVM_HD constexpr bool is_zero() const {
    return c[0].is_zero() && c[1].is_zero() && c[2].is_zero() && c[3].is_zero();
  }
  ZKVM_HD constexpr bool is_base() const {
    return c[1].is_zero() && c[2].is_zero() && c[3].is_zero();
  }

  ZKVM_HD constexpr Fp4 operator+(const Fp4& o) const {
    return from_base(c[0] + o.c[0], c[1] + o.c[1], c[2] + o.c[2], c[3] + o.c[3]);
  }
  ZKVM_HD constexpr Fp4 operator-(const Fp4& o) const {
    return from_base(c[0] - o.c[0], c[1] - o.c[1], c[2] - o.c[2], c[3] - o.c[3]);
  }
  ZKVM_HD constexpr Fp4 operator-() const { return from_base(-c[0], -c[1], -c[2], -c[3]); }
  ZKVM_HD constexpr Fp4 operator*(Fp s) const {
    return from_base(c[0] * s, c[1] * s, c[2] * s, c[3] * s);
  }
  ZKVM_HD constexpr Fp4 operator+(Fp s) const { return from_base(c[0] + s, c[1], c[2], c[3]); }
  ZKVM_HD constexpr Fp4 operator-(Fp s) const { return from_base(c[0] - s, c[1], c[2], c[3]); }
  ZKVM_HD constexpr Fp4 operator*(const Fp4& o) const {
    // x^4 = W folds the degree 4..6 terms back with a factor W. Products of
    // Montgomery values are summed in 64 bits (each < p^2 < 2^62, at most
    // four per sum) and reduced once per sum: 7 reductions instead of 19.
    const uint64_t w = Fp::from_canonical(kW).monty();
    uint64_t a[4], b[4];
    for (int i = 0; i < 4; ++i) {
      a[i] = c[i].monty();
      b[i] = o.c[i].monty();
    }
    using detail::monty_reduce_wide;
    const uint64_t t0 = monty_reduce_wide(a[1] * b[3] + a[2] * b[2] + a[3] * b[1]);
    const uint64_t t1 = monty_reduce_wide(a[2] * b[3] + a[3] * b[2]);
    const uint64_t t2 = monty_reduce_wide(a[3] * b[3]);
    const uint32_t r0 = monty_reduce_wide(a[0] * b[0] + t0 * w);
    const uint32_t r1 = monty_reduce_wide(a[0] * b[1] + a[1] * b[0] + t1 * w);
    const uint32_t r2 = monty_reduce_wide(a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + t2 * w);
    const uint32_t r3 = monty_reduce_wide(a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0]);
    return from_base(Fp::from_monty(r0), Fp::from_monty(r1), Fp::from_monty(r2),
                     Fp::from_monty(r3));
  }
  ZKVM_HD constexpr Fp4& operator+=(const Fp4& o) { return *this = *this + o; }
  ZKVM_HD constexpr Fp4& operator-=(const Fp4& o) { return *this = *this - o; }
  ZKVM_HD constexpr Fp4& operator*=(const Fp4& o) { return *this = *this * o; }
  ZKVM_HD constexpr Fp4& operator*=(Fp s) { return *this = *this * s; }
  ZKVM_HD constexpr bool operator==(const Fp4& o) const {
    return c[0] == o.c[0] && c[1] == o.c[1] && c[2] == o.c[2] && c[3] == o.c[3];
  }
  ZKVM_HD constexpr bool operator!=(const Fp4& o) const { return !(*this == o); }

  ZKVM_HD constexpr Fp4 square() const { return *this * *this; }
  ZKVM_HD constexpr Fp4 pow(uint64_t e) const {
    Fp4 base = *this, acc = one();
    while (e != 0) {
      if (e & 1) acc *= base;
      base = base.square();
      e >>= 1;
    }
    return acc;
  }
  // a(x) * a(-x) = b0 + b2 x^2 lies in Fp[y]/(y^2 - W), y = x^2, whose norm
  // b0^2 - W b2^2 is in Fp; so a^-1 = a(-x) (b0 - b2 x^2) / norm.
  // The inverse of zero is zero (as for Fp).
  ZKVM_HD constexpr Fp4 inverse() const {
    const Fp w = Fp::from_canonical(kW);
    const Fp4 conj = from_base(c[0], -c[1], c[2], -c[3]);
    const Fp4 b = *this * conj;  // b.c[1] == b.c[3] == 0
    const Fp norm = b.c[0] * b.c[0] - w * b.c[2] * b.c[2];
    const Fp ninv = norm.inverse();
    const Fp4 t = from_base(b.c[0] * ninv, Fp(), -(b.c[2] * ninv), Fp());
    return conj * t;
  }

  ZKVM_HD constexpr void to_bytes(uint8_t* out) const {
    for (int i = 0; i < 4; ++i) c[i].to_bytes(out + 4 * i);
  }
  ZKVM_HD static constexpr bool from_bytes(const uint8_t* in, Fp4* out) {
    Fp4 r;
    for (int i = 0; i < 4; ++i)
      if (!Fp::from_bytes(in + 4 * i, &r.c[i])) return false;
    *out = r;
    return true;
  }
};

ZKVM_HD constexpr Fp4 operator*(Fp s, const Fp4& a) { return a * s; }
ZKVM_HD constexpr Fp4 operator+(Fp s, const Fp4& a) { return a + s; }
ZKVM_HD constexpr Fp4 operator-(Fp s, const Fp4& a) { return Fp4(s) - a; }

// out[i] = in[i]^-1 with one inversion (Montgomery's trick). Throws
// std::invalid_argument naming the first zero input, or on a size mismatch.
// in and out may be the same span.
void batch_inverse(std::span<const Fp> in, std::span<Fp> out);
void batch_inverse(std::span<const Fp4> in, std::span<Fp4> out);

inline std::ostream& operator<<(std::ostream& os, Fp a) { return os << a.canonical(); }
inline std::ostream& operator<<(std::ostream& os, const Fp4& a) {
  return os << '[' << a.c[0] << ", " << a.c[1] << ", " << a.c[2] << ", " << a.c[3] << ']';
}

}  // namespace zkvm::field
