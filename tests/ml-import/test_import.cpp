// Importer, float reference, calibration and dataset tests.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
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
#endif

using namespace zkvm;
using zkvm::testing::OnnxBuilder;
using zkvm::testing::rand_floats;

namespace {

const std::string kModels = std::string(ZKVM_SOURCE_DIR) + "/examples/models/";
const std::string kData = "/usr/share/datasets/fashion-mnist/";

ml::Graph import(const OnnxBuilder& b, const std::string& name = "model.onnx") {
  std::string s = b.bytes();
  return model::import_onnx_bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, name);
}

std::vector<float> read_f32(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  REQUIRE(f);
  std::vector<float> v(static_cast<size_t>(f.tellg()) / 4);
  f.seekg(0);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

// A Conv (2 -> 3 channels, 3x3, pad 1) on [1,2,5,5], optionally followed by BN.
OnnxBuilder conv_model(bool with_bn, const std::vector<float>& w, const std::vector<float>& b) {
  OnnxBuilder m;
  m.input("x", {1, 2, 5, 5}).init("W", {3, 2, 3, 3}, w).init("B", {3}, b);
  auto& c = m.node("Conv", {"x", "W", "B"}, {"c"}, "conv");
  zkvm::testing::set_ints(c, "pads", {1, 1, 1, 1});
  if (with_bn) {
    m.init("gamma", {3}, {0.5f, 2.0f, -1.5f}).init("beta", {3}, {0.1f, -0.2f, 0.3f});
    m.init("mean", {3}, {0.05f, -0.4f, 1.0f}).init("var", {3}, {0.9f, 0.04f, 2.5f});
    auto& bn = m.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"}, "bn");
    zkvm::testing::set_float(bn, "epsilon", 1e-3f);
    m.output("y");
  } else {
    m.output("c");
  }
  return m;
}

// Conv 2 -> 3 channels, 1x1, no bias, with the weights of the Concat test.
OnnxBuilder conv_model_1x1() {
  OnnxBuilder m;
  m.input("x", {1, 2, 3, 3}).init("W", {3, 2, 1, 1}, rand_floats(6, 3));
  m.node("Conv", {"x", "W"}, {"c"}, "conv");
  m.output("c");
  return m;
}

}  // namespace

TEST_CASE("fashion MLP imports as Dense/Relu/Dense/Relu/Dense with 109386 parameters", "[ml-import]") {
  auto g = model::import_onnx_file(kModels + "fashion_mlp.onnx");
  REQUIRE(g.nodes.size() == 5);
  std::vector<ml::OpKind> ops;
  for (auto& n : g.nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<ml::OpKind>{ml::OpKind::Dense, ml::OpKind::Relu, ml::OpKind::Dense, ml::OpKind::Relu,
                                       ml::OpKind::Dense});
  CHECK(model::param_count(g) == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  CHECK(g.tensors[g.input].shape == std::vector<int64_t>{1, 784});
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 10});
}

TEST_CASE("fashion CNN imports with BatchNormalization folded and ReLU6 as Clip", "[ml-import]") {
  auto g = model::import_onnx_file(kModels + "fashion_cnn.onnx");
  std::vector<ml::OpKind> ops;
  for (auto& n : g.nodes) ops.push_back(n.op);
  using K = ml::OpKind;
  CHECK(ops == std::vector<K>{K::Conv, K::Relu, K::MaxPool, K::Conv, K::Relu, K::MaxPool, K::Reshape, K::Dense,
                              K::Clip, K::Dense});
  const auto& clip = g.nodes[8];
  CHECK(clip.clip_min == 0.0f);
  CHECK(clip.clip_max == 6.0f);
  CHECK(g.tensors[g.nodes[6].outputs[0]].shape == std::vector<int64_t>{1, 256});
}

TEST_CASE("float reference of the imported fashion models matches torch's logits on 64 test images",
          "[ml-import]") {
  auto images = model::load_images(kData + "t10k-images-idx3-ubyte.gz", 784, 64);
  REQUIRE(images.count == 64);
  for (const char* name : {"mlp", "cnn", "vit"}) {
    INFO(name);
    auto g = model::import_onnx_file(kModels + "fashion_" + name + ".onnx");
    auto expected = read_f32(kModels + "expected_t10k_first64_" + name + ".f32");
    REQUIRE(expected.size() == 64 * 10);
    double max_err = 0;
    int same_pred = 0;
    for (size_t i = 0; i < 64; ++i) {
      auto out = model::run_reference(g, std::span<const float>(images.data).subspan(i * 784, 784));
      REQUIRE(out.size() == 10);
      int torch_arg = 0;
      for (int k = 0; k < 10; ++k) {
        max_err = std::max(max_err, std::fabs(double(out[k]) - expected[i * 10 + k]));
        if (expected[i * 10 + k] > expected[i * 10 + torch_arg]) torch_arg = k;
      }
      same_pred += model::argmax_of(g, out) == torch_arg;
    }
    CHECK(max_err < 1e-3);
    CHECK(same_pred == 64);
  }
}

TEST_CASE("BatchNormalization folded into Conv equals Conv followed by the BN formula", "[ml-import]") {
  auto w = rand_floats(3 * 2 * 9, 1), b = rand_floats(3, 2), x = rand_floats(2 * 25, 3);
  auto folded = import(conv_model(true, w, b));
  REQUIRE(folded.nodes.size() == 1);  // the BN node is gone
  CHECK(folded.nodes[0].op == ml::OpKind::Conv);
  auto plain = import(conv_model(false, w, b));
  auto yf = model::run_reference(folded, x);
  auto yc = model::run_reference(plain, x);
  REQUIRE(yf.size() == 3 * 25);
  const float gamma[] = {0.5f, 2.0f, -1.5f}, beta[] = {0.1f, -0.2f, 0.3f}, mean[] = {0.05f, -0.4f, 1.0f},
              var[] = {0.9f, 0.04f, 2.5f};
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 25; ++i) {
      float want = (yc[c * 25 + i] - mean[c]) / std::sqrt(var[c] + 1e-3f) * gamma[c] + beta[c];
      CHECK(yf[c * 25 + i] == Approx(want).margin(1e-5));
    }
}

TEST_CASE("Conv output is checked against a direct convolution", "[ml-import]") {
  auto w = rand_floats(3 * 2 * 9, 4), b = rand_floats(3, 5), x = rand_floats(2 * 25, 6);
  auto g = import(conv_model(false, w, b));
  auto y = model::run_reference(g, x);
  for (int m = 0; m < 3; ++m)
    for (int oy = 0; oy < 5; ++oy)
      for (int ox = 0; ox < 5; ++ox) {
        double acc = b[m];
        for (int c = 0; c < 2; ++c)
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
              int iy = oy + i - 1, ix = ox + j - 1;
              if (iy >= 0 && iy < 5 && ix >= 0 && ix < 5) acc += w[((m * 2 + c) * 3 + i) * 3 + j] * x[c * 25 + iy * 5 + ix];
            }
        CHECK(y[m * 25 + oy * 5 + ox] == Approx(acc).margin(1e-5));
      }
}

TEST_CASE("grouped and depthwise Conv import with their group and match a direct convolution", "[ml-import]") {
  // [1,4,5,5] -> group 2 (2 inputs, 3 outputs per group), then depthwise
  // (group 6) with stride 2 and pads.
  auto w1 = rand_floats(6 * 2 * 9, 11), b1 = rand_floats(6, 12), w2 = rand_floats(6 * 9, 13), x = rand_floats(100, 14);
  OnnxBuilder m;
  m.input("x", {1, 4, 5, 5}).init("W1", {6, 2, 3, 3}, w1).init("B1", {6}, b1).init("W2", {6, 1, 3, 3}, w2);
  auto& c1 = m.node("Conv", {"x", "W1", "B1"}, {"c1"}, "grouped");
  zkvm::testing::set_int(c1, "group", 2);
  zkvm::testing::set_ints(c1, "pads", {1, 1, 1, 1});
  auto& c2 = m.node("Conv", {"c1", "W2"}, {"y"}, "depthwise");
  zkvm::testing::set_int(c2, "group", 6);
  zkvm::testing::set_ints(c2, "pads", {1, 0, 1, 0});
  zkvm::testing::set_ints(c2, "strides", {2, 2});
  m.output("y");
  auto g = import(m);
  REQUIRE(g.nodes.size() == 2);
  CHECK(g.nodes[0].group == 2);
  CHECK(g.nodes[1].group == 6);
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 6, 3, 2});
  CHECK_THAT(model::graph_summary(g), Catch::Contains("group 6"));
  // Direct grouped convolution: output m reads channels [g Cg, (g+1) Cg) with g = m / Mg.
  auto direct = [](const std::vector<float>& in, int C, int H, int W, const std::vector<float>& w,
                   const std::vector<float>* b, int M, int G, int k, int s, int pt, int pl, int OH, int OW) {
    const int Cg = C / G, Mg = M / G;
    std::vector<double> out(static_cast<size_t>(M) * OH * OW);
    for (int mo = 0; mo < M; ++mo)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
          double acc = b ? (*b)[mo] : 0.0;
          for (int c = 0; c < Cg; ++c)
            for (int i = 0; i < k; ++i)
              for (int j = 0; j < k; ++j) {
                int iy = oy * s + i - pt, ix = ox * s + j - pl;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                  acc += w[((mo * Cg + c) * k + i) * k + j] * in[((mo / Mg * Cg + c) * H + iy) * W + ix];
              }
          out[(mo * OH + oy) * OW + ox] = acc;
        }
    return out;
  };
  auto h = direct(x, 4, 5, 5, w1, &b1, 6, 2, 3, 1, 1, 1, 5, 5);
  auto want = direct(std::vector<float>(h.begin(), h.end()), 6, 5, 5, w2, nullptr, 6, 6, 3, 2, 1, 0, 3, 2);
  auto y = model::run_reference(g, x);
  REQUIRE(y.size() == want.size());
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(want[i]).margin(1e-4));
}

