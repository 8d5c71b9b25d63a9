// ONNX backend node tests (Debian's libonnx-testdata) for every op the
// importer supports, through the float reference and the int8 path.
//
// Each node test has model.onnx whose inputs are all graph inputs, and
// test_data_set_0/{input,output}_*.pb. The importer takes one runtime input
// and constant weights (graph.h), so the harness binds inputs 1.. as
// initializers. The graph contract is batch 1: for Gemm/MatMul/ArgMax cases
// with a batch of N rows the harness runs each row as its own batch-1 model
// (bias rows split with it) and compares row by row. A graph with several
// outputs (Split) runs once per output, keeping only that one (the importer
// takes one graph output; the Split's other outputs are then pruned).
//
// Shape's cases fold to a constant output (the input's shape, an int64
// tensor): the float reference and the int8 model (a constant tensor in the
// model file, scale 1) must give ONNX's integers exactly.
//
// Cases in kRejected use attributes or dtypes that docs/ML_IMPORT.md
// declares unsupported: they are listed in the output with the reason and
// the test asserts that the importer rejects them with that message. Every
// other case of a supported op must import and match.
#include <catch2/catch.hpp>

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "zkvm_model/calibrate.h"
#include "zkvm_model/onnx_import.h"
#include "zkvm_model/onnx_model.h"
#include "zkvm_model/reference.h"
#ifdef ZKVM_HAVE_ML_HOST
#include "quantize.h"
#include "zkvm/ml/model.h"
#endif

namespace fs = std::filesystem;
using namespace zkvm;

