// Kernels against straightforward references written from the arithmetic
// contract in kernels.h (int64 sums, explicit floor division).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "zkvm/ml/kernels.h"

namespace {

// floor(v / 2^s) without relying on >> of negative numbers.
int64_t floor_div_pow2(int64_t v, int s) {
  int64_t d = int64_t{1} << s;
  int64_t q = v / d;
  if (v % d != 0 && v < 0) --q;
  return q;
}

int64_t ref_requant(int64_t acc, int32_t mult, int32_t shift) {
  return floor_div_pow2(acc * mult + (int64_t{1} << (shift - 1)), shift);
}

int8_t sat(int64_t v, int lo = -128, int hi = 127) { return static_cast<int8_t>(std::clamp<int64_t>(v, lo, hi)); }

std::vector<int8_t> rand_i8(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) {
    int r = d(rng);
    // Edge values appear often: they are where saturation bugs live.
    if (r % 7 == 0) r = (r & 8) ? 127 : -128;
    x = static_cast<int8_t>(r);
  }
  return v;
}

// Dense/Conv layout (kernels.h), written from its definition: one biased
// byte per weight, blocks of 4 rows, group g of block b holds rows 4b..4b+3
// of columns 4g..4g+3 as four words; padding is 0x80. uint32 storage keeps
// the buffer 4-byte aligned.
std::vector<uint32_t> pack_rows(const std::vector<int8_t>& W, int M, int K) {
  const int blocks = (M + 3) / 4, K4 = (K + 3) / 4 * 4;
  std::vector<uint32_t> out(static_cast<size_t>(blocks) * K4, 0);
  auto* bytes = reinterpret_cast<uint8_t*>(out.data());
  for (int b = 0; b < blocks; ++b)
    for (int g = 0; g < K4 / 4; ++g)
      for (int j = 0; j < 4; ++j)
        for (int c = 0; c < 4; ++c) {
          int m = 4 * b + j, k = 4 * g + c;
          int w = (m < M && k < K) ? W[static_cast<size_t>(m) * K + k] : 0;
          bytes[static_cast<size_t>(b) * 4 * K4 + 16 * g + 4 * j + c] = static_cast<uint8_t>(w ^ 0x80);
        }
  return out;
}

struct Rq {
  std::vector<int32_t> mult, shift;
  int32_t zp_out, lo, hi;
  zkml_requant_params p() const {
    return {mult.data(), shift.data(), mult.size() > 1 ? 1 : 0, zp_out, lo, hi, 0};
  }
};

Rq rand_rq(std::mt19937& rng, int channels) {
  std::uniform_int_distribution<int32_t> mu(1 << 30, 0x7FFFFFFF), sh(8, 50), zp(-128, 127);
  Rq r;
  for (int c = 0; c < channels; ++c) {
    r.mult.push_back(mu(rng));
    r.shift.push_back(sh(rng));
  }
  r.zp_out = zp(rng);
  r.lo = std::uniform_int_distribution<int>(-128, 0)(rng);
  r.hi = std::uniform_int_distribution<int>(r.lo, 127)(rng);
  return r;
}

}  // namespace

TEST_CASE("requantisation rounds half up (towards +infinity)", "[ml][kernels]") {
  const int32_t half = 1 << 30;  // M = 0.5 with shift 31
  CHECK(zkml_requant(3, half, 31) == 2);    // 1.5 -> 2
  CHECK(zkml_requant(-3, half, 31) == -1);  // -1.5 -> -1
  CHECK(zkml_requant(5, half, 31) == 3);    // 2.5 -> 3
  CHECK(zkml_requant(-5, half, 31) == -2);  // -2.5 -> -2
  CHECK(zkml_requant(-4, half, 31) == -2);  // exact
  CHECK(zkml_requant(2, half, 32) == 1);    // 0.5 -> 1
  CHECK(zkml_requant(-2, half, 32) == 0);   // -0.5 -> 0
  CHECK(zkml_requant(-3, half, 32) == -1);  // -0.75 -> -1
  // Extremes: no overflow in the 64-bit product.
  CHECK(zkml_requant(INT32_MAX, INT32_MAX, 62) == 1);
  CHECK(zkml_requant(INT32_MIN, INT32_MAX, 62) == -1);
  CHECK(zkml_requant(INT32_MIN, INT32_MAX, 31) == INT32_MIN + 1);
}

TEST_CASE("Dense matches the reference for random shapes, per-channel and per-tensor", "[ml][kernels]") {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 200; ++iter) {
    int M = std::uniform_int_distribution<int>(1, 40)(rng);
    int K = std::uniform_int_distribution<int>(1, 70)(rng);
    auto x = rand_i8(rng, K);
    auto W = rand_i8(rng, static_cast<size_t>(M) * K);
    std::vector<int32_t> bias(M);
    for (auto& b : bias) b = std::uniform_int_distribution<int32_t>(-(1 << 20), 1 << 20)(rng);
    Rq rq = rand_rq(rng, iter % 2 ? M : 1);
    auto wpk = pack_rows(W, M, K);
    REQUIRE(wpk.size() * 4 == zkml_weight_bytes(M, K));
    std::vector<uint8_t> lib(zkml_weight_bytes(M, K));
    zkml_pack_weights(W.data(), M, K, lib.data());
    REQUIRE(std::memcmp(lib.data(), wpk.data(), lib.size()) == 0);
    auto wb = reinterpret_cast<const uint8_t*>(wpk.data());
    std::vector<int8_t> y(M);
    auto p = rq.p();
    zkml_dense_s8(x.data(), K, wb, bias.data(), M, &p, nullptr, y.data());
    for (int m = 0; m < M; ++m) {
      int64_t acc = bias[m];
      for (int k = 0; k < K; ++k) acc += int64_t{x[k]} * W[m * K + k];
      size_t c = rq.mult.size() > 1 ? m : 0;
      int8_t want = sat(ref_requant(acc, rq.mult[c], rq.shift[c]) + rq.zp_out, rq.lo, rq.hi);
      INFO("iter " << iter << " M=" << M << " K=" << K << " m=" << m);
      REQUIRE(y[m] == want);
    }
  }
}