TEST_CASE("SAME auto_pad becomes explicit pads, ceil_mode adds a last window, dilations spread the taps",
          "[ml-import]") {
  auto one = [](const std::string& op, auto&& tweak, std::vector<int64_t> in = {1, 1, 5, 5}) {
    OnnxBuilder m;
    m.input("x", in);
    std::vector<std::string> ins = {"x"};
    if (op == "Conv") {
      m.init("W", {1, in[1], 4, 3}, rand_floats(size_t(in[1]) * 12, 21));
      ins.push_back("W");
    }
    auto& n = m.node(op, ins, {"y"}, "op");
    if (op != "Conv") zkvm::testing::set_ints(n, "kernel_shape", {4, 3});
    tweak(n);
    m.output("y");
    return import(m);
  };
  using zkvm::testing::set_int;
  using zkvm::testing::set_ints;
  using zkvm::testing::set_string;
  // 5 rows, kernel 4, stride 2: ceil(5/2) = 3 outputs need 3 rows of padding,
  // the odd one at the end (SAME_UPPER) or the start (SAME_LOWER); columns:
  // kernel 3, stride 1, 2 rows of padding.
  auto g = one("Conv", [&](auto& n) {
    set_string(n, "auto_pad", "SAME_UPPER");
    set_ints(n, "strides", {2, 1});
  });
  CHECK(g.nodes[0].pads == std::vector<int64_t>{1, 1, 2, 1});
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 1, 3, 5});
  g = one("MaxPool", [&](auto& n) {
    set_string(n, "auto_pad", "SAME_LOWER");
    set_ints(n, "strides", {2, 1});
  });
  CHECK(g.nodes[0].pads == std::vector<int64_t>{2, 1, 1, 1});
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 1, 3, 5});
  // ceil_mode: 6 rows, kernel 4, stride 3 -> floor 1, ceil 2 (the second
  // window starts at row 3, inside the input); 5 columns, kernel 3, stride
  // 2 -> 2 either way.
  g = one("AveragePool", [&](auto& n) {
    set_int(n, "ceil_mode", 1);
    set_ints(n, "strides", {3, 2});
  }, {1, 1, 6, 5});
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 1, 2, 2});
  auto x = rand_floats(30, 22);
  auto y = model::run_reference(g, x);
  // Window (1, 0): rows 3..5 of the input (row 6 is past it), columns 0..2.
  double s = 0;
  for (int r = 3; r < 6; ++r)
    for (int c = 0; c < 3; ++c) s += x[r * 5 + c];
  CHECK(y[2] == Approx(s / 9).margin(1e-6));
  // A window past the pads does not count them even with count_include_pad.
  g = one("AveragePool", [&](auto& n) {
    set_int(n, "ceil_mode", 1);
    set_int(n, "count_include_pad", 1);
    set_ints(n, "strides", {3, 2});
    set_ints(n, "pads", {1, 0, 1, 0});
  }, {1, 1, 6, 5});
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 1, 3, 2});
  y = model::run_reference(g, x);
  s = 0;  // window (2, 0): rows 5..8 of the padded input = input row 5 and the bottom pad row 6; 7 is past it
  for (int c = 0; c < 3; ++c) s += x[5 * 5 + c];
  CHECK(y[4] == Approx(s / 6).margin(1e-6));
  // Dilations: kernel 4x3 with dilations 1x2 on 5x5 -> 2x1.
  g = one("Conv", [&](auto& n) { set_ints(n, "dilations", {1, 2}); });
  CHECK(g.nodes[0].dilations == std::vector<int64_t>{1, 2});
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 1, 2, 1});
  CHECK_THAT(model::graph_summary(g), Catch::Contains("dilation 1x2"));
  auto w = rand_floats(12, 21);
  y = model::run_reference(g, std::vector<float>(x.begin(), x.begin() + 25));
  for (int oy = 0; oy < 2; ++oy) {
    double acc = 0;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j) acc += w[i * 3 + j] * x[(oy + i) * 5 + 2 * j];
    CHECK(y[oy] == Approx(acc).margin(1e-5));
  }
  using Catch::Contains;
  {
    OnnxBuilder dm;  // taps 3 apart on 2 rows: the window at -1 has taps -1 and 2, both outside
    dm.input("x", {1, 1, 2, 2});
    auto& n = dm.node("MaxPool", {"x"}, {"y"}, "pool");
    set_ints(n, "kernel_shape", {2, 2});
    set_ints(n, "dilations", {3, 3});
    set_ints(n, "pads", {1, 1, 1, 1});
    dm.output("y");
    CHECK_THROWS_WITH(import(dm), Contains("(MaxPool): dilations [3,3] are larger than the input [1,1,2,2]"));
  }
  CHECK_THROWS_WITH(one("MaxPool", [&](auto& n) { set_ints(n, "pads", {4, 0, 0, 0}); }),
                    Contains("(MaxPool): pads [4,0,0,0] must be smaller than the kernel [4,3]"));
  // ceil_mode with a folded Pad: the extra window may start in the Pad's
  // rows only where the merged pool keeps it too (5 rows + 2 Pad rows,
  // kernel 3, stride 3: ONNX's third window starts at row 6, a Pad row).
  auto padded_pool = [&](std::vector<int64_t> pads, std::vector<int64_t> in) {
    OnnxBuilder pm;
    pm.input("x", in).init_i64("pads", {8}, pads);
    pm.node("Relu", {"x"}, {"r"});
    pm.node("Pad", {"r", "pads"}, {"p"}, "pad");
    auto& mp = pm.node("MaxPool", {"p"}, {"y"}, "pool");
    set_ints(mp, "kernel_shape", {3, 3});
    set_ints(mp, "strides", {3, 3});
    set_int(mp, "ceil_mode", 1);
    pm.output("y");
    return import(pm);
  };
  CHECK_THROWS_WITH(padded_pool({0, 0, 0, 0, 0, 0, 2, 2}, {1, 1, 5, 5}),
                    Contains("node 2 'pool' (MaxPool): ceil_mode=1: the last window would start in the bottom/right "
                             "rows of Pad 1 'pad'"));
  g = padded_pool({0, 0, 1, 1, 0, 0, 1, 1}, {1, 1, 6, 6});  // 1 + 6 + 1 rows: 3 windows either way
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 1, 3, 3});
}

TEST_CASE("Split of an activation becomes one Slice per used output, and bad splits are rejected", "[ml-import]") {
  auto split_model = [](int64_t opset, std::vector<int64_t> parts, int64_t axis, int used) {
    OnnxBuilder m(opset);
    m.input("x", {1, 6, 2, 3});
    std::vector<std::string> ins = {"x"};
    if (opset >= 13 && !parts.empty()) {
      m.init_i64("split", {static_cast<int64_t>(parts.size())}, parts);
      ins.push_back("split");
    }
    auto& n = m.node("Split", ins, {"a", "b", "c"}, "split");
    zkvm::testing::set_int(n, "axis", axis);
    if (opset < 13 && !parts.empty()) zkvm::testing::set_ints(n, "split", parts);
    m.node("Relu", {used == 0 ? "a" : (used == 1 ? "b" : "c")}, {"y"});
    m.output("y");
    return m;
  };
  auto x = rand_floats(36, 31);
  // Equal parts along the channels (opset 13 without the split input): output b is channels 2, 3.
  auto g = import(split_model(13, {}, 1, 1));
  REQUIRE(g.nodes.size() == 2);  // the unused outputs are pruned
  CHECK(g.nodes[0].op == ml::OpKind::Slice);
  CHECK(g.nodes[0].start == 2);
  auto y = model::run_reference(g, x);
  REQUIRE(y.size() == 12);
  for (int i = 0; i < 12; ++i) CHECK(y[i] == std::max(x[12 + i], 0.0f));
  // Variable parts along the last axis (opset 11 attribute): output c is column 2.
  g = import(split_model(11, {1, 1, 1}, -1, 2));
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 6, 2, 1});
  y = model::run_reference(g, x);
  for (int i = 0; i < 12; ++i) CHECK(y[i] == std::max(x[i * 3 + 2], 0.0f));
  // Parts from the input (opset 13) along the channels: 1 + 2 + 3.
  g = import(split_model(13, {1, 2, 3}, 1, 2));
  CHECK(g.nodes[0].start == 3);
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 3, 2, 3});
  using Catch::Contains;
  CHECK_THROWS_WITH(import(split_model(13, {1, 2, 2}, 1, 0)),
                    Contains("node 0 'split' (Split): split [1,2,2] does not add up to the 6 values of axis 1"));
  CHECK_THROWS_WITH(import(split_model(13, {0, 3, 3}, 1, 0)), Contains("has an empty part"));
  CHECK_THROWS_WITH(import(split_model(13, {}, 2, 0)),
                    Contains("axis 2 of [1,6,2,3] does not split into 3 equal parts"));
}

