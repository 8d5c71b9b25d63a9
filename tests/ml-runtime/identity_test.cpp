// Bit-identity of host and guest: the same models and inputs run through the
// host interpreter and through the RV32IM guest ml_dump_guest under
// `zkvm run`; every node's output must match byte for byte. The models cover
// every op (Dense, Conv, Clamp, MaxPool, AveragePool with and without
// count_include_pad, Add and Mul with broadcast, Reshape, Softmax, ArgMax,
// Lut8 for each element-wise function, Concat with copied and requantised
// inputs, grouped and depthwise Conv, dilated Conv and pools, ceil_mode
// pools, Slice (Split), the transformer ops: MatMul of two activations,
// LayerNorm, Transpose, Gelu tables, Dense over tokens, Requant between
// per-axis and one-scale tensors),
// per-channel and per-tensor requantisation, and sizes that are not
// multiples of the 4-row weight blocks. The guest runs twice: with the dot4
// kernels (the guest default) and with the plain ones (ml_dump_guest_plain);
// each runs every input with and without the fused Conv + MaxPool kernel.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "quantize.h"
#include "test_graphs.h"
#include "zkvm/ml/model.h"

using namespace zkvm::ml;
using namespace zkvm::ml::testing;

namespace {

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
}

struct Expected {
  std::vector<uint8_t> journal;
  std::vector<std::pair<size_t, std::string>> marks;  // journal offset -> "input i node k (Op)"
};

// What ml_dump_guest commits: per input, every node's output (the run
// without the fused Conv + MaxPool kernel), then again without the outputs of
// the Convs the guest fuses with the MaxPool after them (`fuses`: the guest's
// kernel table has the fused kernel; ZKML_NODE_CONV_POOL marks the Convs).
Expected host_journal(const std::vector<uint8_t>& model, const std::vector<std::vector<int8_t>>& inputs, bool fuses) {
  zkml_model m;
  REQUIRE(zkml_parse(&m, model.data(), uint32_t(model.size())) == ZKML_OK);
  std::vector<uint32_t> arena(m.arena_bytes / 4 + 1);
  zkml_runner r;
  REQUIRE(zkml_prepare(&r, &m, arena.data(), uint32_t(arena.size() * 4)) == ZKML_OK);
  Expected e;
  for (size_t i = 0; i < inputs.size(); ++i) {
    REQUIRE(zkml_run(&r, inputs[i].data(), uint32_t(inputs[i].size())) == ZKML_OK);
    for (int pass = 0; pass < 2; ++pass)
      for (uint32_t k = 0; k < m.n_nodes; ++k) {
        zkml_node n;
        zkml_tensor t;
        zkml_get_node(&m, k, &n);
        zkml_get_tensor(&m, n.out, &t);
        if (pass == 1 && fuses && (r.node_flags[k] & ZKML_NODE_CONV_POOL)) continue;
        e.marks.emplace_back(e.journal.size(), "input " + std::to_string(i) + (pass ? " fused" : "") + " node " +
                                                   std::to_string(k) + " (" + zkml_op_name(n.op) + ")");
        if (t.dtype == ZKML_DT_INT32) {
          put_u32(e.journal, uint32_t(zkml_tensor_i32(&r, n.out)));
        } else {
          const int8_t* d = zkml_tensor_data(&r, n.out);
          for (uint32_t j = 0; j < t.elems; ++j) e.journal.push_back(uint8_t(d[j]));
        }
      }
  }
  return e;
}

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void check_identity_with(const std::string& guest_elf, const std::string& tag, const std::vector<uint8_t>& model,
                         unsigned seed, bool fuses) {
  zkml_model m;
  REQUIRE(zkml_parse(&m, model.data(), uint32_t(model.size())) == ZKML_OK);
  zkml_tensor in;
  zkml_get_tensor(&m, m.input, &in);
  std::mt19937 rng(seed);
  std::vector<std::vector<int8_t>> inputs;
  for (int i = 0; i < 4; ++i) {
    std::vector<int8_t> x(in.elems);
    for (auto& v : x) v = int8_t(std::uniform_int_distribution<int>(-128, 127)(rng));
    if (i == 1) std::fill(x.begin(), x.end(), int8_t(127));   // saturation
    if (i == 2) std::fill(x.begin(), x.end(), int8_t(-128));
    inputs.push_back(x);
  }
  std::vector<uint8_t> file;
  put_u32(file, uint32_t(model.size()));
  file.insert(file.end(), model.begin(), model.end());
  put_u32(file, uint32_t(inputs.size()));
  for (const auto& x : inputs) {
    put_u32(file, uint32_t(x.size()));
    for (int8_t v : x) file.push_back(uint8_t(v));
  }
  const std::string dir = ML_TEST_TMPDIR;
  const std::string in_path = dir + "/identity_" + tag + ".in", j_path = dir + "/identity_" + tag + ".journal";
  {
    std::ofstream out(in_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(file.data()), std::streamsize(file.size()));
  }
  std::remove(j_path.c_str());
  const std::string cmd = std::string("\"") + ZKVM_CLI + "\" run \"" + guest_elf + "\" --input \"" + in_path +
                          "\" --journal \"" + j_path + "\"";
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto guest = read_all(j_path);
  Expected host = host_journal(model, inputs, fuses);
  REQUIRE(guest.size() == host.journal.size());
  for (size_t i = 0; i < guest.size(); ++i) {
    if (guest[i] == host.journal[i]) continue;
    std::string where;
    for (const auto& [off, name] : host.marks)
      if (off <= i) where = name;
    FAIL(tag << ": guest and host differ at journal byte " << i << " in " << where << ": guest "
              << int(int8_t(guest[i])) << ", host " << int(int8_t(host.journal[i])));
  }
}