TEST_CASE("Dense is exact with extreme inputs and weights (-128 and 127), up to K = 65536", "[ml][kernels]") {
  // Every byte is a valid weight, -128 included; the largest sums are
  // K * 2^14 = 2^30 at K = 65536.
  for (int K : {1, 2, 3, 5, 784, 65536}) {
    for (int xv : {-128, 127})
      for (int wa : {-128, 127})
        for (int wb : {-128, 127}) {
          std::vector<int8_t> x(K, static_cast<int8_t>(xv)), W(2 * static_cast<size_t>(K));
          for (int k = 0; k < K; ++k) {
            W[k] = static_cast<int8_t>(wa);
            W[K + k] = static_cast<int8_t>(wb);
          }
          // Exact sums, read through a multiplier of 2^-24 (shift 54).
          std::vector<int32_t> bias(2, 0), mult{1 << 30}, shift{54};
          zkml_requant_params q{mult.data(), shift.data(), 0, 0, -128, 127, 0};
          auto wpk = pack_rows(W, 2, K);
          std::vector<int8_t> y(2);
          zkml_dense_s8(x.data(), K, reinterpret_cast<const uint8_t*>(wpk.data()), bias.data(), 2, &q, nullptr,
                        y.data());
          int64_t sum_a = int64_t{K} * xv * wa, sum_b = int64_t{K} * xv * wb;
          INFO("K=" << K << " x=" << xv << " wa=" << wa << " wb=" << wb);
          CHECK(y[0] == sat(ref_requant(sum_a, 1 << 30, 54)));
          CHECK(y[1] == sat(ref_requant(sum_b, 1 << 30, 54)));
        }
  }
}

TEST_CASE("Dense saturates at the int8 limits with a large multiplier", "[ml][kernels]") {
  const int K = 8, M = 2;
  std::vector<int8_t> x(K, 127), W(M * K);
  for (int k = 0; k < K; ++k) {
    W[k] = 127;
    W[K + k] = -127;
  }
  std::vector<int32_t> bias(M, 0), mult{0x7FFFFFFF}, shift{1};  // M ~ 1
  zkml_requant_params p{mult.data(), shift.data(), 0, 0, -128, 127, 0};
  auto wpk = pack_rows(W, M, K);
  std::vector<int8_t> y(M);
  zkml_dense_s8(x.data(), K, reinterpret_cast<const uint8_t*>(wpk.data()), bias.data(), M, &p, nullptr, y.data());
  CHECK(y[0] == 127);
  CHECK(y[1] == -128);
}

TEST_CASE("Conv2D matches the reference with strides and padding", "[ml][kernels]") {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 120; ++iter) {
    zkml_conv_shape s{};
    auto U = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
    s.C = U(1, 3);
    s.kh = U(1, 5);
    s.kw = U(1, 5);
    s.H = U(s.kh, 20);
    s.W = U(s.kw, 20);
    s.M = U(1, 9);
    s.sh = U(1, 3);
    s.sw = U(1, 3);
    s.pt = U(0, s.kh - 1);
    s.pl = U(0, s.kw - 1);
    int pb = U(0, s.kh - 1), pr = U(0, s.kw - 1);
    if (iter < 50) {  // no padding (MaxPool's unchecked path), a third of them 2x2 windows
      s.pt = s.pl = pb = pr = 0;
      if (iter % 3 == 0) s.kh = s.kw = 2, s.H = U(2, 10), s.W = U(2, 10);
    }
    s.OH = (s.H + s.pt + pb - s.kh) / s.sh + 1;
    s.OW = (s.W + s.pl + pr - s.kw) / s.sw + 1;
    s.zp_in = U(-128, 127);
    const int K = s.C * s.kh * s.kw;
    auto x = rand_i8(rng, static_cast<size_t>(s.C) * s.H * s.W);
    auto W = rand_i8(rng, static_cast<size_t>(s.M) * K);
    std::vector<int32_t> bias(s.M);
    for (auto& b : bias) b = U(-100000, 100000);
    Rq rq = rand_rq(rng, iter % 2 ? s.M : 1);
    auto wpk = pack_rows(W, s.M, K);
    REQUIRE(wpk.size() * 4 == zkml_weight_bytes(s.M, K));
    auto wb = reinterpret_cast<const uint8_t*>(wpk.data());
    std::vector<int8_t> y(static_cast<size_t>(s.M) * s.OH * s.OW), patch(zkml_conv_patch_bytes(s.C, s.kh, s.kw, s.sh, s.sw, s.OH, s.OW));
    auto p = rq.p();
    zkml_conv_s8(x.data(), &s, wb, bias.data(), &p, patch.data(), y.data());
    for (int m = 0; m < s.M; ++m)
      for (int oy = 0; oy < s.OH; ++oy)
        for (int ox = 0; ox < s.OW; ++ox) {
          int64_t acc = bias[m];
          for (int c = 0; c < s.C; ++c)
            for (int ky = 0; ky < s.kh; ++ky)
              for (int kx = 0; kx < s.kw; ++kx) {
                int iy = oy * s.sh - s.pt + ky, ix = ox * s.sw - s.pl + kx;
                int v = (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) ? s.zp_in : x[(c * s.H + iy) * s.W + ix];
                acc += int64_t{v} * W[((m * s.C + c) * s.kh + ky) * s.kw + kx];
              }
          size_t ch = rq.mult.size() > 1 ? m : 0;
          int8_t want = sat(ref_requant(acc, rq.mult[ch], rq.shift[ch]) + rq.zp_out, rq.lo, rq.hi);
          INFO("iter " << iter << " m=" << m << " oy=" << oy << " ox=" << ox);
          REQUIRE(y[(m * s.OH + oy) * s.OW + ox] == want);
        }
  }
}

