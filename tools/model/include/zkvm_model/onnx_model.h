// ONNX-facing entry point of the importer for callers that already hold a
// parsed ModelProto (the conformance tests bind test inputs as initializers
// before importing). Including this needs onnx's headers (target onnx_proto).
#pragma once

#include <onnx/onnx_pb.h>

#include "zkvm_model/onnx_import.h"

namespace zkvm::model {

ml::Graph import_onnx_model(const onnx::ModelProto& model, const std::string& source,
                            const ImportLimits& limits = {});

// Converts a float32 TensorProto (raw_data or float_data) to floats, with
// its shape; throws ImportError naming `what` on anything else.
std::vector<float> tensor_to_floats(const onnx::TensorProto& t, std::vector<int64_t>* shape,
                                    const std::string& what, const ImportLimits& limits = {});

}  // namespace zkvm::model
