// Packed BabyBear arithmetic in SIMD lanes (AVX2: 8 lanes, AVX-512: 16).
// Each lane holds a Montgomery-form value in [0, p), exactly the bits of
// Fp::monty(), so arrays of Fp load and store directly.
//
// mul follows detail::monty_reduce lane by lane: _mm*_mul_epu32 forms the
// 64-bit products of the even lanes and (after a 32-bit shift) of the odd
// lanes; q = lo(x) * p^-1, and the result is hi(x) - hi(q*p) in (-p, p),
// brought into [0, p) by an unsigned min with the value + p (the wrong
// candidate is always >= 2^32 - p > p). add and sub use the same min trick.
// GCC 12 users: link zkvm_field_simd_flags (false -Wmaybe-uninitialized).
// Compiled only when the compiler targets the ISA (-march=native by default);
// tests compare every lane against the scalar Fp.
#pragma once

#include <cstddef>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "prover/field/babybear.h"

namespace zkvm::field::packed {

#if defined(__AVX512F__)
#define ZKVM_HAVE_AVX512 1
struct Avx512 {
  static constexpr size_t kLanes = 16;
  using V = __m512i;
  static V load(const Fp* p) { return _mm512_loadu_si512(reinterpret_cast<const void*>(p)); }
  static void store(Fp* p, V v) { _mm512_storeu_si512(reinterpret_cast<void*>(p), v); }
  // The first n < kLanes elements only (the other lanes load as 0 and are
  // not stored): row tails narrower than a vector.
  static V load_n(const Fp* p, size_t n) {
    return _mm512_maskz_loadu_epi32(static_cast<__mmask16>((1u << n) - 1), reinterpret_cast<const void*>(p));
  }
  static void store_n(Fp* p, V v, size_t n) {
    _mm512_mask_storeu_epi32(reinterpret_cast<void*>(p), static_cast<__mmask16>((1u << n) - 1), v);
  }
  static V broadcast(Fp x) { return _mm512_set1_epi32(static_cast<int>(x.monty())); }
  static V modulus() { return _mm512_set1_epi32(static_cast<int>(Fp::kModulus)); }
  static V add(V a, V b) {
    const V t = _mm512_add_epi32(a, b);
    return _mm512_min_epu32(t, _mm512_sub_epi32(t, modulus()));
  }
  static V sub(V a, V b) {
    const V t = _mm512_sub_epi32(a, b);
    return _mm512_min_epu32(t, _mm512_add_epi32(t, modulus()));
  }
  static V mul(V a, V b) {
    const V pinv = _mm512_set1_epi32(static_cast<int>(detail::kPInv));
    const V p = modulus();
    const V prod_evn = _mm512_mul_epu32(a, b);
    const V prod_odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32));
    const V qp_evn = _mm512_mul_epu32(_mm512_mul_epu32(prod_evn, pinv), p);
    const V qp_odd = _mm512_mul_epu32(_mm512_mul_epu32(prod_odd, pinv), p);
    // High words: even products' sit in odd lanes, shift them down; odd
    // products' already sit in odd lanes.
    const V x_hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(prod_evn, 32), prod_odd);
    const V qp_hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(qp_evn, 32), qp_odd);
    return sub(x_hi, qp_hi);
  }
  // Lane l = t[idx[l]] for the first n entries of t (masked load, so t may
  // end right after them); idx[l] < n.
  static V lanes_from(const Fp* t, size_t n, const uint32_t* idx) {
    const V v = _mm512_maskz_loadu_epi32(static_cast<__mmask16>((1u << n) - 1), reinterpret_cast<const void*>(t));
    return _mm512_permutexvar_epi32(_mm512_loadu_si512(reinterpret_cast<const void*>(idx)), v);
  }
  // Lane l = t[l >> log_rep] for log_rep in [0, 4): each of the first
  // 16 >> log_rep entries of t repeated 2^log_rep times. Reads only those
  // entries (masked load), so t may end right after them.
  static V expand(const Fp* t, unsigned log_rep) {
    const __mmask16 used = static_cast<__mmask16>((1u << (16 >> log_rep)) - 1);
    const V v = _mm512_maskz_loadu_epi32(used, reinterpret_cast<const void*>(t));
    const V idx = _mm512_srli_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        static_cast<int>(log_rep));
    return _mm512_permutexvar_epi32(idx, v);
  }
  // b is the same value in every lane (a broadcast twiddle): its odd lanes
  // need no shift.
  static V mul_bcast(V a, V b) {
    const V pinv = _mm512_set1_epi32(static_cast<int>(detail::kPInv));
    const V p = modulus();
    const V prod_evn = _mm512_mul_epu32(a, b);
    const V prod_odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), b);
    const V qp_evn = _mm512_mul_epu32(_mm512_mul_epu32(prod_evn, pinv), p);
    const V qp_odd = _mm512_mul_epu32(_mm512_mul_epu32(prod_odd, pinv), p);
    const V x_hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(prod_evn, 32), prod_odd);
    const V qp_hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(qp_evn, 32), qp_odd);
    return sub(x_hi, qp_hi);
  }
};
#endif