TEST_CASE("grouped and depthwise Conv2D match the reference: each output channel sees its group's inputs only",
          "[ml][kernels]") {
  std::mt19937 rng(31);
  for (int iter = 0; iter < 120; ++iter) {
    auto U = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
    const int G = U(2, 6);
    // A third depthwise (one input and one output channel per group), the
    // rest with 1-3 input and 1-5 output channels per group (so groups
    // straddle the 4-row weight blocks).
    const int Cg = iter % 3 == 0 ? 1 : U(1, 3), Mg = iter % 3 == 0 ? 1 : U(1, 5);
    zkml_conv_shape s{};
    s.group = G;
    s.C = G * Cg;
    s.M = G * Mg;
    s.kh = U(1, 5);
    s.kw = U(1, 5);
    s.H = U(s.kh, 14);
    s.W = U(s.kw, 14);
    s.sh = U(1, 3);
    s.sw = U(1, 3);
    s.pt = U(0, s.kh - 1);
    s.pl = U(0, s.kw - 1);
    int pb = U(0, s.kh - 1), pr = U(0, s.kw - 1);
    if (iter % 4 == 1) s.pt = s.pl = pb = pr = 0;  // windows inside the input: no padded copy
    s.OH = (s.H + s.pt + pb - s.kh) / s.sh + 1;
    s.OW = (s.W + s.pl + pr - s.kw) / s.sw + 1;
    s.zp_in = U(-128, 127);
    const int K = Cg * s.kh * s.kw;
    auto x = rand_i8(rng, static_cast<size_t>(s.C) * s.H * s.W);
    auto W = rand_i8(rng, static_cast<size_t>(s.M) * K);
    std::vector<int32_t> bias(s.M);
    for (auto& b : bias) b = U(-100000, 100000);
    Rq rq = rand_rq(rng, iter % 2 ? s.M : 1);
    auto wpk = pack_rows(W, s.M, K);
    auto wb = reinterpret_cast<const uint8_t*>(wpk.data());
    std::vector<int8_t> y(static_cast<size_t>(s.M) * s.OH * s.OW), patch(zkml_conv_scratch_bytes(&s));
    auto p = rq.p();
    zkml_conv_s8(x.data(), &s, wb, bias.data(), &p, patch.data(), y.data());
    for (int m = 0; m < s.M; ++m)
      for (int oy = 0; oy < s.OH; ++oy)
        for (int ox = 0; ox < s.OW; ++ox) {
          int64_t acc = bias[m];
          const int g = m / Mg;
          for (int c = 0; c < Cg; ++c)
            for (int ky = 0; ky < s.kh; ++ky)
              for (int kx = 0; kx < s.kw; ++kx) {
                int iy = oy * s.sh - s.pt + ky, ix = ox * s.sw - s.pl + kx;
                int v = (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) ? s.zp_in
                                                                      : x[((g * Cg + c) * s.H + iy) * s.W + ix];
                acc += int64_t{v} * W[((m * Cg + c) * s.kh + ky) * s.kw + kx];
              }
          size_t ch = rq.mult.size() > 1 ? m : 0;
          int8_t want = sat(ref_requant(acc, rq.mult[ch], rq.shift[ch]) + rq.zp_out, rq.lo, rq.hi);
          INFO("iter " << iter << " G=" << G << " m=" << m << " oy=" << oy << " ox=" << ox);
          REQUIRE(y[(m * s.OH + oy) * s.OW + ox] == want);
        }
  }
}

TEST_CASE("MaxPool and AveragePool match the reference, padding ignored or counted, and without padding", "[ml][kernels]") {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 150; ++iter) {
    auto U = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
    zkml_pool_shape s{};
    s.C = U(1, 3);
    s.kh = U(1, 4);
    s.kw = U(1, 4);
    s.H = U(s.kh, 10);
    s.W = U(s.kw, 10);
    s.sh = U(1, 3);
    s.sw = U(1, 3);
    s.pt = U(0, s.kh - 1);
    s.pl = U(0, s.kw - 1);
    int pb = U(0, s.kh - 1), pr = U(0, s.kw - 1);
    if (iter < 50) {  // no padding (MaxPool's unchecked path), a third of them 2x2 windows
      s.pt = s.pl = pb = pr = 0;
      if (iter % 3 == 0) s.kh = s.kw = 2, s.H = U(2, 10), s.W = U(2, 10);
    }
    s.OH = (s.H + s.pt + pb - s.kh) / s.sh + 1;
    s.OW = (s.W + s.pl + pr - s.kw) / s.sw + 1;
    s.count_include_pad = iter % 2;
    s.zp = U(-128, 127);
    s.pb = pb;
    s.pr = pr;
    auto x = rand_i8(rng, static_cast<size_t>(s.C) * s.H * s.W);
    std::vector<int8_t> ymax(static_cast<size_t>(s.C) * s.OH * s.OW), yavg(ymax.size());
    zkml_maxpool_s8(x.data(), &s, ymax.data());
    zkml_avgpool_s8(x.data(), &s, yavg.data());
    for (int c = 0; c < s.C; ++c)
      for (int oy = 0; oy < s.OH; ++oy)
        for (int ox = 0; ox < s.OW; ++ox) {
          int best = -1000, n = 0;
          int64_t sum = 0;
          for (int ky = 0; ky < s.kh; ++ky)
            for (int kx = 0; kx < s.kw; ++kx) {
              int iy = oy * s.sh - s.pt + ky, ix = ox * s.sw - s.pl + kx;
              if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) {
                if (s.count_include_pad) {
                  sum += s.zp;
                  ++n;
                }
                continue;
              }
              int v = x[(c * s.H + iy) * s.W + ix];
              best = std::max(best, v);
              sum += v;
              ++n;
            }
          // Half away from zero, computed in floating point as an independent check.
          int want_avg = static_cast<int>(std::round(static_cast<double>(sum) / n));
          size_t i = (static_cast<size_t>(c) * s.OH + oy) * s.OW + ox;
          INFO("iter " << iter << " c=" << c << " oy=" << oy << " ox=" << ox);
          REQUIRE(ymax[i] == best);
          REQUIRE(yavg[i] == want_avg);
        }
  }
}

