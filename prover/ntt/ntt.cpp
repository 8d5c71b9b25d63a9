// Radix-2 decimation-in-frequency NTT on whole rows.
//
// Only one kernel is needed: DIF maps natural-order input to bit-reversed
// output, so forward = DIF + bit reversal, inverse = DIF with inverse roots
// + bit reversal + 1/n, and the LDE gathers the bit-reversed coefficients
// straight into the padded buffer.
//
// Cache blocking: layers whose butterfly span (2h rows) exceeds a block of
// kBlockBytes stream the whole matrix, each split across threads; after
// them, every block of B rows is independent and finishes all its remaining
// layers while it sits in L2 (one block per thread at a time).
#include "prover/ntt/ntt.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "prover/field/packed.h"

namespace zkvm::ntt {
namespace {

using field::two_adic_generator;

// ---------------------------------------------------------------- kernels
// Butterflies on h row pairs: rows a+j*w and b+j*w, twiddle tw[j]:
//   (x, y) -> (x + y, (x - y) * tw[j])
// Two layers fused (radix 4) on c quadruples of rows r0 + jj*w, r1 = r0 + q,
// r2 = r0 + 2q, r3 = r0 + 3q (q in elements): layer H = 2 * (q/w) pairs
// (r0,r2) with t1[jj] and (r1,r3) with t1b[jj]; layer H/2 pairs (r0,r1) and
// (r2,r3) with t2[jj]. Halves the memory passes of the radix-2 form.
struct Kernels {
  void (*dif_block)(Fp* a, Fp* b, const Fp* tw, size_t h, size_t w);
  void (*dif4_block)(Fp* r0, size_t q, const Fp* t1, const Fp* t1b, const Fp* t2, size_t c,
                     size_t w);
  void (*scale_rows)(Fp* rows, const Fp* s, size_t h, size_t w);  // row j *= s[j]
  // All layers h < lanes/w inside each lanes-element chunk, in registers,
  // for power-of-two w < lanes (those layers pair elements of one vector).
  // tw is the whole twiddle table. nullptr: not provided for this ISA.
  void (*dif_small)(Fp* data, size_t rows, size_t w, const Fp* tw);
  size_t lanes;
};

void dif_scalar(Fp* a, Fp* b, const Fp* tw, size_t h, size_t w) {
  for (size_t j = 0; j < h; ++j) {
    const Fp t = tw[j];
    Fp* ra = a + j * w;
    Fp* rb = b + j * w;
    for (size_t c = 0; c < w; ++c) {
      const Fp x = ra[c], y = rb[c];
      ra[c] = x + y;
      rb[c] = (x - y) * t;
    }
  }
}

void dif4_scalar(Fp* r0, size_t q, const Fp* t1, const Fp* t1b, const Fp* t2, size_t c,
                 size_t w) {
  for (size_t jj = 0; jj < c; ++jj) {
    Fp* a = r0 + jj * w;
    const Fp ta = t1[jj], tb = t1b[jj], tc = t2[jj];
    for (size_t col = 0; col < w; ++col) {
      const Fp x0 = a[col], x1 = a[q + col], x2 = a[2 * q + col], x3 = a[3 * q + col];
      const Fp y0 = x0 + x2, y2 = (x0 - x2) * ta, y1 = x1 + x3, y3 = (x1 - x3) * tb;
      a[col] = y0 + y1;
      a[q + col] = (y0 - y1) * tc;
      a[2 * q + col] = y2 + y3;
      a[3 * q + col] = (y2 - y3) * tc;
    }
  }
}

void scale_scalar(Fp* rows, const Fp* s, size_t h, size_t w) {
  for (size_t j = 0; j < h; ++j)
    for (size_t c = 0; c < w; ++c) rows[j * w + c] *= s[j];
}

// Rows narrower than a vector whose width is not a power of two: R = L /
// gcd(w, L) consecutive rows fill w / gcd(w, L) whole vectors, and lane l
// of the period's vector k holds an element of row (k L + l) / w. The
// index tables (one per width), built once, let a permute place each
// row's twiddle in its lanes. Masked stores of partial vectors, the other
// way to handle such rows, made a 12-column LDE twice as slow per column
// as a 16-column one on AMD Zen 4.
template <size_t L>
const uint32_t* period_rows(size_t w) {
  static const auto tables = [] {
    std::array<std::array<uint32_t, L * L>, L> t{};
    for (size_t ww = 1; ww < L; ++ww)
      for (size_t e = 0; e < L / std::gcd(ww, L) * ww; ++e) t[ww][e] = static_cast<uint32_t>(e / ww);
    return t;
  }();
  return tables[w].data();
}

// Lanes across columns: whole vectors, then the last w % L columns as one
// more whole vector ending at column w when a row holds more than one
// vector (it recomputes a few columns from the same inputs, with the same
// result, and stores last), else masked; rows narrower than a vector by the
// power-of-two or period paths where the block allows.
template <class P>
void dif_simd(Fp* a, Fp* b, const Fp* tw, size_t h, size_t w) {
  constexpr size_t L = P::kLanes;
  if (w < L && !std::has_single_bit(w) && h % (L / std::gcd(w, L)) == 0) {
    const size_t period = L / std::gcd(w, L), nv = w / std::gcd(w, L);
    const uint32_t* idx = period_rows<L>(w);
    for (size_t j = 0; j < h; j += period)
      for (size_t k = 0; k < nv; ++k) {
        const size_t e = j * w + k * L;
        const auto t = P::lanes_from(tw + j, period, idx + k * L);
        const auto x = P::load(a + e), y = P::load(b + e);
        P::store(a + e, P::add(x, y));
        P::store(b + e, P::mul(P::sub(x, y), t));
      }
    return;
  }
  if (w < L && std::has_single_bit(w) && (h * w) % L == 0) {
    // Narrow power-of-two width: the row pairs' elements are contiguous, so
    // lanes run across L/w consecutive butterflies, each twiddle repeated w
    // times.
    const unsigned lw = static_cast<unsigned>(std::countr_zero(w));
    for (size_t e = 0; e < h * w; e += L) {
      const auto x = P::load(a + e), y = P::load(b + e);
      P::store(a + e, P::add(x, y));
      P::store(b + e, P::mul(P::sub(x, y), P::expand(tw + (e >> lw), lw)));
    }
    return;
  }
  // One broadcast twiddle per row pair.
  const size_t full = w - w % L, rest = w % L;
  const bool tail = rest != 0 && w > L;
  for (size_t j = 0; j < h; ++j) {
    const auto t = P::broadcast(tw[j]);
    Fp* ra = a + j * w;
    Fp* rb = b + j * w;
    typename P::V ta = t, tb = t;
    if (tail) {  // from the inputs, before the whole vectors overwrite any of them
      const auto x = P::load(ra + w - L), y = P::load(rb + w - L);
      ta = P::add(x, y);
      tb = P::mul_bcast(P::sub(x, y), t);
    }
    for (size_t c = 0; c < full; c += L) {
      const auto x = P::load(ra + c), y = P::load(rb + c);
      P::store(ra + c, P::add(x, y));
      P::store(rb + c, P::mul_bcast(P::sub(x, y), t));
    }
    if (tail) {
      P::store(ra + w - L, ta);
      P::store(rb + w - L, tb);
    } else if (rest != 0) {
      const auto x = P::load_n(ra + full, rest), y = P::load_n(rb + full, rest);
      P::store_n(ra + full, P::add(x, y), rest);
      P::store_n(rb + full, P::mul_bcast(P::sub(x, y), t), rest);
    }
  }
}

// One radix-4 quadruple of rows, columns [col, col + n) (n = L: full
// vectors; n < L: masked).
template <class P, bool kMasked>
inline void dif4_cols(Fp* a, size_t q, size_t col, size_t n, typename P::V ta, typename P::V tb,
                      typename P::V tc) {
  auto ld = [&](const Fp* p) { return kMasked ? P::load_n(p, n) : P::load(p); };
  auto st = [&](Fp* p, typename P::V v) {
    if constexpr (kMasked) P::store_n(p, v, n);
    else P::store(p, v);
  };
  const auto x0 = ld(a + col), x1 = ld(a + q + col), x2 = ld(a + 2 * q + col), x3 = ld(a + 3 * q + col);
  const auto y0 = P::add(x0, x2), y2 = P::mul_bcast(P::sub(x0, x2), ta);
  const auto y1 = P::add(x1, x3), y3 = P::mul_bcast(P::sub(x1, x3), tb);
  st(a + col, P::add(y0, y1));
  st(a + q + col, P::mul_bcast(P::sub(y0, y1), tc));
  st(a + 2 * q + col, P::add(y2, y3));
  st(a + 3 * q + col, P::mul_bcast(P::sub(y2, y3), tc));
}

template <class P>
void dif4_simd(Fp* r0, size_t q, const Fp* t1, const Fp* t1b, const Fp* t2, size_t c, size_t w) {
  constexpr size_t L = P::kLanes;
  if (w < L && !std::has_single_bit(w) && c % (L / std::gcd(w, L)) == 0) {
    const size_t period = L / std::gcd(w, L), nv = w / std::gcd(w, L);
    const uint32_t* idx = period_rows<L>(w);
    for (size_t jj = 0; jj < c; jj += period)
      for (size_t k = 0; k < nv; ++k) {
        Fp* a = r0 + jj * w + k * L;
        const auto ta = P::lanes_from(t1 + jj, period, idx + k * L);
        const auto tb = P::lanes_from(t1b + jj, period, idx + k * L);
        const auto tc = P::lanes_from(t2 + jj, period, idx + k * L);
        const auto x0 = P::load(a), x1 = P::load(a + q), x2 = P::load(a + 2 * q), x3 = P::load(a + 3 * q);
        const auto y0 = P::add(x0, x2), y2 = P::mul(P::sub(x0, x2), ta);
        const auto y1 = P::add(x1, x3), y3 = P::mul(P::sub(x1, x3), tb);
        P::store(a, P::add(y0, y1));
        P::store(a + q, P::mul(P::sub(y0, y1), tc));
        P::store(a + 2 * q, P::add(y2, y3));
        P::store(a + 3 * q, P::mul(P::sub(y2, y3), tc));
      }
    return;
  }
  if (w < L && std::has_single_bit(w) && (c * w) % L == 0) {
    const unsigned lw = static_cast<unsigned>(std::countr_zero(w));
    for (size_t e = 0; e < c * w; e += L) {
      Fp* a = r0 + e;
      const size_t j = e >> lw;
      const auto x0 = P::load(a), x1 = P::load(a + q), x2 = P::load(a + 2 * q), x3 = P::load(a + 3 * q);
      const auto y0 = P::add(x0, x2), y2 = P::mul(P::sub(x0, x2), P::expand(t1 + j, lw));
      const auto y1 = P::add(x1, x3), y3 = P::mul(P::sub(x1, x3), P::expand(t1b + j, lw));
      const auto tc = P::expand(t2 + j, lw);
      P::store(a, P::add(y0, y1));
      P::store(a + q, P::mul(P::sub(y0, y1), tc));
      P::store(a + 2 * q, P::add(y2, y3));
      P::store(a + 3 * q, P::mul(P::sub(y2, y3), tc));
    }
    return;
  }
  const size_t full = w - w % L, rest = w % L;
  const bool tail = rest != 0 && w > L;  // as in dif_simd: a whole vector ending at w, stored last
  for (size_t jj = 0; jj < c; ++jj) {
    Fp* a = r0 + jj * w;
    const auto ta = P::broadcast(t1[jj]), tb = P::broadcast(t1b[jj]), tc = P::broadcast(t2[jj]);
    typename P::V z0 = ta, z1 = ta, z2 = ta, z3 = ta;
    if (tail) {
      Fp* e = a + w - L;
      const auto x0 = P::load(e), x1 = P::load(e + q), x2 = P::load(e + 2 * q), x3 = P::load(e + 3 * q);
      const auto y0 = P::add(x0, x2), y2 = P::mul_bcast(P::sub(x0, x2), ta);
      const auto y1 = P::add(x1, x3), y3 = P::mul_bcast(P::sub(x1, x3), tb);
      z0 = P::add(y0, y1), z1 = P::mul_bcast(P::sub(y0, y1), tc);
      z2 = P::add(y2, y3), z3 = P::mul_bcast(P::sub(y2, y3), tc);
    }
    for (size_t col = 0; col < full; col += L) dif4_cols<P, false>(a, q, col, L, ta, tb, tc);
    if (tail) {
      Fp* e = a + w - L;
      P::store(e, z0), P::store(e + q, z1), P::store(e + 2 * q, z2), P::store(e + 3 * q, z3);
    } else if (rest != 0) {
      dif4_cols<P, true>(a, q, full, rest, ta, tb, tc);
    }
  }
}

template <class P>
void scale_simd(Fp* rows, const Fp* s, size_t h, size_t w) {
  constexpr size_t L = P::kLanes;
  if (w == 1) {
    size_t j = 0;
    for (; j + L <= h; j += L) P::store(rows + j, P::mul(P::load(rows + j), P::load(s + j)));
    for (; j < h; ++j) rows[j] *= s[j];
    return;
  }
  const size_t full = w - w % L, rest = w % L;
  const bool tail = rest != 0 && w > L;  // as in dif_simd
  for (size_t j = 0; j < h; ++j) {
    const auto t = P::broadcast(s[j]);
    Fp* r = rows + j * w;
    const auto tv = tail ? P::mul_bcast(P::load(r + w - L), t) : t;
    for (size_t c = 0; c < full; c += L) P::store(r + c, P::mul_bcast(P::load(r + c), t));
    if (tail) P::store(r + w - L, tv);
    else if (rest != 0) P::store_n(r + full, P::mul_bcast(P::load_n(r + full, rest), t), rest);
  }
}

#if defined(ZKVM_HAVE_AVX512)
// Layer h pairs element offsets differing by h*w: lane l takes its partner
// with a permute (l ^ hw); lanes with that bit clear keep x + y, the others
// (x - y) * tw_h[row(l) mod h], selected with a mask blend.
void dif_small_avx512(Fp* data, size_t rows, size_t w, const Fp* tw) {
  using P = field::packed::Avx512;
  const unsigned lw = static_cast<unsigned>(std::countr_zero(w));
  __m512i idx[4], tv[4];
  __mmask16 hi[4];
  int layers = 0;
  for (size_t h = (16 / w) / 2; h >= 1; h /= 2, ++layers) {
    alignas(64) uint32_t ix[16], t[16];
    uint32_t mask = 0;
    const size_t off = h * w;
    for (size_t l = 0; l < 16; ++l) {
      ix[l] = static_cast<uint32_t>(l ^ off);
      if (l & off) mask |= 1u << l;
      t[l] = tw[h - 1 + ((l >> lw) & (h - 1))].monty();
    }
    idx[layers] = _mm512_load_si512(ix);
    tv[layers] = _mm512_load_si512(t);
    hi[layers] = static_cast<__mmask16>(mask);
  }
  for (size_t e = 0; e < rows * w; e += 16) {
    __m512i v = P::load(data + e);
    for (int l = 0; l < layers; ++l) {
      const __m512i s = _mm512_permutexvar_epi32(idx[l], v);
      v = _mm512_mask_blend_epi32(hi[l], P::add(v, s), P::mul(P::sub(s, v), tv[l]));
    }
    P::store(data + e, v);
  }
}
#endif

#if defined(ZKVM_HAVE_AVX2)
// AVX2 form of dif_small_avx512: 8 lanes, the lane selection by blendv.
void dif_small_avx2(Fp* data, size_t rows, size_t w, const Fp* tw) {
  using P = field::packed::Avx2;
  const unsigned lw = static_cast<unsigned>(std::countr_zero(w));
  __m256i idx[3], tv[3], hi[3];
  int layers = 0;
  for (size_t h = (8 / w) / 2; h >= 1; h /= 2, ++layers) {
    alignas(32) uint32_t ix[8], t[8], m[8];
    const size_t off = h * w;
    for (size_t l = 0; l < 8; ++l) {
      ix[l] = static_cast<uint32_t>(l ^ off);
      m[l] = (l & off) ? 0xffffffffu : 0u;
      t[l] = tw[h - 1 + ((l >> lw) & (h - 1))].monty();
    }
    idx[layers] = _mm256_load_si256(reinterpret_cast<const __m256i*>(ix));
    tv[layers] = _mm256_load_si256(reinterpret_cast<const __m256i*>(t));
    hi[layers] = _mm256_load_si256(reinterpret_cast<const __m256i*>(m));
  }
  for (size_t e = 0; e < rows * w; e += 8) {
    __m256i v = P::load(data + e);
    for (int l = 0; l < layers; ++l) {
      const __m256i s = _mm256_permutevar8x32_epi32(v, idx[l]);
      v = _mm256_blendv_epi8(P::add(v, s), P::mul(P::sub(s, v), tv[l]), hi[l]);
    }
    P::store(data + e, v);
  }
}
#endif

const Kernels& kernels(Isa isa) {
  static const Kernels scalar{dif_scalar, dif4_scalar, scale_scalar, nullptr, 1};
#if defined(ZKVM_HAVE_AVX2)
  static const Kernels avx2{dif_simd<field::packed::Avx2>, dif4_simd<field::packed::Avx2>,
                            scale_simd<field::packed::Avx2>, dif_small_avx2, 8};
#endif
#if defined(ZKVM_HAVE_AVX512)
  static const Kernels avx512{dif_simd<field::packed::Avx512>, dif4_simd<field::packed::Avx512>,
                              scale_simd<field::packed::Avx512>, dif_small_avx512, 16};
#endif
  switch (isa) {
    case Isa::Scalar:
      return scalar;
    case Isa::Avx2:
#if defined(ZKVM_HAVE_AVX2)
      return avx2;
#else
      break;
#endif
    case Isa::Avx512:
#if defined(ZKVM_HAVE_AVX512)
      return avx512;
#else
      break;
#endif
    case Isa::Best:
#if defined(ZKVM_HAVE_AVX512)
      return avx512;
#elif defined(ZKVM_HAVE_AVX2)
      return avx2;
#else
      return scalar;
#endif
  }
  throw std::invalid_argument(std::string("ntt: ISA ") + isa_name(isa) +
                              " is not compiled into this build");
}

// --------------------------------------------------------------- twiddles
// For n = 2^log_n: layer h (h = 1, 2, ..., n/2) uses w_{2h}^j, j < h, stored
// at [h-1, 2h-1). Derived from the top layer by striding, so the cost is n
// multiplications once per (log_n, direction); cached for the process up to
// 2^24 rows.
using TwiddleTable = std::vector<Fp>;

std::shared_ptr<const TwiddleTable> twiddles(unsigned log_n, bool inverse) {
  static std::mutex mu;
  static std::map<std::pair<unsigned, bool>, std::shared_ptr<const TwiddleTable>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find({log_n, inverse});
    if (it != cache.end()) return it->second;
  }
  const size_t n = size_t{1} << log_n;
  auto t = std::make_shared<TwiddleTable>(n > 1 ? n - 1 : 0);
  if (n > 1) {
    const size_t top = n / 2;
    Fp g = two_adic_generator(log_n);
    if (inverse) g = g.inverse();
    Fp* top_layer = t->data() + (top - 1);
    const int64_t chunks = static_cast<int64_t>(std::max<size_t>(1, top / 4096));
    const size_t per = top / static_cast<size_t>(chunks);
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (int64_t ch = 0; ch < chunks; ++ch) {
      const size_t start = static_cast<size_t>(ch) * per;
      Fp x = g.pow(start);
      for (size_t j = start; j < start + per; ++j) {
        top_layer[j] = x;
        x *= g;
      }
    }
    for (size_t h = top / 2; h >= 1; h /= 2) {
      const size_t stride = top / h;
      for (size_t j = 0; j < h; ++j) (*t)[h - 1 + j] = top_layer[j * stride];
    }
  }
  // Tables above 2^24 entries (64 MiB) are not kept: memory over speed.
  if (log_n > 24) return t;
  std::lock_guard<std::mutex> lock(mu);
  return cache.emplace(std::make_pair(log_n, inverse), std::move(t)).first->second;
}

// start * base^i for i < n, in parallel chunks.
std::vector<Fp> powers(Fp base, Fp start, size_t n) {
  std::vector<Fp> out(n);
  const int64_t chunks = static_cast<int64_t>(std::max<size_t>(1, n / 4096));
  const size_t per = (n + static_cast<size_t>(chunks) - 1) / static_cast<size_t>(chunks);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t ch = 0; ch < chunks; ++ch) {
    const size_t lo = static_cast<size_t>(ch) * per, hi = std::min(n, lo + per);
    Fp x = start * base.pow(lo);
    for (size_t i = lo; i < hi; ++i) {
      out[i] = x;
      x *= base;
    }
  }
  return out;
}

