// Host side of the int8 runtime: float Graph (graph.h) + calibration ranges
// -> zkml model file (docs/ML_RUNTIME.md), host runs of the exact guest
// kernels, and generation of guest sources with a model compiled in.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "graph.h"

namespace zkvm::ml {

struct QuantOptions {
  bool per_channel = true;  // per-output-channel weight scales (else one per tensor)
};

// Quantizes `g` into zkml model file bytes. `ranges` has one entry per tensor
// of g (entries of constant tensors are ignored). Throws std::runtime_error
// naming the node and op on anything unsupported or out of range.
std::vector<uint8_t> quantize_model(const Graph& g, const std::vector<Range>& ranges,
                                    const QuantOptions& opts = {});
// The same; `tensor_map` receives, for each tensor of g, the index of the
// model file's tensor that holds it (-1: a Relu/Clip's input fused into the
// op before it, or a tensor nothing reads).
std::vector<uint8_t> quantize_model(const Graph& g, const std::vector<Range>& ranges, const QuantOptions& opts,
                                    std::vector<int32_t>* tensor_map);

struct Int8Result {
  std::vector<int32_t> logits_or_output;  // the graph output's integer values
  int argmax = -1;                         // index of the first maximum (or the ArgMax result)
};

// Quantizes `input` with the model's input scale/zero point (quantize_input)
// and runs the same C interpreter and kernels that guests run.
// Throws std::runtime_error on a malformed model or a wrong input size.
Int8Result run_int8_host(const std::vector<uint8_t>& model_file, std::span<const float> input);

// The same run on already-quantized input bytes (what a guest receives).
Int8Result run_int8_host_q(const std::vector<uint8_t>& model_file, std::span<const int8_t> input);

// The int8 parameters of a model file's tensor: one scale and zero point,
// or (ZKML_DT_INT8_AXIS) one per index of `axis`.
struct TensorQuant {
  int64_t axis = -1;               // -1: one scale for the tensor
  std::vector<float> scale;        // 1, or dims[axis] values
  std::vector<int32_t> zero_point;
  uint64_t inner = 1;              // elements per index of the axis (product of the later dims)
  size_t index(uint64_t e) const { return axis < 0 ? 0 : static_cast<size_t>((e / inner) % scale.size()); }
  double dequantize(uint64_t e, int32_t q) const {
    const size_t c = index(e);
    return (q - zero_point[c]) * static_cast<double>(scale[c]);
  }
};
// Throws on a malformed file or an index out of range.
TensorQuant tensor_quant(const std::vector<uint8_t>& model_file, uint32_t tensor);

// Every tensor of the model file after one run of run_int8_host: values
// (empty for constants) with their scale and zero point, indexed like the
// file's tensors. A per-axis tensor has scale 0 there; quant has its
// parameters (and every tensor's).
struct Int8Trace {
  std::vector<std::vector<int32_t>> values;
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  std::vector<TensorQuant> quant;
};
Int8Trace run_int8_host_trace(const std::vector<uint8_t>& model_file, std::span<const float> input);

// The int8 bytes a guest receives for a float input:
// q = clamp(round_half_away(x / scale) + zero_point, -128, 127), with the
// scale and zero point of each value's index along the axis of a per-axis
// input.
std::vector<int8_t> quantize_input(const std::vector<uint8_t>& model_file, std::span<const float> input);

// The private input of a guest for the float samples xs, in one of the
// layouts the example guests read: kImage, one sample's int8 bytes
// (mnist-public); kBatch, a u32 count then every sample (mnist-batch, a
// guest source with batch 0); kPrivate, a u32 model length, the model file,
// then one sample (mnist-private). Throws on a wrong sample count or size.
enum class InputLayout { kImage, kBatch, kPrivate };
std::vector<uint8_t> guest_input(const std::vector<uint8_t>& model_file, const std::vector<std::vector<float>>& xs,
                                 InputLayout layout);

struct GuestSourceOptions {
  int batch = 1;  // images per run; 0: read a u32 count N from the input first and commit N
  bool commit_logits = false;  // also commit the output tensor's int8 values
  bool log_cycles = true;      // print inference cycles to stderr (log, not the journal)
  std::string model_symbol = "zkml_model_bytes";  // name of the const byte array
  // The model is private input instead of part of the ELF: the guest reads a
  // u32 length and the model bytes first (InputLayout::kPrivate), commits
  // their SHA-256 (32 bytes) before anything else, then runs as above. The
  // model file given to generate_guest_source only sizes the comment; any
  // model the parser accepts runs.
  bool private_model = false;
};

// A complete guest C source with the model bytes as a const array, so the ELF
// (and thus the image ID) commits to the weights (or, with private_model,
// one that reads the model and commits its digest). The guest reads `batch`
// inputs via zkvm_read, runs the interpreter and commits, per image, the
// predicted class as a little-endian uint32 (then the logits if asked).
std::string generate_guest_source(const std::vector<uint8_t>& model_file,
                                  const GuestSourceOptions& opts = {});

// Parsed summary of a model file, for tools and tests. Throws on a malformed file.
struct ModelInfo {
  uint32_t n_tensors = 0, n_nodes = 0, input_elems = 0, output_elems = 0;
  float input_scale = 1.0f;      // 0 for a per-axis input
  int32_t input_zero_point = 0;
  bool input_per_axis = false;   // one scale per index of an axis (tensor_quant has them)
  uint64_t macs = 0;  // multiply-adds of Dense and Conv per inference
  uint32_t arena_bytes = 0;  // zkml_parse's arena size (the interpreter's buffers)
  std::vector<std::string> ops;  // op name of each node
};
ModelInfo model_info(const std::vector<uint8_t>& model_file);

}  // namespace zkvm::ml