TEST_CASE("dilated Conv2D, grouped or not, matches the reference", "[ml][kernels]") {
  std::mt19937 rng(41);
  for (int iter = 0; iter < 100; ++iter) {
    auto U = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
    zkml_conv_shape s{};
    s.group = iter % 2 ? U(2, 4) : 1;
    const int Cg = U(1, 3), Mg = U(1, 5);
    s.C = s.group * Cg;
    s.M = s.group * Mg;
    s.kh = U(1, 4);
    s.kw = U(1, 4);
    s.dh = U(1, 3);
    s.dw = U(1, 3);
    const int ekh = s.dh * (s.kh - 1) + 1, ekw = s.dw * (s.kw - 1) + 1;
    s.H = U(ekh, 16);
    s.W = U(ekw, 16);
    s.sh = U(1, 3);
    s.sw = U(1, 3);
    s.pt = U(0, ekh - 1);
    s.pl = U(0, ekw - 1);
    const int pb = U(0, ekh - 1), pr = U(0, ekw - 1);
    s.OH = (s.H + s.pt + pb - ekh) / s.sh + 1;
    s.OW = (s.W + s.pl + pr - ekw) / s.sw + 1;
    s.zp_in = U(-128, 127);
    const int K = Cg * s.kh * s.kw;
    auto x = rand_i8(rng, static_cast<size_t>(s.C) * s.H * s.W);
    auto W = rand_i8(rng, static_cast<size_t>(s.M) * K);
    std::vector<int32_t> bias(s.M);
    for (auto& b : bias) b = U(-100000, 100000);
    Rq rq = rand_rq(rng, s.M);
    auto wpk = pack_rows(W, s.M, K);
    std::vector<int8_t> y(static_cast<size_t>(s.M) * s.OH * s.OW), patch(zkml_conv_scratch_bytes(&s));
    auto p = rq.p();
    zkml_conv_s8(x.data(), &s, reinterpret_cast<const uint8_t*>(wpk.data()), bias.data(), &p, patch.data(), y.data());
    for (int m = 0; m < s.M; ++m)
      for (int oy = 0; oy < s.OH; ++oy)
        for (int ox = 0; ox < s.OW; ++ox) {
          int64_t acc = bias[m];
          for (int c = 0; c < Cg; ++c)
            for (int ky = 0; ky < s.kh; ++ky)
              for (int kx = 0; kx < s.kw; ++kx) {
                int iy = oy * s.sh - s.pt + ky * s.dh, ix = ox * s.sw - s.pl + kx * s.dw;
                int v = (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W)
                            ? s.zp_in
                            : x[((m / Mg * Cg + c) * s.H + iy) * s.W + ix];
                acc += int64_t{v} * W[((m * Cg + c) * s.kh + ky) * s.kw + kx];
              }
          int8_t want = sat(ref_requant(acc, rq.mult[m], rq.shift[m]) + rq.zp_out, rq.lo, rq.hi);
          INFO("iter " << iter << " m=" << m << " oy=" << oy << " ox=" << ox);
          REQUIRE(y[(m * s.OH + oy) * s.OW + ox] == want);
        }
  }
}

TEST_CASE("dilated and ceil_mode pools match the reference, and AveragePool counts the pads, not past them",
          "[ml][kernels]") {
  std::mt19937 rng(43);
  int ceil_windows = 0;
  for (int iter = 0; iter < 200; ++iter) {
    auto U = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
    zkml_pool_shape s{};
    s.C = U(1, 3);
    s.kh = U(1, 4);
    s.kw = U(1, 4);
    s.dh = iter % 3 ? U(1, 3) : 1;
    s.dw = iter % 3 ? U(1, 3) : 1;
    const int ekh = s.dh * (s.kh - 1) + 1, ekw = s.dw * (s.kw - 1) + 1;
    s.H = U(std::max(ekh, s.dh), 12);
    s.W = U(std::max(ekw, s.dw), 12);
    s.sh = U(1, 3);
    s.sw = U(1, 3);
    s.pt = U(0, ekh - 1);
    s.pl = U(0, ekw - 1);
    s.pb = U(0, ekh - 1);
    s.pr = U(0, ekw - 1);
    // ONNX ceil_mode: one more output where the last window starts inside
    // the input or the top/left pad.
    auto out = [&](int in, int p0, int p1, int ek, int st) {
      int span = in + p0 + p1 - ek, o = span / st + 1;
      if (iter % 2 && span % st != 0 && o * st < in + p0) ++o;
      return o;
    };
    s.OH = out(s.H, s.pt, s.pb, ekh, s.sh);
    s.OW = out(s.W, s.pl, s.pr, ekw, s.sw);
    s.count_include_pad = (iter / 2) % 2;
    s.zp = U(-128, 127);
    auto x = rand_i8(rng, static_cast<size_t>(s.C) * s.H * s.W);
    std::vector<int8_t> ymax(static_cast<size_t>(s.C) * s.OH * s.OW), yavg(ymax.size());
    zkml_maxpool_s8(x.data(), &s, ymax.data());
    zkml_avgpool_s8(x.data(), &s, yavg.data());
    for (int c = 0; c < s.C; ++c)
      for (int oy = 0; oy < s.OH; ++oy)
        for (int ox = 0; ox < s.OW; ++ox) {
          int best = -1000, n = 0, valid = 0;
          int64_t sum = 0;
          for (int ky = 0; ky < s.kh; ++ky)
            for (int kx = 0; kx < s.kw; ++kx) {
              int iy = oy * s.sh - s.pt + ky * s.dh, ix = ox * s.sw - s.pl + kx * s.dw;
              if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) {
                if (iy >= s.H + s.pb || ix >= s.W + s.pr) ++ceil_windows;  // past the pads: never counted
                else if (s.count_include_pad) sum += s.zp, ++n;
                continue;
              }
              int v = x[(c * s.H + iy) * s.W + ix];
              best = std::max(best, v);
              sum += v;
              ++n;
              ++valid;
            }
          INFO("iter " << iter << " c=" << c << " oy=" << oy << " ox=" << ox);
          REQUIRE(valid > 0);  // every window holds an input position
          size_t i = (static_cast<size_t>(c) * s.OH + oy) * s.OW + ox;
          REQUIRE(ymax[i] == best);
          REQUIRE(yavg[i] == static_cast<int>(std::round(static_cast<double>(sum) / n)));
        }
  }
  CHECK(ceil_windows > 0);  // some windows did reach past the pads
}

TEST_CASE("AveragePool rounds half away from zero", "[ml][kernels]") {
  zkml_pool_shape s{1, 1, 2, 1, 1, 1, 2, 1, 2, 0, 0, 0, 0, 0, 0, 1, 1};
  int8_t a[2] = {1, 2}, b[2] = {-1, -2}, y = 0;
  zkml_avgpool_s8(a, &s, &y);
  CHECK(y == 2);  // 1.5 -> 2
  zkml_avgpool_s8(b, &s, &y);
  CHECK(y == -2);  // -1.5 -> -2
}

