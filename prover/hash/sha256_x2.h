// Prover-side fast path for the Merkle hashes of hash.h: the SHA-256
// compression function with SHA-NI intrinsics, two independent chains
// interleaved (one chain is latency-bound on sha256rnds2; two fill the
// pipeline). Not used by the verifier, which stays on OpenSSL
// (sha256.cpp); tests check the two agree bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "prover/hash/hash.h"

namespace zkvm::hash::x2 {

// True when this build has the SHA-NI kernels and the CPU supports them.
bool available();

// out_a = chain of f from iv over nblocks 64-byte blocks of a, out_b the
// same over b (digests as big-endian state words, as hash.h). Requires
// available().
void compress_chains(const MerkleIv& iv, const uint8_t* a, const uint8_t* b, size_t nblocks,
                     Digest& out_a, Digest& out_b);

}  // namespace zkvm::hash::x2
