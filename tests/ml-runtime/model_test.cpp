// Quantiser end to end against the float graph, and the model parser on
// malformed, truncated and oversized files.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstring>
#include <random>
#include <stdexcept>

#include "quantize.h"
#include "test_graphs.h"
#include "zkvm/ml/model.h"

using namespace zkvm::ml;
using namespace zkvm::ml::testing;

namespace {

std::vector<std::vector<float>> rand_inputs(unsigned seed, size_t n, size_t len, float lo, float hi) {
  std::mt19937 rng(seed);
  std::vector<std::vector<float>> v;
  for (size_t i = 0; i < n; ++i) v.push_back(rand_vec(rng, len, lo, hi));
  return v;
}

void put32(std::vector<uint8_t>& f, size_t off, uint32_t v) {
  for (int b = 0; b < 4; ++b) f[off + b] = static_cast<uint8_t>(v >> (8 * b));
}
uint32_t get32(const std::vector<uint8_t>& f, size_t off) {
  return f[off] | (f[off + 1] << 8) | (f[off + 2] << 16) | (uint32_t(f[off + 3]) << 24);
}

struct Parsed {
  int status;
  std::string error;
};
Parsed parse(const std::vector<uint8_t>& f) {
  zkml_model m;
  int st = zkml_parse(&m, f.data(), static_cast<uint32_t>(f.size()));
  return {st, m.error};
}

size_t node_off(const std::vector<uint8_t>& f, uint32_t i) {
  return ZKML_HEADER_BYTES + size_t(get32(f, 12)) * ZKML_TENSOR_BYTES + size_t(i) * ZKML_NODE_BYTES;
}

std::vector<uint8_t> all_ops_model(unsigned seed = 3) {
  Graph g = all_ops_graph(seed, false);
  auto ranges = calibrate(g, rand_inputs(seed, 16, 128, -1.0f, 1.0f));
  return quantize_model(g, ranges, {});
}

std::vector<uint8_t> activations_model(unsigned seed = 4) {
  Graph g = activations_graph(seed);
  auto ranges = calibrate(g, rand_inputs(seed, 16, 72, -1.5f, 1.5f));
  return quantize_model(g, ranges, {});
}

// x [1,3,2,2] quantized per axis 1 -> Requantize -> one scale -> Relu ->
// Requantize -> y per axis 1: tensors 0 (x, per-axis), 1, 2, 3 (y, per-axis);
// nodes 0 (Requant), 1 (Clamp), 2 (Requant).
std::vector<uint8_t> per_axis_model() {
  Graph g;
  g.input = add_tensor(g, "x", {1, 3, 2, 2});
  g.tensors[0].axis_quant = AxisQuant{1, {0.1f, 0.2f, 0.4f}, {0, -10, 20}};
  const int a = node(g, OpKind::Requantize, {g.input}, {1, 3, 2, 2}, "to_one_scale");
  g.tensors[a].quant = QuantParams{0.4f, -5};
  const int r = node(g, OpKind::Relu, {a}, {1, 3, 2, 2}, "relu");
  g.output = node(g, OpKind::Requantize, {r}, {1, 3, 2, 2}, "to_per_axis");
  g.tensors[g.output].axis_quant = AxisQuant{1, {0.05f, 0.4f, 1.6f}, {-128, 3, 7}};
  return quantize_model(g, std::vector<Range>(g.tensors.size()), {});
}

float scale_of(const zkml_tensor& t) {
  float s;
  std::memcpy(&s, &t.scale_bits, 4);
  return s;
}

}  // namespace

TEST_CASE("quantised MLP tracks the float model", "[ml][quant]") {
  Graph g = mlp_graph(21, 64, 32, 10);
  auto calib = rand_inputs(1, 64, 64, 0.0f, 1.0f);
  auto ranges = calibrate(g, calib);
  for (bool per_channel : {true, false}) {
    auto model = quantize_model(g, ranges, {per_channel});
    ModelInfo info = model_info(model);
    CHECK(info.macs == 64 * 32 + 32 * 10);
    CHECK(info.ops == std::vector<std::string>{"Dense", "Dense"});  // Relu fused
    auto tests = rand_inputs(2, 50, 64, 0.0f, 1.0f);
    int agree = 0;
    const float out_scale = (ranges[g.output].max - std::min(0.0f, ranges[g.output].min)) / 255.0f;
    for (const auto& in : tests) {
      auto f = eval_float(g, in)[g.output];
      Int8Result r = run_int8_host(model, in);
      REQUIRE(r.logits_or_output.size() == 10);
      int fa = int(std::max_element(f.begin(), f.end()) - f.begin());
      agree += fa == r.argmax;
      // Dequantised logits stay within a few output steps of the float ones.
      zkml_model m;
      REQUIRE(zkml_parse(&m, model.data(), uint32_t(model.size())) == ZKML_OK);
      zkml_tensor out;
      zkml_get_tensor(&m, m.output, &out);
      float s;
      std::memcpy(&s, &out.scale_bits, 4);
      // Values outside the calibrated range saturate by design: skip those.
      for (int i = 0; i < 10; ++i)
        if (f[i] >= ranges[g.output].min && f[i] <= ranges[g.output].max)
          CHECK(std::fabs((r.logits_or_output[i] - out.zero_point) * s - f[i]) < 6 * out_scale);
    }
    CHECK(agree >= 45);
  }
}

TEST_CASE("quantised all-ops graph tracks the float model", "[ml][quant]") {
  Graph g = all_ops_graph(8, false);
  auto ranges = calibrate(g, rand_inputs(4, 32, 128, -1.0f, 1.0f));
  auto model = quantize_model(g, ranges, {});
  ModelInfo info = model_info(model);
  CHECK(info.ops == std::vector<std::string>{"Conv", "MaxPool", "AveragePool", "Add", "Mul", "Clamp", "Clamp",
                                             "Reshape", "Dense", "Dense", "Softmax"});
  double worst = 0;
  for (const auto& in : rand_inputs(5, 20, 128, -1.0f, 1.0f)) {
    auto f = eval_float(g, in)[g.output];
    Int8Result r = run_int8_host(model, in);
    REQUIRE(r.logits_or_output.size() == 10);
    for (int i = 0; i < 10; ++i) worst = std::max(worst, std::fabs((r.logits_or_output[i] + 128) / 256.0 - f[i]));
  }
  INFO("worst probability error " << worst);
  CHECK(worst < 0.1);
}

TEST_CASE("ArgMax output gives the predicted class", "[ml][quant]") {
  Graph g = all_ops_graph(9, true);
  auto ranges = calibrate(g, rand_inputs(6, 16, 128, -1.0f, 1.0f));
  auto model = quantize_model(g, ranges, {});
  Graph g2 = all_ops_graph(9, false);
  auto model2 = quantize_model(g2, calibrate(g2, rand_inputs(6, 16, 128, -1.0f, 1.0f)), {});
  for (const auto& in : rand_inputs(7, 10, 128, -1.0f, 1.0f)) {
    Int8Result a = run_int8_host(model, in), b = run_int8_host(model2, in);
    CHECK(a.logits_or_output.size() == 1);
    CHECK(a.argmax == b.argmax);
  }
}

TEST_CASE("quantize_input rounds half away from zero and saturates", "[ml][quant]") {
  Graph g = mlp_graph(1, 4, 4, 2);
  std::vector<Range> ranges(g.tensors.size(), Range{0.0f, 1.0f});
  ranges[g.input] = Range{0.0f, 2.55f};  // scale 0.01, zero point -128
  auto model = quantize_model(g, ranges, {});
  auto q = quantize_input(model, std::vector<float>{0.0f, 0.015f, 100.0f, -5.0f});
  CHECK(q == std::vector<int8_t>{-128, -126, 127, -128});
  CHECK_THROWS_WITH(quantize_input(model, std::vector<float>{1.0f}), Catch::Contains("4 elements"));
}

