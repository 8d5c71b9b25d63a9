// Quantizer: float Graph + calibration ranges -> zkml model file
// (docs/ML_RUNTIME.md, "Quantisation"). Float math happens only here, on the
// host; the file holds only the integers the kernels use.
#include "quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include "zkvm/ml/model.h"

namespace zkvm::ml {

const char* op_name(OpKind op) {
  switch (op) {
    case OpKind::Dense: return "Dense";
    case OpKind::Conv: return "Conv";
    case OpKind::Relu: return "Relu";
    case OpKind::Clip: return "Clip";
    case OpKind::MaxPool: return "MaxPool";
    case OpKind::AveragePool: return "AveragePool";
    case OpKind::Add: return "Add";
    case OpKind::Mul: return "Mul";
    case OpKind::Reshape: return "Reshape";
    case OpKind::Softmax: return "Softmax";
    case OpKind::ArgMax: return "ArgMax";
    case OpKind::Sigmoid: return "Sigmoid";
    case OpKind::Tanh: return "Tanh";
    case OpKind::LeakyRelu: return "LeakyRelu";
    case OpKind::HardSigmoid: return "HardSigmoid";
    case OpKind::HardSwish: return "HardSwish";
    case OpKind::Elu: return "Elu";
    case OpKind::Concat: return "Concat";
    case OpKind::Slice: return "Slice";
    case OpKind::MatMul: return "MatMul";
    case OpKind::LayerNorm: return "LayerNorm";
    case OpKind::Transpose: return "Transpose";
    case OpKind::Gelu: return "Gelu";
    case OpKind::Requantize: return "Requantize";
  }
  return "unknown";
}

namespace {

struct QParams {
  float scale = 1.0f;
  int32_t zp = 0;
};

[[noreturn]] void fail_node(const Node& n, const std::string& what) {
  throw std::runtime_error("quantize: node '" + n.name + "' (" + op_name(n.op) + "): " + what);
}

// Asymmetric int8 parameters covering [min(lo,0), max(hi,0)] (real 0 must be
// exact so that zero padding and ReLU are exact).
QParams act_params(float lo, float hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
    throw std::runtime_error("quantize: invalid range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  double a = std::min<double>(lo, 0.0), b = std::max<double>(hi, 0.0);
  if (b - a < 1e-8) b = a + 1e-8;
  QParams q;
  q.scale = static_cast<float>((b - a) / 255.0);
  double zp = std::round(-128.0 - a / static_cast<double>(q.scale));
  q.zp = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  return q;
}

int32_t quant_value(double x, const QParams& q) {
  double v = std::round(x / static_cast<double>(q.scale)) + q.zp;  // std::round: half away from zero
  return static_cast<int32_t>(std::clamp(v, -128.0, 127.0));
}

// M = mult * 2^-shift with mult in [2^30, 2^31) (or 0 for M ~ 0).
void quantize_multiplier(double M, const std::string& where, int32_t& mult, int32_t& shift) {
  if (!(M >= 0.0) || !std::isfinite(M)) throw std::runtime_error(where + ": invalid multiplier");
  if (M < std::ldexp(1.0, -(ZKML_SHIFT_MAX - 30))) {  // too small to matter at int8: output = zero point
    mult = 0;
    shift = ZKML_SHIFT_MAX;
    return;
  }
  int e = 0;
  double f = std::frexp(M, &e);  // M = f * 2^e, f in [0.5, 1)
  int64_t m = std::llround(f * 2147483648.0);
  if (m == (int64_t{1} << 31)) {
    m /= 2;
    ++e;
  }
  int s = 31 - e;
  if (s < ZKML_SHIFT_MIN || s > ZKML_SHIFT_MAX)
    throw std::runtime_error(where + ": multiplier " + std::to_string(M) + " outside the representable range");
  mult = static_cast<int32_t>(m);
  shift = s;
}

struct Writer {
  std::vector<uint8_t> blob;
  uint32_t align() {
    while (blob.size() % 4) blob.push_back(0);
    return static_cast<uint32_t>(blob.size());
  }
  uint32_t put_i8(const std::vector<int8_t>& v) {
    auto off = static_cast<uint32_t>(blob.size());
    for (int8_t x : v) blob.push_back(static_cast<uint8_t>(x));
    return off;
  }
  uint32_t put_bytes(const std::vector<uint8_t>& v) {  // 4-byte aligned
    uint32_t off = align();
    blob.insert(blob.end(), v.begin(), v.end());
    return off;
  }
  uint32_t put_u32(const std::vector<uint32_t>& v) {
    uint32_t off = align();
    for (uint32_t x : v)
      for (int b = 0; b < 4; ++b) blob.push_back(static_cast<uint8_t>(x >> (8 * b)));
    return off;
  }
  uint32_t put_i32(const std::vector<int32_t>& v) {
    std::vector<uint32_t> u(v.size());
    for (size_t i = 0; i < v.size(); ++i) u[i] = static_cast<uint32_t>(v[i]);
    return put_u32(u);
  }
};

void push32(std::vector<uint8_t>& out, uint32_t v) {
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
}

struct TRec {
  uint32_t dtype = ZKML_DT_INT8;
  std::vector<int64_t> shape;
  QParams q;
  uint32_t data_off = ZKML_NO_DATA;
  AxisQuant axis;                        // ZKML_DT_INT8_AXIS: the per-axis parameters
  uint32_t axis_off = ZKML_NO_DATA;      // and their table in the blob (written in the scale field)
};

struct NRec {
  uint32_t op = 0;
  std::vector<uint32_t> in;
  uint32_t out = 0;
  int32_t kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  uint32_t flags = 0;
  int32_t act_min = -128, act_max = 127;
  uint32_t p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
};

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

class Quantizer {
 public:
  Quantizer(const Graph& g, const std::vector<Range>& r, const QuantOptions& o) : g_(g), ranges_(r), opts_(o) {}

  const std::map<int, uint32_t>& tensor_ids() const { return map_; }

  std::vector<uint8_t> run() {
    if (ranges_.size() != g_.tensors.size())
      throw std::runtime_error("quantize: " + std::to_string(ranges_.size()) + " ranges for " +
                               std::to_string(g_.tensors.size()) + " tensors");
    check_index(g_.input, "graph input");
    check_index(g_.output, "graph output");
    if (g_.tensors[g_.input].is_constant()) throw std::runtime_error("quantize: graph input is a constant");
    count_uses();
    map_activation(g_.input, g_.tensors[g_.input].axis_quant.given() ? QParams{} : out_params(g_.input));
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (skip_.count(i)) continue;
      emit(i);
    }
    if (g_.tensors[g_.output].is_constant() && !map_.count(g_.output)) constant_output();
    auto it = map_.find(g_.output);
    if (it == map_.end()) throw std::runtime_error("quantize: graph output is never computed");
    return serialize(map_.at(g_.input), it->second);
  }

 private:
  const Graph& g_;
  const std::vector<Range>& ranges_;
  const QuantOptions& opts_;
  std::vector<TRec> tensors_;
  std::vector<NRec> nodes_;
  std::map<int, uint32_t> map_;  // graph tensor -> zkml tensor
  std::map<size_t, size_t> fused_;  // Dense/Conv/Add node -> fused Relu/Clip node
  std::map<size_t, bool> skip_;
  std::vector<int> uses_;
  Writer w_;

  void check_index(int t, const char* what) const {
    if (t < 0 || static_cast<size_t>(t) >= g_.tensors.size())
      throw std::runtime_error(std::string("quantize: ") + what + " index " + std::to_string(t) + " out of range");
  }

  void count_uses() {
    uses_.assign(g_.tensors.size(), 0);
    for (const Node& n : g_.nodes) {
      if (n.outputs.size() != 1) fail_node(n, "expects exactly one output");
      for (int t : n.inputs) {
        check_index(t, "node input");
        uses_[t]++;
      }
      check_index(n.outputs[0], "node output");
    }
    // Fuse Relu/Clip into the requantisation of the op that produces its
    // input, when that intermediate result is used by nothing else.
    std::map<int, size_t> producer;
    for (size_t i = 0; i < g_.nodes.size(); ++i) producer[g_.nodes[i].outputs[0]] = i;
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& n = g_.nodes[i];
      if (n.op != OpKind::Relu && n.op != OpKind::Clip) continue;
      if (n.inputs.size() != 1) fail_node(n, "expects one input");
      int t = n.inputs[0];
      auto p = producer.find(t);
      if (p == producer.end() || uses_[t] != 1 || t == g_.output) continue;
      OpKind pk = g_.nodes[p->second].op;
      if ((pk == OpKind::Dense || pk == OpKind::Conv || pk == OpKind::Add) && !fused_.count(p->second)) {
        fused_[p->second] = i;
        skip_[i] = true;
      }
    }
  }

