// PCS prover: LDE + Merkle commitment of rounds, and openings with DEEP
// quotients batched into one FRI proof. pcs_verifier.cpp mirrors open().
#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>

#include "prover/fri/fold.h"
#include "prover/fri/fri_prover.h"
#include "prover/hal/hal.h"
#include "prover/merkle/merkle.h"
#include "prover/ntt/ntt.h"
#include "prover/pcs/pcs.h"
#include "prover/pcs/pcs_common.h"

namespace zkvm::pcs {

using std::to_string;

namespace {

class RoundImpl final : public ProverRound {
 public:
  Commitment commitment_;
  std::vector<MatrixDims> dims_;
  std::vector<detail::TreeLayout> layout_;
  std::vector<std::unique_ptr<merkle::MerkleTree>> trees_;
  std::vector<std::pair<size_t, size_t>> where_;  // matrix -> (tree, slot in tree)

  const Commitment& commitment() const override { return commitment_; }
  size_t num_matrices() const override { return dims_.size(); }
  MatrixDims dims(size_t i) const override { return dims_.at(i); }
  const RowMajorMatrix<Fp>& lde(size_t i) const override {
    const auto [t, j] = where_.at(i);
    return trees_[t]->matrices()[j];
  }
  void keep_lde_rows(size_t i, size_t rows) override {
    const auto [t, j] = where_.at(i);
    if (rows < (size_t{1} << dims_[i].log_height))
      throw std::invalid_argument("pcs: keep_lde_rows: " + to_string(rows) + " rows of matrix " + to_string(i) +
                                  ", less than its height " + to_string(size_t{1} << dims_[i].log_height));
    trees_[t]->drop_rows(j, rows);
  }
};

// Rows `rows` (sorted, none resident) of an LDE of N = 2^(log_n + lb)
// rows of which the first R >= n = 2^log_n are resident in `head`. The
// first n are f on s H_n (bit-reversed), so g(X) = f(s X) has the values
// head[rev(q)] on H_n. With B = n 2^r the largest such block <= R, rows
// [j B, (j + 1) B) of the LDE are f on s w_N^rev(j) H_B (bit-reversed,
// rev over lb - r bits): coset_lde(g, r, w_N^rev(j)) recomputes exactly
// the committed rows, for each block holding a requested row. Column
// blocks bound the temporary LDE to about 128 MiB.
std::vector<std::pair<uint64_t, std::vector<Fp>>> recompute_lde_rows(hal::Hal& hal, const RowMajorMatrix<Fp>& head,
                                                                    unsigned log_n, unsigned lb,
                                                                    std::span<const uint64_t> rows) {
  const size_t n = size_t{1} << log_n, w = head.width;
  unsigned r = 0;
  while (r < lb && (n << (r + 1)) <= head.height) ++r;
  const size_t bsize = n << r;
  const Fp wn = field::two_adic_generator(log_n + lb);
  std::vector<std::pair<uint64_t, std::vector<Fp>>> out;
  for (const uint64_t x : rows) out.emplace_back(x, std::vector<Fp>(w));
  if (rows.empty() || w == 0) return out;
  const size_t cols = std::clamp<size_t>((size_t{1} << 25) / bsize, 1, w);
  for (size_t c0 = 0; c0 < w; c0 += cols) {
    const size_t cw = std::min(cols, w - c0);
    RowMajorMatrix<Fp> g(cw, n);
    const int64_t ni = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static)
    for (int64_t q = 0; q < ni; ++q) {
      const auto src = head.row(fri::reverse_bits(static_cast<uint64_t>(q), log_n));
      std::copy_n(src.begin() + static_cast<ptrdiff_t>(c0), cw, g.row(static_cast<size_t>(q)).begin());
    }
    for (size_t k = 0; k < out.size();) {
      const uint64_t j = out[k].first / bsize;
      const auto blk = hal.coset_lde(g, r, wn.pow(fri::reverse_bits(j, lb - r)));
      for (; k < out.size() && out[k].first / bsize == j; ++k)
        std::copy_n(blk.row(out[k].first - j * bsize).begin(), cw, out[k].second.begin() + static_cast<ptrdiff_t>(c0));
    }
  }
  return out;
}

// Bit-reversed LDE domain points s * g^rev(i) for a log size.
std::vector<Fp> lde_points(unsigned lh) {
  const size_t n = size_t{1} << lh;
  const Fp g = field::two_adic_generator(lh);
  std::vector<Fp> nat(n);
  constexpr size_t kChunk = size_t{1} << 14;  // each chunk from its own power of g
  const int64_t chunks = static_cast<int64_t>((n + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t k = 0; k < chunks; ++k) {
    const size_t lo = static_cast<size_t>(k) * kChunk, hi = std::min(n, lo + kChunk);
    Fp x = kCosetShift * g.pow(lo);
    for (size_t i = lo; i < hi; ++i, x *= g) nat[i] = x;
  }
  std::vector<Fp> out(n);
  const int64_t ni = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < ni; ++i)
    out[static_cast<size_t>(i)] = nat[fri::reverse_bits(static_cast<uint64_t>(i), lh)];
  return out;
}

using PointKey = std::pair<unsigned, std::array<uint32_t, 4>>;
PointKey key(unsigned lh, const Fp4& z) {
  return {lh, {z.c[0].monty(), z.c[1].monty(), z.c[2].monty(), z.c[3].monty()}};
}

}  // namespace

