// The CUDA backend of the prover HAL (built only when nvcc is found; see
// cuda/CMakeLists.txt and docs/CUDA.md). Device kernels: coset_lde,
// merkle_commit (SHA-256 leaves and levels of mixed-height trees),
// commit_ldes (a PCS round whose LDEs stay on the device with the tree; the
// host tree holds no rows, resident_rows gathers the opened ones), the
// quotient (a recorded program per table, interpreted per coset row),
// fri_fold, reduce_rows, column_sums, inverse_differences, batch_inverse.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "prover/hal/hal.h"
#include "prover/hash/hash.h"

namespace zkvm::hal {

// CUDA devices visible to this process; 0 when there is no device or no
// driver (never throws).
int cuda_device_count();

// The CUDA HAL on the current device. Throws std::runtime_error
// "cuda hal: no CUDA device (...)" when cuda_device_count() is 0.
std::unique_ptr<Hal> make_cuda_hal();

// Every level of the Merkle tree of merkle::MerkleTree(mats, salts,
// salt_len) (one height or mixed, tallest first), hashed on the device
// (levels[0] = leaves, back() = {root}).
// Throws as make_cuda_hal when there is no device.
std::vector<std::vector<hash::Digest>> cuda_merkle_levels(const std::vector<RowMajorMatrix<Fp>>& mats,
                                                          std::span<const uint8_t> salts,
                                                          size_t salt_len);

}  // namespace zkvm::hal