  uint32_t add_tensor(TRec t) {
    if (t.shape.empty()) t.shape = {1};
    if (t.shape.size() > 6) throw std::runtime_error("quantize: tensor of rank > 6");
    if (t.dtype == ZKML_DT_INT8_AXIS && t.shape.size() > 4)
      throw std::runtime_error("quantize: a per-axis quantized tensor of rank " + std::to_string(t.shape.size()) +
                               " (at most 4)");
    // The file holds up to 4 dimensions: a rank-5/6 tensor's leading ones are
    // merged (the ops that read such tensors use only the last two, or their
    // own canonical dims: Transpose).
    while (t.shape.size() > 4) {
      t.shape[1] *= t.shape[0];
      t.shape.erase(t.shape.begin());
    }
    tensors_.push_back(std::move(t));
    return static_cast<uint32_t>(tensors_.size() - 1);
  }

  uint32_t map_activation(int gt, QParams q, uint32_t dtype = ZKML_DT_INT8) {
    TRec t;
    t.dtype = dtype;
    t.shape = g_.tensors[gt].shape;
    t.q = q;
    if (g_.tensors[gt].axis_quant.given()) per_axis(gt, t);
    uint32_t id = add_tensor(t);
    map_[gt] = id;
    return id;
  }

  // A per-axis tensor: its axis table (ZKML_DT_INT8_AXIS, model.h).
  void per_axis(int gt, TRec& t) {
    const Tensor& x = g_.tensors[gt];
    const AxisQuant& a = x.axis_quant;
    if (a.axis >= static_cast<int64_t>(x.shape.size()) || a.scale.size() != static_cast<size_t>(x.shape[a.axis]) ||
        a.zero_point.size() != a.scale.size())
      throw std::runtime_error("quantize: tensor '" + x.name + "': " + std::to_string(a.scale.size()) +
                               " per-axis scales for axis " + std::to_string(a.axis) + " of a tensor of rank " +
                               std::to_string(x.shape.size()));
    std::vector<uint32_t> tab = {static_cast<uint32_t>(a.axis), static_cast<uint32_t>(a.scale.size())};
    for (int32_t z : a.zero_point) {
      if (z < -128 || z > 127)
        throw std::runtime_error("quantize: tensor '" + x.name + "': zero point " + std::to_string(z) + " outside int8");
      tab.push_back(static_cast<uint32_t>(z));
    }
    for (float f : a.scale) {
      if (!(f > 0.0f) || !std::isfinite(f))
        throw std::runtime_error("quantize: tensor '" + x.name + "': scale " + std::to_string(f) + " is not positive");
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      tab.push_back(bits);
    }
    t.dtype = ZKML_DT_INT8_AXIS;
    t.q = QParams{0.0f, 0};
    t.axis = a;
    t.axis_off = w_.put_u32(tab);
  }

  // A constant graph output (a folded subgraph such as ONNX's Shape): a
  // constant int8 tensor. Integer values that fit 256 consecutive integers
  // take scale 1, so they come back exactly; others the calibrated layout.
  void constant_output() {
    const Tensor& t = g_.tensors[g_.output];
    if (static_cast<int64_t>(t.data.size()) != numel(t.shape))
      throw std::runtime_error("quantize: constant output '" + t.name + "' size mismatch");
    auto [lo, hi] = std::minmax_element(t.data.begin(), t.data.end());
    const bool ints = std::all_of(t.data.begin(), t.data.end(), [](float v) { return v == std::nearbyint(v); });
    TRec r;
    r.shape = t.shape;
    if (t.quant.given()) r.q = out_params(g_.output);
    else if (ints && *lo >= -128.0f && *hi <= 127.0f) r.q = QParams{1.0f, 0};
    else if (ints && *lo >= 0.0f && *hi <= 255.0f) r.q = QParams{1.0f, -128};
    else r.q = act_params(*lo, *hi);
    std::vector<int8_t> q(t.data.size());
    for (size_t i = 0; i < q.size(); ++i) q[i] = static_cast<int8_t>(quant_value(t.data[i], r.q));
    r.data_off = w_.put_i8(q);
    map_[g_.output] = add_tensor(r);
  }

