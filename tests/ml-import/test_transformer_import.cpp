// Importer tests of the transformer ops: LayerNormalization and torch's
// decomposed LayerNorm, the two GELU forms, MatMul of two activations,
// Transpose and Reshape up to rank 6, Gather of an activation (class token);
// each through the float reference (against the op's definition) and the
// int8 path, and the errors for what stays unsupported.
#include <catch2/catch.hpp>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "onnx_builder.h"
#include "zkvm_model/calibrate.h"
#include "zkvm_model/onnx_import.h"
#include "zkvm_model/reference.h"
#ifdef ZKVM_HAVE_ML_HOST
#include "quantize.h"
#include "zkvm/ml/model.h"
#endif

using namespace zkvm;
using zkvm::testing::OnnxBuilder;
using zkvm::testing::rand_floats;

namespace {

ml::Graph import(const OnnxBuilder& b) {
  std::string s = b.bytes();
  return model::import_onnx_bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, "model.onnx");
}

std::vector<std::string> ops_of(const ml::Graph& g) {
  std::vector<std::string> v;
  for (const auto& n : g.nodes) v.push_back(model::kind_name(n.op));
  return v;
}

// A Constant node holding one float (torch puts these between a pattern's ops).
void constant(OnnxBuilder& b, const std::string& out, float v) {
  auto& n = b.node("Constant", {}, {out});
  auto* a = n.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  a->mutable_t()->add_float_data(v);
}

std::vector<float> layernorm(const std::vector<float>& x, size_t d, const std::vector<float>& gamma,
                             const std::vector<float>& beta, double eps) {
  std::vector<float> y(x.size());
  for (size_t r = 0; r < x.size(); r += d) {
    double mean = 0, var = 0;
    for (size_t i = 0; i < d; ++i) mean += x[r + i];
    mean /= double(d);
    for (size_t i = 0; i < d; ++i) var += (x[r + i] - mean) * (x[r + i] - mean);
    var /= double(d);
    for (size_t i = 0; i < d; ++i) y[r + i] = float((x[r + i] - mean) / std::sqrt(var + eps) * gamma[i] + beta[i]);
  }
  return y;
}

// The int8 model of g, calibrated on `x` itself, within `steps` output steps
// of the float reference on x.
void check_int8(const ml::Graph& g, const std::vector<float>& x, double steps) {
#ifdef ZKVM_HAVE_ML_HOST
  auto ranges = model::calibrate(g, x, 1);
  auto file = ml::quantize_model(g, ranges, {});
  zkml_model zm;
  REQUIRE(zkml_parse(&zm, file.data(), uint32_t(file.size())) == ZKML_OK);
  zkml_tensor t;
  zkml_get_tensor(&zm, zm.output, &t);
  float s;
  std::memcpy(&s, &t.scale_bits, 4);
  auto y = model::run_reference(g, x);
  auto r = ml::run_int8_host(file, x);
  REQUIRE(r.logits_or_output.size() == y.size());
  double worst = 0;
  for (size_t i = 0; i < y.size(); ++i)
    worst = std::max(worst, std::fabs(double((r.logits_or_output[i] - t.zero_point) * s - y[i])) / s);
  INFO("worst int8 error " << worst << " output steps");
  CHECK(worst <= steps);
#else
  (void)g, (void)x, (void)steps;
#endif
}

std::vector<float> ln_gamma() { return {0.5f, 1.5f, -1.0f, 2.0f, 1.0f, 0.25f, 1.0f, 0.8f}; }
std::vector<float> ln_beta() { return {0.1f, -0.2f, 0.0f, 0.3f, 0.5f, -0.5f, 0.05f, 0.0f}; }

}  // namespace

TEST_CASE("LayerNormalization (opset 17) over the last axis imports as LayerNorm and matches its definition",
          "[ml-import][transformer]") {
  OnnxBuilder b(17);
  b.input("x", {1, 3, 8}).init("g", {8}, ln_gamma()).init("b", {8}, ln_beta());
  auto& n = b.node("LayerNormalization", {"x", "g", "b"}, {"y"}, "ln");
  zkvm::testing::set_float(n, "epsilon", 1e-3f);
  zkvm::testing::set_int(n, "axis", -1);
  b.output("y");
  auto g = import(b);
  CHECK(ops_of(g) == std::vector<std::string>{"LayerNorm"});
  auto x = rand_floats(24, 5);
  for (auto& v : x) v *= 3;
  auto y = model::run_reference(g, x), want = layernorm(x, 8, ln_gamma(), ln_beta(), 1e-3);
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(want[i]).margin(1e-5));
  check_int8(g, x, 1.5);

  OnnxBuilder c(17);  // over the middle axis: refused, naming the axis
  c.input("x", {1, 3, 8}).init("g", {3, 8}, rand_floats(24, 1)).init("b", {3, 8}, rand_floats(24, 2));
  zkvm::testing::set_int(c.node("LayerNormalization", {"x", "g", "b"}, {"y"}, "ln"), "axis", 1);
  c.output("y");
  CHECK_THROWS_WITH(import(c), Catch::Contains("node 0 'ln' (LayerNormalization): axis=1 is not supported (the last axis only)"));
}

