// PCS verifier: mirrors PcsProver::open. OpenSSL and the standard library
// only.
//
// SOUNDNESS: the claimed values f(z) enter only through the DEEP quotients
// (f(x) - f(z)) / (x - z) at the queried x, recomputed here from Merkle-
// authenticated LDE rows; if any claimed value is wrong the quotient is not
// a polynomial of the allowed degree and FRI rejects (except with the FRI
// soundness error). The batch challenges are sampled after all values are
// observed; the zk masking codeword is a matrix of a round committed
// before them (RoundClaim::mask), so it cannot depend on them.
#include <algorithm>
#include <string>

#include "prover/fri/fold.h"
#include "prover/fri/fri_verifier.h"
#include "prover/merkle/merkle.h"
#include "prover/pcs/pcs.h"
#include "prover/pcs/pcs_common.h"

namespace zkvm::pcs {

using std::to_string;

namespace {

[[noreturn]] void reject(const std::string& m) { throw fri::VerifyError("pcs: " + m); }

// Checks an opening of one tree (matrices of these LDE heights and widths,
// tallest first) and returns nothing; throws on mismatch.
void check_tree(const std::string& where, const hash::Digest& root, const std::vector<merkle::MatrixShape>& shapes,
                size_t salt_len, const std::vector<uint64_t>& leaves, const TreeOpening& o) {
  if (o.rows.size() != leaves.size())
    reject(where + ": " + to_string(o.rows.size()) + " opened rows, expected " +
           to_string(leaves.size()));
  merkle::MerkleBatchProof mp{o.siblings};
  const auto st = merkle::merkle_verify_mixed(root, shapes, salt_len, leaves, o.rows, o.salts, mp);
  if (!st) reject(where + ": " + st.error);
}

}  // namespace

void pcs_verify(const PcsConfig& config, const std::vector<RoundClaim>& rounds,
                const PcsProof& proof, transcript::Challenger& ch) {
  try {
    config.validate();
  } catch (const std::invalid_argument& e) {
    reject(e.what());
  }
  const unsigned lb = config.fri.log_blowup;
  if (rounds.empty()) reject("no rounds to verify");
  std::vector<std::vector<MatrixDims>> round_dims;
  std::vector<std::vector<detail::TreeLayout>> layouts;
  for (size_t r = 0; r < rounds.size(); ++r) {
    const auto& rc = rounds[r];
    const std::string where = "round " + to_string(r);
    try {
      layouts.push_back(detail::tree_layout(rc.dims, config));
    } catch (const std::invalid_argument& e) {
      reject(where + ": " + e.what());
    }
    if (rc.dims.empty()) reject(where + ": no matrices");
    if (rc.commitment.roots.size() != layouts.back().size())
      reject(where + ": commitment has " + to_string(rc.commitment.roots.size()) +
             " roots, expected one (one tree per round)");
    if (rc.points.size() != rc.dims.size() || rc.values.size() != rc.dims.size())
      reject(where + ": points/values do not match the " + to_string(rc.dims.size()) + " matrices");
    if (rc.mask >= 0 && static_cast<size_t>(rc.mask) >= rc.dims.size())
      reject(where + ": mask index " + to_string(rc.mask) + " out of range");
    for (size_t i = 0; i < rc.dims.size(); ++i) {
      if (rc.mask == static_cast<int>(i)) {
        if (!rc.points[i].empty() || !rc.values[i].empty()) reject(where + ": the mask has opening points");
        continue;
      }
      if (rc.points[i].empty()) reject(where + " matrix " + to_string(i) + ": no opening point");
      if (rc.values[i].size() != rc.points[i].size())
        reject(where + " matrix " + to_string(i) + ": values for " +
               to_string(rc.values[i].size()) + " points, expected " +
               to_string(rc.points[i].size()));
      for (const auto& v : rc.values[i])
        if (v.size() != rc.dims[i].width)
          reject(where + " matrix " + to_string(i) + ": " + to_string(v.size()) +
                 " values, expected width " + to_string(rc.dims[i].width));
    }
    round_dims.push_back(rc.dims);
  }
  if (proof.openings.size() != rounds.size())
    reject("proof opens " + to_string(proof.openings.size()) + " rounds, expected " +
           to_string(rounds.size()));
  for (size_t r = 0; r < rounds.size(); ++r)
    if (proof.openings[r].size() != layouts[r].size())
      reject("round " + to_string(r) + ": proof opens " + to_string(proof.openings[r].size()) +
             " trees, expected " + to_string(layouts[r].size()));
  // zk: exactly one masking codeword, 4 columns of the largest trace
  // height, in a salted round (a public one would unmask the batch).
  size_t n_mask = 0, mask_round = 0;
  for (size_t r = 0; r < rounds.size(); ++r)
    if (rounds[r].mask >= 0) ++n_mask, mask_round = r;
  if (n_mask != (config.zk ? 1u : 0u))
    reject(to_string(n_mask) + " masking codewords, expected " + (config.zk ? "1 (zk)" : "none (no zk)"));
  if (n_mask != 0) {
    const auto& rc = rounds[mask_round];
    if (const std::string e = detail::mask_shape_error(round_dims, mask_round, static_cast<size_t>(rc.mask)); !e.empty())
      reject(e);
    if (rc.unsalted) reject("the mask is in an unsalted round");
  }

  // Same transcript order as the prover.
  for (const auto& rc : rounds)
    for (size_t i = 0; i < rc.values.size(); ++i)
      for (const auto& v : rc.values[i]) ch.observe_fp4s("pcs/opened values", v);

  const auto heights = detail::fri_input_heights(round_dims, config, config.zk);
  const unsigned log_max = heights[0];

  // Coefficients as in the prover (pcs_common.h, batch_plan):
  // coeffs[r][i][c] = column[off_m + c]; t_z[h][s] sums coeffs * claimed
  // values of every matrix of LDE height h opened at slot s.
  OpeningPoints all_points;
  for (const auto& rc : rounds) all_points.push_back(rc.points);
  detail::BatchPlan plan;
  try {
    plan = detail::batch_plan(round_dims, all_points);
  } catch (const std::invalid_argument& e) {
    reject(e.what());
  }
  if (!ch.check_pow(config.fri.challenge_pow_bits, proof.batch_nonce))
    reject("batch challenge grinding nonce " + to_string(proof.batch_nonce) + " does not have " +
           to_string(config.fri.challenge_pow_bits) + " leading zero bits");
  const auto chal = detail::sample_batch(ch, plan);
  const size_t nslots = plan.points.size();
  std::vector<std::vector<std::vector<Fp4>>> coeffs(rounds.size());
  std::vector<std::vector<Fp4>> t_z(heights.size(), std::vector<Fp4>(nslots));
  std::vector<std::vector<char>> used(heights.size(), std::vector<char>(nslots, 0));
  auto height_index = [&](unsigned lh) {
    return static_cast<size_t>(std::find(heights.begin(), heights.end(), lh) - heights.begin());
  };
  for (size_t r = 0; r < rounds.size(); ++r)
    for (size_t i = 0; i < rounds[r].dims.size(); ++i) {
      // The mask (no points) takes no coefficients (batch_plan).
      const size_t w = rounds[r].points[i].empty() ? 0 : rounds[r].dims[i].width;
      const size_t h = height_index(rounds[r].dims[i].log_height + lb);
      std::vector<Fp4> cf(chal.column.begin() + static_cast<ptrdiff_t>(plan.offsets[r][i]),
                          chal.column.begin() + static_cast<ptrdiff_t>(plan.offsets[r][i] + w));
      for (size_t p = 0; p < rounds[r].points[i].size(); ++p) {
        const size_t s = plan.slots[r][i][p];
        used[h][s] = 1;
        for (size_t c = 0; c < w; ++c) t_z[h][s] += cf[c] * rounds[r].values[i][p][c];
      }
      coeffs[r].push_back(std::move(cf));
    }
  const auto& gammas = chal.slot;

  auto opener = [&](std::span<const uint64_t> idx_span) {
    const std::vector<uint64_t> idx(idx_span.begin(), idx_span.end());
    // Authenticate every tree's rows.
    std::vector<std::vector<std::vector<uint64_t>>> leaves(rounds.size());
    for (size_t r = 0; r < rounds.size(); ++r)
      for (size_t t = 0; t < layouts[r].size(); ++t) {
        const auto& tl = layouts[r][t];
        leaves[r].push_back(detail::tree_leaves(idx, log_max, tl.log_lde_height));
        std::vector<merkle::MatrixShape> shapes;
        for (size_t j = 0; j < tl.matrices.size(); ++j)
          shapes.push_back({uint64_t{1} << tl.log_lde_heights[j], rounds[r].dims[tl.matrices[j]].width});
        check_tree("round " + to_string(r) + " tree " + to_string(t), rounds[r].commitment.roots[t], shapes,
                   config.zk && !rounds[r].unsalted ? detail::kSaltLen : 0, leaves[r][t], proof.openings[r][t]);
      }
    // Where each matrix sits in its tree: (tree, column offset).
    std::vector<std::vector<std::pair<size_t, size_t>>> where(rounds.size());
    for (size_t r = 0; r < rounds.size(); ++r) {
      where[r].resize(rounds[r].dims.size());
      for (size_t t = 0; t < layouts[r].size(); ++t) {
        size_t off = 0;
        for (size_t i : layouts[r][t].matrices) {
          where[r][i] = {t, off};
          off += rounds[r].dims[i].width;
        }
      }
    }
    std::vector<std::vector<Fp4>> out(idx.size(), std::vector<Fp4>(heights.size()));
    for (size_t q = 0; q < idx.size(); ++q) {
      std::vector<std::vector<Fp4>> t_x(heights.size(), std::vector<Fp4>(nslots));
      for (size_t r = 0; r < rounds.size(); ++r)
        for (size_t i = 0; i < rounds[r].dims.size(); ++i) {
          const auto d = rounds[r].dims[i];
          const unsigned lh = d.log_height + lb;
          const size_t h = height_index(lh);
          const auto [t, off] = where[r][i];
          const auto& lv = leaves[r][t];
          // The tree row at the query's leaf holds this matrix's row
          // idx >> (log_max - lh) (mixed tree, merkle.h).
          const uint64_t leaf = idx[q] >> (log_max - layouts[r][t].log_lde_height);
          const size_t row =
              static_cast<size_t>(std::lower_bound(lv.begin(), lv.end(), leaf) - lv.begin());
          const auto& vals = proof.openings[r][t].rows[row];
          if (rounds[r].mask == static_cast<int>(i)) {
            // The masking codeword: its value, as Fp4, joins the batch at
            // the largest height (h = 0: its LDE height is log_max).
            out[q][h] += Fp4::from_base(vals[off], vals[off + 1], vals[off + 2], vals[off + 3]);
            continue;
          }
          Fp4 rx;
          for (size_t c = 0; c < d.width; ++c) rx += coeffs[r][i][c] * vals[off + c];
          for (size_t p = 0; p < rounds[r].points[i].size(); ++p) t_x[h][plan.slots[r][i][p]] += rx;
        }
      for (size_t h = 0; h < heights.size(); ++h) {
        const Fp x = detail::lde_point(heights[h], idx[q] >> (log_max - heights[h]));
        for (size_t s = 0; s < nslots; ++s) {
          if (!used[h][s]) continue;
          const Fp4 den = Fp4(x) - plan.points[s];
          if (den.is_zero()) reject("opening point " + to_string(s) + " lies in the LDE domain");
          out[q][h] += gammas[s] * ((t_x[h][s] - t_z[h][s]) * den.inverse());
        }
      }
    }
    return out;
  };

  fri::fri_verify(config.fri, heights, proof.fri, ch, opener);
}

namespace {

void write_tree(transcript::ByteWriter& w, const TreeOpening& t) {
  w.count(t.rows.size());
  for (const auto& row : t.rows) w.fps(row);
  w.count(t.salts.size());
  for (const auto& s : t.salts) w.bytes(s);
  w.count(t.siblings.size());
  for (const auto& d : t.siblings) w.bytes32(d.bytes);
}

TreeOpening read_tree(transcript::ByteReader& r, size_t max_rows, size_t width, size_t salt_len,
                      unsigned lh) {
  TreeOpening t;
  const size_t n = r.count(max_rows, "opened row");
  t.rows.resize(n);
  for (auto& row : t.rows) row = r.fps(width);
  const size_t ns = r.count(salt_len == 0 ? 0 : n, "salt");
  if (salt_len != 0 && ns != n) r.fail("salt count " + to_string(ns) + " but " + to_string(n) + " rows");
  t.salts.resize(ns);
  for (auto& s : t.salts) {
    auto b = r.bytes(salt_len);
    s.assign(b.begin(), b.end());
  }
  const size_t nsib = r.count(n * lh, "Merkle sibling");
  t.siblings.resize(nsib);
  for (auto& d : t.siblings) d.bytes = r.bytes32();
  return t;
}

}  // namespace

void write_pcs_proof(transcript::ByteWriter& w, const PcsProof& p) {
  w.u64(p.batch_nonce);
  fri::write_fri_proof(w, p.fri);
  w.count(p.openings.size());
  for (const auto& round : p.openings) {
    w.count(round.size());
    for (const auto& t : round) write_tree(w, t);
  }
}

PcsProof read_pcs_proof(transcript::ByteReader& r, const PcsConfig& config,
                        const std::vector<std::vector<MatrixDims>>& round_dims,
                        const std::vector<bool>& unsalted_rounds) {
  auto scope = r.scope("pcs");
  std::vector<std::vector<detail::TreeLayout>> layouts;
  try {
    config.validate();
    if (round_dims.empty()) throw std::invalid_argument("no rounds");
    if (!unsalted_rounds.empty() && unsalted_rounds.size() != round_dims.size())
      throw std::invalid_argument(to_string(unsalted_rounds.size()) + " salt flags for " +
                                  to_string(round_dims.size()) + " rounds");
    for (const auto& d : round_dims) layouts.push_back(detail::tree_layout(d, config));
  } catch (const std::invalid_argument& e) {
    r.fail(e.what());
  }
  const auto heights = detail::fri_input_heights(round_dims, config, config.zk);
  const size_t salt_len = config.zk ? detail::kSaltLen : 0;
  PcsProof p;
  p.batch_nonce = r.u64();
  p.fri = fri::read_fri_proof(r, config.fri, heights);
  r.expect_count(round_dims.size(), "opened round");
  p.openings.resize(round_dims.size());
  for (size_t i = 0; i < round_dims.size(); ++i) {
    auto rs = r.scope("round " + to_string(i));
    r.expect_count(layouts[i].size(), "tree");
    for (size_t t = 0; t < layouts[i].size(); ++t) {
      auto ts = r.scope("tree " + to_string(t));
      const bool unsalted = !unsalted_rounds.empty() && unsalted_rounds[i];
      p.openings[i].push_back(read_tree(r, config.fri.num_queries, layouts[i][t].width,
                                        unsalted ? 0 : salt_len * layouts[i][t].groups(), layouts[i][t].log_lde_height));
    }
  }
  return p;
}

}  // namespace zkvm::pcs
