// The CUDA HAL itself (needs nvcc to build). Without a GPU, as in CI, only
// the "no CUDA device" report is checked; on a GPU every device kernel runs
// through the dual backend (cpu, cuda), which throws on the first
// difference, at sizes off the block size and large ones.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "cuda/cuda_hal.h"
#include "prover/hal/hal.h"
#include "prover/merkle/merkle.h"
#include "tests/cuda/random.h"
#include "tests/cuda/statements.h"
#include "tests/stark/stark_test_support.h"

using namespace zkvm;
using field::Fp;
using field::Fp4;

namespace {
using cuda_test::Rng;
}  // namespace

TEST_CASE("make_cuda_hal says 'no CUDA device' exactly when there is none") {
  if (hal::cuda_device_count() == 0) {
    REQUIRE_THROWS_WITH(hal::make_cuda_hal(), Catch::Contains("cuda hal: no CUDA device"));
  } else {
    REQUIRE(hal::make_cuda_hal()->name() == "cuda");
  }
}

TEST_CASE("on a GPU the device Merkle levels equal MerkleTree's root and leaves") {
  if (hal::cuda_device_count() == 0) {
    REQUIRE_THROWS_WITH(hal::cuda_merkle_levels({RowMajorMatrix<Fp>(1, 1)}, {}, 0),
                        Catch::Contains("cuda hal: no CUDA device"));
    return;
  }
  Rng rng(2);
  for (size_t salt_len : {0, 16}) {
    std::vector<RowMajorMatrix<Fp>> mats;
    for (size_t w : {3, 64}) {
      RowMajorMatrix<Fp> m(w, size_t{1} << 16);
      for (auto& v : m.values) v = rng.fp();
      mats.push_back(std::move(m));
    }
    // A mixed tree: a third matrix of a quarter height joins at level 2.
    RowMajorMatrix<Fp> q(5, size_t{1} << 14);
    for (auto& v : q.values) v = rng.fp();
    mats.push_back(std::move(q));
    std::vector<uint8_t> salts(((size_t{1} << 16) + (size_t{1} << 14)) * salt_len);
    for (auto& b : salts) b = static_cast<uint8_t>(rng.g());
    const auto levels = hal::cuda_merkle_levels(mats, salts, salt_len);
    const merkle::MerkleTree tree(mats, salts, salt_len);
    REQUIRE(levels.back()[0] == tree.root());
    for (uint64_t i = 0; i < tree.height(); i += 997) REQUIRE(levels[0][i] == tree.leaf_digest(i));
  }
}

TEST_CASE("on a GPU the CUDA HAL equals the CPU HAL bit for bit (dual backend)") {
  if (hal::cuda_device_count() == 0) {
    WARN("no CUDA device: the device comparison did not run");
    return;
  }
  auto dual = hal::make_dual_hal(hal::make_cpu_hal(), hal::make_cuda_hal());
  Rng rng(1);
  for (size_t log_n : {0, 1, 5, 10, 16, 20})
    for (size_t w : {1, 7, 64}) {
      if (log_n + (w > 8 ? 6 : 0) > 20) continue;
      INFO("2^" << log_n << " x " << w);
      RowMajorMatrix<Fp> m(w, size_t{1} << log_n);
      for (auto& v : m.values) v = rng.fp();
      const auto lde = dual->coset_lde(m, 2, field::kMultiplicativeGenerator);
      std::vector<Fp4> coeffs(w), rr(lde.height), ws(lde.height - lde.height / 3), cs(w);
      for (auto& c : coeffs) c = rng.fp4();
      for (auto& x : ws) x = rng.fp4();
      dual->reduce_rows(lde, coeffs, rr);
      dual->column_sums(lde, ws.size(), ws, cs);
      std::vector<Fp> xs(lde.height - 1);
      for (auto& x : xs) x = rng.fp();
      std::vector<Fp4> den(xs.size());
      dual->inverse_differences(xs, rng.fp4(), rng.fp4(), den);
      dual->batch_inverse(den, den);
      if (rr.size() >= 8) (void)dual->fri_fold(rr, std::vector<Fp4>{rng.fp4(), rng.fp4(), rng.fp4()});
    }
  auto cuda = hal::make_cuda_hal();
  std::vector<Fp4> in(1000), out(1000);
  for (auto& v : in) v = rng.fp4();
  in[777] = Fp4();
  REQUIRE_THROWS_WITH(cuda->batch_inverse(in, out), Catch::Contains("zero element (index 777)"));
}

TEST_CASE("on a GPU STARK proofs with the CUDA HAL equal the CPU HAL's byte for byte") {
  if (hal::cuda_device_count() == 0) {
    WARN("no CUDA device: the device proofs did not run");
    return;
  }
  const auto statements = cuda_test::example_statements(size_t{1} << 14);
  auto cuda = hal::make_cuda_hal();
  auto dual = hal::make_dual_hal(hal::make_cpu_hal(), hal::make_cuda_hal());
  for (size_t i = 0; i < statements.size(); ++i) {
    INFO("statement " << i);
    const auto cfg = stark::StarkConfig::standard();
    stark::VerifyingKey vk;
    const auto a = cuda_test::prove_bytes(statements[i], cfg, stark_test::cpu());
    const auto b = cuda_test::prove_bytes(statements[i], cfg, *cuda, &vk);
    REQUIRE(a == b);
    REQUIRE(cuda_test::prove_bytes(statements[i], cfg, *dual) == a);  // names a difference
    REQUIRE_NOTHROW(stark::verify_bytes(vk, b, stark_test::no_floor()));
  }
}