std::vector<Fp> random_fps(size_t count) {
  std::vector<Fp> out;
  out.reserve(count);
  while (out.size() < count) {
    const size_t want = count - out.size();
    const auto bytes = merkle::MerkleTree::random_salts(want + want / 8 + 8, 4);
    for (size_t j = 0; j + 4 <= bytes.size() && out.size() < count; j += 4) {
      uint32_t v = 0;
      for (int b = 0; b < 4; ++b) v |= static_cast<uint32_t>(bytes[j + static_cast<size_t>(b)]) << (8 * b);
      v &= 0x7fffffffu;
      if (v < Fp::kModulus) out.push_back(Fp::from_u64(v));
    }
  }
  return out;
}

RowMajorMatrix<Fp> random_mask(unsigned log_height) {
  return RowMajorMatrix<Fp>(random_fps(kMaskWidth << log_height), kMaskWidth);
}

PcsProver::PcsProver(PcsConfig config, hal::Hal& hal) : config_(config), hal_(hal) {
  config_.validate();
}

std::shared_ptr<ProverRound> PcsProver::commit(std::vector<RowMajorMatrix<Fp>> matrices) {
  return commit_impl(std::move(matrices), config_.zk);
}

std::shared_ptr<ProverRound> PcsProver::commit_public(std::vector<RowMajorMatrix<Fp>> matrices) {
  return commit_impl(std::move(matrices), false);
}

std::shared_ptr<ProverRound> PcsProver::commit_impl(std::vector<RowMajorMatrix<Fp>> matrices, bool salted) {
  auto round = std::make_shared<RoundImpl>();
  for (size_t i = 0; i < matrices.size(); ++i) {
    const auto& m = matrices[i];
    if (m.height == 0 || (m.height & (m.height - 1)) != 0)
      throw std::invalid_argument("pcs: matrix " + to_string(i) + " has height " +
                                  to_string(m.height) + ", not a power of two");
    round->dims_.push_back({static_cast<unsigned>(__builtin_ctzll(m.height)), m.width});
  }
  if (matrices.empty()) throw std::invalid_argument("pcs: commit of an empty round");
  round->layout_ = detail::tree_layout(round->dims_, config_);
  round->where_.resize(matrices.size());
  for (size_t t = 0; t < round->layout_.size(); ++t) {
    const auto& tl = round->layout_[t];
    std::vector<RowMajorMatrix<Fp>> traces;
    for (size_t j = 0; j < tl.matrices.size(); ++j) {
      const size_t i = tl.matrices[j];
      traces.push_back(std::move(matrices[i]));
      round->where_[i] = {t, j};
    }
    std::vector<uint8_t> salts;
    size_t salt_len = 0;
    if (salted) {
      salt_len = detail::kSaltLen;
      salts = merkle::MerkleTree::random_salts(tl.salt_rows(), salt_len);
    }
    round->trees_.push_back(
        hal_.commit_ldes(std::move(traces), config_.fri.log_blowup, kCosetShift, std::move(salts), salt_len));
    round->commitment_.roots.push_back(round->trees_.back()->root());
  }
  return round;
}

namespace {

TreeOpening open_tree(const merkle::MerkleTree& tree, const std::vector<uint64_t>& leaves) {
  auto o = tree.open_batch(leaves);
  TreeOpening t;
  t.rows = std::move(o.rows);
  if (tree.salt_len() != 0) t.salts = std::move(o.salts);
  t.siblings = std::move(o.proof.siblings);
  return t;
}

}  // namespace