// ------------------------------------------------------------------- DIF
constexpr size_t kBlockBytes = 256 * 1024;  // per-thread working block, fits L2
constexpr size_t kChunkBytes = 64 * 1024;   // work unit in the streaming layers

// Layer pair (h, h/2) over rows [0, len) of base: radix-4 quadruples.
void dif4_layers(Fp* base, size_t len, size_t h, size_t w, const TwiddleTable& tw,
                 const Kernels& k, size_t first, size_t count) {
  // Quadruple index u in [first, first+count) (each < len/4): group u / q,
  // offset u % q, with q = h/2.
  const size_t q = h / 2;
  const Fp* t1 = tw.data() + (h - 1);
  const Fp* t2 = tw.data() + (q - 1);
  (void)len;
  size_t u = first;
  const size_t end = first + count;
  while (u < end) {
    const size_t group = u / q, j = u % q;
    const size_t c = std::min(end - u, q - j);
    Fp* r0 = base + (group * 2 * h + j) * w;
    k.dif4_block(r0, q * w, t1 + j, t1 + j + q, t2 + j, c, w);
    u += c;
  }
}

void dif(Fp* data, size_t n, size_t w, const TwiddleTable& tw, const Kernels& k) {
  if (n <= 1 || w == 0) return;
  const size_t row_bytes = w * sizeof(Fp);
  size_t block = std::bit_floor(std::max<size_t>(2, kBlockBytes / row_bytes));
  block = std::min(block, n);
  const size_t chunk = std::bit_floor(std::max<size_t>(16, kChunkBytes / row_bytes));

  // Streaming layers (butterfly span 2h > block), two at a time where both
  // are streaming, each split across threads in chunks of rows.
  size_t h = n / 2;
  while (h >= block) {
    if (h / 2 >= block) {
      const size_t quads = n / 4;
      const size_t c = std::min(chunk, quads);
      const int64_t units = static_cast<int64_t>((quads + c - 1) / c);
#pragma omp parallel for schedule(static) if (units > 1)
      for (int64_t u = 0; u < units; ++u) {
        const size_t first = static_cast<size_t>(u) * c;
        dif4_layers(data, n, h, w, tw, k, first, std::min(c, quads - first));
      }
      h /= 4;
    } else {
      const size_t c = std::min(chunk, h);
      const int64_t units = static_cast<int64_t>(n / 2 / c);  // (n/2h) groups x (h/c) chunks
      const Fp* t = tw.data() + (h - 1);
#pragma omp parallel for schedule(static) if (units > 1)
      for (int64_t u = 0; u < units; ++u) {
        const size_t first = static_cast<size_t>(u) * c;  // butterfly index in [0, n/2)
        const size_t group = first / h, j = first % h;
        Fp* a = data + (group * 2 * h + j) * w;
        k.dif_block(a, a + h * w, t + j, c, w);
      }
      h /= 2;
    }
  }
  // Blocked layers: each block of `block` rows finishes independently, two
  // layers per pass while two remain.
  const int64_t blocks = static_cast<int64_t>(n / block);
#pragma omp parallel for schedule(static) if (blocks > 1)
  for (int64_t bi = 0; bi < blocks; ++bi) {
    Fp* base = data + static_cast<size_t>(bi) * block * w;
    // Layers h >= stop by rows; the ones below (if any) in registers.
    const bool small = k.dif_small != nullptr && std::has_single_bit(w) && w < k.lanes &&
                       block * w >= k.lanes;
    const size_t stop = small ? k.lanes / w : 1;
    size_t hh = block / 2;
    for (; hh >= 2 * stop; hh /= 4) dif4_layers(base, block, hh, w, tw, k, 0, block / 4);
    if (hh >= stop) {
      const Fp* t = tw.data() + (hh - 1);
      for (size_t s = 0; s < block; s += 2 * hh) k.dif_block(base + s * w, base + (s + hh) * w, t, hh, w);
    }
    if (small) k.dif_small(base, block, w, tw.data());
  }
}