#if defined(__AVX2__)
#define ZKVM_HAVE_AVX2 1
struct Avx2 {
  static constexpr size_t kLanes = 8;
  using V = __m256i;
  static V load(const Fp* p) { return _mm256_loadu_si256(reinterpret_cast<const V*>(p)); }
  static void store(Fp* p, V v) { _mm256_storeu_si256(reinterpret_cast<V*>(p), v); }
  static V first_n(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V load_n(const Fp* p, size_t n) { return _mm256_maskload_epi32(reinterpret_cast<const int*>(p), first_n(n)); }
  static void store_n(Fp* p, V v, size_t n) { _mm256_maskstore_epi32(reinterpret_cast<int*>(p), first_n(n), v); }
  static V broadcast(Fp x) { return _mm256_set1_epi32(static_cast<int>(x.monty())); }
  static V modulus() { return _mm256_set1_epi32(static_cast<int>(Fp::kModulus)); }
  static V add(V a, V b) {
    const V t = _mm256_add_epi32(a, b);
    return _mm256_min_epu32(t, _mm256_sub_epi32(t, modulus()));
  }
  static V sub(V a, V b) {
    const V t = _mm256_sub_epi32(a, b);
    return _mm256_min_epu32(t, _mm256_add_epi32(t, modulus()));
  }
  static V mul(V a, V b) {
    const V pinv = _mm256_set1_epi32(static_cast<int>(detail::kPInv));
    const V p = modulus();
    const V prod_evn = _mm256_mul_epu32(a, b);
    const V prod_odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32));
    const V qp_evn = _mm256_mul_epu32(_mm256_mul_epu32(prod_evn, pinv), p);
    const V qp_odd = _mm256_mul_epu32(_mm256_mul_epu32(prod_odd, pinv), p);
    const V x_hi = _mm256_blend_epi32(_mm256_srli_epi64(prod_evn, 32), prod_odd, 0xAA);
    const V qp_hi = _mm256_blend_epi32(_mm256_srli_epi64(qp_evn, 32), qp_odd, 0xAA);
    return sub(x_hi, qp_hi);
  }
  static V lanes_from(const Fp* t, size_t n, const uint32_t* idx) {
    const V v = load_n(t, n);
    return _mm256_permutevar8x32_epi32(v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(idx)));
  }
  static V expand(const Fp* t, unsigned log_rep) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(8 >> log_rep), lane);
    const V v = _mm256_maskload_epi32(reinterpret_cast<const int*>(t), mask);
    return _mm256_permutevar8x32_epi32(v, _mm256_srli_epi32(lane, static_cast<int>(log_rep)));
  }
  static V mul_bcast(V a, V b) {
    const V pinv = _mm256_set1_epi32(static_cast<int>(detail::kPInv));
    const V p = modulus();
    const V prod_evn = _mm256_mul_epu32(a, b);
    const V prod_odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), b);
    const V qp_evn = _mm256_mul_epu32(_mm256_mul_epu32(prod_evn, pinv), p);
    const V qp_odd = _mm256_mul_epu32(_mm256_mul_epu32(prod_odd, pinv), p);
    const V x_hi = _mm256_blend_epi32(_mm256_srli_epi64(prod_evn, 32), prod_odd, 0xAA);
    const V qp_hi = _mm256_blend_epi32(_mm256_srli_epi64(qp_evn, 32), qp_odd, 0xAA);
    return sub(x_hi, qp_hi);
  }
};
#endif

}  // namespace zkvm::field::packed
