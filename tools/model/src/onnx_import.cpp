// ONNX -> float Graph. The ONNX graph is walked once in node order (ONNX
// requires topological order); each value is either a constant (folded here:
// initializers, Constant, shape arithmetic) or a runtime tensor of the output
// Graph with a concrete shape. Runtime ops are mapped to the small op set of
// graph.h; BatchNormalization is folded into its Conv, MatMul+Add into Dense.
// A final pass drops nodes and tensors the graph output does not need.
#include "zkvm_model/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "zkvm_model/onnx_model.h"

namespace zkvm::model {

const char* kind_name(ml::OpKind op) {
  switch (op) {
    case ml::OpKind::Dense: return "Dense";
    case ml::OpKind::Conv: return "Conv";
    case ml::OpKind::Relu: return "Relu";
    case ml::OpKind::Clip: return "Clip";
    case ml::OpKind::MaxPool: return "MaxPool";
    case ml::OpKind::AveragePool: return "AveragePool";
    case ml::OpKind::Add: return "Add";
    case ml::OpKind::Mul: return "Mul";
    case ml::OpKind::Reshape: return "Reshape";
    case ml::OpKind::Softmax: return "Softmax";
    case ml::OpKind::ArgMax: return "ArgMax";
    case ml::OpKind::Sigmoid: return "Sigmoid";
    case ml::OpKind::Tanh: return "Tanh";
    case ml::OpKind::LeakyRelu: return "LeakyRelu";
    case ml::OpKind::HardSigmoid: return "HardSigmoid";
    case ml::OpKind::HardSwish: return "HardSwish";
    case ml::OpKind::Elu: return "Elu";
    case ml::OpKind::Concat: return "Concat";
    case ml::OpKind::Slice: return "Slice";
    case ml::OpKind::MatMul: return "MatMul";
    case ml::OpKind::LayerNorm: return "LayerNorm";
    case ml::OpKind::Transpose: return "Transpose";
    case ml::OpKind::Gelu: return "Gelu";
    case ml::OpKind::Requantize: return "Requantize";
  }
  return "?";
}

uint64_t elem_count(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  s += ']';
  return s;
}

uint64_t param_count(const ml::Graph& g) {
  uint64_t n = 0;
  for (const auto& t : g.tensors)
    if (t.is_constant()) n += t.data.size();
  return n;
}

std::string graph_summary(const ml::Graph& g) {
  std::ostringstream os;
  os << "input  '" << g.tensors[g.input].name << "' " << shape_str(g.tensors[g.input].shape) << "\n";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    const auto& out = g.tensors[n.outputs[0]];
    uint64_t params = 0;
    for (int t : n.inputs)
      if (g.tensors[t].is_constant()) params += g.tensors[t].data.size();
    os << "  " << i << ": " << kind_name(n.op) << " '" << n.name << "' -> " << shape_str(out.shape);
    if (!n.kernel.empty())
      os << " kernel " << n.kernel[0] << "x" << n.kernel[1] << " stride " << n.strides[0] << "x"
         << n.strides[1] << " pads " << n.pads[0] << "," << n.pads[1] << "," << n.pads[2] << ","
         << n.pads[3];
    if (n.op == ml::OpKind::Clip) os << " [" << n.clip_min << ", " << n.clip_max << "]";
    if (n.op == ml::OpKind::LeakyRelu || n.op == ml::OpKind::Elu) os << " alpha " << n.alpha;
    if (n.op == ml::OpKind::HardSigmoid) os << " alpha " << n.alpha << " beta " << n.beta;
    if (n.op == ml::OpKind::Conv && n.group > 1) os << " group " << n.group;
    if (!n.dilations.empty()) os << " dilation " << n.dilations[0] << "x" << n.dilations[1];
    if (n.op == ml::OpKind::AveragePool && n.count_include_pad) os << " count_include_pad";
    if (n.op == ml::OpKind::Concat) os << " axis " << n.axis << ", " << n.inputs.size() << " inputs";
    if (n.op == ml::OpKind::Slice) os << " axis " << n.axis << " from " << n.start;
    if (n.op == ml::OpKind::Transpose) os << " perm " << shape_str(n.perm);
    if (n.op == ml::OpKind::LayerNorm) os << " epsilon " << n.alpha;
    if (n.op == ml::OpKind::Gelu) os << (n.alpha != 0 ? " tanh form" : " erf form");
    if (n.op == ml::OpKind::MatMul && n.scale != 1.0f) os << " scale " << n.scale;
    if (params) os << " params " << params;
    os << "\n";
  }
  os << "output '" << g.tensors[g.output].name << "' " << shape_str(g.tensors[g.output].shape) << "\n";
  os << g.nodes.size() << " ops, " << param_count(g) << " parameters\n";
  return os.str();
}

namespace {

// Old opsets are accepted because every op checks its attribute names
// (allow_attrs): a pre-opset-5 Reshape with a `shape` attribute or a v1 Gemm
// with `broadcast` is rejected by name rather than misread. Opsets 18 to 20
// change these ops: ReduceMean (axes as an input), Pad (an axes input),
// Split (num_outputs), AveragePool (dilations), Cast and QuantizeLinear
// (saturate, for float8 only), Gelu (new in 20); the others only add types
// (float8, strings), which tensor_to_val refuses by dtype.
constexpr int64_t kMinOpset = 1, kMaxOpset = 20;
constexpr int64_t kMaxIrVersion = 9;
// For the error on an unknown op; the dispatch is Importer::convert_op.
constexpr const char* kSupportedOps =
    "Add, ArgMax, AveragePool, BatchNormalization, Cast, Clip, Concat, Constant, ConstantOfShape, Conv, "
    "ConvTranspose, DequantizeLinear, Div, Dropout, Elu, Flatten, Gather, Gelu, Gemm, GlobalAveragePool, "
    "GlobalMaxPool, HardSigmoid, HardSwish, Identity, LayerNormalization, LeakyRelu, MatMul, MaxPool, Mul, Pad, "
    "QLinearConv, QLinearMatMul, QuantizeLinear, Relu, Reshape, Shape, Sigmoid, Slice, Softmax, Split, Squeeze, "
    "Sub, Tanh, Transpose, Unsqueeze; ReduceMean, Pow, Sqrt, Reciprocal, Neg and Erf inside a LayerNorm or GELU";              // onnx 1.14 / 1.15 (opset 19 / 20)

// A value during import: a folded constant or a runtime tensor of the graph.
struct Val {
  bool is_const = false;
  bool is_int = false;           // constant of an integer dtype (held in i)
  std::vector<int64_t> shape;    // constants only (runtime: graph tensor's shape)
  std::vector<float> f;
  std::vector<int64_t> i;
  int tensor = -1;    // runtime only
  int producer = -1;  // runtime only: index of the graph node that writes it (-1: graph input)
  // Runtime only: `tensor` padded by a Pad node that is not emitted; the
  // Conv/MaxPool/AveragePool consuming it adds the pads to its own.
  struct Pad {
    std::vector<int64_t> hw;  // [top, left, bottom, right]
    float value = 0.0f;       // 0 (op_pad refuses other values)
    std::string node;         // "node 3 'pad1'", for errors
  };
  std::optional<Pad> pad;
  int dtype = onnx::TensorProto::FLOAT;  // constants: the ONNX element type (is_int: an integer one)
  // Runtime only: the value is `tensor` quantized with these int8 parameters
  // (QuantizeLinear's or a QLinear op's output), which only DequantizeLinear,
  // the QLinear ops and ops that move values (Reshape, MaxPool, ...) read.
  std::optional<ml::QuantParams> q;
  // Runtime only: the value is `tensor` quantized per axis (a QuantizeLinear
  // with one scale per index of `axis`), which only DequantizeLinear reads.
  std::optional<ml::AxisQuant> qaxis;
  // Constants only: dequantized from integers with these scales (one, or one
  // per index of `axis`), every value an integer multiple in [-128, 127] of
  // its scale: weights that keep the model's own int8 values.
  struct WScale {
    std::vector<float> scale;
    int64_t axis = -1;  // -1: one scale for the tensor
  };
  std::optional<WScale> wscale;
};

[[noreturn]] void fail(const std::string& msg) { throw ImportError(msg); }

uint64_t checked_count(const std::vector<int64_t>& shape, uint64_t limit, const std::string& what) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) fail(what + ": negative dimension " + std::to_string(d));
    if (d != 0 && n > limit / static_cast<uint64_t>(d))
      fail(what + ": " + shape_str(shape) + " has more than " + std::to_string(limit) + " elements");
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

const char* dtype_name(int dt) {
  switch (dt) {
    case onnx::TensorProto::FLOAT: return "float32";
    case onnx::TensorProto::UINT8: return "uint8";
    case onnx::TensorProto::INT8: return "int8";
    case onnx::TensorProto::UINT16: return "uint16";
    case onnx::TensorProto::INT16: return "int16";
    case onnx::TensorProto::INT32: return "int32";
    case onnx::TensorProto::INT64: return "int64";
    case onnx::TensorProto::STRING: return "string";
    case onnx::TensorProto::BOOL: return "bool";
    case onnx::TensorProto::FLOAT16: return "float16";
    case onnx::TensorProto::DOUBLE: return "double";
    case onnx::TensorProto::BFLOAT16: return "bfloat16";
    default: return "unknown";
  }
}

template <class T>
std::vector<T> raw_le(const std::string& raw, uint64_t n, const std::string& what) {
  if (raw.size() != n * sizeof(T))
    fail(what + ": raw_data has " + std::to_string(raw.size()) + " bytes, expected " +
         std::to_string(n * sizeof(T)));
  std::vector<T> v(n);
  if (n) std::memcpy(v.data(), raw.data(), n * sizeof(T));  // host is little-endian (x86-64, arm64)
  return v;
}

// Parses a TensorProto into a constant Val (float32 or int32/int64).
Val tensor_to_val(const onnx::TensorProto& t, const std::string& what, const ImportLimits& lim) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    fail(what + ": external tensor data is not supported (save the model with data inline)");
  Val v;
  v.is_const = true;
  for (int64_t d : t.dims()) v.shape.push_back(d);
  uint64_t n = checked_count(v.shape, lim.max_tensor_elems, what);
  const bool raw = t.has_raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (raw) {
        v.f = raw_le<float>(t.raw_data(), n, what);
      } else {
        if (static_cast<uint64_t>(t.float_data_size()) != n)
          fail(what + ": float_data has " + std::to_string(t.float_data_size()) + " values, shape " +
               shape_str(v.shape) + " needs " + std::to_string(n));
        v.f.assign(t.float_data().begin(), t.float_data().end());
      }
      for (float x : v.f)
        if (!std::isfinite(x)) fail(what + ": contains a non-finite value");
      break;
    case onnx::TensorProto::INT64:
      v.is_int = true;
      if (raw) {
        v.i = raw_le<int64_t>(t.raw_data(), n, what);
      } else {
        if (static_cast<uint64_t>(t.int64_data_size()) != n)
          fail(what + ": int64_data has " + std::to_string(t.int64_data_size()) + " values, needs " +
               std::to_string(n));
        v.i.assign(t.int64_data().begin(), t.int64_data().end());
      }
      break;
    case onnx::TensorProto::INT32: {
      v.is_int = true;
      if (raw) {
        auto w = raw_le<int32_t>(t.raw_data(), n, what);
        v.i.assign(w.begin(), w.end());
      } else {
        if (static_cast<uint64_t>(t.int32_data_size()) != n)
          fail(what + ": int32_data has " + std::to_string(t.int32_data_size()) + " values, needs " +
               std::to_string(n));
        v.i.assign(t.int32_data().begin(), t.int32_data().end());
      }
      break;
    }
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8: {
      // Quantized weights and zero points (QuantizeLinear/DequantizeLinear,
      // QLinearConv, QLinearMatMul); ops that compute in float refuse them.
      v.is_int = true;
      const bool u = t.data_type() == onnx::TensorProto::UINT8;
      if (raw) {
        if (t.raw_data().size() != n)
          fail(what + ": raw_data has " + std::to_string(t.raw_data().size()) + " bytes, expected " + std::to_string(n));
        for (char c : t.raw_data())
          v.i.push_back(u ? static_cast<int64_t>(static_cast<uint8_t>(c)) : static_cast<int64_t>(static_cast<int8_t>(c)));
      } else {
        if (static_cast<uint64_t>(t.int32_data_size()) != n)
          fail(what + ": int32_data has " + std::to_string(t.int32_data_size()) + " values, needs " + std::to_string(n));
        for (int32_t x : t.int32_data()) {
          if (x < (u ? 0 : -128) || x > (u ? 255 : 127))
            fail(what + ": value " + std::to_string(x) + " is out of range for " + dtype_name(t.data_type()));
          v.i.push_back(x);
        }
      }
      break;
    }
    default:
      fail(what + ": dtype " + dtype_name(t.data_type()) + " is not supported (float32; int8/uint8/int32 only as "
                  "quantized weights, zero points and biases)");
  }
  v.dtype = t.data_type();
  return v;
}

struct Importer {
  Importer(const onnx::ModelProto& m, std::string src, const ImportLimits& l)
      : model(m), source(std::move(src)), lim(l) {}
  const onnx::ModelProto& model;
  std::string source;
  ImportLimits lim;
  int64_t opset = 0;
  ml::Graph g;
  std::unordered_map<std::string, Val> vals;
  std::unordered_map<std::string, int> uses;  // consumers of each value (graph output counts)
  std::unordered_map<std::string, std::vector<int>> consumers;  // ONNX nodes reading each value
  std::unordered_map<std::string, int> producers;               // ONNX node writing each value
  std::vector<bool> fused_away;  // ONNX nodes already converted as part of a fused pattern
  // Set while an op that may read a quantized value is converted.
  bool allow_q_ = false;
  bool allow_qaxis_ = false;  // the same for a per-axis quantized value (DequantizeLinear)
  // Per node being converted, for errors.
  int node_index = 0;
  std::string node_name, node_op;

  [[noreturn]] void node_fail(const std::string& msg) const {
    fail(source + ": node " + std::to_string(node_index) + " '" + node_name + "' (" + node_op + "): " + msg);
  }