TEST_CASE("MatMul followed by Add of a constant becomes one Dense with that bias", "[ml-import]") {
  OnnxBuilder m;
  auto w = rand_floats(4 * 3, 7);
  m.input("x", {1, 4}).init("W", {4, 3}, w).init("b", {3}, {1.0f, 2.0f, 3.0f});
  m.node("MatMul", {"x", "W"}, {"h"});
  m.node("Add", {"h", "b"}, {"y"});
  m.output("y");
  auto g = import(m);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].op == ml::OpKind::Dense);
  std::vector<float> x = {1, -2, 0.5f, 3};
  auto y = model::run_reference(g, x);
  for (int j = 0; j < 3; ++j) {
    float want = 1.0f + j;
    for (int k = 0; k < 4; ++k) want += x[k] * w[k * 3 + j];
    CHECK(y[j] == Approx(want).margin(1e-5));
  }
}

TEST_CASE("constant shape arithmetic (Shape/Gather/Unsqueeze/Concat) folds into one Reshape", "[ml-import]") {
  // torch's x.view(x.size(0), -1) pattern.
  OnnxBuilder m;
  m.input("x", {1, 2, 3, 3});
  m.init_i64("zero", {}, {0}).init_i64("minus1", {1}, {-1}).init_i64("axes", {1}, {0});
  m.node("Shape", {"x"}, {"s"});
  auto& ga = m.node("Gather", {"s", "zero"}, {"n"});
  zkvm::testing::set_int(ga, "axis", 0);
  m.node("Unsqueeze", {"n", "axes"}, {"n1"});
  auto& cc = m.node("Concat", {"n1", "minus1"}, {"shape"});
  zkvm::testing::set_int(cc, "axis", 0);
  m.node("Reshape", {"x", "shape"}, {"flat"});
  m.node("Identity", {"flat"}, {"y"});
  m.output("y");
  auto g = import(m);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].op == ml::OpKind::Reshape);
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 18});
}

TEST_CASE("a graph whose output is a folded constant (Shape) keeps it as a constant output", "[ml-import]") {
  {
    OnnxBuilder m;
    m.input("x", {1, 3, 4, 200}).output("y");
    zkvm::testing::set_int(m.node("Shape", {"x"}, {"y"}), "start", 1);
    auto g = import(m);
    CHECK(g.nodes.empty());
    REQUIRE(g.tensors[g.output].is_constant());
    CHECK(g.tensors[g.output].data == std::vector<float>{3, 4, 200});
    CHECK_THAT(g.warnings.at(0), Catch::Contains("graph output 'y' is a constant (computed from initializers and "
                                                 "shapes alone): the model's result does not depend on its input"));
    const std::vector<float> x(2400, 0.5f);
    CHECK(model::run_reference(g, x) == std::vector<float>{3, 4, 200});
#ifdef ZKVM_HAVE_ML_HOST
    // Integers in [0, 255]: scale 1, zero point -128 in the int8 file.
    const auto file = ml::quantize_model(g, model::calibrate(g, x, 1), {});
    const auto r = ml::run_int8_host(file, x);
    CHECK(r.logits_or_output == std::vector<int32_t>{3 - 128, 4 - 128, 200 - 128});
    const auto tq = ml::tensor_quant(file, ml::model_info(file).n_tensors - 1);
    CHECK(tq.scale[0] == 1.0f);
#endif
  }
  {  // An int64 constant that float32 would round.
    OnnxBuilder m;
    m.input("x", {1, 2}).output("y").init_i64("big", {2}, {7, (int64_t{1} << 24) + 1});
    m.node("Identity", {"big"}, {"y"});
    REQUIRE_THROWS_WITH(import(m), Catch::Contains("graph output 'y' is the constant int64 value 16777217, not exact "
                                                   "in the float32 output (|value| <= 2^24 is)"));
  }
  {  // An empty shape.
    OnnxBuilder m;
    m.input("x", {1, 2}).output("y");
    auto& n = m.node("Shape", {"x"}, {"y"});
    zkvm::testing::set_int(n, "start", 1);
    zkvm::testing::set_int(n, "end", 1);
    REQUIRE_THROWS_WITH(import(m), Catch::Contains("graph output 'y' is an empty constant"));
  }
}

TEST_CASE("unsupported ops, attributes and dtypes are rejected naming node and op", "[ml-import]") {
  auto conv_with = [](auto&& tweak) {
    OnnxBuilder m;
    m.input("x", {1, 2, 6, 6}).init("W", {2, 1, 3, 3}, rand_floats(18, 1));
    auto& c = m.node("Conv", {"x", "W"}, {"y"}, "Conv_12");
    tweak(c);
    m.output("y");
    return m;
  };
  using Catch::Contains;
  REQUIRE_THROWS_WITH(import(conv_with([](auto& c) { zkvm::testing::set_int(c, "group", 3); })),
                      Contains("model.onnx: node 0 'Conv_12' (Conv): group=3 must divide the 2 input and 2 output "
                               "channels"));
  REQUIRE_THROWS_WITH(import(conv_with([](auto&) {})),
                      Contains("(Conv): W has 1 input channels per group, input has 2 channels in 1 group(s)"));
  REQUIRE_THROWS_WITH(import(conv_with([](auto& c) { zkvm::testing::set_ints(c, "dilations", {2, 0}); })),
                      Contains("(Conv): dilations [2,0] are invalid (2 values in 1..255)"));
  REQUIRE_THROWS_WITH(import(conv_with([](auto& c) { zkvm::testing::set_string(c, "auto_pad", "SAME"); })),
                      Contains("(Conv): auto_pad=SAME is not supported (NOTSET, VALID, SAME_UPPER or SAME_LOWER)"));
  REQUIRE_THROWS_WITH(import(conv_with([](auto& c) { zkvm::testing::set_int(c, "foo", 1); })),
                      Contains("(Conv): attribute 'foo' is not supported (supported: auto_pad, dilations, group, "
                               "kernel_shape, pads, strides)"));
  REQUIRE_THROWS_WITH(import(conv_with([](auto& c) { zkvm::testing::set_ints(c, "dilations", {4, 1}); })),
                      Contains("(Conv): dilated kernel [9,3] is larger than the padded input [1,2,6,6]"));

  OnnxBuilder pool;
  pool.input("x", {1, 1, 5, 5});
  auto& p = pool.node("MaxPool", {"x"}, {"y"}, "pool");
  zkvm::testing::set_ints(p, "kernel_shape", {2, 2});
  zkvm::testing::set_int(p, "storage_order", 1);
  pool.output("y");
  REQUIRE_THROWS_WITH(import(pool), Contains("node 0 'pool' (MaxPool): storage_order=1 is not supported"));

  OnnxBuilder erf;  // only inside a GELU pattern (test_transformer_import.cpp)
  erf.input("x", {1, 4});
  erf.node("Erf", {"x"}, {"y"});
  erf.output("y");
  REQUIRE_THROWS_WITH(import(erf), Contains("node 0 'Erf_0' (Erf): op Erf is supported only inside a LayerNorm over the last axis"));

  OnnxBuilder lrn;
  lrn.input("x", {1, 4, 2, 2});
  lrn.node("LRN", {"x"}, {"y"});
  lrn.output("y");
  REQUIRE_THROWS_WITH(import(lrn), Contains("node 0 'LRN_0' (LRN): op LRN is not supported; supported ops: Add, ArgMax, "
                                              "AveragePool"));

  OnnxBuilder dbl;
  dbl.input("x", {1, 4}, onnx::TensorProto::DOUBLE);
  dbl.node("Relu", {"x"}, {"y"});
  dbl.output("y");
  REQUIRE_THROWS_WITH(import(dbl), Contains("input 'x' has dtype double; only float32 is supported"));

  OnnxBuilder f16w;
  f16w.input("x", {1, 2});
  auto* t = f16w.m.mutable_graph()->add_initializer();
  t->set_name("W");
  t->set_data_type(onnx::TensorProto::FLOAT16);
  t->add_dims(2);
  t->add_dims(2);
  t->set_raw_data(std::string(8, '\0'));
  f16w.node("MatMul", {"x", "W"}, {"y"});
  f16w.output("y");
  REQUIRE_THROWS_WITH(import(f16w), Contains("initializer 'W': dtype float16 is not supported"));

  OnnxBuilder dyn;
  dyn.input("x", {0, 4});
  dyn.node("Relu", {"x"}, {"y"});
  dyn.output("y");
  REQUIRE_THROWS_WITH(import(dyn), Contains("input 'x' has a dynamic dimension 'N'"));

  OnnxBuilder batch;
  batch.input("x", {2, 4}).init("W", {3, 4}, rand_floats(12, 2));
  auto& gm = batch.node("Gemm", {"x", "W"}, {"y"}, "fc");
  zkvm::testing::set_int(gm, "transB", 1);
  batch.output("y");
  REQUIRE_THROWS_WITH(import(batch), Contains("node 0 'fc' (Gemm): input shape [2,4] is not supported"));

  OnnxBuilder unknown_attr;
  unknown_attr.input("x", {1, 4});
  auto& r = unknown_attr.node("Relu", {"x"}, {"y"}, "r");
  zkvm::testing::set_int(r, "alpha", 1);
  unknown_attr.output("y");
  REQUIRE_THROWS_WITH(import(unknown_attr), Contains("(Relu): attribute 'alpha' is not supported (the op takes none)"));

  OnnxBuilder cast;
  cast.input("x", {1, 4});
  auto& cn = cast.node("Cast", {"x"}, {"y"}, "to_int");
  zkvm::testing::set_int(cn, "to", onnx::TensorProto::INT32);
  cast.output("y");
  REQUIRE_THROWS_WITH(import(cast), Contains("node 0 'to_int' (Cast): Cast of an activation to int32 is not supported "
                                             "(an activation casts only to float32"));

  OnnxBuilder old;
  old.m.mutable_opset_import(0)->set_version(21);
  old.input("x", {1, 4});
  old.node("Relu", {"x"}, {"y"});
  old.output("y");
  REQUIRE_THROWS_WITH(import(old), Contains("opset 21 is not supported (1..20)"));
}

