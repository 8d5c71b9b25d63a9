// Pre-quantized ONNX (QuantizeLinear/DequantizeLinear, QLinear ops) in the
// importer, and the calibration check (calibration_check.h).
#include <catch2/catch.hpp>

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
  {  // Per-channel scales on an activation.
    OnnxBuilder b;
    b.input("x", {1, 2, 2, 2}).output("y").init("s", {2}, {0.1f, 0.2f});
    b.node("QuantizeLinear", {"x", "s"}, {"q"});
    b.node("DequantizeLinear", {"q", "s"}, {"y"});
    REQUIRE_THROWS_WITH(import(b), Catch::Contains("per-axis quantization of an activation is not supported"));
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
