#include "prover/stark/quotient_split.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "prover/fri/fold.h"
#include "prover/ntt/ntt.h"

namespace zkvm::stark {

using field::Fp;
using field::Fp4;

namespace {

matrix::RowMajorMatrix<Fp> quotient_coefficients(const std::vector<Fp4>& q_bitrev, size_t big, Fp shift) {
  if (q_bitrev.size() != big) throw std::invalid_argument("split_quotient: wrong number of quotient values");
  matrix::RowMajorMatrix<Fp> coeffs(4, big);
  for (size_t p = 0; p < big; ++p)
    for (int c = 0; c < 4; ++c) coeffs.at(p, c) = q_bitrev[p].c[c];
  ntt::bit_reverse_rows(coeffs);   // natural order over s * H_N
  ntt::coset_intt(coeffs, shift);  // coefficients of Q(X)
  return coeffs;
}

}  // namespace

matrix::RowMajorMatrix<Fp> split_quotient(const std::vector<Fp4>& q_bitrev, unsigned log_n, unsigned log_chunks,
                                          Fp shift) {
  const size_t n = size_t{1} << log_n, chunks = size_t{1} << log_chunks, big = n * chunks;
  const auto coeffs = quotient_coefficients(q_bitrev, big, shift);
  matrix::RowMajorMatrix<Fp> out(4 * chunks, n);
  for (size_t j = 0; j < big; ++j) {
    const size_t ch = j / n, r = j % n;
    for (size_t c = 0; c < 4; ++c) out.at(r, 4 * ch + c) = coeffs.at(j, c);
  }
  ntt::ntt_forward(out);
  return out;
}


namespace {

// Q's coefficients (4 columns, at least chunks * stride rows are read; rows
// past the end count as 0) -> the k randomised chunks, evaluated on H_h.
matrix::RowMajorMatrix<Fp> randomised_chunks(const matrix::RowMajorMatrix<Fp>& coeffs, size_t chunks, size_t stride,
                                             size_t m, size_t h, const std::vector<Fp>& random) {
  // Coefficients from chunks * stride on are zero for a trace that
  // satisfies the AIR; otherwise they are dropped, like split_quotient does
  // (the verifier then rejects, which the soundness tests rely on).
  // r(c, i, j): coefficient j < m of coordinate i of r_c, for 1 <= c < chunks.
  auto r = [&](size_t c, size_t i, size_t j) { return random[((c - 1) * 4 + i) * m + j]; };
  matrix::RowMajorMatrix<Fp> out(4 * chunks, h);  // zero-initialised
  for (size_t c = 0; c < chunks; ++c)
    for (size_t i = 0; i < 4; ++i) {
      for (size_t j = 0; j < stride && c * stride + j < coeffs.height; ++j) out.at(j, 4 * c + i) = coeffs.at(c * stride + j, i);
      for (size_t j = 0; j < m; ++j) {
        if (c >= 1) out.at(j, 4 * c + i) -= r(c, i, j);
        if (c + 1 < chunks) out.at(stride + j, 4 * c + i) = r(c + 1, i, j);
      }
    }
  ntt::ntt_forward(out);
  return out;
}

size_t chunk_height(size_t stride, size_t m) {
  size_t h = 1;
  while (h < stride + m) h <<= 1;
  return h;
}

void check_random(size_t chunks, size_t m, const std::vector<Fp>& random) {
  if (random.size() != 4 * (chunks - 1) * m)
    throw std::invalid_argument("split_quotient_zk: need " + std::to_string(4 * (chunks - 1) * m) +
                                " random values, got " + std::to_string(random.size()));
}

}  // namespace

matrix::RowMajorMatrix<Fp> split_quotient_zk(const std::vector<Fp4>& q_bitrev, unsigned log_n, unsigned log_domain,
                                             size_t chunks, size_t stride, size_t m, Fp shift,
                                             const std::vector<Fp>& random) {
  const size_t n = size_t{1} << log_n, big = n << log_domain;
  const size_t h = chunk_height(stride, m);
  if (chunks == 0 || stride == 0 || chunks * stride > big || m > n || h > 2 * n)
    throw std::invalid_argument("split_quotient_zk: " + std::to_string(chunks) + " chunks of " + std::to_string(stride) +
                                ", mask degree " + std::to_string(m) + " do not fit n = " + std::to_string(n));
  check_random(chunks, m, random);
  return randomised_chunks(quotient_coefficients(q_bitrev, big, shift), chunks, stride, m, h, random);
}

std::vector<size_t> half_coset_rows(unsigned log_big, size_t extra) {
  const size_t big = size_t{1} << log_big, half = big / 2;
  if (extra == 0 || !std::has_single_bit(extra) || extra > half)
    throw std::invalid_argument("half_coset_rows: " + std::to_string(extra) + " extra points for a coset of " +
                                std::to_string(big));
  std::vector<size_t> rows(half + extra);
  for (size_t p = 0; p < half; ++p) rows[p] = p;
  // y_k = s w^(1 + k big / extra): natural index 1 + k big / extra, stored
  // at its bit-reversed row.
  for (size_t k = 0; k < extra; ++k) {
    size_t i = 1 + k * (big / extra), r = 0;
    for (unsigned b = 0; b < log_big; ++b, i >>= 1) r = (r << 1) | (i & 1);
    rows[half + k] = r;
  }
  return rows;
}

matrix::RowMajorMatrix<Fp> gather_quotient_rows(const matrix::RowMajorMatrix<Fp>& lde, std::span<const size_t> rows,
                                                 unsigned log_big, unsigned log_chunks) {
  matrix::RowMajorMatrix<Fp> g(lde.width, 2 * rows.size());
  const uint64_t mask = (uint64_t{1} << log_big) - 1;
  for (size_t k = 0; k < rows.size(); ++k) {
    const uint64_t i = fri::reverse_bits(rows[k], log_big);
    const uint64_t pn = fri::reverse_bits((i + (uint64_t{1} << log_chunks)) & mask, log_big);
    if (rows[k] >= lde.height || pn >= lde.height)
      throw std::invalid_argument("gather_quotient_rows: row " + std::to_string(std::max<uint64_t>(rows[k], pn)) +
                                  " is not in the LDE's " + std::to_string(lde.height) + " rows");
    std::copy_n(lde.row(rows[k]).begin(), lde.width, g.row(2 * k).begin());
    std::copy_n(lde.row(pn).begin(), lde.width, g.row(2 * k + 1).begin());
  }
  return g;
}

matrix::RowMajorMatrix<Fp> split_quotient_zk_half(const std::vector<Fp4>& q_values, unsigned log_n, unsigned log_domain,
                                                  size_t extra, size_t chunks, size_t stride, size_t m, Fp shift,
                                                  const std::vector<Fp>& random) {
  const size_t n = size_t{1} << log_n, big = n << log_domain, half = big / 2;
  const size_t h = chunk_height(stride, m);
  if (log_domain == 0 || extra == 0 || !std::has_single_bit(extra) || extra > half || q_values.size() != half + extra ||
      chunks == 0 || stride == 0 || m > n || h > 2 * n)
    throw std::invalid_argument("split_quotient_zk_half: " + std::to_string(q_values.size()) + " values, " +
                                std::to_string(chunks) + " chunks of " + std::to_string(stride) +
                                " do not fit a half coset of " + std::to_string(half) + " and " +
                                std::to_string(extra) + " points");
  check_random(chunks, m, random);
  // A = Q mod (X^half - s^half), from Q on s H_half (the first half of the
  // bit-reversed coset rows).
  const std::vector<Fp4> first(q_values.begin(), q_values.begin() + static_cast<std::ptrdiff_t>(half));
  const matrix::RowMajorMatrix<Fp> a = quotient_coefficients(first, half, shift);
  // On the other half, y = s w y' with y' in H_half and w^half = -1, so
  // y^half - s^half = -2 s^half for every y there: Q = A + (X^half - s^half) B
  // (deg B < extra) gives B(y_k) = (A(y_k) - Q(y_k)) / (2 s^half) at the
  // extra points y_k = s w z^k (z of order `extra`), a coset of H_extra.
  const Fp sw = shift * field::two_adic_generator(static_cast<unsigned>(std::countr_zero(big)));
  const Fp c = sw.pow(extra);  // y_k^extra
  matrix::RowMajorMatrix<Fp> ay(4, extra);  // A folded mod X^extra - c, then its values at y_k
  {
    Fp cp = Fp::one();
    for (size_t t = 0; t < half; t += extra, cp *= c)
      for (size_t r = 0; r < extra; ++r)
        for (size_t i = 0; i < 4; ++i) ay.at(r, i) += a.at(t + r, i) * cp;
  }
  ntt::coset_ntt(ay, sw);
  const Fp inv = (Fp::from_u64(2) * shift.pow(half)).inverse();
  matrix::RowMajorMatrix<Fp> b(4, extra);
  for (size_t k = 0; k < extra; ++k) {
    const Fp4 q = q_values[half + k];
    for (size_t i = 0; i < 4; ++i) b.at(k, i) = (ay.at(k, i) - q.c[i]) * inv;
  }
  ntt::coset_intt(b, sw);  // B's coefficients
  // Q = A + X^half B - s^half B.
  const Fp sh = shift.pow(half);
  matrix::RowMajorMatrix<Fp> coeffs(4, half + extra);
  for (size_t j = 0; j < half; ++j)
    for (size_t i = 0; i < 4; ++i) coeffs.at(j, i) = a.at(j, i);
  for (size_t j = 0; j < extra; ++j)
    for (size_t i = 0; i < 4; ++i) {
      coeffs.at(j, i) -= sh * b.at(j, i);
      coeffs.at(half + j, i) = b.at(j, i);
    }
  return randomised_chunks(coeffs, chunks, stride, m, h, random);
}

}  // namespace zkvm::stark
