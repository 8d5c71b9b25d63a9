// Float reference: direct float32 semantics of each graph op (graph.h), with
// Eigen for the two products (Dense as W x + b, Conv as W * im2col(x) + b).
#include "zkvm_model/reference.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "zkvm_model/onnx_import.h"

namespace zkvm::model {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

[[noreturn]] void bad(const ml::Node& n, const std::string& msg) {
  throw std::runtime_error(std::string("float reference: node '") + n.name + "' (" + kind_name(n.op) + "): " + msg);
}

void conv(const ml::Node& n, const std::vector<int64_t>& xs, const float* x, const ml::Tensor& w,
          const ml::Tensor& b, const std::vector<int64_t>& ys, float* y) {
  const int64_t h = xs[2], wd = xs[3];
  const int64_t m = ys[1], oh = ys[2], ow = ys[3];
  const int64_t kh = n.kernel[0], kw = n.kernel[1], sh = n.strides[0], sw = n.strides[1];
  const int64_t pt = n.pads[0], pl = n.pads[1];
  const int64_t dh = n.dilations.empty() ? 1 : n.dilations[0], dw = n.dilations.empty() ? 1 : n.dilations[1];
  const int64_t groups = n.group, c = xs[1] / groups, mg = m / groups;  // per group
  if (groups < 1 || xs[1] % groups != 0 || m % groups != 0) bad(n, "group does not divide the channels");
  const int64_t kk = c * kh * kw;
  if (static_cast<int64_t>(w.data.size()) != m * kk) bad(n, "weight size does not match the group");
  Eigen::Map<const RowMat> wm(w.data.data(), m, kk);
  Eigen::Map<RowMat> ym(y, m, oh * ow);
  RowMat cols(kk, oh * ow);
  for (int64_t g = 0; g < groups; ++g) {
    cols.setZero();
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j) {
          const int64_t row = (ci * kh + i) * kw + j;
          const float* xc = x + (g * c + ci) * h * wd;
          for (int64_t oy = 0; oy < oh; ++oy) {
            const int64_t iy = oy * sh + i * dh - pt;
            if (iy < 0 || iy >= h) continue;  // zero padding
            for (int64_t ox = 0; ox < ow; ++ox) {
              const int64_t ix = ox * sw + j * dw - pl;
              if (ix >= 0 && ix < wd) cols(row, oy * ow + ox) = xc[iy * wd + ix];
            }
          }
        }
    ym.middleRows(g * mg, mg).noalias() = wm.middleRows(g * mg, mg) * cols;
  }
  for (int64_t o = 0; o < m; ++o) ym.row(o).array() += b.data[o];
}

void pool(const ml::Node& n, const std::vector<int64_t>& xs, const float* x, const std::vector<int64_t>& ys,
          float* y) {
  const bool is_max = n.op == ml::OpKind::MaxPool;
  const int64_t c = xs[1], h = xs[2], wd = xs[3], oh = ys[2], ow = ys[3];
  const int64_t kh = n.kernel[0], kw = n.kernel[1], sh = n.strides[0], sw = n.strides[1];
  const int64_t dh = n.dilations.empty() ? 1 : n.dilations[0], dw = n.dilations.empty() ? 1 : n.dilations[1];
  // count_include_pad counts the positions in the pads; a ceil_mode window
  // may reach past them, and those positions never count.
  const int64_t hc = h + n.pads[2], wc = wd + n.pads[3];
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        float acc = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
        int64_t valid = 0, counted = 0;
        for (int64_t i = 0; i < kh; ++i) {
          const int64_t iy = oy * sh + i * dh - n.pads[0];
          for (int64_t j = 0; j < kw; ++j) {
            const int64_t ix = ox * sw + j * dw - n.pads[1];
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {  // padding: -inf for max, 0 or excluded for average
              if (iy < hc && ix < wc) ++counted;
              continue;
            }
            const float v = x[(ci * h + iy) * wd + ix];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++valid;
            ++counted;
          }
        }
        if (!is_max) acc /= static_cast<float>(n.count_include_pad ? counted : valid);
        y[(ci * oh + oy) * ow + ox] = acc;
      }
}

}  // namespace

