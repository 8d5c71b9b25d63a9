// Synthetic float graphs for the ML runtime tests, a plain float evaluator
// (written from the op definitions in graph.h) and range calibration.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "graph.h"

namespace zkvm::ml::testing {

inline int add_tensor(Graph& g, std::string name, std::vector<int64_t> shape, std::vector<float> data = {}) {
  Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.data = std::move(data);
  g.tensors.push_back(std::move(t));
  return static_cast<int>(g.tensors.size() - 1);
}

inline std::vector<float> rand_vec(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

inline int node(Graph& g, OpKind op, std::vector<int> in, std::vector<int64_t> out_shape, std::string name) {
  int out = add_tensor(g, name + "_out", std::move(out_shape));
  Node n;
  n.name = std::move(name);
  n.op = op;
  n.inputs = std::move(in);
  n.outputs = {out};
  g.nodes.push_back(n);
  return out;
}

// Every op of the runtime in one graph: Conv(+fused Relu), MaxPool,
// AveragePool with padding, Add with a per-channel constant, Mul, standalone
// Clip and Relu, Reshape, Dense(+fused Relu), Dense, Softmax; optionally
// ArgMax at the end.
inline Graph all_ops_graph(unsigned seed, bool with_argmax) {
  std::mt19937 rng(seed);
  Graph g;
  g.input = add_tensor(g, "x", {1, 2, 8, 8});
  int w1 = add_tensor(g, "w1", {5, 2, 3, 3}, rand_vec(rng, 5 * 2 * 9, -0.5f, 0.5f));
  int b1 = add_tensor(g, "b1", {5}, rand_vec(rng, 5, -0.2f, 0.2f));
  int c1 = node(g, OpKind::Conv, {g.input, w1, b1}, {1, 5, 8, 8}, "conv1");
  g.nodes.back().kernel = {3, 3};
  g.nodes.back().strides = {1, 1};
  g.nodes.back().pads = {1, 1, 1, 1};
  int r1 = node(g, OpKind::Relu, {c1}, {1, 5, 8, 8}, "relu1");
  int p1 = node(g, OpKind::MaxPool, {r1}, {1, 5, 4, 4}, "pool1");
  g.nodes.back().kernel = {2, 2};
  g.nodes.back().strides = {2, 2};
  int a1 = node(g, OpKind::AveragePool, {p1}, {1, 5, 4, 4}, "avg1");
  g.nodes.back().kernel = {3, 3};
  g.nodes.back().strides = {1, 1};
  g.nodes.back().pads = {1, 1, 1, 1};
  g.nodes.back().count_include_pad = (seed % 2) == 0;
  int cb = add_tensor(g, "chan_bias", {1, 5, 1, 1}, rand_vec(rng, 5, -0.3f, 0.3f));
  int ad = node(g, OpKind::Add, {a1, cb}, {1, 5, 4, 4}, "add1");
  int mu = node(g, OpKind::Mul, {ad, p1}, {1, 5, 4, 4}, "mul1");
  int cl = node(g, OpKind::Clip, {mu}, {1, 5, 4, 4}, "clip1");
  g.nodes.back().clip_min = -0.05f;
  g.nodes.back().clip_max = 0.4f;
  int rl = node(g, OpKind::Relu, {cl}, {1, 5, 4, 4}, "relu2");
  int fl = node(g, OpKind::Reshape, {rl}, {1, 80}, "flatten");
  int w2 = add_tensor(g, "w2", {13, 80}, rand_vec(rng, 13 * 80, -0.3f, 0.3f));
  int b2 = add_tensor(g, "b2", {13}, rand_vec(rng, 13, -0.1f, 0.1f));
  int d1 = node(g, OpKind::Dense, {fl, w2, b2}, {1, 13}, "dense1");
  int r3 = node(g, OpKind::Relu, {d1}, {1, 13}, "relu3");
  int w3 = add_tensor(g, "w3", {10, 13}, rand_vec(rng, 130, -0.8f, 0.8f));
  int d2 = node(g, OpKind::Dense, {r3, w3}, {1, 10}, "dense2");
  int sm = node(g, OpKind::Softmax, {d2}, {1, 10}, "softmax");
  g.output = sm;
  if (with_argmax) g.output = node(g, OpKind::ArgMax, {sm}, {1}, "argmax");
  return g;
}

// The element-wise functions one after another (each a LUT8 node in the
// model file): Conv, then LeakyRelu, Elu, HardSwish, Tanh, HardSigmoid,
// Sigmoid; then a channel Concat of three of them (two Concat nodes in the
// file, inputs at other scales than the output), Reshape and Dense. Ranges
// of every sign reach each table.
inline Graph activations_graph(unsigned seed) {
  std::mt19937 rng(seed);
  Graph g;
  g.input = add_tensor(g, "x", {1, 2, 6, 6});
  int w1 = add_tensor(g, "w1", {4, 2, 3, 3}, rand_vec(rng, 4 * 2 * 9, -0.8f, 0.8f));
  int b1 = add_tensor(g, "b1", {4}, rand_vec(rng, 4, -0.2f, 0.2f));
  int t = node(g, OpKind::Conv, {g.input, w1, b1}, {1, 4, 6, 6}, "conv1");
  g.nodes.back().kernel = {3, 3};
  g.nodes.back().strides = {1, 1};
  g.nodes.back().pads = {1, 1, 1, 1};
  struct F {
    OpKind op;
    float alpha, beta;
    const char* name;
  };
  std::vector<int> outs;
  for (F f : {F{OpKind::LeakyRelu, 0.1f, 0, "leaky"}, F{OpKind::Elu, 0.7f, 0, "elu"}, F{OpKind::HardSwish, 0, 0, "hswish"},
              F{OpKind::Tanh, 0, 0, "tanh"}, F{OpKind::HardSigmoid, 0.3f, 0.4f, "hsigmoid"},
              F{OpKind::Sigmoid, 0, 0, "sigmoid"}}) {
    t = node(g, f.op, {t}, {1, 4, 6, 6}, f.name);
    g.nodes.back().alpha = f.alpha;
    g.nodes.back().beta = f.beta;
    outs.push_back(t);
  }
  int cat = node(g, OpKind::Concat, {t, outs[3], outs[0]}, {1, 12, 6, 6}, "concat");  // sigmoid, tanh, leaky
  g.nodes.back().axis = 1;
  int fl = node(g, OpKind::Reshape, {cat}, {1, 432}, "flatten");
  int w2 = add_tensor(g, "w2", {7, 432}, rand_vec(rng, 7 * 432, -0.2f, 0.2f));
  g.output = node(g, OpKind::Dense, {fl, w2}, {1, 7}, "dense");
  return g;
}

// Grouped convolutions as MobileNet-style blocks use them: a 1x1 Conv
// 3 -> 6, a depthwise 3x3 Conv (group 6, stride 2, padded) with a fused
// Relu, a grouped 3x3 Conv (group 2, 6 -> 10: 3 inputs and 5 outputs per
// group, so groups straddle the 4-row weight blocks), a depthwise Conv with
// channel multiplier 2 (group 10, 10 -> 20), then Reshape and Dense.
inline Graph grouped_graph(unsigned seed) {
  std::mt19937 rng(seed);
  Graph g;
  g.input = add_tensor(g, "x", {1, 3, 9, 9});
  auto conv = [&](int in, int C, int M, int group, int k, int stride, int pad, int64_t oh, const char* name) {
    int w = add_tensor(g, std::string(name) + "_w", {M, C / group, k, k},
                       rand_vec(rng, size_t(M) * (C / group) * k * k, -0.6f, 0.6f));
    int b = add_tensor(g, std::string(name) + "_b", {M}, rand_vec(rng, size_t(M), -0.2f, 0.2f));
    int out = node(g, OpKind::Conv, {in, w, b}, {1, M, oh, oh}, name);
    Node& n = g.nodes.back();
    n.kernel = {k, k};
    n.strides = {stride, stride};
    n.pads = {pad, pad, pad, pad};
    n.group = group;
    return out;
  };
  int t = conv(g.input, 3, 6, 1, 1, 1, 0, 9, "pointwise");
  t = conv(t, 6, 6, 6, 3, 2, 1, 5, "depthwise");
  t = node(g, OpKind::Relu, {t}, {1, 6, 5, 5}, "relu");
  t = conv(t, 6, 10, 2, 3, 1, 1, 5, "grouped");
  t = conv(t, 10, 20, 10, 3, 1, 0, 3, "depthwise_x2");
  int fl = node(g, OpKind::Reshape, {t}, {1, 180}, "flatten");
  int w = add_tensor(g, "fc_w", {7, 180}, rand_vec(rng, 7 * 180, -0.2f, 0.2f));
  g.output = node(g, OpKind::Dense, {fl, w}, {1, 7}, "fc");
  return g;
}

// Dilated windows and ceil_mode pools: Conv 3x3 with dilation 2 (+Relu),
// a depthwise Conv with dilations 2x1, MaxPool 2x2 with dilation 2, an
// AveragePool 3x3 / 2 with pads, count_include_pad and ceil_mode's extra
// row and column (its last windows reach past the pads), a ceil_mode
// MaxPool, then Reshape and Dense.
inline Graph windows_graph(unsigned seed) {
  std::mt19937 rng(seed);
  Graph g;
  g.input = add_tensor(g, "x", {1, 2, 8, 8});
  auto window = [&](Node& n, std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> p,
                    std::vector<int64_t> d) {
    n.kernel = std::move(k);
    n.strides = std::move(s);
    n.pads = std::move(p);
    n.dilations = std::move(d);
  };
  int w1 = add_tensor(g, "w1", {4, 2, 3, 3}, rand_vec(rng, 72, -0.5f, 0.5f));
  int b1 = add_tensor(g, "b1", {4}, rand_vec(rng, 4, -0.2f, 0.2f));
  int t = node(g, OpKind::Conv, {g.input, w1, b1}, {1, 4, 8, 8}, "dilated");
  window(g.nodes.back(), {3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2});
  t = node(g, OpKind::Relu, {t}, {1, 4, 8, 8}, "relu");
  int w2 = add_tensor(g, "w2", {4, 1, 3, 3}, rand_vec(rng, 36, -0.8f, 0.8f));
  t = node(g, OpKind::Conv, {t, w2}, {1, 4, 8, 8}, "depthwise_dilated");
  window(g.nodes.back(), {3, 3}, {1, 1}, {2, 1, 2, 1}, {2, 1});
  g.nodes.back().group = 4;
  t = node(g, OpKind::MaxPool, {t}, {1, 4, 6, 6}, "maxpool_dilated");
  window(g.nodes.back(), {2, 2}, {1, 1}, {0, 0, 0, 0}, {2, 2});
  t = node(g, OpKind::AveragePool, {t}, {1, 4, 4, 4}, "avgpool_ceil");
  window(g.nodes.back(), {3, 3}, {2, 2}, {1, 1, 1, 1}, {});
  g.nodes.back().count_include_pad = true;
  t = node(g, OpKind::MaxPool, {t}, {1, 4, 2, 2}, "maxpool_ceil");
  window(g.nodes.back(), {3, 3}, {2, 2}, {0, 0, 0, 0}, {});
  int fl = node(g, OpKind::Reshape, {t}, {1, 16}, "flatten");
  int w3 = add_tensor(g, "w3", {5, 16}, rand_vec(rng, 80, -0.5f, 0.5f));
  g.output = node(g, OpKind::Dense, {fl, w3}, {1, 5}, "fc");
  return g;
}

// Split as the importer writes it (one Slice per output): a Conv's 6
// channels split 2 + 4, the first part through Sigmoid, joined again in
// the other order, then the last axis cut to columns 1..4, Reshape and
// Dense.
inline Graph split_graph(unsigned seed) {
  std::mt19937 rng(seed);
  Graph g;
  g.input = add_tensor(g, "x", {1, 2, 6, 6});
  int w = add_tensor(g, "w", {6, 2, 3, 3}, rand_vec(rng, 108, -0.6f, 0.6f));
  int t = node(g, OpKind::Conv, {g.input, w}, {1, 6, 6, 6}, "conv");
  g.nodes.back().kernel = {3, 3};
  g.nodes.back().strides = {1, 1};
  g.nodes.back().pads = {1, 1, 1, 1};
  auto slice = [&](int in, std::vector<int64_t> shape, int64_t axis, int64_t start, const char* name) {
    int out = node(g, OpKind::Slice, {in}, std::move(shape), name);
    g.nodes.back().axis = axis;
    g.nodes.back().start = start;
    return out;
  };
  int a = slice(t, {1, 2, 6, 6}, 1, 0, "split:0");
  int b = slice(t, {1, 4, 6, 6}, 1, 2, "split:1");
  a = node(g, OpKind::Sigmoid, {a}, {1, 2, 6, 6}, "sigmoid");
  int c = node(g, OpKind::Concat, {b, a}, {1, 6, 6, 6}, "concat");
  g.nodes.back().axis = 1;
  int d = slice(c, {1, 6, 6, 4}, 3, 1, "columns");
  int fl = node(g, OpKind::Reshape, {d}, {1, 144}, "flatten");
  int w2 = add_tensor(g, "w2", {5, 144}, rand_vec(rng, 720, -0.2f, 0.2f));
  g.output = node(g, OpKind::Dense, {fl, w2}, {1, 5}, "fc");
  return g;
}

// A small MLP like examples/models/fashion_mlp (smaller widths).
inline Graph mlp_graph(unsigned seed, int K, int H, int O) {
  std::mt19937 rng(seed);
  Graph g;
  g.input = add_tensor(g, "x", {1, K});
  int w1 = add_tensor(g, "w1", {H, K}, rand_vec(rng, size_t(H) * K, -0.2f, 0.2f));
  int b1 = add_tensor(g, "b1", {H}, rand_vec(rng, H, -0.1f, 0.1f));
  int d1 = node(g, OpKind::Dense, {g.input, w1, b1}, {1, H}, "fc1");
  int r1 = node(g, OpKind::Relu, {d1}, {1, H}, "relu1");
  int w2 = add_tensor(g, "w2", {O, H}, rand_vec(rng, size_t(O) * H, -0.3f, 0.3f));
  int b2 = add_tensor(g, "b2", {O}, rand_vec(rng, O, -0.1f, 0.1f));
  g.output = node(g, OpKind::Dense, {r1, w2, b2}, {1, O}, "fc2");
  return g;
}

// The transformer ops in one graph, as a tiny vision transformer uses them:
// patches of an 8x8 image by a rank-6 Reshape/Transpose, a Dense over the
// tokens, LayerNorm, q/k/v Denses, head split (Reshape + Transpose), q k^T
// (MatMul of two activations), Softmax, attention x v, heads merged, a
// residual Add, GELU (Erf and tanh forms) and the class token (Slice).
// Per-axis int8 parameters (Requantize nodes): x [1,4,3,3] per axis 1 ->
// one scale -> per axis 3 -> per axis 3 with other parameters (the output).
// Random scales (ratios not powers of two) and zero points; every tensor's
// parameters are given, so no calibration.
inline Graph per_axis_graph(unsigned seed) {
  std::mt19937 rng(seed);
  auto axis_quant = [&](int64_t axis, size_t n) {
    AxisQuant a;
    a.axis = axis;
    for (size_t c = 0; c < n; ++c) {
      a.scale.push_back(std::uniform_real_distribution<float>(0.01f, 0.2f)(rng));
      a.zero_point.push_back(std::uniform_int_distribution<int32_t>(-100, 100)(rng));
    }
    return a;
  };
  Graph g;
  g.input = add_tensor(g, "x", {1, 4, 3, 3});
  g.tensors[static_cast<size_t>(g.input)].axis_quant = axis_quant(1, 4);
  const int a = node(g, OpKind::Requantize, {g.input}, {1, 4, 3, 3}, "one_scale");
  g.tensors[static_cast<size_t>(a)].quant = QuantParams{0.1f, 3};
  const int b = node(g, OpKind::Requantize, {a}, {1, 4, 3, 3}, "per_w");
  g.tensors[static_cast<size_t>(b)].axis_quant = axis_quant(3, 3);
  g.output = node(g, OpKind::Requantize, {b}, {1, 4, 3, 3}, "per_w_again");
  g.tensors[static_cast<size_t>(g.output)].axis_quant = axis_quant(3, 3);
  return g;
}

inline Graph transformer_graph(unsigned seed) {
  std::mt19937 rng(seed);
  Graph g;
  g.input = add_tensor(g, "x", {1, 1, 8, 8});
  auto transpose = [&](int in, std::vector<int64_t> shape, std::vector<int64_t> perm, const char* name) {
    int out = node(g, OpKind::Transpose, {in}, std::move(shape), name);
    g.nodes.back().perm = std::move(perm);
    return out;
  };
  auto dense = [&](int in, int64_t K, int64_t M, const char* name) {
    int w = add_tensor(g, std::string(name) + ".w", {M, K}, rand_vec(rng, size_t(M * K), -0.5f, 0.5f));
    int b = add_tensor(g, std::string(name) + ".b", {M}, rand_vec(rng, size_t(M), -0.2f, 0.2f));
    return node(g, OpKind::Dense, {in, w, b}, {1, 4, M}, name);
  };
  int p6 = node(g, OpKind::Reshape, {g.input}, {1, 1, 2, 4, 2, 4}, "patches6");
  int pt = transpose(p6, {1, 2, 2, 1, 4, 4}, {0, 2, 4, 1, 3, 5}, "patches_t");
  int tok = node(g, OpKind::Reshape, {pt}, {1, 4, 16}, "tokens");
  int emb = dense(tok, 16, 12, "embed");
  int gam = add_tensor(g, "ln.gamma", {12}, rand_vec(rng, 12, 0.5f, 1.5f));
  int bet = add_tensor(g, "ln.beta", {12}, rand_vec(rng, 12, -0.3f, 0.3f));
  int ln = node(g, OpKind::LayerNorm, {emb, gam, bet}, {1, 4, 12}, "ln");
  g.nodes.back().alpha = 1e-5f;
  int q = dense(ln, 12, 12, "q"), k = dense(ln, 12, 12, "k"), v = dense(ln, 12, 12, "v");
  q = transpose(node(g, OpKind::Reshape, {q}, {1, 4, 3, 4}, "q4"), {1, 3, 4, 4}, {0, 2, 1, 3}, "qh");
  k = transpose(node(g, OpKind::Reshape, {k}, {1, 4, 3, 4}, "k4"), {1, 3, 4, 4}, {0, 2, 3, 1}, "kh");
  v = transpose(node(g, OpKind::Reshape, {v}, {1, 4, 3, 4}, "v4"), {1, 3, 4, 4}, {0, 2, 1, 3}, "vh");
  int sc = node(g, OpKind::MatMul, {q, k}, {1, 3, 4, 4}, "scores");
  g.nodes.back().scale = 0.5f;  // 1 / sqrt(head width)
  int sm = node(g, OpKind::Softmax, {sc}, {1, 3, 4, 4}, "softmax");
  int av = node(g, OpKind::MatMul, {sm, v}, {1, 3, 4, 4}, "attend");
  int mg = node(g, OpKind::Reshape, {transpose(av, {1, 4, 3, 4}, {0, 2, 1, 3}, "merge_t")}, {1, 4, 12}, "merge");
  int res = node(g, OpKind::Add, {emb, mg}, {1, 4, 12}, "residual");
  int ge = node(g, OpKind::Gelu, {res}, {1, 4, 12}, "gelu_erf");
  int gt = node(g, OpKind::Gelu, {ge}, {1, 4, 12}, "gelu_tanh");
  g.nodes.back().alpha = 1.0f;
  int cls = node(g, OpKind::Slice, {gt}, {1, 1, 12}, "cls");
  g.nodes.back().axis = 1;
  int flat = node(g, OpKind::Reshape, {cls}, {1, 12}, "cls_flat");
  int wh = add_tensor(g, "head.w", {5, 12}, rand_vec(rng, 60, -0.5f, 0.5f));
  g.output = node(g, OpKind::Dense, {flat, wh}, {1, 5}, "head");
  return g;
}

inline int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// Float evaluation of every tensor (constants keep their data).
inline std::vector<std::vector<float>> eval_float(const Graph& g, const std::vector<float>& input) {
  std::vector<std::vector<float>> v(g.tensors.size());
  for (size_t i = 0; i < g.tensors.size(); ++i) v[i] = g.tensors[i].data;
  v[g.input] = input;
  for (const Node& n : g.nodes) {
    const auto& x = v[n.inputs[0]];
    const auto& xs = g.tensors[n.inputs[0]].shape;
    const auto& ys = g.tensors[n.outputs[0]].shape;
    std::vector<float> y(static_cast<size_t>(numel(ys)), 0.0f);
    auto pad = [&](size_t k) { return n.pads.empty() ? 0 : n.pads[k]; };
    auto stride = [&](size_t k) { return n.strides.empty() ? 1 : n.strides[k]; };
    auto dil = [&](size_t k) { return n.dilations.empty() ? 1 : n.dilations[k]; };
    switch (n.op) {
      case OpKind::Dense: {  // one row of K per leading index
        const auto& W = v[n.inputs[1]];
        int64_t M = g.tensors[n.inputs[1]].shape[0], K = g.tensors[n.inputs[1]].shape[1];
        for (int64_t r = 0; r < int64_t(x.size()) / K; ++r)
          for (int64_t m = 0; m < M; ++m) {
            double s = n.inputs.size() > 2 ? v[n.inputs[2]][m] : 0.0;
            for (int64_t k = 0; k < K; ++k) s += double(x[r * K + k]) * W[m * K + k];
            y[r * M + m] = float(s);
          }
        break;
      }
      case OpKind::MatMul: {
        const auto& b = v[n.inputs[1]];
        const int64_t T = xs[xs.size() - 2], K = xs.back(), N = ys.back();
        for (int64_t bi = 0; bi < int64_t(x.size()) / (T * K); ++bi)
          for (int64_t t = 0; t < T; ++t)
            for (int64_t j = 0; j < N; ++j) {
              double s = 0;
              for (int64_t k = 0; k < K; ++k) s += double(x[(bi * T + t) * K + k]) * b[(bi * K + k) * N + j];
              y[(bi * T + t) * N + j] = float(s * n.scale);
            }
        break;
      }
      case OpKind::LayerNorm: {
        const size_t D = size_t(xs.back());
        for (size_t r = 0; r < x.size(); r += D) {
          double mean = 0, var = 0;
          for (size_t i = 0; i < D; ++i) mean += x[r + i];
          mean /= double(D);
          for (size_t i = 0; i < D; ++i) var += (x[r + i] - mean) * (x[r + i] - mean);
          var /= double(D);
          for (size_t i = 0; i < D; ++i)
            y[r + i] = float((x[r + i] - mean) / std::sqrt(var + n.alpha) * v[n.inputs[1]][i] + v[n.inputs[2]][i]);
        }
        break;
      }
      case OpKind::Transpose: {
        const size_t R = xs.size();
        std::vector<int64_t> st(R, 1), idx(R, 0);
        for (size_t d = R; d-- > 1;) st[d - 1] = st[d] * xs[d];
        for (size_t o = 0; o < y.size(); ++o) {
          int64_t src = 0;
          for (size_t j = 0; j < R; ++j) src += idx[j] * st[size_t(n.perm[j])];
          y[o] = x[size_t(src)];
          for (size_t j = R; j-- > 0;) {
            if (++idx[j] < ys[j]) break;
            idx[j] = 0;
          }
        }
        break;
      }
      case OpKind::Conv: {
        const auto& W = v[n.inputs[1]];
        const auto& ws = g.tensors[n.inputs[1]].shape;
        // Grouped: W is [M, C/group, kh, kw]; output m reads its group's channels.
        int64_t C = ws[1], H = xs[2], Wd = xs[3], M = ys[1], OH = ys[2], OW = ys[3], kh = ws[2], kw = ws[3];
        for (int64_t m = 0; m < M; ++m)
          for (int64_t oy = 0; oy < OH; ++oy)
            for (int64_t ox = 0; ox < OW; ++ox) {
              double s = n.inputs.size() > 2 ? v[n.inputs[2]][m] : 0.0;
              const int64_t c0 = m / (M / n.group) * C;
              for (int64_t c = 0; c < C; ++c)
                for (int64_t ky = 0; ky < kh; ++ky)
                  for (int64_t kx = 0; kx < kw; ++kx) {
                    int64_t iy = oy * stride(0) - pad(0) + ky * dil(0), ix = ox * stride(1) - pad(1) + kx * dil(1);
                    if (iy < 0 || iy >= H || ix < 0 || ix >= Wd) continue;
                    s += double(x[((c0 + c) * H + iy) * Wd + ix]) * W[((m * C + c) * kh + ky) * kw + kx];
                  }
              y[(m * OH + oy) * OW + ox] = float(s);
            }
        break;
      }
      case OpKind::Relu:
        for (size_t i = 0; i < y.size(); ++i) y[i] = std::max(x[i], 0.0f);
        break;
      case OpKind::Clip:
        for (size_t i = 0; i < y.size(); ++i) y[i] = std::clamp(x[i], n.clip_min, n.clip_max);
        break;
      case OpKind::MaxPool:
      case OpKind::AveragePool: {
        int64_t C = xs[1], H = xs[2], Wd = xs[3], OH = ys[2], OW = ys[3];
        for (int64_t c = 0; c < C; ++c)
          for (int64_t oy = 0; oy < OH; ++oy)
            for (int64_t ox = 0; ox < OW; ++ox) {
              double best = -std::numeric_limits<double>::infinity(), sum = 0;
              int cnt = 0;
              for (int64_t ky = 0; ky < n.kernel[0]; ++ky)
                for (int64_t kx = 0; kx < n.kernel[1]; ++kx) {
                  int64_t iy = oy * stride(0) - pad(0) + ky * dil(0), ix = ox * stride(1) - pad(1) + kx * dil(1);
                  if (iy < 0 || iy >= H || ix < 0 || ix >= Wd) {
                    // Pads count; a ceil_mode window's positions past them do not.
                    if (n.count_include_pad && iy < H + pad(2) && ix < Wd + pad(3)) ++cnt;
                    continue;
                  }
                  double val = x[(c * H + iy) * Wd + ix];
                  best = std::max(best, val);
                  sum += val;
                  ++cnt;
                }
              y[(c * OH + oy) * OW + ox] = float(n.op == OpKind::MaxPool ? best : sum / cnt);
            }
        break;
      }
      case OpKind::Add:
      case OpKind::Mul: {
        const auto& b = v[n.inputs[1]];
        int64_t inner = xs.size() == 4 ? xs[2] * xs[3] : 1;
        for (size_t i = 0; i < y.size(); ++i) {
          float bv = b.size() == y.size() ? b[i] : (b.size() == 1 ? b[0] : b[(int64_t(i) / inner) % b.size()]);
          y[i] = n.op == OpKind::Add ? x[i] + bv : x[i] * bv;
        }
        break;
      }
      case OpKind::Reshape: y = x; break;
      case OpKind::Softmax: {  // over the last axis
        const size_t N = size_t(xs.back());
        for (size_t r = 0; r < x.size(); r += N) {
          float mx = *std::max_element(x.begin() + long(r), x.begin() + long(r + N));
          double s = 0;
          for (size_t i = 0; i < N; ++i) s += std::exp(double(x[r + i] - mx));
          for (size_t i = 0; i < N; ++i) y[r + i] = float(std::exp(double(x[r + i] - mx)) / s);
        }
        break;
      }
      case OpKind::ArgMax:
        y = {float(std::max_element(x.begin(), x.end()) - x.begin())};
        break;
      case OpKind::Slice: {
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < n.axis; ++d) outer *= xs[d];
        for (size_t d = size_t(n.axis) + 1; d < xs.size(); ++d) inner *= xs[d];
        const int64_t nx = xs[n.axis] * inner, ny = ys[n.axis] * inner;
        y.clear();
        for (int64_t o = 0; o < outer; ++o)
          y.insert(y.end(), x.begin() + o * nx + n.start * inner, x.begin() + o * nx + n.start * inner + ny);
        break;
      }
      case OpKind::Concat: {
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < n.axis; ++d) outer *= ys[d];
        for (size_t d = size_t(n.axis) + 1; d < ys.size(); ++d) inner *= ys[d];
        y.clear();
        for (int64_t o = 0; o < outer; ++o)
          for (int t : n.inputs) {
            int64_t blk = g.tensors[t].shape[n.axis] * inner;
            y.insert(y.end(), v[t].begin() + o * blk, v[t].begin() + (o + 1) * blk);
          }
        break;
      }
      default:  // element-wise functions
        for (size_t i = 0; i < y.size(); ++i) y[i] = float(pointwise_value(n, x[i]));
        break;
    }
    v[n.outputs[0]] = y;
  }
  return v;
}

inline std::vector<Range> calibrate(const Graph& g, const std::vector<std::vector<float>>& inputs) {
  std::vector<Range> r(g.tensors.size(), Range{std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()});
  for (const auto& in : inputs) {
    auto v = eval_float(g, in);
    for (size_t t = 0; t < v.size(); ++t)
      for (float x : v[t]) {
        r[t].min = std::min(r[t].min, x);
        r[t].max = std::max(r[t].max, x);
      }
  }
  for (auto& x : r)
    if (x.min > x.max) x = Range{0, 0};
  return r;
}

}  // namespace zkvm::ml::testing
