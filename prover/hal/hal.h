// Hardware abstraction layer: the one interface for the prover's heavy
// kernels (as risc0's hal.h). CpuHal implements it with prover/ntt and
// prover/merkle (OpenMP); a CUDA backend implements the same interface, and
// a dual backend can run two and compare. The constraint/quotient kernel is
// added by the STARK layer in prover/hal/quotient.h; a backend that runs it
// itself does so from a recorded program (quotient_rows below).
//
// Every kernel here is deterministic: two correct backends give identical
// outputs bit for bit, which is what a dual backend checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/hal/quotient_program.h"
#include "prover/matrix/matrix.h"
#include "prover/merkle/merkle.h"

namespace zkvm::hal {

using field::Fp;
using field::Fp4;

class Hal {
 public:
  virtual ~Hal() = default;
  virtual std::string_view name() const = 0;

  // Columns given by their evaluations on H (|H| = height, natural order)
  // -> evaluations on shift * H', |H'| = height << log_blowup, rows in
  // bit-reversed order.
  virtual RowMajorMatrix<Fp> coset_lde(const RowMajorMatrix<Fp>& evals_on_h, unsigned log_blowup,
                                       Fp shift) = 0;

  // Merkle tree over the rows of the matrices (moved in, kept by the tree
  // for openings): one height, or a mixed-height tree, tallest first
  // (prover/merkle/merkle.h); optionally salted (salt_len bytes per row of
  // every height group).
  virtual std::unique_ptr<merkle::MerkleTree> merkle_commit(std::vector<RowMajorMatrix<Fp>> mats,
                                                            std::vector<uint8_t> salts,
                                                            size_t salt_len) = 0;

  // One PCS round's tree: the coset LDE of each matrix (as coset_lde),
  // committed in one tree (as merkle_commit; each trace-domain matrix is
  // freed once its LDE exists). The default calls those two; a device
  // backend overrides it to hash the LDEs where it computed them and to keep
  // them there for the later stages that read them (quotient_rows,
  // column_sums, reduce_rows given one of the tree's matrices), for as long
  // as the tree lives (docs/CUDA.md "Residency").
  virtual std::unique_ptr<merkle::MerkleTree> commit_ldes(std::vector<RowMajorMatrix<Fp>> traces,
                                                          unsigned log_blowup, Fp shift,
                                                          std::vector<uint8_t> salts, size_t salt_len);

  // True when commit_ldes keeps the LDEs on the device only: the tree's
  // host matrices hold no rows (MerkleTree's shapes constructor), the
  // kernels above read the device copies, and resident_rows supplies the
  // rows an opening reads. A prover then keeps whole LDEs (lean LDEs save
  // host memory that is not used).
  virtual bool ldes_on_device_only() const { return false; }
  // Rows of m (row index -> its values) when m is a matrix of a live
  // commit_ldes tree whose rows this backend holds; nullopt otherwise.
  virtual std::optional<std::vector<std::pair<uint64_t, std::vector<Fp>>>> resident_rows(
      const RowMajorMatrix<Fp>& m, std::span<const uint64_t> rows) {
    (void)m;
    (void)rows;
    return std::nullopt;
  }

  // FRI's commit phase (prover/fri/fri_prover.cpp). Layer l of plan
  // (log_n, log_arity) commits the codeword (bit-reversed, 2^log_n values)
  // with each arity-2^log_arity coset as one leaf of 4 * 2^log_arity base
  // values (one Merkle tree, unsalted), then folds it by the challenges
  // `betas(l, root)` returns (the caller's transcript draws them after the
  // root), then, when the next input is 2^(log_n - log_arity) long, adds
  // `join(l)` times it. inputs: FRI's inputs, longest first, the first as
  // long as layer 0's codeword. Returns the layer trees and the codeword
  // after the last layer. The default runs merkle_commit and fri_fold per
  // layer; a device backend keeps the codewords there (docs/CUDA.md).
  struct FriCommitted {
    std::vector<std::unique_ptr<merkle::MerkleTree>> trees;
    std::vector<Fp4> last;
  };
  virtual FriCommitted fri_commit(std::vector<std::vector<Fp4>> inputs,
                                  std::span<const std::pair<unsigned, unsigned>> plan,
                                  const std::function<std::vector<Fp4>(size_t, const hash::Digest&)>& betas,
                                  const std::function<Fp4(size_t)>& join);

  // FRI fold by arity 2^k, k = betas.size(): codeword on H_n in bit-reversed
  // order (n = log2 size) -> codeword on H_{n-k} (bit-reversed), k arity-2
  // steps, step s with challenge betas[s]: f = sum_t X^t f_t(X^(2^k)) ->
  // sum_t (prod_{s : bit s of t} betas[s]) f_t. See prover/fri/fold.h.
  virtual std::vector<Fp4> fri_fold(std::span<const Fp4> codeword, std::span<const Fp4> betas) = 0;

  // Row reduction for DEEP quotients: out[r] = sum_c coeffs[c] * m(r, c) for
  // the first out.size() <= m.height rows (coeffs.size() == m.width).
  virtual void reduce_rows(const RowMajorMatrix<Fp>& m, std::span<const Fp4> coeffs,
                           std::span<Fp4> out) = 0;

  // Weighted column sums (barycentric evaluation): out[c] = sum_{r < rows}
  // weights[r] * m(r, c) (weights.size() == rows <= m.height, out.size() ==
  // m.width).
  virtual void column_sums(const RowMajorMatrix<Fp>& m, size_t rows, std::span<const Fp4> weights,
                           std::span<Fp4> out) = 0;

  // DEEP denominators: out[i] = scale / (xs[i] - z) for base-field points
  // xs and an extension point z. Throws std::invalid_argument if some
  // xs[i] == z (z in the base field and in the domain).
  virtual void inverse_differences(std::span<const Fp> xs, const Fp4& z, const Fp4& scale,
                                   std::span<Fp4> out) = 0;

  // Batch inversion in Fp4 (out may alias in). Throws on a zero input.
  virtual void batch_inverse(std::span<const Fp4> in, std::span<Fp4> out) = 0;

  // The quotient over one table's coset from a recorded program
  // (quotient_program.h; hal::make_hal_quotient_kernel records it): out[k]
  // for coset row in.rows[k] (all rows in order when in.rows is empty).
  // Backends that do not run it say so with runs_quotient() == false (the
  // default), and the prover uses the CPU quotient kernel.
  virtual bool runs_quotient() const { return false; }
  virtual void quotient_rows(const QuotientProgram& p, const QuotientRowInputs& in, std::span<Fp4> out);
};

// Before opening `leaves` of tree (open_batch), hands it the rows of its
// matrix m that it does not hold, from the backend (Hal::resident_rows).
// Returns false when m holds every row (nothing to do) or the backend does
// not have them (the caller recomputes them).
bool restore_from_backend(Hal& hal, merkle::MerkleTree& tree, size_t m, std::span<const uint64_t> leaves);

// The CPU backend (OpenMP-parallel where the underlying modules are).
std::unique_ptr<Hal> make_cpu_hal();

// Runs every kernel on both backends, returns a's results, and throws
// std::runtime_error naming the kernel and the first differing row/column
// (or Merkle leaf) when they disagree. a's trees must hold their rows (b
// reads them): throws std::invalid_argument if a->ldes_on_device_only().
std::unique_ptr<Hal> make_dual_hal(std::unique_ptr<Hal> a, std::unique_ptr<Hal> b);

}  // namespace zkvm::hal