TEST_CASE("quantizer rejects unsupported graphs naming the node", "[ml][quant]") {
  Graph g = mlp_graph(1, 8, 4, 2);
  auto ranges = calibrate(g, rand_inputs(1, 4, 8, 0, 1));
  Graph bad = g;
  bad.tensors[bad.nodes[0].inputs[1]].data.clear();  // weight no longer constant
  CHECK_THROWS_WITH(quantize_model(bad, ranges, {}), Catch::Contains("fc1") && Catch::Contains("not constant"));
  CHECK_THROWS_WITH(quantize_model(g, {}, {}), Catch::Contains("ranges"));
  Graph bad2 = g;
  bad2.nodes[0].outputs.push_back(0);
  CHECK_THROWS_WITH(quantize_model(bad2, ranges, {}), Catch::Contains("fc1"));
}

TEST_CASE("parser accepts the quantiser's files and every proper prefix is rejected", "[ml][parser]") {
  auto f = all_ops_model();
  REQUIRE(parse(f).status == ZKML_OK);
  for (size_t len = 0; len < f.size(); ++len) {
    std::vector<uint8_t> p(f.begin(), f.begin() + long(len));
    auto r = parse(p);
    INFO("prefix of " << len << " bytes");
    REQUIRE(r.status == ZKML_ERR_TRUNCATED);
    REQUIRE(!r.error.empty());
  }
  f.push_back(0);
  auto r = parse(f);
  CHECK(r.status == ZKML_ERR_LIMIT);
  CHECK_THAT(r.error, Catch::Contains("trailing"));
}

TEST_CASE("parser rejects bad headers and oversized counts with a message", "[ml][parser]") {
  auto f = all_ops_model();
  auto g = f;
  g[0] = 'X';
  CHECK(parse(g).status == ZKML_ERR_MAGIC);
  g = f;
  put32(g, 4, ZKML_VERSION + 1);
  CHECK(parse(g).status == ZKML_ERR_VERSION);
  CHECK_THAT(parse(g).error, Catch::Contains("version 4"));
  g = f;
  put32(g, 12, 0xFFFFFFFFu);
  CHECK(parse(g).status == ZKML_ERR_LIMIT);
  CHECK_THAT(parse(g).error, Catch::Contains("tensors"));
  g = f;
  put32(g, 16, 5000);
  CHECK(parse(g).status == ZKML_ERR_LIMIT);
  g = f;
  put32(g, 28, 0xFFFFFFF0u);  // blob larger than the file
  CHECK(parse(g).status == ZKML_ERR_TRUNCATED);
  g = f;
  put32(g, 24, 999);  // output index
  CHECK(parse(g).status == ZKML_ERR_TENSOR);
}

TEST_CASE("a format version 1 model (16-bit packed weights) is rejected with the version error", "[ml][parser]") {
  // Version 1 stored Dense/Conv weights two rows per 32-bit word; version 2
  // stores one biased byte per weight in the dot4 layout. The same bytes read
  // under the other layout would give wrong answers, so the parser refuses.
  auto f = all_ops_model();
  REQUIRE(get32(f, 4) == 2u);
  put32(f, 4, 1);
  auto r = parse(f);
  CHECK(r.status == ZKML_ERR_VERSION);
  CHECK_THAT(r.error, Catch::Contains("format version 1, this runtime reads versions 2 to 3"));
  put32(f, 4, 4);
  CHECK_THAT(parse(f).error, Catch::Contains("format version 4, this runtime reads versions 2 to 3"));
}

TEST_CASE("parser rejects out-of-range node fields naming node and op", "[ml][parser]") {
  auto f = all_ops_model();
  const size_t n0 = node_off(f, 0);  // Conv
  auto g = f;
  put32(g, n0 + 64, get32(f, 28));  // weight offset at the end of the blob
  CHECK(parse(g).status == ZKML_ERR_BLOB);
  CHECK_THAT(parse(g).error, Catch::Contains("node 0 (Conv)"));
  g = f;
  put32(g, n0 + 64 + 12, get32(f, n0 + 64 + 12) + 2);  // misaligned shift table
  CHECK(parse(g).status == ZKML_ERR_BLOB);
  g = f;
  // First shift of the Conv set to 63.
  {
    zkml_model m;
    REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
    put32(g, m.blob_off + get32(f, n0 + 64 + 12), 63);
  }
  CHECK(parse(g).status == ZKML_ERR_PARAM);
  CHECK_THAT(parse(g).error, Catch::Contains("shift"));
  g = f;
  {
    zkml_model m;
    REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
    put32(g, m.blob_off + get32(f, n0 + 64 + 4), 1u << 30);  // bias 2^30
  }
  CHECK(parse(g).status == ZKML_ERR_PARAM);
  CHECK_THAT(parse(g).error, Catch::Contains("bias"));
  g = f;
  put32(g, n0, 77);  // unknown op
  CHECK_THAT(parse(g).error, Catch::Contains("unknown op 77"));
  g = f;
  put32(g, n0 + 20, 9);  // kh no longer matches the output size
  CHECK(parse(g).status == ZKML_ERR_NODE);
  g = f;
  put32(g, n0 + 8, get32(f, node_off(f, 1) + 16));  // reads a tensor computed later
  CHECK_THAT(parse(g).error, Catch::Contains("not computed before"));
  g = f;
  put32(g, node_off(f, 1) + 16, get32(f, n0 + 16));  // two writers of one tensor
  CHECK_THAT(parse(g).error, Catch::Contains("already defined"));
  g = f;
  put32(g, n0 + 56, 100);  // act_min > act_max
  put32(g, n0 + 60, 50);
  CHECK(parse(g).status == ZKML_ERR_PARAM);
}

TEST_CASE("zkml_parse_prechecked skips only the table values zkml_parse checks", "[ml][parser]") {
  auto f = all_ops_model();
  zkml_model m, mp;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  REQUIRE(zkml_parse_prechecked(&mp, f.data(), uint32_t(f.size())) == ZKML_OK);
  CHECK(std::memcmp(&m, &mp, sizeof m) == 0);
  const size_t n0 = node_off(f, 0);  // Conv
  auto g = f;
  put32(g, m.blob_off + get32(f, n0 + 64 + 4), 1u << 30);  // bias 2^30: a table value
  CHECK(parse(g).status == ZKML_ERR_PARAM);
  CHECK(zkml_parse_prechecked(&mp, g.data(), uint32_t(g.size())) == ZKML_OK);
  CHECK(mp.arena_bytes == m.arena_bytes);
  g = f;
  put32(g, n0 + 64 + 12, get32(f, n0 + 64 + 12) + 2);  // misaligned shift table: structure
  CHECK(zkml_parse_prechecked(&mp, g.data(), uint32_t(g.size())) == ZKML_ERR_BLOB);
  g = f;
  put32(g, n0 + 20, 9);  // kh no longer matches the output size
  CHECK(zkml_parse_prechecked(&mp, g.data(), uint32_t(g.size())) == ZKML_ERR_NODE);
  g = f;
  put32(g, 28, 0xFFFFFFF0u);  // blob larger than the file
  CHECK(zkml_parse_prechecked(&mp, g.data(), uint32_t(g.size())) == ZKML_ERR_TRUNCATED);
}

