// Float model graph: the contract between the ONNX importer (tools/model,
// which builds it from an .onnx file, folds it and calibrates it) and the
// quantizer of the int8 runtime (guest-sdk/ml/host, which turns it into a
// zkml model file for guests).
//
// The importer normalises ONNX into this small op set before anything else
// sees it, so the quantizer never deals with ONNX's variants:
//   - layouts are NCHW (images) or NC (vectors), batch N = 1;
//   - Gemm/MatMul with a constant weight become Dense with W[out][in]
//     (transposes applied, alpha/beta folded), bias optional (zeros if none);
//   - BatchNormalization is folded into the preceding Conv, Identity/Dropout
//     removed, constant shapes (Shape/Gather/Concat on constants) folded;
//   - Flatten/Reshape become Reshape with a concrete shape;
//   - Relu6 / Clip become Clip with float bounds; Relu stays Relu;
//   - element-wise nonlinear functions (Sigmoid, Tanh, LeakyRelu,
//     HardSigmoid, HardSwish, Elu) keep their op with alpha/beta; the
//     quantizer turns each into a 256-entry int8 table (pointwise_value is
//     the one definition both the table and the float reference use);
//   - a constant-zero Pad of the spatial axes is folded into the pads of the
//     Conv/pool that follows it;
//   - Split becomes one Slice (a copy of a range along an axis) per output;
//   - transformer ops: MatMul of two activations, LayerNorm (the opset-17 op
//     or torch's ReduceMean/Sub/Pow/Sqrt/Div pattern), Gelu (the Erf or tanh
//     pattern), Transpose that moves data; Dense also takes x[..., K] (one
//     row per leading index) and tensors have rank <= 6;
//   - per-axis int8 parameters of an activation (ONNX's QuantizeLinear with
//     one scale per index of an axis) sit on a tensor (Tensor::axis_quant)
//     that only Requantize nodes read or write, or that is the graph input
//     or output: every other op sees one scale per tensor.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace zkvm::ml {

enum class OpKind : uint32_t {
  Dense,        // in: x[1,K], W[M,K] (const), b[M] (const) -> y[1,M] = x W^T + b
  Conv,         // in: x[1,C,H,W], W[M,C/group,kh,kw] (const), b[M] (const)
  Relu,         // y = max(x, 0)
  Clip,         // y = min(max(x, clip_min), clip_max)
  MaxPool,      // kernel, strides, pads, dilations (pads count as -inf); output may be ceil_mode's size
  AveragePool,  // as MaxPool; count_include_pad counts positions in the pads, not past them
  Add,          // elementwise, same shape, or second input broadcast per channel
  Mul,          // elementwise, same shape, or second input broadcast per channel
  Reshape,      // y has the concrete shape of the output tensor (Flatten too)
  Softmax,      // over the last axis
  ArgMax,       // over the last axis, keepdims 0, first maximum wins -> int index
  // Element-wise nonlinear functions (pointwise_value):
  Sigmoid,      // 1 / (1 + e^-x)
  Tanh,         // tanh x
  LeakyRelu,    // x >= 0 ? x : alpha x
  HardSigmoid,  // clamp(alpha x + beta, 0, 1)
  HardSwish,    // x clamp(x / 6 + 1/2, 0, 1)
  Elu,          // x > 0 ? x : alpha (e^x - 1)
  Concat,       // inputs (2 or more, equal rank) joined along `axis`
  Slice,        // y = x[start : start + y.shape[axis]] along `axis` (one output of a Split)
  // Transformer ops:
  MatMul,       // two activations: y = scale * ([..., T, K] x [..., K, N]), equal leading dims
  LayerNorm,    // over the last axis: in x, gamma [D] (const), beta [D] (const, optional); epsilon in `alpha`
  Transpose,    // y axis j = x axis perm[j] (rank <= 6)
  Gelu,         // x Phi(x): alpha 0 the Erf form, alpha 1 the tanh approximation (pointwise_value)
  Requantize,   // y = x in float; in int8 it moves between one scale and per-axis parameters (axis_quant)
};

const char* op_name(OpKind op);

