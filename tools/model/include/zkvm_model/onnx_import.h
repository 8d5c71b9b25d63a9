// ONNX -> zkvm::ml::Graph (guest-sdk/ml/host/graph.h), normalised as that
// header describes. docs/ML_IMPORT.md lists the supported ops and their
// constraints. Everything here treats the file as untrusted: sizes are
// bounded before allocation and every unsupported op, dtype, attribute or
// dynamic shape is an ImportError that names the node and the op, e.g.
//   model.onnx: node 7 'Conv_12' (Conv): group=2 is not supported
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph.h"

namespace zkvm::model {

struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Limits on untrusted files (defaults are far above the example models).
struct ImportLimits {
  uint64_t max_file_bytes = 256ull << 20;     // whole .onnx file
  uint64_t max_tensor_elems = 1ull << 26;     // any one tensor (constant or activation)
  uint64_t max_nodes = 100000;
};

// Reads and imports `path`; errors start with the path.
ml::Graph import_onnx_file(const std::string& path, const ImportLimits& limits = {});

// Imports serialized ModelProto bytes; `source` names the model in errors.
ml::Graph import_onnx_bytes(std::span<const uint8_t> bytes, const std::string& source,
                            const ImportLimits& limits = {});

// Name of an op of the float graph ("Dense", "Conv", ...).
const char* kind_name(ml::OpKind op);

// Number of elements of a shape (1 for a scalar).
uint64_t elem_count(const std::vector<int64_t>& shape);

// "[1,16,4,4]"
std::string shape_str(const std::vector<int64_t>& shape);

// Human-readable listing: one line per node (op, output shape, params) and totals.
std::string graph_summary(const ml::Graph& g);

// Number of constant parameters (weights and biases) in the graph.
uint64_t param_count(const ml::Graph& g);

}  // namespace zkvm::model
