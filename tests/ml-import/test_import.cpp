// Importer, float reference, calibration and dataset tests.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "onnx_builder.h"
#include "zkvm_model/calibrate.h"
#include "zkvm_model/dataset.h"
#include "zkvm_model/onnx_import.h"
#include "zkvm_model/reference.h"

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
  for (const char* name : {"mlp", "cnn"}) {
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
  REQUIRE_THROWS_WITH(import(conv_with([](auto& c) { zkvm::testing::set_int(c, "group", 2); })),
                      Contains("model.onnx: node 0 'Conv_12' (Conv): group=2 is not supported"));
  REQUIRE_THROWS_WITH(import(conv_with([](auto& c) { zkvm::testing::set_ints(c, "dilations", {2, 2}); })),
                      Contains("(Conv): dilations [2,2] are not supported"));
  REQUIRE_THROWS_WITH(import(conv_with([](auto& c) { zkvm::testing::set_string(c, "auto_pad", "SAME_UPPER"); })),
                      Contains("(Conv): auto_pad=SAME_UPPER is not supported"));

  OnnxBuilder pool;
  pool.input("x", {1, 1, 5, 5});
  auto& p = pool.node("MaxPool", {"x"}, {"y"}, "pool");
  zkvm::testing::set_ints(p, "kernel_shape", {2, 2});
  zkvm::testing::set_int(p, "ceil_mode", 1);
  pool.output("y");
  REQUIRE_THROWS_WITH(import(pool), Contains("node 0 'pool' (MaxPool): ceil_mode=1 is not supported"));

  OnnxBuilder lstm;
  lstm.input("x", {1, 4});
  lstm.node("Tanh", {"x"}, {"y"});
  lstm.output("y");
  REQUIRE_THROWS_WITH(import(lstm), Contains("node 0 'Tanh_0' (Tanh): op Tanh is not supported"));

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
  REQUIRE_THROWS_WITH(import(unknown_attr), Contains("(Relu): attribute 'alpha' is not supported"));

  OnnxBuilder old;
  old.m.mutable_opset_import(0)->set_version(18);
  old.input("x", {1, 4});
  old.node("Relu", {"x"}, {"y"});
  old.output("y");
  REQUIRE_THROWS_WITH(import(old), Contains("opset 18 is not supported (1..17)"));
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
#include "quantize.h"

TEST_CASE("quantized fashion models agree with the float reference on at least 97% of 300 test images",
          "[ml-import]") {
  auto cal = model::load_images(kData + "train-images-idx3-ubyte.gz", 784, 200);
  auto test = model::load_images(kData + "t10k-images-idx3-ubyte.gz", 784, 300);
  for (const char* name : {"mlp", "cnn"})
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
  std::ifstream f(kModels + "fashion_cnn.onnx", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 1000);
  // The structure (graph, nodes, attributes, shapes) sits outside the large
  // weight payloads; corrupt both kinds of regions, deterministically.
  uint32_t s = 12345;
  auto next = [&s] { return s = s * 1664525u + 1013904223u; };
  int rejected = 0, imported = 0;
  std::vector<float> zeros(784, 0.0f);
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
        model::run_reference(g, std::vector<float>(model::elem_count(g.tensors[g.input].shape), 0.0f));
      } catch (const std::runtime_error&) {
      }
    } catch (const model::ImportError& e) {
      ++rejected;
      REQUIRE(std::string(e.what()).rfind("fuzz.onnx: ", 0) == 0);
    }
  }
  CHECK(rejected + imported == 300);
  CHECK(rejected > 0);
}