std::vector<std::vector<float>> run_reference_all(const ml::Graph& g, std::span<const float> input) {
  if (g.input < 0 || g.output < 0 || g.input >= static_cast<int>(g.tensors.size()) ||
      g.output >= static_cast<int>(g.tensors.size()))
    throw std::runtime_error("float reference: graph has no valid input/output");
  std::vector<std::vector<float>> v(g.tensors.size());
  std::vector<bool> ready(g.tensors.size(), false);
  for (size_t t = 0; t < g.tensors.size(); ++t)
    if (g.tensors[t].is_constant()) {
      v[t] = g.tensors[t].data;
      ready[t] = true;
    }
  const auto& in_t = g.tensors[g.input];
  if (input.size() != elem_count(in_t.shape))
    throw std::runtime_error("float reference: input has " + std::to_string(input.size()) + " values, '" +
                             in_t.name + "' " + shape_str(in_t.shape) + " needs " +
                             std::to_string(elem_count(in_t.shape)));
  v[g.input].assign(input.begin(), input.end());
  ready[g.input] = true;

  for (const auto& n : g.nodes) {
    if (n.outputs.size() != 1 || n.inputs.empty()) bad(n, "malformed node");
    for (int t : n.inputs)
      if (t < 0 || t >= static_cast<int>(g.tensors.size()) || !ready[t]) bad(n, "input is not computed yet");
    const int ot = n.outputs[0];
    const auto& os = g.tensors[ot].shape;
    const auto& x = v[n.inputs[0]];
    const auto& xs = g.tensors[n.inputs[0]].shape;
    std::vector<float> y(elem_count(os));
    switch (n.op) {
      case ml::OpKind::Dense: {
        const auto& w = g.tensors[n.inputs[1]];
        const int64_t m = w.shape[0], k = w.shape[1];
        // x[..., K]: one row per leading index
        const int64_t rows = k > 0 ? static_cast<int64_t>(x.size()) / k : 0;
        if (rows < 1 || rows * k != static_cast<int64_t>(x.size()) || static_cast<int64_t>(y.size()) != rows * m)
          bad(n, "shape mismatch");
        Eigen::Map<const RowMat> wm(w.data.data(), m, k);
        Eigen::Map<const RowMat> xm(x.data(), rows, k);
        Eigen::Map<const Eigen::RowVectorXf> bv(v[n.inputs[2]].data(), m);
        Eigen::Map<RowMat> ym(y.data(), rows, m);
        ym.noalias() = xm * wm.transpose();
        ym.rowwise() += bv;
        break;
      }
      case ml::OpKind::MatMul: {
        const auto& bs = g.tensors[n.inputs[1]].shape;
        const auto& b = v[n.inputs[1]];
        if (xs.size() < 2 || bs.size() < 2) bad(n, "inputs need two dimensions");
        const int64_t t = xs[xs.size() - 2], k = xs.back(), nn = bs.back();
        const int64_t batch = static_cast<int64_t>(x.size()) / (t * k);
        if (bs[bs.size() - 2] != k || static_cast<int64_t>(b.size()) != batch * k * nn ||
            static_cast<int64_t>(y.size()) != batch * t * nn)
          bad(n, "shapes do not multiply");
        for (int64_t bi = 0; bi < batch; ++bi) {
          Eigen::Map<const RowMat> am(x.data() + bi * t * k, t, k);
          Eigen::Map<const RowMat> bm(b.data() + bi * k * nn, k, nn);
          Eigen::Map<RowMat> ym(y.data() + bi * t * nn, t, nn);
          ym.noalias() = am * bm;
          if (n.scale != 1.0f) ym *= n.scale;
        }
        break;
      }
      case ml::OpKind::LayerNorm: {
        const size_t d = static_cast<size_t>(xs.back());
        auto param = [&](size_t k, float dflt, size_t i) {
          if (k >= n.inputs.size()) return dflt;
          const auto& p = v[n.inputs[k]];
          return p.size() == 1 ? p[0] : p[i];
        };
        for (size_t r = 0; r < y.size(); r += d) {
          double mean = 0, var = 0;
          for (size_t i = 0; i < d; ++i) mean += x[r + i];
          mean /= static_cast<double>(d);
          for (size_t i = 0; i < d; ++i) var += (x[r + i] - mean) * (x[r + i] - mean);
          var /= static_cast<double>(d);
          const double inv = 1.0 / std::sqrt(var + static_cast<double>(n.alpha));
          for (size_t i = 0; i < d; ++i)
            y[r + i] = static_cast<float>((x[r + i] - mean) * inv * param(1, 1.0f, i) + param(2, 0.0f, i));
        }
        break;
      }
      case ml::OpKind::Transpose: {
        const size_t rank = xs.size();
        if (n.perm.size() != rank) bad(n, "perm does not match the rank");
        std::vector<int64_t> stride(rank, 1), idx(rank, 0);
        for (size_t d = rank; d-- > 1;) stride[d - 1] = stride[d] * xs[d];
        for (size_t o = 0; o < y.size(); ++o) {
          int64_t src = 0;
          for (size_t j = 0; j < rank; ++j) src += idx[j] * stride[static_cast<size_t>(n.perm[j])];
          y[o] = x[static_cast<size_t>(src)];
          for (size_t j = rank; j-- > 0;) {  // next output index (os = xs permuted)
            if (++idx[j] < xs[static_cast<size_t>(n.perm[j])]) break;
            idx[j] = 0;
          }
        }
        break;
      }
      case ml::OpKind::Conv:
        conv(n, xs, x.data(), g.tensors[n.inputs[1]], g.tensors[n.inputs[2]], os, y.data());
        break;
      case ml::OpKind::Relu:
        for (size_t i = 0; i < y.size(); ++i) y[i] = std::max(x[i], 0.0f);
        break;
      case ml::OpKind::Clip:
        for (size_t i = 0; i < y.size(); ++i) y[i] = std::min(std::max(x[i], n.clip_min), n.clip_max);
        break;
      case ml::OpKind::MaxPool:
      case ml::OpKind::AveragePool:
        pool(n, xs, x.data(), os, y.data());
        break;
      case ml::OpKind::Add:
      case ml::OpKind::Mul: {
        const auto& b = v[n.inputs[1]];
        const bool add = n.op == ml::OpKind::Add;
        if (b.size() == y.size()) {
          for (size_t i = 0; i < y.size(); ++i) y[i] = add ? x[i] + b[i] : x[i] * b[i];
        } else if (xs.size() >= 2 && static_cast<int64_t>(b.size()) == xs[1]) {  // per channel
          const size_t inner = y.size() / static_cast<size_t>(xs[0] * xs[1]);
          for (size_t i = 0; i < y.size(); ++i) {
            const float bb = b[(i / inner) % static_cast<size_t>(xs[1])];
            y[i] = add ? x[i] + bb : x[i] * bb;
          }
        } else {
          bad(n, "second operand has " + std::to_string(b.size()) + " values");
        }
        break;
      }
      case ml::OpKind::Reshape:
      case ml::OpKind::Requantize:  // a change of int8 parameters only: the float value stays
        if (x.size() != y.size()) bad(n, "element count changes");
        y = x;
        break;
      case ml::OpKind::Softmax: {
        const size_t last = static_cast<size_t>(xs.back());
        for (size_t r = 0; r < y.size(); r += last) {
          float mx = -std::numeric_limits<float>::infinity();
          for (size_t i = 0; i < last; ++i) mx = std::max(mx, x[r + i]);
          double sum = 0;
          for (size_t i = 0; i < last; ++i) sum += (y[r + i] = std::exp(x[r + i] - mx));
          for (size_t i = 0; i < last; ++i) y[r + i] = static_cast<float>(y[r + i] / sum);
        }
        break;
      }
      case ml::OpKind::Sigmoid:
      case ml::OpKind::Tanh:
      case ml::OpKind::LeakyRelu:
      case ml::OpKind::HardSigmoid:
      case ml::OpKind::HardSwish:
      case ml::OpKind::Elu:
      case ml::OpKind::Gelu:
        if (x.size() != y.size()) bad(n, "element count changes");
        for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<float>(ml::pointwise_value(n, x[i]));
        break;
      case ml::OpKind::Concat: {
        if (n.axis < 0 || n.axis >= static_cast<int64_t>(os.size())) bad(n, "axis out of range");
        size_t outer = 1, inner = 1;
        for (int64_t d = 0; d < n.axis; ++d) outer *= static_cast<size_t>(os[d]);
        for (size_t d = static_cast<size_t>(n.axis) + 1; d < os.size(); ++d) inner *= static_cast<size_t>(os[d]);
        size_t at = 0, total = 0;
        for (int t : n.inputs) total += v[t].size();
        if (total != y.size()) bad(n, "input sizes do not add up to the output");
        for (size_t o = 0; o < outer; ++o)
          for (int t : n.inputs) {
            const size_t blk = static_cast<size_t>(g.tensors[t].shape[n.axis]) * inner;
            std::copy_n(v[t].begin() + static_cast<std::ptrdiff_t>(o * blk), blk, y.begin() + static_cast<std::ptrdiff_t>(at));
            at += blk;
          }
        break;
      }
      case ml::OpKind::Slice: {
        if (n.axis < 0 || n.axis >= static_cast<int64_t>(xs.size())) bad(n, "axis out of range");
        size_t outer = 1, inner = 1;
        for (int64_t d = 0; d < n.axis; ++d) outer *= static_cast<size_t>(xs[d]);
        for (size_t d = static_cast<size_t>(n.axis) + 1; d < xs.size(); ++d) inner *= static_cast<size_t>(xs[d]);
        const size_t nx = static_cast<size_t>(xs[n.axis]) * inner, ny = static_cast<size_t>(os[n.axis]) * inner;
        if (n.start < 0 || static_cast<size_t>(n.start) * inner + ny > nx) bad(n, "range outside the input");
        for (size_t o = 0; o < outer; ++o)
          std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(o * nx + static_cast<size_t>(n.start) * inner), ny,
                      y.begin() + static_cast<std::ptrdiff_t>(o * ny));
        break;
      }
      case ml::OpKind::ArgMax: {
        const size_t last = static_cast<size_t>(xs.back());
        for (size_t r = 0, o = 0; r < x.size(); r += last, ++o) {
          size_t best = 0;
          for (size_t i = 1; i < last; ++i)
            if (x[r + i] > x[r + best]) best = i;  // first maximum wins
          y[o] = static_cast<float>(best);
        }
        break;
      }
    }
    v[ot] = std::move(y);
    ready[ot] = true;
  }
  if (!ready[g.output]) throw std::runtime_error("float reference: the graph output is never computed");
  return v;
}

std::vector<float> run_reference(const ml::Graph& g, std::span<const float> input) {
  auto all = run_reference_all(g, input);
  return std::move(all[g.output]);
}

int argmax_of(const ml::Graph& g, const std::vector<float>& output) {
  if (!g.nodes.empty() && g.nodes.back().op == ml::OpKind::ArgMax && g.nodes.back().outputs[0] == g.output)
    return static_cast<int>(output.at(0));
  if (output.empty()) return -1;
  return static_cast<int>(std::max_element(output.begin(), output.end()) - output.begin());
}

}  // namespace zkvm::model