// Shape checks shared by the public entry points: a matrix whose values do
// not hold width * height elements would send the kernels out of bounds.
unsigned check_height(size_t height, const char* what);
unsigned check_matrix(const RowMajorMatrix<Fp>& m, const char* what) {
  if (m.width != 0 && m.height > SIZE_MAX / m.width)
    throw std::invalid_argument(std::string(what) + ": width x height overflows size_t");
  if (m.values.size() != m.width * m.height)
    throw std::invalid_argument(std::string(what) + ": matrix holds " +
                                std::to_string(m.values.size()) + " values, expected width " +
                                std::to_string(m.width) + " x height " +
                                std::to_string(m.height));
  return check_height(m.height, what);
}

unsigned check_height(size_t height, const char* what) {
  if (height == 0 || !std::has_single_bit(height))
    throw std::invalid_argument(std::string(what) + ": height " + std::to_string(height) +
                                " is not a power of two");
  const unsigned log_n = static_cast<unsigned>(std::countr_zero(height));
  if (log_n > Fp::kTwoAdicity)
    throw std::invalid_argument(std::string(what) + ": height 2^" + std::to_string(log_n) +
                                " exceeds the field's two-adicity 2^27");
  return log_n;
}

void scale_all_rows(RowMajorMatrix<Fp>& m, const std::vector<Fp>& s, const Kernels& k) {
  const size_t w = m.width, n = m.height;
  const size_t chunk = std::max<size_t>(1, kChunkBytes / std::max<size_t>(1, w * sizeof(Fp)));
  const int64_t units = static_cast<int64_t>((n + chunk - 1) / chunk);
#pragma omp parallel for schedule(static) if (units > 1)
  for (int64_t u = 0; u < units; ++u) {
    const size_t lo = static_cast<size_t>(u) * chunk, hi = std::min(n, lo + chunk);
    k.scale_rows(m.values.data() + lo * w, s.data() + lo, hi - lo, w);
  }
}

}  // namespace

