// Per-thread bodies of the Merkle commitment (format v2 of
// prover/hash/hash.h): leaf i = the SHA-256 compression chained from
// IV_leaf over LE32(canonical) of row i of every matrix in order, then the
// leaf's salt, zero-padded to whole 64-byte blocks (at least one); node =
// one compression from IV_node of left || right. Digests are kept as the
// eight state words (the digest bytes are those words big-endian).
#pragma once

#include <cstdint>

#include "cuda/kernels/launch.h"
#include "cuda/kernels/sha256.h"
#include "prover/field/babybear.h"

namespace zkvm::gpu {

using field::Fp;

// One committed matrix as the leaf kernel reads it.
struct MatView {
  const Fp* data;
  uint64_t width;
};

ZKVM_HD inline uint32_t bswap32(uint32_t x) {
  return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
}

// Thread i hashes leaf i (salts: salt_len bytes per leaf, or none).
struct MerkleLeaves {
  ZKVM_HD static void run(uint64_t i, const MatView* mats, uint32_t nmats, const uint8_t* salts,
                          uint64_t salt_len, Sha256State iv, Sha256State* leaves) {
    Sha256State st = iv;
    uint32_t blk[16];
    unsigned fill = 0;  // bytes in blk
    uint64_t total = 0;
    for (uint32_t m = 0; m < nmats; ++m) {
      const Fp* row = mats[m].data + elem_index(i, mats[m].width, 0);
      for (uint64_t c = 0; c < mats[m].width; ++c) {
        // Elements come first, so they stay word-aligned: LE bytes of the
        // canonical value are the big-endian message word bswap32(value).
        blk[fill / 4] = bswap32(row[c].canonical());
        fill += 4;
        total += 4;
        if (fill == 64) {
          sha256_compress(st, blk);
          fill = 0;
        }
      }
    }
    for (uint64_t s = 0; s < salt_len; ++s) {
      const uint32_t byte = salts[elem_index(i, salt_len, s)];
      if (fill % 4 == 0) blk[fill / 4] = 0;
      blk[fill / 4] |= byte << (24 - 8 * (fill % 4));
      ++fill;
      ++total;
      if (fill == 64) {
        sha256_compress(st, blk);
        fill = 0;
      }
    }
    if (fill != 0 || total == 0) {
      for (unsigned w = (fill + 3) / 4; w < 16; ++w) blk[w] = 0;
      sha256_compress(st, blk);
    }
    leaves[i] = st;
  }
};

// parent[i] = f(IV_node, child[2i] || child[2i+1]).
struct MerkleNodes {
  ZKVM_HD static void run(uint64_t i, const Sha256State* child, Sha256State* parent,
                          Sha256State iv) {
    uint32_t blk[16];
    for (int k = 0; k < 8; ++k) {
      blk[k] = child[2 * i].h[k];
      blk[8 + k] = child[2 * i + 1].h[k];
    }
    Sha256State st = iv;
    sha256_compress(st, blk);
    parent[i] = st;
  }
};

// Mixed-height trees: node[i] = f(IV_node, node[i] || rows[i]), rows the
// leaf hashes of the group that joins at this level (MerkleTree::inject).
// Each thread reads and writes only its own node.
struct MerkleAbsorb {
  ZKVM_HD static void run(uint64_t i, Sha256State* node, const Sha256State* rows, Sha256State iv) {
    uint32_t blk[16];
    for (int k = 0; k < 8; ++k) {
      blk[k] = node[i].h[k];
      blk[8 + k] = rows[i].h[k];
    }
    Sha256State st = iv;
    sha256_compress(st, blk);
    node[i] = st;
  }
};

}  // namespace zkvm::gpu