TEST_CASE("torch's decomposed LayerNorm (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add) becomes one "
          "LayerNorm", "[ml-import][transformer]") {
  auto build = [](bool extra_use) {
    OnnxBuilder b(13);
    b.input("x", {1, 4, 8}).init("w", {8}, ln_gamma()).init("bias", {8}, ln_beta());
    zkvm::testing::set_ints(b.node("ReduceMean", {"x"}, {"m"}, "mean"), "axes", {-1});
    b.node("Sub", {"x", "m"}, {"d"}, "sub");
    constant(b, "two", 2.0f);
    b.node("Pow", {"d", "two"}, {"p"}, "pow");
    zkvm::testing::set_ints(b.node("ReduceMean", {"p"}, {"v"}, "var"), "axes", {-1});
    constant(b, "eps", 1e-5f);
    b.node("Add", {"v", "eps"}, {"ve"}, "add_eps");
    b.node("Sqrt", {"ve"}, {"s"}, "sqrt");
    b.node("Div", {"d", "s"}, {"n"}, "div");
    b.node("Mul", {"n", "w"}, {"nw"}, "scale");
    b.node("Add", {"nw", "bias"}, {"y"}, "shift");
    if (extra_use) {
      b.node("Add", {"y", "d"}, {"z"}, "reads_d");  // the centred value escapes the pattern
      b.output("z");
    } else {
      b.output("y");
    }
    return b;
  };
  auto g = import(build(false));
  REQUIRE(ops_of(g) == std::vector<std::string>{"LayerNorm"});
  CHECK(g.nodes[0].alpha == Approx(1e-5f));
  auto x = rand_floats(32, 6);
  for (auto& v : x) v = 2 * v + 0.5f;
  auto y = model::run_reference(g, x), want = layernorm(x, 8, ln_gamma(), ln_beta(), 1e-5);
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(want[i]).margin(1e-5));
  check_int8(g, x, 1.5);
  // Not the pattern when an intermediate value has another reader: the
  // ReduceMean is then refused by name.
  CHECK_THROWS_WITH(import(build(true)), Catch::Contains("node 0 'mean' (ReduceMean): op ReduceMean is supported only "
                                                         "inside a LayerNorm over the last axis"));
}

TEST_CASE("a LayerNorm with Casts to float32 inside is recognised, and eps outside the square root is not a LayerNorm",
          "[ml-import][transformer]") {
  // Mixed-precision exports put Cast(to=FLOAT) between the ops.
  auto build = [](bool eps_outside) {
    OnnxBuilder b(13);
    b.input("x", {1, 3, 8});
    auto& c0 = b.node("Cast", {"x"}, {"xc"}, "cast_in");
    zkvm::testing::set_int(c0, "to", onnx::TensorProto::FLOAT);
    zkvm::testing::set_ints(b.node("ReduceMean", {"xc"}, {"m"}, "mean"), "axes", {-1});
    b.node("Sub", {"xc", "m"}, {"d"}, "sub");
    b.node("Mul", {"d", "d"}, {"p"}, "square");
    zkvm::testing::set_ints(b.node("ReduceMean", {"p"}, {"v"}, "var"), "axes", {2});
    constant(b, "eps", 1e-3f);
    if (eps_outside) {  // (x - mean) / (sqrt(var) + eps): another function
      b.node("Sqrt", {"v"}, {"s"}, "sqrt");
      b.node("Add", {"s", "eps"}, {"se"}, "add_eps");
    } else {
      b.node("Add", {"v", "eps"}, {"ve"}, "add_eps");
      b.node("Sqrt", {"ve"}, {"se"}, "sqrt");
    }
    auto& c1 = b.node("Cast", {"se"}, {"sc"}, "cast_mid");
    zkvm::testing::set_int(c1, "to", onnx::TensorProto::FLOAT);
    b.node("Div", {"d", "sc"}, {"y"}, "div");
    b.output("y");
    return b;
  };
  auto g = import(build(false));
  REQUIRE(ops_of(g) == std::vector<std::string>{"LayerNorm"});
  CHECK(g.nodes[0].alpha == Approx(1e-3f).epsilon(1e-4));
  auto x = rand_floats(24, 31);
  auto y = model::run_reference(g, x), want = layernorm(x, 8, std::vector<float>(8, 1.0f), std::vector<float>(8, 0.0f), 1e-3);
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(want[i]).margin(1e-5));
  CHECK_THROWS_WITH(import(build(true)), Catch::Contains("node 1 'mean' (ReduceMean): op ReduceMean is supported only "
                                                         "inside a LayerNorm over the last axis"));
}

