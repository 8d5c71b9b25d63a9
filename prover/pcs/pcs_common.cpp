#include "prover/pcs/pcs_common.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "prover/fri/fold.h"

namespace zkvm::pcs {

void observe_commitment(transcript::Challenger& ch, std::string_view label, const Commitment& c) {
  ch.observe_u64(std::string(label) + "/tree count", c.roots.size());
  for (const auto& r : c.roots) ch.observe_digest(label, r.bytes);
}

unsigned mask_log_height(const std::vector<std::vector<MatrixDims>>& round_dims) {
  unsigned h = 0;
  for (const auto& r : round_dims)
    for (const auto& d : r) h = std::max(h, d.log_height);
  return h;
}

}  // namespace zkvm::pcs

namespace zkvm::pcs::detail {

using std::to_string;

std::vector<TreeLayout> tree_layout(const std::vector<MatrixDims>& dims, const PcsConfig& config) {
  const unsigned lb = config.fri.log_blowup;
  for (size_t i = 0; i < dims.size(); ++i) {
    const auto& d = dims[i];
    if (d.width == 0) throw std::invalid_argument("pcs: matrix " + to_string(i) + " has width 0");
    if (d.width > (size_t{1} << 20))
      throw std::invalid_argument("pcs: matrix " + to_string(i) + " has width " +
                                  to_string(d.width) + " > 2^20");
    if (d.log_height < config.fri.log_final_poly_len)
      throw std::invalid_argument("pcs: matrix " + to_string(i) + " has log height " +
                                  to_string(d.log_height) + " below log_final_poly_len " +
                                  to_string(config.fri.log_final_poly_len));
    if (d.log_height + lb > field::Fp::kTwoAdicity)
      throw std::invalid_argument("pcs: matrix " + to_string(i) + " has log height " +
                                  to_string(d.log_height) + "; with log_blowup " + to_string(lb) +
                                  " its LDE exceeds 2^27");
  }
  if (dims.empty()) return {};
  TreeLayout t{0, {}, {}, 0};
  for (size_t i = 0; i < dims.size(); ++i) t.matrices.push_back(i);
  std::stable_sort(t.matrices.begin(), t.matrices.end(),
                   [&](size_t a, size_t b) { return dims[a].log_height > dims[b].log_height; });
  for (size_t i : t.matrices) {
    t.log_lde_heights.push_back(dims[i].log_height + lb);
    t.width += dims[i].width;
  }
  t.log_lde_height = t.log_lde_heights[0];
  return {t};
}

size_t TreeLayout::groups() const {
  size_t g = 0;
  for (size_t j = 0; j < log_lde_heights.size(); ++j) g += j == 0 || log_lde_heights[j] != log_lde_heights[j - 1];
  return g;
}

uint64_t TreeLayout::salt_rows() const {
  uint64_t rows = 0;
  for (size_t j = 0; j < log_lde_heights.size(); ++j)
    if (j == 0 || log_lde_heights[j] != log_lde_heights[j - 1]) rows += uint64_t{1} << log_lde_heights[j];
  return rows;
}

std::vector<unsigned> fri_input_heights(const std::vector<std::vector<MatrixDims>>& round_dims,
                                        const PcsConfig& config, bool include_mask_height) {
  std::vector<unsigned> hs;
  for (const auto& r : round_dims)
    for (const auto& d : r) hs.push_back(d.log_height + config.fri.log_blowup);
  std::sort(hs.begin(), hs.end(), std::greater<>());
  hs.erase(std::unique(hs.begin(), hs.end()), hs.end());
  (void)include_mask_height;  // the mask uses the largest height, already present
  return hs;
}

std::string mask_shape_error(const std::vector<std::vector<MatrixDims>>& round_dims, size_t round, size_t matrix) {
  auto others = round_dims;
  const MatrixDims md = others.at(round).at(matrix);
  others[round][matrix] = {0, 0};
  const unsigned want = mask_log_height(others);
  if (md.width == kMaskWidth && md.log_height == want) return "";
  return "the mask is " + to_string(md.width) + " x 2^" + to_string(md.log_height) + ", expected " +
         to_string(kMaskWidth) + " x 2^" + to_string(want);
}

BatchPlan batch_plan(const std::vector<std::vector<MatrixDims>>& dims, const OpeningPoints& points) {
  BatchPlan b;
  b.offsets.resize(dims.size());
  b.slots.resize(dims.size());
  for (size_t r = 0; r < dims.size(); ++r)
    for (size_t i = 0; i < dims[r].size(); ++i) {
      b.offsets[r].push_back(b.total_width);
      if (!points[r][i].empty()) b.total_width += dims[r][i].width;
      std::vector<size_t> sl;
      for (size_t p = 0; p < points[r][i].size(); ++p) {
        const Fp4& z = points[r][i][p];
        for (size_t q = 0; q < p; ++q)
          if (points[r][i][q] == z)
            throw std::invalid_argument("round " + to_string(r) + " matrix " + to_string(i) +
                                        " lists point " + to_string(q) + " twice");
        const size_t s = static_cast<size_t>(std::find(b.points.begin(), b.points.end(), z) -
                                             b.points.begin());
        if (s == b.points.size()) b.points.push_back(z);
        sl.push_back(s);
      }
      b.slots[r].push_back(std::move(sl));
    }
  return b;
}

BatchChallenges sample_batch(transcript::Challenger& ch, const BatchPlan& plan) {
  BatchChallenges b;
  b.column.resize(plan.total_width);
  for (auto& c : b.column) c = ch.sample_fp4("pcs/batch column");
  b.slot.resize(plan.points.size());
  for (auto& g : b.slot)
    do {
      g = ch.sample_fp4("pcs/batch point");
    } while (g.is_zero());
  return b;
}

Fp lde_point(unsigned lh, uint64_t pos) {
  return kCosetShift * field::two_adic_generator(lh).pow(fri::reverse_bits(pos, lh));
}

std::vector<uint64_t> tree_leaves(const std::vector<uint64_t>& query_indices, unsigned log_max,
                                  unsigned lh) {
  std::vector<uint64_t> v(query_indices.size());
  for (size_t q = 0; q < v.size(); ++q) v[q] = query_indices[q] >> (log_max - lh);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace zkvm::pcs::detail
