// The round-constant table of the sha256_compress chip (sha.h), shared by
// prover and verifier (preprocessed, so fixed by the verifying key).
#include "prover/rv32im/sha.h"

#include "prover/rv32im/alu.h"
#include "zkvm/vm/accel.h"

namespace zkvm::rv32im {

size_t sha_const_height() { return padded_height(64, 128); }

std::optional<RowMajorMatrix<Fp>> ShaConstAir::preprocessed_trace() const {
  RowMajorMatrix<Fp> m(kPreWidth, sha_const_height());
  for (uint32_t r = 0; r < 64; ++r) {
    m.at(r, kIsReal) = Fp::one();
    m.at(r, kR) = Fp::from_canonical(r);
    m.at(r, kK) = Fp::from_canonical(vm::kSha256K[r] & 0xffff);
    m.at(r, kK + 1) = Fp::from_canonical(vm::kSha256K[r] >> 16);
    m.at(r, kFirst) = Fp::from_canonical(r == 0);
    m.at(r, kLast) = Fp::from_canonical(r == 63);
  }
  return m;
}

}  // namespace zkvm::rv32im