  // ---- attributes -------------------------------------------------------
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t def) const {
    auto* a = attr(n, name);
    if (!a) return def;
    if (a->type() != onnx::AttributeProto::INT) node_fail(std::string("attribute ") + name + " must be an int");
    return a->i();
  }
  float attr_float(const onnx::NodeProto& n, const char* name, float def) const {
    auto* a = attr(n, name);
    if (!a) return def;
    if (a->type() != onnx::AttributeProto::FLOAT) node_fail(std::string("attribute ") + name + " must be a float");
    return a->f();
  }
  std::string attr_str(const onnx::NodeProto& n, const char* name, const std::string& def) const {
    auto* a = attr(n, name);
    if (!a) return def;
    if (a->type() != onnx::AttributeProto::STRING) node_fail(std::string("attribute ") + name + " must be a string");
    return a->s();
  }
  std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const char* name) const {
    auto* a = attr(n, name);
    if (!a) return {};
    if (a->type() != onnx::AttributeProto::INTS) node_fail(std::string("attribute ") + name + " must be ints");
    return {a->ints().begin(), a->ints().end()};
  }
  bool has_attr(const onnx::NodeProto& n, const char* name) const { return attr(n, name) != nullptr; }

  // Rejects attributes this importer does not know for the op, so that no
  // attribute is silently ignored.
  void allow_attrs(const onnx::NodeProto& n, std::initializer_list<const char*> known) const {
    for (const auto& a : n.attribute()) {
      bool ok = false;
      for (const char* k : known) ok = ok || a.name() == k;
      if (!ok) {
        std::string list;
        for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
        node_fail("attribute '" + a.name() + "' is not supported" +
                  (list.empty() ? std::string(" (the op takes none)") : " (supported: " + list + ")"));
      }
    }
  }

  // ---- values -----------------------------------------------------------
  const Val& in(const onnx::NodeProto& n, int k) const {
    if (k >= n.input_size() || n.input(k).empty()) node_fail("missing input " + std::to_string(k));
    auto it = vals.find(n.input(k));
    if (it == vals.end()) node_fail("input '" + n.input(k) + "' is not produced by an earlier node");
    if (it->second.pad) pad_fail(n.input(k), *it->second.pad);
    if (it->second.qaxis && !allow_qaxis_)
      node_fail("input '" + n.input(k) + "' is quantized per axis (QuantizeLinear with " +
                std::to_string(it->second.qaxis->scale.size()) + " scales along axis " +
                std::to_string(it->second.qaxis->axis) + "); only DequantizeLinear reads a per-axis quantized "
                "activation (QLinear ops and the ops that move int8 values take one scale)");
    if (it->second.q && !allow_q_)
      node_fail("input '" + n.input(k) + "' is a quantized tensor (from QuantizeLinear or a QLinear op); only "
                "DequantizeLinear, QLinearConv, QLinearMatMul and Reshape, Flatten, Squeeze, Unsqueeze, Identity, "
                "MaxPool read it");
    return it->second;
  }
  [[noreturn]] void pad_fail(const std::string& name, const Val::Pad& p) const {
    node_fail("input '" + name + "' comes from Pad " + p.node +
              ", which is supported only directly before Conv, MaxPool or AveragePool (folded into their pads)");
  }
  // An activation input that may come from a pending Pad (Conv and pools).
  const Val& padded_in(const onnx::NodeProto& n, int k) const {
    if (k < n.input_size() && !n.input(k).empty()) {
      auto it = vals.find(n.input(k));
      if (it != vals.end() && it->second.pad) return it->second;
    }
    return runtime_in(n, k);
  }
  bool has_in(const onnx::NodeProto& n, int k) const { return k < n.input_size() && !n.input(k).empty(); }
  // By value: g.tensors grows while nodes are converted.
  std::vector<int64_t> shape_of(const Val& v) const {
    return v.is_const ? v.shape : g.tensors[v.tensor].shape;
  }
  const Val& const_in(const onnx::NodeProto& n, int k, const char* role) const {
    const Val& v = in(n, k);
    if (!v.is_const) node_fail(std::string(role) + " '" + n.input(k) + "' must be a constant");
    return v;
  }
  std::vector<float> floats_of(const Val& v, const char* role) const {
    if (v.is_int) node_fail(std::string(role) + " must be float32");
    return v.f;
  }
  const Val& runtime_in(const onnx::NodeProto& n, int k) const {
    const Val& v = in(n, k);
    if (v.is_const) node_fail("input '" + n.input(k) + "' is a constant where an activation is expected");
    return v;
  }

  int add_tensor(const std::string& name, std::vector<int64_t> shape, std::vector<float> data = {}) {
    checked_count(shape, lim.max_tensor_elems, source + ": tensor '" + name + "'");
    ml::Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.data = std::move(data);
    g.tensors.push_back(std::move(t));
    return static_cast<int>(g.tensors.size()) - 1;
  }
  int add_const(const std::string& name, std::vector<int64_t> shape, std::vector<float> data) {
    if (data.empty()) node_fail("constant '" + name + "' is empty");
    return add_tensor(name, std::move(shape), std::move(data));
  }
  // Emits a runtime node with one output named `out`.
  int emit(const onnx::NodeProto& n, ml::OpKind op, std::vector<int> inputs, std::vector<int64_t> out_shape,
           ml::Node attrs = {}) {
    for (int64_t d : out_shape)
      if (d <= 0) node_fail("output shape " + shape_str(out_shape) + " is empty");
    int t = add_tensor(n.output(0), std::move(out_shape));
    attrs.name = node_name;
    attrs.op = op;
    attrs.inputs = std::move(inputs);
    attrs.outputs = {t};
    g.nodes.push_back(std::move(attrs));
    Val v;
    v.tensor = t;
    v.producer = static_cast<int>(g.nodes.size()) - 1;
    int producer = v.producer;
    set_out(n, 0, std::move(v));
    return producer;
  }
  // A runtime node of the current ONNX node writing a new tensor `tname`
  // (a step inside a decomposition); the caller binds the result.
  Val add_node(ml::OpKind op, std::vector<int> inputs, const std::string& tname, std::vector<int64_t> shape,
               ml::Node attrs = {}) {
    for (int64_t d : shape)
      if (d <= 0) node_fail("tensor '" + tname + "' would have the empty shape " + shape_str(shape));
    int t = add_tensor(tname, std::move(shape));
    attrs.name = node_name;
    attrs.op = op;
    attrs.inputs = std::move(inputs);
    attrs.outputs = {t};
    g.nodes.push_back(std::move(attrs));
    Val v;
    v.tensor = t;
    v.producer = static_cast<int>(g.nodes.size()) - 1;
    return v;
  }
  // x[start : start + len] along `axis` (a Slice node, a copy of the range).
  Val slice_node(const Val& x, int64_t axis, int64_t start, int64_t len, const std::string& tname) {
    std::vector<int64_t> ys = shape_of(x);
    ys[static_cast<size_t>(axis)] = len;
    ml::Node nd;
    nd.axis = axis;
    nd.start = start;
    return add_node(ml::OpKind::Slice, {x.tensor}, tname, std::move(ys), std::move(nd));
  }
  void set_out(const onnx::NodeProto& n, int k, Val v) {
    if (k >= n.output_size() || n.output(k).empty()) return;
    if (vals.count(n.output(k))) node_fail("output '" + n.output(k) + "' is defined twice");
    vals[n.output(k)] = std::move(v);
  }
  void only_outputs(const onnx::NodeProto& n, int count) const {
    for (int k = count; k < n.output_size(); ++k)
      if (!n.output(k).empty()) node_fail("output " + std::to_string(k) + " ('" + n.output(k) + "') is not supported");
  }
  int use_count(const std::string& name) const {
    auto it = uses.find(name);
    return it == uses.end() ? 0 : it->second;
  }

  // ---- main -------------------------------------------------------------
  void check_header() {
    if (model.ir_version() < 3 || model.ir_version() > kMaxIrVersion)
      fail(source + ": ONNX IR version " + std::to_string(model.ir_version()) + " is not supported (3.." +
           std::to_string(kMaxIrVersion) + ")");
    for (const auto& o : model.opset_import()) {
      if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
    }
    if (opset == 0) fail(source + ": the model imports no default-domain (ai.onnx) opset");
    if (opset < kMinOpset || opset > kMaxOpset)
      fail(source + ": opset " + std::to_string(opset) + " is not supported (" + std::to_string(kMinOpset) + ".." +
           std::to_string(kMaxOpset) + ")");
    const auto& gp = model.graph();
    if (static_cast<uint64_t>(gp.node_size()) > lim.max_nodes)
      fail(source + ": " + std::to_string(gp.node_size()) + " nodes, more than the limit " +
           std::to_string(lim.max_nodes));
  }

  void run() {
    check_header();
    const auto& gp = model.graph();
    for (const auto& init : gp.initializer()) {
      if (init.name().empty()) fail(source + ": an initializer has no name");
      vals[init.name()] = tensor_to_val(init, source + ": initializer '" + init.name() + "'", lim);
    }
    for (int k = 0; k < gp.node_size(); ++k) {
      for (const auto& i : gp.node(k).input()) {
        ++uses[i];
        consumers[i].push_back(k);
      }
      for (const auto& o : gp.node(k).output()) producers[o] = k;
    }
    fused_away.assign(static_cast<size_t>(gp.node_size()), false);
    for (const auto& o : gp.output()) ++uses[o.name()];

    // The single runtime input: graph inputs that no initializer provides.
    for (const auto& vi : gp.input()) {
      if (vals.count(vi.name()) && vals[vi.name()].is_const) continue;
      if (g.input >= 0)
        fail(source + ": more than one graph input ('" + g.tensors[g.input].name + "', '" + vi.name() +
             "'); only one runtime input is supported");
      if (!vi.type().has_tensor_type()) fail(source + ": input '" + vi.name() + "' is not a tensor");
      const auto& tt = vi.type().tensor_type();
      if (tt.elem_type() != onnx::TensorProto::FLOAT)
        fail(source + ": input '" + vi.name() + "' has dtype " + dtype_name(tt.elem_type()) +
             "; only float32 is supported");
      if (!tt.has_shape()) fail(source + ": input '" + vi.name() + "' has no shape");
      std::vector<int64_t> shape;
      for (const auto& d : tt.shape().dim()) {
        if (!d.has_dim_value())
          fail(source + ": input '" + vi.name() + "' has a dynamic dimension '" + d.dim_param() +
               "'; export the model with fixed shapes (batch 1)");
        if (d.dim_value() <= 0) fail(source + ": input '" + vi.name() + "' has a dimension " +
                                     std::to_string(d.dim_value()));
        shape.push_back(d.dim_value());
      }
      if (shape.size() > 4) fail(source + ": input '" + vi.name() + "' has rank " + std::to_string(shape.size()) +
                                 "; at most 4 is supported");
      if (shape.empty()) fail(source + ": input '" + vi.name() + "' is a scalar; a tensor of rank 1 to 4 is needed");
      Val v;
      v.tensor = add_tensor(vi.name(), shape);
      g.input = v.tensor;
      vals[vi.name()] = std::move(v);
    }
    if (g.input < 0) fail(source + ": the graph has no runtime input");

    for (int k = 0; k < gp.node_size(); ++k) {
      const auto& n = gp.node(k);
      node_index = k;
      node_op = n.op_type();
      node_name = n.name().empty() ? n.op_type() + "_" + std::to_string(k) : n.name();
      if (!n.domain().empty() && n.domain() != "ai.onnx") node_fail("domain '" + n.domain() + "' is not supported");
      if (n.output_size() < 1 || n.output(0).empty()) node_fail("node has no output");
      if (fused_away[static_cast<size_t>(k)]) continue;
      if (fuse_pattern(k)) continue;
      convert(n);
    }

    if (gp.output_size() != 1)
      fail(source + ": the graph has " + std::to_string(gp.output_size()) + " outputs; exactly one is supported");
    auto it = vals.find(gp.output(0).name());
    if (it == vals.end()) fail(source + ": graph output '" + gp.output(0).name() + "' is never produced");
    if (it->second.is_const) {
      // Computed from initializers and shapes alone (e.g. ONNX's Shape of
      // the input): a constant output tensor, which the int8 model holds in
      // its file. Integer values must be exact in float32.
      const Val& c = it->second;
      std::vector<float> f = c.f;
      if (c.is_int) {
        f.clear();
        for (int64_t v : c.i) {
          if (v > (int64_t{1} << 24) || v < -(int64_t{1} << 24))
            fail(source + ": graph output '" + gp.output(0).name() + "' is the constant " + dtype_name(c.dtype) +
                 " value " + std::to_string(v) + ", not exact in the float32 output (|value| <= 2^24 is)");
          f.push_back(static_cast<float>(v));
        }
      }
      if (f.empty())
        fail(source + ": graph output '" + gp.output(0).name() + "' is an empty constant (zero-sized tensors are "
             "not supported)");
      it->second.tensor = add_tensor(gp.output(0).name(), c.shape.empty() ? std::vector<int64_t>{1} : c.shape,
                                     std::move(f));
      g.warnings.push_back(source + ": graph output '" + gp.output(0).name() + "' is a constant (computed from "
                           "initializers and shapes alone): the model's result does not depend on its input");
    }
    if (it->second.q || it->second.qaxis)
      fail(source + ": graph output '" + gp.output(0).name() +
           "' is a quantized (int8/uint8) tensor; end the graph with DequantizeLinear (the output is float32)");
    if (it->second.pad)
      fail(source + ": graph output '" + gp.output(0).name() + "' comes from Pad " + it->second.pad->node +
           "; a Pad is supported only directly before Conv, MaxPool or AveragePool (folded into their pads)");
    g.output = it->second.tensor;
    prune();
    requantize_axis_readers();
    spread_quant();
  }

  // Per-axis quantized activations (Tensor::axis_quant) are read only by
  // Requantize: every other reader gets the tensor requantized to one scale
  // and zero point that cover every index's int8 range, (-128 - zp[c]) s[c]
  // to (127 - zp[c]) s[c], so no calibration is needed and no value the
  // per-axis tensor holds is clipped.
  void requantize_axis_readers() {
    std::vector<int> one_scale(g.tensors.size(), -1);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (g.nodes[i].op == ml::OpKind::Requantize) continue;
      for (size_t k = 0; k < g.nodes[i].inputs.size(); ++k) {
        const int t = g.nodes[i].inputs[k];
        if (!g.tensors[static_cast<size_t>(t)].axis_quant.given()) continue;
        if (one_scale[static_cast<size_t>(t)] < 0) {
          const ml::AxisQuant aq = g.tensors[static_cast<size_t>(t)].axis_quant;
          double lo = 0, hi = 0;
          for (size_t c = 0; c < aq.scale.size(); ++c) {
            lo = std::min(lo, (-128.0 - aq.zero_point[c]) * aq.scale[c]);
            hi = std::max(hi, (127.0 - aq.zero_point[c]) * aq.scale[c]);
          }
          ml::QuantParams q;
          q.scale = static_cast<float>((hi - lo) / 255.0);
          q.zero_point = static_cast<int32_t>(std::clamp(std::round(-128.0 - lo / q.scale), -128.0, 127.0));
          const int u = add_tensor(g.tensors[static_cast<size_t>(t)].name + ".one_scale",
                                   g.tensors[static_cast<size_t>(t)].shape);
          g.tensors[static_cast<size_t>(u)].quant = q;
          ml::Node rq;
          rq.name = g.tensors[static_cast<size_t>(t)].name + ".one_scale";
          rq.op = ml::OpKind::Requantize;
          rq.inputs = {t};
          rq.outputs = {u};
          g.nodes.insert(g.nodes.begin() + static_cast<std::ptrdiff_t>(i), std::move(rq));
          ++i;  // the reader moved one on
          one_scale.resize(g.tensors.size(), -1);
          one_scale[static_cast<size_t>(t)] = u;
        }
        g.nodes[i].inputs[k] = one_scale[static_cast<size_t>(t)];
      }
    }
  }

  // Pre-quantized models give parameters where their QuantizeLinear nodes
  // sit, often after a Relu or a MaxPool only. Ops that move or clamp int8
  // values keep their input's parameters, so the given ones carry over to
  // their input (when nothing else reads it: a fused Conv + Relu then
  // quantizes with the Relu's) and to their output.
  void spread_quant() {
    auto moves = [](ml::OpKind k) {
      return k == ml::OpKind::Relu || k == ml::OpKind::Clip || k == ml::OpKind::MaxPool ||
             k == ml::OpKind::AveragePool || k == ml::OpKind::Reshape || k == ml::OpKind::Slice;
    };
    std::vector<int> readers(g.tensors.size(), 0);
    for (const auto& nd : g.nodes)
      for (int t : nd.inputs) ++readers[t];
    for (size_t i = g.nodes.size(); i-- > 0;) {
      const auto& nd = g.nodes[i];
      auto& x = g.tensors[nd.inputs[0]];
      const auto& y = g.tensors[nd.outputs[0]];
      if (moves(nd.op) && y.quant.given() && !x.quant.given() && !x.is_constant() && readers[nd.inputs[0]] == 1 &&
          nd.inputs[0] != g.output)
        x.quant = y.quant;
    }
    for (const auto& nd : g.nodes) {
      const auto& x = g.tensors[nd.inputs[0]];
      auto& y = g.tensors[nd.outputs[0]];
      if (moves(nd.op) && x.quant.given() && !y.quant.given()) y.quant = x.quant;
    }
  }

  // ---- quantized models (QDQ and QLinear ops) ---------------------------
  // Pins an activation's int8 parameters; a tensor quantized twice must be
  // quantized alike.
  void set_quant(int t, const ml::QuantParams& q, const std::string& name) {
    auto& have = g.tensors[t].quant;
    if (have.given() && !(have == q))
      node_fail("tensor '" + name + "' is quantized with scale " + std::to_string(q.scale) + ", zero point " +
                std::to_string(q.zero_point) + " here and with scale " + std::to_string(have.scale) + ", zero point " +
                std::to_string(have.zero_point) + " before");
    have = q;
  }

  // Scale and zero point inputs (k_scale, k_zp) of a quantize/dequantize:
  // one value each, or one per index of `axis` (len values; len 0: one value
  // only, an activation of a QLinear op). An absent zero
  // point is 0 of type uint8 (ONNX's default).
  struct QInputs {
    std::vector<float> scale;
    std::vector<int64_t> zp;
    bool is_uint8 = true;
  };
  QInputs q_inputs(const onnx::NodeProto& n, int k_scale, int k_zp, int64_t len, const char* what) {
    QInputs r;
    r.scale = floats_of(const_in(n, k_scale, "scale"), "scale");
    for (float f : r.scale)
      if (!(f > 0.0f) || !std::isfinite(f)) node_fail(std::string(what) + " scale " + std::to_string(f) + " is not a positive number");
    if (has_in(n, k_zp)) {
      const Val& z = const_in(n, k_zp, "zero point");
      if (!z.is_int || (z.dtype != onnx::TensorProto::UINT8 && z.dtype != onnx::TensorProto::INT8))
        node_fail(std::string(what) + " zero point must be int8 or uint8 (int16/int32 quantization is not supported)");
      r.zp = z.i;
      r.is_uint8 = z.dtype == onnx::TensorProto::UINT8;
    } else {
      r.zp.assign(r.scale.size(), 0);
    }
    if (r.zp.size() != r.scale.size())
      node_fail(std::string(what) + " has " + std::to_string(r.scale.size()) + " scales but " +
                std::to_string(r.zp.size()) + " zero points");
    if (r.scale.size() != 1 && len == 0)
      node_fail(std::string(what) + ": scale '" + n.input(k_scale) + "' has " + std::to_string(r.scale.size()) +
                " values (per axis), for an activation; the activation inputs and output of QLinearConv and "
                "QLinearMatMul take one scale and zero point (per-axis scales are supported for their constant "
                "weights, and on activations through QuantizeLinear/DequantizeLinear)");
    if (r.scale.size() != 1 && static_cast<int64_t>(r.scale.size()) != len)
      node_fail(std::string(what) + " has " + std::to_string(r.scale.size()) + " scales; 1 or " + std::to_string(len) +
                " (one per index of the axis) are supported");
    return r;
  }
  // One scale and zero point (int8) of parameters that q_inputs checked to
  // have one value.
  ml::QuantParams act_quant(const QInputs& qi) const {
    return {qi.scale.at(0), static_cast<int32_t>(qi.zp.at(0) - (qi.is_uint8 ? 128 : 0))};
  }
  void check_same_quant(const Val& x, const ml::QuantParams& want, const std::string& name) const {
    if (!(*x.q == want))
      node_fail("input '" + name + "' is quantized with scale " + std::to_string(x.q->scale) + ", zero point " +
                std::to_string(x.q->zero_point) + " (int8), but this node reads it with scale " +
                std::to_string(want.scale) + ", zero point " + std::to_string(want.zero_point));
  }
  // Length of the quantization axis of a value of `shape` for the scale
  // input k_scale: 1 for one scale (the axis attribute is ignored then).
  int64_t quant_axis_len(const onnx::NodeProto& n, int k_scale, const std::vector<int64_t>& shape, int64_t& axis) const {
    if (elem_count(const_in(n, k_scale, "scale").shape) == 1) return 1;
    return axis_len(shape, axis);
  }
  int64_t axis_len(const std::vector<int64_t>& shape, int64_t& axis) const {
    const int64_t r = static_cast<int64_t>(shape.size());
    if (axis < -r || axis >= std::max<int64_t>(r, 1)) node_fail("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(r));
    axis = norm_axis(axis, shape.size());
    return shape.empty() ? 1 : shape[static_cast<size_t>(axis)];
  }
  // Index along `axis` of element e of a row-major tensor of `shape`.
  static size_t axis_index(const std::vector<int64_t>& shape, int64_t axis, uint64_t e) {
    uint64_t inner = 1;
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= static_cast<uint64_t>(shape[d]);
    return static_cast<size_t>((e / inner) % static_cast<uint64_t>(shape[static_cast<size_t>(axis)]));
  }

  // Integer constant -> float (x - zp) * scale, as ONNX's DequantizeLinear;
  // keeps the scales when every x - zp fits int8 (the weights then keep the
  // model's integers), else warns that they will be re-quantized.
  Val dequantize_const(const Val& x, const QInputs& qi, int64_t axis, const std::string& name) {
    if (!x.is_int) node_fail("'" + name + "' is float32; DequantizeLinear reads an integer tensor");
    Val v;
    v.is_const = true;
    v.shape = x.shape;
    v.f.resize(x.i.size());
    int64_t lo = 0, hi = 0;
    for (size_t e = 0; e < x.i.size(); ++e) {
      const size_t c = qi.scale.size() == 1 ? 0 : axis_index(x.shape, axis, e);
      const int64_t d = x.i[e] - qi.zp[c];
      lo = std::min(lo, d);
      hi = std::max(hi, d);
      v.f[e] = static_cast<float>(d) * qi.scale[c];
    }
    if (lo >= -128 && hi <= 127) {
      v.wscale = Val::WScale{qi.scale, qi.scale.size() == 1 ? -1 : axis};
    } else if (x.dtype == onnx::TensorProto::INT8 || x.dtype == onnx::TensorProto::UINT8) {
      g.warnings.push_back(source + ": node " + std::to_string(node_index) + " '" + node_name + "' (" + node_op +
                           "): the integers of '" + name + "' minus their zero point span [" + std::to_string(lo) +
                           ", " + std::to_string(hi) + "], outside int8: as weights they are re-quantized "
                           "symmetrically (one more rounding than the model's)");
    }
    return v;
  }

  // The given scales of weights `w` in output-channel order, or none (the
  // quantizer then chooses): the scale axis must be the output channels'.
  std::vector<float> weight_scales(const Val& w, int64_t out_axis, int64_t m, const std::string& name) {
    if (!w.wscale) return {};
    const auto& ws = *w.wscale;
    if (ws.axis == -1) return ws.scale;
    if (ws.axis == out_axis && static_cast<int64_t>(ws.scale.size()) == m) return ws.scale;
    g.warnings.push_back(source + ": node " + std::to_string(node_index) + " '" + node_name + "' (" + node_op +
                         "): weights '" + name + "' are quantized along axis " + std::to_string(ws.axis) +
                         ", not the output channels' (axis " + std::to_string(out_axis) +
                         "): re-quantized per output channel");
    return {};
  }

  void op_quantize(const onnx::NodeProto& n) {
    if (opset >= 19) allow_attrs(n, {"axis", "saturate"});  // saturate: float8 outputs only
    else allow_attrs(n, {"axis"});
    only_outputs(n, 1);
    const Val& x = in(n, 0);
    int64_t axis = attr_int(n, "axis", 1);
    const int64_t len = quant_axis_len(n, 1, shape_of(x), axis);
    QInputs qi = q_inputs(n, 1, 2, len, "QuantizeLinear");
    if (x.is_const) {
      // Folded: round half to even, saturate (ONNX QuantizeLinear).
      auto f = floats_of(x, "x");
      Val v;
      v.is_const = v.is_int = true;
      v.shape = x.shape;
      v.dtype = qi.is_uint8 ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
      const double lo = qi.is_uint8 ? 0 : -128, hi = qi.is_uint8 ? 255 : 127;
      for (size_t e = 0; e < f.size(); ++e) {
        const size_t c = qi.scale.size() == 1 ? 0 : axis_index(x.shape, axis, e);
        const double q = std::nearbyint(static_cast<double>(f[e]) / qi.scale[c]) + static_cast<double>(qi.zp[c]);
        v.i.push_back(static_cast<int64_t>(std::clamp(q, lo, hi)));
      }
      set_out(n, 0, std::move(v));
      return;
    }
    if (qi.scale.size() != 1) return quantize_axis(n, x, qi, axis);
    const ml::QuantParams q{qi.scale[0], static_cast<int32_t>(qi.zp[0] - (qi.is_uint8 ? 128 : 0))};
    Val v = x;
    if (g.tensors[x.tensor].axis_quant.given()) {
      // A per-axis tensor (a per-axis DequantizeLinear's output) quantized
      // again with one scale: a Requantize to a tensor of its own.
      v = add_node(ml::OpKind::Requantize, {x.tensor}, n.output(0), shape_of(x));
      g.tensors[v.tensor].quant = q;
    } else {
      set_quant(x.tensor, q, n.input(0));
    }
    v.q = q;
    set_out(n, 0, std::move(v));
  }

  // QuantizeLinear of an activation with one scale and zero point per index
  // of `axis`. The graph input that only this node reads takes them itself
  // (the host quantizes each value with its index's parameters, as with one
  // scale); any other activation keeps one scale and a Requantize node moves
  // it to the per-axis parameters.
  void quantize_axis(const onnx::NodeProto& n, const Val& x, const QInputs& qi, int64_t axis) {
    const auto xs = shape_of(x);
    if (xs.size() > 4)
      node_fail("per-axis quantization of an activation of rank " + std::to_string(xs.size()) + " (at most 4)");
    ml::AxisQuant aq;
    aq.axis = axis;
    aq.scale = qi.scale;
    for (int64_t z : qi.zp) aq.zero_point.push_back(static_cast<int32_t>(z - (qi.is_uint8 ? 128 : 0)));
    ml::Tensor& xt = g.tensors[x.tensor];
    Val v = x;
    if (xt.axis_quant == aq) {
      // already quantized so (a QuantizeLinear after a DequantizeLinear of the same parameters)
    } else if (x.tensor == g.input && n.input(0) == xt.name && use_count(n.input(0)) == 1 && !xt.quant.given() &&
               !xt.axis_quant.given()) {
      xt.axis_quant = aq;
    } else {
      if (xt.axis_quant.given() && xt.axis_quant.axis != axis)
        node_fail("'" + n.input(0) + "' is quantized per axis along axis " + std::to_string(xt.axis_quant.axis) +
                  " and here along axis " + std::to_string(axis) + "; one axis per tensor is supported");
      v = add_node(ml::OpKind::Requantize, {x.tensor}, n.output(0), xs);
      g.tensors[v.tensor].axis_quant = aq;
    }
    v.qaxis = aq;
    set_out(n, 0, std::move(v));
  }

  void op_dequantize(const onnx::NodeProto& n) {
    allow_attrs(n, {"axis"});
    only_outputs(n, 1);
    allow_q_ = allow_qaxis_ = true;
    const Val& x = in(n, 0);
    allow_q_ = allow_qaxis_ = false;
    int64_t axis = attr_int(n, "axis", 1);
    const int64_t len = quant_axis_len(n, 1, shape_of(x), axis);
    if (x.is_const && x.dtype == onnx::TensorProto::INT32) {
      // int32 biases: scale only, zero point 0.
      if (has_in(n, 2)) {
        const Val& z = const_in(n, 2, "zero point");
        if (!z.is_int || std::any_of(z.i.begin(), z.i.end(), [](int64_t v) { return v != 0; }))
          node_fail("an int32 tensor's zero point must be 0");
      }
      QInputs qi;
      qi.scale = floats_of(const_in(n, 1, "scale"), "scale");
      if (qi.scale.size() != 1 && static_cast<int64_t>(qi.scale.size()) != len)
        node_fail("DequantizeLinear has " + std::to_string(qi.scale.size()) + " scales; 1 or " + std::to_string(len) +
                  " are supported");
      qi.zp.assign(qi.scale.size(), 0);
      set_out(n, 0, dequantize_const(x, qi, axis, n.input(0)));
      return;
    }
    QInputs qi = q_inputs(n, 1, 2, len, "DequantizeLinear");
    if (x.is_const) {
      if (x.is_int && x.dtype != onnx::TensorProto::INT8 && x.dtype != onnx::TensorProto::UINT8)
        node_fail("'" + n.input(0) + "' has dtype " + dtype_name(x.dtype) + "; int8, uint8 or int32 are supported");
      if (x.is_int && (x.dtype == onnx::TensorProto::UINT8) != qi.is_uint8)
        node_fail("'" + n.input(0) + "' and its zero point differ in type (int8 and uint8)");
      set_out(n, 0, dequantize_const(x, qi, axis, n.input(0)));
      return;
    }
    if (!x.q && !x.qaxis)
      node_fail("input '" + n.input(0) + "' is float32, not a quantized tensor (DequantizeLinear reads the output of "
                "QuantizeLinear or a QLinear op)");
    if (x.qaxis || qi.scale.size() != 1) {
      // Per axis: the same parameters as the QuantizeLinear that made x.
      ml::AxisQuant want;
      want.axis = qi.scale.size() == 1 ? -1 : axis;
      want.scale = qi.scale;
      for (int64_t z : qi.zp) want.zero_point.push_back(static_cast<int32_t>(z - (qi.is_uint8 ? 128 : 0)));
      auto describe = [](const ml::AxisQuant& a) {
        std::ostringstream d;
        d << "axis " << a.axis << ", scales";
        for (float f : a.scale) d << ' ' << f;
        d << ", zero points";
        for (int32_t z : a.zero_point) d << ' ' << z;
        return d.str();
      };
      if (!x.qaxis)
        node_fail("input '" + n.input(0) + "' is quantized with one scale, but this node reads it per axis (" +
                  describe(want) + ")");
      if (!(*x.qaxis == want))
        node_fail("input '" + n.input(0) + "' is quantized per axis with " + describe(*x.qaxis) +
                  " (int8), but this node reads it with " + (want.axis < 0 ? std::string("one scale") : describe(want)));
      Val v = x;
      v.qaxis.reset();
      set_out(n, 0, std::move(v));
      return;
    }
    check_same_quant(x, act_quant(qi), n.input(0));
    Val v = x;
    v.q.reset();
    set_out(n, 0, std::move(v));
  }

  // A QLinear op's quantized activation input k (scale k+1, zero point k+2).
  ml::QuantParams qlinear_act_in(const onnx::NodeProto& n, int k, const Val& x) {
    if (!x.q)
      node_fail("input '" + n.input(k) + "' is float32, not a quantized tensor (put a QuantizeLinear in front)");
    const ml::QuantParams want = act_quant(q_inputs(n, k + 1, k + 2, 0, n.op_type().c_str()));
    check_same_quant(x, want, n.input(k));
    return want;
  }
  // Marks a QLinear op's output quantized with its y_scale / y_zero_point.
  void qlinear_out(const onnx::NodeProto& n, int k_scale) {
    const ml::QuantParams q = act_quant(q_inputs(n, k_scale, k_scale + 1, 0, n.op_type().c_str()));
    Val& out = vals[n.output(0)];
    set_quant(out.tensor, q, n.output(0));
    out.q = q;
  }

  // QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B): a Conv
  // of the dequantized values, with the given parameters pinned.
  void op_qlinear_conv(const onnx::NodeProto& n) {
    allow_attrs(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
    only_outputs(n, 1);
    allow_q_ = true;
    const Val& x = padded_in(n, 0);
    allow_q_ = false;
    const ml::QuantParams qx = qlinear_act_in(n, 0, x);
    const Val& w = const_in(n, 3, "w");
    if (w.shape.size() != 4) node_fail("w must be 4-D [M,C/group,kh,kw], got " + shape_str(w.shape));
    const int64_t m = w.shape[0];
    int64_t axis = 0;
    QInputs qw = q_inputs(n, 4, 5, m, "w");
    Val wf = dequantize_const(w, qw, axis, n.input(3));
    std::vector<float> bias(static_cast<size_t>(m), 0.0f);
    if (has_in(n, 8)) {
      const Val& b = const_in(n, 8, "B");
      if (!b.is_int || b.dtype != onnx::TensorProto::INT32) node_fail("B must be int32");
      if (elem_count(b.shape) != static_cast<uint64_t>(m)) node_fail("B must have " + std::to_string(m) + " values");
      for (int64_t c = 0; c < m; ++c)
        bias[c] = static_cast<float>(static_cast<double>(b.i[c]) * qx.scale * qw.scale[qw.scale.size() == 1 ? 0 : c]);
    }
    conv_core(n, x, wf, std::move(bias), weight_scales(wf, 0, m, n.input(3)));
    qlinear_out(n, 6);
  }

  // QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) with a
  // constant b [K,N]: a Dense of the dequantized values.
  void op_qlinear_matmul(const onnx::NodeProto& n) {
    allow_attrs(n, {});
    only_outputs(n, 1);
    allow_q_ = true;
    const Val& a = runtime_in(n, 0);
    allow_q_ = false;
    qlinear_act_in(n, 0, a);
    const Val& b = const_in(n, 3, "b");
    if (b.shape.size() < 2) node_fail("b must have two dimensions at least, got " + shape_str(b.shape));
    const int64_t bcols = b.shape.back();
    QInputs qb = q_inputs(n, 4, 5, b.shape.size() == 2 ? bcols : 1, "b");
    const auto as = shape_of(a);
    const bool rows = as.size() == 2 || elem_count(std::vector<int64_t>(as.begin(), as.end() - 2)) == 1;
    if (b.shape.size() == 2 && rows) {
      // b's integers minus the zero point fit int8: a Dense with the model's
      // weights and scales (per column too).
      const size_t warned = g.warnings.size();
      Val bf = dequantize_const(b, qb, 1, n.input(3));
      if (bf.wscale || qb.scale.size() != 1) {
        matmul_core(n, a, bf);
        qlinear_out(n, 6);
        return;
      }
      g.warnings.resize(warned);  // the MatMul below keeps them exact
    }
    // A MatMul node whose B is an int8 constant with b's own scale and zero
    // point (a uint8 b moved down by 128): the kernel sums (a - za)(b - zb)
    // exactly whatever b's range, and a batch of b (3-D) is a batched MatMul.
    if (qb.scale.size() != 1)
      node_fail("b has per-column scales and " +
                (b.shape.size() > 2 ? "is batched " + shape_str(b.shape)
                                    : std::string("integers that leave int8 after subtracting its zero point")) +
                ": not supported (one scale for b, or per-column scales with b - zero point inside int8)");
    const size_t warned = g.warnings.size();
    Val bf = dequantize_const(b, qb, 1, n.input(3));
    g.warnings.resize(warned);  // b is not re-quantized here
    const ml::QuantParams qbp = act_quant(qb);
    int bt = add_const(n.input(3) + ".int8", b.shape, floats_of(bf, "b"));
    g.tensors[bt].quant = qbp;
    // Batches as MatMul of activations: equal, or one b for every batch of a.
    const std::vector<int64_t> la(as.begin(), as.end() - 2), lb(b.shape.begin(), b.shape.end() - 2);
    if (as.size() < 2 || as.back() != b.shape[b.shape.size() - 2])
      node_fail("shapes " + shape_str(as) + " x " + shape_str(b.shape) + " do not multiply");
    if (elem_count(la) != elem_count(lb) && elem_count(lb) != 1)
      node_fail("shapes " + shape_str(as) + " x " + shape_str(b.shape) + ": batches of a and b differ");
    std::vector<int64_t> out = la.size() >= lb.size() ? la : lb;
    out.push_back(as[as.size() - 2]);
    out.push_back(bcols);
    if (elem_count(lb) == 1 && elem_count(la) > 1) {
      // one b for every batch: repeat it as a constant
      std::vector<float> f = g.tensors[bt].data, r;
      for (uint64_t q = 0; q < elem_count(la); ++q) r.insert(r.end(), f.begin(), f.end());
      std::vector<int64_t> rs = la;
      rs.push_back(b.shape[b.shape.size() - 2]);
      rs.push_back(bcols);
      bt = add_const(n.input(3) + ".int8.repeated", rs, std::move(r));
      g.tensors[bt].quant = qbp;
    }
    emit(n, ml::OpKind::MatMul, {a.tensor, bt}, out);
    qlinear_out(n, 6);
  }


  // Keeps only nodes and tensors that the output depends on; renumbers.
  void prune() {
    std::vector<bool> live_t(g.tensors.size(), false), live_n(g.nodes.size(), false);
    std::vector<int> producer(g.tensors.size(), -1);
    for (size_t i = 0; i < g.nodes.size(); ++i) producer[g.nodes[i].outputs[0]] = static_cast<int>(i);
    live_t[g.output] = live_t[g.input] = true;
    for (size_t i = g.nodes.size(); i-- > 0;) {
      if (!live_t[g.nodes[i].outputs[0]]) continue;
      live_n[i] = true;
      for (int t : g.nodes[i].inputs) live_t[t] = true;
    }
    std::vector<int> remap(g.tensors.size(), -1);
    ml::Graph out;
    for (size_t t = 0; t < g.tensors.size(); ++t)
      if (live_t[t]) {
        remap[t] = static_cast<int>(out.tensors.size());
        out.tensors.push_back(std::move(g.tensors[t]));
      }
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (!live_n[i]) continue;
      ml::Node nd = std::move(g.nodes[i]);
      for (int& t : nd.inputs) t = remap[t];
      for (int& t : nd.outputs) t = remap[t];
      out.nodes.push_back(std::move(nd));
    }
    out.input = remap[g.input];
    out.output = remap[g.output];
    out.warnings = std::move(g.warnings);
    g = std::move(out);
  }

  // Broadcasts constant `c` to `shape` (numpy rules), materialised.
  std::vector<float> broadcast_to(const Val& c, const std::vector<int64_t>& shape) const {
    auto cf = floats_of(c, "constant operand");
    const auto& cs = c.shape;
    if (cs.size() > shape.size()) node_fail("cannot broadcast " + shape_str(cs) + " to " + shape_str(shape));
    size_t off = shape.size() - cs.size();
    for (size_t d = 0; d < cs.size(); ++d)
      if (cs[d] != 1 && cs[d] != shape[off + d])
        node_fail("cannot broadcast " + shape_str(cs) + " to " + shape_str(shape));
    uint64_t n = elem_count(shape);
    std::vector<float> out(n);
    std::vector<int64_t> idx(shape.size(), 0);
    for (uint64_t e = 0; e < n; ++e) {
      uint64_t src = 0;
      for (size_t d = 0; d < cs.size(); ++d) src = src * cs[d] + (cs[d] == 1 ? 0 : idx[off + d]);
      out[e] = cf[src];
      for (size_t d = shape.size(); d-- > 0;) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  static int64_t norm_axis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

  // Spatial attributes of Conv and the pools: kernel/strides/dilations/pads
  // for a 2-D NCHW input. auto_pad SAME_* becomes explicit pads here
  // (output ceil(H / s), the odd pad at the end for SAME_UPPER, at the
  // start for SAME_LOWER); ceil_mode (pools) gives the output one more row
  // or column where a last window starting inside the input or the top/left
  // pad fits (ONNX's rule: a window starting in the bottom/right pad is
  // dropped).
  void spatial(const onnx::NodeProto& n, ml::Node& nd, const std::vector<int64_t>& xs,
               std::vector<int64_t> kernel, std::vector<int64_t>& out_shape_hw, const Val::Pad* folded = nullptr) {
    if (xs.size() != 4)
      node_fail("input shape " + shape_str(xs) + " is not NCHW (only 2-D spatial ops are supported)");
    if (xs[0] != 1) node_fail("batch " + std::to_string(xs[0]) + " is not supported (batch 1 only)");
    auto ks = attr_ints(n, "kernel_shape");
    if (!ks.empty() && kernel.empty()) kernel = ks;
    if (!ks.empty() && ks != kernel) node_fail("kernel_shape " + shape_str(ks) + " does not match the weights");
    if (kernel.size() != 2) node_fail("kernel_shape must have 2 entries");
    if (kernel[0] < 1 || kernel[1] < 1) node_fail("kernel " + shape_str(kernel) + " is empty");
    auto dil = attr_ints(n, "dilations");
    if (dil.empty()) dil = {1, 1};
    if (dil.size() != 2 || dil[0] < 1 || dil[1] < 1 || dil[0] > 255 || dil[1] > 255)
      node_fail("dilations " + shape_str(dil) + " are invalid (2 values in 1..255)");
    const std::vector<int64_t> dk = {dil[0] * (kernel[0] - 1) + 1, dil[1] * (kernel[1] - 1) + 1};
    const std::string ap = attr_str(n, "auto_pad", "NOTSET");
    if (ap != "NOTSET" && ap != "VALID" && ap != "SAME_UPPER" && ap != "SAME_LOWER")
      node_fail("auto_pad=" + ap + " is not supported (NOTSET, VALID, SAME_UPPER or SAME_LOWER)");
    const bool ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
    auto st = attr_ints(n, "strides");
    if (st.empty()) st = {1, 1};
    if (st.size() != 2 || st[0] < 1 || st[1] < 1) node_fail("strides " + shape_str(st) + " are invalid");
    // The op's input as ONNX sees it: the tensor plus a folded Pad's rows.
    std::vector<int64_t> in_hw = {xs[2], xs[3]};
    if (folded) in_hw = {xs[2] + folded->hw[0] + folded->hw[2], xs[3] + folded->hw[1] + folded->hw[3]};
    auto pads = attr_ints(n, "pads");
    if (pads.empty() || ap != "NOTSET") pads = {0, 0, 0, 0};
    if (pads.size() != 4) node_fail("pads " + shape_str(pads) + " must have 4 entries");
    if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
      for (int a = 0; a < 2; ++a) {
        const int64_t out = (in_hw[a] + st[a] - 1) / st[a];
        const int64_t total = std::max<int64_t>(0, (out - 1) * st[a] + dk[a] - in_hw[a]);
        const int64_t small = total / 2, large = total - small;
        pads[a] = ap == "SAME_UPPER" ? small : large;
        pads[a + 2] = ap == "SAME_UPPER" ? large : small;
      }
    }
    for (int64_t p : pads)
      if (p < 0) node_fail("negative pads " + shape_str(pads) + " are not supported");
    const std::vector<int64_t> own = pads;
    std::string with;
    if (folded) {
      for (int k = 0; k < 4; ++k) pads[k] += folded->hw[k];
      with = " (with Pad " + folded->node + " folded in)";
    }
    const bool dilated = dil[0] > 1 || dil[1] > 1;
    const std::string kname = dilated ? "dilated kernel " + shape_str(dk) : "kernel " + shape_str(kernel);
    // ONNX pads are [top, left, bottom, right] = [x1_begin, x2_begin, x1_end, x2_end].
    if (pads[0] >= dk[0] || pads[2] >= dk[0] || pads[1] >= dk[1] || pads[3] >= dk[1])
      node_fail("pads " + shape_str(pads) + with + " must be smaller than the " + kname);
    if (xs[2] + pads[0] + pads[2] < dk[0] || xs[3] + pads[1] + pads[3] < dk[1])
      node_fail(kname + " is larger than the padded input " + shape_str(xs));
    std::vector<int64_t> out(2);
    for (int a = 0; a < 2; ++a) {
      const int64_t span = xs[2 + a] + pads[a] + pads[a + 2] - dk[a];
      out[a] = span / st[a] + 1;
      if (!ceil_mode || span % st[a] == 0) continue;
      // The extra window must start inside the input or the top/left pad.
      // With a Pad folded in, ONNX measures that against the Pad's output
      // (its rows are input there); the merged pool cannot keep a window
      // that starts in the Pad's bottom/right rows. torch's AvgPool2d
      // (padding, ceil_mode, count_include_pad) export never has one.
      const bool keep = out[a] * st[a] < xs[2 + a] + pads[a];
      if (keep != (out[a] * st[a] < in_hw[a] + own[a]))
        node_fail("ceil_mode=1: the last window would start in the bottom/right rows of Pad " + folded->node +
                  ", which cannot be folded into the pool");
      if (keep) ++out[a];
    }
    nd.kernel = kernel;
    nd.strides = st;
    nd.pads = pads;
    if (dilated) nd.dilations = dil;
    out_shape_hw = out;
  }

  // Ops that only move values keep a quantized input quantized: the output
  // is quantized with the same parameters (in the int8 model they keep their
  // input's scale anyway).
  void convert(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    static const char* kMovers[] = {"Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "MaxPool"};
    const bool mover = std::any_of(std::begin(kMovers), std::end(kMovers), [&](const char* m) { return op == m; });
    if (mover && has_in(n, 0)) {
      auto it = vals.find(n.input(0));
      if (it != vals.end() && it->second.q) {
        const ml::QuantParams q = *it->second.q;
        allow_q_ = true;
        convert_op(n);
        allow_q_ = false;
        Val& out = vals[n.output(0)];
        out.q = q;
        if (!out.is_const) set_quant(out.tensor, q, n.output(0));
        return;
      }
    }
    convert_op(n);
  }

  void convert_op(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (op == "QuantizeLinear") return op_quantize(n);
    if (op == "DequantizeLinear") return op_dequantize(n);
    if (op == "QLinearConv") return op_qlinear_conv(n);
    if (op == "QLinearMatMul") return op_qlinear_matmul(n);
    if (op == "Constant") return op_constant(n);
    if (op == "Identity") {
      allow_attrs(n, {});
      set_out(n, 0, in(n, 0));
      return;
    }
    if (op == "Dropout") return op_dropout(n);
    if (op == "Shape") return op_shape(n);
    if (op == "Gather") return op_gather(n);
    if (op == "Unsqueeze" || op == "Squeeze") return op_squeeze(n, op == "Unsqueeze");
    if (op == "Concat") return op_concat(n);
    if (op == "Split") return op_split(n);
    if (op == "Cast") return op_cast(n);
    if (op == "Transpose") return op_transpose(n);
    if (op == "ConstantOfShape") return op_constant_of_shape(n);
    if (op == "Slice") return op_slice(n);
    if (op == "Reshape") return op_reshape(n);
    if (op == "Flatten") return op_flatten(n);
    if (op == "Gemm") return op_gemm(n);
    if (op == "MatMul") return op_matmul(n);
    if (op == "Conv") return op_conv(n);
    if (op == "ConvTranspose") return op_conv_transpose(n);
    if (op == "Pad") return op_pad(n);
    if (op == "BatchNormalization") return op_batchnorm(n);
    if (op == "Relu") {
      allow_attrs(n, {});
      only_outputs(n, 1);
      const Val& x = runtime_in(n, 0);
      emit(n, ml::OpKind::Relu, {x.tensor}, shape_of(x));
      return;
    }
    if (op == "Clip") return op_clip(n);
    if (op == "Sigmoid" || op == "Tanh" || op == "LeakyRelu" || op == "HardSigmoid" || op == "HardSwish" ||
        op == "Elu")
      return op_pointwise(n);
    if (op == "MaxPool" || op == "AveragePool") return op_pool(n, op == "MaxPool");
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return op_global_pool(n, op == "GlobalMaxPool");
    if (op == "Add" || op == "Mul" || op == "Sub" || op == "Div") return op_binary(n);
    if (op == "Softmax") return op_softmax(n);
    if (op == "LayerNormalization") return op_layernorm(n);
    if (op == "Gelu") return op_gelu(n);
    if (op == "ReduceMean" || op == "Erf" || op == "Sqrt" || op == "Pow")
      node_fail("op " + op + " is supported only inside a LayerNorm over the last axis ((x - mean) / sqrt(var + "
                "eps), then * gamma + beta) or a GELU (Erf or tanh form) written with elementwise ops, and this node "
                "is not part of one (an intermediate value read elsewhere, another function, or another axis)");
    if (op == "ArgMax") return op_argmax(n);
    node_fail("op " + op + " is not supported; supported ops: " + kSupportedOps +
              " (docs/ML_IMPORT.md lists each op's limits)");
  }

  void op_constant(const onnx::NodeProto& n) {
    if (n.attribute_size() != 1) node_fail("Constant needs exactly one value attribute");
    const auto& a = n.attribute(0);
    Val v;
    v.is_const = true;
    if (a.name() == "value") {
      v = tensor_to_val(a.t(), source + ": node " + std::to_string(node_index) + " '" + node_name + "' (Constant)", lim);
    } else if (a.name() == "value_float") {
      v.f = {a.f()};
    } else if (a.name() == "value_floats") {
      v.f.assign(a.floats().begin(), a.floats().end());
      v.shape = {static_cast<int64_t>(v.f.size())};
    } else if (a.name() == "value_int") {
      v.is_int = true;
      v.i = {a.i()};
    } else if (a.name() == "value_ints") {
      v.is_int = true;
      v.i.assign(a.ints().begin(), a.ints().end());
      v.shape = {static_cast<int64_t>(v.i.size())};
    } else {
      node_fail("attribute '" + a.name() + "' is not supported");
    }
    set_out(n, 0, std::move(v));
  }

  void op_dropout(const onnx::NodeProto& n) {
    allow_attrs(n, {"ratio", "seed", "is_test"});
    if (has_in(n, 2)) {
      const Val& tm = const_in(n, 2, "training_mode");
      bool training = tm.is_int ? (!tm.i.empty() && tm.i[0]) : (!tm.f.empty() && tm.f[0] != 0.0f);
      if (training) node_fail("training_mode=true is not supported (inference only)");
    }
    if (n.output_size() > 1 && !n.output(1).empty() && use_count(n.output(1)) > 0)
      node_fail("the mask output is not supported");
    set_out(n, 0, in(n, 0));  // inference: identity
  }

  void op_shape(const onnx::NodeProto& n) {
    allow_attrs(n, {"start", "end"});
    const auto& s = shape_of(in(n, 0));
    int64_t r = static_cast<int64_t>(s.size());
    int64_t b = attr_int(n, "start", 0), e = attr_int(n, "end", r);
    b = std::clamp(b < 0 ? b + r : b, int64_t{0}, r);
    e = std::clamp(e < 0 ? e + r : e, int64_t{0}, r);
    Val v;
    v.is_const = v.is_int = true;
    if (e > b) v.i.assign(s.begin() + b, s.begin() + e);
    v.shape = {static_cast<int64_t>(v.i.size())};
    set_out(n, 0, std::move(v));
  }

  void op_gather(const onnx::NodeProto& n) {
    allow_attrs(n, {"axis"});
    if (!in(n, 0).is_const) return gather_activation(n);
    const Val& d = const_in(n, 0, "data");
    const Val& ix = const_in(n, 1, "indices");
    if (!ix.is_int) node_fail("indices must be integers");
    if (d.shape.empty()) node_fail("data must have rank >= 1");
    int64_t axis = norm_axis(attr_int(n, "axis", 0), d.shape.size());
    if (axis < 0 || axis >= static_cast<int64_t>(d.shape.size())) node_fail("axis out of range");
    int64_t outer = 1, inner = 1, dim = d.shape[axis];
    for (int64_t k = 0; k < axis; ++k) outer *= d.shape[k];
    for (size_t k = axis + 1; k < d.shape.size(); ++k) inner *= d.shape[k];
    Val v;
    v.is_const = true;
    v.is_int = d.is_int;
    v.shape.assign(d.shape.begin(), d.shape.begin() + axis);
    v.shape.insert(v.shape.end(), ix.shape.begin(), ix.shape.end());
    v.shape.insert(v.shape.end(), d.shape.begin() + axis + 1, d.shape.end());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j : ix.i) {
        if (j < -dim || j >= dim) node_fail("index " + std::to_string(j) + " out of range");
        if (j < 0) j += dim;
        for (int64_t q = 0; q < inner; ++q) {
          size_t src = static_cast<size_t>((o * dim + j) * inner + q);
          if (d.is_int) v.i.push_back(d.i[src]); else v.f.push_back(d.f[src]);
        }
      }
    set_out(n, 0, std::move(v));
  }

  void op_squeeze(const onnx::NodeProto& n, bool unsq) {
    allow_attrs(n, {"axes"});
    std::vector<int64_t> axes = attr_ints(n, "axes");
    if (has_in(n, 1)) {
      const Val& a = const_in(n, 1, "axes");
      if (!a.is_int) node_fail("axes must be integers");
      axes = a.i;
    }
    const Val& x = in(n, 0);
    std::vector<int64_t> s = shape_of(x);
    std::vector<int64_t> out;
    if (unsq) {
      size_t r = s.size() + axes.size();
      std::vector<bool> is_new(r, false);
      for (int64_t a : axes) {
        a = norm_axis(a, r);
        if (a < 0 || a >= static_cast<int64_t>(r) || is_new[a]) node_fail("bad axes");
        is_new[a] = true;
      }
      size_t k = 0;
      for (size_t d = 0; d < r; ++d) out.push_back(is_new[d] ? 1 : s[k++]);
    } else {
      std::vector<bool> drop(s.size(), axes.empty());
      for (int64_t a : axes) {
        a = norm_axis(a, s.size());
        if (a < 0 || a >= static_cast<int64_t>(s.size()) || s[a] != 1) node_fail("bad axes");
        drop[a] = true;
      }
      for (size_t d = 0; d < s.size(); ++d)
        if (!(drop[d] && s[d] == 1)) out.push_back(s[d]);
    }
    reshape_to(n, x, out);
  }

  // Output = x with a new shape (same element count): a constant is re-shaped
  // in place, an activation gets a Reshape node.
  void reshape_to(const onnx::NodeProto& n, const Val& x, const std::vector<int64_t>& shape) {
    // Checked first: a crafted shape could overflow elem_count into a match.
    checked_count(shape, lim.max_tensor_elems, source + ": node " + std::to_string(node_index) + " '" + node_name + "' (" + node_op + "): shape");
    if (elem_count(shape) != elem_count(shape_of(x)))
      node_fail("cannot reshape " + shape_str(shape_of(x)) + " to " + shape_str(shape));
    if (x.is_const) {
      Val v = x;
      v.shape = shape;
      set_out(n, 0, std::move(v));
      return;
    }
    if (shape.size() > 6) node_fail("rank " + std::to_string(shape.size()) + " is not supported (at most 6)");
    emit(n, ml::OpKind::Reshape, {x.tensor}, shape);
  }

  // Split of an activation: one Slice node per output (a copy of its
  // range); outputs nothing reads are pruned at the end.
  void op_split(const onnx::NodeProto& n) {
    std::vector<int64_t> parts;
    if (opset < 13) {
      allow_attrs(n, {"axis", "split"});
      parts = attr_ints(n, "split");
    } else {
      if (opset >= 18) allow_attrs(n, {"axis", "num_outputs"});
      else allow_attrs(n, {"axis"});
      if (has_in(n, 1)) {
        if (has_attr(n, "num_outputs")) node_fail("split and num_outputs must not both be given");
        const Val& sv = const_in(n, 1, "split");
        if (!sv.is_int) node_fail("split must be int64");
        parts = sv.i;
      }
    }
    const Val& x = runtime_in(n, 0);
    const auto xs = shape_of(x);
    const int64_t rank = static_cast<int64_t>(xs.size());
    int64_t axis = attr_int(n, "axis", 0);
    if (axis < -rank || axis >= rank) node_fail("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
    axis = norm_axis(axis, xs.size());
    const int64_t outs = n.output_size();
    if (parts.empty() && has_attr(n, "num_outputs")) {
      // Opset 18: num_outputs parts of ceil(dim / num_outputs), the last smaller.
      const int64_t k = attr_int(n, "num_outputs", 0);
      if (k != outs)
        node_fail("num_outputs=" + std::to_string(k) + " but the node has " + std::to_string(outs) + " outputs");
      const int64_t each = (xs[axis] + k - 1) / k;
      for (int64_t q = 0; q < k; ++q) parts.push_back(std::min(each, xs[axis] - q * each));
    }
    if (parts.empty()) {
      if (xs[axis] % outs != 0)
        node_fail("axis " + std::to_string(axis) + " of " + shape_str(xs) + " does not split into " +
                  std::to_string(outs) + " equal parts");
      parts.assign(static_cast<size_t>(outs), xs[axis] / outs);
    }
    if (static_cast<int64_t>(parts.size()) != outs)
      node_fail("split " + shape_str(parts) + " has " + std::to_string(parts.size()) + " parts for " +
                std::to_string(outs) + " outputs");
    int64_t total = 0;
    for (int64_t p : parts) {
      if (p <= 0) node_fail("split " + shape_str(parts) + " has an empty part (zero-sized tensors are not supported)");
      total += p;
    }
    if (total != xs[axis])
      node_fail("split " + shape_str(parts) + " does not add up to the " + std::to_string(xs[axis]) + " values of axis " +
                std::to_string(axis));
    int64_t start = 0;
    for (int64_t k = 0; k < outs; ++k) {
      const int64_t len = parts[static_cast<size_t>(k)];
      if (!n.output(static_cast<int>(k)).empty()) {
        std::vector<int64_t> ys = xs;
        ys[axis] = len;
        int t = add_tensor(n.output(static_cast<int>(k)), ys);
        ml::Node nd;
        nd.name = node_name + (outs > 1 ? ":" + std::to_string(k) : "");
        nd.op = ml::OpKind::Slice;
        nd.inputs = {x.tensor};
        nd.outputs = {t};
        nd.axis = axis;
        nd.start = start;
        g.nodes.push_back(std::move(nd));
        Val v;
        v.tensor = t;
        v.producer = static_cast<int>(g.nodes.size()) - 1;
        set_out(n, static_cast<int>(k), std::move(v));
      }
      start += len;
    }
  }

  void op_concat(const onnx::NodeProto& n) {
    allow_attrs(n, {"axis"});
    for (int k = 0; k < n.input_size(); ++k)
      if (!in(n, k).is_const) return concat_activations(n);
    const Val& first = const_in(n, 0, "input");
    int64_t axis = norm_axis(attr_int(n, "axis", 0), first.shape.size());
    if (first.shape.size() != 1 || axis != 0) node_fail("only 1-D constant Concat (shape arithmetic) is supported");
    Val v;
    v.is_const = true;
    v.is_int = first.is_int;
    for (int k = 0; k < n.input_size(); ++k) {
      const Val& p = const_in(n, k, "input");
      if (p.is_int != v.is_int || p.shape.size() != 1) node_fail("inputs must be 1-D constants of one dtype");
      v.i.insert(v.i.end(), p.i.begin(), p.i.end());
      v.f.insert(v.f.end(), p.f.begin(), p.f.end());
    }
    v.shape = {static_cast<int64_t>(v.is_int ? v.i.size() : v.f.size())};
    set_out(n, 0, std::move(v));
  }

  // Concat with an activation among its inputs: a runtime Concat node
  // (constant inputs become constant tensors of the graph).
  void concat_activations(const onnx::NodeProto& n) {
    only_outputs(n, 1);
    if (n.input_size() < 2) {
      set_out(n, 0, in(n, 0));  // one input: a copy
      return;
    }
    std::vector<int64_t> out = shape_of(in(n, 0));
    const int64_t rank = static_cast<int64_t>(out.size());
    if (!has_attr(n, "axis")) node_fail("the axis attribute is required");
    int64_t axis = attr_int(n, "axis", 0);
    if (axis < -rank || axis >= rank) node_fail("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
    axis = norm_axis(axis, out.size());
    std::vector<int> inputs;
    for (int k = 0; k < n.input_size(); ++k) {
      const Val& v = in(n, k);
      const auto s = shape_of(v);
      if (s.size() != out.size())
        node_fail("input " + std::to_string(k) + " has shape " + shape_str(s) + ", input 0 has rank " + std::to_string(rank));
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && s[d] != out[d])
          node_fail("input " + std::to_string(k) + " has shape " + shape_str(s) + ", which differs from " +
                    shape_str(shape_of(in(n, 0))) + " outside axis " + std::to_string(axis));
      if (k > 0) out[axis] += s[axis];
      inputs.push_back(v.is_const ? add_const(n.output(0) + ".in" + std::to_string(k), s, floats_of(v, "input"))
                                  : v.tensor);
    }
    ml::Node nd;
    nd.axis = axis;
    emit(n, ml::OpKind::Concat, std::move(inputs), out, std::move(nd));
  }

  // ConstantOfShape (constant shape): a filled constant. torch computes
  // Pad's pads with it.
  void op_constant_of_shape(const onnx::NodeProto& n) {
    allow_attrs(n, {"value"});
    const Val& sv = const_in(n, 0, "shape");
    if (!sv.is_int || sv.shape.size() > 1) node_fail("shape must be a 1-D integer tensor");
    Val v;
    v.is_const = true;
    v.shape = sv.i;
    const uint64_t cnt = checked_count(v.shape, lim.max_tensor_elems, source + ": node " + std::to_string(node_index) +
                                                                          " '" + node_name + "' (ConstantOfShape)");
    Val fill;
    fill.f = {0.0f};
    if (auto* a = attr(n, "value")) {
      if (a->type() != onnx::AttributeProto::TENSOR) node_fail("attribute value must be a tensor");
      fill = tensor_to_val(a->t(), source + ": node " + std::to_string(node_index) + " '" + node_name + "' value", lim);
      if ((fill.is_int ? fill.i.size() : fill.f.size()) != 1) node_fail("value must hold one element");
    }
    v.is_int = fill.is_int;
    if (v.is_int) v.i.assign(cnt, fill.i[0]); else v.f.assign(cnt, fill.f[0]);
    set_out(n, 0, std::move(v));
  }

  // Slice of a constant (shape arithmetic, e.g. torch's reversal of Pad's
  // pads with step -1) is folded with ONNX's clamping rules; of an
  // activation (torch's x[:, 1:], x[..., :k]) it becomes one Slice node per
  // axis whose range is not the whole axis: a range of consecutive indices,
  // so step 1 (or a step that picks one index).
  void op_slice(const onnx::NodeProto& n) {
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset < 10) {
      allow_attrs(n, {"starts", "ends", "axes"});
      starts = attr_ints(n, "starts");
      ends = attr_ints(n, "ends");
      axes = attr_ints(n, "axes");
    } else {
      allow_attrs(n, {});
      auto ints = [&](int k, const char* role) {
        const Val& v = const_in(n, k, role);
        if (!v.is_int) node_fail(std::string(role) + " must be integers");
        return v.i;
      };
      starts = ints(1, "starts");
      ends = ints(2, "ends");
      if (has_in(n, 3)) axes = ints(3, "axes");
      if (has_in(n, 4)) steps = ints(4, "steps");
    }
    const Val& x = in(n, 0);
    const std::vector<int64_t> xs = shape_of(x);
    const size_t r = xs.size();
    if (axes.empty())
      for (size_t d = 0; d < starts.size(); ++d) axes.push_back(static_cast<int64_t>(d));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      node_fail("starts, ends, axes and steps must have the same length");
    // Per axis, the list of source indices (ONNX clamping rules).
    std::vector<std::vector<int64_t>> pick(r);
    std::vector<bool> done(r, false);
    for (size_t k = 0; k < starts.size(); ++k) {
      int64_t a = norm_axis(axes[k], r);
      if (a < 0 || a >= static_cast<int64_t>(r) || done[a]) node_fail("axes " + shape_str(axes) + " are invalid");
      done[a] = true;
      const int64_t dim = xs[a];
      if (steps[k] == 0) node_fail("step 0 is not allowed");
      // A step longer than the axis picks one index; clamping it keeps i + st from overflowing.
      const int64_t st = std::clamp<int64_t>(steps[k], -dim - 1, dim + 1);
      int64_t b = starts[k], e = ends[k];
      if (b < 0) b += dim;
      if (e < 0) e += dim;
      if (st > 0) {
        b = std::clamp<int64_t>(b, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        for (int64_t i = b; i < e; i += st) pick[a].push_back(i);
      } else if (dim > 0) {
        b = std::clamp<int64_t>(b, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        for (int64_t i = b; i > e; i += st) pick[a].push_back(i);
      }
    }
    if (!x.is_const) return slice_activation(n, x, pick, done, steps, axes);
    Val v;
    v.is_const = true;
    v.is_int = x.is_int;
    for (size_t d = 0; d < r; ++d) {
      if (!done[d])
        for (int64_t i = 0; i < x.shape[d]; ++i) pick[d].push_back(i);
      v.shape.push_back(static_cast<int64_t>(pick[d].size()));
    }
    const uint64_t cnt = elem_count(v.shape);
    std::vector<size_t> idx(r, 0);
    for (uint64_t e = 0; e < cnt; ++e) {
      int64_t src = 0;
      for (size_t d = 0; d < r; ++d) src = src * x.shape[d] + pick[d][idx[d]];
      if (x.is_int) v.i.push_back(x.i[src]); else v.f.push_back(x.f[src]);
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < pick[d].size()) break;
        idx[d] = 0;
      }
    }
    set_out(n, 0, std::move(v));
  }

  void slice_activation(const onnx::NodeProto& n, const Val& x, const std::vector<std::vector<int64_t>>& pick,
                        const std::vector<bool>& done, const std::vector<int64_t>& steps,
                        const std::vector<int64_t>& axes) {
    only_outputs(n, 1);
    const std::vector<int64_t> xs = shape_of(x);
    if (xs.size() > 4)
      node_fail("Slice of an activation of rank " + std::to_string(xs.size()) + " " + shape_str(xs) +
                " is not supported (rank <= 4)");
    Val cur = x;
    int last = -1;
    for (size_t d = 0; d < xs.size(); ++d)
      if (done[d] && static_cast<int64_t>(pick[d].size()) != xs[d]) last = static_cast<int>(d);
    for (size_t d = 0; d < xs.size(); ++d) {
      if (!done[d]) continue;
      const auto& p = pick[d];
      if (p.empty())
        node_fail("the slice of axis " + std::to_string(d) + " is empty (zero-sized tensors are not supported)");
      for (size_t i = 1; i < p.size(); ++i)
        if (p[i] != p[0] + static_cast<int64_t>(i))
          node_fail("steps " + shape_str(steps) + " on axes " + shape_str(axes) +
                    " are not supported on an activation (step 1 only: a range of consecutive indices)");
      if (static_cast<int64_t>(p.size()) == xs[d]) continue;  // the whole axis
      const std::string tname = static_cast<int>(d) == last ? n.output(0) : n.output(0) + ".axis" + std::to_string(d);
      cur = slice_node(cur, static_cast<int64_t>(d), p[0], static_cast<int64_t>(p.size()), tname);
    }
    set_out(n, 0, cur);
  }

  // Transpose: folded on constants; on an activation only when it keeps the
  // data in memory order (it moves size-1 axes only), as a Reshape.
  void op_transpose(const onnx::NodeProto& n) {
    allow_attrs(n, {"perm"});
    only_outputs(n, 1);
    const Val& x = in(n, 0);
    const std::vector<int64_t> xs = shape_of(x);
    const size_t r = xs.size();
    std::vector<int64_t> perm = attr_ints(n, "perm");
    if (!has_attr(n, "perm"))
      for (size_t d = r; d-- > 0;) perm.push_back(static_cast<int64_t>(d));  // default: reverse the axes
    std::vector<bool> seen(r, false);
    if (perm.size() != r) node_fail("perm " + shape_str(perm) + " does not have one entry per axis of " + shape_str(xs));
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(r) || seen[p]) node_fail("perm " + shape_str(perm) + " is not a permutation");
      seen[p] = true;
    }
    std::vector<int64_t> out(r);
    for (size_t d = 0; d < r; ++d) out[d] = xs[perm[d]];
    if (x.is_const) {
      Val v = x;
      v.shape = out;
      std::vector<int64_t> in_stride(r, 1);
      for (size_t d = r; d-- > 1;) in_stride[d - 1] = in_stride[d] * xs[d];
      const uint64_t cnt = elem_count(out);
      std::vector<int64_t> idx(r, 0);
      for (uint64_t e = 0; e < cnt; ++e) {
        int64_t src = 0;
        for (size_t d = 0; d < r; ++d) src += idx[d] * in_stride[perm[d]];
        if (x.is_int) v.i[e] = x.i[src]; else v.f[e] = x.f[src];
        for (size_t d = r; d-- > 0;) {
          if (++idx[d] < out[d]) break;
          idx[d] = 0;
        }
      }
      set_out(n, 0, std::move(v));
      return;
    }
    int64_t last = -1;
    bool moves = false;
    for (int64_t p : perm) {
      if (xs[p] == 1) continue;
      if (p < last) moves = true;
      last = p;
    }
    if (!moves) return reshape_to(n, x, out);  // axes of size 1 move: the bytes stay in place
    if (r > 6) node_fail("rank " + std::to_string(r) + " is not supported (at most 6)");
    ml::Node nd;
    nd.perm = perm;
    emit(n, ml::OpKind::Transpose, {x.tensor}, out, std::move(nd));
  }

  void op_cast(const onnx::NodeProto& n) {
    if (opset >= 19) allow_attrs(n, {"to", "saturate"});  // saturate: float8 targets only
    else allow_attrs(n, {"to"});
    const Val& x = in(n, 0);
    int64_t to = attr_int(n, "to", 0);
    if (!x.is_const) {
      if (to != onnx::TensorProto::FLOAT) node_fail("Cast of an activation to " + std::string(dtype_name(static_cast<int>(to))) +
                                                   " is not supported (an activation casts only to float32; constants cast to any type)");
      set_out(n, 0, x);
      return;
    }
    Val v = x;
    if (to == onnx::TensorProto::FLOAT) {
      if (v.is_int) { v.f.assign(v.i.begin(), v.i.end()); v.i.clear(); v.is_int = false; }
    } else if (to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32) {
      if (!v.is_int) {
        for (float f : v.f) {
          if (!(std::fabs(f) < 9.2e18f)) node_fail("Cast: value out of int64 range");
          v.i.push_back(static_cast<int64_t>(f));
        }
        v.f.clear();
        v.is_int = true;
      }
    } else {
      node_fail("Cast to " + std::string(dtype_name(static_cast<int>(to))) + " is not supported");
    }
    set_out(n, 0, std::move(v));
  }

  void op_reshape(const onnx::NodeProto& n) {
    allow_attrs(n, {"allowzero"});
    const Val& x = in(n, 0);
    const Val& sv = const_in(n, 1, "shape");
    if (!sv.is_int) node_fail("shape must be int64");
    bool allowzero = attr_int(n, "allowzero", 0) != 0;
    const auto& xs = shape_of(x);
    std::vector<int64_t> out = sv.i;
    int infer = -1;
    uint64_t known = 1;
    for (size_t d = 0; d < out.size(); ++d) {
      if (out[d] == 0 && !allowzero) {
        if (d >= xs.size()) node_fail("shape " + shape_str(sv.i) + ": 0 copies a dimension that does not exist");
        out[d] = xs[d];
      }
      if (out[d] == -1) {
        if (infer >= 0) node_fail("shape " + shape_str(sv.i) + " has more than one -1");
        infer = static_cast<int>(d);
        continue;
      }
      if (out[d] < 0) node_fail("shape " + shape_str(sv.i) + " has a negative dimension");
      if (out[d] > static_cast<int64_t>(lim.max_tensor_elems)) node_fail("shape " + shape_str(sv.i) + " is too large");
      known *= static_cast<uint64_t>(out[d]);
      if (known > lim.max_tensor_elems) node_fail("shape " + shape_str(sv.i) + " is too large");
    }
    if (infer >= 0) {
      if (known == 0 || elem_count(xs) % known) node_fail("cannot reshape " + shape_str(xs) + " to " + shape_str(sv.i));
      out[infer] = static_cast<int64_t>(elem_count(xs) / known);
    }
    reshape_to(n, x, out);
  }

  void op_flatten(const onnx::NodeProto& n) {
    allow_attrs(n, {"axis"});
    const Val& x = in(n, 0);
    const auto& xs = shape_of(x);
    int64_t axis = norm_axis(attr_int(n, "axis", 1), xs.size());
    if (axis < 0 || axis > static_cast<int64_t>(xs.size())) node_fail("axis out of range");
    int64_t a = 1, b = 1;
    for (int64_t d = 0; d < static_cast<int64_t>(xs.size()); ++d) (d < axis ? a : b) *= xs[d];
    reshape_to(n, x, {a, b});
  }

  // Dense from x[1,K] and W[M][K]; bias [M].
  void emit_dense(const onnx::NodeProto& n, const Val& x, std::vector<float> w, int64_t m, int64_t k,
                  std::vector<float> bias, std::vector<float> wscale = {}) {
    const auto& xs = shape_of(x);
    // [1,K], or [..., T, K] with batch 1: one row of K per token (MatMul of a sequence)
    if (xs.size() < 2 || xs[0] != 1)
      node_fail("input shape " + shape_str(xs) + " is not supported (Dense needs [1,K] or [1,...,K], batch 1)");
    if (xs.back() != k) node_fail("input has " + std::to_string(xs.back()) + " features, weights expect " + std::to_string(k));
    int wt = add_const(n.output(0) + ".W", {m, k}, std::move(w));
    g.tensors[wt].weight_scale = std::move(wscale);
    int bt = add_const(n.output(0) + ".b", {m}, std::move(bias));
    std::vector<int64_t> ys(xs.begin(), xs.end() - 1);
    ys.push_back(m);
    emit(n, ml::OpKind::Dense, {x.tensor, wt, bt}, ys);
  }

  void op_gemm(const onnx::NodeProto& n) {
    allow_attrs(n, {"alpha", "beta", "transA", "transB"});
    only_outputs(n, 1);
    const Val& a = runtime_in(n, 0);
    const Val& bv = const_in(n, 1, "B");
    float alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
    if (attr_int(n, "transA", 0) != 0) node_fail("transA=1 is not supported");
    bool tb = attr_int(n, "transB", 0) != 0;
    if (bv.shape.size() != 2) node_fail("B must be 2-D, got " + shape_str(bv.shape));
    auto b = floats_of(bv, "B");
    int64_t k = tb ? bv.shape[1] : bv.shape[0], m = tb ? bv.shape[0] : bv.shape[1];
    std::vector<float> w(static_cast<size_t>(m * k));
    for (int64_t r = 0; r < m; ++r)
      for (int64_t c = 0; c < k; ++c) w[r * k + c] = alpha * (tb ? b[r * k + c] : b[c * m + r]);
    std::vector<float> bias(static_cast<size_t>(m), 0.0f);
    if (has_in(n, 2)) {
      const Val& cv = in(n, 2);
      if (!cv.is_const) node_fail("C must be a constant");
      auto c = broadcast_to(cv, {1, m});
      for (int64_t r = 0; r < m; ++r) bias[r] = beta * c[r];
    }
    std::vector<float> ws;
    if (bv.wscale && alpha == 1.0f) ws = weight_scales(bv, tb ? 0 : 1, m, n.input(1));
    else if (bv.wscale)
      g.warnings.push_back(source + ": node " + std::to_string(node_index) + " '" + node_name + "' (Gemm): alpha " +
                           std::to_string(alpha) + " scales the quantized weights, which are re-quantized");
    emit_dense(n, a, std::move(w), m, k, std::move(bias), std::move(ws));
  }

  void op_matmul(const onnx::NodeProto& n) {
    allow_attrs(n, {});
    const Val& a = runtime_in(n, 0);
    const Val& b = in(n, 1);
    if (b.is_const && b.shape.size() == 2) return matmul_core(n, a, b);
    // Two activations (attention): [..., T, K] x [..., K, N] (a constant B
    // of rank > 2 is an int8 constant). The leading (batch) dimensions
    // broadcast as numpy's: an operand whose batch is one matrix is
    // repeated for every batch of the result (a constant as a constant, an
    // activation by a Concat of copies); a batch broadcast in both operands
    // at once is refused.
    const auto as = shape_of(a), bs = shape_of(b);
    if (as.size() < 2 || bs.size() < 2)
      node_fail("shapes " + shape_str(as) + " x " + shape_str(bs) + ": both operands need two dimensions");
    if (as.back() != bs[bs.size() - 2])
      node_fail("shapes " + shape_str(as) + " x " + shape_str(bs) + " do not multiply");
    const std::vector<int64_t> la(as.begin(), as.end() - 2), lb(bs.begin(), bs.end() - 2);
    const size_t rank = std::max(la.size(), lb.size());
    auto padded = [&](const std::vector<int64_t>& l) {
      std::vector<int64_t> p(rank - l.size(), 1);
      p.insert(p.end(), l.begin(), l.end());
      return p;
    };
    const auto pa = padded(la), pb = padded(lb);
    std::vector<int64_t> lead(rank);
    for (size_t d = 0; d < rank; ++d) {
      if (pa[d] != pb[d] && pa[d] != 1 && pb[d] != 1)
        node_fail("shapes " + shape_str(as) + " x " + shape_str(bs) + ": the leading (batch) dimensions " +
                  shape_str(la) + " and " + shape_str(lb) + " do not broadcast");
      lead[d] = std::max(pa[d], pb[d]);
    }
    const uint64_t batch = elem_count(lead);
    std::vector<int64_t> out = lead;
    out.push_back(as[as.size() - 2]);
    out.push_back(bs.back());
    if (out.size() > 6) node_fail("rank " + std::to_string(out.size()) + " is not supported (at most 6)");
    // An operand's batch: the result's (pads of 1 aside), or one matrix
    // that is repeated.
    auto operand = [&](const Val& v, const std::vector<int64_t>& p, const std::vector<int64_t>& vs, int k) -> int {
      const std::vector<int64_t> mat(vs.end() - 2, vs.end());
      if (p == lead) return v.is_const ? add_const(n.input(k), vs, floats_of(v, k == 0 ? "A" : "B")) : v.tensor;
      if (elem_count(p) != 1)
        node_fail("shapes " + shape_str(as) + " x " + shape_str(bs) + ": the batch dimensions " + shape_str(la) +
                  " and " + shape_str(lb) + " are broadcast in both operands (supported: one operand's batch "
                  "equal to the result's " + shape_str(lead) + ", the other's the same or one matrix)");
      std::vector<int64_t> rep = {static_cast<int64_t>(batch), mat[0], mat[1]};
      if (v.is_const) {
        auto f = floats_of(v, k == 0 ? "A" : "B");
        std::vector<float> r;
        r.reserve(f.size() * batch);
        for (uint64_t q = 0; q < batch; ++q) r.insert(r.end(), f.begin(), f.end());
        return add_const(n.input(k) + ".repeated", rep, std::move(r));
      }
      const std::string base = n.output(0) + (k == 0 ? ".A" : ".B");
      Val one = add_node(ml::OpKind::Reshape, {v.tensor}, base + ".matrix", {1, mat[0], mat[1]});
      ml::Node cat;
      cat.axis = 0;
      return add_node(ml::OpKind::Concat, std::vector<int>(batch, one.tensor), base + ".repeated", rep, std::move(cat))
          .tensor;
    };
    if (b.is_const && elem_count(lb) == 1 && la.size() >= lb.size()) {
      // One constant matrix for every row of A: a Dense over the rows.
      Val b2 = b;
      b2.shape = {bs[bs.size() - 2], bs.back()};
      return matmul_core(n, a, b2);
    }
    const int at = operand(a, pa, as, 0), bt = operand(b, pb, bs, 1);
    emit(n, ml::OpKind::MatMul, {at, bt}, out);
  }
  void matmul_core(const onnx::NodeProto& n, const Val& a, const Val& bv) {
    if (bv.shape.size() != 2) node_fail("B must be 2-D, got " + shape_str(bv.shape));
    auto b = floats_of(bv, "B");
    int64_t k = bv.shape[0], m = bv.shape[1];
    std::vector<float> w(static_cast<size_t>(m * k));
    for (int64_t r = 0; r < m; ++r)
      for (int64_t c = 0; c < k; ++c) w[r * k + c] = b[c * m + r];
    emit_dense(n, a, std::move(w), m, k, std::vector<float>(static_cast<size_t>(m), 0.0f),
               weight_scales(bv, 1, m, n.input(1)));
  }

  void op_conv(const onnx::NodeProto& n) {
    allow_attrs(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
    only_outputs(n, 1);
    const Val& x = padded_in(n, 0);
    const Val& wv = const_in(n, 1, "W");
    if (wv.shape.size() != 4) node_fail("W must be 4-D [M,C/group,kh,kw], got " + shape_str(wv.shape));
    std::vector<float> bias(static_cast<size_t>(wv.shape[0]), 0.0f);
    if (has_in(n, 2)) {
      const Val& bv = const_in(n, 2, "B");
      if (elem_count(bv.shape) != static_cast<uint64_t>(wv.shape[0]))
        node_fail("B must have " + std::to_string(wv.shape[0]) + " values");
      bias = floats_of(bv, "B");
    }
    conv_core(n, x, wv, std::move(bias), weight_scales(wv, 0, wv.shape[0], n.input(1)));
  }

  // Conv of activation x with constant weights wv [M,C/group,kh,kw] (float),
  // bias [M] and the model's weight scales (or none).
  // ConvTranspose (2-D) as the Conv it equals: x with s - 1 zeros after
  // every row and column (stride s), padded by d(k - 1) - pad at the start
  // and d(k - 1) - pad + output_padding at the end, convolved with stride 1
  // and the kernel flipped, its two channel axes swapped within each group.
  // The zeros are inserted by runtime ops: a Reshape that gives each row
  // (column) an axis of its own, a Concat with a constant of zeros along it
  // and a Reshape back; the last s - 1 zero rows stand for end padding, and
  // a Slice crops where the padding comes out negative. Costs s_h s_w times
  // the MACs of a direct transposed convolution (most products are by 0).
  void op_conv_transpose(const onnx::NodeProto& n) {
    allow_attrs(n, {"auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape", "pads",
                    "strides"});
    only_outputs(n, 1);
    const Val& x = runtime_in(n, 0);
    const auto xs = shape_of(x);
    if (xs.size() != 4)
      node_fail("input shape " + shape_str(xs) + " is not NCHW (only 2-D ConvTranspose is supported)");
    if (xs[0] != 1) node_fail("batch " + std::to_string(xs[0]) + " is not supported (batch 1 only)");
    const Val& wv = const_in(n, 1, "W");
    if (wv.shape.size() != 4) node_fail("W must be 4-D [C,M/group,kh,kw], got " + shape_str(wv.shape));
    const int64_t c = xs[1], group = attr_int(n, "group", 1);
    if (group < 1 || c % group != 0)
      node_fail("group=" + std::to_string(group) + " must divide the " + std::to_string(c) + " input channels");
    if (wv.shape[0] != c)
      node_fail("W " + shape_str(wv.shape) + " must have the input's " + std::to_string(c) + " channels first");
    const int64_t mg = wv.shape[1], m = mg * group, cg = c / group;
    const std::vector<int64_t> kernel = {wv.shape[2], wv.shape[3]};
    auto ks = attr_ints(n, "kernel_shape");
    if (!ks.empty() && ks != kernel) node_fail("kernel_shape " + shape_str(ks) + " does not match the weights");
    auto pair = [&](const char* name, int64_t def, int64_t lo, int64_t hi) {
      auto v = attr_ints(n, name);
      if (v.empty()) v = {def, def};
      if (v.size() != 2 || v[0] < lo || v[1] < lo || v[0] > hi || v[1] > hi)
        node_fail(std::string(name) + " " + shape_str(v) + " are invalid (2 values in " + std::to_string(lo) + ".." +
                  std::to_string(hi) + ")");
      return v;
    };
    const auto st = pair("strides", 1, 1, 64), dil = pair("dilations", 1, 1, 255);
    const auto op_pad = pair("output_padding", 0, 0, 255);
    const std::string ap = attr_str(n, "auto_pad", "NOTSET");
    if (ap != "NOTSET" && ap != "VALID" && ap != "SAME_UPPER" && ap != "SAME_LOWER")
      node_fail("auto_pad=" + ap + " is not supported (NOTSET, VALID, SAME_UPPER or SAME_LOWER)");
    auto pads = attr_ints(n, "pads");
    if (pads.empty() || ap != "NOTSET") pads = {0, 0, 0, 0};
    if (pads.size() != 4) node_fail("pads " + shape_str(pads) + " must have 4 entries");
    for (int64_t p : pads)
      if (p < 0) node_fail("negative pads " + shape_str(pads) + " are not supported");
    auto out_shape = attr_ints(n, "output_shape");
    if (!out_shape.empty() && out_shape.size() != 2)
      node_fail("output_shape " + shape_str(out_shape) + " must give the 2 spatial sizes");
    std::vector<int64_t> dk(2), out(2), pb(2), pe(2);
    for (int a = 0; a < 2; ++a) {
      dk[a] = dil[a] * (kernel[a] - 1) + 1;
      const int64_t full = st[a] * (xs[2 + a] - 1) + op_pad[a] + dk[a];  // the output without padding
      if (!out_shape.empty() || ap == "SAME_UPPER" || ap == "SAME_LOWER") {
        // ONNX: total padding from the wanted output; SAME_UPPER puts the
        // smaller half first. A negative total lengthens the output at the
        // end (floor division, as ONNX's reference).
        const int64_t want = out_shape.empty() ? xs[2 + a] * st[a] : out_shape[a];
        if (want < 1) node_fail("output_shape " + shape_str(out_shape) + " is empty");
        const int64_t total = full - want;
        const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
        pb[a] = ap == "SAME_UPPER" ? half : total - half;
        pe[a] = total - pb[a];
      } else {
        pb[a] = pads[a];
        pe[a] = pads[a + 2];
      }
      out[a] = full - pb[a] - pe[a];
      if (out[a] < 1) node_fail("the output would be empty (pads " + shape_str(pads) + ")");
    }
    // Zero insertion: [1,C,H,W] -> [1,C,H s_h,W s_w], x at (i s_h, j s_w).
    Val cur = x;
    std::vector<int64_t> cs = xs;
    for (int a = 0; a < 2; ++a) {
      if (st[a] == 1) continue;
      const std::string base = n.output(0) + (a == 0 ? ".rows" : ".cols");
      // a = 0: [1, C H, 1, W] + zeros [1, C H, s-1, W] along axis 2;
      // a = 1: [1, C H', W, 1] + zeros [1, C H', W, s-1] along axis 3.
      std::vector<int64_t> split = a == 0 ? std::vector<int64_t>{1, cs[1] * cs[2], 1, cs[3]}
                                          : std::vector<int64_t>{1, cs[1] * cs[2], cs[3], 1};
      std::vector<int64_t> zs = split;
      zs[static_cast<size_t>(2 + a)] = st[a] - 1;
      std::vector<int64_t> joined = split;
      joined[static_cast<size_t>(2 + a)] = st[a];
      Val r = add_node(ml::OpKind::Reshape, {cur.tensor}, base + ".split", split);
      checked_count(zs, lim.max_tensor_elems, source + ": node " + std::to_string(node_index) + " '" + node_name +
                                                  "' (ConvTranspose): zeros");
      int zt = add_const(base + ".zeros", zs, std::vector<float>(elem_count(zs), 0.0f));
      ml::Node cat;
      cat.axis = 2 + a;
      Val j = add_node(ml::OpKind::Concat, {r.tensor, zt}, base + ".joined", joined, std::move(cat));
      cs[static_cast<size_t>(2 + a)] *= st[a];
      cur = add_node(ml::OpKind::Reshape, {j.tensor}, base, cs);
    }
    // Conv padding; the s - 1 zero rows after the last input row count as
    // end padding already. Negative padding crops.
    std::vector<int64_t> conv_pads(4);
    for (int a = 0; a < 2; ++a) {
      int64_t begin = dil[a] * (kernel[a] - 1) - pb[a];
      int64_t end = dil[a] * (kernel[a] - 1) - pe[a] + op_pad[a] - (st[a] - 1);
      // Padding as wide as the kernel (an output longer than the input
      // reaches: output_shape) is zeros joined on, the rest the Conv's.
      for (int side = 0; side < 2; ++side) {
        int64_t& p = side == 0 ? begin : end;
        if (p < dk[a]) continue;
        std::vector<int64_t> zs = cs;
        zs[static_cast<size_t>(2 + a)] = p - (dk[a] - 1);
        checked_count(zs, lim.max_tensor_elems, source + ": node " + std::to_string(node_index) + " '" + node_name +
                                                    "' (ConvTranspose): zeros");
        const std::string base = n.output(0) + (a == 0 ? ".rows" : ".cols") + (side == 0 ? ".before" : ".after");
        int zt = add_const(base + ".zeros", zs, std::vector<float>(elem_count(zs), 0.0f));
        cs[static_cast<size_t>(2 + a)] += zs[static_cast<size_t>(2 + a)];
        ml::Node cat;
        cat.axis = 2 + a;
        cur = add_node(ml::OpKind::Concat, side == 0 ? std::vector<int>{zt, cur.tensor} : std::vector<int>{cur.tensor, zt},
                       base, cs, std::move(cat));
        p = dk[a] - 1;
      }
      const int64_t len = cs[static_cast<size_t>(2 + a)] - std::max<int64_t>(0, -begin) - std::max<int64_t>(0, -end);
      if (len + std::max<int64_t>(0, begin) + std::max<int64_t>(0, end) < dk[a])
        node_fail("the padding " + shape_str(pads) + " leaves less than one kernel window");
      if (begin < 0 || end < 0)
        cur = slice_node(cur, 2 + a, std::max<int64_t>(0, -begin), len,
                         n.output(0) + (a == 0 ? ".crop_rows" : ".crop_cols"));
      cs = shape_of(cur);
      conv_pads[static_cast<size_t>(a)] = std::max<int64_t>(0, begin);
      conv_pads[static_cast<size_t>(a + 2)] = std::max<int64_t>(0, end);
    }
    // W'[m][c'][kh][kw] = W[g C/G + c'][m mod M/G][k_h-1-kh][k_w-1-kw], g = m / (M/G).
    const auto w = floats_of(wv, "W");
    const int64_t kh = kernel[0], kw = kernel[1];
    std::vector<float> wc(static_cast<size_t>(m * cg * kh * kw));
    for (int64_t o = 0; o < m; ++o)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            const int64_t src_c = (o / mg) * cg + ci, src_m = o % mg;
            wc[static_cast<size_t>(((o * cg + ci) * kh + i) * kw + j)] =
                w[static_cast<size_t>(((src_c * mg + src_m) * kh + (kh - 1 - i)) * kw + (kw - 1 - j))];
          }
    std::vector<float> bias(static_cast<size_t>(m), 0.0f);
    if (has_in(n, 2)) {
      const Val& bv = const_in(n, 2, "B");
      if (elem_count(bv.shape) != static_cast<uint64_t>(m)) node_fail("B must have " + std::to_string(m) + " values");
      bias = floats_of(bv, "B");
    }
    ml::Node nd;
    nd.kernel = kernel;
    nd.strides = {1, 1};
    nd.pads = conv_pads;
    if (dil[0] > 1 || dil[1] > 1) nd.dilations = dil;
    nd.group = group;
    int wt = add_const(n.output(0) + ".W", {m, cg, kh, kw}, std::move(wc));
    g.tensors[wt].weight_scale = weight_scales(wv, group == 1 ? 1 : -2, m, n.input(1));
    int bt = add_const(n.output(0) + ".b", {m}, std::move(bias));
    emit(n, ml::OpKind::Conv, {cur.tensor, wt, bt}, {1, m, out[0], out[1]}, std::move(nd));
  }

  void conv_core(const onnx::NodeProto& n, const Val& x, const Val& wv, std::vector<float> bias,
                 std::vector<float> wscale) {
    const int64_t group = attr_int(n, "group", 1);
    const auto& xs = shape_of(x);
    if (wv.shape.size() != 4) node_fail("W must be 4-D [M,C/group,kh,kw], got " + shape_str(wv.shape));
    // Conv pads with zeros (op_pad admits value 0 only), which is real 0
    // (the zero point) in int8 too.
    ml::Node nd;
    std::vector<int64_t> hw;
    spatial(n, nd, xs, {wv.shape[2], wv.shape[3]}, hw, x.pad ? &*x.pad : nullptr);
    int64_t m = wv.shape[0];
    // Grouped (depthwise: group = C = M): W holds C/group input channels.
    if (group < 1 || xs[1] % group != 0 || m % group != 0)
      node_fail("group=" + std::to_string(group) + " must divide the " + std::to_string(xs[1]) + " input and " +
                std::to_string(m) + " output channels");
    if (wv.shape[1] * group != xs[1])
      node_fail("W has " + std::to_string(wv.shape[1]) + " input channels per group, input has " +
                std::to_string(xs[1]) + " channels in " + std::to_string(group) + " group(s)");
    nd.group = group;
    int wt = add_const(n.output(0) + ".W", wv.shape, floats_of(wv, "W"));
    g.tensors[wt].weight_scale = std::move(wscale);
    int bt = add_const(n.output(0) + ".b", {m}, std::move(bias));
    emit(n, ml::OpKind::Conv, {x.tensor, wt, bt}, {1, m, hw[0], hw[1]}, std::move(nd));
  }

  void op_batchnorm(const onnx::NodeProto& n) {
    allow_attrs(n, {"epsilon", "momentum", "training_mode", "spatial"});
    if (attr_int(n, "training_mode", 0) != 0) node_fail("training_mode=1 is not supported (inference only)");
    if (attr_int(n, "spatial", 1) != 1) node_fail("spatial=0 is not supported");
    only_outputs(n, 1);
    const Val& x = runtime_in(n, 0);
    const auto& xs = shape_of(x);
    if (xs.size() < 2) node_fail("input must have a channel axis");
    int64_t c = xs[1];
    float eps = attr_float(n, "epsilon", 1e-5f);
    std::vector<std::vector<float>> p;
    const char* roles[] = {"scale", "B", "mean", "var"};
    for (int k = 1; k <= 4; ++k) {
      const Val& v = const_in(n, k, roles[k - 1]);
      if (elem_count(v.shape) != static_cast<uint64_t>(c))
        node_fail(std::string(roles[k - 1]) + " must have " + std::to_string(c) + " values");
      p.push_back(floats_of(v, roles[k - 1]));
    }
    // y = (x - mean) * s + B with s = scale / sqrt(var + eps): per channel
    // an affine map, which folds exactly into the preceding Conv.
    std::vector<float> s(c), sh(c);
    for (int64_t i = 0; i < c; ++i) {
      if (p[3][i] + eps <= 0.0f) node_fail("var + epsilon is not positive for channel " + std::to_string(i));
      s[i] = p[0][i] / std::sqrt(p[3][i] + eps);
      sh[i] = p[1][i] - p[2][i] * s[i];
    }
    if (x.producer >= 0 && g.nodes[x.producer].op == ml::OpKind::Conv && use_count(n.input(0)) == 1 &&
        !g.tensors[x.tensor].quant.given()) {
      ml::Node& conv = g.nodes[x.producer];
      auto& w = g.tensors[conv.inputs[1]].data;
      auto& b = g.tensors[conv.inputs[2]].data;
      size_t per = w.size() / static_cast<size_t>(c);
      for (int64_t i = 0; i < c; ++i) {
        for (size_t j = 0; j < per; ++j) w[i * per + j] *= s[i];
        b[i] = b[i] * s[i] + sh[i];
      }
      if (!g.tensors[conv.inputs[1]].weight_scale.empty()) {
        g.tensors[conv.inputs[1]].weight_scale.clear();
        g.warnings.push_back(source + ": node " + std::to_string(node_index) + " '" + node_name +
                             "' (BatchNormalization): folded into the quantized weights of Conv '" + conv.name +
                             "', which are re-quantized");
      }
      set_out(n, 0, x);  // the Conv's output now is the BN output
      return;
    }
    // Not after a Conv: per-channel Mul then Add (constants broadcast).
    Val sc, shv;
    sc.is_const = shv.is_const = true;
    std::vector<int64_t> cshape(xs.size(), 1);
    cshape[1] = c;
    sc.shape = shv.shape = cshape;
    sc.f = s;
    shv.f = sh;
    int st = add_const(n.output(0) + ".scale", xs, broadcast_to(sc, xs));
    int ht = add_const(n.output(0) + ".shift", xs, broadcast_to(shv, xs));
    onnx::NodeProto tmp = n;
    tmp.set_output(0, n.output(0) + ".scaled");
    emit(tmp, ml::OpKind::Mul, {x.tensor, st}, xs);
    const Val& mid = vals[tmp.output(0)];
    emit(n, ml::OpKind::Add, {mid.tensor, ht}, xs);
  }

  void op_clip(const onnx::NodeProto& n) {
    allow_attrs(n, {"min", "max"});
    const Val& x = runtime_in(n, 0);
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (opset < 11) {
      lo = attr_float(n, "min", lo);
      hi = attr_float(n, "max", hi);
    } else {
      if (has_attr(n, "min") || has_attr(n, "max")) node_fail("min/max attributes are not valid from opset 11");
      for (int k = 1; k <= 2; ++k) {
        if (!has_in(n, k)) continue;
        const Val& b = const_in(n, k, k == 1 ? "min" : "max");
        auto f = floats_of(b, k == 1 ? "min" : "max");
        if (f.size() != 1) node_fail("min/max must be scalars");
        (k == 1 ? lo : hi) = f[0];
      }
    }
    if (lo > hi) node_fail("min " + std::to_string(lo) + " is greater than max " + std::to_string(hi));
    if (lo == 0.0f && std::isinf(hi)) {
      emit(n, ml::OpKind::Relu, {x.tensor}, shape_of(x));
      return;
    }
    ml::Node nd;
    nd.clip_min = lo;
    nd.clip_max = hi;
    emit(n, ml::OpKind::Clip, {x.tensor}, shape_of(x), std::move(nd));
  }

  // Element-wise nonlinear functions: int8 tables at quantisation time.
  void op_pointwise(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    ml::Node nd;
    ml::OpKind kind{};
    if (op == "Sigmoid" || op == "Tanh" || op == "HardSwish") {
      allow_attrs(n, {});
      kind = op == "Sigmoid" ? ml::OpKind::Sigmoid : op == "Tanh" ? ml::OpKind::Tanh : ml::OpKind::HardSwish;
    } else if (op == "LeakyRelu") {
      allow_attrs(n, {"alpha"});
      kind = ml::OpKind::LeakyRelu;
      nd.alpha = attr_float(n, "alpha", 0.01f);
    } else if (op == "HardSigmoid") {
      allow_attrs(n, {"alpha", "beta"});
      kind = ml::OpKind::HardSigmoid;
      nd.alpha = attr_float(n, "alpha", 0.2f);
      nd.beta = attr_float(n, "beta", 0.5f);
    } else {
      allow_attrs(n, {"alpha"});
      kind = ml::OpKind::Elu;
      nd.alpha = attr_float(n, "alpha", 1.0f);
    }
    if (!std::isfinite(nd.alpha) || !std::isfinite(nd.beta)) node_fail("alpha/beta must be finite");
    only_outputs(n, 1);
    const Val& x = runtime_in(n, 0);
    emit(n, kind, {x.tensor}, shape_of(x), std::move(nd));
  }

  void op_pool(const onnx::NodeProto& n, bool is_max) {
    if (is_max) allow_attrs(n, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
    else if (opset >= 19)
      allow_attrs(n, {"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"});
    else allow_attrs(n, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
    only_outputs(n, 1);
    if (attr_int(n, "storage_order", 0) != 0) node_fail("storage_order=1 is not supported");
    const Val& x = padded_in(n, 0);
    const auto& xs = shape_of(x);
    if (!has_attr(n, "kernel_shape")) node_fail("kernel_shape is required");
    ml::Node nd;
    std::vector<int64_t> hw;
    nd.count_include_pad = !is_max && attr_int(n, "count_include_pad", 0) != 0;
    if (x.pad) check_pool_pad(n, is_max, x, nd);
    spatial(n, nd, xs, {}, hw, x.pad ? &*x.pad : nullptr);
    // A window whose taps are further apart than the input is long could
    // skip every input position (the runtime refuses such a pool).
    for (size_t a = 0; a < nd.dilations.size(); ++a)
      if (nd.dilations[a] > xs[2 + a])
        node_fail("dilations " + shape_str(nd.dilations) + " are larger than the input " + shape_str(xs));
    emit(n, is_max ? ml::OpKind::MaxPool : ml::OpKind::AveragePool, {x.tensor}, {1, xs[1], hw[0], hw[1]},
         std::move(nd));
  }

  // A zero Pad in front of a pool folds into the pool's pads when the result
  // is the same: MaxPool ignores its padding (-inf), which equals padding
  // with 0 only on an input that is never negative (every window keeps one
  // real input since pads < kernel); AveragePool must then count the padding
  // as zeros (count_include_pad), which also has to hold for its own pads.
  void check_pool_pad(const onnx::NodeProto& n, bool is_max, const Val& x, ml::Node& nd) const {
    const Val::Pad& p = *x.pad;
    const std::string from = "input '" + n.input(0) + "' comes from Pad " + p.node;
    if (is_max) {
      if (!non_negative(x))
        node_fail(from + ", but MaxPool pads with -inf: a zero Pad folds into it only when the input is never "
                  "negative (after Relu, Clip with min >= 0, Sigmoid or HardSigmoid)");
      return;
    }
    auto own = attr_ints(n, "pads");
    const std::string ap = attr_str(n, "auto_pad", "NOTSET");
    // SAME_* pads are computed later; assume they exist (they do unless the
    // stride and kernel leave nothing to pad).
    bool own_pads = ap == "SAME_UPPER" || ap == "SAME_LOWER" ||
                    (ap != "VALID" && std::any_of(own.begin(), own.end(), [](int64_t v) { return v != 0; }));
    if (own_pads && !nd.count_include_pad)
      node_fail(from + ", whose zeros count in the average, but the pool's own pads " + shape_str(own) +
                " do not (count_include_pad=0); the two cannot be folded into one pool");
    nd.count_include_pad = true;
  }
  // Whether an activation is >= 0 by construction of the op that wrote it.
  bool non_negative(const Val& x) const {
    if (x.producer < 0) return false;
    const ml::Node& p = g.nodes[x.producer];
    return p.op == ml::OpKind::Relu || p.op == ml::OpKind::Sigmoid || p.op == ml::OpKind::HardSigmoid ||
           (p.op == ml::OpKind::Clip && p.clip_min >= 0.0f);
  }

  // Whether a zero Pad of H and W (pads [top, left, bottom, right]) folds
  // into ONNX node `c` that reads it: a Conv; a MaxPool over a never-negative
  // input; an AveragePool that counts its own pads or has none; and the pads
  // together below the (dilated) kernel.
  bool pad_folds_into(const onnx::NodeProto& c, const Val& x, const std::vector<int64_t>& hw) const {
    const std::string& op = c.op_type();
    if (op != "Conv" && op != "MaxPool" && op != "AveragePool") return false;
    if (op == "MaxPool" && !non_negative(x)) return false;
    const std::string ap = attr_str(c, "auto_pad", "NOTSET");
    auto own = attr_ints(c, "pads");
    if (own.empty() || ap != "NOTSET") own = {0, 0, 0, 0};
    if (own.size() != 4) return false;
    const bool own_pads = ap == "SAME_UPPER" || ap == "SAME_LOWER" ||
                          std::any_of(own.begin(), own.end(), [](int64_t v) { return v != 0; });
    if (op == "AveragePool" && own_pads && attr_int(c, "count_include_pad", 0) == 0) return false;
    std::vector<int64_t> k = attr_ints(c, "kernel_shape");
    if (k.empty() && op == "Conv") {
      auto w = const_val(c.input_size() > 1 ? c.input(1) : "");
      if (w && w->shape.size() == 4) k = {w->shape[2], w->shape[3]};
    }
    auto dil = attr_ints(c, "dilations");
    if (dil.empty()) dil = {1, 1};
    if (k.size() != 2 || dil.size() != 2) return false;
    for (int a = 0; a < 2; ++a) {
      const int64_t dk = dil[a] * (k[a] - 1) + 1;
      if (hw[a] + own[a] >= dk || hw[a + 2] + own[a + 2] >= dk) return false;
    }
    return true;
  }

  // A Pad that does not fold, as runtime ops, axis by axis (numpy's order,
  // so corners are padded along the later axis): negative pads crop (a
  // Slice); constant mode joins blocks of the value on (a Concat with
  // constants), edge mode copies of the border row, reflect mode the rows
  // mirrored about it (Slices of one row, joined by a Concat).
  Val pad_with_ops(const onnx::NodeProto& n, const Val& x, const std::vector<int64_t>& pads, const std::string& mode,
                   float value) {
    Val cur = x;
    const size_t r = shape_of(x).size();
    if (r > 4) node_fail("Pad of a tensor of rank " + std::to_string(r) + " is not supported (rank <= 4)");
    for (size_t d = 0; d < r; ++d) {
      int64_t b = pads[d], e = pads[d + r];
      if (b == 0 && e == 0) continue;
      const std::string base = n.output(0) + ".axis" + std::to_string(d);
      std::vector<int64_t> cs = shape_of(cur);
      if (b < 0 || e < 0) {  // crop first
        const int64_t start = std::max<int64_t>(0, -b), len = cs[d] - start - std::max<int64_t>(0, -e);
        if (len < 1) node_fail("pads " + shape_str(pads) + " crop axis " + std::to_string(d) + " of " +
                               shape_str(shape_of(x)) + " to nothing");
        cur = slice_node(cur, static_cast<int64_t>(d), start, len, base + ".crop");
        cs = shape_of(cur);
        b = std::max<int64_t>(0, b);
        e = std::max<int64_t>(0, e);
        if (b == 0 && e == 0) continue;
      }
      const int64_t len = cs[d];
      if (mode == "reflect" && (b >= len || e >= len))
        node_fail("mode=reflect pads " + shape_str(pads) + " reach past the " + std::to_string(len) +
                  " values of axis " + std::to_string(d) + " (at most " + std::to_string(len - 1) + ")");
      if (b + e > 4096) node_fail("pads " + shape_str(pads) + " are too large (at most 4096 per axis)");
      std::vector<int> parts;
      auto row = [&](int64_t i, const std::string& tag) {
        return slice_node(cur, static_cast<int64_t>(d), i, 1, base + tag + std::to_string(i)).tensor;
      };
      auto block = [&](int64_t count, const std::string& tag) {
        std::vector<int64_t> bs = cs;
        bs[d] = count;
        checked_count(bs, lim.max_tensor_elems, source + ": node " + std::to_string(node_index) + " '" + node_name +
                                                    "' (Pad): padding");
        return add_const(base + tag, bs, std::vector<float>(elem_count(bs), value));
      };
      if (mode == "constant") {
        if (b) parts.push_back(block(b, ".before"));
        parts.push_back(cur.tensor);
        if (e) parts.push_back(block(e, ".after"));
      } else if (mode == "edge") {
        const int first = b ? row(0, ".edge") : -1, last = e ? row(len - 1, ".edge") : -1;
        for (int64_t q = 0; q < b; ++q) parts.push_back(first);
        parts.push_back(cur.tensor);
        for (int64_t q = 0; q < e; ++q) parts.push_back(last);
      } else {  // reflect: x[b], ..., x[1], x, x[len-2], ..., x[len-1-e]
        for (int64_t q = b; q >= 1; --q) parts.push_back(row(q, ".mirror"));
        parts.push_back(cur.tensor);
        for (int64_t q = 1; q <= e; ++q) parts.push_back(row(len - 1 - q, ".mirror"));
      }
      cs[d] += b + e;
      ml::Node cat;
      cat.axis = static_cast<int64_t>(d);
      cur = add_node(ml::OpKind::Concat, parts, base + ".padded", cs, std::move(cat));
    }
    return cur;
  }

  // Pad: a zero Pad of H and W that every reader can absorb (Conv, pools)
  // becomes a pending pad on its input that they add to their own; any
  // other Pad (constant value, edge or reflect mode, other axes, cropping,
  // other readers) becomes Slice and Concat nodes (pad_with_ops).
  void op_pad(const onnx::NodeProto& n) {
    std::vector<int64_t> pads;
    std::optional<Val> pad_axes;
    float value = 0.0f;
    std::string mode;
    if (opset < 11) {
      allow_attrs(n, {"mode", "pads", "paddings", "value"});
      pads = attr_ints(n, has_attr(n, "pads") ? "pads" : "paddings");
      value = attr_float(n, "value", 0.0f);
    } else {
      allow_attrs(n, {"mode"});
      const Val& pv = const_in(n, 1, "pads");
      if (!pv.is_int) node_fail("pads must be int64");
      pads = pv.i;
      if (has_in(n, 2)) {
        auto cv = floats_of(const_in(n, 2, "constant_value"), "constant_value");
        if (cv.size() != 1) node_fail("constant_value must be one value");
        value = cv[0];
      }
      if (has_in(n, 3)) pad_axes = const_in(n, 3, "axes");
    }
    mode = attr_str(n, "mode", "constant");
    only_outputs(n, 1);
    if (mode != "constant" && mode != "edge" && mode != "reflect")
      node_fail("mode=" + mode + " is not supported (constant, edge or reflect)");
    const Val& x = in(n, 0);
    if (x.is_const) node_fail("Pad of a constant is not supported");
    const auto& xs = shape_of(x);
    if (pad_axes) {
      // Opset 18: pads for the listed axes only ([begins..., ends...]).
      if (!pad_axes->is_int) node_fail("axes must be integers");
      const size_t na = pad_axes->i.size(), r = xs.size();
      if (pads.size() != 2 * na)
        node_fail("pads " + shape_str(pads) + " must have 2 entries per axis of " + shape_str(pad_axes->i));
      std::vector<int64_t> full(2 * r, 0);
      std::vector<bool> seen(r, false);
      for (size_t k = 0; k < na; ++k) {
        const int64_t a = pad_axes->i[k];
        if (a < -static_cast<int64_t>(r) || a >= static_cast<int64_t>(r) || seen[norm_axis(a, r)])
          node_fail("axes " + shape_str(pad_axes->i) + " are invalid for rank " + std::to_string(r));
        const size_t d = static_cast<size_t>(norm_axis(a, r));
        seen[d] = true;
        full[d] = pads[k];
        full[d + r] = pads[k + na];
      }
      pads = full;
    }
    if (pads.size() != 2 * xs.size())
      node_fail("pads " + shape_str(pads) + " must have 2 entries per axis of the input " + shape_str(xs));
    if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })) {
      set_out(n, 0, x);  // nothing to pad
      return;
    }
    bool fold = mode == "constant" && value == 0.0f && xs.size() == 4 && !pads[0] && !pads[1] && !pads[4] &&
                !pads[5] && std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p >= 0; });
    const std::vector<int64_t> hw = fold ? std::vector<int64_t>{pads[2], pads[3], pads[6], pads[7]}
                                         : std::vector<int64_t>{};
    auto cs = consumers.find(n.output(0));
    const int readers = cs == consumers.end() ? 0 : static_cast<int>(cs->second.size());
    fold = fold && readers > 0 && use_count(n.output(0)) == readers;  // not a graph output
    if (fold)
      for (int c : cs->second) fold = fold && pad_folds_into(model.graph().node(c), x, hw);
    if (!fold) {
      set_out(n, 0, pad_with_ops(n, x, pads, mode, value));
      return;
    }
    Val v = x;
    v.pad = Val::Pad{{pads[2], pads[3], pads[6], pads[7]}, value,
                     std::to_string(node_index) + " '" + node_name + "'"};
    set_out(n, 0, std::move(v));
  }

  void op_global_pool(const onnx::NodeProto& n, bool is_max) {
    allow_attrs(n, {});
    const Val& x = runtime_in(n, 0);
    const auto& xs = shape_of(x);
    if (xs.size() != 4 || xs[0] != 1) node_fail("input shape " + shape_str(xs) + " is not [1,C,H,W]");
    ml::Node nd;
    nd.kernel = {xs[2], xs[3]};
    nd.strides = {1, 1};
    nd.pads = {0, 0, 0, 0};
    emit(n, is_max ? ml::OpKind::MaxPool : ml::OpKind::AveragePool, {x.tensor}, {1, xs[1], 1, 1}, std::move(nd));
  }

  void op_binary(const onnx::NodeProto& n) {
    allow_attrs(n, {});
    const std::string& op = n.op_type();
    const Val& a = in(n, 0);
    const Val& b = in(n, 1);
    if (a.is_const && b.is_const) return fold_binary(n, a, b);
    if (a.is_const && (op == "Sub" || op == "Div"))
      node_fail("a constant first operand of " + op + " is not supported");
    const Val& x = a.is_const ? b : a;  // Add and Mul commute
    const Val& y = a.is_const ? a : b;
    const auto& xs = shape_of(x);
    bool is_add = op == "Add" || op == "Sub";
    if (!y.is_const) {
      if (op != "Add" && op != "Mul") node_fail(op + " of two activations is not supported");
      if (shape_of(y) != xs)
        node_fail("shapes " + shape_str(xs) + " and " + shape_str(shape_of(y)) + " differ (no broadcasting of activations)");
      emit(n, is_add ? ml::OpKind::Add : ml::OpKind::Mul, {x.tensor, y.tensor}, xs);
      return;
    }
    auto c = broadcast_to(y, xs);
    if (op == "Sub") for (float& v : c) v = -v;
    if (op == "Div") {
      for (float& v : c) {
        if (v == 0.0f) node_fail("division by a constant zero");
        v = 1.0f / v;
      }
    }
    // MatMul of two activations times one positive constant (attention's
    // 1/sqrt(d)): the factor joins the MatMul's requantisation.
    if (op == "Mul" || op == "Div") {
      const bool uniform = !c.empty() && std::all_of(c.begin(), c.end(), [&](float v) { return v == c[0]; });
      if (uniform && c[0] > 0.0f && std::isfinite(c[0]) && x.producer >= 0 &&
          g.nodes[x.producer].op == ml::OpKind::MatMul && use_count(a.is_const ? n.input(1) : n.input(0)) == 1 &&
          !g.tensors[x.tensor].quant.given()) {
        g.nodes[x.producer].scale *= c[0];
        set_out(n, 0, x);
        return;
      }
    }
    // MatMul/Gemm + Add of a bias: fold into the Dense bias.
    // Not when the model quantizes the product itself (QDQ between them).
    // Over tokens ([1, T, M]) only an addend equal for every token is a bias.
    auto same_per_row = [&](size_t m) {
      for (size_t i = m; i < c.size(); ++i)
        if (c[i] != c[i % m]) return false;
      return true;
    };
    if (is_add && x.producer >= 0 && g.nodes[x.producer].op == ml::OpKind::Dense &&
        use_count(a.is_const ? n.input(1) : n.input(0)) == 1 && !g.tensors[x.tensor].quant.given() &&
        same_per_row(g.tensors[g.nodes[x.producer].inputs[2]].data.size())) {
      auto& bias = g.tensors[g.nodes[x.producer].inputs[2]].data;
      for (size_t i = 0; i < bias.size(); ++i) bias[i] += c[i];
      set_out(n, 0, x);
      return;
    }
    int ct = add_const(n.output(0) + (is_add ? ".addend" : ".factor"), xs, std::move(c));
    emit(n, is_add ? ml::OpKind::Add : ml::OpKind::Mul, {x.tensor, ct}, xs);
  }

  void fold_binary(const onnx::NodeProto& n, const Val& a, const Val& b) {
    const std::string& op = n.op_type();
    if (a.is_int != b.is_int) node_fail("constant operands of different dtypes");
    // Equal shapes, or one operand a single value of no higher rank.
    const bool a_one = elem_count(a.shape) == 1 && a.shape.size() <= b.shape.size();
    const bool b_one = elem_count(b.shape) == 1 && b.shape.size() <= a.shape.size();
    if (a.shape != b.shape && !a_one && !b_one)
      node_fail("constant folding supports equal shapes or a scalar operand only");
    Val v;
    v.is_const = true;
    v.is_int = a.is_int;
    v.shape = a.shape == b.shape || b_one ? a.shape : b.shape;
    size_t cnt = elem_count(v.shape);
    for (size_t e = 0; e < cnt; ++e) {
      size_t ia = a.shape != v.shape ? 0 : e, ib = b.shape != v.shape ? 0 : e;
      if (v.is_int) {
        int64_t p = a.i[ia], q = b.i[ib], r = 0;
        bool ovf = false;
        if (op == "Add") ovf = __builtin_add_overflow(p, q, &r);
        else if (op == "Sub") ovf = __builtin_sub_overflow(p, q, &r);
        else if (op == "Mul") ovf = __builtin_mul_overflow(p, q, &r);
        else if (q == 0) node_fail("integer division by zero");
        else if (p == std::numeric_limits<int64_t>::min() && q == -1) ovf = true;
        else r = p / q;
        if (ovf) node_fail("integer overflow in constant folding");
        v.i.push_back(r);
      } else {
        float p = a.f[ia], q = b.f[ib];
        v.f.push_back(op == "Add" ? p + q : op == "Sub" ? p - q : op == "Mul" ? p * q : p / q);
      }
    }
    set_out(n, 0, std::move(v));
  }

  // Gather of an activation with one constant index: a Slice of one entry
  // along the axis (x[:, 0] of a class token), then a Reshape without it.
  // Gather of an activation at constant indices (the class token x[:, 0],
  // a choice of channels): each run of consecutive indices is a Slice, the
  // runs are joined by a Concat, and a Reshape gives ONNX's output shape
  // (the indices' shape in place of the axis).
  void gather_activation(const onnx::NodeProto& n) {
    only_outputs(n, 1);
    const Val& x = runtime_in(n, 0);
    const Val& ix = const_in(n, 1, "indices");
    if (!ix.is_int) node_fail("indices must be constant integers");
    if (ix.i.empty()) node_fail("indices are empty (zero-sized tensors are not supported)");
    const auto xs = shape_of(x);
    const int64_t rank = static_cast<int64_t>(xs.size());
    const int64_t a = attr_int(n, "axis", 0);
    if (a < -rank || a >= rank) node_fail("axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
    const int64_t axis = norm_axis(a, xs.size());
    if (xs.size() > 4)
      node_fail("Gather of an activation of rank " + std::to_string(xs.size()) + " is not supported (rank <= 4)");
    std::vector<std::pair<int64_t, int64_t>> runs;  // (start, length)
    for (int64_t j : ix.i) {
      if (j < -xs[axis] || j >= xs[axis])
        node_fail("index " + std::to_string(j) + " out of range for axis " + std::to_string(axis) + " of " +
                  shape_str(xs));
      if (j < 0) j += xs[axis];
      if (!runs.empty() && runs.back().first + runs.back().second == j) ++runs.back().second;
      else runs.push_back({j, 1});
    }
    std::vector<int> parts;
    std::vector<int64_t> cat = xs;
    cat[axis] = static_cast<int64_t>(ix.i.size());
    Val v;
    for (size_t k = 0; k < runs.size(); ++k) {
      const auto [start, len] = runs[k];
      v = start == 0 && len == xs[axis]
              ? x
              : slice_node(x, axis, start, len, n.output(0) + ".run" + std::to_string(k));
      parts.push_back(v.tensor);
    }
    if (parts.size() > 1) {
      ml::Node nd;
      nd.axis = axis;
      v = add_node(ml::OpKind::Concat, parts, n.output(0) + ".gathered", cat, std::move(nd));
    }
    std::vector<int64_t> out(xs.begin(), xs.begin() + axis);
    out.insert(out.end(), ix.shape.begin(), ix.shape.end());
    out.insert(out.end(), xs.begin() + axis + 1, xs.end());
    if (out.empty()) out = {1};
    if (out == shape_of(v) && v.tensor != x.tensor) {
      // already ONNX's shape: the last node writes the output by its name
      g.tensors[v.tensor].name = n.output(0);
      set_out(n, 0, v);
      return;
    }
    reshape_to(n, v, out);
  }


  // Gelu (opset 20): approximate "none" (x Phi(x)) or "tanh"; one table in int8.
  void op_gelu(const onnx::NodeProto& n) {
    if (opset < 20) node_fail("Gelu is an opset 20 op; the model imports opset " + std::to_string(opset));
    allow_attrs(n, {"approximate"});
    only_outputs(n, 1);
    const std::string ap = attr_str(n, "approximate", "none");
    if (ap != "none" && ap != "tanh") node_fail("approximate=" + ap + " is not supported (none or tanh)");
    const Val& x = runtime_in(n, 0);
    ml::Node nd;
    nd.alpha = ap == "tanh" ? 1.0f : 0.0f;
    emit(n, ml::OpKind::Gelu, {x.tensor}, shape_of(x), std::move(nd));
  }

  // LayerNormalization (opset 17): over the last axis only.
  void op_layernorm(const onnx::NodeProto& n) {
    allow_attrs(n, {"axis", "epsilon", "stash_type"});
    const Val& x = runtime_in(n, 0);
    const auto xs = shape_of(x);
    const int64_t axis = norm_axis(attr_int(n, "axis", -1), xs.size());
    if (axis != static_cast<int64_t>(xs.size()) - 1)
      node_fail("axis=" + std::to_string(attr_int(n, "axis", -1)) + " is not supported (the last axis only)");
    for (int k = 1; k < n.output_size(); ++k)
      if (!n.output(k).empty() && use_count(n.output(k)) > 0)
        node_fail("output " + std::to_string(k) + " (Mean / InvStdDev, for training) is not supported");
    const float eps = attr_float(n, "epsilon", 1e-5f);
    const int64_t d = xs.back();
    auto vec = [&](int k, const char* role) {
      const Val& v = const_in(n, k, role);
      if (elem_count(v.shape) != 1 && elem_count(v.shape) != static_cast<uint64_t>(d))
        node_fail(std::string(role) + " must have 1 or " + std::to_string(d) + " values");
      return broadcast_to(v, {d});
    };
    emit_layernorm(n, n.output(0), x, vec(1, "Scale"), has_in(n, 2) ? vec(2, "B") : std::vector<float>(d, 0.0f), eps);
  }

  void emit_layernorm(const onnx::NodeProto& n, const std::string& out, const Val& x, std::vector<float> gamma,
                      std::vector<float> beta, float eps) {
    if (!(eps >= 0.0f) || !std::isfinite(eps)) node_fail("epsilon must be finite and >= 0");
    const auto xs = shape_of(x);
    const int64_t d = xs.back();
    int gt = add_const(out + ".gamma", {d}, std::move(gamma));
    int bt = add_const(out + ".beta", {d}, std::move(beta));
    ml::Node nd;
    nd.alpha = eps;
    emit_as(n, out, ml::OpKind::LayerNorm, {x.tensor, gt, bt}, xs, std::move(nd));
  }

  // emit() writing the value `out` (the last node of a fused pattern).
  void emit_as(const onnx::NodeProto& n, const std::string& out, ml::OpKind op, std::vector<int> inputs,
               std::vector<int64_t> shape, ml::Node attrs) {
    onnx::NodeProto named = n;
    named.clear_output();
    named.add_output(out);
    emit(named, op, std::move(inputs), std::move(shape), std::move(attrs));
  }

  // ---- fused patterns ---------------------------------------------------
  // torch writes LayerNorm below opset 17, and GELU at every opset, as
  // elementwise ops; hand-written modules (BERT's x * 0.5 * (1 + erf(..)),
  // HF's gelu_new with pow(x, 3), x.var(), torch.rsqrt) arrange them
  // differently. They are recognised by what they compute, not by their
  // order: from node k, the importer collects the nodes that read only the
  // activation x, each other's outputs and scalar constants (Add, Sub, Mul,
  // Div, Pow, Sqrt, Reciprocal, Neg, Erf, Tanh, Cast to float32, Identity,
  // ReduceMean over the last axis with keepdims), takes the largest value
  // among them whose subgraph contains node k and keeps its intermediates to
  // itself (no other reader, not a graph output), and evaluates that
  // subgraph in double on test rows:
  //  - no ReduceMean, an Erf or Tanh, and equal to x Phi(x) (or the tanh
  //    approximation) at 64 points of [-8, 8] within 2e-5: one Gelu node;
  //  - ReduceMean, and equal to (x - mean) / sqrt(var + eps) on rows of
  //    variance 1e-4 to 1e4 with an offset (eps read off the first row):
  //    one LayerNorm node, with a following Mul by gamma and Add of beta
  //    folded in.
  // Anything else is left to the op-by-op conversion, which refuses
  // ReduceMean, Erf, Sqrt and Pow by name.

  // A constant input by name: an initializer, a folded value or a Constant
  // node further on (a pattern's constants may come between its nodes).
  std::optional<Val> const_val(const std::string& name) const {
    auto it = vals.find(name);
    if (it != vals.end()) return it->second.is_const ? std::optional<Val>(it->second) : std::nullopt;
    auto p = producers.find(name);
    if (p == producers.end()) return std::nullopt;
    const auto& cn = model.graph().node(p->second);
    if (cn.op_type() != "Constant" || cn.attribute_size() != 1 || cn.attribute(0).name() != "value")
      return std::nullopt;
    return tensor_to_val(cn.attribute(0).t(), source + ": Constant '" + cn.name() + "'", lim);
  }
  // A constant of one element and rank <= max_rank (so that it does not
  // broadcast the activation to a higher rank).
  // Large constants are not copied to find that out.
  std::optional<double> const_scalar(const std::string& name, size_t max_rank = 8) const {
    const Val* v = nullptr;
    std::optional<Val> folded;
    if (auto it = vals.find(name); it != vals.end()) {
      v = &it->second;
    } else {
      auto p = producers.find(name);
      if (p == producers.end()) return std::nullopt;
      const auto& cn = model.graph().node(p->second);
      if (cn.op_type() != "Constant" || cn.attribute_size() != 1 || cn.attribute(0).name() != "value") return std::nullopt;
      uint64_t cnt = 1;
      for (int64_t dim : cn.attribute(0).t().dims()) cnt *= static_cast<uint64_t>(std::max<int64_t>(dim, 0));
      if (cnt != 1) return std::nullopt;
      folded = const_val(name);
      v = folded ? &*folded : nullptr;
    }
    if (!v || !v->is_const || v->shape.size() > max_rank) return std::nullopt;
    if (v->is_int) return v->i.size() == 1 ? std::optional<double>(static_cast<double>(v->i[0])) : std::nullopt;
    return v->f.size() == 1 ? std::optional<double>(v->f[0]) : std::nullopt;
  }

  // A ReduceMean over the last axis of a rank-r tensor, keepdims 1 (axes
  // an attribute, or from opset 18 a constant input).
  bool last_axis_mean(const onnx::NodeProto& nd, size_t r) const {
    for (const auto& a : nd.attribute())
      if (a.name() != "axes" && a.name() != "keepdims" && a.name() != "noop_with_empty_axes") return false;
    const auto* kd = attr(nd, "keepdims");
    if (kd && (kd->type() != onnx::AttributeProto::INT || kd->i() != 1)) return false;
    int64_t axis;
    if (opset >= 18) {
      if (nd.input_size() != 2 || has_attr(nd, "axes")) return false;
      auto av = const_val(nd.input(1));
      if (!av || !av->is_int || av->i.size() != 1) return false;
      axis = av->i[0];
    } else {
      if (nd.input_size() != 1) return false;
      const auto* ax = attr(nd, "axes");
      if (!ax || ax->type() != onnx::AttributeProto::INTS || ax->ints_size() != 1) return false;
      axis = ax->ints(0);
    }
    return axis >= -static_cast<int64_t>(r) && axis < static_cast<int64_t>(r) &&
           norm_axis(axis, r) == static_cast<int64_t>(r) - 1;
  }

  // Evaluates the nodes `sub` (graph order) on rows: x holds `rows` rows of
  // `d` values; a value is d numbers per row, or one (a per-row mean or a
  // scalar constant). Returns the values of `out`, or empty if an op fails.
  std::vector<double> eval_region(const std::vector<int>& sub, const std::string& x, const std::string& out,
                                  const std::vector<double>& xv, size_t d) const {
    const auto& gp = model.graph();
    const size_t rows = xv.size() / d;
    struct V {
      std::vector<double> v;
      size_t w;  // values per row: d or 1
    };
    std::map<std::string, V> env;
    env[x] = {xv, d};
    auto get = [&](const std::string& name) -> V {
      auto it = env.find(name);
      if (it != env.end()) return it->second;
      return {std::vector<double>(rows, *const_scalar(name)), 1};
    };
    for (int j : sub) {
      const auto& nd = gp.node(j);
      const std::string& op = nd.op_type();
      V a = get(nd.input(0)), r;
      if (op == "ReduceMean") {
        r = {std::vector<double>(rows, 0.0), 1};
        for (size_t q = 0; q < rows; ++q) {
          for (size_t e = 0; e < a.w; ++e) r.v[q] += a.v[q * a.w + e];
          r.v[q] /= static_cast<double>(a.w);
        }
      } else if (nd.input_size() == 2) {
        V b = get(nd.input(1));
        r.w = std::max(a.w, b.w);
        r.v.resize(rows * r.w);
        for (size_t q = 0; q < rows; ++q)
          for (size_t e = 0; e < r.w; ++e) {
            const double p = a.v[q * a.w + (a.w == 1 ? 0 : e)], u = b.v[q * b.w + (b.w == 1 ? 0 : e)];
            r.v[q * r.w + e] = op == "Add" ? p + u : op == "Sub" ? p - u : op == "Mul" ? p * u
                             : op == "Div" ? p / u : std::pow(p, u);
          }
      } else {
        r = a;
        for (double& e : r.v)
          e = op == "Sqrt" ? std::sqrt(e) : op == "Reciprocal" ? 1.0 / e : op == "Neg" ? -e
            : op == "Erf" ? std::erf(e) : op == "Tanh" ? std::tanh(e) : e;
      }
      env[nd.output(0)] = std::move(r);
    }
    const V& o = env.at(out);
    if (o.w != d) return {};
    for (double e : o.v)
      if (!std::isfinite(e)) return {};
    return o.v;
  }

  bool fuse_pattern(int k) {
    const auto& gp = model.graph();
    const auto& n = gp.node(k);
    static const char* kOps[] = {"Add", "Sub", "Mul",  "Div",      "Pow",   "Sqrt", "Reciprocal",
                                 "Neg", "Erf", "Tanh", "Identity", "Cast", "ReduceMean"};
    auto fusable = [&](const std::string& op) {
      return std::any_of(std::begin(kOps), std::end(kOps), [&](const char* o) { return op == o; });
    };
    if (n.input_size() < 1 || !fusable(n.op_type())) return false;
    // x: the one activation node k reads (its other inputs are scalars).
    std::string x;
    for (const auto& name : n.input()) {
      auto it = vals.find(name);
      if (it == vals.end() || it->second.is_const) continue;
      if (!x.empty() && name != x) return false;
      x = name;
    }
    auto xv = vals.find(x);
    if (x.empty() || xv->second.pad || xv->second.q) return false;
    const auto xs = g.tensors[xv->second.tensor].shape;
    if (xs.empty()) return false;
    // Grow the region: later nodes that read x / region values / scalars.
    std::set<std::string> inside = {x};
    std::vector<int> region;
    const int end = std::min(gp.node_size(), k + 64);
    for (int j = k; j < end; ++j) {
      const auto& nd = gp.node(j);
      if (fused_away[static_cast<size_t>(j)]) continue;
      if (!fusable(nd.op_type())) continue;
      if (nd.output_size() != 1 || nd.input_size() < 1 || nd.input_size() > 2) continue;
      const bool binary = nd.op_type() == "Add" || nd.op_type() == "Sub" || nd.op_type() == "Mul" ||
                          nd.op_type() == "Div" || nd.op_type() == "Pow";
      if (nd.op_type() == "ReduceMean") {
        if (!last_axis_mean(nd, xs.size()) || !inside.count(nd.input(0))) continue;
        region.push_back(j);
        inside.insert(nd.output(0));
        continue;
      }
      if (binary != (nd.input_size() == 2)) continue;
      if (nd.op_type() == "Cast" &&
          !(nd.attribute_size() == 1 && nd.attribute(0).name() == "to" && nd.attribute(0).i() == onnx::TensorProto::FLOAT))
        continue;
      if (nd.op_type() != "Cast" && nd.op_type() != "Identity" && nd.op_type() != "ReduceMean" && !binary &&
          nd.attribute_size() != 0)
        continue;
      if (binary && nd.attribute_size() != 0) continue;
      bool reads = false, ok = true;
      for (const auto& name : nd.input()) {
        if (inside.count(name)) reads = true;
        else if (!const_scalar(name, xs.size())) ok = false;
      }
      if (!ok || !reads) continue;
      region.push_back(j);
      inside.insert(nd.output(0));
    }
    if (region.empty() || region[0] != k) return false;
    // Candidates, largest first.
    for (size_t c = region.size(); c-- > 0;) {
      const std::string out = gp.node(region[c]).output(0);
      // The subgraph computing `out`: its ancestors inside the region.
      std::set<std::string> need = {out};
      std::vector<int> sub;
      for (size_t q = c + 1; q-- > 0;) {
        const auto& nd = gp.node(region[q]);
        if (!need.count(nd.output(0))) continue;
        sub.insert(sub.begin(), region[q]);
        for (const auto& name : nd.input()) need.insert(name);
      }
      if (sub.empty() || sub[0] != k) continue;
      bool closed = true;
      for (int j : sub) {
        const std::string& o = gp.node(j).output(0);
        if (o == out) continue;
        auto cs = consumers.find(o);
        const int readers = cs == consumers.end() ? 0 : static_cast<int>(cs->second.size());
        if (use_count(o) != readers) closed = false;  // a graph output
        if (cs != consumers.end())
          for (int r : cs->second)
            if (!std::binary_search(sub.begin(), sub.end(), r)) closed = false;
      }
      if (!closed) continue;
      bool has_mean = false, has_erf_tanh = false;
      for (int j : sub) {
        has_mean = has_mean || gp.node(j).op_type() == "ReduceMean";
        has_erf_tanh = has_erf_tanh || gp.node(j).op_type() == "Erf" || gp.node(j).op_type() == "Tanh";
      }
      if (!has_mean && has_erf_tanh && fuse_gelu(n, sub, x, out)) return true;
      if (has_mean && fuse_layernorm(n, sub, x, out)) return true;
    }
    return false;
  }

  bool fuse_gelu(const onnx::NodeProto& n, const std::vector<int>& sub, const std::string& x, const std::string& out) {
    std::vector<double> t(64);
    for (size_t i = 0; i < t.size(); ++i) t[i] = -8.0 + 16.0 * static_cast<double>(i) / 63.0;
    auto f = eval_region(sub, x, out, t, t.size());
    if (f.empty()) return false;
    for (float form : {0.0f, 1.0f}) {
      ml::Node probe;
      probe.op = ml::OpKind::Gelu;
      probe.alpha = form;
      bool same = true;
      for (size_t i = 0; i < t.size(); ++i) {
        const double want = ml::pointwise_value(probe, t[i]);
        same = same && std::fabs(f[i] - want) <= 2e-5 * (1.0 + std::fabs(want));
      }
      if (!same) continue;
      for (int j : sub) fused_away[static_cast<size_t>(j)] = true;
      const Val& xv = vals.at(x);
      emit_as(n, out, ml::OpKind::Gelu, {xv.tensor}, g.tensors[xv.tensor].shape, std::move(probe));
      return true;
    }
    return false;
  }

  bool fuse_layernorm(const onnx::NodeProto& n, const std::vector<int>& sub, const std::string& x,
                      const std::string& out) {
    const Val& xv = vals.at(x);
    const int64_t d = g.tensors[xv.tensor].shape.back();
    if (d < 2) return false;
    const size_t du = static_cast<size_t>(d);
    // Rows: one of variance 1e-4 (eps shows), then 1, 1e4, and 1 around 5.
    std::vector<double> rows;
    const double sd[4] = {1e-2, 1.0, 1e2, 1.0}, off[4] = {0.0, 0.0, 0.0, 5.0};
    for (int r = 0; r < 4; ++r)
      for (size_t i = 0; i < du; ++i)
        rows.push_back(off[r] + sd[r] * std::sin(1.7 * static_cast<double>(i) + 0.3 * r + 0.5));
    auto f = eval_region(sub, x, out, rows, du);
    if (f.empty()) return false;
    auto stats = [&](int r, double& mean, double& var) {
      mean = var = 0;
      for (size_t i = 0; i < du; ++i) mean += rows[r * du + i];
      mean /= static_cast<double>(d);
      for (size_t i = 0; i < du; ++i) var += (rows[r * du + i] - mean) * (rows[r * du + i] - mean);
      var /= static_cast<double>(d);
    };
    double mean, var;
    stats(0, mean, var);
    size_t big = 0;  // eps from the row's largest deviation: f = dev / sqrt(var + eps)
    for (size_t i = 1; i < du; ++i)
      if (std::fabs(rows[i] - mean) > std::fabs(rows[big] - mean)) big = i;
    if (f[big] == 0.0) return false;
    const double ratio = (rows[big] - mean) / f[big];
    double eps = ratio * ratio - var;
    if (eps < 0 && eps > -1e-16) eps = 0;  // rounding of ratio^2 (~1e-4) in double
    if (!(eps >= 0) || !std::isfinite(eps) || eps > 1.0) return false;
    for (int r = 0; r < 4; ++r) {
      stats(r, mean, var);
      for (size_t i = 0; i < du; ++i) {
        const double want = (rows[r * du + i] - mean) / std::sqrt(var + eps);
        if (!(std::fabs(f[r * du + i] - want) <= 1e-6 * (1.0 + std::fabs(want)))) return false;
      }
    }
    std::vector<int> idx = sub;
    const auto& gp = model.graph();
    std::vector<float> gamma(du, 1.0f), beta(du, 0.0f);
    std::string last = out;
    // optional * gamma, then + beta (constants of 1 or D values):
    // y * c scales gamma and beta, y + c shifts beta
    auto affine = [&](const char* aop, bool mul) {
      auto c = consumers.find(last);
      if (c == consumers.end() || c->second.size() != 1 || use_count(last) != 1) return;
      const auto& an = gp.node(c->second[0]);
      if (an.op_type() != aop || an.input_size() != 2) return;
      const std::string other = an.input(0) == last ? an.input(1) : an.input(0);
      auto cv = const_val(other);
      if (!cv || cv->is_int) return;
      const uint64_t cnt = elem_count(cv->shape);
      if (cnt != 1 && cnt != static_cast<uint64_t>(d)) return;
      if (cv->shape.size() > 1 && cv->shape.back() != d && cnt != 1) return;
      if (cv->shape.size() > g.tensors[xv.tensor].shape.size()) return;
      for (size_t i = 0; i < du; ++i) {
        const float fv = cv->f[cnt == 1 ? 0 : i];
        if (mul) {
          gamma[i] *= fv;
          beta[i] *= fv;
        } else {
          beta[i] += fv;
        }
      }
      idx.push_back(c->second[0]);
      last = an.output(0);
    };
    affine("Mul", true);
    affine("Add", false);
    for (int j : idx) fused_away[static_cast<size_t>(j)] = true;
    emit_layernorm(n, last, xv, std::move(gamma), std::move(beta), static_cast<float>(eps));
    return true;
  }

  void op_softmax(const onnx::NodeProto& n) {
    allow_attrs(n, {"axis"});
    const Val& x = runtime_in(n, 0);
    const auto& xs = shape_of(x);
    if (xs.empty()) node_fail("input is a scalar");
    int64_t axis = norm_axis(attr_int(n, "axis", opset < 13 ? 1 : -1), xs.size());
    // Before opset 13, Softmax flattens to 2-D at `axis`; that equals a
    // softmax over the last axis only when axis is the last one.
    if (axis != static_cast<int64_t>(xs.size()) - 1)
      node_fail("axis=" + std::to_string(axis) + " is not supported (softmax over the last axis only)");
    emit(n, ml::OpKind::Softmax, {x.tensor}, xs);
  }

  void op_argmax(const onnx::NodeProto& n) {
    allow_attrs(n, {"axis", "keepdims", "select_last_index"});
    const Val& x = runtime_in(n, 0);
    const auto& xs = shape_of(x);
    if (xs.empty()) node_fail("input is a scalar");
    int64_t axis = norm_axis(attr_int(n, "axis", 0), xs.size());
    if (axis != static_cast<int64_t>(xs.size()) - 1)
      node_fail("axis=" + std::to_string(attr_int(n, "axis", 0)) + " is not supported (last axis only)");
    if (attr_int(n, "select_last_index", 0) != 0) node_fail("select_last_index=1 is not supported");
    if (elem_count(xs) != static_cast<uint64_t>(xs.back()))
      node_fail("input shape " + shape_str(xs) + " is not supported (one vector: all leading dims 1)");
    std::vector<int64_t> out(xs.begin(), xs.end() - 1);
    if (attr_int(n, "keepdims", 1) != 0) out.push_back(1);  // same single element, ONNX's shape
    if (out.empty()) out = {1};
    emit(n, ml::OpKind::ArgMax, {x.tensor}, out);
  }
};

}  // namespace