TEST_CASE("zkml_parse_built gives zkml_parse's model from the header and the built arena size, and checks the header", "[ml][parser]") {
  auto f = all_ops_model();
  zkml_model m, mb;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  REQUIRE(zkml_parse_built(&mb, f.data(), uint32_t(f.size()), m.arena_bytes) == ZKML_OK);
  CHECK(std::memcmp(&m, &mb, sizeof m) == 0);
  // The header is checked as zkml_parse checks it, with its codes.
  auto g = f;
  put32(g, 0, 0x12345678u);  // magic
  CHECK(zkml_parse_built(&mb, g.data(), uint32_t(g.size()), m.arena_bytes) == ZKML_ERR_MAGIC);
  g = f;
  put32(g, 4, 99);  // version
  CHECK(zkml_parse_built(&mb, g.data(), uint32_t(g.size()), m.arena_bytes) == ZKML_ERR_VERSION);
  g = f;
  put32(g, 28, 0xFFFFFFF0u);  // blob larger than the file
  CHECK(zkml_parse_built(&mb, g.data(), uint32_t(g.size()), m.arena_bytes) == ZKML_ERR_TRUNCATED);
  CHECK(zkml_parse_built(&mb, f.data(), uint32_t(f.size()) - 4, m.arena_bytes) == ZKML_ERR_TRUNCATED);
  g = f;
  put32(g, 20, m.n_tensors);  // input index past the tensors
  CHECK(zkml_parse_built(&mb, g.data(), uint32_t(g.size()), m.arena_bytes) == ZKML_ERR_TENSOR);
  // The arena size is the build's, within the runtime's limit.
  CHECK(zkml_parse_built(&mb, f.data(), uint32_t(f.size()), ZKML_MAX_ARENA + 1) == ZKML_ERR_LIMIT);
  CHECK_THAT(std::string(mb.error), Catch::Contains("arena"));
  // What it does not walk: a node that no longer fits its shapes passes
  // here (the build's zkml_parse would have refused the file).
  g = f;
  put32(g, node_off(f, 0) + 20, 9);
  CHECK(parse(g).status == ZKML_ERR_NODE);
  CHECK(zkml_parse_built(&mb, g.data(), uint32_t(g.size()), m.arena_bytes) == ZKML_OK);
}

TEST_CASE("parser rejects misaligned packed Dense weights and a misaligned buffer", "[ml][parser]") {
  auto f = all_ops_model();
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  uint32_t dense = 0;
  for (uint32_t i = 0; i < m.n_nodes; ++i)
    if (get32(f, node_off(f, i)) == ZKML_OP_DENSE) {
      dense = i;
      break;
    }
  REQUIRE(dense > 0);
  auto g = f;
  put32(g, node_off(f, dense) + 64, get32(f, node_off(f, dense) + 64) + 1);
  CHECK(parse(g).status == ZKML_ERR_BLOB);
  CHECK_THAT(parse(g).error, Catch::Contains("(Dense)"));
  // The same bytes one byte off a 4-byte boundary.
  std::vector<uint8_t> buf(f.size() + 4);
  std::copy(f.begin(), f.end(), buf.begin() + 1);
  zkml_model m2;
  CHECK(zkml_parse(&m2, buf.data() + 1, uint32_t(f.size())) == ZKML_ERR_BLOB);
  CHECK_THAT(std::string(m2.error), Catch::Contains("not 4-byte aligned"));
}

namespace {
// Built with sanitizers (see CMakeLists): any out-of-bounds access or UB in
// zkml_parse/zkml_run on a corrupted file fails the test. Returns how many
// corrupted files parsed (and then ran cleanly).
int fuzz_model(const std::vector<uint8_t>& f, unsigned seed, int iters) {
  std::mt19937 rng(seed);
  int accepted = 0;
  for (int iter = 0; iter < iters; ++iter) {
    auto g = f;
    int flips = 1 + iter % 4;
    for (int k = 0; k < flips; ++k) {
      size_t pos = std::uniform_int_distribution<size_t>(0, g.size() - 1)(rng);
      // Mostly the tables (header, tensors, nodes): that is where the structure is.
      if (iter % 3 != 0) pos %= std::min<size_t>(g.size(), node_off(f, get32(f, 16)));
      g[pos] = static_cast<uint8_t>(rng());
    }
    zkml_model m, mp;
    const int pre = zkml_parse_prechecked(&mp, g.data(), uint32_t(g.size()));
    if (zkml_parse(&m, g.data(), uint32_t(g.size())) != ZKML_OK) {
      REQUIRE(m.error[0] != '\0');
      continue;
    }
    // What zkml_parse accepts, zkml_parse_prechecked accepts the same way.
    REQUIRE(pre == ZKML_OK);
    REQUIRE(std::memcmp(&m, &mp, sizeof m) == 0);
    ++accepted;
    std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
    zkml_runner r;
    REQUIRE(zkml_prepare(&r, &m, arena.data(), uint32_t(arena.size() * 4)) == ZKML_OK);
    zkml_tensor in;
    zkml_get_tensor(&m, m.input, &in);
    std::vector<int8_t> x(in.elems, 3);
    REQUIRE(zkml_run(&r, x.data(), in.elems) == ZKML_OK);
  }
  return accepted;
}
}  // namespace

TEST_CASE("per-axis tensors and Requant nodes run as the float definition says", "[ml][parser]") {
  const auto f = per_axis_model();
  REQUIRE(parse(f).status == ZKML_OK);
  CHECK(model_info(f).ops == std::vector<std::string>{"Requant", "Clamp", "Requant"});
  const TensorQuant tx = tensor_quant(f, 0), ty = tensor_quant(f, 3);
  CHECK(tx.axis == 1);
  CHECK(tx.inner == 4);
  CHECK(tx.scale == std::vector<float>{0.1f, 0.2f, 0.4f});
  CHECK(ty.zero_point == std::vector<int32_t>{-128, 3, 7});
  // Inputs on each index's grid, whose Relu'd values the output grids hold.
  const std::vector<float> x = {0.0f, -0.4f, 0.8f, 2.0f, 4.0f, -4.0f, 1.6f, 0.4f, 8.0f, 40.0f, -8.0f, 3.2f};
  const auto q = quantize_input(f, x);
  for (size_t i = 0; i < x.size(); ++i) CHECK(tx.dequantize(i, q[i]) == Approx(x[i]));
  const auto r = run_int8_host(f, x);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("element " << i);
    CHECK(ty.dequantize(i, r.logits_or_output[i]) == Approx(std::max(x[i], 0.0f)).margin(1e-6));
  }
}