TEST_CASE("element-wise activations import with their attributes and follow the ONNX formulas", "[ml-import]") {
  OnnxBuilder m;
  m.input("x", {1, 2, 3, 4});
  zkvm::testing::set_float(m.node("LeakyRelu", {"x"}, {"a"}, "leaky"), "alpha", 0.2f);
  auto& hs = m.node("HardSigmoid", {"a"}, {"b"}, "hsig");
  zkvm::testing::set_float(hs, "alpha", 0.3f);
  zkvm::testing::set_float(hs, "beta", 0.6f);
  m.node("Sub", {"b", "half"}, {"c"}, "center");  // back to both signs for the next functions
  m.init("half", {1}, {0.7f});
  zkvm::testing::set_float(m.node("Elu", {"c"}, {"d"}, "elu"), "alpha", 0.5f);
  m.node("Tanh", {"d"}, {"e"}, "tanh");
  m.node("HardSwish", {"e"}, {"f"}, "hswish");
  m.node("Sigmoid", {"f"}, {"y"}, "sigmoid");
  m.output("y");
  auto g = import(m);
  using K = ml::OpKind;
  std::vector<K> ops;
  for (auto& n : g.nodes) ops.push_back(n.op);
  REQUIRE(ops == std::vector<K>{K::LeakyRelu, K::HardSigmoid, K::Add, K::Elu, K::Tanh, K::HardSwish, K::Sigmoid});
  CHECK(g.nodes[0].alpha == 0.2f);
  CHECK(g.nodes[1].alpha == 0.3f);
  CHECK(g.nodes[1].beta == 0.6f);
  CHECK(g.nodes[3].alpha == 0.5f);
  auto x = rand_floats(24, 7);
  for (float& v : x) v *= 4.0f;
  auto y = model::run_reference(g, x);
  REQUIRE(y.size() == 24);
  for (size_t i = 0; i < 24; ++i) {
    double v = x[i] >= 0 ? x[i] : 0.2 * x[i];
    v = std::min(1.0, std::max(0.0, 0.3 * v + 0.6)) - 0.7;
    v = v > 0 ? v : 0.5 * (std::exp(v) - 1.0);
    v = std::tanh(v);
    v = v * std::min(1.0, std::max(0.0, v / 6.0 + 0.5));
    v = 1.0 / (1.0 + std::exp(-v));
    CHECK(std::fabs(y[i] - v) < 1e-6);
  }
  // Defaults: LeakyRelu alpha 0.01, HardSigmoid 0.2/0.5, Elu 1.
  OnnxBuilder d;
  d.input("x", {1, 4});
  d.node("LeakyRelu", {"x"}, {"a"});
  d.node("HardSigmoid", {"a"}, {"b"});
  d.node("Elu", {"b"}, {"y"});
  d.output("y");
  auto gd = import(d);
  CHECK(gd.nodes[0].alpha == 0.01f);
  CHECK(gd.nodes[1].alpha == 0.2f);
  CHECK(gd.nodes[1].beta == 0.5f);
  CHECK(gd.nodes[2].alpha == 1.0f);
  // opset 1's consumed_inputs is an attribute this importer does not know.
  OnnxBuilder old(1);
  old.input("x", {1, 4});
  zkvm::testing::set_ints(old.node("Sigmoid", {"x"}, {"y"}, "sig"), "consumed_inputs", {0});
  old.output("y");
  REQUIRE_THROWS_WITH(import(old), Catch::Contains("node 0 'sig' (Sigmoid): attribute 'consumed_inputs' is not supported"));
}

namespace {

// x [1,C,H,W] padded on H and W with `v` (top, left, bottom, right).
std::vector<float> pad_hw(const std::vector<float>& x, int64_t C, int64_t H, int64_t W, std::vector<int64_t> p, float v) {
  const int64_t OH = H + p[0] + p[2], OW = W + p[1] + p[3];
  std::vector<float> y(static_cast<size_t>(C * OH * OW), v);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < W; ++j) y[(c * OH + i + p[0]) * OW + j + p[1]] = x[(c * H + i) * W + j];
  return y;
}

// [pre] -> Pad(pads, value) -> op, on x [1,2,5,6]; `tweak` sets the op's attributes.
std::string shape_str_for_test(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

template <class F>
OnnxBuilder pad_model(const std::string& op, std::vector<int64_t> pads, float value, F&& tweak,
                      const std::string& pre = "", int64_t opset = 13) {
  OnnxBuilder m(opset);
  m.input("x", {1, 2, 5, 6});
  std::string t = "x";
  if (!pre.empty()) {
    m.node(pre, {"x"}, {"r"}, "pre");
    t = "r";
  }
  if (opset >= 11) {
    m.init_i64("pads", {static_cast<int64_t>(pads.size())}, pads).init("value", {}, {value});
    m.node("Pad", {t, "pads", "value"}, {"p"}, "pad1");
  } else {
    auto& pn = m.node("Pad", {t}, {"p"}, "pad1");
    zkvm::testing::set_ints(pn, "pads", pads);
    zkvm::testing::set_float(pn, "value", value);
  }
  if (op == "Conv") {
    m.init("W", {3, 2, 3, 3}, rand_floats(54, 5));
    tweak(m.node("Conv", {"p", "W"}, {"y"}, "op"));
  } else {
    tweak(m.node(op, {"p"}, {"y"}, "op"));
  }
  m.output("y");
  return m;
}

// The same op on an explicitly padded input [1,2,5+pt+pb,6+pl+pr].
template <class F>
OnnxBuilder padded_input_model(const std::string& op, std::vector<int64_t> hw, F&& tweak) {
  OnnxBuilder m;
  m.input("x", {1, 2, 5 + hw[0] + hw[2], 6 + hw[1] + hw[3]});
  const std::string t = "x";
  if (op == "Conv") {
    m.init("W", {3, 2, 3, 3}, rand_floats(54, 5));
    tweak(m.node("Conv", {t, "W"}, {"y"}, "op"));
  } else {
    tweak(m.node(op, {t}, {"y"}, "op"));
  }
  m.output("y");
  return m;
}

}  // namespace

TEST_CASE("a zero Pad before Conv, AveragePool and MaxPool folds into their pads and gives the padded result",
          "[ml-import]") {
  using zkvm::testing::set_ints;
  using zkvm::testing::set_int;
  auto x = rand_floats(60, 11);
  for (float& v : x) v *= 3.0f;
  struct Case {
    const char* op;
    std::vector<int64_t> pad_hw;  // Pad's [top, left, bottom, right]
    std::vector<int64_t> own;     // the op's own pads
    float value;
    const char* pre;
    int64_t opset;
  };
  const Case cases[] = {
      {"Conv", {1, 2, 0, 1}, {1, 0, 2, 1}, 0.0f, "", 13},
      {"Conv", {2, 1, 1, 0}, {}, 0.0f, "", 7},  // pads as an attribute (opset < 11)
      {"AveragePool", {1, 1, 1, 1}, {}, 0.0f, "", 13},  // torch's count_include_pad export
      {"MaxPool", {1, 0, 1, 2}, {0, 1, 0, 0}, 0.0f, "Relu", 13},  // 0 is not above any input
      {"MaxPool", {2, 2, 1, 1}, {}, 0.0f, "Sigmoid", 13},
  };
  for (const Case& c : cases) {
    INFO(c.op << " pads " << model::shape_str(c.pad_hw) << " value " << c.value << " opset " << c.opset);
    auto attrs = [&](onnx::NodeProto& n) {
      if (std::string(c.op) != "Conv") set_ints(n, "kernel_shape", {3, 3});
      if (!c.own.empty()) set_ints(n, "pads", c.own);
    };
    const auto& p = c.pad_hw;
    auto g = import(pad_model(c.op, {0, 0, p[0], p[1], 0, 0, p[2], p[3]}, c.value, attrs, c.pre, c.opset));
    REQUIRE(g.nodes.back().op == (std::string(c.op) == "Conv" ? ml::OpKind::Conv
                                  : std::string(c.op) == "MaxPool" ? ml::OpKind::MaxPool
                                                                   : ml::OpKind::AveragePool));
    REQUIRE(g.nodes.size() == (c.pre[0] ? 2u : 1u));  // no node for the Pad
    std::vector<int64_t> want_pads = c.own.empty() ? p : std::vector<int64_t>{p[0] + c.own[0], p[1] + c.own[1],
                                                                               p[2] + c.own[2], p[3] + c.own[3]};
    CHECK(g.nodes.back().pads == want_pads);
    // Reference: the op with only its own pads on an explicitly padded
    // input (after Relu/Sigmoid, which the Pad follows).
    auto r = import(padded_input_model(c.op, p, attrs));
    auto y = model::run_reference(g, x);
    auto pre = x;
    for (float& v : pre) v = c.pre == std::string("Relu") ? std::max(v, 0.0f)
                           : c.pre == std::string("Sigmoid") ? 1.0f / (1.0f + std::exp(-v)) : v;
    auto want = model::run_reference(r, pad_hw(pre, 2, 5, 6, p, c.value));
    REQUIRE(y.size() == want.size());
    for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(want[i]).margin(1e-6));
  }
  // Pads of all zeros are no Pad at all.
  auto g = import(pad_model("Relu", {0, 0, 0, 0, 0, 0, 0, 0}, 0.0f, [](auto&) {}));
  CHECK(g.nodes.size() == 1);
}

