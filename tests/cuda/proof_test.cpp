// Whole STARK proofs with the CUDA HAL's kernels under host emulation: the
// prover calls coset_lde, fri_fold, reduce_rows, column_sums,
// inverse_differences and batch_inverse in its real sequence and sizes, and
// the proof must equal the CPU HAL's byte for byte (and verify).
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "cuda/emulate.h"
#include "prover/hal/forwarding_hal.h"
#include "tests/cuda/statements.h"
#include "tests/stark/stark_test_support.h"

using namespace zkvm;
using namespace zkvm::cuda_test;
using field::Fp;
using field::Fp4;

namespace {

// Another HAL's kernels with commit_ldes and fri_commit left to the Hal
// defaults (coset_lde, then merkle_commit of the host LDEs; merkle_commit
// and fri_fold per FRI layer): the copy-per-call path that residency
// replaces. Counts the bytes of the LDEs it commits that way.
class WithoutResidency final : public hal::ForwardingHal {
 public:
  using ForwardingHal::ForwardingHal;
  bool ldes_on_device_only() const override { return false; }
  std::unique_ptr<merkle::MerkleTree> commit_ldes(std::vector<RowMajorMatrix<Fp>> traces, unsigned lb, Fp shift,
                                                  std::vector<uint8_t> salts, size_t salt_len) override {
    in_commit_ = true;
    auto t = Hal::commit_ldes(std::move(traces), lb, shift, std::move(salts), salt_len);
    in_commit_ = false;
    return t;
  }
  FriCommitted fri_commit(std::vector<std::vector<Fp4>> inputs, std::span<const std::pair<unsigned, unsigned>> plan,
                          const std::function<std::vector<Fp4>(size_t, const hash::Digest&)>& betas,
                          const std::function<Fp4(size_t)>& join) override {
    return Hal::fri_commit(std::move(inputs), plan, betas, join);
  }
  std::unique_ptr<merkle::MerkleTree> merkle_commit(std::vector<RowMajorMatrix<Fp>> mats, std::vector<uint8_t> salts,
                                                    size_t salt_len) override {
    if (in_commit_)
      for (const auto& m : mats) lde_bytes += m.values.size() * sizeof(Fp);
    return ForwardingHal::merkle_commit(std::move(mats), std::move(salts), salt_len);
  }
  uint64_t lde_bytes = 0;

 private:
  bool in_commit_ = false;
};

}  // namespace

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

TEST_CASE("the emulated CUDA HAL keeps committed LDEs on the device: a proof uploads less than them by their size") {
  // Against the same kernels without residency, which download every
  // committed LDE and upload it again to hash it, and again for the
  // quotient and the DEEP reduction: the same proof, at least the LDEs'
  // bytes fewer uploaded, and fewer downloaded once the LDEs are not tiny.
  const auto statements = example_statements(1024);
  for (const bool zk : {false, true}) {
    auto cfg = stark::StarkConfig::standard();
    cfg.pcs.zk = zk;
    for (size_t i = 0; i < statements.size(); ++i) {
      INFO("statement " << i << (zk ? ", zk" : ""));
      bool tall = true;  // zk hides tables of 2 * queries + 8 rows and more
      for (const auto& t : statements[i].traces) tall = tall && t.height >= 128;
      if (zk && !tall) continue;
      auto resident = gpu::make_emulated_hal();
      auto inner = gpu::make_emulated_hal();
      WithoutResidency copying(*inner);
      stark::VerifyingKey vk;
      const std::array<uint8_t, 32> seed{uint8_t(i), uint8_t(zk)};
      std::vector<uint8_t> a, b;
      {
        merkle::ScopedRandomSeed scoped(seed);
        a = prove_bytes(statements[i], cfg, *resident, &vk);
      }
      {
        merkle::ScopedRandomSeed scoped(seed);
        b = prove_bytes(statements[i], cfg, copying);
      }
      REQUIRE(a == b);
      REQUIRE_NOTHROW(stark::verify_bytes(vk, a, stark_test::no_floor()));
      const uint64_t up = resident->exec().uploaded(), up_copying = inner->exec().uploaded();
      const uint64_t down = resident->exec().downloaded(), down_copying = inner->exec().downloaded();
      INFO("uploaded " << up << " bytes, without residency " << up_copying << "; downloaded " << down << ", "
                       << down_copying << "; LDEs " << copying.lde_bytes);
      REQUIRE(copying.lde_bytes > 0);
      REQUIRE(resident->resident_hits() > 0);
      REQUIRE(up + copying.lde_bytes <= up_copying);
      // The LDEs and FRI's codewords stay on the device (make_emulated_hal
      // keeps no host copies): only the digests, the rows the openings read
      // and the zk mask come back. An opening reads the 4-leaf block of
      // each query (the two unstored Merkle levels), which in a tree of a
      // few hundred leaves is most of it: the 64-row statement downloads
      // about as much as without residency; from 64 kB of LDEs on, less.
      if (copying.lde_bytes >= 65536) CHECK(down < down_copying);
    }
  }
}