// The guest with the dot4 kernels (its default) and with the plain ones.
void check_identity(const std::string& tag, const std::vector<uint8_t>& model, unsigned seed) {
  check_identity_with(ML_DUMP_GUEST, tag, model, seed, true);
  check_identity_with(ML_DUMP_GUEST_PLAIN, tag + "_plain", model, seed, false);
}

std::vector<std::vector<float>> rand_inputs(unsigned seed, size_t n, size_t len, float lo, float hi) {
  std::mt19937 rng(seed);
  std::vector<std::vector<float>> v;
  for (size_t i = 0; i < n; ++i) v.push_back(rand_vec(rng, len, lo, hi));
  return v;
}

}  // namespace

TEST_CASE("guest and host runs agree bit for bit on every op", "[ml][identity]") {
  for (unsigned seed : {2u, 3u}) {  // even seed: AveragePool counts padding
    Graph g = all_ops_graph(seed, seed == 3);
    auto ranges = calibrate(g, rand_inputs(seed, 16, 128, -1.0f, 1.0f));
    check_identity("all_ops_" + std::to_string(seed), quantize_model(g, ranges, {true}), seed);
    check_identity("all_ops_pt_" + std::to_string(seed), quantize_model(g, ranges, {false}), seed + 10);
  }
}

TEST_CASE("guest and host runs agree bit for bit on the element-wise table ops (Lut8) and Concat", "[ml][identity]") {
  Graph g = activations_graph(4);
  auto ranges = calibrate(g, rand_inputs(4, 16, 72, -1.5f, 1.5f));
  check_identity("activations", quantize_model(g, ranges, {}), 4);
}

TEST_CASE("guest and host runs agree bit for bit on an MLP", "[ml][identity]") {
  Graph g = mlp_graph(5, 97, 33, 10);
  auto ranges = calibrate(g, rand_inputs(5, 16, 97, 0.0f, 1.0f));
  check_identity("mlp", quantize_model(g, ranges, {}), 5);
}

TEST_CASE("guest and host runs agree bit for bit on grouped and depthwise Conv", "[ml][identity]") {
  Graph g = grouped_graph(6);
  auto ranges = calibrate(g, rand_inputs(6, 16, 243, -1.0f, 1.0f));
  check_identity("grouped", quantize_model(g, ranges, {}), 6);
  check_identity("grouped_pt", quantize_model(g, ranges, {false}), 7);
}

TEST_CASE("guest and host runs agree bit for bit on dilated Conv and pools and ceil_mode pools", "[ml][identity]") {
  Graph g = windows_graph(8);
  auto ranges = calibrate(g, rand_inputs(8, 16, 128, -1.0f, 1.0f));
  check_identity("windows", quantize_model(g, ranges, {}), 8);
}

TEST_CASE("guest and host runs agree bit for bit on Split (Slice nodes)", "[ml][identity]") {
  Graph g = split_graph(9);
  auto ranges = calibrate(g, rand_inputs(9, 16, 72, -1.0f, 1.0f));
  check_identity("split", quantize_model(g, ranges, {}), 9);
}

TEST_CASE("guest and host runs agree bit for bit on the transformer ops (MatMul, LayerNorm, Transpose, Gelu, "
          "Dense over tokens)", "[ml][identity]") {
  Graph g = transformer_graph(12);
  auto ranges = calibrate(g, rand_inputs(12, 16, 64, 0.0f, 1.0f));
  check_identity("transformer", quantize_model(g, ranges, {}), 12);
}

TEST_CASE("guest and host runs agree bit for bit on per-axis Requant nodes", "[ml][identity]") {
  Graph g = per_axis_graph(13);
  check_identity("per_axis", quantize_model(g, std::vector<Range>(g.tensors.size()), {}), 13);
}