  uint32_t input_of(const Node& n, size_t k) {
    if (k >= n.inputs.size()) fail_node(n, "missing input " + std::to_string(k));
    int gt = n.inputs[k];
    auto it = map_.find(gt);
    if (it != map_.end()) {
      if (tensors_[it->second].dtype == ZKML_DT_INT8_AXIS && n.op != OpKind::Requantize)
        fail_node(n, "input '" + g_.tensors[gt].name + "' has per-axis int8 parameters; only Requantize reads such "
                     "a tensor (the importer puts one in front of every other reader)");
      return it->second;
    }
    const Tensor& t = g_.tensors[gt];
    if (!t.is_constant()) fail_node(n, "input '" + t.name + "' is not computed before this node");
    if (static_cast<int64_t>(t.data.size()) != numel(t.shape)) fail_node(n, "constant '" + t.name + "' size mismatch");
    // Constant activation operand (Add/Mul): own asymmetric int8 params.
    auto [lo, hi] = std::minmax_element(t.data.begin(), t.data.end());
    TRec r;
    r.shape = t.shape;
    r.q = t.quant.given() ? out_params(gt) : act_params(*lo, *hi);
    std::vector<int8_t> q(t.data.size());
    for (size_t i = 0; i < q.size(); ++i) q[i] = static_cast<int8_t>(quant_value(t.data[i], r.q));
    r.data_off = w_.put_i8(q);
    uint32_t id = add_tensor(r);
    map_[gt] = id;
    return id;
  }

  // Output tensor of node i after fusion, its params and activation clamp.
  int fused_output(size_t i, NRec& nr, int& out_gt) {
    const Node& n = g_.nodes[i];
    out_gt = n.outputs[0];
    auto f = fused_.find(i);
    if (f == fused_.end()) return -1;
    out_gt = g_.nodes[f->second].outputs[0];
    return static_cast<int>(f->second);
  }

  void apply_activation(const Node& act, const QParams& q, NRec& nr) {
    if (act.op == OpKind::Relu) {
      nr.act_min = std::max(-128, q.zp);
      nr.act_max = 127;
    } else {
      if (!(act.clip_min <= act.clip_max)) fail_node(act, "clip_min > clip_max");
      nr.act_min = std::max(-128, quant_value(act.clip_min, q));
      nr.act_max = std::min(127, quant_value(act.clip_max, q));
    }
  }

  // The model's own parameters (pre-quantized models), else the calibrated range's.
  QParams out_params(int gt) const {
    const QuantParams& q = g_.tensors[gt].quant;
    if (q.given()) {
      if (!std::isfinite(q.scale) || q.zero_point < -128 || q.zero_point > 127)
        throw std::runtime_error("quantize: tensor '" + g_.tensors[gt].name + "': given scale " +
                                 std::to_string(q.scale) + " / zero point " + std::to_string(q.zero_point) +
                                 " are not int8 parameters");
      return QParams{q.scale, q.zero_point};
    }
    return act_params(ranges_[gt].min, ranges_[gt].max);
  }

  // Ops that copy, select or clamp int8 values keep their input's
  // parameters. Where a pre-quantized model asks for others at the output
  // (e.g. DequantizeLinear -> AveragePool -> QuantizeLinear with a new
  // scale), the op writes a tensor with the input's parameters and a Lut8
  // table (the identity, requantized) moves it to the model's: one more
  // rounding than ONNX's float op has.
  uint32_t moved_output(const Node& n, uint32_t x) {
    const QParams q = tensors_[x].q;
    const QuantParams& want = g_.tensors[n.outputs[0]].quant;
    if (!want.given() || (want.scale == q.scale && want.zero_point == q.zp)) return map_activation(n.outputs[0], q);
    TRec t;
    t.shape = g_.tensors[n.outputs[0]].shape;
    t.q = q;
    const uint32_t mid = add_tensor(t);
    NRec lut;
    lut.op = ZKML_OP_LUT8;
    lut.in = {mid};
    const QParams qy = out_params(n.outputs[0]);
    std::vector<int8_t> table(256);
    for (int v = -128; v < 128; ++v)
      table[static_cast<size_t>(v + 128)] = static_cast<int8_t>(quant_value(static_cast<double>(q.scale) * (v - q.zp), qy));
    lut.p[0] = w_.put_i8(table);
    lut.out = map_activation(n.outputs[0], qy);
    pending_ = lut;
    return mid;
  }
  std::optional<NRec> pending_;  // a node emit() appends after the current one

