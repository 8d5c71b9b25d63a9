// Builds small ONNX models in memory for the importer's unit tests.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace zkvm::testing {

struct OnnxBuilder {
  onnx::ModelProto m;
  explicit OnnxBuilder(int64_t opset = 13);
  // A float32 graph input (dims <= 0 become a symbolic dimension "N").
  OnnxBuilder& input(const std::string& name, const std::vector<int64_t>& dims,
                     int dtype = onnx::TensorProto::FLOAT);
  OnnxBuilder& output(const std::string& name);
  OnnxBuilder& init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& data);
  OnnxBuilder& init_i64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& data);
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out, const std::string& name = "");
  std::string bytes() const;
};

void set_int(onnx::NodeProto& n, const std::string& name, int64_t v);
void set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);
void set_float(onnx::NodeProto& n, const std::string& name, float v);
void set_string(onnx::NodeProto& n, const std::string& name, const std::string& v);

// Deterministic pseudo-random floats in [-1, 1).
std::vector<float> rand_floats(size_t n, uint32_t seed);

}  // namespace zkvm::testing