TEST_CASE("quantizer names per-axis parameters it cannot write and ops that cannot read them", "[ml][quant]") {
  auto graph = [](AxisQuant in_axis, OpKind op, AxisQuant out_axis, std::vector<int64_t> shape = {1, 3, 2, 2}) {
    Graph g;
    g.input = add_tensor(g, "x", shape);
    g.tensors[0].axis_quant = std::move(in_axis);
    g.output = node(g, op, {g.input}, shape, "n");
    g.tensors[static_cast<size_t>(g.output)].axis_quant = std::move(out_axis);
    if (!g.tensors[static_cast<size_t>(g.output)].axis_quant.given()) g.tensors[static_cast<size_t>(g.output)].quant = {0.1f, 0};
    return g;
  };
  const AxisQuant a1{1, {0.1f, 0.2f, 0.3f}, {0, 1, 2}};
  auto q = [](const Graph& g) { return quantize_model(g, std::vector<Range>(g.tensors.size()), {}); };
  CHECK_THROWS_WITH(q(graph(a1, OpKind::Relu, {})),
                    Catch::Contains("node 'n' (Relu): input 'x' has per-axis int8 parameters; only Requantize reads"));
  CHECK_THROWS_WITH(q(graph({}, OpKind::Requantize, {})),
                    Catch::Contains("node 'n' (Requantize): neither input nor output has per-axis parameters"));
  CHECK_THROWS_WITH(q(graph(a1, OpKind::Requantize, AxisQuant{3, {0.1f, 0.2f}, {0, 0}})),
                    Catch::Contains("input per-axis along axis 1, output along 3: one axis is supported"));
  CHECK_THROWS_WITH(q(graph(AxisQuant{1, {0.1f, 0.2f}, {0, 0}}, OpKind::Requantize, {})),
                    Catch::Contains("tensor 'x': 2 per-axis scales for axis 1 of a tensor of rank 4"));
  CHECK_THROWS_WITH(q(graph(AxisQuant{1, {0.1f, 0.2f, 0.3f}, {0, 200, 0}}, OpKind::Requantize, {})),
                    Catch::Contains("tensor 'x': zero point 200 outside int8"));
  CHECK_THROWS_WITH(q(graph(AxisQuant{1, {0.1f, -0.2f, 0.3f}, {0, 0, 0}}, OpKind::Requantize, {})),
                    Catch::Contains("tensor 'x': scale -0.200000 is not positive"));
  CHECK_THROWS_WITH(q(graph(AxisQuant{1, {0.1f, 0.2f, 0.3f}, {0, 0, 0}}, OpKind::Requantize, {}, {1, 3, 1, 1, 2})),
                    Catch::Contains("a per-axis quantized tensor of rank 5 (at most 4)"));
  Graph g = graph(a1, OpKind::Requantize, {});
  g.tensors[static_cast<size_t>(g.output)].shape = {1, 3, 4};
  CHECK_THROWS_WITH(q(g), Catch::Contains("node 'n' (Requantize): input and output shapes differ"));
  g = graph(a1, OpKind::Requantize, {});
  g.nodes[0].inputs.push_back(g.input);
  CHECK_THROWS_WITH(q(g), Catch::Contains("node 'n' (Requantize): expects one input"));
}

TEST_CASE("parser rejects malformed per-axis tensors and Requant nodes, naming them", "[ml][parser]") {
  const auto f = per_axis_model();
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  auto t_off = [](uint32_t i) { return ZKML_HEADER_BYTES + size_t(i) * ZKML_TENSOR_BYTES; };
  const size_t tab0 = m.blob_off + get32(f, t_off(0) + 28);  // tensor 0's axis table
  const size_t n0 = node_off(f, 0), n2 = node_off(f, 2);
  const size_t rq0 = m.blob_off + get32(f, n0 + 64);          // node 0's Requant table
  struct Bad {
    const char* what;
    std::vector<std::pair<size_t, uint32_t>> puts;
    const char* error;
  };
  const Bad bad[] = {
      {"dtype 3", {{t_off(0), 3}}, "tensor 0: unknown dtype 3"},
      {"constant", {{t_off(0) + 32, 0}}, "tensor 0: a per-axis tensor cannot be constant"},
      {"zero point field", {{t_off(0) + 24, 1}}, "tensor 0: per-axis tensor with zero point field 1 (must be 0)"},
      {"table outside", {{t_off(0) + 28, m.blob_bytes}}, "tensor 0: axis table at"},
      {"table misaligned", {{t_off(0) + 28, get32(f, t_off(0) + 28) + 2}}, "outside the"},
      {"axis", {{tab0, 4}}, "tensor 0: axis table for axis 4 of 3 indices, tensor of rank 4"},
      {"count", {{tab0 + 4, 2}}, "tensor 0: axis table for axis 1 of 2 indices"},
      {"table end", {{t_off(0) + 28, m.blob_bytes - 8}, {m.blob_off + m.blob_bytes - 8, 1}, {m.blob_off + m.blob_bytes - 4, 3}},
       "tensor 0: axis table of 3 indices outside the"},
      {"zero point", {{tab0 + 12, 200}}, "tensor 0: zero point 200 of axis index 1 outside int8"},
      {"read by Clamp", {{node_off(f, 1) + 8, 0}}, "node 1 (Clamp): inputs must be int8 with one scale (only Requant"},
      {"written by Clamp", {{n2, ZKML_OP_CLAMP}}, "node 2 (Clamp): output dtype 2 not allowed"},
      {"no per-axis side", {{t_off(3), ZKML_DT_INT8}}, "node 2 (Requant): neither input nor output is per-axis"},
      {"shapes", {{t_off(1) + 20, 1}}, "node 0 (Requant): input and output shapes differ"},
      {"indices", {{n0 + 64 + 4, 2}}, "node 0 (Requant): 2 indices along axis 1 of a rank-4 tensor"},
      {"node table", {{n0 + 64, m.blob_bytes}}, "node 0 (Requant): table outside the blob"},
      {"shift", {{rq0 + 8, 0}}, "node 0 (Requant): index 0: multiplier"},
      {"multiplier", {{rq0 + 4, 0x80000000u}}, "node 0 (Requant): index 0: multiplier -2147483648"},
      {"node axis", {{n0 + 64 + 8, 2}, {n0 + 64 + 4, 2}}, "node 0 (Requant): input is per-axis along axis 1, the node along 2"},
      {"zero point mismatch", {{rq0 + 16, 5}}, "node 0 (Requant): index 1: input zero point 5, the tensor's is -10"},
      {"output zero point", {{rq0 + 12, 9}}, "node 0 (Requant): index 0: output zero point 9, the tensor's is -5"},
  };
  for (const Bad& b : bad) {
    INFO(b.what);
    auto g = f;
    for (auto [off, v] : b.puts) put32(g, off, v);
    const Parsed p = parse(g);
    CHECK(p.status != ZKML_OK);
    CHECK_THAT(p.error, Catch::Contains(b.error));
  }
}

TEST_CASE("random corruptions never make the parser or a parsed run misbehave", "[ml][parser]") {
  int accepted = fuzz_model(all_ops_model(), 77, 3000);
  INFO("accepted corrupted files: " << accepted);
  CHECK(accepted > 0);  // the run path is exercised too
  accepted = fuzz_model(activations_model(), 78, 1500);
  INFO("accepted corrupted files with Lut8 nodes: " << accepted);
  CHECK(accepted > 0);
  accepted = fuzz_model(per_axis_model(), 79, 1500);
  INFO("accepted corrupted files with per-axis tensors: " << accepted);
  CHECK(accepted > 0);
}

TEST_CASE("run rejects an input of the wrong size and a small arena", "[ml][parser]") {
  auto f = all_ops_model();
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
  zkml_runner r;
  CHECK(zkml_prepare(&r, &m, arena.data(), m.arena_bytes - 1) == ZKML_ERR_ARENA);
  REQUIRE(zkml_prepare(&r, &m, arena.data(), m.arena_bytes) == ZKML_OK);
  std::vector<int8_t> x(10);
  CHECK(zkml_run(&r, x.data(), 10) == ZKML_ERR_INPUT);
  CHECK_THROWS_WITH(run_int8_host_q(f, x), Catch::Contains("model wants 128"));
  // An input read straight into zkml_input_buffer runs as a copied one.
  zkml_tensor in, out;
  zkml_get_tensor(&m, m.input, &in);
  zkml_get_tensor(&m, m.output, &out);
  REQUIRE(in.elems == 128);
  std::vector<int8_t> q(in.elems);
  for (size_t i = 0; i < q.size(); ++i) q[i] = int8_t(int(i * 37 % 256) - 128);
  const auto want = run_int8_host_q(f, q);
  int8_t* buf = zkml_input_buffer(&r);
  std::memcpy(buf, q.data(), q.size());
  REQUIRE(zkml_run(&r, buf, in.elems) == ZKML_OK);
  std::vector<int32_t> got;
  if (out.dtype == ZKML_DT_INT32) {
    got.push_back(zkml_tensor_i32(&r, m.output));
  } else {
    const int8_t* y = zkml_tensor_data(&r, m.output);
    got.assign(y, y + out.elems);
  }
  CHECK(got == want.logits_or_output);
}