TEST_CASE("GELU in torch's Erf form and tanh form becomes one Gelu node, a 256-entry table in int8",
          "[ml-import][transformer]") {
  for (bool tanh_form : {false, true}) {
    OnnxBuilder b(13);
    b.input("x", {1, 2, 16});
    if (!tanh_form) {  // x / sqrt(2), erf, + 1, x * ..., * 0.5 (torch 1.13, nn.GELU())
      constant(b, "r2", 1.4142135f);
      b.node("Div", {"x", "r2"}, {"a"}, "div");
      b.node("Erf", {"a"}, {"e"}, "erf");
      constant(b, "one", 1.0f);
      b.node("Add", {"e", "one"}, {"e1"}, "add");
      b.node("Mul", {"x", "e1"}, {"xe"}, "mul");
      constant(b, "half", 0.5f);
      b.node("Mul", {"xe", "half"}, {"y"}, "mul_half");
    } else {  // nn.GELU(approximate="tanh")
      b.node("Mul", {"x", "x"}, {"x2"}, "sq");
      b.node("Mul", {"x", "x2"}, {"x3"}, "cube");
      constant(b, "c", 0.044715f);
      b.node("Mul", {"c", "x3"}, {"cx3"}, "m1");
      b.node("Add", {"x", "cx3"}, {"s"}, "a1");
      constant(b, "k", 0.7978846f);
      b.node("Mul", {"k", "s"}, {"u"}, "m2");
      b.node("Tanh", {"u"}, {"t"}, "tanh");
      constant(b, "one", 1.0f);
      b.node("Add", {"one", "t"}, {"t1"}, "a2");
      b.node("Mul", {"x", "t1"}, {"xt"}, "m3");
      constant(b, "half", 0.5f);
      b.node("Mul", {"half", "xt"}, {"y"}, "m4");
    }
    b.output("y");
    auto g = import(b);
    REQUIRE(ops_of(g) == std::vector<std::string>{"Gelu"});
    CHECK(g.nodes[0].alpha == (tanh_form ? 1.0f : 0.0f));
    auto x = rand_floats(32, 7);
    for (auto& v : x) v *= 4;
    auto y = model::run_reference(g, x);
    for (size_t i = 0; i < y.size(); ++i) {
      const double v = x[i];
      const double want = tanh_form ? 0.5 * v * (1 + std::tanh(0.7978845608 * (v + 0.044715 * v * v * v)))
                                    : 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
      CHECK(y[i] == Approx(want).margin(1e-6));
    }
    // The table is exact at every int8 input: half an output step, plus the
    // input's rounding times the slope (at most 1.13).
    check_int8(g, x, 1.5);
#ifdef ZKVM_HAVE_ML_HOST
    CHECK(ml::model_info(ml::quantize_model(g, model::calibrate(g, x, 1), {})).ops ==
          std::vector<std::string>{"Lut8"});
#endif
  }
}

