// The generated guest source compiles in the phase weights of every Conv
// that the dot4 kernels fuse with a 2x2 MaxPool (kernels.h
// zkml_conv_phase_pack, docs/ML_RUNTIME.md "Kernels"), registers them with
// the Conv's weights inside the model bytes, and leaves them out of plain
// builds and of other Convs.
#include <catch2/catch.hpp>

#include <cctype>
#include <random>
#include <string>

#include "quantize.h"
#include "test_graphs.h"
#include "zkvm/ml/model.h"

using namespace zkvm::ml;
using namespace zkvm::ml::testing;

namespace {

// x [1,2,12,12] -> Conv 2->5, 5x5 (stride s) -> Relu -> MaxPool 2x2 / 2 ->
// Reshape -> Dense 3.
Graph cnn_graph(unsigned seed, int stride) {
  std::mt19937 rng(seed);
  Graph g;
  g.input = add_tensor(g, "x", {1, 2, 12, 12});
  const int64_t o = stride == 1 ? 8 : 4, p = o / 2;
  int w1 = add_tensor(g, "w1", {5, 2, 5, 5}, rand_vec(rng, 250, -0.3f, 0.3f));
  int b1 = add_tensor(g, "b1", {5}, rand_vec(rng, 5, -0.1f, 0.1f));
  int t = node(g, OpKind::Conv, {g.input, w1, b1}, {1, 5, o, o}, "conv");
  g.nodes.back().kernel = {5, 5};
  g.nodes.back().strides = {stride, stride};
  g.nodes.back().pads = {0, 0, 0, 0};
  t = node(g, OpKind::Relu, {t}, {1, 5, o, o}, "relu");
  t = node(g, OpKind::MaxPool, {t}, {1, 5, p, p}, "pool");
  g.nodes.back().kernel = {2, 2};
  g.nodes.back().strides = {2, 2};
  g.nodes.back().pads = {0, 0, 0, 0};
  t = node(g, OpKind::Reshape, {t}, {1, 5 * p * p}, "flatten");
  int w2 = add_tensor(g, "w2", {3, 5 * p * p}, rand_vec(rng, size_t(15 * p * p), -0.3f, 0.3f));
  g.output = node(g, OpKind::Dense, {t, w2}, {1, 3}, "fc");
  return g;
}

std::vector<uint8_t> quantized(const Graph& g) {
  std::mt19937 rng(5);
  std::vector<std::vector<float>> calib;
  for (int i = 0; i < 8; ++i) calib.push_back(rand_vec(rng, 288, -1.0f, 1.0f));
  return quantize_model(g, calibrate(g, calib), {});
}

// The numbers of the initializer after `name[`.
std::vector<uint8_t> array_bytes(const std::string& src, const std::string& name) {
  size_t open = src.find('{', src.find(name + "["));
  size_t close = src.find("};", open);
  std::vector<uint8_t> back;
  for (size_t i = open + 1; i < close;) {
    if (!std::isdigit(static_cast<unsigned char>(src[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < close && std::isdigit(static_cast<unsigned char>(src[j]))) ++j;
    back.push_back(static_cast<uint8_t>(std::stoi(src.substr(i, j - i))));
    i = j;
  }
  return back;
}

}  // namespace

TEST_CASE("generated guest source compiles in and registers the phase weights of a Conv + 2x2 MaxPool",
          "[ml][guestgen]") {
  auto model = quantized(cnn_graph(3, 1));
  std::string src = generate_guest_source(model, {});
  zkml_model m;
  REQUIRE(zkml_parse(&m, model.data(), uint32_t(model.size())) == ZKML_OK);
  zkml_conv_shape s;
  zkml_pool_shape p;
  const uint8_t* w = nullptr;
  uint32_t k = 0;
  while (k < m.n_nodes && !zkml_conv_node(&m, k, &s, &w, &p)) ++k;
  REQUIRE(k < m.n_nodes);
  CHECK(p.kh == 2);
  REQUIRE(zkml_conv_phase_k(&s) == 5 * 2 * 8);
  std::vector<uint8_t> want(zkml_conv_phase_bytes(&s));
  zkml_conv_phase_pack(&s, w, want.data());
  const std::string name = "zkml_model_bytes_phase" + std::to_string(k);
  CHECK_THAT(src, Catch::Contains(name + "[" + std::to_string(want.size()) + "]"));
  CHECK(array_bytes(src, name) == want);
  CHECK_THAT(src, Catch::Contains("zkml_register_phase_weights(zkml_model_bytes + " +
                                  std::to_string(w - model.data()) + ", " + name + ", sizeof " + name + ")"));
  // Plain builds leave them out.
  CHECK_THAT(src, Catch::Contains("#if !(defined(ZKML_PLAIN_KERNELS) && ZKML_PLAIN_KERNELS)"));
}

TEST_CASE("generated guest source has no phase weights for a strided Conv or a private model", "[ml][guestgen]") {
  auto strided = quantized(cnn_graph(4, 2));
  CHECK_THAT(generate_guest_source(strided, {}), !Catch::Contains("_phase"));
  auto model = quantized(cnn_graph(3, 1));
  GuestSourceOptions o;
  o.private_model = true;
  CHECK_THAT(generate_guest_source(model, o), !Catch::Contains("_phase"));
}