// numpy.pad of a row-major tensor (pads [begins..., ends...], negative: crop).
std::vector<float> np_pad(const std::vector<float>& x, const std::vector<int64_t>& shape,
                          const std::vector<int64_t>& pads, const std::string& mode, float value,
                          std::vector<int64_t>* out_shape) {
  const size_t r = shape.size();
  std::vector<float> cur = x;
  std::vector<int64_t> cs = shape;
  for (size_t d = 0; d < r; ++d) {
    const int64_t b = pads[d], e = pads[d + r], n = cs[d], m = n + b + e;
    int64_t outer = 1, inner = 1;
    for (size_t k = 0; k < d; ++k) outer *= cs[k];
    for (size_t k = d + 1; k < r; ++k) inner *= cs[k];
    std::vector<float> y(static_cast<size_t>(outer * m * inner));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < m; ++i) {
        int64_t src = i - b;  // index into the input along d
        bool fill = false;
        if (src < 0 || src >= n) {
          if (mode == "constant") fill = true;
          else if (mode == "edge") src = src < 0 ? 0 : n - 1;
          else src = src < 0 ? -src : 2 * (n - 1) - src;  // reflect
        }
        for (int64_t q = 0; q < inner; ++q)
          y[static_cast<size_t>((o * m + i) * inner + q)] = fill ? value : cur[static_cast<size_t>((o * n + src) * inner + q)];
      }
    cur = std::move(y);
    cs[d] = m;
  }
  *out_shape = cs;
  return cur;
}

TEST_CASE("a Pad that does not fold into a Conv or pool becomes Slice and Concat nodes and pads as numpy does",
          "[ml-import]") {
  using Catch::Contains;
  using zkvm::testing::set_ints;
  auto k3 = [](onnx::NodeProto& n) { set_ints(n, "kernel_shape", {3, 3}); };
  auto none = [](onnx::NodeProto&) {};
  const std::vector<int64_t> hw1 = {0, 0, 1, 1, 0, 0, 1, 1};
  const std::vector<int64_t> xs = {1, 2, 5, 6};
  auto x = rand_floats(60, 41);
  // Readers that cannot absorb a zero Pad: the pad is done by Concats first.
  struct Reader {
    const char* op;
    std::vector<int64_t> pads;
    std::function<void(onnx::NodeProto&)> tweak;
    const char* pre;
  };
  const Reader readers[] = {
      {"Relu", hw1, none, ""},
      {"MaxPool", hw1, k3, ""},      // the input may be negative: MaxPool's padding is -inf, the Pad's 0
      {"MaxPool", hw1, k3, "Tanh"},
      {"AveragePool", hw1, [](onnx::NodeProto& n) { set_ints(n, "kernel_shape", {3, 3}); set_ints(n, "pads", {1, 1, 1, 1}); }, ""},
      {"MaxPool", {0, 0, 2, 0, 0, 0, 3, 0}, k3, "Relu"},  // with the Pad, the pads would reach the kernel
  };
  for (const auto& rd : readers) {
    INFO(rd.op << " after Pad " << shape_str_for_test(rd.pads));
    auto g = import(pad_model(rd.op, rd.pads, 0.0f, rd.tweak, rd.pre));
    bool has_concat = false;
    for (const auto& n : g.nodes) has_concat = has_concat || n.op == ml::OpKind::Concat;
    CHECK(has_concat);
    // The same graph with the padded tensor as input (no Pad) gives the same output.
    std::vector<int64_t> ps;
    std::vector<float> xin = x;
    if (std::string(rd.pre) == "Tanh") for (auto& v : xin) v = std::tanh(v);
    if (std::string(rd.pre) == "Relu") for (auto& v : xin) v = std::max(v, 0.0f);
    auto xp = np_pad(xin, xs, rd.pads, "constant", 0.0f, &ps);
    OnnxBuilder direct;
    direct.input("p", ps);
    rd.tweak(direct.node(rd.op, {"p"}, {"y"}, "op"));
    direct.output("y");
    auto want = model::run_reference(import(direct), xp);
    auto got = model::run_reference(g, x);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-6));  // tanh: float vs double
  }
  // Pads of any axis, cropping, any value, edge and reflect: the graph output
  // is the Pad itself; float equals numpy, int8 within half an input step
  // and one output step.
  struct Case {
    std::vector<int64_t> pads;
    const char* mode;
    float value;
  };
  const Case cases[] = {
      {{0, 1, 2, 0, 0, 2, 1, 3}, "constant", 0.5f},   // channels too
      {{0, 0, -1, 2, 0, 0, 1, -2}, "constant", -1.0f}, // crop and pad
      {{0, 0, 2, 3, 0, 0, 1, 1}, "edge", 0.0f},
      {{0, 1, 3, 2, 0, 0, 1, 5}, "reflect", 0.0f},
  };
  for (const auto& c : cases) {
    INFO(c.mode << " " << shape_str_for_test(c.pads));
    OnnxBuilder m;
    m.input("x", xs).init_i64("pads", {8}, c.pads).init("value", {}, {c.value});
    auto& pn = m.node("Pad", {"x", "pads", "value"}, {"y"}, "pad");
    zkvm::testing::set_string(pn, "mode", c.mode);
    m.output("y");
    auto g = import(m);
    std::vector<int64_t> ps;
    auto want = np_pad(x, xs, c.pads, c.mode, c.value, &ps);
    CHECK(g.tensors[g.output].shape == ps);
    CHECK(model::run_reference(g, x) == want);
#ifdef ZKVM_HAVE_ML_HOST
    auto file = ml::quantize_model(g, model::calibrate(g, x, 1), {});
    auto r = ml::run_int8_host(file, x);
    zkml_model zm;
    REQUIRE(zkml_parse(&zm, file.data(), static_cast<uint32_t>(file.size())) == ZKML_OK);
    zkml_tensor ty, tx;
    zkml_get_tensor(&zm, zm.output, &ty);
    zkml_get_tensor(&zm, zm.input, &tx);
    float sy, sx;
    std::memcpy(&sy, &ty.scale_bits, 4);
    std::memcpy(&sx, &tx.scale_bits, 4);
    REQUIRE(r.logits_or_output.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i)
      CHECK(std::fabs(float(r.logits_or_output[i] - ty.zero_point) * sy - want[i]) <= 0.5f * sx + sy);
#endif
  }
  // What stays refused.
  REQUIRE_THROWS_WITH(import(pad_model("Conv", {0, 0, 1, 1}, 0.0f, none)),
                      Contains("(Pad): pads [0,0,1,1] must have 2 entries per axis of the input [1,2,5,6]"));
  auto wrap = pad_model("Conv", hw1, 0.0f, none);
  zkvm::testing::set_string(*wrap.m.mutable_graph()->mutable_node(0), "mode", "wrap");
  REQUIRE_THROWS_WITH(import(wrap), Contains("node 0 'pad1' (Pad): mode=wrap is not supported (constant, edge or reflect)"));
  auto far = pad_model("Relu", {0, 0, 5, 0, 0, 0, 0, 0}, 0.0f, none);
  zkvm::testing::set_string(*far.m.mutable_graph()->mutable_node(0), "mode", "reflect");
  REQUIRE_THROWS_WITH(import(far), Contains("(Pad): mode=reflect pads [0,0,5,0,0,0,0,0] reach past the 5 values of axis 2 (at most 4)"));
  REQUIRE_THROWS_WITH(import(pad_model("Relu", {0, 0, -3, 0, 0, 0, -2, 0}, 0.0f, none)),
                      Contains("(Pad): pads [0,0,-3,0,0,0,-2,0] crop axis 2 of [1,2,5,6] to nothing"));
}

TEST_CASE("Concat of activations along the channel axis becomes one node, and bad shapes are rejected", "[ml-import]") {
  using Catch::Contains;
  OnnxBuilder m;
  m.input("x", {1, 2, 3, 3}).init("W", {3, 2, 1, 1}, rand_floats(6, 3)).init("k", {1, 1, 3, 3}, rand_floats(9, 4));
  m.node("Conv", {"x", "W"}, {"c"}, "conv");
  m.node("Relu", {"x"}, {"r"}, "relu");
  zkvm::testing::set_int(m.node("Concat", {"c", "r", "k"}, {"y"}, "cat"), "axis", -3);
  m.output("y");
  auto g = import(m);
  REQUIRE(g.nodes.back().op == ml::OpKind::Concat);
  CHECK(g.nodes.back().axis == 1);
  CHECK(g.nodes.back().inputs.size() == 3);
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 6, 3, 3});
  auto x = rand_floats(18, 5);
  auto y = model::run_reference(g, x);
  auto k = rand_floats(9, 4);
  auto c = model::run_reference(import(conv_model_1x1()), x);
  for (int i = 0; i < 27; ++i) CHECK(y[i] == c[i]);
  for (int i = 0; i < 18; ++i) CHECK(y[27 + i] == std::max(x[i], 0.0f));
  for (int i = 0; i < 9; ++i) CHECK(y[45 + i] == k[i]);

  OnnxBuilder bad;
  bad.input("x", {1, 2, 3, 3}).init("k", {1, 1, 3, 2}, rand_floats(6, 4));
  zkvm::testing::set_int(bad.node("Concat", {"x", "k"}, {"y"}, "cat"), "axis", 1);
  bad.output("y");
  REQUIRE_THROWS_WITH(import(bad), Contains("node 0 'cat' (Concat): input 1 has shape [1,1,3,2], which differs from "
                                            "[1,2,3,3] outside axis 1"));
  OnnxBuilder noaxis;
  noaxis.input("x", {1, 4}).init("k", {1, 2}, {1.0f, 2.0f});
  noaxis.node("Concat", {"x", "k"}, {"y"}, "cat");
  noaxis.output("y");
  REQUIRE_THROWS_WITH(import(noaxis), Contains("(Concat): the axis attribute is required"));
}

