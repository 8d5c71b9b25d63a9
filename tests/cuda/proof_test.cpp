// Whole STARK proofs with the CUDA HAL's kernels under host emulation: the
// prover calls coset_lde, fri_fold, reduce_rows, column_sums,
// inverse_differences and batch_inverse in its real sequence and sizes, and
// the proof must equal the CPU HAL's byte for byte (and verify).
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "cuda/emulate.h"
#include "tests/cuda/statements.h"
#include "tests/stark/stark_test_support.h"

using namespace zkvm;
using namespace zkvm::cuda_test;

TEST_CASE("STARK proofs with the emulated CUDA kernels equal the CPU HAL's byte for byte") {
  const auto statements = example_statements();
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
