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
//   - Relu6 / Clip become Clip with float bounds; Relu stays Relu.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zkvm::ml {

enum class OpKind : uint32_t {
  Dense,        // in: x[1,K], W[M,K] (const), b[M] (const) -> y[1,M] = x W^T + b
  Conv,         // in: x[1,C,H,W], W[M,C,kh,kw] (const), b[M] (const); group 1, dilation 1
  Relu,         // y = max(x, 0)
  Clip,         // y = min(max(x, clip_min), clip_max)
  MaxPool,      // kernel, strides, pads (pads count as -inf)
  AveragePool,  // kernel, strides, pads; count_include_pad as in the attribute
  Add,          // elementwise, same shape, or second input broadcast per channel
  Mul,          // elementwise, same shape, or second input broadcast per channel
  Reshape,      // y has the concrete shape of the output tensor (Flatten too)
  Softmax,      // over the last axis
  ArgMax,       // over the last axis, keepdims 0, first maximum wins -> int index
};

const char* op_name(OpKind op);

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;  // concrete, batch 1
  std::vector<float> data;     // non-empty for constants (row-major)
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
};

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // topologically sorted
  int input = -1;           // the single graph input (float activations)
  int output = -1;          // the single graph output
};

// Per-tensor activation range observed on calibration data (float reference).
struct Range {
  float min = 0.0f, max = 0.0f;
};

}  // namespace zkvm::ml