TEST_CASE("Transpose of an activation is a Reshape when only size-1 axes move, else a Transpose, and constants fold",
          "[ml-import]") {
  using Catch::Contains;
  OnnxBuilder m;
  m.input("x", {1, 4, 1, 1});
  zkvm::testing::set_ints(m.node("Transpose", {"x"}, {"t"}, "tr"), "perm", {0, 2, 3, 1});
  // A constant weight stored transposed: MatMul(t', W^T^T).
  m.init("Wt", {3, 4}, rand_floats(12, 8));
  zkvm::testing::set_ints(m.node("Transpose", {"Wt"}, {"W"}, "trw"), "perm", {1, 0});
  m.init_i64("s2", {2}, {1, 4});
  m.node("Reshape", {"t", "s2"}, {"f"}, "flat");
  m.node("MatMul", {"f", "W"}, {"y"}, "mm");
  m.output("y");
  auto g = import(m);
  std::vector<ml::OpKind> ops;
  for (auto& n : g.nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<ml::OpKind>{ml::OpKind::Reshape, ml::OpKind::Reshape, ml::OpKind::Dense});
  CHECK(g.tensors[g.nodes[0].outputs[0]].shape == std::vector<int64_t>{1, 1, 1, 4});
  auto x = rand_floats(4, 9), wt = rand_floats(12, 8);
  auto y = model::run_reference(g, x);
  for (int o = 0; o < 3; ++o) {
    double want = 0;
    for (int i = 0; i < 4; ++i) want += double(x[i]) * wt[o * 4 + i];  // y = x W with W = Wt^T
    CHECK(y[o] == Approx(want).margin(1e-6));
  }
  OnnxBuilder bad;
  bad.input("x", {1, 2, 3, 1});
  bad.node("Transpose", {"x"}, {"y"}, "nhwc");
  zkvm::testing::set_ints(*bad.m.mutable_graph()->mutable_node(0), "perm", {0, 2, 3, 1});
  bad.output("y");
  // NCHW -> NHWC moves data: a Transpose node (the int8 runtime's kernel).
  auto gt = import(bad);
  REQUIRE(gt.nodes.size() == 1);
  CHECK(gt.nodes[0].op == ml::OpKind::Transpose);
  CHECK(gt.tensors[gt.output].shape == std::vector<int64_t>{1, 3, 1, 2});
  auto xt = rand_floats(6, 3);
  CHECK(model::run_reference(gt, xt) == std::vector<float>{xt[0], xt[3], xt[1], xt[4], xt[2], xt[5]});
  OnnxBuilder badperm;
  badperm.input("x", {1, 2});
  zkvm::testing::set_ints(badperm.node("Transpose", {"x"}, {"y"}, "t"), "perm", {0, 0});
  badperm.output("y");
  REQUIRE_THROWS_WITH(import(badperm), Contains("(Transpose): perm [0,0] is not a permutation"));
}

namespace {

// A committed torch export (data/<stem>_input.f32, _output.f32: 3
// outputs): the float reference within 1e-5 of torch, the int8 path
// (calibrated on this input) within 4 output steps.
void matches_torch(const ml::Graph& g, const std::string& stem, size_t input_size) {
  auto x = read_f32(stem + "_input.f32");
  auto want = read_f32(stem + "_output.f32");
  REQUIRE(x.size() == input_size);
  REQUIRE(want.size() == 3);
  auto y = model::run_reference(g, x);
  REQUIRE(y.size() == 3);
  for (int i = 0; i < 3; ++i) CHECK(std::fabs(y[i] - want[i]) < 1e-5);
#ifdef ZKVM_HAVE_ML_HOST
  auto file = ml::quantize_model(g, model::calibrate(g, x, 1), {});
  auto r = ml::run_int8_host(file, x);
  zkml_model m;
  REQUIRE(zkml_parse(&m, file.data(), uint32_t(file.size())) == ZKML_OK);
  zkml_tensor t;
  zkml_get_tensor(&m, m.output, &t);
  float s;
  std::memcpy(&s, &t.scale_bits, 4);
  for (int i = 0; i < 3; ++i) CHECK(std::fabs((r.logits_or_output[i] - t.zero_point) * s - want[i]) < 4 * s);
#endif
}

}  // namespace