std::vector<float> tensor_to_floats(const onnx::TensorProto& t, std::vector<int64_t>* shape, const std::string& what,
                                    const ImportLimits& limits) {
  Val v = tensor_to_val(t, what, limits);
  if (v.is_int) fail(what + ": dtype " + dtype_name(t.data_type()) + " is not float32");
  if (shape) *shape = v.shape;
  return v.f;
}

ml::Graph import_onnx_model(const onnx::ModelProto& model, const std::string& source, const ImportLimits& limits) {
  Importer im(model, source, limits);
  im.run();
  return std::move(im.g);
}

ml::Graph import_onnx_bytes(std::span<const uint8_t> bytes, const std::string& source, const ImportLimits& limits) {
  if (bytes.size() > limits.max_file_bytes)
    fail(source + ": " + std::to_string(bytes.size()) + " bytes, more than the limit of " +
         std::to_string(limits.max_file_bytes));
  if (bytes.empty()) fail(source + ": empty file");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    fail(source + ": not a valid ONNX model (protobuf parse failed; truncated or not an .onnx file?)");
  if (!model.has_graph()) fail(source + ": the model has no graph");
  return import_onnx_model(model, source, limits);
}

ml::Graph import_onnx_file(const std::string& path, const ImportLimits& limits) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) fail(path + ": cannot open");
  auto size = static_cast<uint64_t>(f.tellg());
  if (size > limits.max_file_bytes)
    fail(path + ": " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(limits.max_file_bytes));
  std::vector<uint8_t> bytes(size);
  f.seekg(0);
  if (size && !f.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    fail(path + ": read error");
  return import_onnx_bytes(bytes, path, limits);
}

}  // namespace zkvm::model