TEST_CASE("Add and Mul match the reference with all broadcast kinds", "[ml][kernels]") {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 300; ++iter) {
    auto U = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
    // Every 4th shape is large: same-shape Adds of 256 values and more run
    // through the kernel's tables of the 256 products.
    int C = U(1, 4), HW = iter % 4 == 0 ? U(64, 400) : U(1, 9), n = C * HW;
    int kind = iter % 3;  // 0: same shape, 1: scalar, 2: per channel
    int nb = kind == 0 ? n : (kind == 1 ? 1 : C);
    zkml_bcast bc{n, kind == 0 ? 0 : (kind == 1 ? n : HW), kind == 2 ? C : 1};
    auto a = rand_i8(rng, n), b = rand_i8(rng, nb);
    int zpa = U(-128, 127), zpb = U(-128, 127), zpy = U(-128, 127), lo = U(-128, 0), hi = U(lo, 127);
    int32_t ma = std::uniform_int_distribution<int32_t>(-(1 << 30), 1 << 30)(rng);
    int32_t mb = std::uniform_int_distribution<int32_t>(-(1 << 30), 1 << 30)(rng);
    int32_t sh = U(20, 40), mm = std::uniform_int_distribution<int32_t>(1 << 30, 0x7FFFFFFF)(rng);
    std::vector<int8_t> ya(n), ym(n);
    zkml_add_s8(a.data(), b.data(), &bc, zpa, zpb, ma, mb, sh, zpy, lo, hi, ya.data());
    zkml_mul_s8(a.data(), b.data(), &bc, zpa, zpb, mm, sh, zpy, lo, hi, ym.data());
    for (int i = 0; i < n; ++i) {
      int bi = kind == 0 ? i : (kind == 1 ? 0 : i / HW);
      int64_t t = int64_t{a[i] - zpa} * ma + int64_t{b[bi] - zpb} * mb + (int64_t{1} << (sh - 1));
      int8_t want_add = sat(floor_div_pow2(t, sh) + zpy, lo, hi);
      int8_t want_mul = sat(ref_requant(int64_t{a[i] - zpa} * (b[bi] - zpb), mm, sh) + zpy, lo, hi);
      INFO("iter " << iter << " i=" << i);
      REQUIRE(ya[i] == want_add);
      REQUIRE(ym[i] == want_mul);
    }
  }
}

TEST_CASE("Clamp and ArgMax: clamp bounds hold, first maximum wins", "[ml][kernels]") {
  int8_t x[6] = {-128, -5, 0, 7, 127, 7}, y[6];
  zkml_clamp_s8(x, 6, -5, 7, y);
  CHECK(std::vector<int8_t>(y, y + 6) == std::vector<int8_t>{-5, -5, 0, 7, 7, 7});
  int8_t v[5] = {3, 9, -1, 9, 2};
  CHECK(zkml_argmax_s8(v, 5) == 1);
  int8_t w[3] = {-128, -128, -128};
  CHECK(zkml_argmax_s8(w, 3) == 0);
}

TEST_CASE("integer Softmax stays within 1/256 + 2^-12 of float softmax", "[ml][kernels]") {
  // Documented bound (docs/ML_RUNTIME.md): output quantisation contributes
  // 1/512 and the LUT's 2^-16 rounding a relative error far below 2^-12.
  std::mt19937 rng(11);
  double worst = 0;
  for (int iter = 0; iter < 400; ++iter) {
    int N = std::uniform_int_distribution<int>(1, 40)(rng);
    double s = std::uniform_real_distribution<double>(0.005, 0.5)(rng);
    std::vector<uint32_t> lut(256);
    for (int d = 0; d < 256; ++d) lut[d] = static_cast<uint32_t>(std::llround(65536.0 * std::exp(-d * s)));
    auto x = rand_i8(rng, N);
    std::vector<int8_t> y(N);
    zkml_softmax_s8(x.data(), 1, N, lut.data(), y.data());
    double mx = *std::max_element(x.begin(), x.end()), sum = 0;
    for (int8_t v : x) sum += std::exp((v - mx) * s);
    for (int i = 0; i < N; ++i) {
      double p = std::exp((x[i] - mx) * s) / sum;
      double got = (y[i] + 128) / 256.0;
      worst = std::max(worst, std::fabs(p - got));
    }
  }
  INFO("worst absolute error " << worst);
  CHECK(worst <= 1.0 / 256 + 1.0 / 4096);
}

TEST_CASE("Lut8 maps every int8 value through its table entry", "[ml][kernels]") {
  std::mt19937 rng(12);
  auto table = rand_i8(rng, 256);
  std::vector<int8_t> x(256), y(256, 0);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<int8_t>(127 - i);  // all values, descending
  zkml_lut_s8(x.data(), 256, table.data(), y.data());
  for (int i = 0; i < 256; ++i) REQUIRE(y[i] == table[x[i] + 128]);
}

TEST_CASE("Concat copies inputs at the output's scale and requantises the others", "[ml][kernels]") {
  std::mt19937 rng(13);
  for (int iter = 0; iter < 50; ++iter) {
    const int outer = 1 + iter % 3, na = 1 + int(rng() % 20), nb = 1 + int(rng() % 20);
    auto a = rand_i8(rng, size_t(outer) * na), b = rand_i8(rng, size_t(outer) * nb);
    const int32_t zp_out = int32_t(rng() % 256) - 128;
    // a: identity (copied); b: a random scale ratio up to 4 and its own zero point.
    zkml_rescale ra = {zp_out, 1 << 30, 30};
    zkml_rescale rb = {int32_t(rng() % 256) - 128, int32_t((1u << 30) + rng() % (1u << 30)), 29 + int(rng() % 4)};
    std::vector<int8_t> y(size_t(outer) * (na + nb));
    zkml_concat_s8(a.data(), na, &ra, b.data(), nb, &rb, outer, zp_out, y.data());
    for (int o = 0; o < outer; ++o) {
      for (int i = 0; i < na; ++i) REQUIRE(y[size_t(o) * (na + nb) + i] == a[size_t(o) * na + i]);
      for (int i = 0; i < nb; ++i) {
        int64_t want = zp_out + ref_requant(b[size_t(o) * nb + i] - rb.zp_in, rb.mult, rb.shift);
        REQUIRE(y[size_t(o) * (na + nb) + na + i] == sat(want));
      }
    }
  }
  // The largest multiplier with the smallest shift (a file may hold them):
  // saturates instead of wrapping.
  int8_t a[2] = {-128, 127}, b[2] = {-128, 127}, y[4];
  zkml_rescale big = {0, INT32_MAX, 1};
  zkml_concat_s8(a, 2, &big, b, 2, &big, 1, 5, y);
  CHECK(std::vector<int8_t>(y, y + 4) == std::vector<int8_t>{-128, 127, -128, 127});
}

