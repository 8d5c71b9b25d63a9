// Two-adic FRI polynomial commitment scheme (as Plonky3's TwoAdicFriPcs).
//
// What a caller (the STARK) does, in transcript order:
//   1. prover.commit(round of matrices) -> ProverRound; observe
//      round.commitment (observe_commitment) into the challenger.
//      Verifier: observe the same commitment (parsed from the proof).
//   2. sample challenges, commit further rounds (aux, quotient chunks).
//   3. sample the opening point(s) zeta (Fp4, outside H and the LDE coset).
//   4. prover.open(rounds, points, challenger) -> {values, proof}.
//      The PCS observes every opened value itself, then samples the batch
//      challenges, runs FRI and opens the committed rows at the FRI query
//      indices.
//      Verifier: pcs_verify(config, claims, proof, challenger) with the
//      same rounds/points and the claimed values; it observes the values in
//      the same order and throws fri::VerifyError on any mismatch.
//
// Matrices: each matrix of a round holds the evaluations of `width` column
// polynomials on the trace domain H = <g_k> of size 2^k, natural order
// (row i = values at g_k^i). Heights may differ within a round.
// Commitment: the LDE of each matrix on the coset s*H', s = 31 (the
// multiplicative generator), |H'| = 2^(k + log_blowup), rows in bit-reversed
// order. All matrices of a round share one mixed-height Merkle tree
// (prover/merkle/merkle.h: the tallest LDEs' rows are the leaves, shorter
// ones join at the level of their height; salted when zk unless the round
// holds public data, commit_public): a round's commitment is one root, and a
// query opens one path per round.
//
// Opening: for each matrix a list of points z (Fp4) at which all its columns
// are opened. values[round][matrix][point][column] = f_column(z).
// Soundness: the verifier checks f(z) through the DEEP quotients
// (f(X) - f(z)) / (X - z), combined with random coefficients and tested for low
// degree by one FRI instance per proof (inputs grouped by LDE height).
// Points must not lie in the LDE coset (the STARK samples them from Fp4,
// where this fails with probability < 2^-100).
//
// Zero knowledge (config.zk): leaves are salted (hiding commitments; not
// those of commit_public rounds, whose data is public), and the caller
// commits a masking codeword (random_mask: 4 uniformly random columns of
// the largest trace height, mask_log_height) as one matrix of a salted
// round before the batch challenges, and names it to open() and
// pcs_verify (MaskRef, RoundClaim::mask). It has no opening points; its
// LDE, read as Fp4, is added to the FRI batch, so the batch polynomial and
// every FRI layer the verifier sees are uniformly random. The caller must
// additionally randomise the committed polynomials themselves; the STARK
// does both (docs/STARK.md, "Zero knowledge"; it commits the mask with its
// main trace, where the wide rows absorb it in their leaf blocks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "prover/field/babybear.h"
#include "prover/fri/fri.h"
#include "prover/hash/hash.h"
#include "prover/matrix/matrix.h"
#include "prover/transcript/challenger.h"
#include "prover/transcript/serialize.h"

namespace zkvm::hal {
class Hal;
}

namespace zkvm::pcs {

using field::Fp;
using field::Fp4;

struct PcsConfig {
  fri::FriParams fri;
  bool zk = false;
  void validate() const { fri.validate(); }
};

// LDE coset shift s (the multiplicative generator 31).
inline constexpr Fp kCosetShift = field::kMultiplicativeGenerator;

// Shape of one committed matrix as the verifier knows it.
struct MatrixDims {
  unsigned log_height;  // trace domain height 2^log_height (before blowup)
  size_t width;
};

// One root per round (a vector for the wire format).
struct Commitment {
  std::vector<hash::Digest> roots;
};

void observe_commitment(transcript::Challenger& ch, std::string_view label, const Commitment& c);

// Prover-side data of one committed round (LDEs and Merkle trees).
class ProverRound {
 public:
  virtual ~ProverRound() = default;
  virtual const Commitment& commitment() const = 0;
  virtual size_t num_matrices() const = 0;
  virtual MatrixDims dims(size_t matrix) const = 0;
  // LDE of matrix i: height 2^(log_height + log_blowup), rows in
  // bit-reversed order over s*H'. Its first 2^(log_height + d) rows are the
  // evaluations on the coset s*H_{2^(log_height+d)} (bit-reversed) for any
  // d <= log_blowup, which is what the quotient computation needs.
  // After keep_lde_rows(matrix, k) only its first k rows are resident.
  virtual const RowMajorMatrix<Fp>& lde(size_t matrix) const = 0;
  // Memory: frees matrix i's LDE rows from `rows` on (rows >= 2^log_height,
  // the coset s H_n, which the opened values and the DEEP reduction read;
  // more rows stay if the caller still reads them, as the quotient does).
  // open() recomputes the dropped rows its queries need from the first
  // 2^log_height (one LDE of the matrix, column block by column block), so
  // the proof is the same. Throws std::invalid_argument for fewer rows.
  virtual void keep_lde_rows(size_t matrix, size_t rows) = 0;
};

// Query openings of one Merkle tree at all FRI query indices: one row per
// distinct leaf index (increasing), each row the concatenation of the
// tree's matrices' rows (and the salts when zk, one per distinct height),
// plus deduplicated siblings.
struct TreeOpening {
  std::vector<std::vector<Fp>> rows;
  std::vector<std::vector<uint8_t>> salts;  // empty unless zk
  std::vector<hash::Digest> siblings;
};

struct PcsProof {
  // Challenge grinding (fri.challenge_pow_bits) before the batch
  // coefficients are drawn.
  uint64_t batch_nonce = 0;
  fri::FriProof fri;
  std::vector<std::vector<TreeOpening>> openings;  // [round][tree]
};

// The zk masking codeword's place: matrix `matrix` of round `round`.
struct MaskRef {
  size_t round = 0;
  size_t matrix = 0;
};

// values[round][matrix][point][column]
using OpenedValues = std::vector<std::vector<std::vector<std::vector<Fp4>>>>;
// points[round][matrix][point]
using OpeningPoints = std::vector<std::vector<std::vector<Fp4>>>;

class PcsProver {
 public:
  PcsProver(PcsConfig config, hal::Hal& hal);

