// Pre-quantized ONNX (QuantizeLinear/DequantizeLinear, QLinear ops) in the
// importer, and the calibration check (calibration_check.h).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "onnx_builder.h"
#include "zkvm_model/calibrate.h"
#include "zkvm_model/dataset.h"
#include "zkvm_model/onnx_import.h"
#include "zkvm_model/reference.h"
#ifdef ZKVM_HAVE_ML_HOST
#include "quantize.h"
#include "zkvm/ml/model.h"
#include "zkvm_model/calibration_check.h"
#endif

using namespace zkvm;
using testing::OnnxBuilder;

namespace {

const std::string kModels = std::string(ZKVM_SOURCE_DIR) + "/examples/models/";
const std::string kData = "/usr/share/datasets/fashion-mnist/";

// An integer initializer (int8, uint8 or int32) from int values.
void init_int(OnnxBuilder& b, const std::string& name, const std::vector<int64_t>& dims, int dtype,
              const std::vector<int>& v) {
  auto* t = b.m.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(dtype);
  for (int64_t d : dims) t->add_dims(d);
  for (int x : v) t->add_int32_data(x);
}

ml::Graph import(const OnnxBuilder& b) {
  const std::string s = b.bytes();
  return model::import_onnx_bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, "q.onnx");
}

// x [1,4] -> QuantizeLinear -> DequantizeLinear -> MatMul(DQ(w int8)) -> Q -> DQ -> y [1,3]
OnnxBuilder qdq_matmul() {
  OnnxBuilder b;
  b.input("x", {1, 4}).output("y");
  b.init("sx", {}, {0.01f}).init("sw", {3}, {0.1f, 0.2f, 0.3f}).init("sy", {}, {0.05f});
  init_int(b, "zx", {}, onnx::TensorProto::UINT8, {128});
  init_int(b, "zy", {}, onnx::TensorProto::INT8, {-3});
  init_int(b, "w", {4, 3}, onnx::TensorProto::INT8, {1, -2, 3, 127, -128, 5, 0, 9, -9, 4, 4, 4});
  init_int(b, "zw", {3}, onnx::TensorProto::INT8, {0, 0, 0});
  b.node("QuantizeLinear", {"x", "sx", "zx"}, {"xq"});
  b.node("DequantizeLinear", {"xq", "sx", "zx"}, {"xd"});
  testing::set_int(b.node("DequantizeLinear", {"w", "sw", "zw"}, {"wd"}), "axis", 1);
  b.node("MatMul", {"xd", "wd"}, {"m"});
  b.node("QuantizeLinear", {"m", "sy", "zy"}, {"mq"});
  b.node("DequantizeLinear", {"mq", "sy", "zy"}, {"y"});
  return b;
}

}  // namespace

TEST_CASE("a QDQ MatMul keeps the model's int8 weights, scales and zero points", "[ml-import][quantized]") {
  auto g = import(qdq_matmul());
  REQUIRE(g.nodes.size() == 1);
  REQUIRE(g.nodes[0].op == ml::OpKind::Dense);
  const auto& w = g.tensors[g.nodes[0].inputs[1]];
  CHECK(w.weight_scale == std::vector<float>{0.1f, 0.2f, 0.3f});  // per output channel (MatMul axis 1)
  CHECK(g.tensors[g.input].quant == ml::QuantParams{0.01f, 0});     // uint8 zero point 128 -> int8 0
  CHECK(g.tensors[g.output].quant == ml::QuantParams{0.05f, -3});
  CHECK(model::tensors_needing_calibration(g).empty());
  CHECK(g.warnings.empty());
#ifdef ZKVM_HAVE_ML_HOST
  // Without calibration: the integers are ONNX's. x = (1, -1, 0.5, 0.25) ->
  // q = (100, -100, 50, 25); m_j = 0.01 s_j sum_k q_k w_kj; y = round(m / 0.05) - 3.
  auto file = ml::quantize_model(g, std::vector<ml::Range>(g.tensors.size()), {});
  const std::vector<float> x = {1.0f, -1.0f, 0.5f, 0.25f};
  const auto r = ml::run_int8_host(file, x);
  const int q[4] = {100, -100, 50, 25};
  const int wv[12] = {1, -2, 3, 127, -128, 5, 0, 9, -9, 4, 4, 4};
  const double s[3] = {0.1, 0.2, 0.3};
  for (int j = 0; j < 3; ++j) {
    long acc = 0;
    for (int k = 0; k < 4; ++k) acc += long{q[k]} * wv[k * 3 + j];
    const double y = std::clamp(std::nearbyint(0.01 * s[j] * static_cast<double>(acc) / 0.05) - 3, -128.0, 127.0);
    CHECK(r.logits_or_output[static_cast<size_t>(j)] == static_cast<int32_t>(y));
  }
#endif
}