// ---- sequence (transformer) kernels: kernels_seq.c -----------------------

TEST_CASE("MatMul of two int8 tensors is exact: the int32 sum of (a - zp_a)(b - zp_b), requantised once",
          "[ml][kernels]") {
  std::mt19937 rng(41);
  struct Shape { int batch, T, K, N; };
  for (Shape sh : {Shape{1, 1, 1, 1}, Shape{3, 4, 16, 4}, Shape{4, 17, 16, 17}, Shape{2, 5, 7, 9}, Shape{1, 3, 300, 6},
                   Shape{2, 3, 5, 1}}) {
    for (int rep = 0; rep < 3; ++rep) {
      auto a = rand_i8(rng, size_t(sh.batch) * sh.T * sh.K);
      auto b = rand_i8(rng, size_t(sh.batch) * sh.K * sh.N);
      zkml_matmul_shape s{};
      s.batch = sh.batch; s.T = sh.T; s.K = sh.K; s.N = sh.N;
      s.zp_a = rep == 0 ? -128 : std::uniform_int_distribution<int>(-128, 127)(rng);
      s.zp_b = rep == 1 ? 127 : std::uniform_int_distribution<int>(-128, 127)(rng);
      s.zp_out = std::uniform_int_distribution<int>(-20, 20)(rng);
      s.mult = std::uniform_int_distribution<int32_t>(1 << 30, 0x7FFFFFFF)(rng);
      s.shift = 40 + std::uniform_int_distribution<int>(0, 10)(rng);
      s.act_min = rep == 2 ? -10 : -128;
      s.act_max = rep == 2 ? 50 : 127;
      std::vector<int8_t> y(size_t(sh.batch) * sh.T * sh.N);
      std::vector<uint32_t> scratch(zkml_matmul_scratch_bytes(sh.K, sh.N) / 4 + 1);  // 4-byte aligned
      zkml_matmul_s8(a.data(), b.data(), &s, reinterpret_cast<int8_t*>(scratch.data()), y.data());
      for (int bi = 0; bi < sh.batch; ++bi)
        for (int t = 0; t < sh.T; ++t)
          for (int n = 0; n < sh.N; ++n) {
            int64_t acc = 0;
            for (int k = 0; k < sh.K; ++k)
              acc += int64_t(a[(size_t(bi) * sh.T + t) * sh.K + k] - s.zp_a) *
                     (b[(size_t(bi) * sh.K + k) * sh.N + n] - s.zp_b);
            const int8_t want = sat(s.zp_out + ref_requant(acc, s.mult, s.shift), s.act_min, s.act_max);
            REQUIRE(int(y[(size_t(bi) * sh.T + t) * sh.N + n]) == int(want));
          }
    }
  }
}

TEST_CASE("MatMul stays exact at the largest inner dimension with extreme values", "[ml][kernels]") {
  const int K = ZKML_MAX_MATMUL_K;
  std::vector<int8_t> a(K, -128), b(size_t(K) * 2, 127);
  for (int k = 0; k < K; ++k) b[size_t(k) * 2 + 1] = -128;
  zkml_matmul_shape s{1, 1, K, 2, 127, -128, 0, 1 << 30, 62, -128, 127};
  std::vector<int8_t> y(2);
  std::vector<uint32_t> scratch(zkml_matmul_scratch_bytes(K, 2) / 4 + 1);
  zkml_matmul_s8(a.data(), b.data(), &s, reinterpret_cast<int8_t*>(scratch.data()), y.data());
  // (-128 - 127) * (127 + 128) * K and (-255) * 0 * K, times 2^-32
  CHECK(int(y[0]) == int(sat(ref_requant(int64_t(-255) * 255 * K, 1 << 30, 62))));
  CHECK(int(y[1]) == 0);
}

TEST_CASE("LayerNorm is within one output step of the float definition", "[ml][kernels]") {
  std::mt19937 rng(43);
  int worst = 0, off = 0, total = 0;
  for (int D : {1, 2, 12, 64, 200, ZKML_MAX_LAYERNORM_D}) {
    const int rows = D >= 1000 ? 2 : 7;
    auto x = rand_i8(rng, size_t(rows) * D);
    if (D == 64) std::fill(x.begin(), x.begin() + D, int8_t(17));  // a constant row: variance 0
    const int zp_in = std::uniform_int_distribution<int>(-100, 100)(rng), zp_out = -3;
    const double s_in = 0.05, s_out = 4.0 / 127, eps = 1e-5;
    std::vector<double> gamma(D), beta(D);
    std::vector<int32_t> tab(size_t(2 * D));
    for (int i = 0; i < D; ++i) {
      gamma[i] = std::uniform_real_distribution<double>(-1.5, 1.5)(rng);
      beta[i] = std::uniform_real_distribution<double>(-0.5, 0.5)(rng);
      tab[i] = int32_t(std::lround(gamma[i] / s_out * 65536));
      tab[D + i] = int32_t(std::lround(beta[i] / s_out * 65536));
    }
    const uint64_t eps_q = uint64_t(std::llround(double(D) * D * eps / (s_in * s_in)));
    std::vector<int8_t> y(x.size());
    zkml_layernorm_s8(x.data(), rows, D, zp_in, eps_q, tab.data(), tab.data() + D, zp_out, y.data());
    for (int r = 0; r < rows; ++r) {
      double mean = 0, var = 0;
      for (int i = 0; i < D; ++i) mean += s_in * (x[size_t(r) * D + i] - zp_in);
      mean /= D;
      for (int i = 0; i < D; ++i) var += std::pow(s_in * (x[size_t(r) * D + i] - zp_in) - mean, 2);
      var /= D;
      for (int i = 0; i < D; ++i) {
        const double f = (s_in * (x[size_t(r) * D + i] - zp_in) - mean) / std::sqrt(var + eps) * gamma[i] + beta[i];
        const int want = int(std::clamp<double>(std::round(f / s_out) + zp_out, -128, 127));
        const int got = y[size_t(r) * D + i];
        INFO("D " << D << " row " << r << " i " << i << ": " << got << " vs " << want << " (" << f / s_out + zp_out << ")");
        REQUIRE(std::abs(got - want) <= 1);
        worst = std::max(worst, std::abs(got - want));
        off += got != want;
        ++total;
      }
    }
  }
  INFO(off << " of " << total << " outputs one step off");
  CHECK(off * 50 < total);  // almost all are the float value rounded once
}