// A width x height matrix for the LDE output. Its pages are first touched
// by all threads in parallel: the kernel zeroes every fresh page on first
// touch, and on the LDE output (the prover's largest allocation, 1 GiB for
// 64 columns x 2^22 rows) that cost more than the butterflies when one
// thread did it. The value-initialisation by resize() that follows then
// runs over resident memory. Contents: zero.
//
// No MADV_HUGEPAGE: on the KVM guest this was measured on, a fresh 2 MiB
// page costs ~5x a 4 KiB page per byte at first touch (1 GiB: 1.7 to 2.3 s
// against 0.35 s, /tmp micro-test in docs/benchmarks/prover-core.md), far
// more than the TLB misses it saves in the NTT.
RowMajorMatrix<Fp> zeroed_matrix(size_t w, size_t h) {
  RowMajorMatrix<Fp> m;
  m.width = w;
  m.height = h;
  if (w != 0 && h > SIZE_MAX / w / sizeof(Fp))
    throw std::length_error("zeroed_matrix: " + std::to_string(w) + " x " + std::to_string(h) +
                            " overflows size_t");
  m.values.reserve(w * h);
  first_touch(m.values.data(), w * h * sizeof(Fp));  // the reserved (still raw) storage
  m.values.resize(w * h);
  return m;
}

