// Multi-table STARK: keys, proof object and its wire format (shared by the
// prover and the verifier; verifier side: OpenSSL + std only).
//
// Protocol (transcript order, docs/STARK.md "Protocol"):
//   observe  vk (program id, config, preprocessed commitment), table log
//            heights, public values
//   commit   main traces of all tables (round "main")
//   sample   LogUp alpha, beta (Fp4)             [if any table has a bus]
//   commit   aux traces (round "aux"); observe per-table LogUp cumsums
//   sample   constraint-combination alpha (Fp4)
//   commit   quotient chunks of all tables (round "quotient")
//   sample   zeta (Fp4); open pre/main/aux at zeta and g_t*zeta, quotient
//            at zeta; PCS proof (FRI)
// Verifier checks, per table t:  sum_i alpha^i C_i(zeta)
//   == Z_H(zeta) * sum_c zeta^(c n_t) q_c(zeta), and sum_t cumsum_t == 0.
// Zero knowledge (config.pcs.zk, in the vk): main/aux columns are
// committed randomised at 2n rows, quotient chunks randomised (still
// recombining to Q); the preprocessed round is public and committed the same
// way in every mode (n rows, unsalted leaves), so its root depends only on
// the columns and log_blowup; the checks are the same (docs/STARK.md "Zero
// knowledge").
//
// Absent tables (Air::may_be_absent): log height 0 in the proof. Such a
// table has no matrix in any round, no opened values, no quotient and no
// LogUp sum; the verifier skips its V3 and counts nothing for it in V4
// (docs/STARK.md "Absent tables").
//
// Wire format (version 2), little-endian, see docs/STARK.md "Proof format":
//   "ZKSP" u16 version | u32 num_tables | u8 log_height[t] |
//   publics[t] | commitments main, [aux], quotient (u32 count + roots) |
//   [cumsum per bus table (Fp4)] | opened values (shape from vk) | PCS proof
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "prover/air/air.h"
#include "prover/pcs/pcs.h"