// int8 parameters a pre-quantized model (QuantizeLinear/DequantizeLinear
// pairs, QLinearConv, QLinearMatMul) gives a tensor: q = round(x / scale) +
// zero_point, clamped to int8 (a uint8 tensor's zero point is moved down by
// 128). scale 0: none given, the quantizer derives them from a Range.
struct QuantParams {
  float scale = 0.0f;
  int32_t zero_point = 0;
  bool given() const { return scale > 0.0f; }
  bool operator==(const QuantParams&) const = default;
};

// Per-axis int8 parameters of an activation: index c of `axis` is
// q = round(x / scale[c]) + zero_point[c], clamped to int8 (uint8 zero
// points moved down by 128). axis < 0: none.
struct AxisQuant {
  int64_t axis = -1;
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  bool given() const { return axis >= 0; }
  bool operator==(const AxisQuant&) const = default;
};

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;  // concrete, batch 1
  std::vector<float> data;     // non-empty for constants (row-major)
  // Activations: parameters given by the model (used instead of calibration).
  QuantParams quant;
  // Activations: per-axis parameters given by the model (then quant is not).
  AxisQuant axis_quant;
  // Weights of Dense/Conv: the model's own symmetric scales (1 value, or one
  // per output channel), of which every value in `data` is an integer
  // multiple in [-128, 127]; empty: the quantizer picks max|w| / 127.
  std::vector<float> weight_scale;
  bool is_constant() const { return !data.empty(); }
};

struct Node {
  std::string name;       // ONNX node name (or op + index when unnamed), for errors
  OpKind op{};
  std::vector<int> inputs;   // indices into Graph::tensors
  std::vector<int> outputs;  // indices into Graph::tensors (one output)
  // Attributes (meaningful per op):
  std::vector<int64_t> kernel;   // [kh, kw]          Conv, pools
  std::vector<int64_t> strides;  // [sh, sw]          Conv, pools
  std::vector<int64_t> pads;     // [top, left, bottom, right]
  bool count_include_pad = false;  // AveragePool
  float clip_min = 0.0f, clip_max = 0.0f;  // Clip
  float alpha = 0.0f, beta = 0.0f;         // LeakyRelu, HardSigmoid, Elu
  int64_t axis = 0;                        // Concat, Slice (non-negative)
  int64_t start = 0;                       // Slice: first index along axis
  int64_t group = 1;  // Conv: output channel m sees input channels of group m / (M/group) only
  std::vector<int64_t> dilations;  // [dh, dw] Conv, pools (empty: 1): taps dh rows, dw columns apart
  std::vector<int64_t> perm;       // Transpose
  float scale = 1.0f;              // MatMul: a positive factor of the product (a folded Mul by a constant)
};

inline bool is_pointwise(OpKind op) {
  return op == OpKind::Sigmoid || op == OpKind::Tanh || op == OpKind::LeakyRelu || op == OpKind::HardSigmoid ||
         op == OpKind::HardSwish || op == OpKind::Elu || op == OpKind::Gelu;
}

// The element-wise functions' definitions (ONNX operator docs), in double.
// The float reference rounds the result to float32; the quantizer evaluates
// it at the 256 int8 input values to build the table.
inline double pointwise_value(const Node& n, double x) {
  const double a = n.alpha, b = n.beta;
  switch (n.op) {
    case OpKind::Sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case OpKind::Tanh: return std::tanh(x);
    case OpKind::LeakyRelu: return x >= 0 ? x : a * x;
    case OpKind::HardSigmoid: return std::clamp(a * x + b, 0.0, 1.0);
    case OpKind::HardSwish: return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0);
    case OpKind::Elu: return x > 0 ? x : a * std::expm1(x);
    case OpKind::Gelu:
      // 0.797... = sqrt(2 / pi)
      return a == 0 ? 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)))
                    : 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    default: return x;
  }
}

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // topologically sorted
  int input = -1;           // the single graph input (float activations)
  int output = -1;          // the single graph output
  // What the importer changed on the way that a user should know (weights
  // of a pre-quantized model re-quantized, ...), one line each.
  std::vector<std::string> warnings;
};

// Per-tensor activation range observed on calibration data (float reference).
struct Range {
  float min = 0.0f, max = 0.0f;
};

}  // namespace zkvm::ml
