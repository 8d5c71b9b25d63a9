// Whole STARK proofs with the CUDA HAL's kernels under host emulation: the
// prover calls coset_lde, fri_fold, reduce_rows, column_sums,
// inverse_differences and batch_inverse in its real sequence and sizes, and
// the proof must equal the CPU HAL's byte for byte (and verify).
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "cuda/emulate.h"
#include "prover/air/examples.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"
#include "tests/stark/stark_test_support.h"

using namespace zkvm;
using namespace zkvm::air;
using namespace zkvm::air::examples;

namespace {

struct Statement {
  std::vector<const Air*> airs;
  std::vector<RowMajorMatrix<Fp>> traces;
  std::vector<std::vector<Fp>> publics;
  std::vector<TableWitness> witnesses() const {
    std::vector<TableWitness> w;
    for (size_t i = 0; i < airs.size(); ++i) w.push_back({airs[i], &traces[i], publics[i]});
    return w;
  }
};

std::vector<uint8_t> prove_bytes(const Statement& s, const stark::StarkConfig& cfg, hal::Hal& hal,
                                 stark::VerifyingKey* vk_out = nullptr) {
  const auto pk = stark::setup(1000, s.airs, cfg, hal);
  const auto w = s.witnesses();
  const auto bytes = stark::serialize_proof(stark::prove(pk, w, hal));
  if (vk_out) *vk_out = pk.vk;
  return bytes;
}

}  // namespace

TEST_CASE("STARK proofs with the emulated CUDA kernels equal the CPU HAL's byte for byte") {
  static const FibonacciAir fib;
  static const SyntheticAir syn(8);
  static const ByteValuesAir values;
  static const ByteTableAir table;
  std::vector<Statement> statements;
  {
    Statement s;
    s.airs = {&fib};
    s.traces.push_back(fibonacci_trace(64, Fp::from_u64(1), Fp::from_u64(1)));
    const auto& t = s.traces[0];
    s.publics.push_back({t.at(0, 0), t.at(0, 1), t.at(t.height - 1, 1)});
    statements.push_back(std::move(s));
  }
  {
    Statement s;
    s.airs = {&syn};
    s.traces.push_back(synthetic_trace(8, 256, 7));
    s.publics.push_back({s.traces[0].at(0, 0)});
    statements.push_back(std::move(s));
  }
  {
    // Two tables of different heights (16 and the 256-row byte table).
    Statement s;
    s.airs = {&values, &table};
    s.traces.push_back(byte_values_trace({0, 1, 7, 255, 128, 7, 7, 42}, 16));
    s.traces.push_back(byte_table_trace(s.traces[0]));
    s.publics = {{}, {}};
    statements.push_back(std::move(s));
  }
  auto emu = gpu::make_emulated_hal();
  for (size_t i = 0; i < statements.size(); ++i) {
    INFO("statement " << i);
    const auto cfg = stark::StarkConfig::standard();
    stark::VerifyingKey vk;
    const auto a = prove_bytes(statements[i], cfg, stark_test::cpu());
    const auto b = prove_bytes(statements[i], cfg, *emu, &vk);
    REQUIRE(a == b);
    REQUIRE_NOTHROW(stark::verify_bytes(vk, b, stark_test::no_floor()));
  }
  REQUIRE(emu->exec().launches() > 0);
}