PcsProver::Opening PcsProver::open(const std::vector<const ProverRound*>& rounds_in,
                                   const OpeningPoints& points, transcript::Challenger& ch,
                                   std::optional<MaskRef> mask) {
  const unsigned lb = config_.fri.log_blowup;
  if (points.size() != rounds_in.size())
    throw std::invalid_argument("pcs: open: " + to_string(rounds_in.size()) + " rounds but " +
                                to_string(points.size()) + " point lists");
  std::vector<const RoundImpl*> rounds;
  std::vector<std::vector<MatrixDims>> round_dims;
  for (size_t r = 0; r < rounds_in.size(); ++r) {
    const auto* ri = dynamic_cast<const RoundImpl*>(rounds_in[r]);
    if (ri == nullptr) throw std::invalid_argument("pcs: open: round " + to_string(r) + " was not committed by this PCS");
    if (points[r].size() != ri->dims_.size())
      throw std::invalid_argument("pcs: open: round " + to_string(r) + " has " +
                                  to_string(ri->dims_.size()) + " matrices but " +
                                  to_string(points[r].size()) + " point lists");
    for (size_t i = 0; i < points[r].size(); ++i) {
      const bool is_mask = mask && mask->round == r && mask->matrix == i;
      if (points[r][i].empty() != is_mask)
        throw std::invalid_argument("pcs: open: round " + to_string(r) + " matrix " + to_string(i) +
                                    (is_mask ? " is the mask but has opening points" : " has no opening point"));
    }
    rounds.push_back(ri);
    round_dims.push_back(ri->dims_);
  }
  if (rounds.empty()) throw std::invalid_argument("pcs: open: no rounds");
  if (config_.zk != mask.has_value())
    throw std::invalid_argument(config_.zk ? "pcs: open: zk needs a masking codeword (random_mask)"
                                           : "pcs: open: a masking codeword without zk");
  const RowMajorMatrix<Fp>* mask_lde = nullptr;
  RowMajorMatrix<Fp> mask_rows;  // the mask's rows when they live on the device
  if (mask) {
    if (mask->round >= rounds.size() || mask->matrix >= round_dims[mask->round].size())
      throw std::invalid_argument("pcs: open: the mask's round or matrix is out of range");
    if (const std::string e = detail::mask_shape_error(round_dims, mask->round, mask->matrix); !e.empty())
      throw std::invalid_argument("pcs: open: " + e);
    mask_lde = &rounds[mask->round]->lde(mask->matrix);
    const size_t full = size_t{1} << (round_dims[mask->round][mask->matrix].log_height + lb);
    if (mask_lde->height != full) {
      // A backend that keeps the LDE on the device has its rows (a
      // narrow matrix: the whole of it comes back).
      std::vector<uint64_t> all(full);
      std::iota(all.begin(), all.end(), uint64_t{0});
      auto rows = hal_.resident_rows(*mask_lde, all);
      if (!rows) throw std::invalid_argument("pcs: open: the mask's LDE was cut (keep_lde_rows)");
      mask_rows = RowMajorMatrix<Fp>(mask_lde->width, full);
      for (const auto& [j, v] : *rows) std::copy(v.begin(), v.end(), mask_rows.row(j).begin());
      mask_lde = &mask_rows;
    }
  }
  detail::BatchPlan plan;
  try {
    plan = detail::batch_plan(round_dims, points);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("pcs: open: ") + e.what());
  }

  // 1. Values f(z) by the barycentric formula over the coset s*H, whose
  // points are the first 2^k rows of the bit-reversed LDE:
  //   f(z) = (z^N - s^N) / (N s^N) * sum_i f(x_i) x_i / (z - x_i).
  std::map<PointKey, std::vector<Fp4>> bary;  // (k, z) -> weights x_i / (z - x_i)
  Opening out;
  out.values.resize(rounds.size());
  for (size_t r = 0; r < rounds.size(); ++r) {
    out.values[r].resize(rounds[r]->dims_.size());
    for (size_t i = 0; i < rounds[r]->dims_.size(); ++i) {
      const auto d = rounds[r]->dims_[i];
      const auto& lde = rounds[r]->lde(i);
      const size_t n = size_t{1} << d.log_height;
      for (const auto& z : points[r][i]) {
        auto& w = bary[key(d.log_height, z)];
        if (w.empty()) {
          // x_i for bit-reversed row i < N of the LDE: s * g_N^rev_k(i).
          const auto xs = lde_points(d.log_height);
          // x / (z - x) = -x / (x - z).
          std::vector<Fp4> diff(n);
          try {
            hal_.inverse_differences(xs, z, -Fp4::one(), diff);
          } catch (const std::invalid_argument&) {
            throw std::invalid_argument("pcs: open: point lies in the evaluation coset");
          }
          const int64_t ni = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (ni >= 4096)
          for (int64_t j = 0; j < ni; ++j) diff[static_cast<size_t>(j)] *= xs[static_cast<size_t>(j)];
          w = std::move(diff);
        }
        std::vector<Fp4> vals(d.width);
        hal_.column_sums(lde, n, w, vals);
        const Fp sn = kCosetShift.pow(n);
        const Fp4 scale = (z.pow(n) - sn) * (Fp::from_u64(n) * sn).inverse();
        for (auto& v : vals) v *= scale;
        out.values[r][i].push_back(std::move(vals));
      }
    }
  }
  bary.clear();
  const bool cheating = static_cast<bool>(cheat_.tamper_values);
  if (cheating) cheat_.tamper_values(out.values);

  // 2. Observe every value, in (round, matrix, point) order.
  for (size_t r = 0; r < rounds.size(); ++r)
    for (size_t i = 0; i < out.values[r].size(); ++i)
      for (size_t p = 0; p < out.values[r][i].size(); ++p)
        ch.observe_fp4s("pcs/opened values", out.values[r][i][p]);

  const auto heights = detail::fri_input_heights(round_dims, config_, config_.zk);
  const unsigned log_max = heights[0];

  // 3. zk: the masking codeword (committed by the caller, before the batch
  // challenges) is added to the batch below.
  out.proof.batch_nonce = ch.grind(config_.fri.challenge_pow_bits);
  const auto chal = detail::sample_batch(ch, plan);

  // 4. Reduced codewords, one per LDE height (batch_plan for the
  // coefficients): for each height h and point slot s,
  //   T_hs(x) = sum over matrices m of height h opened at s of
  //             sum_c column[off_m + c] f_mc(x),
  //   reduced_h(x) = sum_s slot[s] (T_hs(x) - T_hs(z_s)) / (x - z_s).
  // Each division is exact, so reduced_h is a polynomial of degree < n - 1
  // (n = 2^(heights[h] - lb), the matrices' trace height), and its values
  // on the coset s H_n determine it. Those points are the first n rows of
  // every LDE of that height (bit-reversed rows on s H_m, m = n 2^lb:
  // rev_m(p) = rev_n(p) 2^lb for p < n). So: reduce each matrix's first n
  // rows (2^-lb of the multiply-adds of all m), sum them per (h, s), form
  // reduced_h on the n points, and extend it once per height by a 4-column
  // LDE (reduced_h(s y) on H_m). Exact arithmetic: FRI gets the values of
  // the m-point formula (tests/prover-fri).
  const size_t nslots = plan.points.size();
  std::vector<std::vector<std::vector<Fp4>>> t_head(heights.size(), std::vector<std::vector<Fp4>>(nslots));
  std::vector<std::vector<Fp4>> t_z(heights.size(), std::vector<Fp4>(nslots));
  for (size_t r = 0; r < rounds.size(); ++r) {
    for (size_t i = 0; i < rounds[r]->dims_.size(); ++i) {
      if (points[r][i].empty()) continue;  // the mask: added whole below
      const auto d = rounds[r]->dims_[i];
      const unsigned lh = d.log_height + lb;
      const size_t hidx = static_cast<size_t>(
          std::find(heights.begin(), heights.end(), lh) - heights.begin());
      const std::vector<Fp4> coeffs(chal.column.begin() + static_cast<ptrdiff_t>(plan.offsets[r][i]),
                                    chal.column.begin() + static_cast<ptrdiff_t>(plan.offsets[r][i] + d.width));
      const size_t n = size_t{1} << d.log_height;
      std::vector<Fp4> head(n);
      hal_.reduce_rows(rounds[r]->lde(i), coeffs, head);
      for (size_t p = 0; p < points[r][i].size(); ++p) {
        const size_t s = plan.slots[r][i][p];
        for (size_t c = 0; c < d.width; ++c) t_z[hidx][s] += coeffs[c] * out.values[r][i][p][c];
        auto& th = t_head[hidx][s];
        if (th.empty()) {
          th = head;
        } else {
          const int64_t ni = static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (ni >= 4096)
          for (int64_t j = 0; j < ni; ++j) th[static_cast<size_t>(j)] += head[static_cast<size_t>(j)];
        }
      }
    }
  }
  std::vector<std::vector<Fp4>> reduced(heights.size());
  for (size_t h = 0; h < heights.size(); ++h) {
    const unsigned log_n = heights[h] - lb;
    const size_t n = size_t{1} << log_n, m = size_t{1} << heights[h];
    const int64_t ni = static_cast<int64_t>(n), mi = static_cast<int64_t>(m);
    const auto xs = lde_points(log_n);  // s g_n^rev(i): the heads' points
    std::vector<Fp4> head_r(n), inv(n);
    for (size_t s = 0; s < nslots; ++s) {
      if (t_head[h][s].empty()) continue;
      try {
        hal_.inverse_differences(xs, plan.points[s], chal.slot[s], inv);
      } catch (const std::invalid_argument&) {
        throw std::invalid_argument("pcs: open: point lies in the LDE coset");
      }
      const auto& th = t_head[h][s];
      const Fp4 tz = t_z[h][s];
#pragma omp parallel for schedule(static) if (ni >= 4096)
      for (int64_t j = 0; j < ni; ++j) {
        const size_t u = static_cast<size_t>(j);
        head_r[u] += (th[u] - tz) * inv[u];
      }
      t_head[h][s] = {};
    }
    RowMajorMatrix<Fp> t = ntt::zeroed_matrix(4, n);  // reduced_h(s w_n^k), natural order
#pragma omp parallel for schedule(static) if (ni >= 4096)
    for (int64_t kk = 0; kk < ni; ++kk) {
      const size_t k = static_cast<size_t>(kk);
      const Fp4& v = head_r[fri::reverse_bits(k, log_n)];
      for (size_t c = 0; c < 4; ++c) t.at(k, c) = v.c[c];
    }
    const auto ext = hal_.coset_lde(t, lb, Fp::one());
    reduced[h].resize(m);
#pragma omp parallel for schedule(static) if (mi >= 4096)
    for (int64_t jj = 0; jj < mi; ++jj) {
      const size_t j = static_cast<size_t>(jj);
      reduced[h][j] = Fp4::from_base(ext.at(j, 0), ext.at(j, 1), ext.at(j, 2), ext.at(j, 3));
    }
  }
  if (mask_lde != nullptr) {
    // Its LDE height is the largest (mask_log_height): reduced[0]'s.
    const auto& ml = *mask_lde;
    auto& acc = reduced[0];
    const int64_t mi = static_cast<int64_t>(acc.size());
#pragma omp parallel for schedule(static) if (mi >= 4096)
    for (int64_t jj = 0; jj < mi; ++jj) {
      const size_t j = static_cast<size_t>(jj);
      acc[j] += Fp4::from_base(ml.at(j, 0), ml.at(j, 1), ml.at(j, 2), ml.at(j, 3));
    }
  }

  // 5. FRI over the reduced codewords (already bit-reversed on s*H', which
  // FRI reads as the polynomial q(sX) on H'; same degree).
  auto fri_res = fri::fri_prove(config_.fri, std::move(reduced), ch, hal_, cheating);
  out.proof.fri = std::move(fri_res.proof);

  // 6. Open every tree at the query indices, first recomputing the rows
  // they read that keep_lde_rows dropped.
  const auto& idx = fri_res.query_indices;
  out.proof.openings.resize(rounds.size());
  for (size_t r = 0; r < rounds.size(); ++r)
    for (size_t t = 0; t < rounds[r]->trees_.size(); ++t) {
      const unsigned lh = rounds[r]->layout_[t].log_lde_height;
      merkle::MerkleTree& tree = *rounds[r]->trees_[t];
      const auto leaves = detail::tree_leaves(idx, log_max, lh);
      for (size_t i = 0; i < rounds[r]->dims_.size(); ++i) {
        const auto [ti, j] = rounds[r]->where_[i];
        const auto& lde = tree.matrices()[j];
        if (ti != t || lde.height == tree.matrix_height(j)) continue;
        // From the device when the backend keeps the LDE there, else
        // recomputed from the kept head (lean LDEs).
        if (hal::restore_from_backend(hal_, tree, j, leaves)) continue;
        std::vector<uint64_t> rows = tree.rows_for_opening(j, leaves);
        std::erase_if(rows, [&](uint64_t x) { return x < lde.height; });
        tree.restore_rows(j, recompute_lde_rows(hal_, lde, rounds[r]->dims_[i].log_height, lb, rows));
      }
      out.proof.openings[r].push_back(open_tree(tree, leaves));
    }
  return out;
}

}  // namespace zkvm::pcs
