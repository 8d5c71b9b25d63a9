// Layout rules shared by the PCS prover and verifier (standard library
// only): which matrices share a Merkle tree, the FRI input heights, and the
// LDE domain points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "prover/pcs/pcs.h"

namespace zkvm::pcs::detail {

// Salt bytes per leaf when zk (128 bits of entropy per leaf).
inline constexpr size_t kSaltLen = 16;

// The Merkle tree of a round: one mixed-height tree (prover/merkle) over
// all the round's matrices, tallest LDE first (ties in matrix order), of
// log height log_lde_height (the tallest LDE). A tree row concatenates the
// matrices' rows in that order, and its salt is kSaltLen bytes per distinct
// height (zk).
struct TreeLayout {
  unsigned log_lde_height;
  std::vector<size_t> matrices;         // round matrix indices, tree order
  std::vector<unsigned> log_lde_heights;  // per matrix, tree order
  size_t width;                         // sum of the matrices' widths
  // Distinct heights (the tree's groups), and the rows they hold together:
  // one salt per row of every group (merkle.h).
  size_t groups() const;
  uint64_t salt_rows() const;
};

// One tree per round (a vector for the wire format's tree count). Throws
// std::invalid_argument naming the bad matrix (zero width, height out of
// range for the config).
std::vector<TreeLayout> tree_layout(const std::vector<MatrixDims>& dims, const PcsConfig& config);

// Distinct LDE log heights over all rounds, descending (the FRI inputs).
std::vector<unsigned> fri_input_heights(const std::vector<std::vector<MatrixDims>>& round_dims,
                                        const PcsConfig& config, bool include_mask_height);

// LDE point at bit-reversed position pos of a domain of log size lh:
// s * g_lh^rev_lh(pos).
Fp lde_point(unsigned log_lde_height, uint64_t pos);

// Leaf indices a tree of log height lh opens for the FRI query indices
// (domain log size log_max): distinct, increasing.
std::vector<uint64_t> tree_leaves(const std::vector<uint64_t>& query_indices, unsigned log_max,
                                  unsigned lh);

// zk: the shape the masking codeword at (round, matrix) of round_dims must
// have, kMaskWidth columns of the largest trace height of the other
// matrices; "" if it has it, else what is wrong. The prover's open() and
// pcs_verify both check it.
std::string mask_shape_error(const std::vector<std::vector<MatrixDims>>& round_dims, size_t round, size_t matrix);

// Coefficients of the DEEP batch. Column c of matrix m (global order over
// rounds, then matrices) opened at the point in slot s gets
// column[off_m + c] * slot[s] (a matrix without points, the zk mask, takes
// no column coefficients), both vectors of independent uniform Fp4
// challenges (off_m = width of the matrices before m; slot = index among the
// distinct points in order of first appearance). Independent coefficients
// (rather than powers of one alpha) keep the batching error at |D|/|F| per
// combination step instead of growing with the number of columns
// (docs/SECURITY.md); the product form lets the prover sum every matrix's
// row reduction per point before a single division by (x - z).
struct BatchPlan {
  std::vector<Fp4> points;                              // by slot
  std::vector<std::vector<size_t>> offsets;             // [round][matrix]
  std::vector<std::vector<std::vector<size_t>>> slots;  // [round][matrix][point]
  size_t total_width = 0;
};
// Throws std::invalid_argument if a matrix lists the same point twice.
BatchPlan batch_plan(const std::vector<std::vector<MatrixDims>>& dims, const OpeningPoints& points);

struct BatchChallenges {
  std::vector<Fp4> column;  // total_width entries
  std::vector<Fp4> slot;    // one per distinct point, all non-zero
};
// Samples the challenges in a fixed order (columns, then slots). A zero slot
// coefficient (probability ~2^-124) is resampled so gamma^-1 exists.
BatchChallenges sample_batch(transcript::Challenger& ch, const BatchPlan& plan);

}  // namespace zkvm::pcs::detail