TEST_CASE("a torch export of the tier-1 ops imports with its Pads folded and matches torch", "[ml-import]") {
  // tests/ml-import/data/make_torch_tier1.py: ZeroPad2d (pads computed by
  // ConstantOfShape/Concat/Reshape/Slice/Transpose/Cast), AvgPool2d with
  // count_include_pad (Pad + AveragePool), F.pad + MaxPool after Relu,
  // LeakyRelu, Sigmoid, HardSwish, HardSigmoid, Concat, Tanh, Elu.
  const std::string dir = std::string(ZKVM_SOURCE_DIR) + "/tests/ml-import/data/";
  auto g = model::import_onnx_file(dir + "torch_tier1.onnx");
  using K = ml::OpKind;
  std::vector<K> ops;
  for (auto& n : g.nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<K>{K::Conv, K::LeakyRelu, K::AveragePool, K::Conv, K::Sigmoid, K::HardSwish,
                              K::HardSigmoid, K::Concat, K::Tanh, K::Elu, K::Relu, K::MaxPool, K::AveragePool,
                              K::Reshape, K::Dense});
  CHECK(g.nodes[0].pads == std::vector<int64_t>{1, 1, 0, 2});  // ZeroPad2d((1, 2, 1, 0)): left, right, top, bottom
  CHECK(g.nodes[2].pads == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(g.nodes[2].count_include_pad);
  CHECK(g.nodes[11].pads == std::vector<int64_t>{1, 1, 1, 1});
  matches_torch(g, dir + "torch_tier1", 144);
}

TEST_CASE("a torch export of grouped, depthwise and dilated Conv, ceil_mode pools and split matches torch",
          "[ml-import]") {
  // tests/ml-import/data/make_torch_tier1b.py: Conv2d with dilation 2,
  // groups 8 (depthwise), groups 2, groups 3 with 6 outputs (channel
  // multiplier 2), torch.split, MaxPool2d with dilation 2 and with
  // ceil_mode, AvgPool2d(padding 1, ceil_mode, count_include_pad), which
  // torch exports as Pad + AveragePool and whose last window reaches past
  // the padding (torch does not count those positions).
  const std::string dir = std::string(ZKVM_SOURCE_DIR) + "/tests/ml-import/data/";
  auto g = model::import_onnx_file(dir + "torch_tier1b.onnx");
  using K = ml::OpKind;
  std::vector<K> ops;
  for (auto& n : g.nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<K>{K::Conv, K::Relu, K::Conv, K::Relu, K::Clip, K::Conv, K::Slice, K::Slice, K::Sigmoid,
                              K::Conv, K::Tanh, K::MaxPool, K::Concat, K::MaxPool, K::AveragePool, K::Reshape,
                              K::Dense});
  CHECK(g.nodes[0].dilations == std::vector<int64_t>{2, 2});
  CHECK(g.nodes[2].group == 8);
  CHECK(g.nodes[5].group == 2);
  CHECK(g.nodes[9].group == 3);
  CHECK(g.tensors[g.nodes[11].outputs[0]].shape == std::vector<int64_t>{1, 3, 6, 6});  // ceil_mode: 5 -> 6
  CHECK(g.nodes[13].dilations == std::vector<int64_t>{2, 2});
  CHECK(g.nodes[14].pads == std::vector<int64_t>{1, 1, 1, 1});  // the Pad, folded
  CHECK(g.nodes[14].count_include_pad);
  CHECK(g.tensors[g.nodes[14].outputs[0]].shape == std::vector<int64_t>{1, 9, 3, 3});
  matches_torch(g, dir + "torch_tier1b", 288);
}

TEST_CASE("a torch export of ConvTranspose2d, slicing and channel indexing matches torch", "[ml-import]") {
  // tests/ml-import/data/make_torch_convt.py: ConvTranspose2d with stride 2,
  // padding 1 and output_padding 1; with stride (2, 1), padding (1, 2) and
  // groups 2; with dilation 2 and no bias; x[:, :, 1:-1, 2:] (two Slices of
  // an activation, one per axis) and x[:, [3, 0, 1]] (a Gather of channels:
  // Slices of the runs [3] and [0, 1], a Concat).
  const std::string dir = std::string(ZKVM_SOURCE_DIR) + "/tests/ml-import/data/";
  auto g = model::import_onnx_file(dir + "torch_convt.onnx");
  using K = ml::OpKind;
  std::vector<K> ops;
  for (auto& n : g.nodes) ops.push_back(n.op);
  // Zero insertion per strided axis: Reshape, Concat with zeros, Reshape.
  CHECK(ops == std::vector<K>{K::Reshape, K::Concat, K::Reshape, K::Reshape, K::Concat, K::Reshape, K::Conv, K::Relu,
                              K::Reshape, K::Concat, K::Reshape, K::Conv, K::Tanh, K::Conv, K::Slice, K::Slice,
                              K::Slice, K::Slice, K::Concat, K::Reshape, K::Dense});
  CHECK(g.nodes[6].pads == std::vector<int64_t>{1, 1, 1, 1});  // 3 - 1 - 1 before; 2 - 1 + 1 - 1 after
  CHECK(g.tensors[g.nodes[6].outputs[0]].shape == std::vector<int64_t>{1, 6, 10, 10});
  CHECK(g.nodes[11].group == 2);
  CHECK(g.nodes[11].pads == std::vector<int64_t>{2, 1, 1, 1});
  CHECK(g.tensors[g.nodes[11].outputs[0]].shape == std::vector<int64_t>{1, 4, 20, 9});
  CHECK(g.nodes[13].dilations == std::vector<int64_t>{2, 2});
  CHECK(g.tensors[g.nodes[13].outputs[0]].shape == std::vector<int64_t>{1, 5, 22, 11});
  matches_torch(g, dir + "torch_convt", 100);

  using Catch::Contains;
  auto convt = [](std::vector<int64_t> x_shape, std::vector<int64_t> out_shape) {
    OnnxBuilder m;
    m.input("x", x_shape).init("W", {1, 1, 3, 3}, rand_floats(9, 5));
    auto& n = m.node("ConvTranspose", {"x", "W"}, {"y"}, "up");
    if (!out_shape.empty()) zkvm::testing::set_ints(n, "output_shape", out_shape);
    m.output("y");
    return m;
  };
  // output_shape longer than the natural 5: rows of zeros the kernel cannot
  // reach give the bias (0 here); x = 1 everywhere, so row 6 is 0 and the
  // rest equals ONNX's 5x5 result.
  for (std::vector<int64_t> os : {std::vector<int64_t>{6, 6}, std::vector<int64_t>{12, 9}}) {
    auto ge = import(convt({1, 1, 3, 3}, os));
    CHECK(ge.tensors[ge.output].shape == std::vector<int64_t>{1, 1, os[0], os[1]});
    auto y = model::run_reference(ge, std::vector<float>(9, 1.0f));
    auto y5 = model::run_reference(import(convt({1, 1, 3, 3}, {})), std::vector<float>(9, 1.0f));
    // NOTSET: total padding 5 - os, its larger half (floor division) at the end.
    const int64_t th = 5 - os[0], tw = 5 - os[1];
    const int64_t bh = th - (th >= 0 ? th / 2 : -((-th + 1) / 2)), bw = tw - (tw >= 0 ? tw / 2 : -((-tw + 1) / 2));
    for (int64_t i = 0; i < os[0]; ++i)
      for (int64_t j = 0; j < os[1]; ++j) {
        const int64_t si = i + bh, sj = j + bw;
        const float want = si >= 0 && si < 5 && sj >= 0 && sj < 5 ? y5[static_cast<size_t>(si * 5 + sj)] : 0.0f;
        CHECK(y[static_cast<size_t>(i * os[1] + j)] == Approx(want).margin(1e-6));
      }
  }
  CHECK_THROWS_WITH(import(convt({1, 1, 3}, {})),
                    Contains("node 0 'up' (ConvTranspose): input shape [1,1,3] is not NCHW (only 2-D ConvTranspose "
                             "is supported)"));
}

TEST_CASE("hand-written LayerNorm and GELU variants from torch are recognised by what they compute",
          "[ml-import][transformer]") {
  // tests/ml-import/data/make_torch_variants.py: BERT's LayerNorm (eps 1e-12
  // inside the sqrt, w * (...) + b), one with x.var(unbiased=False) (a second
  // ReduceMean, d * d), one with torch.rsqrt (1 / sqrt, then Mul); BERT's
  // GELU (x * 0.5 first), HF's gelu_new (pow(x, 3)), nn.GELU("tanh").
  const std::string dir = std::string(ZKVM_SOURCE_DIR) + "/tests/ml-import/data/";
  auto g = model::import_onnx_file(dir + "torch_variants.onnx");
  using K = ml::OpKind;
  std::vector<K> ops;
  for (auto& n : g.nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<K>{K::Dense, K::Gelu, K::LayerNorm, K::Dense, K::Gelu, K::LayerNorm, K::Dense, K::Gelu,
                              K::LayerNorm, K::Reshape, K::Dense});
  CHECK(g.nodes[1].alpha == 0.0f);  // Erf form
  CHECK(g.nodes[4].alpha == 1.0f);  // tanh form
  CHECK(g.nodes[7].alpha == 1.0f);
  CHECK(g.nodes[2].alpha == Approx(1e-12f).epsilon(1e-3));
  CHECK(g.nodes[5].alpha == Approx(1e-5f).epsilon(1e-4));
  CHECK(g.nodes[8].alpha == Approx(1e-6f).epsilon(1e-4));
  matches_torch(g, dir + "torch_variants", 80);
  // x.var() divides by D - 1: not a LayerNorm, so its ReduceMean is refused.
  CHECK_THROWS_WITH(model::import_onnx_file(dir + "torch_variant_unbiased.onnx"),
                    Catch::Contains("node 0 '/ReduceMean' (ReduceMean): op ReduceMean is supported only inside a "
                                    "LayerNorm over the last axis"));
}

TEST_CASE("Slice and ConstantOfShape fold on constants with ONNX's clamping and negative steps", "[ml-import]") {
  OnnxBuilder m;
  m.input("x", {2, 2}).init("c", {2, 3}, {0, 1, 2, 3, 4, 5});
  m.init_i64("starts", {2}, {-1, 2}).init_i64("ends", {2}, {-100, -100}).init_i64("axes", {2}, {0, 1});
  m.init_i64("steps", {2}, {-1, -2});
  m.node("Slice", {"c", "starts", "ends", "axes", "steps"}, {"s"}, "slice");  // rows 1,0; columns 2,0
  m.node("Add", {"x", "s"}, {"a"}, "add");
  m.init_i64("shape", {1}, {2});
  auto& cs = m.node("ConstantOfShape", {"shape"}, {"k"}, "fill");
  auto* v = cs.add_attribute();
  v->set_name("value");
  v->set_type(onnx::AttributeProto::TENSOR);
  v->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  v->mutable_t()->add_dims(1);
  v->mutable_t()->add_float_data(0.25f);
  m.node("Add", {"a", "k"}, {"y"}, "add2");
  m.output("y");
  auto g = import(m);
  std::vector<float> x = {10, 20, 30, 40};
  auto y = model::run_reference(g, x);
  CHECK(y == std::vector<float>{15.25f, 23.25f, 32.25f, 40.25f});
}

TEST_CASE("Slice and Gather of an activation become Slice nodes (and a Concat) that copy torch's indexing",
          "[ml-import]") {
  // x[:, 1:3, :, -2:] (torch's export: starts, ends, axes, steps inputs), then
  // x[:, [2, 0, 1]] on the result's channels.
  OnnxBuilder m;
  m.input("x", {1, 4, 3, 5});
  m.init_i64("starts", {2}, {1, -2}).init_i64("ends", {2}, {3, 9223372036854775807LL});
  m.init_i64("axes", {2}, {1, 3}).init_i64("steps", {2}, {1, 1});
  m.node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"s"}, "sl");
  m.init_i64("idx", {3}, {1, -1, 0});
  auto& ga = m.node("Gather", {"s", "idx"}, {"y"}, "ga");
  zkvm::testing::set_int(ga, "axis", 1);
  m.output("y");
  auto g = import(m);
  // Slice axis 1, Slice axis 3; Gather: runs [1], [1], [0] of the 2 channels -> 3 Slices and a Concat.
  REQUIRE(g.nodes.size() == 6);
  CHECK(g.nodes[0].op == ml::OpKind::Slice);
  CHECK(g.nodes[0].axis == 1);
  CHECK(g.nodes[1].axis == 3);
  CHECK(g.nodes[1].start == 3);
  CHECK(g.nodes[5].op == ml::OpKind::Concat);
  CHECK(g.tensors[g.output].shape == std::vector<int64_t>{1, 3, 3, 2});
  auto x = rand_floats(60, 77);
  auto y = model::run_reference(g, x);
  REQUIRE(y.size() == 18);
  const int src_c[3] = {2, 2, 1};  // channel of x for each output channel
  for (int c = 0; c < 3; ++c)
    for (int h = 0; h < 3; ++h)
      for (int w = 0; w < 2; ++w) CHECK(y[(c * 3 + h) * 2 + w] == x[(src_c[c] * 3 + h) * 5 + 3 + w]);
#ifdef ZKVM_HAVE_ML_HOST
  // int8: copies of the input's grid, so within half an input step of float.
  auto file = ml::quantize_model(g, model::calibrate(g, x, 1), {});
  auto r = ml::run_int8_host(file, x);
  zkml_model zm;
  REQUIRE(zkml_parse(&zm, file.data(), static_cast<uint32_t>(file.size())) == ZKML_OK);
  zkml_tensor ty, tx;
  zkml_get_tensor(&zm, zm.output, &ty);
  zkml_get_tensor(&zm, zm.input, &tx);
  float sy, sx;
  std::memcpy(&sy, &ty.scale_bits, 4);
  std::memcpy(&sx, &tx.scale_bits, 4);
  REQUIRE(r.logits_or_output.size() == 18);
  for (size_t i = 0; i < 18; ++i)
    CHECK(std::fabs(float(r.logits_or_output[i] - ty.zero_point) * sy - y[i]) <= 0.5f * sx + sy);
#endif
  using Catch::Contains;
  OnnxBuilder step;
  step.input("x", {1, 6}).init_i64("starts", {1}, {0}).init_i64("ends", {1}, {6}).init_i64("axes", {1}, {1});
  step.init_i64("steps", {1}, {2});
  step.node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"y"}, "every_other");
  step.output("y");
  CHECK_THROWS_WITH(import(step), Contains("node 0 'every_other' (Slice): steps [2] on axes [1] are not supported on "
                                           "an activation (step 1 only: a range of consecutive indices)"));
  OnnxBuilder bad;
  bad.input("x", {1, 4}).init_i64("idx", {1}, {4});
  bad.node("Gather", {"x", "idx"}, {"y"}, "gbad");
  bad.output("y");
  bad.m.mutable_graph()->mutable_node(0)->add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("axis");
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(1);
    return a;
  }());
  CHECK_THROWS_WITH(import(bad), Contains("node 0 'gbad' (Gather): index 4 out of range for axis 1 of [1,4]"));
}