TEST_CASE("generated guest source embeds the model bytes and checks its options", "[ml][guestgen]") {
  Graph g = mlp_graph(3, 16, 8, 4);
  auto model = quantize_model(g, calibrate(g, rand_inputs(3, 8, 16, 0, 1)), {});
  GuestSourceOptions o;
  o.batch = 0;
  o.commit_logits = true;
  std::string src = generate_guest_source(model, o);
  CHECK_THAT(src, Catch::Contains("zkml_model_bytes[" + std::to_string(model.size()) + "]"));
  CHECK_THAT(src, Catch::Contains("zkvm_read_u32()"));  // batch 0 reads the count
  CHECK_THAT(src, Catch::Contains("zkvm_commit(zkml_tensor_data"));  // logits
  // Every byte appears, in order: parse the initializer back.
  size_t open = src.find('{', src.find("zkml_model_bytes["));
  size_t close = src.find("};", open);
  std::vector<uint8_t> back;
  std::string body = src.substr(open + 1, close - open - 1);
  for (size_t i = 0; i < body.size();) {
    if (!std::isdigit(static_cast<unsigned char>(body[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < body.size() && std::isdigit(static_cast<unsigned char>(body[j]))) ++j;
    back.push_back(static_cast<uint8_t>(std::stoi(body.substr(i, j - i))));
    i = j;
  }
  CHECK(back == model);
  o.model_symbol = "zkml_model";  // the parser's struct type
  CHECK_THROWS_WITH(generate_guest_source(model, o), Catch::Contains("not a usable C identifier"));
  o.model_symbol = "1abc";
  CHECK_THROWS(generate_guest_source(model, o));
  auto bad = model;
  bad[0] ^= 1;
  CHECK_THROWS_WITH(generate_guest_source(bad, {}), Catch::Contains("bad magic"));
}

TEST_CASE("element-wise functions run as Lut8 tables: each output is f of the int8 input, rounded once",
          "[ml][quant]") {
  Graph g = activations_graph(4);
  auto ranges = calibrate(g, rand_inputs(4, 16, 72, -1.5f, 1.5f));
  auto f = quantize_model(g, ranges, {});
  ModelInfo info = model_info(f);
  CHECK(info.ops == std::vector<std::string>{"Conv", "Lut8", "Lut8", "Lut8", "Lut8", "Lut8", "Lut8", "Concat",
                                             "Concat", "Reshape", "Dense"});
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
  zkml_runner r;
  REQUIRE(zkml_prepare(&r, &m, arena.data(), uint32_t(arena.size() * 4)) == ZKML_OK);
  int checked = 0;
  double worst_end = 0;
  for (const auto& in : rand_inputs(9, 8, 72, -1.5f, 1.5f)) {
    auto q = quantize_input(f, in);
    REQUIRE(zkml_run(&r, q.data(), uint32_t(q.size())) == ZKML_OK);
    for (uint32_t k = 1; k <= 6; ++k) {  // the Lut8 nodes, in graph order
      zkml_node nd;
      zkml_tensor tx, ty;
      zkml_get_node(&m, k, &nd);
      REQUIRE(nd.op == ZKML_OP_LUT8);
      zkml_get_tensor(&m, nd.in[0], &tx);
      zkml_get_tensor(&m, nd.out, &ty);
      const int8_t *x = zkml_tensor_data(&r, nd.in[0]), *y = zkml_tensor_data(&r, nd.out);
      const float sx = scale_of(tx), sy = scale_of(ty);
      for (uint32_t i = 0; i < tx.elems; ++i) {
        double want = pointwise_value(g.nodes[k], double(sx) * (x[i] - tx.zero_point)) / sy + ty.zero_point;
        want = std::clamp(want, -128.0, 127.0);  // values beyond the calibrated range saturate
        INFO(g.nodes[k].name << " element " << i << ": x " << int(x[i]) << " y " << int(y[i]) << " want " << want);
        REQUIRE(std::fabs(y[i] - want) <= 0.5 + 1e-4);
        ++checked;
      }
    }
    // End to end: the Dense output stays within a few output steps of float.
    auto fl = eval_float(g, in)[g.output];
    zkml_tensor to;
    zkml_get_tensor(&m, m.output, &to);
    const int8_t* yo = zkml_tensor_data(&r, m.output);
    for (uint32_t i = 0; i < to.elems; ++i)
      worst_end = std::max(worst_end, std::fabs((yo[i] - to.zero_point) * double(scale_of(to)) - fl[i]) / scale_of(to));
  }
  CHECK(checked == 8 * 6 * 144);
  INFO("worst end-to-end error in output steps: " << worst_end);
  CHECK(worst_end < 6);
}

TEST_CASE("parser refuses a malformed Lut8 node naming node and op", "[ml][parser]") {
  auto f = activations_model();
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  const size_t n1 = node_off(f, 1);
  REQUIRE(get32(f, n1) == ZKML_OP_LUT8);
  auto g = f;
  put32(g, n1 + 64, m.blob_bytes - 255);  // table runs one byte past the blob
  auto r = parse(g);
  CHECK(r.status == ZKML_ERR_BLOB);
  CHECK_THAT(r.error, Catch::Contains("node 1 (Lut8): table") && Catch::Contains("outside the"));
  g = f;
  put32(g, n1 + 64, 0xFFFFFF80u);  // offset + 256 wraps in 32 bits
  CHECK(parse(g).status == ZKML_ERR_BLOB);
  g = f;
  put32(g, n1 + 64, m.blob_bytes - 256);  // the last 256 bytes: still inside
  CHECK(parse(g).status == ZKML_OK);
  g = f;
  const uint32_t out = get32(f, n1 + 16);
  put32(g, ZKML_HEADER_BYTES + size_t(out) * ZKML_TENSOR_BYTES + 12, 5);  // output [1,5,6,6], input [1,4,6,6]
  r = parse(g);
  CHECK(r.status == ZKML_ERR_NODE);
  CHECK_THAT(r.error, Catch::Contains("node 1 (Lut8): 144 input elements, 180 output elements"));
  g = f;
  put32(g, n1 + 4, 2);
  CHECK_THAT(parse(g).error, Catch::Contains("node 1 (Lut8): 2 inputs, want 1"));
}

TEST_CASE("Concat joins its inputs along the axis, each brought to the output's scale", "[ml][quant]") {
  Graph g = activations_graph(4);
  auto ranges = calibrate(g, rand_inputs(4, 16, 72, -1.5f, 1.5f));
  auto f = quantize_model(g, ranges, {});
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
  zkml_runner r;
  REQUIRE(zkml_prepare(&r, &m, arena.data(), uint32_t(arena.size() * 4)) == ZKML_OK);
  zkml_node c1, c2;
  zkml_get_node(&m, 7, &c1);
  zkml_get_node(&m, 8, &c2);
  REQUIRE(c1.op == ZKML_OP_CONCAT);
  REQUIRE(c2.op == ZKML_OP_CONCAT);
  REQUIRE(c2.in[0] == c1.out);  // three inputs: a chain of two nodes
  zkml_tensor y;
  zkml_get_tensor(&m, c2.out, &y);
  const uint32_t parts[3] = {c1.in[0], c1.in[1], c2.in[1]};
  bool rescaled = false;
  for (const auto& in : rand_inputs(10, 4, 72, -1.5f, 1.5f)) {
    auto q = quantize_input(f, in);
    REQUIRE(zkml_run(&r, q.data(), uint32_t(q.size())) == ZKML_OK);
    const int8_t* yd = zkml_tensor_data(&r, c2.out);
    for (int k = 0; k < 3; ++k) {  // each input is a block of 4 channels of 6x6
      zkml_tensor t;
      zkml_get_tensor(&m, parts[k], &t);
      rescaled = rescaled || t.scale_bits != y.scale_bits;
      const int8_t* xd = zkml_tensor_data(&r, parts[k]);
      for (uint32_t i = 0; i < t.elems; ++i) {
        double want = (xd[i] - t.zero_point) * double(scale_of(t)) / scale_of(y) + y.zero_point;
        INFO("input " << k << " element " << i);
        REQUIRE(std::fabs(yd[k * 144 + i] - std::clamp(want, -128.0, 127.0)) <= 0.5 + 1e-6);
      }
    }
  }
  CHECK(rescaled);  // the sigmoid's [0, 1] scale differs from the output's
}

TEST_CASE("parser refuses a malformed Concat node naming node and op", "[ml][parser]") {
  auto f = activations_model();
  const size_t n7 = node_off(f, 7);
  REQUIRE(get32(f, n7) == ZKML_OP_CONCAT);
  auto g = f;
  put32(g, n7 + 64 + 16, 4);  // axis 4 of a rank-4 output
  auto r = parse(g);
  CHECK(r.status == ZKML_ERR_NODE);
  CHECK_THAT(r.error, Catch::Contains("node 7 (Concat): axis 4"));
  g = f;
  put32(g, n7 + 64 + 16, 2);  // axis 2: the channel counts differ, H does not add up
  CHECK_THAT(parse(g).error, Catch::Contains("node 7 (Concat): shapes do not concatenate along axis 2"));
  g = f;
  const uint32_t out = get32(f, n7 + 16);
  put32(g, ZKML_HEADER_BYTES + size_t(out) * ZKML_TENSOR_BYTES + 12, 9);  // output [1,9,6,6] != 4 + 4 channels
  CHECK_THAT(parse(g).error, Catch::Contains("node 7 (Concat): shapes do not concatenate along axis 1 at dimension 1"));
  g = f;
  put32(g, n7 + 64 + 12, 63);  // second input's shift
  r = parse(g);
  CHECK(r.status == ZKML_ERR_PARAM);
  CHECK_THAT(r.error, Catch::Contains("node 7 (Concat): input 1 multiplier"));
  g = f;
  put32(g, n7 + 64, 0x80000000u);  // negative multiplier
  CHECK(parse(g).status == ZKML_ERR_PARAM);
  g = f;
  put32(g, n7 + 4, 1);
  CHECK_THAT(parse(g).error, Catch::Contains("node 7 (Concat): 1 inputs, want 2"));
}

namespace {
std::vector<uint8_t> grouped_model(unsigned seed = 6) {
  Graph g = grouped_graph(seed);
  return quantize_model(g, calibrate(g, rand_inputs(seed, 16, 243, -1.0f, 1.0f)), {});
}
}  // namespace

TEST_CASE("grouped and depthwise Conv track the float model and need format version 3", "[ml][quant]") {
  Graph g = grouped_graph(6);
  auto ranges = calibrate(g, rand_inputs(6, 16, 243, -1.0f, 1.0f));
  auto f = quantize_model(g, ranges, {});
  CHECK(get32(f, 4) == 3u);  // groups: version 3
  CHECK(get32(all_ops_model(), 4) == 2u);  // no groups: still version 2
  ModelInfo info = model_info(f);
  CHECK(info.ops == std::vector<std::string>{"Conv", "Conv", "Conv", "Conv", "Reshape", "Dense"});
  // MACs count each output against its group's channels only.
  CHECK(info.macs == 81u * 6 * 3 + 25u * 6 * 9 + 25u * 10 * 27 + 9u * 20 * 9 + 180u * 7);
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
  zkml_runner r;
  REQUIRE(zkml_prepare(&r, &m, arena.data(), uint32_t(arena.size() * 4)) == ZKML_OK);
  double worst = 0;
  for (const auto& in : rand_inputs(8, 8, 243, -1.0f, 1.0f)) {
    auto q = quantize_input(f, in);
    REQUIRE(zkml_run(&r, q.data(), uint32_t(q.size())) == ZKML_OK);
    auto fl = eval_float(g, in);
    // Every Conv output against float, in output steps: the rounding of
    // weights, inputs and outputs accumulates over the four quantised
    // layers (worst seen 5.9 steps, in the last).
    for (uint32_t k = 0; k < 4; ++k) {
      zkml_node nd;
      zkml_tensor t;
      zkml_get_node(&m, k, &nd);
      REQUIRE(nd.op == ZKML_OP_CONV);
      zkml_get_tensor(&m, nd.out, &t);
      const int8_t* y = zkml_tensor_data(&r, nd.out);
      const int gt = k == 1 ? g.nodes[2].outputs[0] : g.nodes[k == 0 ? 0 : k + 1].outputs[0];
      for (uint32_t i = 0; i < t.elems; ++i) {
        double want = std::clamp(double(fl[gt][i]) / scale_of(t) + t.zero_point, -128.0, 127.0);
        worst = std::max(worst, std::fabs(y[i] - want));
      }
    }
  }
  INFO("worst Conv output error in steps: " << worst);
  CHECK(worst < 8);
}

TEST_CASE("parser refuses a malformed grouped Conv naming node and reason", "[ml][parser]") {
  auto f = grouped_model();
  const size_t n1 = node_off(f, 1);  // the depthwise Conv: 6 groups
  REQUIRE(get32(f, n1) == ZKML_OP_CONV);
  REQUIRE(get32(f, n1 + 64 + 20) == 6u);
  auto g = f;
  put32(g, n1 + 64 + 20, 4);  // 4 groups do not divide 6 channels
  auto r = parse(g);
  CHECK(r.status == ZKML_ERR_NODE);
  CHECK_THAT(r.error, Catch::Contains("node 1 (Conv): 4 groups do not divide 6 input and 6 output channels"));
  g = f;
  put32(g, n1 + 64 + 20, 0xFFFFFFFFu);
  CHECK(parse(g).status == ZKML_ERR_NODE);
  g = f;
  put32(g, 4, 2);  // groups in a version-2 file: refused by name, never misread
  r = parse(g);
  CHECK(r.status == ZKML_ERR_VERSION);
  CHECK_THAT(r.error, Catch::Contains("node 1 (Conv): 6 groups need format version 3"));
  // Corruptions of a grouped model parse cleanly or are refused; none misbehaves.
  CHECK(fuzz_model(f, 79, 1000) > 0);
}

namespace {
std::vector<uint8_t> windows_model(unsigned seed = 8) {
  Graph g = windows_graph(seed);
  return quantize_model(g, calibrate(g, rand_inputs(seed, 16, 128, -1.0f, 1.0f)), {});
}
}  // namespace

TEST_CASE("dilated Conv and pools and ceil_mode pools track the float model", "[ml][quant]") {
  Graph g = windows_graph(8);
  auto ranges = calibrate(g, rand_inputs(8, 16, 128, -1.0f, 1.0f));
  auto f = quantize_model(g, ranges, {});
  CHECK(get32(f, 4) == 3u);  // dilations: version 3
  CHECK(model_info(f).ops ==
        std::vector<std::string>{"Conv", "Conv", "MaxPool", "AveragePool", "MaxPool", "Reshape", "Dense"});
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
  zkml_runner r;
  REQUIRE(zkml_prepare(&r, &m, arena.data(), uint32_t(arena.size() * 4)) == ZKML_OK);
  double worst = 0;
  for (const auto& in : rand_inputs(9, 8, 128, -1.0f, 1.0f)) {
    auto q = quantize_input(f, in);
    REQUIRE(zkml_run(&r, q.data(), uint32_t(q.size())) == ZKML_OK);
    auto fl = eval_float(g, in);
    const int graph_node[5] = {1, 2, 3, 4, 5};  // graph nodes behind file nodes 0..4 (Relu fused into node 0)
    for (uint32_t k = 0; k < 5; ++k) {
      zkml_node nd;
      zkml_tensor t;
      zkml_get_node(&m, k, &nd);
      zkml_get_tensor(&m, nd.out, &t);
      const int8_t* y = zkml_tensor_data(&r, nd.out);
      const auto& want_f = fl[g.nodes[graph_node[k]].outputs[0]];
      for (uint32_t i = 0; i < t.elems; ++i)
        worst = std::max(worst, std::fabs(y[i] - std::clamp(double(want_f[i]) / scale_of(t) + t.zero_point, -128.0, 127.0)));
    }
  }
  INFO("worst error in output steps: " << worst);
  CHECK(worst < 6);
}

TEST_CASE("parser refuses malformed dilated or ceil_mode windows naming node and reason", "[ml][parser]") {
  auto f = windows_model();
  const size_t n2 = node_off(f, 2), n3 = node_off(f, 3);  // MaxPool (dilation 2), AveragePool (ceil_mode)
  REQUIRE(get32(f, n2) == ZKML_OP_MAXPOOL);
  REQUIRE(get32(f, n2 + 64 + 24) == 2u);
  REQUIRE(get32(f, n3) == ZKML_OP_AVGPOOL);
  auto g = f;
  put32(g, 4, 2);  // dilations in a version-2 file
  auto r = parse(g);
  CHECK(r.status == ZKML_ERR_VERSION);
  CHECK_THAT(r.error, Catch::Contains("node 0 (Conv): dilations need format version 3"));
  g = f;
  put32(g, n2 + 64 + 24, 3);  // dilation 3: the 6x6 output no longer fits
  r = parse(g);
  CHECK(r.status == ZKML_ERR_NODE);
  CHECK_THAT(r.error, Catch::Contains("node 2 (MaxPool): kernel/stride/dilation/pads do not map 8x8 to 6x6"));
  g = f;
  put32(g, n2 + 64 + 24, 9);  // dilation over the 8 input rows: a window could miss every input
  CHECK(parse(g).status == ZKML_ERR_NODE);
  g = f;
  put32(g, n2 + 64 + 24, 0x7FFFFFFFu);
  CHECK(parse(g).status == ZKML_ERR_NODE);
  g = f;
  put32(g, n3 + 20 + 24, 0);  // bottom pad 0: the ceil_mode row would start in the padding -> refused
  put32(g, n3 + 20 + 16, 0);  // and top pad 0
  r = parse(g);
  CHECK(r.status == ZKML_ERR_NODE);
  CHECK_THAT(r.error, Catch::Contains("node 3 (AveragePool): kernel/stride/dilation/pads do not map 6x6 to 4x4"));
  g = f;
  const uint32_t out0 = get32(f, node_off(f, 0) + 16);
  put32(g, ZKML_HEADER_BYTES + size_t(out0) * ZKML_TENSOR_BYTES + 16, 9);  // a ceil_mode size for a Conv: never
  CHECK(parse(g).status == ZKML_ERR_NODE);
  CHECK(fuzz_model(f, 80, 1000) > 0);
}

TEST_CASE("Split's Slice nodes copy their range and keep the input's scale", "[ml][quant]") {
  Graph g = split_graph(9);
  auto f = quantize_model(g, calibrate(g, rand_inputs(9, 16, 72, -1.0f, 1.0f)), {});
  CHECK(get32(f, 4) == 2u);  // a new op code, no version change
  CHECK(model_info(f).ops ==
        std::vector<std::string>{"Conv", "Slice", "Slice", "Lut8", "Concat", "Slice", "Reshape", "Dense"});
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
  zkml_runner r;
  REQUIRE(zkml_prepare(&r, &m, arena.data(), uint32_t(arena.size() * 4)) == ZKML_OK);
  auto q = quantize_input(f, rand_inputs(3, 1, 72, -1.0f, 1.0f)[0]);
  REQUIRE(zkml_run(&r, q.data(), uint32_t(q.size())) == ZKML_OK);
  zkml_node s0, s1, s2;
  zkml_get_node(&m, 1, &s0);
  zkml_get_node(&m, 2, &s1);
  zkml_get_node(&m, 5, &s2);
  const int8_t* conv = zkml_tensor_data(&r, s0.in[0]);
  const int8_t *y0 = zkml_tensor_data(&r, s0.out), *y1 = zkml_tensor_data(&r, s1.out);
  for (int i = 0; i < 72; ++i) CHECK(y0[i] == conv[i]);        // channels 0, 1
  for (int i = 0; i < 144; ++i) CHECK(y1[i] == conv[72 + i]);  // channels 2..5
  const int8_t *cat = zkml_tensor_data(&r, s2.in[0]), *y2 = zkml_tensor_data(&r, s2.out);
  for (int row = 0; row < 36; ++row)  // 6 channels x 6 rows, columns 1..4
    for (int col = 0; col < 4; ++col) CHECK(y2[row * 4 + col] == cat[row * 6 + 1 + col]);
}

TEST_CASE("parser refuses a malformed Slice node naming node and reason", "[ml][parser]") {
  Graph g = split_graph(9);
  auto f = quantize_model(g, calibrate(g, rand_inputs(9, 16, 72, -1.0f, 1.0f)), {});
  const size_t n2 = node_off(f, 2);  // channels 2..5 of 6
  REQUIRE(get32(f, n2) == ZKML_OP_SLICE);
  auto h = f;
  put32(h, n2 + 64 + 4, 3);  // start 3: channels 3..6 of 6
  auto r = parse(h);
  CHECK(r.status == ZKML_ERR_NODE);
  CHECK_THAT(r.error, Catch::Contains("node 2 (Slice): range [3, +4) outside the 6 values of axis 1"));
  h = f;
  put32(h, n2 + 64 + 4, 0xFFFFFFFEu);  // start + length wraps in 32 bits
  CHECK(parse(h).status == ZKML_ERR_NODE);
  h = f;
  put32(h, n2 + 64, 4);  // axis 4 of rank 4
  CHECK_THAT(parse(h).error, Catch::Contains("node 2 (Slice): axis 4"));
  h = f;
  put32(h, n2 + 64, 2);  // axis 2: the channel counts differ outside it
  CHECK_THAT(parse(h).error, Catch::Contains("node 2 (Slice): dimension 1 differs (6 -> 4) outside axis 2"));
  h = f;
  const uint32_t out = get32(f, n2 + 16);
  put32(h, ZKML_HEADER_BYTES + size_t(out) * ZKML_TENSOR_BYTES + 24, 5);  // another zero point
  CHECK_THAT(parse(h).error, Catch::Contains("node 2 (Slice): output zero point"));
  CHECK(fuzz_model(f, 81, 1000) > 0);
}

namespace {
std::vector<uint8_t> transformer_model(unsigned seed = 12) {
  Graph g = transformer_graph(seed);
  return quantize_model(g, calibrate(g, rand_inputs(seed, 24, 64, 0.0f, 1.0f)), {});
}
}  // namespace

TEST_CASE("transformer ops (Dense over tokens, LayerNorm, MatMul, Transpose, Gelu) track the float model",
          "[ml][quant]") {
  Graph g = transformer_graph(12);
  // Calibrated on the test inputs: what is checked is the arithmetic, not
  // how 24 random inputs cover the ranges of others.
  auto tests = rand_inputs(13, 30, 64, 0.0f, 1.0f);
  auto ranges = calibrate(g, tests);
  auto f = quantize_model(g, ranges, {});
  CHECK(get32(f, 4) == 2u);  // new op codes, no version change
  CHECK(model_info(f).ops ==
        std::vector<std::string>{"Reshape", "Transpose", "Reshape", "Dense",   "LayerNorm", "Dense",   "Dense",
                                 "Dense",   "Reshape",   "Transpose", "Reshape", "Transpose", "Reshape", "Transpose",
                                 "MatMul",  "Softmax",   "MatMul",  "Transpose", "Reshape", "Add",     "Lut8",
                                 "Lut8",    "Slice",     "Reshape", "Dense"});
  // embed 4x16x12, q/k/v 3x4x12x12, two MatMuls 3x4x4x4 each, head 12x5
  CHECK(model_info(f).macs == 768 + 1728 + 2 * 192 + 60);
  // Every tensor of the int8 run against the float one, dequantized: the
  // exact ops (Reshape, Transpose, Slice) give the same values as their
  // input, and the int8 logits stay within a few output steps.
  zkml_model m;
  REQUIRE(zkml_parse(&m, f.data(), uint32_t(f.size())) == ZKML_OK);
  zkml_tensor out;
  zkml_get_tensor(&m, m.output, &out);
  const float so = scale_of(out);
  double worst = 0;
  int agree = 0;
  for (const auto& in : tests) {
    auto fv = eval_float(g, in)[g.output];
    Int8Result r = run_int8_host(f, in);
    REQUIRE(r.logits_or_output.size() == 5);
    for (int i = 0; i < 5; ++i)  // values outside the calibrated range saturate by design
      if (fv[i] >= ranges[g.output].min && fv[i] <= ranges[g.output].max)
        worst = std::max(worst, std::fabs(double((r.logits_or_output[i] - out.zero_point) * so - fv[i])) / so);
    agree += int(std::max_element(fv.begin(), fv.end()) - fv.begin()) == r.argmax;
  }
  INFO("worst logit error " << worst << " output steps, argmax agrees on " << agree << " of 30");
  CHECK(worst < 8);
  CHECK(agree >= 24);
  // The exact ops: Transpose (node 1) permutes its input's bytes.
  std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
  zkml_runner rr;
  REQUIRE(zkml_prepare(&rr, &m, arena.data(), uint32_t(arena.size() * 4)) == ZKML_OK);
  auto q = quantize_input(f, tests[0]);
  REQUIRE(zkml_run(&rr, q.data(), uint32_t(q.size())) == ZKML_OK);
  zkml_node t;
  zkml_get_node(&m, 1, &t);
  REQUIRE(t.op == ZKML_OP_TRANSPOSE);
  const int8_t* y = zkml_tensor_data(&rr, t.out);
  for (int p = 0; p < 4; ++p)  // patch p = (py, px), its 4x4 pixels in order
    for (int i = 0; i < 16; ++i) CHECK(y[p * 16 + i] == q[size_t(((p / 2) * 4 + i / 4) * 8 + (p % 2) * 4 + i % 4)]);
}

TEST_CASE("quantizer names the transformer ops' limits", "[ml][quant]") {
  Graph g = transformer_graph(12);
  auto ranges = calibrate(g, rand_inputs(12, 8, 64, 0.0f, 1.0f));
  Graph h = g;
  for (auto& n : h.nodes)
    if (n.name == "ln") h.tensors[n.inputs[1]].data[3] = 1e6f;  // gamma / output scale beyond 2^8
  CHECK_THROWS_WITH(quantize_model(h, ranges, {}), Catch::Contains("node 'ln' (LayerNorm): gamma[3]"));
  h = g;
  for (auto& n : h.nodes)
    if (n.name == "scores") h.tensors[n.inputs[1]].shape = {1, 1, 12, 4};  // other batch dims
  CHECK_THROWS_WITH(quantize_model(h, ranges, {}), Catch::Contains("node 'scores' (MatMul)"));
  h = g;
  for (auto& n : h.nodes)
    if (n.name == "patches_t") n.perm = {0, 2, 4, 1, 3};  // a perm of the wrong rank
  CHECK_THROWS_WITH(quantize_model(h, ranges, {}), Catch::Contains("node 'patches_t' (Transpose): perm has 5 axes"));
}

TEST_CASE("parser refuses malformed MatMul, LayerNorm, Transpose and Dense-over-tokens nodes naming node and reason",
          "[ml][parser]") {
  auto f = transformer_model();
  REQUIRE(parse(f).status == ZKML_OK);
  auto find = [&](uint32_t op) {
    for (uint32_t i = 0; i < get32(f, 16); ++i)
      if (get32(f, node_off(f, i)) == op) return i;
    FAIL("no node of op " << op);
    return 0u;
  };
  const uint32_t tr = find(ZKML_OP_TRANSPOSE), ln = find(ZKML_OP_LAYERNORM), mm = find(ZKML_OP_MATMUL),
                 de = find(ZKML_OP_DENSE);
  auto h = f;
  put32(h, node_off(f, tr) + 64 + 4 * 5, get32(f, node_off(f, tr) + 64 + 4 * 4));  // perm with a repeat
  CHECK_THAT(parse(h).error, Catch::Contains("(Transpose): perm is not a permutation of 0..3"));
  h = f;
  put32(h, node_off(f, tr) + 64 + 4 * 3, 5);  // dims hold another count
  CHECK_THAT(parse(h).error, Catch::Contains("(Transpose): dims hold"));
  h = f;
  put32(h, node_off(f, ln) + 64 + 8, 256);  // eps_q of 2^40
  CHECK_THAT(parse(h).error, Catch::Contains("(LayerNorm): epsilon term"));
  h = f;
  put32(h, node_off(f, get32(f, 16)) + get32(f, node_off(f, ln) + 64), 1u << 24);  // blob: gamma[0] = 2^24
  CHECK_THAT(parse(h).error, Catch::Contains("(LayerNorm): gamma[0] = 16777216"));
  h = f;
  put32(h, node_off(f, mm) + 64 + 4, 63);  // shift 63
  CHECK_THAT(parse(h).error, Catch::Contains("(MatMul): multiplier"));
  h = f;
  put32(h, node_off(f, mm) + 12, get32(f, node_off(f, mm) + 8));  // q x q: [4,4] x [4,4] still multiplies
  CHECK(parse(h).status == ZKML_OK);
  h = f;
  put32(h, node_off(f, mm) + 12, get32(f, node_off(f, de) + 8));  // the tokens [1,4,16] as the right side
  CHECK(parse(h).status == ZKML_ERR_NODE);
  h = f;
  put32(h, node_off(f, de) + 64 + 4 * 5, 3);  // 3 rows of 64 inputs
  CHECK_THAT(parse(h).error, Catch::Contains("(Dense): 3 rows do not divide"));
  CHECK(fuzz_model(f, 83, 1500) > 0);
}