TEST_CASE("float weights through QuantizeLinear and DequantizeLinear fold into int8 weights with the given scales",
          "[ml-import][quantized]") {
  // torch.ao exports keep float weights and quantize them in the graph.
  OnnxBuilder b;
  b.input("x", {1, 2}).output("y");
  b.init("w", {2, 2}, {0.1f, -0.26f, 0.5f, 1.0f}).init("s", {}, {0.1f});
  init_int(b, "z", {}, onnx::TensorProto::INT8, {0});
  b.node("QuantizeLinear", {"w", "s", "z"}, {"wq"});
  b.node("DequantizeLinear", {"wq", "s", "z"}, {"wd"});
  b.node("MatMul", {"x", "wd"}, {"y"});
  auto g = import(b);
  const auto& w = g.tensors[g.nodes[0].inputs[1]];
  CHECK(w.weight_scale == std::vector<float>{0.1f});
  // W[out][in]: -0.26 rounds (half to even at -2.6) to -3 steps; 0.5 to 5.
  CHECK(w.data == std::vector<float>{1 * 0.1f, 5 * 0.1f, -3 * 0.1f, 10 * 0.1f});
  // The activations have no given parameters: calibration is needed.
  CHECK(model::tensors_needing_calibration(g).size() == 2);
}

TEST_CASE("quantized tensors reach only the ops that read them, and bad quantization parameters are named",
          "[ml-import][quantized]") {
  {  // A float op on QuantizeLinear's output.
    OnnxBuilder b;
    b.input("x", {1, 4}).output("y").init("s", {}, {0.1f});
    b.node("QuantizeLinear", {"x", "s"}, {"q"});
    b.node("Relu", {"q"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("(Relu): input 'q' is a quantized tensor"));
  }
  {  // The graph ends on a quantized tensor.
    OnnxBuilder b;
    b.input("x", {1, 4}).output("y").init("s", {}, {0.1f});
    b.node("Relu", {"x"}, {"r"});
    b.node("QuantizeLinear", {"r", "s"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("end the graph with DequantizeLinear"));
  }
  {  // A per-axis quantized activation reaches an op that moves int8 values.
    OnnxBuilder b;
    b.input("x", {1, 2, 2, 2}).output("y").init("s", {2}, {0.1f, 0.2f}).init_i64("shape", {2}, {1, 8});
    b.node("QuantizeLinear", {"x", "s"}, {"q"});
    b.node("Reshape", {"q", "shape"}, {"r"});
    b.node("DequantizeLinear", {"r", "s"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("node 1 'Reshape_1' (Reshape): input 'q' is quantized per axis "
                                                   "(QuantizeLinear with 2 scales along axis 1); only "
                                                   "DequantizeLinear reads a per-axis quantized activation"));
  }
  {  // Per-axis parameters that differ between QuantizeLinear and DequantizeLinear.
    OnnxBuilder b;
    b.input("x", {1, 2, 2, 2}).output("y").init("s", {2}, {0.1f, 0.2f}).init("t", {2}, {0.1f, 0.3f});
    b.node("QuantizeLinear", {"x", "s"}, {"q"});
    b.node("DequantizeLinear", {"q", "t"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("input 'q' is quantized per axis with axis 1, scales 0.1 0.2, "
                                                   "zero points -128 -128 (int8), but this node reads it with axis 1, "
                                                   "scales 0.1 0.3"));
  }
  {  // One scale at QuantizeLinear, per axis at DequantizeLinear.
    OnnxBuilder b;
    b.input("x", {1, 2, 2, 2}).output("y").init("s", {}, {0.1f}).init("t", {2}, {0.1f, 0.3f});
    b.node("QuantizeLinear", {"x", "s"}, {"q"});
    b.node("DequantizeLinear", {"q", "t"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("input 'q' is quantized with one scale, but this node reads it "
                                                   "per axis (axis 1, scales 0.1 0.3"));
  }
  {  // Per-axis quantization of an activation of rank 5.
    OnnxBuilder b;
    b.input("x", {1, 2, 2, 2}).output("y").init("s", {2}, {0.1f, 0.2f}).init_i64("shape", {5}, {1, 2, 2, 2, 1});
    b.node("Reshape", {"x", "shape"}, {"x5"});
    b.node("QuantizeLinear", {"x5", "s"}, {"q"});
    b.node("DequantizeLinear", {"q", "s"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("node 1 'QuantizeLinear_1' (QuantizeLinear): per-axis "
                                                   "quantization of an activation of rank 5 (at most 4)"));
  }
  {  // One tensor quantized per axis along two axes.
    OnnxBuilder b;
    b.input("x", {1, 2, 2, 2}).output("y").init("s", {2}, {0.1f, 0.2f});
    b.node("QuantizeLinear", {"x", "s"}, {"q"});
    b.node("DequantizeLinear", {"q", "s"}, {"d"});
    testing::set_int(b.node("QuantizeLinear", {"d", "s"}, {"q2"}), "axis", 2);
    testing::set_int(b.node("DequantizeLinear", {"q2", "s"}, {"y"}), "axis", 2);
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("node 2 'QuantizeLinear_2' (QuantizeLinear): 'd' is quantized per "
                                                   "axis along axis 1 and here along axis 2; one axis per tensor"));
  }
  for (bool per_axis_a : {false, true}) {  // Per-axis scales on a QLinearMatMul's activation input.
    OnnxBuilder b;
    b.input("x", {1, 2}).output("y").init("sa", {2}, {0.1f, 0.2f}).init("sb", {}, {0.1f}).init("sy", {}, {0.1f});
    b.init("s1", {}, {0.1f});
    init_int(b, "za", {2}, onnx::TensorProto::UINT8, {128, 128});
    init_int(b, "z1", {}, onnx::TensorProto::UINT8, {128});
    init_int(b, "zb", {}, onnx::TensorProto::INT8, {0});
    init_int(b, "zy", {}, onnx::TensorProto::UINT8, {128});
    init_int(b, "w", {2, 2}, onnx::TensorProto::INT8, {1, 2, 3, 4});
    // a quantized per axis (only DequantizeLinear may read it), or with one
    // scale and the QLinearMatMul's a_scale per axis.
    if (per_axis_a) b.node("QuantizeLinear", {"x", "sa", "za"}, {"a"});
    else b.node("QuantizeLinear", {"x", "s1", "z1"}, {"a"});
    b.node("QLinearMatMul", {"a", "sa", "za", "w", "sb", "zb", "sy", "zy"}, {"q"});
    b.node("DequantizeLinear", {"q", "sy", "zy"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains(
        per_axis_a ? "node 1 'QLinearMatMul_1' (QLinearMatMul): input 'a' is quantized per axis (QuantizeLinear "
                     "with 2 scales along axis 1); only DequantizeLinear reads"
                   : "node 1 'QLinearMatMul_1' (QLinearMatMul): QLinearMatMul: scale 'sa' has 2 values (per axis), "
                     "for an activation; the activation inputs and output of QLinearConv and QLinearMatMul take one "
                     "scale and zero point (per-axis scales are supported for their constant weights, and on "
                     "activations through QuantizeLinear/DequantizeLinear)"));
  }
  {  // An int32 zero point (int32 activations).
    OnnxBuilder b;
    b.input("x", {1, 4}).output("y").init("s", {}, {0.1f});
    init_int(b, "z", {}, onnx::TensorProto::INT32, {0});
    b.node("QuantizeLinear", {"x", "s", "z"}, {"q"});
    b.node("DequantizeLinear", {"q", "s", "z"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("zero point must be int8 or uint8"));
  }
  {  // Dequantized with other parameters than it was quantized with.
    OnnxBuilder b;
    b.input("x", {1, 4}).output("y").init("s", {}, {0.1f}).init("t", {}, {0.2f});
    b.node("QuantizeLinear", {"x", "s"}, {"q"});
    b.node("DequantizeLinear", {"q", "t"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("but this node reads it with scale 0.2"));
  }
  {  // DequantizeLinear of a float activation; a zero scale.
    OnnxBuilder b;
    b.input("x", {1, 4}).output("y").init("s", {}, {0.1f});
    b.node("DequantizeLinear", {"x", "s"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("input 'x' is float32, not a quantized tensor"));
    OnnxBuilder c;
    c.input("x", {1, 4}).output("y").init("s", {}, {0.0f});
    c.node("QuantizeLinear", {"x", "s"}, {"q"});
    c.node("DequantizeLinear", {"q", "s"}, {"y"});
    REQUIRE_THROWS_WITH(import(c), Catch::Contains("scale 0.000000 is not a positive number"));
  }
  {  // Weights quantized along the input axis: re-quantized, with a warning naming them.
    OnnxBuilder b = qdq_matmul();
    auto* g = b.m.mutable_graph();
    for (auto& t : *g->mutable_initializer())
      if (t.name() == "sw") {
        t.clear_float_data();
        t.clear_dims();
        t.add_dims(4);
        for (float v : {0.1f, 0.2f, 0.3f, 0.4f}) t.add_float_data(v);
      } else if (t.name() == "zw") {
        t.clear_int32_data();
        t.clear_dims();
        t.add_dims(4);
        for (int k = 0; k < 4; ++k) t.add_int32_data(0);
      }
    for (auto& n : *g->mutable_node())
      if (n.output(0) == "wd") n.mutable_attribute(0)->set_i(0);
    auto gr = import(b);
    REQUIRE(gr.warnings.size() == 1);
    CHECK_THAT(gr.warnings[0], Catch::Contains("weights 'wd' are quantized along axis 0, not the output channels' "
                                               "(axis 1): re-quantized per output channel"));
    CHECK(gr.tensors[gr.nodes[0].inputs[1]].weight_scale.empty());
  }
}

TEST_CASE("randomly corrupted pre-quantized .onnx files are rejected or imported, never crash",
          "[ml-import][quantized]") {
  // x -> QuantizeLinear -> QLinearConv (per-channel int8 w, int32 B) ->
  // MaxPool -> Flatten (both on uint8) -> DequantizeLinear -> Gemm (QDQ int8
  // weights, int32 bias) -> QuantizeLinear -> DequantizeLinear
  OnnxBuilder b;
  b.input("x", {1, 1, 6, 6}).output("y");
  b.init("sx", {}, {0.01f}).init("sw", {2}, {0.02f, 0.03f}).init("sc", {}, {0.05f});
  b.init("sg", {}, {0.04f}).init("sgb", {}, {0.002f}).init("sy", {}, {0.1f});
  init_int(b, "zx", {}, onnx::TensorProto::UINT8, {10});
  init_int(b, "zc", {}, onnx::TensorProto::UINT8, {0});
  init_int(b, "zy", {}, onnx::TensorProto::INT8, {0});
  init_int(b, "zw", {2}, onnx::TensorProto::INT8, {0, 0});
  init_int(b, "w", {2, 1, 3, 3}, onnx::TensorProto::INT8, {1, 2, 3, 4, 5, 6, 7, 8, 9, -9, -8, -7, -6, -5, -4, -3, -2, -1});
  init_int(b, "bias", {2}, onnx::TensorProto::INT32, {100, -100});
  init_int(b, "wg", {3, 8}, onnx::TensorProto::INT8, {1, -1, 2, -2, 3, -3, 4, -4, 5, 5, 5, 5, -5, -5, -5, -5,
                                                       0, 1, 0, 1, 0, 1, 0, 1});
  init_int(b, "zg", {}, onnx::TensorProto::INT8, {0});
  init_int(b, "bg", {3}, onnx::TensorProto::INT32, {7, 8, 9});
  b.node("QuantizeLinear", {"x", "sx", "zx"}, {"xq"});
  testing::set_ints(b.node("QLinearConv", {"xq", "sx", "zx", "w", "sw", "zw", "sc", "zc", "bias"}, {"c"}),
                    "kernel_shape", {3, 3});
  auto& mp = b.node("MaxPool", {"c"}, {"p"});
  testing::set_ints(mp, "kernel_shape", {2, 2});
  testing::set_ints(mp, "strides", {2, 2});
  b.node("Flatten", {"p"}, {"f"});
  b.node("DequantizeLinear", {"f", "sc", "zc"}, {"fd"});
  b.node("DequantizeLinear", {"wg", "sg", "zg"}, {"wgd"});
  b.node("DequantizeLinear", {"bg", "sgb"}, {"bgd"});
  testing::set_int(b.node("Gemm", {"fd", "wgd", "bgd"}, {"h"}), "transB", 1);
  b.node("QuantizeLinear", {"h", "sy", "zy"}, {"hq"});
  b.node("DequantizeLinear", {"hq", "sy", "zy"}, {"y"});
  const std::string bytes = b.bytes();
  {
    auto g = import(b);  // the uncorrupted model imports without calibration
    CHECK(model::tensors_needing_calibration(g).empty());
  }
  uint32_t s = 777;
  auto next = [&s] { return s = s * 1664525u + 1013904223u; };
  int rejected = 0, imported = 0;
  for (int iter = 0; iter < 400; ++iter) {
    std::string m = bytes;
    const int flips = 1 + static_cast<int>(next() % 3);
    for (int k = 0; k < flips; ++k) m[next() % m.size()] = static_cast<char>(next() >> 24);
    try {
      auto g = model::import_onnx_bytes({reinterpret_cast<const uint8_t*>(m.data()), m.size()}, "fuzz.onnx");
      ++imported;
      try {
        std::vector<float> x(model::elem_count(g.tensors[g.input].shape), 0.5f);
        model::run_reference(g, x);
#ifdef ZKVM_HAVE_ML_HOST
        std::vector<int32_t> tmap;
        auto file = ml::quantize_model(g, model::calibrate(g, x, 1), {}, &tmap);
        ml::run_int8_host(file, x);
        model::check_calibration(g, file, tmap, x, 1, 0.05);
#endif
      } catch (const std::runtime_error&) {
      }
    } catch (const model::ImportError& e) {
      ++rejected;
      REQUIRE(std::string(e.what()).rfind("fuzz.onnx: ", 0) == 0);
    }
  }
  CHECK(rejected > 0);
  CHECK(imported > 0);
}

#ifdef ZKVM_HAVE_ML_HOST
TEST_CASE("an AveragePool that the model requantizes to a new scale gets a Lut8 that moves it there",
          "[ml-import][quantized]") {
  // x -> Q(0.02, -10) -> DQ -> AveragePool 2x2 -> Q(0.01, 5) -> DQ -> y
  OnnxBuilder b;
  b.input("x", {1, 2, 4, 4}).output("y").init("s1", {}, {0.02f}).init("s2", {}, {0.01f});
  init_int(b, "z1", {}, onnx::TensorProto::INT8, {-10});
  init_int(b, "z2", {}, onnx::TensorProto::INT8, {5});
  b.node("QuantizeLinear", {"x", "s1", "z1"}, {"xq"});
  b.node("DequantizeLinear", {"xq", "s1", "z1"}, {"xd"});
  auto& pool = b.node("AveragePool", {"xd"}, {"p"});
  testing::set_ints(pool, "kernel_shape", {2, 2});
  testing::set_ints(pool, "strides", {2, 2});
  b.node("QuantizeLinear", {"p", "s2", "z2"}, {"pq"});
  b.node("DequantizeLinear", {"pq", "s2", "z2"}, {"y"});
  auto g = import(b);
  auto file = ml::quantize_model(g, std::vector<ml::Range>(g.tensors.size()), {});
  CHECK(ml::model_info(file).ops == std::vector<std::string>{"AveragePool", "Lut8"});
  auto x = testing::rand_floats(32, 7);
  for (float& v : x) v = v * 1.2f;  // within both int8 ranges
  const auto r = ml::run_int8_host(file, x);
  const auto q = ml::quantize_input(file, x);
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        // ONNX: the average of the dequantized inputs, quantized once.
        double sum = 0;
        for (int di = 0; di < 2; ++di)
          for (int dj = 0; dj < 2; ++dj) sum += (q[static_cast<size_t>(c * 16 + (2 * i + di) * 4 + 2 * j + dj)] + 10) * 0.02;
        const double want = std::nearbyint(sum / 4 / 0.01) + 5;
        CHECK(std::fabs(r.logits_or_output[static_cast<size_t>(c * 4 + i * 2 + j)] - want) <= 1.0);
      }
}

TEST_CASE("the calibration check reports the worst layer and names a tensor whose range an outlier stretches",
          "[ml-import][calibration]") {
  auto g = model::import_onnx_file(kModels + "fashion_mlp.onnx");
  auto cal = model::load_images(kData + "train-images-idx3-ubyte.gz", 784, 40);
  {
    auto ranges = model::calibrate(g, cal.data, cal.count);
    std::vector<int32_t> tmap;
    auto file = ml::quantize_model(g, ranges, {}, &tmap);
    auto c = model::check_calibration(g, file, tmap, cal.data, cal.count, 0.05);
    REQUIRE(c.worst >= 0);
    CHECK(c.tensors.size() == 4);  // input, two fused Dense+Relu outputs, logits
    CHECK(c.tensors[static_cast<size_t>(c.worst)].error < 0.05);
    CHECK(c.output_agreement >= 0.95);
    CHECK(c.warnings.empty());
    CHECK_THAT(model::calibration_report(c, 0.05), Catch::Contains("worst layer: '"));
  }
  // One pixel of value 200 among values in [0, 1]: the input's int8 step
  // becomes ~0.8, and almost every pixel rounds to 0.
  cal.data[5] = 200.0f;
  auto ranges = model::calibrate(g, cal.data, cal.count);
  std::vector<int32_t> tmap;
  auto file = ml::quantize_model(g, ranges, {}, &tmap);
  auto c = model::check_calibration(g, file, tmap, cal.data, cal.count, 0.05);
  REQUIRE(!c.warnings.empty());
  CHECK_THAT(c.warnings[0], Catch::Contains("tensor '" + g.tensors[g.input].name + "': its int8 range [0, 200"));
  CHECK_THAT(c.warnings[0], Catch::Contains("to rounding and clipping alone (more than 5.0%)"));
}
#endif

#ifdef ZKVM_HAVE_ML_HOST
// ONNX's QuantizeLinear of x (float32): round half to even, then the zero
// point, saturated to int8 (onnx/reference/ops/op_quantize_linear.py).
int onnx_quantize(float x, float scale, int zp) {
  const float r = std::nearbyint(x / scale);  // the default rounding mode: half to even
  return std::clamp(static_cast<int>(r) + zp, -128, 127);
}

TEST_CASE("a per-axis QuantizeLinear of an activation runs as a Requant node with ONNX's integers",
          "[ml-import][quantized]") {
  // x -> Q (one scale 0.5) -> DQ -> Q (axis 1: scales 1, 0.25, 2) -> DQ -> y.
  // The ratios 0.5, 2 and 0.25 are exact in the multiplier, so the int8
  // model must give ONNX's integers, ties (x / s = k + 1/2) included.
  OnnxBuilder b;
  b.input("x", {1, 3, 2, 2}).output("y");
  b.init("s0", {}, {0.5f}).init("s", {3}, {1.0f, 0.25f, 2.0f});
  init_int(b, "z0", {}, onnx::TensorProto::INT8, {0});
  init_int(b, "z", {3}, onnx::TensorProto::INT8, {0, -5, 10});
  b.node("QuantizeLinear", {"x", "s0", "z0"}, {"xq"});
  b.node("DequantizeLinear", {"xq", "s0", "z0"}, {"xd"});
  b.node("QuantizeLinear", {"xd", "s", "z"}, {"q"});
  b.node("DequantizeLinear", {"q", "s", "z"}, {"y"});
  const ml::Graph g = import(b);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].op == ml::OpKind::Requantize);
  CHECK(g.tensors[g.input].quant.given());
  CHECK(g.tensors[g.output].axis_quant.given());
  const auto file = ml::quantize_model(g, std::vector<ml::Range>(g.tensors.size()), {});
  CHECK(ml::model_info(file).ops == std::vector<std::string>{"Requant"});
  // Input integers: ties at index 0 (x / 1 = +-0.5, -1.5) and 2 (x / 2 = 0.5,
  // +-1.5), saturation at index 1.
  const std::vector<int> xq = {-64, -3, 1, -1, 63, -64, 5, 7, 2, 6, -6, 3};
  std::vector<float> x;
  for (int v : xq) x.push_back(0.5f * static_cast<float>(v));
  const auto r = ml::run_int8_host(file, x);
  const float s[3] = {1.0f, 0.25f, 2.0f};
  const int z[3] = {0, -5, 10};
  REQUIRE(r.logits_or_output.size() == x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("element " << i << " x " << x[i]);
    CHECK(r.logits_or_output[i] == onnx_quantize(x[i], s[i / 4], z[i / 4]));
  }
  CHECK(r.logits_or_output[2] == 0);    // 0.5 -> 0 (half to even; half away would give 1)
  CHECK(r.logits_or_output[4] == 121);   // 63 * 2 - 5
  CHECK(r.logits_or_output[5] == -128);  // -64 * 2 - 5 saturates
  CHECK(r.logits_or_output[8] == 10);   // 1 / 2 = 0.5 -> 0
}

TEST_CASE("a per-axis quantized activation read by another op is requantized to one scale that covers every index",
          "[ml-import][quantized]") {
  // The graph input quantized per axis, then a Relu: a Requantize to one
  // scale and zero point (no calibration) runs before it.
  OnnxBuilder b;
  b.input("x", {1, 2, 3}).output("y").init("s", {2}, {0.05f, 0.5f});
  init_int(b, "z", {2}, onnx::TensorProto::UINT8, {128, 28});
  b.node("QuantizeLinear", {"x", "s", "z"}, {"q"});
  b.node("DequantizeLinear", {"q", "s", "z"}, {"d"});
  b.node("Relu", {"d"}, {"y"});
  const ml::Graph g = import(b);
  REQUIRE(g.nodes.size() == 2);
  CHECK(g.nodes[0].op == ml::OpKind::Requantize);
  CHECK(g.nodes[1].op == ml::OpKind::Relu);
  CHECK(g.tensors[g.input].axis_quant.given());
  CHECK(model::tensors_needing_calibration(g).empty());
  // Index 0 spans [-6.4, 6.35], index 1 [-14, 113.5] (int8 zero point
  // -100): one scale 127.5 / 255 = 0.5 and zero point -100 cover both.
  const ml::QuantParams one = g.tensors[g.nodes[0].outputs[0]].quant;
  CHECK(one.scale == 0.5f);
  CHECK(one.zero_point == -100);
  const auto file = ml::quantize_model(g, std::vector<ml::Range>(g.tensors.size()), {});
  CHECK(ml::model_info(file).input_per_axis);
  const std::vector<float> x = {-1.0f, 0.3f, 6.35f, 40.0f, -3.0f, 113.5f};
  const auto r = ml::run_int8_host(file, x);
  const double s_in[2] = {0.05, 0.5};
  zkml_model zm;
  REQUIRE(zkml_parse(&zm, file.data(), static_cast<uint32_t>(file.size())) == ZKML_OK);
  const auto tq = ml::tensor_quant(file, zm.output);
  REQUIRE(tq.axis == -1);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("element " << i);
    const double want = std::max(x[i], 0.0f);
    // Two roundings: the input's own index grid, then the one scale.
    CHECK(std::fabs(tq.dequantize(i, r.logits_or_output[i]) - want) <= 0.5 * s_in[i / 3] + 0.5 * one.scale + 1e-6);
  }
}
#endif