namespace {

const std::string kNodeDir = ZKVM_ONNX_NODE_TESTS;

// Prefixes of the node tests that exercise supported ops.
const char* kPrefixes[] = {"test_conv_", "test_basic_conv_", "test_gemm_", "test_matmul_", "test_relu",
                           "test_clip", "test_maxpool_", "test_averagepool_", "test_add", "test_mul",
                           "test_sub", "test_div", "test_flatten_", "test_reshape_", "test_softmax_",
                           "test_argmax_", "test_batchnorm_", "test_identity", "test_dropout_default",
                           "test_globalaveragepool", "test_globalmaxpool", "test_sigmoid", "test_tanh",
                           "test_leakyrelu", "test_hardsigmoid", "test_hardswish", "test_elu",
                           "test_constant_pad", "test_edge_pad", "test_reflect_pad", "test_concat_",
                           "test_transpose_", "test_split_", "test_layer_normalization_",
                           "test_slice", "test_squeeze", "test_unsqueeze_", "test_gather_0", "test_gather_1",
                           "test_gather_2d_indices", "test_gather_negative_indices", "test_convtranspose",
                           "test_shape"};

// Expected rejections: test name -> substring of the importer's error.
const std::map<std::string, std::string> kRejected = {
    {"test_add_uint8", "dtype uint8"},
    {"test_mul_uint8", "dtype uint8"},
    {"test_sub_uint8", "dtype uint8"},
    {"test_div_uint8", "dtype uint8"},
    {"test_clip_default_int8_inbounds", "dtype int8"},
    {"test_clip_default_int8_max", "dtype int8"},
    {"test_clip_default_int8_min", "dtype int8"},
    {"test_maxpool_2d_uint8", "dtype uint8"},
    {"test_maxpool_1d_default", "is not NCHW"},
    {"test_averagepool_1d_default", "is not NCHW"},
    {"test_maxpool_3d_default", "has rank 5; at most 4 is supported"},
    {"test_averagepool_3d_default", "has rank 5; at most 4 is supported"},
    {"test_gemm_transposeA", "transA=1 is not supported"},
    {"test_gemm_all_attributes", "transA=1 is not supported"},
    {"test_batchnorm_epsilon_training_mode", "training_mode=1 is not supported"},
    {"test_batchnorm_example_training_mode", "training_mode=1 is not supported"},
    {"test_dropout_default_mask", "the mask output is not supported"},
    {"test_dropout_default_mask_ratio", "the mask output is not supported"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", "output 1 ('z') is not supported"},
    {"test_maxpool_with_argmax_2d_precomputed_strides", "output 1 ('z') is not supported"},
    {"test_argmax_keepdims_example_select_last_index", "select_last_index=1 is not supported"},
    {"test_argmax_default_axis_example", "axis=0 is not supported"},
    {"test_argmax_default_axis_random", "axis=0 is not supported"},
    {"test_argmax_default_axis_example_select_last_index", "axis=0 is not supported"},
    {"test_argmax_default_axis_random_select_last_index", "axis=0 is not supported"},
    {"test_argmax_keepdims_random", "axis=1 is not supported"},
    {"test_argmax_keepdims_random_select_last_index", "axis=1 is not supported"},
    {"test_argmax_negative_axis_keepdims_random", "is not supported (one vector"},
    {"test_argmax_negative_axis_keepdims_random_select_last_index", "select_last_index=1 is not supported"},
    {"test_argmax_no_keepdims_random", "axis=1 is not supported"},
    {"test_argmax_no_keepdims_random_select_last_index", "axis=1 is not supported"},
    {"test_argmax_no_keepdims_example_select_last_index", "select_last_index=1 is not supported"},
    {"test_argmax_negative_axis_keepdims_example_select_last_index", "select_last_index=1 is not supported"},
    {"test_identity_opt", "is not a tensor"},
    {"test_identity_sequence", "is not a tensor"},
    {"test_reshape_allowzero_reordered", "has a dimension 0"},
    {"test_softmax_axis_0", "axis=0 is not supported"},
    {"test_softmax_axis_1", "axis=1 is not supported"},
    // Edge and reflect Pads of int32 data (the modes on float data:
    // test_import.cpp).
    {"test_edge_pad", "input 'x' has dtype int32"},
    {"test_reflect_pad", "input 'x' has dtype int32"},
    // Split into empty parts of an empty tensor: zero-sized tensors.
    {"test_split_zero_size_splits", "input 'input' has a dimension 0"},
    {"test_convtranspose_1d", "is not NCHW (only 2-D ConvTranspose is supported)"},
    {"test_convtranspose_3d", "has rank 5; at most 4 is supported"},
    {"test_slice_neg_steps", "are not supported on an activation (step 1 only"},
    {"test_slice_start_out_of_bounds", "the slice of axis 1 is empty (zero-sized tensors are not supported)"},
    // LayerNormalization over the last axis only.
    {"test_layer_normalization_2d_axis0", "axis=0 is not supported (the last axis only)"},
    {"test_layer_normalization_2d_axis_negative_2", "axis=-2 is not supported (the last axis only)"},
    {"test_layer_normalization_3d_axis0_epsilon", "axis=0 is not supported (the last axis only)"},
    {"test_layer_normalization_3d_axis1_epsilon", "axis=1 is not supported (the last axis only)"},
    {"test_layer_normalization_3d_axis_negative_2_epsilon", "axis=-2 is not supported (the last axis only)"},
    {"test_layer_normalization_3d_axis_negative_3_epsilon", "axis=-3 is not supported (the last axis only)"},
    {"test_layer_normalization_4d_axis0", "axis=0 is not supported (the last axis only)"},
    {"test_layer_normalization_4d_axis1", "axis=1 is not supported (the last axis only)"},
    {"test_layer_normalization_4d_axis2", "axis=2 is not supported (the last axis only)"},
    {"test_layer_normalization_4d_axis_negative_2", "axis=-2 is not supported (the last axis only)"},
    {"test_layer_normalization_4d_axis_negative_3", "axis=-3 is not supported (the last axis only)"},
    {"test_layer_normalization_4d_axis_negative_4", "axis=-4 is not supported (the last axis only)"},
};

// Cases the int8 path cannot represent by design (one int8 scale per
// tensor): listed in the output, float reference still checked.
const std::map<std::string, std::string> kInt8Limits = {
    {"test_softmax_large_number", "input values 0..10003 in one tensor: an int8 step of ~40 erases the differences "
                                  "of 1 that decide the softmax"},
};

onnx::TensorProto read_pb(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  onnx::TensorProto t;
  REQUIRE(t.ParseFromIstream(&f));
  return t;
}

std::vector<float> to_floats(const onnx::TensorProto& t, std::vector<int64_t>* shape) {
  if (t.data_type() == onnx::TensorProto::INT64) {
    std::vector<float> v;
    if (t.has_raw_data()) {
      std::vector<int64_t> i(t.raw_data().size() / 8);
      std::memcpy(i.data(), t.raw_data().data(), i.size() * 8);
      v.assign(i.begin(), i.end());
    } else {
      v.assign(t.int64_data().begin(), t.int64_data().end());
    }
    if (shape) shape->assign(t.dims().begin(), t.dims().end());
    return v;
  }
  return model::tensor_to_floats(t, shape, "test data");
}

struct Case {
  onnx::ModelProto model;
  std::vector<onnx::TensorProto> inputs;
  onnx::TensorProto output;
  int output_index = 0;  // the graph output compared (the others are dropped)
};

struct Outcome {
  int passed = 0, rejected = 0, int8_passed = 0;
  std::vector<std::string> lines;
  std::vector<std::string> int8_skips;
  double worst_int8_steps = 0;
  std::string worst_int8_case;
  double worst_int8_steps_rest = 0;  // ops that compute (not Slice/Gather copies)
  std::string worst_int8_case_rest;
};

// Binds inputs 1.. as initializers and fixes the runtime input's shape.
onnx::ModelProto bind_inputs(const Case& c, const onnx::TensorProto& in0, const std::vector<onnx::TensorProto>& rest) {
  onnx::ModelProto m = c.model;
  auto* g = m.mutable_graph();
  if (g->output_size() > 1 && c.output_index >= 0) {
    onnx::ValueInfoProto keep = g->output(c.output_index);
    g->clear_output();
    *g->add_output() = keep;
  }
  for (size_t k = 0; k < rest.size(); ++k) {
    onnx::TensorProto t = rest[k];
    t.set_name(g->input(static_cast<int>(k + 1)).name());
    *g->add_initializer() = t;
  }
  if (!g->input(0).type().has_tensor_type()) return m;  // sequences, optionals: the importer says so
  auto* sh = g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  sh->clear_dim();
  for (int64_t d : in0.dims()) sh->add_dim()->set_dim_value(d);
  return m;
}

// Row i of a tensor along dim 0 (dims[0] becomes 1).
onnx::TensorProto row(const onnx::TensorProto& t, int64_t i) {
  std::vector<int64_t> shape;
  auto f = to_floats(t, &shape);
  const size_t per = f.size() / static_cast<size_t>(shape[0]);
  onnx::TensorProto r;
  r.set_data_type(t.data_type());
  r.add_dims(1);
  for (size_t d = 1; d < shape.size(); ++d) r.add_dims(shape[d]);
  for (size_t k = 0; k < per; ++k) {
    float v = f[static_cast<size_t>(i) * per + k];
    if (t.data_type() == onnx::TensorProto::INT64) r.add_int64_data(static_cast<int64_t>(v));
    else r.add_float_data(v);
  }
  return r;
}

#ifdef ZKVM_HAVE_ML_HOST
// Dequantized int8 output and the output scale (from the zkml model file).
std::vector<float> run_int8(const std::vector<uint8_t>& file, const std::vector<float>& x, const ml::Graph& g,
                            float* scale, float* in_scale) {
  zkml_model zm;
  REQUIRE(zkml_parse(&zm, file.data(), static_cast<uint32_t>(file.size())) == ZKML_OK);
  zkml_tensor t;
  zkml_get_tensor(&zm, zm.input, &t);
  std::memcpy(in_scale, &t.scale_bits, 4);
  zkml_get_tensor(&zm, zm.output, &t);
  std::memcpy(scale, &t.scale_bits, 4);
  auto r = ml::run_int8_host(file, x);
  std::vector<float> y;
  const bool is_argmax = !g.nodes.empty() && g.nodes.back().op == ml::OpKind::ArgMax;
  for (int32_t q : r.logits_or_output) y.push_back(is_argmax ? float(q) : (float(q) - float(t.zero_point)) * *scale);
  if (is_argmax) *scale = 0.0f;
  return y;
}
#endif

void run_case(const std::string& name, Outcome& out) {
  const fs::path dir = fs::path(kNodeDir) / name;
  Case c;
  {
    std::ifstream f(dir / "model.onnx", std::ios::binary);
    REQUIRE(c.model.ParseFromIstream(&f));
  }
  for (int k = 0; fs::exists(dir / "test_data_set_0" / ("input_" + std::to_string(k) + ".pb")); ++k)
    c.inputs.push_back(read_pb(dir / "test_data_set_0" / ("input_" + std::to_string(k) + ".pb")));
  REQUIRE(!c.inputs.empty());
  std::vector<onnx::TensorProto> outputs;
  for (int k = 0; fs::exists(dir / "test_data_set_0" / ("output_" + std::to_string(k) + ".pb")); ++k)
    outputs.push_back(read_pb(dir / "test_data_set_0" / ("output_" + std::to_string(k) + ".pb")));
  REQUIRE(!outputs.empty());

  const std::string op = c.model.graph().node(0).op_type();
  int64_t rows = 1;
  // (MatMul of a batch of matrices, B of rank > 2, runs as one model.)
  if ((op == "Gemm" || (op == "MatMul" && c.inputs[1].dims_size() == 2) || op == "ArgMax") &&
      c.inputs[0].dims_size() >= 2 && c.inputs[0].dims(0) > 1 && !kRejected.count(name))
    rows = c.inputs[0].dims(0);

  auto rej = kRejected.find(name);
  if (rej != kRejected.end()) {
    c.output_index = -1;  // all outputs: the importer names the first problem
    std::vector<onnx::TensorProto> rest(c.inputs.begin() + 1, c.inputs.end());
    auto m = bind_inputs(c, c.inputs[0], rest);
    INFO(name);
    CHECK_THROWS_WITH(model::import_onnx_model(m, name + "/model.onnx"), Catch::Contains(rej->second));
    try {
      model::import_onnx_model(m, name + "/model.onnx");
    } catch (const std::exception& e) {
      out.lines.push_back("  rejected (declared unsupported): " + std::string(e.what()));
    }
    ++out.rejected;
    return;
  }

  double max_err = 0;
  // LayerNormalization's Mean and InvStdDev outputs (training) are not supported: Y only.
  const size_t n_outputs = op == "LayerNormalization" ? 1 : outputs.size();
  for (size_t oi = 0; oi < n_outputs; ++oi) {
  c.output = outputs[oi];
  c.output_index = static_cast<int>(oi);
  std::vector<int64_t> exp_shape;
  auto expected = to_floats(c.output, &exp_shape);
  const size_t per_row = expected.size() / static_cast<size_t>(rows);
  for (int64_t r = 0; r < rows; ++r) {
    onnx::TensorProto in0 = rows > 1 ? row(c.inputs[0], r) : c.inputs[0];
    std::vector<onnx::TensorProto> rest;
    for (size_t k = 1; k < c.inputs.size(); ++k) {
      // A Gemm bias C with one row per batch row is split with it.
      bool split = rows > 1 && op == "Gemm" && k == 2 && c.inputs[k].dims_size() == 2 && c.inputs[k].dims(0) == rows;
      rest.push_back(split ? row(c.inputs[k], r) : c.inputs[k]);
    }
    auto m = bind_inputs(c, in0, rest);
    ml::Graph g;
    INFO(name);
    try {
      g = model::import_onnx_model(m, name + "/model.onnx");
    } catch (const std::exception& e) {
      FAIL_CHECK("supported case rejected: " << e.what());
      return;
    }
    auto x = model::tensor_to_floats(in0, nullptr, "input");
    auto y = model::run_reference(g, x);
    REQUIRE(y.size() == per_row);
    const bool exact = op == "Shape";  // integers: no tolerance
    if (exact) CHECK_THAT(g.warnings.at(0), Catch::Contains("is a constant (computed from initializers and shapes"));
    for (size_t i = 0; i < per_row; ++i) {
      const double want = expected[r * per_row + i];
      const double err = std::fabs(y[i] - want);
      max_err = std::max(max_err, err);
      // float32 vs numpy's reference: relative 1e-4 plus absolute 1e-5.
      REQUIRE(err <= (exact ? 0.0 : 1e-5 + 1e-4 * std::fabs(want)));
    }
#ifdef ZKVM_HAVE_ML_HOST
    // int8 path: calibrate on this very input, quantize, run the guest
    // kernels on the host, dequantize and compare. Tolerance: 2 steps of
    // the output's quantisation scale (one for rounding the output, one for
    // the rounding of weights and intermediate activations; worst seen 1.17).
    if (auto lim = kInt8Limits.find(name); lim != kInt8Limits.end()) {
      if (r == 0) out.int8_skips.push_back(name + ": " + lim->second);
      continue;
    }
    std::vector<uint8_t> file;
    try {
      auto ranges = model::calibrate(g, x, 1);
      file = ml::quantize_model(g, ranges, {});
    } catch (const std::exception& e) {
      out.int8_skips.push_back(name + ": " + e.what());
      continue;
    }
    float scale = 0, in_scale = 0;
    auto yq = run_int8(file, x, g, &scale, &in_scale);
    REQUIRE(yq.size() == y.size());
    // Ops that copy values (Slice, Gather) keep the input's int8 grid, so
    // rounding the input (half its step) stays in the output even when the
    // output's own range, and step, is smaller.
    const bool copies = op == "Slice" || op == "Gather";
    for (size_t i = 0; i < y.size(); ++i) {
      const double err = std::fabs(yq[i] - y[i]);
      const double tol = scale == 0.0f || exact ? 0.0
                         : copies                 ? std::max(2.0 * scale, 0.5 * in_scale + scale)
                                                  : 2.0 * scale;
      if (exact) REQUIRE(yq[i] == static_cast<float>(expected[r * per_row + i]));
      INFO("int8 element " << i << ": " << yq[i] << " vs float " << y[i] << " (scale " << scale << ")");
      REQUIRE(err <= tol);
      if (scale > 0 && err / scale > out.worst_int8_steps) {
        out.worst_int8_steps = err / scale;
        out.worst_int8_case = name;
      }
      if (!copies && scale > 0 && err / scale > out.worst_int8_steps_rest) {
        out.worst_int8_steps_rest = err / scale;
        out.worst_int8_case_rest = name;
      }
    }
    if (r == rows - 1 && oi + 1 == n_outputs) ++out.int8_passed;
#endif
  }
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "  ok: %s (max abs error %.2e%s)", name.c_str(), max_err,
                rows > 1 ? ", row by row" : "");
  out.lines.push_back(buf);
  ++out.passed;
}

}  // namespace

TEST_CASE("ONNX backend node tests of supported ops pass, and unsupported attributes are rejected with a reason",
          "[ml-import][conformance]") {
  if (!fs::exists(kNodeDir)) FAIL("ONNX node test data missing at " << kNodeDir << " (install libonnx-testdata)");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kNodeDir)) {
    const std::string n = e.path().filename().string();
    if (n.find("_expanded") != std::string::npos) continue;  // decompositions into other ops
    for (const char* p : kPrefixes)
      if (n.rfind(p, 0) == 0) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  Outcome out;
  for (const auto& n : names) {
    run_case(n, out);
  }
  std::printf("ONNX node conformance: %d passed, %d rejected as declared unsupported\n", out.passed, out.rejected);
  for (const auto& l : out.lines) std::printf("%s\n", l.c_str());
#ifdef ZKVM_HAVE_ML_HOST
  std::printf("int8 path: %d cases within tolerance (worst %.2f output steps, %s; of the ops that compute, "
              "not copy, %.2f, %s), %zu not quantizable:\n",
              out.int8_passed, out.worst_int8_steps, out.worst_int8_case.c_str(), out.worst_int8_steps_rest,
              out.worst_int8_case_rest.c_str(), out.int8_skips.size());
  for (const auto& l : out.int8_skips) std::printf("  int8 skipped: %s\n", l.c_str());
  CHECK(out.int8_passed + static_cast<int>(out.int8_skips.size()) == out.passed);
  CHECK(out.int8_skips.size() == kInt8Limits.size());  // only the declared int8 limits are skipped
#else
  std::printf("int8 path: not built (zkvm_ml_host missing)\n");
#endif
  // Every expected rejection really exists in the data set.
  for (const auto& [name, why] : kRejected) CHECK(fs::exists(fs::path(kNodeDir) / name));
  CHECK(out.passed >= 60);
}