TEST_CASE("truncated, garbage and empty .onnx files are rejected with a clear error", "[ml-import]") {
  std::ifstream f(kModels + "fashion_mlp.onnx", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 1000);
  auto as_span = [](const std::string& s) { return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  std::string truncated = bytes.substr(0, bytes.size() / 2);
  REQUIRE_THROWS_AS(model::import_onnx_bytes(as_span(truncated), "t.onnx"), model::ImportError);
  REQUIRE_THROWS_WITH(model::import_onnx_bytes(as_span(truncated), "t.onnx"), Catch::Contains("t.onnx: "));
  std::string garbage(4096, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919u) >> 3);
  REQUIRE_THROWS_WITH(model::import_onnx_bytes(as_span(garbage), "g.onnx"), Catch::Contains("g.onnx: "));
  REQUIRE_THROWS_WITH(model::import_onnx_bytes(as_span(std::string()), "e.onnx"), Catch::Contains("e.onnx: empty file"));
  model::ImportLimits small;
  small.max_file_bytes = 1000;
  REQUIRE_THROWS_WITH(model::import_onnx_bytes(as_span(bytes), "big.onnx", small),
                      Catch::Contains("more than the limit of 1000"));
  // Every prefix length cuts somewhere different; none may crash.
  for (size_t len = 1; len < bytes.size(); len += bytes.size() / 37) {
    std::string part = bytes.substr(0, len);
    CHECK_THROWS_AS(model::import_onnx_bytes(as_span(part), "p.onnx"), model::ImportError);
  }
}

TEST_CASE("raw float data whose size does not match the tensor shape is rejected", "[ml-import]") {
  OnnxBuilder m;
  m.input("x", {1, 2});
  auto* t = m.m.mutable_graph()->add_initializer();
  t->set_name("W");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(2);
  t->add_dims(1000000);
  t->set_raw_data(std::string(16, '\0'));
  m.node("MatMul", {"x", "W"}, {"y"});
  m.output("y");
  REQUIRE_THROWS_WITH(import(m), Catch::Contains("initializer 'W': raw_data has 16 bytes, expected 8000000"));
}

TEST_CASE("calibration ranges cover every activation and include zero", "[ml-import]") {
  auto g = model::import_onnx_file(kModels + "fashion_mlp.onnx");
  auto images = model::load_images(kData + "train-images-idx3-ubyte.gz", 784, 50);
  auto ranges = model::calibrate(g, images.data, images.count);
  REQUIRE(ranges.size() == g.tensors.size());
  CHECK(ranges[g.input].min == 0.0f);
  CHECK(ranges[g.input].max == 1.0f);
  size_t outside = 0;
  for (size_t i = 0; i < images.count; ++i) {
    auto all = model::run_reference_all(g, std::span<const float>(images.data).subspan(i * 784, 784));
    for (size_t t = 0; t < all.size(); ++t)
      for (float v : all[t]) outside += v < ranges[t].min || v > ranges[t].max;
  }
  CHECK(outside == 0);
  model::CalibrationOptions pct;
  pct.percentile = 99.9;
  auto clipped = model::calibrate(g, images.data, images.count, pct);
  const int logits = g.output;
  CHECK(clipped[logits].max <= ranges[logits].max);
  CHECK(clipped[logits].max > 0.0f);
}

TEST_CASE("IDX loader reads Fashion-MNIST and rejects truncated or mislabelled files", "[ml-import]") {
  auto labels = model::load_labels(kData + "t10k-labels-idx1-ubyte.gz");
  CHECK(labels.size() == 10000);
  auto im = model::load_images(kData + "t10k-images-idx3-ubyte.gz", 784, 3);
  CHECK(im.count == 3);
  CHECK(im.sample_size == 784);
  for (float v : im.data) REQUIRE((v >= 0.0f && v <= 1.0f));
  REQUIRE_THROWS_WITH(model::load_images(kData + "t10k-labels-idx1-ubyte.gz", 784),
                      Catch::Contains("this is an IDX label file, not images"));
  REQUIRE_THROWS_WITH(model::load_images(kData + "t10k-images-idx3-ubyte.gz", 100),
                      Catch::Contains("images have 784 pixels, the model input needs 100"));
  // A header that promises more images than the file holds.
  std::string path = "ml_import_truncated.idx";
  {
    std::ofstream o(path, std::ios::binary);
    const unsigned char hdr[16] = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28};
    o.write(reinterpret_cast<const char*>(hdr), 16);
    o << std::string(784 * 2, 'x');
  }
  REQUIRE_THROWS_WITH(model::load_images(path, 784), Catch::Contains("IDX header says 5 images of 28x28"));
  std::remove(path.c_str());
}

#ifdef ZKVM_HAVE_ML_HOST
TEST_CASE("quantized fashion models agree with the float reference on at least 97% of 300 test images",
          "[ml-import]") {
  auto cal = model::load_images(kData + "train-images-idx3-ubyte.gz", 784, 200);
  auto test = model::load_images(kData + "t10k-images-idx3-ubyte.gz", 784, 300);
  for (const char* name : {"mlp", "cnn", "vit"})
    for (bool per_channel : {true, false}) {
      INFO(name << (per_channel ? " per-channel" : " per-tensor"));
      auto g = model::import_onnx_file(kModels + "fashion_" + name + ".onnx");
      auto ranges = model::calibrate(g, cal.data, cal.count);
      ml::QuantOptions qo;
      qo.per_channel = per_channel;
      auto file = ml::quantize_model(g, ranges, qo);
      int agree = 0;
      for (size_t i = 0; i < test.count; ++i) {
        std::span<const float> x(test.data.data() + i * 784, 784);
        agree += model::argmax_of(g, model::run_reference(g, x)) == ml::run_int8_host(file, x).argmax;
      }
      CHECK(agree >= 291);
    }
}

TEST_CASE("the imported fashion MLP is a format 2 file with one byte per Dense weight", "[ml-import]") {
  // 784x128, 128x64 and 64x10 weights: every K is a multiple of 4 and the
  // last layer's 10 rows pad to 12, so the weights take exactly
  // 784*128 + 128*64 + 64*12 bytes; the rest of the file (tables, biases,
  // requantisation) is a few KiB. Format 1 stored 2 bytes per weight.
  auto cal = model::load_images(kData + "train-images-idx3-ubyte.gz", 784, 50);
  auto g = model::import_onnx_file(kModels + "fashion_mlp.onnx");
  auto file = ml::quantize_model(g, model::calibrate(g, cal.data, cal.count));
  REQUIRE(file.size() > 8);
  CHECK((file[4] | file[5] << 8 | file[6] << 16 | file[7] << 24) == 2);
  const size_t weights = 784 * 128 + 128 * 64 + 64 * 12;
  CHECK(file.size() > weights);
  CHECK(file.size() < weights + 8192);
}
#endif

TEST_CASE("randomly corrupted .onnx files are rejected or imported, never crash", "[ml-import]") {
  // The CNN, the vision transformer (LayerNorm, GELU patterns, MatMul,
  // rank-6 Transpose), the torch export with Pad subgraphs, Slice, Concat
  // and the element-wise functions, and the one with groups, dilations,
  // ceil_mode and Split (tests/ml-import/data).
  for (const std::string& path : {kModels + "fashion_cnn.onnx", kModels + "fashion_vit.onnx",
                                  std::string(ZKVM_SOURCE_DIR) + "/tests/ml-import/data/torch_tier1.onnx",
                                  std::string(ZKVM_SOURCE_DIR) + "/tests/ml-import/data/torch_tier1b.onnx"}) {
    INFO(path);
    std::ifstream f(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 1000);
    // The structure (graph, nodes, attributes, shapes) sits outside the large
    // weight payloads; corrupt both kinds of regions, deterministically.
    uint32_t s = 12345;
    auto next = [&s] { return s = s * 1664525u + 1013904223u; };
    int rejected = 0, imported = 0;
    for (int iter = 0; iter < 300; ++iter) {
      std::string m = bytes;
      const int flips = 1 + static_cast<int>(next() % 4);
      for (int k = 0; k < flips; ++k) {
        // Half the flips land in the first and last 2 KiB (graph structure).
        size_t pos = next() % m.size();
        if (next() & 1) pos = (next() & 1) ? next() % 2048 : m.size() - 1 - next() % 2048;
        m[pos] = static_cast<char>(next() >> 24);
      }
      try {
        auto g = model::import_onnx_bytes({reinterpret_cast<const uint8_t*>(m.data()), m.size()}, "fuzz.onnx");
        ++imported;
        try {
          std::vector<float> x(model::elem_count(g.tensors[g.input].shape), 0.5f);
          model::run_reference(g, x);
#ifdef ZKVM_HAVE_ML_HOST
          ml::run_int8_host(ml::quantize_model(g, model::calibrate(g, x, 1)), x);  // a file it writes must run
#endif
        } catch (const std::runtime_error&) {
        }
      } catch (const model::ImportError& e) {
        ++rejected;
        REQUIRE(std::string(e.what()).rfind("fuzz.onnx: ", 0) == 0);
      }
    }
    CHECK(rejected + imported == 300);
    CHECK(rejected > 0);
    CHECK(imported > 0);  // the reference and int8 runs are exercised too
  }
}
