// ONNX backend node tests of the quantized ops (Debian's libonnx-testdata):
// QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul.
//
// Their graphs read and write uint8 tensors; the importer's graph reads and
// writes float32 (the guest's input is quantized on the host, docs/ML_IMPORT.md).
// So each case runs inside a wrapper: a float input x' = (x - zp) * scale,
// QuantizeLinear with the case's x parameters (which gives back exactly x),
// the case's node, then DequantizeLinear with its y parameters. The int8
// model's output (uint8 values moved down by 128) is compared with the
// expected uint8 tensor, integer for integer. Rows of a batched MatMul run
// one by one (batch-1 contract). The per-axis cases (one scale and zero
// point per index of axis 1) give the model's input or output per-axis int8
// parameters (ZKML_DT_INT8_AXIS): the host quantizes and dequantizes each
// value with its own index's.
#include <catch2/catch.hpp>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "zkvm_model/onnx_import.h"
#include "zkvm_model/onnx_model.h"
#ifdef ZKVM_HAVE_ML_HOST
#include "quantize.h"
#include "zkvm/ml/model.h"
#endif

namespace fs = std::filesystem;
using namespace zkvm;

namespace {

onnx::TensorProto read_tensor(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  onnx::TensorProto t;
  REQUIRE(t.ParseFromIstream(&f));
  return t;
}

// Integer or float values of a test tensor, as doubles.
std::vector<double> values(const onnx::TensorProto& t) {
  std::vector<double> v;
  const std::string& raw = t.raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::UINT8:
      if (t.has_raw_data()) for (char c : raw) v.push_back(static_cast<uint8_t>(c));
      else for (int32_t x : t.int32_data()) v.push_back(x);
      break;
    case onnx::TensorProto::INT8:
      if (t.has_raw_data()) for (char c : raw) v.push_back(static_cast<int8_t>(c));
      else for (int32_t x : t.int32_data()) v.push_back(x);
      break;
    case onnx::TensorProto::FLOAT:
      if (t.has_raw_data()) {
        std::vector<float> f(raw.size() / 4);
        std::memcpy(f.data(), raw.data(), raw.size());
        v.assign(f.begin(), f.end());
      } else {
        v.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    default: FAIL("unexpected dtype " << t.data_type());
  }
  return v;
}

std::vector<int64_t> dims(const onnx::TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

// The case's model with input 0 made a float input quantized by a
// QuantizeLinear in front, every other input an initializer, and the
// output dequantized (when it is an integer tensor); input 0 gets x_shape.
onnx::ModelProto wrap(const onnx::ModelProto& orig, const std::vector<onnx::TensorProto>& in, int xs, int xzp,
                      int ys, int yzp, const std::vector<int64_t>& x_shape) {
  onnx::ModelProto m = orig;
  auto* g = m.mutable_graph();
  const std::string x = g->input(0).name();
  for (int k = 1; k < static_cast<int>(in.size()); ++k) {
    onnx::TensorProto t = in[static_cast<size_t>(k)];
    t.set_name(g->input(k).name());
    *g->add_initializer() = t;
  }
  while (g->input_size() > 1) g->mutable_input()->RemoveLast();
  auto* vi = g->mutable_input(0);
  vi->set_name("x_float");
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->clear_dim();
  for (int64_t d : x_shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
  // QuantizeLinear in front (the case's x parameters), unless input 0 is float already.
  onnx::NodeProto q;
  if (xs >= 0) {
    q.set_op_type("QuantizeLinear");
    q.add_input("x_float");
    q.add_input(orig.graph().input(xs).name());
    q.add_input(orig.graph().input(xzp).name());
    q.add_output(x);
  }
  onnx::ModelProto out = m;
  auto* og = out.mutable_graph();
  og->clear_node();
  if (xs >= 0) *og->add_node() = q;
  for (const auto& n : g->node()) {
    onnx::NodeProto c = n;
    if (xs < 0)
      for (auto& i : *c.mutable_input())
        if (i == x) i = "x_float";
    *og->add_node() = c;
  }
  if (ys >= 0) {
    onnx::NodeProto d;
    d.set_op_type("DequantizeLinear");
    d.add_input(g->output(0).name());
    d.add_input(orig.graph().input(ys).name());
    d.add_input(orig.graph().input(yzp).name());
    d.add_output("y_float");
    *og->add_node() = d;
    og->mutable_output(0)->set_name("y_float");
  }
  og->mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  return out;
}

struct QCase {
  const char* name;
  int xs, xzp, ys, yzp;  // graph input indices of the parameters (-1: none)
  const char* reject;    // expected error, or nullptr
  bool requantized = false;  // weights beyond int8: the importer warns that it re-quantizes them
  int tolerance = 0;         // output steps (nonzero only with requantized)
};

// The node tests of the quantized ops and how each runs.
const QCase kCases[] = {
    // One uint8 weight 0 with zero point 255: -255, beyond int8, re-quantized
    // (with a warning) as -127 at 255/127 times the scale, which is exact.
    {"test_qlinearconv", 1, 2, 6, 7, nullptr, true, 0},
    // uint8 b with zero point 114: b - 114 spans [-111, 141], beyond int8
    // weights, so b becomes the int8 constant b - 128 with zero point -14 of
    // a MatMul node, which sums (a - za)(b - zb) exactly.
    {"test_qlinearmatmul_2D", 1, 2, 6, 7, nullptr},
    {"test_qlinearmatmul_3D", 1, 2, 6, 7, nullptr},  // a batch of two b: a batched MatMul
    {"test_quantizelinear", -1, -1, 1, 2, nullptr},                     // float in, uint8 out
    {"test_quantizelinear_axis", -1, -1, 1, 2, nullptr},              // three scales along axis 1
    {"test_dequantizelinear", 1, 2, -1, -1, nullptr},                   // uint8 in, float out
    {"test_dequantizelinear_axis", 1, 2, -1, -1, nullptr},
};

}  // namespace

TEST_CASE("ONNX node tests of QuantizeLinear, DequantizeLinear, QLinearConv and QLinearMatMul give ONNX's integers",
          "[ml-import][conformance][quantized]") {
  const fs::path node_dir = ZKVM_ONNX_NODE_TESTS;
  if (!fs::exists(node_dir)) FAIL("ONNX node test data missing at " << node_dir << " (install libonnx-testdata)");
  int passed = 0, rejected = 0;
  for (const QCase& qc : kCases) {
    INFO(qc.name);
    const fs::path dir = node_dir / qc.name;
    REQUIRE(fs::exists(dir));
    onnx::ModelProto model;
    {
      std::ifstream f(dir / "model.onnx", std::ios::binary);
      REQUIRE(model.ParseFromIstream(&f));
    }
    std::vector<onnx::TensorProto> in;
    for (int k = 0; fs::exists(dir / "test_data_set_0" / ("input_" + std::to_string(k) + ".pb")); ++k)
      in.push_back(read_tensor(dir / "test_data_set_0" / ("input_" + std::to_string(k) + ".pb")));
    const onnx::TensorProto expected = read_tensor(dir / "test_data_set_0" / "output_0.pb");
    const auto x = values(in[0]);
    const auto want = values(expected);
    auto shape = dims(in[0]);
    // A 2-D MatMul input of several rows runs row by row.
    const bool by_row = std::string(qc.name).rfind("test_qlinearmatmul", 0) == 0 && shape.size() == 2;
    const int64_t rows = by_row ? shape[0] : 1;
    if (by_row) shape[0] = 1;
    if (qc.reject) {
      auto m = wrap(model, in, qc.xs, qc.xzp, qc.ys, qc.yzp, shape);
      CHECK_THROWS_WITH(model::import_onnx_model(m, std::string(qc.name) + "/model.onnx"), Catch::Contains(qc.reject));
      ++rejected;
      continue;
    }
    const size_t per = x.size() / static_cast<size_t>(rows), per_out = want.size() / static_cast<size_t>(rows);
    double worst = 0;
    size_t exact = 0, total = 0;
    for (int64_t r = 0; r < rows; ++r) {
      auto m = wrap(model, in, qc.xs, qc.xzp, qc.ys, qc.yzp, shape);
      ml::Graph g;
      REQUIRE_NOTHROW(g = model::import_onnx_model(m, std::string(qc.name) + "/model.onnx"));
      if (qc.requantized) CHECK_THAT(g.warnings.at(0), Catch::Contains("outside int8: as weights they are re-quantized"));
      else CHECK(g.warnings.empty());
      // The float input: the case's integers dequantized with its x
      // parameters (per axis: element i's index along axis 1, ONNX's default).
      std::vector<float> xf(per);
      for (size_t i = 0; i < per; ++i) {
        const double v = x[static_cast<size_t>(r) * per + i];
        if (qc.xs >= 0) {
          const auto sv = values(in[static_cast<size_t>(qc.xs)]), zv = values(in[static_cast<size_t>(qc.xzp)]);
          size_t c = 0;
          if (sv.size() > 1) {
            size_t inner = 1;
            for (size_t d = 2; d < shape.size(); ++d) inner *= static_cast<size_t>(shape[d]);
            c = (i / inner) % sv.size();
          }
          xf[i] = static_cast<float>((v - zv[c]) * sv[c]);
        } else {
          xf[i] = static_cast<float>(v);
        }
      }
#ifdef ZKVM_HAVE_ML_HOST
      const auto file = ml::quantize_model(g, std::vector<ml::Range>(g.tensors.size()), {});
      const auto tr = ml::run_int8_host(file, xf);
      REQUIRE(tr.logits_or_output.size() == per_out);
      for (size_t i = 0; i < per_out; ++i) {
        const double w = want[static_cast<size_t>(r) * per_out + i];
        const int32_t q = tr.logits_or_output[i];
        double got;
        if (qc.ys >= 0) {
          got = q + 128;  // uint8 output
        } else {
          // Float output: dequantize with the output tensor's parameters
          // (its index's, per axis).
          zkml_model zm;
          REQUIRE(zkml_parse(&zm, file.data(), static_cast<uint32_t>(file.size())) == ZKML_OK);
          got = ml::tensor_quant(file, zm.output).dequantize(i, q);
        }
        INFO("row " << r << " element " << i << ": " << got << " vs ONNX " << w);
        worst = std::max(worst, std::fabs(got - w));
        exact += got == w;
        ++total;
        CHECK(std::fabs(got - w) <= qc.tolerance);
      }
#endif
    }
    std::printf("  %s: %zu of %zu outputs exact, largest difference %g%s\n", qc.name, exact, total, worst,
                qc.requantized ? " (weights re-quantized, as the importer warns)" : "");
    ++passed;
  }
  std::printf("quantized ONNX node tests: %d pass, %d rejected as declared unsupported\n", passed, rejected);
}
