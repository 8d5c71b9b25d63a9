// Small statements of the example AIRs for whole-proof tests of the CUDA
// HAL (emulated in proof_test.cpp, on a GPU in device_test.cpp): each
// proved with a given HAL must give the CPU HAL's proof bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "prover/air/examples.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"

namespace zkvm::cuda_test {

struct Statement {
  std::vector<const air::Air*> airs;
  std::vector<RowMajorMatrix<field::Fp>> traces;
  std::vector<std::vector<field::Fp>> publics;
  std::vector<air::TableWitness> witnesses() const {
    std::vector<air::TableWitness> w;
    for (size_t i = 0; i < airs.size(); ++i) w.push_back({airs[i], &traces[i], publics[i]});
    return w;
  }
};

inline std::vector<uint8_t> prove_bytes(const Statement& s, const stark::StarkConfig& cfg,
                                        hal::Hal& hal, stark::VerifyingKey* vk_out = nullptr) {
  const auto pk = stark::setup(1000, s.airs, cfg, hal);
  const auto w = s.witnesses();
  const auto bytes = stark::serialize_proof(stark::prove(pk, w, hal));
  if (vk_out) *vk_out = pk.vk;
  return bytes;
}

// Fibonacci (64 rows), the synthetic degree-3 AIR (8 x height), and the
// two-table LogUp byte range check (16 rows and the 256-row table).
inline std::vector<Statement> example_statements(size_t synthetic_height = 256) {
  using namespace air::examples;
  static const FibonacciAir fib;
  static const SyntheticAir syn(8);
  static const ByteValuesAir values;
  static const ByteTableAir table;
  std::vector<Statement> out;
  {
    Statement s;
    s.airs = {&fib};
    s.traces.push_back(fibonacci_trace(64, field::Fp::from_u64(1), field::Fp::from_u64(1)));
    const auto& t = s.traces[0];
    s.publics.push_back({t.at(0, 0), t.at(0, 1), t.at(t.height - 1, 1)});
    out.push_back(std::move(s));
  }
  {
    Statement s;
    s.airs = {&syn};
    s.traces.push_back(synthetic_trace(8, synthetic_height, 7));
    s.publics.push_back({s.traces[0].at(0, 0)});
    out.push_back(std::move(s));
  }
  {
    Statement s;
    s.airs = {&values, &table};
    s.traces.push_back(byte_values_trace({0, 1, 7, 255, 128, 7, 7, 42}, 16));
    s.traces.push_back(byte_table_trace(s.traces[0]));
    s.publics = {{}, {}};
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace zkvm::cuda_test