  // Commits matrices given as evaluations on their trace domains (heights
  // powers of two, >= 2^fri.log_final_poly_len). Throws
  // std::invalid_argument naming the bad matrix.
  std::shared_ptr<ProverRound> commit(std::vector<RowMajorMatrix<Fp>> matrices);
  // Same, for public data (preprocessed columns): leaves are never salted,
  // so the commitment is a function of the matrices and fri.log_blowup
  // alone, equal with and without zk, and can be pinned. The verifier's
  // RoundClaim::unsalted and read_pcs_proof's unsalted_rounds must say so.
  std::shared_ptr<ProverRound> commit_public(std::vector<RowMajorMatrix<Fp>> matrices);

  struct Opening {
    OpenedValues values;
    PcsProof proof;
  };
  // rounds[r] with points[r][matrix]; observes values, runs FRI. zk: mask
  // names the masking codeword (its point list empty; its LDE whole, not
  // cut by keep_lde_rows); without zk there is none.
  Opening open(const std::vector<const ProverRound*>& rounds, const OpeningPoints& points,
               transcript::Challenger& ch, std::optional<MaskRef> mask = std::nullopt);

  const PcsConfig& config() const { return config_; }

  // Soundness-test hooks modelling a cheating prover: alter the opened
  // values after computing them (everything after follows the altered
  // values) and let FRI truncate instead of refusing a high-degree batch.
  struct CheatForTesting {
    std::function<void(OpenedValues&)> tamper_values;
  };
  void set_cheat_for_testing(CheatForTesting c) { cheat_ = std::move(c); }

 private:
  std::shared_ptr<ProverRound> commit_impl(std::vector<RowMajorMatrix<Fp>> matrices, bool salted);

  PcsConfig config_;
  hal::Hal& hal_;
  CheatForTesting cheat_;
};

// zk randomness (prover side): count uniform Fp values from OpenSSL's
// CSPRNG, by rejection sampling of 31-bit words (exactly uniform; accepts
// 15/16 of the words). Used for the masking codeword and by the STARK's
// trace and quotient randomisation.
std::vector<Fp> random_fps(size_t count);

// zk: the masking codeword, 4 uniform columns of 2^log_height rows, and
// its height: the largest trace height of the statement's other matrices
// (round_dims without the mask).
RowMajorMatrix<Fp> random_mask(unsigned log_height);
unsigned mask_log_height(const std::vector<std::vector<MatrixDims>>& round_dims);
inline constexpr size_t kMaskWidth = 4;

// What the verifier knows about one round.
struct RoundClaim {
  Commitment commitment;
  std::vector<MatrixDims> dims;
  std::vector<std::vector<Fp4>> points;               // [matrix][point]
  std::vector<std::vector<std::vector<Fp4>>> values;  // [matrix][point][column]
  // Committed with commit_public: openings carry no salts, whatever zk.
  bool unsalted = false;
  // zk: the index in dims of the masking codeword (points and values empty
  // for it), in exactly one round; -1: none here.
  int mask = -1;
};

// Throws fri::VerifyError (with context) if the proof does not convince.
void pcs_verify(const PcsConfig& config, const std::vector<RoundClaim>& rounds,
                const PcsProof& proof, transcript::Challenger& ch);

// Serialization. The reader is shape-driven: counts are checked against
// what config and the round shapes allow before allocating.
// unsalted_rounds[r] (empty: none) marks rounds committed with
// commit_public, whose openings carry no salts under zk.
void write_pcs_proof(transcript::ByteWriter& w, const PcsProof& p);
PcsProof read_pcs_proof(transcript::ByteReader& r, const PcsConfig& config,
                        const std::vector<std::vector<MatrixDims>>& round_dims,
                        const std::vector<bool>& unsalted_rounds = {});

}  // namespace zkvm::pcs