// LayerNorm as first written (d_i = D q_i - Dzp, V = sum d_i^2 in 64 bits, Q =
// V / D + eps_q, a bit-by-bit square root): the kernel computes V / D as
// D U - S^2 from 32-bit sums instead, which must not change one output.
static std::vector<int8_t> ref_layernorm(const std::vector<int8_t>& x, int32_t rows, int32_t D, int32_t zp_in, uint64_t eps_q,
                                         const int32_t* g, const int32_t* bb, int32_t zp_out) {
  std::vector<int8_t> y(x.size());
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* xr = x.data() + int64_t(r) * D;
    int32_t S = 0;
    for (int32_t i = 0; i < D; ++i) S += xr[i] - zp_in;
    const int32_t Dzp = D * zp_in + S;
    uint64_t V = 0;
    for (int32_t i = 0; i < D; ++i) {
      const int64_t d = int64_t(D) * xr[i] - Dzp;
      V += uint64_t(d * d);
    }
    uint64_t Q = V / uint64_t(D) + eps_q;
    if (Q == 0) Q = 1;
    int e = 0;
    while ((Q << (2 * e)) < (1ull << 60)) ++e;
    const uint64_t v = Q << (2 * e);
    uint64_t rt = uint64_t(std::sqrt(double(v)));  // then corrected to floor(sqrt(v)) exactly
    while (rt * rt > v) --rt;
    while ((rt + 1) * (rt + 1) <= v) ++rt;
    uint64_t m64 = (1ull << 61) / rt;
    if (m64 > 0x7FFFFFFFull) m64 = 0x7FFFFFFFull;
    const int32_t sh = 45 - e;
    for (int32_t i = 0; i < D; ++i) {
      const int64_t d = int64_t(D) * xr[i] - Dzp;
      const int32_t t = int32_t((d * int64_t(m64) + (int64_t(1) << (sh - 1))) >> sh);
      const int64_t acc = int64_t(t) * g[i] + int64_t(bb[i]) * 65536 + (int64_t(1) << 31);
      y[size_t(r) * D + size_t(i)] = int8_t(std::clamp<int64_t>(zp_out + (acc >> 32), -128, 127));
    }
  }
  return y;
}

TEST_CASE("LayerNorm gives exactly the outputs of its 64-bit variance form, extremes included", "[ml][kernels]") {
  std::mt19937 rng(44);
  for (int D : {1, 2, 3, 17, 64, 255, 1000, ZKML_MAX_LAYERNORM_D}) {
    for (int kind = 0; kind < 4; ++kind) {
      const int rows = 3;
      auto x = rand_i8(rng, size_t(rows) * D);
      // 1: the extremes alternating (largest variance); 2: all -128 with a
      // zero point of 127 (largest |u|); 3: one outlier in a constant row.
      for (int i = 0; i < rows * D; ++i) {
        if (kind == 1) x[size_t(i)] = int8_t(i % 2 ? 127 : -128);
        if (kind == 2) x[size_t(i)] = -128;
        if (kind == 3) x[size_t(i)] = int8_t(i % D == D / 2 ? 127 : -5);
      }
      const int zp_in = kind == 2 ? 127 : std::uniform_int_distribution<int>(-128, 127)(rng);
      const int zp_out = std::uniform_int_distribution<int>(-20, 20)(rng);
      std::vector<int32_t> tab(size_t(2 * D));
      for (auto& t : tab) t = std::uniform_int_distribution<int32_t>(-(1 << 24) + 1, (1 << 24) - 1)(rng);
      for (uint64_t eps_q : {uint64_t(0), uint64_t(1) << 20, (uint64_t(1) << 40) - 1}) {
        std::vector<int8_t> y(x.size());
        zkml_layernorm_s8(x.data(), rows, D, zp_in, eps_q, tab.data(), tab.data() + D, zp_out, y.data());
        INFO("D " << D << " kind " << kind << " eps_q " << eps_q);
        REQUIRE(y == ref_layernorm(x, rows, D, zp_in, eps_q, tab.data(), tab.data() + D, zp_out));
      }
    }
  }
  // Many variances (so many square roots): random rows of random spread.
  for (int iter = 0; iter < 3000; ++iter) {
    const int D = std::uniform_int_distribution<int>(2, 300)(rng);
    const int spread = std::uniform_int_distribution<int>(0, 127)(rng), mid = std::uniform_int_distribution<int>(-128, 127)(rng);
    std::vector<int8_t> x(static_cast<size_t>(D));
    for (auto& v : x) v = int8_t(std::clamp(mid + std::uniform_int_distribution<int>(-spread, spread)(rng), -128, 127));
    std::vector<int32_t> tab(size_t(2 * D));
    for (auto& t : tab) t = std::uniform_int_distribution<int32_t>(-(1 << 24) + 1, (1 << 24) - 1)(rng);
    const uint64_t eps_q = std::uniform_int_distribution<uint64_t>(0, uint64_t(1) << std::uniform_int_distribution<int>(0, 39)(rng))(rng);
    std::vector<int8_t> y(x.size());
    zkml_layernorm_s8(x.data(), 1, D, mid, eps_q, tab.data(), tab.data() + D, 0, y.data());
    INFO("iter " << iter << " D " << D << " spread " << spread << " eps_q " << eps_q);
    REQUIRE(y == ref_layernorm(x, 1, D, mid, eps_q, tab.data(), tab.data() + D, 0));
  }
}