  void emit(size_t i) {
    const Node& n = g_.nodes[i];
    NRec nr;
    switch (n.op) {
      case OpKind::Dense:
      case OpKind::Conv: emit_linear(i, nr); break;
      case OpKind::Relu:
      case OpKind::Clip: {
        nr.op = ZKML_OP_CLAMP;
        uint32_t x = input_of(n, 0);
        nr.in = {x};
        QParams q = tensors_[x].q;
        apply_activation(n, q, nr);
        nr.out = moved_output(n, x);
        break;
      }
      case OpKind::MaxPool:
      case OpKind::AveragePool: {
        nr.op = n.op == OpKind::MaxPool ? ZKML_OP_MAXPOOL : ZKML_OP_AVGPOOL;
        uint32_t x = input_of(n, 0);
        nr.in = {x};
        set_window(n, nr, n.kernel);
        nr.flags = n.op == OpKind::AveragePool && n.count_include_pad ? 1u : 0u;
        nr.out = moved_output(n, x);
        break;
      }
      case OpKind::Add:
      case OpKind::Mul: emit_binary(i, nr); break;
      case OpKind::Reshape: {
        nr.op = ZKML_OP_RESHAPE;
        uint32_t x = input_of(n, 0);
        nr.in = {x};
        if (numel(tensors_[x].shape) != numel(g_.tensors[n.outputs[0]].shape)) fail_node(n, "element count changes");
        nr.out = moved_output(n, x);
        break;
      }
      case OpKind::Softmax: {
        nr.op = ZKML_OP_SOFTMAX;
        uint32_t x = input_of(n, 0);
        nr.in = {x};
        std::vector<uint32_t> lut(256);
        for (int d = 0; d < 256; ++d)
          lut[d] = static_cast<uint32_t>(std::llround(65536.0 * std::exp(-d * static_cast<double>(tensors_[x].q.scale))));
        lut[0] = 65536;
        nr.p[0] = w_.put_u32(lut);
        nr.out = map_activation(n.outputs[0], QParams{1.0f / 256.0f, -128});
        break;
      }
      case OpKind::ArgMax: {
        nr.op = ZKML_OP_ARGMAX;
        uint32_t x = input_of(n, 0);
        nr.in = {x};
        TRec t;
        t.dtype = ZKML_DT_INT32;
        t.shape = {1};
        nr.out = add_tensor(t);
        map_[n.outputs[0]] = nr.out;
        break;
      }
      case OpKind::Sigmoid:
      case OpKind::Tanh:
      case OpKind::LeakyRelu:
      case OpKind::HardSigmoid:
      case OpKind::HardSwish:
      case OpKind::Elu:
      case OpKind::Gelu: {
        // Every int8 input q stands for s_in (q - zp_in): the table holds the
        // output quantisation of f at each of those 256 points, so the int8
        // op is f evaluated exactly at the input grid, rounded once.
        nr.op = ZKML_OP_LUT8;
        uint32_t x = input_of(n, 0);
        nr.in = {x};
        const QParams qx = tensors_[x].q, qy = out_params(n.outputs[0]);
        std::vector<int8_t> table(256);
        for (int q = -128; q < 128; ++q) {
          double y = pointwise_value(n, static_cast<double>(qx.scale) * (q - qx.zp));
          if (!std::isfinite(y)) fail_node(n, "f(" + std::to_string(q) + ") is not finite");
          table[static_cast<size_t>(q + 128)] = static_cast<int8_t>(quant_value(y, qy));
        }
        nr.p[0] = w_.put_i8(table);
        nr.out = map_activation(n.outputs[0], qy);
        break;
      }
      case OpKind::Concat: emit_concat(i); return;
      case OpKind::Requantize: emit_requantize(i, nr); break;
      case OpKind::MatMul: emit_matmul(i, nr); break;
      case OpKind::LayerNorm: emit_layernorm(i, nr); break;
      case OpKind::Transpose: emit_transpose(i, nr); break;
      case OpKind::Slice: {
        // A copy of a range: the output keeps the input's scale and zero point.
        nr.op = ZKML_OP_SLICE;
        uint32_t x = input_of(n, 0);
        nr.in = {x};
        const auto& xs = tensors_[x].shape;
        const auto& ys = g_.tensors[n.outputs[0]].shape;
        if (g_.tensors[n.inputs[0]].shape.size() > 4) fail_node(n, "input of rank > 4");
        if (n.axis < 0 || n.axis >= static_cast<int64_t>(xs.size()) || ys.size() != xs.size())
          fail_node(n, "axis out of range");
        if (n.start < 0 || n.start + ys[n.axis] > xs[n.axis]) fail_node(n, "range outside the input");
        nr.p[0] = static_cast<uint32_t>(n.axis);
        nr.p[1] = static_cast<uint32_t>(n.start);
        nr.out = moved_output(n, x);
        break;
      }
      default: fail_node(n, "unsupported op");
    }
    nodes_.push_back(nr);
    if (pending_) {
      nodes_.push_back(*pending_);
      pending_.reset();
    }
  }

  // Concat of N inputs: a chain of N-1 two-input Concat nodes (the file's
  // nodes have two inputs); the partial results take the output's scale and
  // zero point, of which they are slices.
  void emit_concat(size_t i) {
    const Node& n = g_.nodes[i];
    if (n.inputs.size() < 2) fail_node(n, "expects at least two inputs");
    const QParams qy = out_params(n.outputs[0]);
    const auto& ys = g_.tensors[n.outputs[0]].shape;
    if (ys.size() > 4) fail_node(n, "output of rank > 4");
    if (n.axis < 0 || n.axis >= static_cast<int64_t>(ys.size())) fail_node(n, "axis out of range");
    uint32_t acc = input_of(n, 0);
    std::vector<int64_t> shape = tensors_[acc].shape;
    for (size_t k = 1; k < n.inputs.size(); ++k) {
      uint32_t b = input_of(n, k);
      const auto& bs = tensors_[b].shape;
      if (bs.size() != shape.size()) fail_node(n, "inputs differ in rank");
      shape[static_cast<size_t>(n.axis)] += bs[static_cast<size_t>(n.axis)];
      NRec nr;
      nr.op = ZKML_OP_CONCAT;
      nr.in = {acc, b};
      const std::string where = "quantize: node '" + n.name + "' (Concat) input ";
      for (int j = 0; j < 2; ++j) {
        int32_t mu = 0, sh = 0;
        quantize_multiplier(static_cast<double>(tensors_[nr.in[j]].q.scale) / qy.scale,
                            where + std::to_string(j == 0 ? 0 : k), mu, sh);
        nr.p[2 * j] = static_cast<uint32_t>(mu);
        nr.p[2 * j + 1] = static_cast<uint32_t>(sh);
      }
      nr.p[4] = static_cast<uint32_t>(n.axis);
      if (k + 1 == n.inputs.size()) {
        if (shape != ys) fail_node(n, "output shape does not match the inputs");
        nr.out = map_activation(n.outputs[0], qy);
      } else {
        TRec t;
        t.shape = shape;
        t.q = qy;
        nr.out = add_tensor(t);
      }
      nodes_.push_back(nr);
      acc = nr.out;
    }
  }