TEST_CASE("opset 18 to 20: ReduceMean with an axes input, Split num_outputs, Pad axes, dilated AveragePool, Gelu",
          "[ml-import][transformer]") {
  // Opset 18 LayerNorm as torch 2.x writes it below 17's op: axes inputs.
  OnnxBuilder b(18);
  b.input("x", {1, 4, 8}).init("w", {8}, ln_gamma()).init_i64("ax", {1}, {-1});
  b.node("ReduceMean", {"x", "ax"}, {"m"}, "mean");
  b.node("Sub", {"x", "m"}, {"d"}, "sub");
  constant(b, "two", 2.0f);
  b.node("Pow", {"d", "two"}, {"p"}, "pow");
  b.node("ReduceMean", {"p", "ax"}, {"v"}, "var");
  constant(b, "eps", 1e-5f);
  b.node("Add", {"v", "eps"}, {"ve"}, "add_eps");
  b.node("Sqrt", {"ve"}, {"s"}, "sqrt");
  b.node("Div", {"d", "s"}, {"n"}, "div");
  b.node("Mul", {"n", "w"}, {"y"}, "scale");
  b.output("y");
  auto g = import(b);
  REQUIRE(ops_of(g) == std::vector<std::string>{"LayerNorm"});
  auto x = rand_floats(32, 21);
  auto y = model::run_reference(g, x), want = layernorm(x, 8, ln_gamma(), std::vector<float>(8, 0.0f), 1e-5);
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(want[i]).margin(1e-5));

  // Gelu (opset 20), both forms.
  for (const char* form : {"none", "tanh"}) {
    OnnxBuilder c(20);
    c.input("x", {1, 2, 8});
    zkvm::testing::set_string(c.node("Gelu", {"x"}, {"y"}, "gelu"), "approximate", form);
    c.output("y");
    auto gc = import(c);
    REQUIRE(ops_of(gc) == std::vector<std::string>{"Gelu"});
    CHECK(gc.nodes[0].alpha == (std::string(form) == "tanh" ? 1.0f : 0.0f));
    auto xc = rand_floats(16, 22);
    for (auto& v : xc) v *= 4;
    auto yc = model::run_reference(gc, xc);
    REQUIRE(yc.size() == 16);
    for (size_t i = 0; i < 16; ++i) {
      const double v = xc[i];
      const double w = std::string(form) == "tanh" ? 0.5 * v * (1 + std::tanh(0.7978845608 * (v + 0.044715 * v * v * v)))
                                                   : 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
      CHECK(yc[i] == Approx(w).margin(1e-6));
    }
    check_int8(gc, xc, 1.5);
  }
  // Split with num_outputs (opset 18): 8 -> 3, 3, 2.
  OnnxBuilder sp(18);
  sp.input("x", {1, 2, 8});
  auto& spn = sp.node("Split", {"x"}, {"a", "b", "c"}, "split");
  zkvm::testing::set_int(spn, "axis", -1);
  zkvm::testing::set_int(spn, "num_outputs", 3);
  sp.node("Relu", {"c"}, {"y"}, "relu");
  sp.output("y");
  auto gs = import(sp);
  REQUIRE(ops_of(gs) == std::vector<std::string>{"Slice", "Relu"});
  CHECK(gs.nodes[0].start == 6);
  CHECK(gs.tensors[gs.output].shape == std::vector<int64_t>{1, 2, 2});
  OnnxBuilder bad(20);
  bad.input("x", {1, 4});
  zkvm::testing::set_string(bad.node("Gelu", {"x"}, {"y"}, "gelu"), "approximate", "sigmoid");
  bad.output("y");
  CHECK_THROWS_WITH(import(bad), Catch::Contains("node 0 'gelu' (Gelu): approximate=sigmoid is not supported (none or tanh)"));
  OnnxBuilder early(17);
  early.input("x", {1, 4});
  early.node("Gelu", {"x"}, {"y"}, "gelu");
  early.output("y");
  CHECK_THROWS_WITH(import(early), Catch::Contains("Gelu is an opset 20 op; the model imports opset 17"));

  // Pad with an axes input (opset 18) before a dilated AveragePool (opset 19).
  OnnxBuilder p(19);
  p.input("x", {1, 2, 6, 6}).init_i64("pads", {4}, {1, 1, 1, 1}).init_i64("axes", {2}, {2, 3});
  p.node("Pad", {"x", "pads", "", "axes"}, {"xp"}, "pad");
  auto& ap = p.node("AveragePool", {"xp"}, {"y"}, "pool");
  zkvm::testing::set_ints(ap, "kernel_shape", {2, 2});
  zkvm::testing::set_ints(ap, "dilations", {2, 2});
  zkvm::testing::set_int(ap, "count_include_pad", 1);
  p.output("y");
  auto gp = import(p);
  REQUIRE(ops_of(gp) == std::vector<std::string>{"AveragePool"});
  CHECK(gp.nodes[0].pads == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(gp.nodes[0].dilations == std::vector<int64_t>{2, 2});
  CHECK(gp.tensors[gp.output].shape == std::vector<int64_t>{1, 2, 6, 6});
  auto xp = rand_floats(72, 23);
  auto yp = model::run_reference(gp, xp);
  for (int ch = 0; ch < 2; ++ch)
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j) {
        double acc = 0;
        for (int u = 0; u < 2; ++u)
          for (int v = 0; v < 2; ++v) {
            const int r = i - 1 + 2 * u, c = j - 1 + 2 * v;  // padded zeros count
            if (r >= 0 && r < 6 && c >= 0 && c < 6) acc += xp[size_t((ch * 6 + r) * 6 + c)];
          }
        CHECK(yp[size_t((ch * 6 + i) * 6 + j)] == Approx(acc / 4).margin(1e-6));
      }
  check_int8(gp, xp, 2.0);
}