TEST_CASE("Transpose matches index arithmetic for every permutation of 4 axes", "[ml][kernels]") {
  std::mt19937 rng(44);
  uint32_t perm[4] = {0, 1, 2, 3};
  const uint32_t dims[4] = {2, 3, 4, 5};
  auto x = rand_i8(rng, 120);
  int count = 0;
  do {
    std::vector<int8_t> y(120);
    zkml_transpose_s8(x.data(), dims, perm, y.data());
    uint32_t o[4];
    size_t at = 0;
    for (o[0] = 0; o[0] < dims[perm[0]]; ++o[0])
      for (o[1] = 0; o[1] < dims[perm[1]]; ++o[1])
        for (o[2] = 0; o[2] < dims[perm[2]]; ++o[2])
          for (o[3] = 0; o[3] < dims[perm[3]]; ++o[3]) {
            uint32_t idx[4];
            for (int j = 0; j < 4; ++j) idx[perm[j]] = o[j];
            REQUIRE(y[at++] == x[((idx[0] * 3 + idx[1]) * 4 + idx[2]) * 5 + idx[3]]);
          }
    ++count;
  } while (std::next_permutation(perm, perm + 4));
  CHECK(count == 24);
}

TEST_CASE("per-axis requantisation rounds half to even and uses each index's parameters", "[ml][kernels]") {
  // Reference: (x - zp_in) * mult / 2^shift is exact in a double (|p| < 2^39,
  // a power-of-two divisor), and nearbyint rounds it half to even.
  std::mt19937 rng(91);
  for (int iter = 0; iter < 200; ++iter) {
    const int32_t outer = 1 + static_cast<int32_t>(rng() % 3), n = 1 + static_cast<int32_t>(rng() % 4),
                  inner = 1 + static_cast<int32_t>(rng() % 5);
    std::vector<int32_t> tab;
    for (int32_t c = 0; c < n; ++c) {
      const int32_t shift = 1 + static_cast<int32_t>(rng() % 40);
      // Exact powers of two (x / 2^k: ties) half of the time, else any multiplier.
      const int32_t mult = iter % 2 ? int32_t{1} << 30 : static_cast<int32_t>(rng() & 0x7FFFFFFF);
      tab.insert(tab.end(), {static_cast<int32_t>(rng() % 256) - 128, mult, shift, static_cast<int32_t>(rng() % 256) - 128});
    }
    const auto x = rand_i8(rng, static_cast<size_t>(outer * n * inner));
    std::vector<int8_t> y(x.size());
    zkml_requant_axis_s8(x.data(), outer, n, inner, tab.data(), y.data());
    for (size_t e = 0; e < x.size(); ++e) {
      const size_t c = (e / static_cast<size_t>(inner)) % static_cast<size_t>(n);
      const int32_t* t = &tab[4 * c];
      const double r = std::ldexp(static_cast<double>(int64_t{x[e] - t[0]} * t[1]), -t[2]);
      INFO("element " << e << " x " << int(x[e]) << " index " << c << " mult " << t[1] << " shift " << t[2]);
      REQUIRE(y[e] == sat(static_cast<int64_t>(std::nearbyint(r)) + t[3]));
    }
  }
  // Ties: 2^30 / 2^32 = 1/4, so x - zp = 2, 6, -2, -6 give 0.5, 1.5, -0.5, -1.5.
  const int8_t x[4] = {2, 6, -2, -6};
  const int32_t tab[4] = {0, 1 << 30, 32, 0};
  int8_t y[4];
  zkml_requant_axis_s8(x, 1, 1, 4, tab, y);
  CHECK(y[0] == 0);
  CHECK(y[1] == 2);
  CHECK(y[2] == 0);
  CHECK(y[3] == -2);
}

TEST_CASE("Conv phase weights: row o of channel m holds its taps shifted by o, weight 0 elsewhere", "[ml][kernels]") {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 20; ++trial) {
    std::uniform_int_distribution<int> kd(1, 5), cd(1, 7), md(1, 9);
    zkml_conv_shape s{};
    s.C = cd(rng), s.kh = kd(rng), s.kw = kd(rng), s.M = md(rng), s.sh = s.sw = 1, s.group = 1, s.dh = s.dw = 1;
    s.H = s.kh + 3, s.W = s.kw + 5, s.OH = s.H - s.kh + 1, s.OW = s.W - s.kw + 1;
    const int32_t K = s.C * s.kh * s.kw, Kp = zkml_conv_phase_k(&s);
    REQUIRE(Kp == s.kh * s.C * 8);
    REQUIRE(zkml_conv_phase_bytes(&s) == uint64_t(s.M) * 4 * Kp);
    auto W = rand_i8(rng, size_t(s.M) * K);
    std::vector<uint8_t> packed(zkml_weight_bytes(s.M, K)), phase(zkml_conv_phase_bytes(&s));
    zkml_pack_weights(W.data(), s.M, K, packed.data());
    zkml_conv_phase_pack(&s, packed.data(), phase.data());
    for (int m = 0; m < s.M; ++m)
      for (int o = 0; o < 4; ++o)
        for (int ky = 0; ky < s.kh; ++ky)
          for (int c = 0; c < s.C; ++c)
            for (int t = 0; t < 8; ++t) {
              const int k = (ky * s.C + c) * 8 + t, kx = t - o;
              const int w = kx >= 0 && kx < s.kw ? W[size_t(m) * K + (c * s.kh + ky) * s.kw + kx] : 0;
              REQUIRE(phase[size_t(4) * Kp * m + 16 * (k / 4) + 4 * o + k % 4] == uint8_t(w + 128));
            }
  }
  // Shapes the phase kernel does not take: strides, dilations, groups, kw > 5, Kp over one call.
  zkml_conv_shape s{1, 8, 8, 2, 4, 4, 5, 5, 1, 1, 0, 0, 0, 1, 1, 1};
  CHECK(zkml_conv_phase_k(&s) == 40);
  auto t = s;
  t.sw = 2;
  CHECK(zkml_conv_phase_k(&t) == 0);
  t = s, t.dh = 2;
  CHECK(zkml_conv_phase_k(&t) == 0);
  t = s, t.kw = 6;
  CHECK(zkml_conv_phase_k(&t) == 0);
  t = s, t.C = 2, t.group = 2, t.M = 2;
  CHECK(zkml_conv_phase_k(&t) == 0);
  t = s, t.C = 820;
  CHECK(zkml_conv_phase_k(&t) == 0);  // 5 * 820 * 8 = 32800 > 32764
  CHECK(zkml_conv_phase_bytes(&t) == 0);
}