  // Requant (model.h): per index c of the axis, M_c = s_x[c] / s_y[c] and
  // the two zero points, where a tensor with one scale repeats its own.
  void emit_requantize(size_t i, NRec& nr) {
    const Node& n = g_.nodes[i];
    if (n.inputs.size() != 1) fail_node(n, "expects one input");
    nr.op = ZKML_OP_REQUANT;
    const uint32_t x = input_of(n, 0);
    nr.in = {x};
    const int yt = n.outputs[0];
    const bool y_axis = g_.tensors[yt].axis_quant.given();
    nr.out = map_activation(yt, y_axis ? QParams{} : out_params(yt));
    const TRec &tx = tensors_[x], &ty = tensors_[nr.out];
    if (tx.shape != ty.shape) fail_node(n, "input and output shapes differ");
    if (tx.dtype != ZKML_DT_INT8_AXIS && ty.dtype != ZKML_DT_INT8_AXIS)
      fail_node(n, "neither input nor output has per-axis parameters");
    if (tx.dtype == ZKML_DT_INT8_AXIS && ty.dtype == ZKML_DT_INT8_AXIS && tx.axis.axis != ty.axis.axis)
      fail_node(n, "input per-axis along axis " + std::to_string(tx.axis.axis) + ", output along " +
                       std::to_string(ty.axis.axis) + ": one axis is supported");
    const int64_t axis = tx.dtype == ZKML_DT_INT8_AXIS ? tx.axis.axis : ty.axis.axis;
    const auto nc = static_cast<size_t>(tx.shape.at(static_cast<size_t>(axis)));
    auto at = [](const TRec& t, size_t c) {
      return t.dtype == ZKML_DT_INT8_AXIS ? QParams{t.axis.scale[c], t.axis.zero_point[c]} : t.q;
    };
    std::vector<int32_t> tab;
    for (size_t c = 0; c < nc; ++c) {
      const QParams qx = at(tx, c), qy = at(ty, c);
      int32_t mu = 0, sh = 0;
      quantize_multiplier(static_cast<double>(qx.scale) / qy.scale,
                          "quantize: node '" + n.name + "' (Requantize) index " + std::to_string(c), mu, sh);
      tab.insert(tab.end(), {qx.zp, mu, sh, qy.zp});
    }
    nr.p[0] = w_.put_i32(tab);
    nr.p[1] = static_cast<uint32_t>(nc);
    nr.p[2] = static_cast<uint32_t>(axis);
  }

  void set_window(const Node& n, NRec& nr, const std::vector<int64_t>& kernel) {
    if (kernel.size() != 2) fail_node(n, "kernel must be [kh, kw]");
    auto get = [&](const std::vector<int64_t>& v, size_t k, int64_t dflt) { return v.empty() ? dflt : v.at(k); };
    if (!n.strides.empty() && n.strides.size() != 2) fail_node(n, "strides must be [sh, sw]");
    if (!n.pads.empty() && n.pads.size() != 4) fail_node(n, "pads must be [top, left, bottom, right]");
    int64_t v[8] = {kernel[0], kernel[1], get(n.strides, 0, 1), get(n.strides, 1, 1),
                    get(n.pads, 0, 0),   get(n.pads, 1, 0),   get(n.pads, 2, 0),    get(n.pads, 3, 0)};
    for (int64_t x : v)
      if (x < 0 || x > 255) fail_node(n, "kernel/stride/pad value " + std::to_string(x) + " out of range");
    nr.kh = static_cast<int32_t>(v[0]);
    nr.kw = static_cast<int32_t>(v[1]);
    nr.sh = static_cast<int32_t>(v[2]);
    nr.sw = static_cast<int32_t>(v[3]);
    nr.pt = static_cast<int32_t>(v[4]);
    nr.pl = static_cast<int32_t>(v[5]);
    nr.pb = static_cast<int32_t>(v[6]);
    nr.pr = static_cast<int32_t>(v[7]);
    if (!n.dilations.empty()) {
      if (n.dilations.size() != 2) fail_node(n, "dilations must be [dh, dw]");
      for (int k = 0; k < 2; ++k) {
        const int64_t d = n.dilations[k];
        if (d < 1 || d > 255) fail_node(n, "dilation " + std::to_string(d) + " out of range");
        nr.p[6 + k] = d > 1 ? static_cast<uint32_t>(d) : 0;  // 0: none, as in version-2 files
      }
    }
  }