TEST_CASE("MatMul of two activations, Transpose and Reshape up to rank 6 import and match the float product",
          "[ml-import][transformer]") {
  // x [1,2,3,4]; x6 = reshape [1,2,3,2,2,1]; swap axes -> transpose rank 6,
  // back to [1,2,3,4]; scores = x6' x^T per head (batch 2)
  OnnxBuilder b(13);
  b.input("x", {1, 2, 3, 4}).init_i64("s6", {6}, {1, 2, 3, 2, 2, 1}).init_i64("s4", {4}, {1, 2, 3, 4});
  b.node("Reshape", {"x", "s6"}, {"x6"}, "r6");
  zkvm::testing::set_ints(b.node("Transpose", {"x6"}, {"t6"}, "t6"), "perm", {0, 1, 2, 4, 3, 5});
  b.node("Reshape", {"t6", "s4"}, {"x4"}, "r4");
  zkvm::testing::set_ints(b.node("Transpose", {"x"}, {"xt"}, "kt"), "perm", {0, 1, 3, 2});
  b.node("MatMul", {"x4", "xt"}, {"y"}, "scores");
  b.output("y");
  auto g = import(b);
  CHECK(ops_of(g) == std::vector<std::string>{"Reshape", "Transpose", "Reshape", "Transpose", "MatMul"});
  auto x = rand_floats(24, 8);
  auto y = model::run_reference(g, x);
  REQUIRE(y.size() == 2 * 3 * 3);
  for (int h = 0; h < 2; ++h)
    for (int t = 0; t < 3; ++t)
      for (int u = 0; u < 3; ++u) {
        double s = 0;
        for (int k = 0; k < 4; ++k) {
          const int kk = (k % 2) * 2 + k / 2;  // the rank-6 transpose swaps the two axes of 2
          s += double(x[size_t((h * 3 + t) * 4 + kk)]) * x[size_t((h * 3 + u) * 4 + k)];
        }
        CHECK(y[size_t((h * 3 + t) * 3 + u)] == Approx(s).margin(1e-5));
      }
  check_int8(g, x, 2.0);

  OnnxBuilder c(13);
  c.input("x", {1, 2, 3, 4}).init_i64("s", {3}, {2, 4, 3});
  c.node("Reshape", {"x", "s"}, {"b"}, "r");
  c.node("MatMul", {"x", "b"}, {"y"}, "mm");
  c.output("y");
  // [1,2,3,4] x [2,4,3]: equal batches, ranks differ -> allowed
  CHECK(ops_of(import(c)).back() == "MatMul");
  // [1,2,3,4] x [4,6] (an activation): B is one matrix for both batches,
  // repeated by a Concat of two copies.
  OnnxBuilder d(13);
  d.input("x", {1, 2, 3, 4}).init_i64("s", {2}, {4, 6});
  d.node("Reshape", {"x", "s"}, {"b"}, "r");
  d.node("MatMul", {"x", "b"}, {"y"}, "mm");
  d.output("y");
  auto gd = import(d);
  CHECK(ops_of(gd) == std::vector<std::string>{"Reshape", "Reshape", "Concat", "MatMul"});
  CHECK(gd.tensors[gd.output].shape == std::vector<int64_t>{1, 2, 3, 6});
  auto yd = model::run_reference(gd, x);
  for (int h = 0; h < 2; ++h)
    for (int t = 0; t < 3; ++t)
      for (int m = 0; m < 6; ++m) {
        double acc = 0;
        for (int k = 0; k < 4; ++k) acc += double(x[size_t((h * 3 + t) * 4 + k)]) * x[size_t(k * 6 + m)];
        CHECK(yd[size_t((h * 3 + t) * 6 + m)] == Approx(acc).margin(1e-5));
      }
  check_int8(gd, x, 2.0);
  // A constant [1,1,4,5]: one matrix for every row, a Dense over the rows.
  OnnxBuilder cd(13);
  cd.input("x", {1, 2, 3, 4}).init("w", {1, 1, 4, 5}, rand_floats(20, 9));
  cd.node("MatMul", {"x", "w"}, {"y"}, "mm");
  cd.output("y");
  auto gcd = import(cd);
  CHECK(ops_of(gcd) == std::vector<std::string>{"Dense"});
  CHECK(gcd.tensors[gcd.output].shape == std::vector<int64_t>{1, 2, 3, 5});
  // Batches [2,1] x [1,2]: broadcast in both operands, refused.
  OnnxBuilder f(13);
  f.input("x", {1, 2, 3, 4}).init_i64("sa", {4}, {2, 1, 3, 4}).init_i64("sb", {4}, {1, 2, 4, 3});
  f.node("Reshape", {"x", "sa"}, {"a"}, "ra");
  f.node("Reshape", {"x", "sb"}, {"b"}, "rb");
  f.node("MatMul", {"a", "b"}, {"y"}, "mm");
  f.output("y");
  CHECK_THROWS_WITH(import(f), Catch::Contains("node 2 'mm' (MatMul): shapes [2,1,3,4] x [1,2,4,3]: the batch "
                                               "dimensions [2,1] and [1,2] are broadcast in both operands"));
  // Batches 2 and 3 do not broadcast.
  OnnxBuilder h(13);
  h.input("x", {1, 2, 3, 4}).init("w", {3, 4, 5}, rand_floats(60, 10));
  h.node("MatMul", {"x", "w"}, {"y"}, "mm");
  h.output("y");
  CHECK_THROWS_WITH(import(h), Catch::Contains("node 0 'mm' (MatMul): shapes [1,2,3,4] x [3,4,5]: the leading (batch) "
                                               "dimensions [1,2] and [3] do not broadcast"));
  OnnxBuilder e(13);
  e.input("x", {1, 2, 3, 4}).init_i64("s", {7}, {1, 1, 2, 3, 2, 2, 1});
  e.node("Reshape", {"x", "s"}, {"y"}, "r7");
  e.output("y");
  CHECK_THROWS_WITH(import(e), Catch::Contains("node 0 'r7' (Reshape): rank 7 is not supported (at most 6)"));
}