void first_touch(void* p, size_t bytes) {
  unsigned char* raw = static_cast<unsigned char*>(p);
  constexpr size_t kPage = 4096;
  const int64_t pages = static_cast<int64_t>(bytes / kPage);
#pragma omp parallel for schedule(static) if (pages >= 1024)
  for (int64_t i = 0; i < pages; ++i) raw[static_cast<size_t>(i) * kPage] = 0;
}

// ------------------------------------------------------------ public API
const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Best: return "best";
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "unknown";
}

bool isa_available(Isa isa) {
  switch (isa) {
    case Isa::Best:
    case Isa::Scalar: return true;
#if defined(ZKVM_HAVE_AVX2)
    case Isa::Avx2: return true;
#endif
#if defined(ZKVM_HAVE_AVX512)
    case Isa::Avx512: return true;
#endif
    default: return false;
  }
}

std::vector<Isa> available_isas() {
  std::vector<Isa> v;
  for (Isa i : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (isa_available(i)) v.push_back(i);
  return v;
}

size_t reverse_bits(size_t x, unsigned bits) {
  if (bits == 0) return 0;
  size_t r = 0;
  for (unsigned i = 0; i < 64; i += 8) {
    static constexpr auto table = [] {
      std::array<uint8_t, 256> t{};
      for (unsigned v = 0; v < 256; ++v) {
        uint8_t r8 = 0;
        for (unsigned b = 0; b < 8; ++b) r8 |= static_cast<uint8_t>(((v >> b) & 1) << (7 - b));
        t[v] = r8;
      }
      return t;
    }();
    r |= static_cast<size_t>(table[(x >> i) & 0xff]) << (56 - i);
  }
  return r >> (64 - bits);
}

// Tiled swap (cache-friendly): write i = a|b|c with k-bit a, c and m-bit b;
// rev(i) = rev(c)|rev(b)|rev(a). For one b, the rows {a|b|c} form 2^k runs
// of 2^k consecutive rows, and their images form the same shape at rev(b),
// so each tile pair is a small working set (~16 KiB per tile) however far
// apart i and rev(i) are. Tiles b > rev(b) are skipped (the partner does
// them), and those cluster in the upper half: dynamic scheduling.
namespace {
void bit_reverse_raw(Fp* d, size_t height, unsigned log_n, size_t w) {
  if (w == 0) return;
  const size_t row_bytes = w * sizeof(Fp);
  unsigned k = 0;
  while (2 * (k + 1) <= log_n && (size_t{1} << (2 * (k + 1))) * row_bytes <= 16 * 1024) ++k;
  auto swap_rows = [&](size_t i, size_t r) {
    Fp* x = d + i * w;
    Fp* y = d + r * w;
    size_t c = 0;
#if defined(ZKVM_HAVE_AVX512)
    using P = field::packed::Avx512;
    for (; c + P::kLanes <= w; c += P::kLanes) {
      const auto vx = P::load(x + c), vy = P::load(y + c);
      P::store(x + c, vy);
      P::store(y + c, vx);
    }
#endif
#if defined(ZKVM_HAVE_AVX2)
    using P2 = field::packed::Avx2;
    for (; c + P2::kLanes <= w; c += P2::kLanes) {
      const auto vx = P2::load(x + c), vy = P2::load(y + c);
      P2::store(x + c, vy);
      P2::store(y + c, vx);
    }
#endif
    for (; c < w; ++c) std::swap(x[c], y[c]);
  };
  if (k == 0) {
    for (size_t i = 0; i < height; ++i) {
      const size_t r = reverse_bits(i, log_n);
      if (i < r) swap_rows(i, r);
    }
    return;
  }
  const unsigned mid = log_n - 2 * k;
  const size_t tile = size_t{1} << k;
  const int64_t nb = int64_t{1} << mid;
  if (row_bytes < 64) {
    // Rows narrower than a cache line: element-wise swaps cost ~10 cycles a
    // row. Instead copy both tiles (2^k contiguous runs each) to buffers and
    // write each back permuted: new M_b[a][c] = old M_rb[rev c][rev a],
    // where M_b[a][c] is row a|b|c. Reads and writes then run along rows.
#pragma omp parallel for schedule(dynamic, 16) if (height * w >= (size_t{1} << 16))
    for (int64_t bi = 0; bi < nb; ++bi) {
      const size_t b = static_cast<size_t>(bi), rb = reverse_bits(b, mid);
      if (b > rb) continue;
      size_t rev_k[64];
      for (size_t c = 0; c < tile; ++c) rev_k[c] = reverse_bits(c, k);
      const size_t run = tile * w;  // elements in one run of 2^k rows
      std::vector<Fp> buf_b(tile * run), buf_rb(b == rb ? 0 : tile * run);
      auto tile_run = [&](size_t a, size_t bb) { return d + ((a << (mid + k)) | (bb << k)) * w; };
      for (size_t a = 0; a < tile; ++a) {
        std::copy_n(tile_run(a, b), run, buf_b.data() + a * run);
        if (b != rb) std::copy_n(tile_run(a, rb), run, buf_rb.data() + a * run);
      }
      const Fp* src_for_b = b == rb ? buf_b.data() : buf_rb.data();
      for (size_t a = 0; a < tile; ++a) {
        Fp* dst_b = tile_run(a, b);
        Fp* dst_rb = tile_run(a, rb);
        for (size_t c = 0; c < tile; ++c) {
          const size_t from = rev_k[c] * run + rev_k[a] * w;
          std::copy_n(src_for_b + from, w, dst_b + c * w);
          if (b != rb) std::copy_n(buf_b.data() + from, w, dst_rb + c * w);
        }
      }
    }
    return;
  }
#pragma omp parallel for schedule(dynamic, 16) if (height * w >= (size_t{1} << 16))
  for (int64_t bi = 0; bi < nb; ++bi) {
    const size_t b = static_cast<size_t>(bi), rb = reverse_bits(b, mid);
    if (b > rb) continue;  // the partner tile does the swaps
    size_t rev_k[64];  // k <= 6 whenever a row is at least 4 bytes
    for (size_t c = 0; c < tile; ++c) rev_k[c] = reverse_bits(c, k) << (mid + k);
    for (size_t a = 0; a < tile; ++a) {
      const size_t i0 = (a << (mid + k)) | (b << k);
      const size_t r0 = (rb << k) | reverse_bits(a, k);
      for (size_t c = 0; c < tile; ++c) {
        const size_t i = i0 | c, r = rev_k[c] | r0;
        if (b < rb || i < r) swap_rows(i, r);
      }
    }
  }
}

}  // namespace

void bit_reverse_rows(RowMajorMatrix<Fp>& m) {
  const unsigned log_n = check_matrix(m, "bit_reverse_rows");
  bit_reverse_raw(m.values.data(), m.height, log_n, m.width);
}

void ntt_forward(RowMajorMatrix<Fp>& m, Isa isa) {
  const unsigned log_n = check_matrix(m, "ntt_forward");
  const Kernels& k = kernels(isa);
  dif(m.values.data(), m.height, m.width, *twiddles(log_n, false), k);
  bit_reverse_rows(m);
}

void ntt_inverse(RowMajorMatrix<Fp>& m, Isa isa) {
  coset_intt(m, Fp::one(), isa);
}

void coset_ntt(RowMajorMatrix<Fp>& m, Fp shift, Isa isa) {
  const unsigned log_n = check_matrix(m, "coset_ntt");
  const Kernels& k = kernels(isa);
  // f(shift * x) has coefficients c_i * shift^i.
  if (shift != Fp::one()) scale_all_rows(m, powers(shift, Fp::one(), m.height), k);
  dif(m.values.data(), m.height, m.width, *twiddles(log_n, false), k);
  bit_reverse_rows(m);
}

void coset_intt(RowMajorMatrix<Fp>& m, Fp shift, Isa isa) {
  const unsigned log_n = check_matrix(m, "coset_intt");
  if (shift.is_zero()) throw std::invalid_argument("coset_intt: coset shift is zero");
  const Kernels& k = kernels(isa);
  dif(m.values.data(), m.height, m.width, *twiddles(log_n, true), k);
  bit_reverse_rows(m);
  // Undo the 1/n-less inverse transform and the shift together: c_i / (n shift^i).
  const Fp n_inv = Fp::from_u64(m.height).inverse();
  scale_all_rows(m, powers(shift.inverse(), n_inv, m.height), k);
}

RowMajorMatrix<Fp> coset_lde(const RowMajorMatrix<Fp>& evals_on_h, unsigned log_blowup,
                             Fp shift, bool bit_reversed_output, Isa isa) {
  const unsigned log_n = check_matrix(evals_on_h, "coset_lde");
  if (log_n + log_blowup > Fp::kTwoAdicity)
    throw std::invalid_argument("coset_lde: extended height 2^" +
                                std::to_string(log_n + log_blowup) +
                                " exceeds the field's two-adicity 2^27");
  const Kernels& k = kernels(isa);
  const size_t n = evals_on_h.height, w = evals_on_h.width;
  const size_t big = n << log_blowup;

  // Block structure of the bit-reversed output: with B = 2^log_blowup and
  // row i = b*n + j (b < B, j < n), the point of row i is
  //   shift * g'^rev_{N}(i) = shift * g'^rev_B(b) * g^rev_n(j),
  // so block b is the bit-reversed size-n NTT of the coefficients scaled by
  // s_b^k, s_b = shift * g'^rev_B(b). The zero-padded size-N transform's
  // first log_blowup layers (which only spread the coefficients over the
  // blocks) are replaced by writing each block directly, and every block is
  // then an independent size-n DIF: no zero fill, log_blowup fewer passes
  // over the big buffer.
  //
  // Rows [0, n) first get n * the coefficients (inverse DIF, bit reversal);
  // blocks B-1..1 are written from them, then block 0 is scaled in place.
  RowMajorMatrix<Fp> out = zeroed_matrix(w, big);
  Fp* dst = out.values.data();
  {
    const int64_t rows = static_cast<int64_t>(n);
    const Fp* src = evals_on_h.values.data();
    const size_t cr = std::max<size_t>(1, kChunkBytes / std::max<size_t>(1, w * sizeof(Fp)));
#pragma omp parallel for schedule(static) if (rows * static_cast<int64_t>(w) >= (int64_t{1} << 16))
    for (int64_t r0 = 0; r0 < rows; r0 += static_cast<int64_t>(cr)) {
      const size_t lo = static_cast<size_t>(r0), hi = std::min(n, lo + cr);
      std::copy(src + lo * w, src + hi * w, dst + lo * w);
    }
  }
  dif(dst, n, w, *twiddles(log_n, true), k);
  bit_reverse_raw(dst, n, log_n, w);
  const size_t blocks = size_t{1} << log_blowup;
  const Fp n_inv = Fp::from_u64(n).inverse();
  const Fp g_big = two_adic_generator(log_n + log_blowup);
  const size_t chunk = std::max<size_t>(1, kChunkBytes / std::max<size_t>(1, w * sizeof(Fp)));
  const int64_t units = static_cast<int64_t>((n + chunk - 1) / chunk);
  for (size_t b = blocks; b-- > 0;) {
    const Fp s_b = shift * g_big.pow(reverse_bits(b, log_blowup));
    Fp* blk = dst + b * n * w;
#pragma omp parallel for schedule(static) if (units > 1)
    for (int64_t u = 0; u < units; ++u) {
      const size_t lo = static_cast<size_t>(u) * chunk, hi = std::min(n, lo + chunk);
      Fp pw[kChunkBytes / sizeof(Fp)];  // chunk <= kChunkBytes / sizeof(Fp) rows
      Fp x = n_inv * s_b.pow(lo);
      for (size_t j = 0; j < hi - lo; ++j) {
        pw[j] = x;
        x *= s_b;
      }
      if (b != 0) std::copy(dst + lo * w, dst + hi * w, blk + lo * w);
      k.scale_rows(blk + lo * w, pw, hi - lo, w);
    }
  }
  const auto tw = twiddles(log_n, false);
  for (size_t b = 0; b < blocks; ++b) dif(dst + b * n * w, n, w, *tw, k);
  if (!bit_reversed_output) bit_reverse_rows(out);
  return out;
}

}  // namespace zkvm::ntt