  void emit_linear(size_t i, NRec& nr) {
    const Node& n = g_.nodes[i];
    bool conv = n.op == OpKind::Conv;
    nr.op = conv ? ZKML_OP_CONV : ZKML_OP_DENSE;
    uint32_t x = input_of(n, 0);
    nr.in = {x};
    if (n.inputs.size() < 2 || n.inputs.size() > 3) fail_node(n, "expects x, W and optional bias");
    const Tensor& W = g_.tensors[n.inputs[1]];
    if (!W.is_constant()) fail_node(n, "weight '" + W.name + "' is not constant");
    if (static_cast<int64_t>(W.data.size()) != numel(W.shape)) fail_node(n, "weight size mismatch");
    const int64_t M = W.shape.at(0);
    const int64_t K = M > 0 ? static_cast<int64_t>(W.data.size()) / M : 0;
    if (M <= 0 || K <= 0) fail_node(n, "empty weight");
    if (conv) {
      if (W.shape.size() != 4) fail_node(n, "conv weight must be [M,C,kh,kw]");
      const auto& xs = tensors_[x].shape;
      if (n.group < 1 || M % n.group != 0) fail_node(n, "group " + std::to_string(n.group) + " does not divide " +
                                                          std::to_string(M) + " output channels");
      if (xs.size() != 4 || xs[1] != W.shape[1] * n.group) fail_node(n, "input channels do not match the weight");
      if (n.group > 1) nr.p[5] = static_cast<uint32_t>(n.group);
      std::vector<int64_t> kernel = n.kernel.empty() ? std::vector<int64_t>{W.shape[2], W.shape[3]} : n.kernel;
      if (kernel[0] != W.shape[2] || kernel[1] != W.shape[3]) fail_node(n, "kernel attribute disagrees with weight");
      set_window(n, nr, kernel);
    } else {
      if (W.shape.size() != 2) fail_node(n, "dense weight must be [M,K]");
      // x[..., K]: one row of K inputs per leading index (p5 = rows)
      const auto& xs = g_.tensors[n.inputs[0]].shape;
      const int64_t rows = numel(tensors_[x].shape) / K;
      if (xs.empty() || xs.back() != K || rows * K != numel(tensors_[x].shape) || rows > (int64_t{1} << 24))
        fail_node(n, "input " + std::to_string(numel(tensors_[x].shape)) + " elements, last axis not the weight's " +
                         std::to_string(K));
      if (rows > 1) nr.p[5] = static_cast<uint32_t>(rows);
    }
    std::vector<float> bias(static_cast<size_t>(M), 0.0f);
    if (n.inputs.size() == 3) {
      const Tensor& B = g_.tensors[n.inputs[2]];
      if (!B.is_constant() || static_cast<int64_t>(B.data.size()) != M) fail_node(n, "bias must be a constant of M values");
      bias = B.data;
    }
    int out_gt = 0;
    int act = fused_output(i, nr, out_gt);
    QParams qy = out_params(out_gt);
    if (act >= 0) apply_activation(g_.nodes[act], qy, nr);
    const QParams qx = tensors_[x].q;

    // Symmetric weight scales, per output channel or one for the tensor; a
    // pre-quantized model's own scales where it gives them.
    std::vector<double> sw(static_cast<size_t>(M));
    bool per_channel = opts_.per_channel;
    double wmin = -127.0;  // symmetric range
    if (!W.weight_scale.empty()) {
      if (W.weight_scale.size() != 1 && W.weight_scale.size() != static_cast<size_t>(M))
        fail_node(n, "weight '" + W.name + "' has " + std::to_string(W.weight_scale.size()) + " scales for " +
                         std::to_string(M) + " output channels");
      for (int64_t m = 0; m < M; ++m) {
        sw[m] = W.weight_scale[W.weight_scale.size() == 1 ? 0 : static_cast<size_t>(m)];
        if (!(sw[m] > 0) || !std::isfinite(sw[m])) fail_node(n, "weight '" + W.name + "' has a scale that is not positive");
      }
      per_channel = true;
      wmin = -128.0;  // the model's integers as they are (the kernels take -128)
    } else {
      double gmax = 0;
      for (int64_t m = 0; m < M; ++m) {
        double mx = 0;
        for (int64_t k = 0; k < K; ++k) mx = std::max(mx, std::fabs(static_cast<double>(W.data[m * K + k])));
        if (!std::isfinite(mx)) fail_node(n, "non-finite weight");
        sw[m] = mx;
        gmax = std::max(gmax, mx);
      }
      for (auto& s : sw) {
        if (!opts_.per_channel) s = gmax;
        s = s > 0 ? s / 127.0 : 1.0;
      }
    }
    std::vector<int8_t> wq(static_cast<size_t>(M * K));  // row-major; packed below (kernels.h)
    std::vector<int32_t> bq(static_cast<size_t>(M));
    for (int64_t m = 0; m < M; ++m) {
      int64_t wsum = 0;
      for (int64_t k = 0; k < K; ++k) {
        double v = std::round(W.data[m * K + k] / sw[m]);
        auto q = static_cast<int8_t>(std::clamp(v, wmin, 127.0));
        wq[static_cast<size_t>(m * K + k)] = q;
        wsum += q;
      }
      // Bias at scale s_x * s_w[m], with the input zero point folded in:
      // sum (x - zp) w = sum x w - zp * sum w.
      double b = std::round(static_cast<double>(bias[m]) / (static_cast<double>(qx.scale) * sw[m]));
      double folded = b - static_cast<double>(qx.zp) * static_cast<double>(wsum);
      if (!(std::fabs(folded) < static_cast<double>(ZKML_MAX_BIAS)))
        fail_node(n, "quantised bias of channel " + std::to_string(m) + " does not fit (|b| < 2^30)");
      bq[m] = static_cast<int32_t>(folded);
    }
    const int64_t nrq = per_channel ? M : 1;
    std::vector<int32_t> mult(static_cast<size_t>(nrq)), shift(static_cast<size_t>(nrq));
    for (int64_t c = 0; c < nrq; ++c)
      quantize_multiplier(static_cast<double>(qx.scale) * sw[c] / static_cast<double>(qy.scale),
                          "quantize: node '" + n.name + "' (" + op_name(n.op) + ") channel " + std::to_string(c),
                          mult[c], shift[c]);
    {
      // One biased byte per weight in the dot4 layout (kernels.h).
      std::vector<uint8_t> packed(zkml_weight_bytes(static_cast<int32_t>(M), static_cast<int32_t>(K)));
      zkml_pack_weights(wq.data(), static_cast<int32_t>(M), static_cast<int32_t>(K), packed.data());
      nr.p[0] = w_.put_bytes(packed);
    }
    nr.p[1] = w_.put_i32(bq);
    nr.p[2] = w_.put_i32(mult);
    // A per-channel shift table is followed by copies of its last shift up
    // to a whole block of 4: dense4_rom's call for the last, partial block
    // reads 4 shifts and faults on one outside [35, 63] (zkml_prepare checks
    // the words before it lets the kernel call; bias and mult past their
    // ends are the next tables' words, any value). The node still counts
    // nrq entries.
    std::vector<int32_t> shift_padded = shift;
    if (per_channel)
      while (shift_padded.size() % 4) shift_padded.push_back(shift.back());
    nr.p[3] = w_.put_i32(shift_padded);
    nr.p[4] = static_cast<uint32_t>(nrq);
    nr.out = map_activation(out_gt, qy);
  }

  void emit_binary(size_t i, NRec& nr) {
    const Node& n = g_.nodes[i];
    if (n.inputs.size() != 2) fail_node(n, "expects two inputs");
    Node sw = n;
    // Commutative: keep a computed tensor first (broadcast applies to the second).
    const auto& t0 = g_.tensors[n.inputs[0]];
    const auto& t1 = g_.tensors[n.inputs[1]];
    if ((t0.is_constant() && !t1.is_constant()) || (numel(t0.shape) < numel(t1.shape)))
      std::swap(sw.inputs[0], sw.inputs[1]);
    uint32_t a = input_of(sw, 0), b = input_of(sw, 1);
    nr.in = {a, b};
    int out_gt = 0;
    int act = fused_output(i, nr, out_gt);
    QParams qy = out_params(out_gt);
    if (act >= 0) apply_activation(g_.nodes[act], qy, nr);
    const QParams qa = tensors_[a].q, qb = tensors_[b].q;
    const std::string where = "quantize: node '" + n.name + "' (" + op_name(n.op) + ")";
    if (n.op == OpKind::Add) {
      nr.op = ZKML_OP_ADD;
      double ra = qa.scale / static_cast<double>(qy.scale), rb = qb.scale / static_cast<double>(qy.scale);
      double rmax = std::max(ra, rb);
      // Largest shift that keeps both multipliers below 2^31.
      int s = ZKML_SHIFT_MAX;
      while (s > ZKML_SHIFT_MIN && std::ldexp(rmax, s) >= 2147483647.0) --s;
      if (std::ldexp(rmax, s) >= 2147483647.0) throw std::runtime_error(where + ": input/output scale ratio too large");
      nr.p[0] = static_cast<uint32_t>(static_cast<int32_t>(std::llround(std::ldexp(ra, s))));
      nr.p[1] = static_cast<uint32_t>(static_cast<int32_t>(std::llround(std::ldexp(rb, s))));
      nr.p[2] = static_cast<uint32_t>(s);
    } else {
      nr.op = ZKML_OP_MUL;
      int32_t m = 0, s = 0;
      quantize_multiplier(static_cast<double>(qa.scale) * qb.scale / qy.scale, where, m, s);
      nr.p[0] = static_cast<uint32_t>(m);
      nr.p[1] = static_cast<uint32_t>(s);
    }
    const auto& as = tensors_[a].shape;
    int64_t na = numel(as), nb = numel(tensors_[b].shape);
    if (!(nb == na || nb == 1 || (as.size() == 4 && nb == as[1])))
      fail_node(n, "second input does not broadcast (same shape, scalar or per channel of NCHW only)");
    nr.out = map_activation(out_gt, qy);
    if (numel(tensors_[nr.out].shape) != na) fail_node(n, "output shape differs from the first input");
  }