TEST_CASE("Gather of an activation at a constant index (a class token) is a Slice", "[ml-import][transformer]") {
  OnnxBuilder b(13);
  b.input("x", {1, 5, 3}).init_i64("i", {}, {-5});
  zkvm::testing::set_int(b.node("Gather", {"x", "i"}, {"y"}, "cls"), "axis", 1);
  b.output("y");
  auto g = import(b);
  CHECK(ops_of(g) == std::vector<std::string>{"Slice", "Reshape"});
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 3});
  auto x = rand_floats(15, 9);
  auto y = model::run_reference(g, x);
  CHECK(y == std::vector<float>{x[0], x[1], x[2]});
  check_int8(g, x, 0.5);
}

TEST_CASE("a MatMul of two activations times a positive constant (attention's 1/sqrt(d)) keeps one requantisation",
          "[ml-import][transformer]") {
  for (float c : {0.25f, -0.25f}) {
    OnnxBuilder b(13);
    b.input("x", {1, 2, 3, 4});
    zkvm::testing::set_ints(b.node("Transpose", {"x"}, {"xt"}, "kt"), "perm", {0, 1, 3, 2});
    b.node("MatMul", {"x", "xt"}, {"s"}, "scores");
    constant(b, "c", c);
    b.node("Mul", {"s", "c"}, {"y"}, "scale");
    b.output("y");
    auto g = import(b);
    auto x = rand_floats(24, 11);
    auto y = model::run_reference(g, x);
    for (int h = 0; h < 2; ++h)
      for (int t = 0; t < 3; ++t)
        for (int u = 0; u < 3; ++u) {
          double s = 0;
          for (int k = 0; k < 4; ++k) s += double(x[size_t((h * 3 + t) * 4 + k)]) * x[size_t((h * 3 + u) * 4 + k)];
          CHECK(y[size_t((h * 3 + t) * 3 + u)] == Approx(c * s).margin(1e-5));
        }
    if (c > 0) {  // folded into the MatMul
      CHECK(ops_of(g) == std::vector<std::string>{"Transpose", "MatMul"});
      CHECK(g.nodes[1].scale == 0.25f);
    } else {  // a negative factor stays a Mul (the requantisation multiplier is >= 0)
      CHECK(ops_of(g) == std::vector<std::string>{"Transpose", "MatMul", "Mul"});
    }
    check_int8(g, x, 2.0);
  }
}