namespace zkvm::stark {

using field::Fp;
using field::Fp4;

inline constexpr uint32_t kProofMagic = 0x50534b5a;  // "ZKSP"
inline constexpr uint32_t kVkMagic = 0x4b564b5a;     // "ZKVK"
// 2: a log height of 0 marks an absent table. 3: FRI folds with one
// challenge per arity-2 step and joins shorter inputs with a fresh one
// (same bytes, different transcript: a version 2 proof cannot verify).
// 4: a grinding nonce before every algebraic challenge (docs/SECURITY.md
// "Challenge grinding"); the vk carries challenge_pow_bits.
// 5: zk: FRI's masking codeword is the main round's last matrix (no tree
// of its own, committed before the LogUp challenges).
// 6: zk: a table with a spare random row carries its LogUp sum mask in its
// first random row (LogupMask::kRandomRow) instead of 4 mask columns.
inline constexpr uint16_t kProofVersion = 6;
// Largest trace a proof may claim (bounds allocations from untrusted data).
inline constexpr unsigned kMaxLogHeight = 24;

struct StarkConfig {
  pcs::PcsConfig pcs;
  // Rate 1/4, 42 queries, 16 PoW bits, fold arity 8, 8 bits of challenge
  // grinding: >= 100 conjectured bits under the strict count (every term,
  // security_bits) for every trace up to kMaxLogHeight rows, with or
  // without zk (tables with random rows count at their own height). Equals
  // for_height(20).
  static StarkConfig standard();
  // Parameters that reach >= 100 conjectured bits under the strict count for
  // every trace of at most 2^log_n rows (constraint degree <= 3; zk counts
  // its 2n-row commitments): rate 1/4 with 42 queries while the algebraic
  // terms allow it, rate 1/2 with 84 queries above; the largest fold arity
  // (<= 8) whose fold term stays >= 100 (8 at every height since the fold
  // draws one challenge per arity-2 step); 16 PoW bits and 8 bits of
  // challenge grinding. The number of queries sets only the
  // height-independent query term: what limits the height is the LDE size
  // (field, batching, fold and DEEP terms, each lifted by the grinding;
  // docs/SECURITY.md). With the grinding rate 1/4 reaches kMaxLogHeight,
  // zk or not; throws std::invalid_argument beyond.
  static StarkConfig for_height(unsigned log_n, bool zk = false);
  // Query phase only: num_queries * log_blowup + pow_bits (ethSTARK
  // conjecture). The C API's key-time floor; verify() counts every term at
  // the proof's heights (security_bits).
  unsigned conjectured_bits() const {
    return pcs.fri.num_queries * pcs.fri.log_blowup + pcs.fri.pow_bits;
  }
  // Smallest trace log height a proof may claim (FRI's final polynomial).
  unsigned min_log_height() const { return pcs.fri.log_final_poly_len > 1 ? pcs.fri.log_final_poly_len : 1; }
  // Tallest trace: kMaxLogHeight, and the LDE must fit the field's 2^27
  // two-adic subgroup. With zk every committed trace is randomised to
  // 2n rows (docs/STARK.md "Zero knowledge"), which costs one bit.
  unsigned max_log_height() const {
    const unsigned zk = pcs.zk ? 1 : 0;
    const unsigned lim = pcs.fri.log_blowup + zk >= 27 ? 0 : 27 - pcs.fri.log_blowup - zk;
    return lim < kMaxLogHeight ? lim : kMaxLogHeight;
  }
};

// A verification failure that names the check ("table 'fibonacci':
// constraints do not match the quotient at zeta"). Malformed bytes raise
// transcript::ProofFormatError instead.
class VerifyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The proof's parameters at its own heights fall below the verifier's
// security floor (VerifyOptions::min_security_bits).
class InsecureError : public VerifyError {
 public:
  using VerifyError::VerifyError;
};

// What the verifier trusts: the tables (AIRs, in order), the configuration
// and the commitment to all preprocessed columns.
struct VerifyingKey {
  uint32_t program_id = 0;
  StarkConfig config;
  std::vector<const air::Air*> airs;
  std::vector<air::AirShape> shapes;             // analyse(airs[t])
  std::vector<unsigned> pre_log_heights;         // per table; 0 when no preprocessed columns
  pcs::Commitment pre_commitment;                // empty when no table has any
  bool has_pre() const;
  bool has_bus() const;
};

// Fills shapes and checks the AIRs against the config (quotient chunks
// within the blowup, heights in range, at least one table that may not be
// absent, Air::may_be_absent's conditions). Throws std::invalid_argument.
void prepare_vk(VerifyingKey& vk);

// Table t is part of a proof of these heights (0: absent).
inline bool present(std::span<const unsigned> log_heights, size_t t) { return log_heights[t] != 0; }
// Position of present table t's matrix in the main and quotient rounds
// (the present tables before it).
inline size_t matrix_index(std::span<const unsigned> log_heights, size_t t) {
  size_t i = 0;
  for (size_t u = 0; u < t; ++u) i += present(log_heights, u);
  return i;
}

// zk: each randomised column is f + Z_H r with r uniform of degree <
// zk_mask_degree (docs/STARK.md "Zero knowledge"): enough coefficients for
// what the verifier sees of one column (num_queries rows and their next
// rows on the LDE, zeta and g*zeta in Fp4 = 8 base functionals). Tables
// need at least that many rows (zk_min_rows).
size_t zk_mask_degree(const StarkConfig& config);
size_t zk_min_rows(const StarkConfig& config);
// Random rows of table t (docs/STARK.md "Zero knowledge: random rows"):
// m = zk_mask_degree(config) when zk is on and the AIR leaves at least that
// many padding rows (Air::zk_free_rows), m + 1 when the table also has a
// bus and a free row to spare (the first random row then carries its LogUp
// sum mask: logup_mask_kind); 0 otherwise (no zk, or the 2n scheme).
// With r > 0 the table is committed at its own height n; its constraints
// and LogUp sum cover rows 0 .. n - 1 - r (the last of them is the "last
// row"), and the quotient is C * V_R / Z_H with V_R(X) = prod_(j=1..r)
// (X - g^-j), which vanishes on the random rows.
size_t zk_random_rows(const VerifyingKey& vk, size_t t);
// Where table t's LogUp sum mask rho_t (zk, a table with a bus; docs/STARK.md
// "LogUp sums under zero knowledge") is committed, in the main round before
// the LogUp challenges:
// - kRandomRow (proof format 6; zk_random_rows = m + 1): the table's first
//   random row, committed main columns 0..3 (those of an AIR narrower than
//   4 are padded with mask columns that are 0 on every constrained row).
//   The last-row constraint reads it as the next row: cumsum = s + rho_t.
// - kColumns (tables without a spare random row): 4 mask columns holding
//   rho_t in row 0 and 0 below, added to the running sum on every row.
enum class LogupMask { kNone, kRandomRow, kColumns };
LogupMask logup_mask_kind(const VerifyingKey& vk, size_t t);
// Sets the LogUp mask fields (logup_mask, logup_mask_row, logup_mask_col)
// of a constraint evaluator's inputs (hal::QuotientInputs, the verifier's
// air::PointBuilder) for table t.
template <class T>
void set_logup_mask(T& in, const VerifyingKey& vk, size_t t) {
  const LogupMask kind = logup_mask_kind(vk, t);
  in.logup_mask = kind == LogupMask::kColumns;
  in.logup_mask_row = kind == LogupMask::kRandomRow;
  in.logup_mask_col = vk.airs[t]->width();
}
// Columns table t commits in the main round: the AIR's, plus its mask
// columns (kColumns: 4; kRandomRow: 4 - width for an AIR narrower than 4).
size_t logup_mask_width(const VerifyingKey& vk, size_t t);
size_t committed_main_width(const VerifyingKey& vk, size_t t);

// How table t's quotient is computed and committed at height 2^log_n: on
// the coset of n * 2^log_domain points (the first rows of the LDEs), split
// into `chunks` chunk polynomials (4 base columns each). Plain: 2^log_domain
// chunks, log_domain = shapes[t].log_quotient_chunks. zk: columns have
// degree < n + m (m = min(zk_mask_degree, n)), so a degree-D constraint
// gives Q of degree <= (D - 1) n + D (m - 1): chunks = that / n + 1
// (not a power of two), log_domain = ceil(log2(chunks)).
// Random rows (r = zk_random_rows > 0): Q = C V_R / Z_H has degree <=
// (D - 1) n + r - D; chunks of `stride` = n - r coefficients, each
// randomised with r more (degree < n, committed at n rows), recombined as
// sum_c X^(c stride) q_c.
struct QuotientLayout {
  unsigned log_domain;
  size_t chunks;
  uint64_t stride = 0;  // X^stride between chunks: n, or n - r with random rows
  uint64_t max_degree = 0;  // bound on deg Q (random rows; else 0, unused)
};
QuotientLayout quotient_layout(const VerifyingKey& vk, size_t table, unsigned log_n);

struct StarkProof {
  std::vector<unsigned> log_heights;       // per table
  std::vector<std::vector<Fp>> publics;    // per table
  pcs::Commitment main, aux, quotient;     // aux empty when no bus
  // Challenge grinding nonces (docs/SECURITY.md "Challenge grinding"):
  // before the LogUp challenges (a segmented statement's own, the same in
  // every segment's proof; 0 and not serialized without a bus), the
  // constraint alpha and zeta.
  uint64_t logup_nonce = 0, alpha_nonce = 0, zeta_nonce = 0;
  std::vector<Fp4> cumsums;                // per table with interactions, in table order
  pcs::OpenedValues opened;                // [round][matrix][point][column]
  pcs::PcsProof pcs;
};

// Round shapes implied by vk and the claimed heights (used by the parser,
// prover and verifier alike). Order: [pre], main, [aux], quotient; absent
// tables have no matrix in main, aux and quotient. With zk the randomised
// matrices of tables without random rows (main, aux, quotient chunks) are
// committed at twice their trace height, and the main round ends with
// FRI's masking codeword (pcs::random_mask, 4 columns of the largest trace
// height, no opening points); the preprocessed round is committed at its
// trace height, unsalted (pcs::PcsProver::commit_public), in every mode.
std::vector<std::vector<pcs::MatrixDims>> round_dims(const VerifyingKey& vk,
                                                     std::span<const unsigned> log_heights);
// Index of the main round in round_dims (after the preprocessed one).
inline size_t main_round(const VerifyingKey& vk) { return vk.has_pre() ? 1 : 0; }
// Opening points of matrix i of round `round` of dims = round_dims(...):
// 1 in the quotient round (zeta), 0 for the zk mask, else 2 (zeta, zeta g).
size_t points_of_matrix(const VerifyingKey& vk, size_t round, size_t i,
                        const std::vector<std::vector<pcs::MatrixDims>>& dims);
// Per round of round_dims: true for the preprocessed round (no salts).
std::vector<bool> unsalted_rounds(const VerifyingKey& vk);

// Strict conjectured security of a proof of these heights under vk: the
// minimum of every term of fri::estimate_security (query, field, hash,
// fold, batching, DEEP) at the tallest committed LDE, the DEEP term sized by
// the degree of the constraint identity V3 (docs/SECURITY.md "The verifier's
// floor"). `weakest` receives the name of the smallest term. Heights must
// be in range (check_shape).
double security_bits(const VerifyingKey& vk, std::span<const unsigned> log_heights, std::string* weakest = nullptr);

// LogUp soundness (docs/SECURITY.md "Challenge grinding"): if the sends and
// receives of the buses differ as multisets over a statement, the cleared
// LogUp sum is a non-zero polynomial in (alpha, beta) whose degree is at
// most the sum over its fractions of (tuple length + 1), so the challenges
// pass with at most that probability over |Fp4|. logup_degree bounds it
// for one proof (rows x interactions x (longest tuple + 1) per present
// table, plus (tuple length + 1) per public bus term of its tables' public
// values; add it up over segments, with the statement's own public terms);
// logup_pow_bits is the grinding
// before the LogUp challenges that lifts log2|Fp4| - log2(degree) to
// kLogupTargetBits, and at least the vk's challenge_pow_bits (what every
// algebraic challenge gets). Prover and verifier both compute it from the
// observed heights.
inline constexpr unsigned kLogupTargetBits = 100;
double logup_degree(const VerifyingKey& vk, std::span<const unsigned> log_heights,
                    const std::vector<std::vector<Fp>>& publics);
double logup_degree(std::span<const air::PublicInteraction> terms);
unsigned logup_pow_bits(const VerifyingKey& vk, double degree);

std::vector<uint8_t> serialize_proof(const StarkProof& p);

// Where a serialized proof's bytes go (sums to serialize_proof(p).size()):
// for benchmarks and docs/BENCHMARKS.md "Receipt size".
struct ProofSizes {
  size_t header = 0;          // magic, heights, public values, commitments, LogUp sums
  size_t ood_values = 0;      // values opened at zeta (and g zeta)
  size_t fri_commit = 0;      // FRI layer roots, final polynomial, PoW nonce, counts
  size_t fri_values = 0;      // FRI layer cosets opened at the queries
  size_t fri_siblings = 0;    // FRI layers' Merkle siblings
  size_t query_rows = 0;      // committed rows opened at the queries (all rounds)
  size_t query_salts = 0;     // their salts (zk)
  size_t query_siblings = 0;  // their Merkle siblings
  size_t trees = 0;           // Merkle trees opened (one per round)
  std::vector<size_t> round_rows;  // query_rows by round ([pre], main, [aux], quotient)
  size_t total() const {
    return header + ood_values + fri_commit + fri_values + fri_siblings + query_rows + query_salts +
           query_siblings;
  }
};
ProofSizes proof_sizes(const StarkProof& p);
// Throws transcript::ProofFormatError naming the malformed part.
StarkProof parse_proof(std::span<const uint8_t> bytes, const VerifyingKey& vk);

// VK wire format: "ZKVK" u16 version | u32 program id | fri params (5 x u32)
// | u8 zk | u32 num_tables | u8 pre_log_height[t] | pre commitment.
std::vector<uint8_t> serialize_vk(const VerifyingKey& vk);
// Parses the trusted parts; the caller supplies the AIRs for program_id
// (read_vk_program_id) and then calls parse_vk with them.
uint32_t read_vk_program_id(std::span<const uint8_t> bytes);
VerifyingKey parse_vk(std::span<const uint8_t> bytes, std::vector<const air::Air*> airs);

// 1, a, a^2, ..., a^(n-1).
std::vector<Fp4> powers(const Fp4& a, size_t n);

// LogUp fingerprint of a bus tuple: bus + sum_j beta^(j+1) t_j, with
// beta_pows = powers(beta, >= tuple.size() + 1) (air/builders.h, where the
// prover's fraction builder uses it too; the evaluation builders apply the
// same formula symbolically). One tuple length per bus makes it injective up
// to the Schwartz-Zippel error.
using air::logup_fingerprint;

// Transcript domain separator.
inline constexpr const char* kTranscriptDomain = "zkvm-stark-v1";
inline constexpr const char* kSegmentsTranscriptDomain = "zkvm-stark-segments-v1";

}  // namespace zkvm::stark