  // MatMul of two int8 tensors: the file's kernel sums (a - zp_a)(b - zp_b)
  // exactly and requantises once with M = s_a s_b / s_y.
  void emit_matmul(size_t i, NRec& nr) {
    const Node& n = g_.nodes[i];
    if (n.inputs.size() != 2) fail_node(n, "expects two inputs");
    nr.op = ZKML_OP_MATMUL;
    const uint32_t a = input_of(n, 0), b = input_of(n, 1);
    nr.in = {a, b};
    const auto& as = g_.tensors[n.inputs[0]].shape;
    const auto& bs = g_.tensors[n.inputs[1]].shape;
    const auto& ys = g_.tensors[n.outputs[0]].shape;
    if (as.size() < 2 || bs.size() < 2 || ys.size() < 2) fail_node(n, "inputs need at least two dimensions");
    const int64_t T = as[as.size() - 2], K = as.back(), N = bs.back();
    if (bs[bs.size() - 2] != K) fail_node(n, "inner dimensions differ (" + std::to_string(K) + " and " +
                                                 std::to_string(bs[bs.size() - 2]) + ")");
    if (numel(as) / (T * K) != numel(bs) / (K * N))
      fail_node(n, "the inputs' leading (batch) dimensions differ: broadcasting them is not supported");
    if (K > ZKML_MAX_MATMUL_K) fail_node(n, "inner dimension " + std::to_string(K) + " over " +
                                                std::to_string(ZKML_MAX_MATMUL_K));
    const QParams qa = tensors_[a].q, qb = tensors_[b].q, qy = out_params(n.outputs[0]);
    int32_t m = 0, sh = 0;
    if (!(n.scale > 0.0f) || !std::isfinite(n.scale)) fail_node(n, "scale must be positive and finite");
    quantize_multiplier(static_cast<double>(n.scale) * qa.scale * qb.scale / qy.scale,
                        "quantize: node '" + n.name + "' (MatMul)", m, sh);
    nr.p[0] = static_cast<uint32_t>(m);
    nr.p[1] = static_cast<uint32_t>(sh);
    nr.out = map_activation(n.outputs[0], qy);
    if (ys.back() != N || ys[ys.size() - 2] != T || numel(ys) != numel(as) / K * N)
      fail_node(n, "output shape does not match the product");
  }

  // LayerNorm over the last axis (kernels.h): per channel g = gamma / s_y and
  // b = beta / s_y in Q16, and eps_q = D^2 eps / s_x^2.
  void emit_layernorm(size_t i, NRec& nr) {
    const Node& n = g_.nodes[i];
    if (n.inputs.size() < 2 || n.inputs.size() > 3) fail_node(n, "expects x, gamma and optional beta");
    nr.op = ZKML_OP_LAYERNORM;
    const uint32_t x = input_of(n, 0);
    nr.in = {x};
    const auto& xs = g_.tensors[n.inputs[0]].shape;
    const int64_t D = xs.back();
    if (D > ZKML_MAX_LAYERNORM_D) fail_node(n, "normalised axis of " + std::to_string(D) + " values, at most " +
                                                   std::to_string(ZKML_MAX_LAYERNORM_D));
    auto param = [&](size_t k, float dflt) {
      std::vector<float> v(static_cast<size_t>(D), dflt);
      if (k >= n.inputs.size()) return v;
      const Tensor& t = g_.tensors[n.inputs[k]];
      if (!t.is_constant()) fail_node(n, "'" + t.name + "' (scale/bias) is not constant");
      if (t.data.size() == 1) return std::vector<float>(static_cast<size_t>(D), t.data[0]);
      if (static_cast<int64_t>(t.data.size()) != D)
        fail_node(n, "'" + t.name + "' has " + std::to_string(t.data.size()) + " values for an axis of " +
                         std::to_string(D));
      return t.data;
    };
    const std::vector<float> gamma = param(1, 1.0f), beta = param(2, 0.0f);
    const QParams qx = tensors_[x].q, qy = out_params(n.outputs[0]);
    std::vector<int32_t> tab(static_cast<size_t>(2 * D));
    for (int64_t c = 0; c < 2 * D; ++c) {
      const double v = std::round(static_cast<double>(c < D ? gamma[c] : beta[c - D]) / qy.scale * 65536.0);
      if (!(std::fabs(v) < 16777216.0))
        fail_node(n, std::string(c < D ? "gamma" : "beta") + "[" + std::to_string(c % D) +
                         "] / output scale does not fit (|value / scale| < 256)");
      tab[static_cast<size_t>(c)] = static_cast<int32_t>(v);
    }
    const double eps = n.alpha;
    if (!(eps >= 0) || !std::isfinite(eps)) fail_node(n, "epsilon must be finite and >= 0");
    const double eq = std::min(std::round(static_cast<double>(D) * D * eps / (static_cast<double>(qx.scale) * qx.scale)),
                               std::ldexp(1.0, 40) - 1);
    const auto eq64 = static_cast<uint64_t>(eq);
    nr.p[0] = w_.put_i32(tab);
    nr.p[1] = static_cast<uint32_t>(eq64 & 0xFFFFFFFFu);
    nr.p[2] = static_cast<uint32_t>(eq64 >> 32);
    nr.out = map_activation(n.outputs[0], qy);
  }

  // Transpose: axes of size 1 are dropped and runs of input axes that stay
  // together in order are merged, so the kernel sees at most 4 dimensions.
  void emit_transpose(size_t i, NRec& nr) {
    const Node& n = g_.nodes[i];
    nr.op = ZKML_OP_TRANSPOSE;
    const uint32_t x = input_of(n, 0);
    nr.in = {x};
    const auto& xs = g_.tensors[n.inputs[0]].shape;
    const size_t r = xs.size();
    if (n.perm.size() != r) fail_node(n, "perm has " + std::to_string(n.perm.size()) + " axes for rank " +
                                             std::to_string(r));
    std::vector<int> relabel(r, -1);
    std::vector<int64_t> dims;
    for (size_t d = 0; d < r; ++d)
      if (xs[d] != 1) {
        relabel[d] = static_cast<int>(dims.size());
        dims.push_back(xs[d]);
      }
    std::vector<int> perm;
    for (int64_t p : n.perm) {
      if (p < 0 || static_cast<size_t>(p) >= r) fail_node(n, "perm value out of range");
      if (relabel[static_cast<size_t>(p)] >= 0) perm.push_back(relabel[static_cast<size_t>(p)]);
    }
    // groups of output-consecutive axes that are input-consecutive
    std::vector<std::vector<int>> groups;
    for (int p : perm) {
      if (!groups.empty() && groups.back().back() + 1 == p) groups.back().push_back(p);
      else groups.push_back({p});
    }
    std::vector<size_t> order(groups.size());  // groups in input order
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return groups[a][0] < groups[b][0]; });
    if (groups.size() > 4)
      fail_node(n, "moves " + std::to_string(groups.size()) + " blocks of axes; the runtime transposes at most 4");
    const size_t lead = 4 - groups.size();
    uint32_t d4[4] = {1, 1, 1, 1}, p4[4] = {0, 1, 2, 3};
    std::vector<size_t> pos(groups.size());
    for (size_t k = 0; k < order.size(); ++k) {
      int64_t e = 1;
      for (int a : groups[order[k]]) e *= dims[static_cast<size_t>(a)];
      d4[lead + k] = static_cast<uint32_t>(e);
      pos[order[k]] = lead + k;
    }
    for (size_t j = 0; j < groups.size(); ++j) p4[lead + j] = static_cast<uint32_t>(pos[j]);
    for (int k = 0; k < 4; ++k) {
      nr.p[k] = d4[k];
      nr.p[4 + k] = p4[k];
    }
    nr.out = moved_output(n, x);
  }

  std::vector<uint8_t> serialize(uint32_t input, uint32_t output) {
    std::vector<uint8_t> out;
    w_.align();
    // Version 3 only where a node needs it (groups, dilations): other files stay
    // readable by version-2 runtimes.
    uint32_t version = ZKML_VERSION_MIN;
    for (const NRec& nr : nodes_) {
      const bool windowed = nr.op == ZKML_OP_CONV || nr.op == ZKML_OP_MAXPOOL || nr.op == ZKML_OP_AVGPOOL;
      if ((nr.op == ZKML_OP_CONV && nr.p[5] > 1) || (windowed && (nr.p[6] > 1 || nr.p[7] > 1))) version = 3;
    }
    push32(out, ZKML_MAGIC);
    push32(out, version);
    push32(out, ZKML_HEADER_BYTES);
    push32(out, static_cast<uint32_t>(tensors_.size()));
    push32(out, static_cast<uint32_t>(nodes_.size()));
    push32(out, input);
    push32(out, output);
    push32(out, static_cast<uint32_t>(w_.blob.size()));
    for (const TRec& t : tensors_) {
      push32(out, t.dtype);
      push32(out, static_cast<uint32_t>(t.shape.size()));
      for (size_t d = 0; d < 4; ++d) {
        int64_t v = d < t.shape.size() ? t.shape[d] : 1;
        if (v <= 0 || v > (int64_t{1} << 24)) throw std::runtime_error("quantize: tensor dimension out of range");
        push32(out, static_cast<uint32_t>(v));
      }
      push32(out, static_cast<uint32_t>(t.q.zp));
      uint32_t bits;
      std::memcpy(&bits, &t.q.scale, 4);
      push32(out, t.dtype == ZKML_DT_INT8_AXIS ? t.axis_off : bits);
      push32(out, t.data_off);
    }
    for (const NRec& nr : nodes_) {
      push32(out, nr.op);
      push32(out, static_cast<uint32_t>(nr.in.size()));
      push32(out, nr.in.size() > 0 ? nr.in[0] : 0);
      push32(out, nr.in.size() > 1 ? nr.in[1] : 0);
      push32(out, nr.out);
      for (int32_t v : {nr.kh, nr.kw, nr.sh, nr.sw, nr.pt, nr.pl, nr.pb, nr.pr}) push32(out, static_cast<uint32_t>(v));
      push32(out, nr.flags);
      push32(out, static_cast<uint32_t>(nr.act_min));
      push32(out, static_cast<uint32_t>(nr.act_max));
      for (uint32_t v : nr.p) push32(out, v);
    }
    out.insert(out.end(), w_.blob.begin(), w_.blob.end());
    // The writer and the parser must agree: a file we produce always parses.
    zkml_model m;
    int st = zkml_parse(&m, out.data(), static_cast<uint32_t>(out.size()));
    if (st != ZKML_OK) throw std::runtime_error(std::string("quantize: produced an invalid model: ") + m.error);
    return out;
  }
};

}  // namespace

std::vector<uint8_t> quantize_model(const Graph& g, const std::vector<Range>& ranges, const QuantOptions& opts) {
  return Quantizer(g, ranges, opts).run();
}

std::vector<uint8_t> quantize_model(const Graph& g, const std::vector<Range>& ranges, const QuantOptions& opts,
                                    std::vector<int32_t>* tensor_map) {
  Quantizer q(g, ranges, opts);
  auto file = q.run();
  if (tensor_map) {
    tensor_map->assign(g.tensors.size(), -1);
    for (const auto& [gt, id] : q.tensor_ids()) (*tensor_map)[static_cast<size_t>(gt)] = static_cast<int32_t>(id);
  }
  return file;
}

}  // namespace zkvm::ml
