// Proof and verifying-key wire formats (verifier side: OpenSSL + std only).
#include <algorithm>
#include <cmath>
#include <map>

#include "prover/fri/security.h"
#include "prover/stark/proof.h"

namespace zkvm::stark {

using transcript::ByteReader;
using transcript::ByteWriter;
using transcript::ProofFormatError;

namespace {

unsigned zk_log_domain(size_t chunks) {
  unsigned lg = 0;
  while ((size_t{1} << lg) < chunks) ++lg;
  return lg;
}

}  // namespace

bool VerifyingKey::has_pre() const {
  for (unsigned h : pre_log_heights)
    if (h != 0) return true;
  return false;
}

bool VerifyingKey::has_bus() const {
  for (const auto& s : shapes)
    if (s.num_interactions != 0) return true;
  return false;
}

std::vector<Fp4> powers(const Fp4& a, size_t n) {
  std::vector<Fp4> p(n);
  Fp4 cur = Fp4::one();
  for (size_t i = 0; i < n; ++i) {
    p[i] = cur;
    cur *= a;
  }
  return p;
}

void prepare_vk(VerifyingKey& vk) {
  vk.config.pcs.validate();
  if (vk.airs.empty()) throw std::invalid_argument("program has no tables");
  if (vk.pre_log_heights.size() != vk.airs.size())
    throw std::invalid_argument("verifying key: " + std::to_string(vk.pre_log_heights.size()) +
                                " preprocessed heights for " + std::to_string(vk.airs.size()) + " tables");
  vk.shapes.clear();
  std::map<uint32_t, std::pair<size_t, std::string>> bus_arity;  // bus -> (tuple length, first table)
  for (size_t t = 0; t < vk.airs.size(); ++t) {
    const air::Air& a = *vk.airs[t];
    air::AirShape s = air::analyse(a);
    // SOUNDNESS: one tuple length per bus across all tables (the LogUp
    // fingerprint does not encode the length; see air/builders.h).
    for (const auto& [bus, len] : s.bus_arity) {
      const auto [it, inserted] = bus_arity.emplace(bus, std::make_pair(len, a.name()));
      if (!inserted && it->second.first != len)
        throw std::invalid_argument("bus " + std::to_string(bus) + ": table '" + a.name() + "' sends tuples of length " +
                                    std::to_string(len) + " but table '" + it->second.second + "' uses length " +
                                    std::to_string(it->second.first));
    }
    const bool zk = vk.config.pcs.zk;
    // The prover evaluates the quotient on the first n * 2^d rows of the
    // PCS's LDE (a coset of that size), so 2^d must fit the blowup (the LDE
    // of a zk matrix, committed at 2n rows, is twice as tall). zk, worst
    // case m = n: Q of degree < (2D - 1) n.
    const unsigned log_domain = zk ? zk_log_domain(2 * (s.max_degree < 1 ? 1 : s.max_degree) - 1)
                                   : s.log_quotient_chunks;
    const unsigned room = vk.config.pcs.fri.log_blowup + (zk ? 1 : 0);
    // Random rows (committed at n rows): Q has degree < D n, so 2^d >= D
    // must fit the blowup itself.
    if (zk && a.zk_free_rows() >= zk_mask_degree(vk.config) &&
        zk_log_domain(s.max_degree < 1 ? 1 : s.max_degree) > vk.config.pcs.fri.log_blowup)
      throw std::invalid_argument("table '" + a.name() + "': constraint degree " + std::to_string(s.max_degree) +
                                  " needs a quotient domain wider than the blowup 2^" +
                                  std::to_string(vk.config.pcs.fri.log_blowup) + " allows with random rows");
    if (log_domain > room)
      throw std::invalid_argument("table '" + a.name() + "': constraint degree " + std::to_string(s.max_degree) +
                                  " needs a quotient domain of 2^" + std::to_string(log_domain) +
                                  (zk ? " n in zero-knowledge mode" : " n") + ", more than the blowup 2^" +
                                  std::to_string(vk.config.pcs.fri.log_blowup) +
                                  (zk ? " allows (2^(log_blowup + 1) n)" : " allows"));
    if (a.width() == 0) throw std::invalid_argument("table '" + a.name() + "' has no main columns");
    if ((a.preprocessed_width() == 0) != (vk.pre_log_heights[t] == 0))
      throw std::invalid_argument("table '" + a.name() + "': preprocessed height disagrees with its AIR");
    // Fixed columns are committed at the table's height in the vk, so a
    // table that has them is always present.
    if (a.may_be_absent() && a.preprocessed_width() != 0)
      throw std::invalid_argument("table '" + a.name() + "' may be absent but has preprocessed columns");
    vk.shapes.push_back(s);
  }
  if (std::all_of(vk.airs.begin(), vk.airs.end(), [](const air::Air* a) { return a->may_be_absent(); }))
    throw std::invalid_argument("program: every table may be absent (a proof needs at least one table)");
}

namespace {

void write_commitment(ByteWriter& w, const pcs::Commitment& c) {
  w.count(c.roots.size());
  for (const auto& d : c.roots) w.bytes32(d.bytes);
}

pcs::Commitment read_commitment(ByteReader& r, const char* what) {
  auto sc = r.scope(std::string(what) + " commitment");
  r.expect_count(1, "roots");  // one mixed-height tree per round (pcs.h)
  pcs::Commitment c;
  c.roots.resize(1);
  for (auto& d : c.roots) d.bytes = r.bytes32();
  return c;
}

}  // namespace

size_t zk_mask_degree(const StarkConfig& config) { return 2 * size_t{config.pcs.fri.num_queries} + 8; }
size_t zk_min_rows(const StarkConfig& config) { return zk_mask_degree(config); }

size_t zk_random_rows(const VerifyingKey& vk, size_t t) {
  if (!vk.config.pcs.zk) return 0;
  const size_t m = zk_mask_degree(vk.config), free = vk.airs.at(t)->zk_free_rows();
  if (free < m) return 0;
  // The LogUp sum mask is one more value of each of 4 columns the verifier
  // learns (through the sum), so it takes one more random row.
  return vk.shapes.at(t).num_interactions != 0 && free > m ? m + 1 : m;
}

LogupMask logup_mask_kind(const VerifyingKey& vk, size_t t) {
  if (!vk.config.pcs.zk || vk.shapes.at(t).num_interactions == 0) return LogupMask::kNone;
  return zk_random_rows(vk, t) == zk_mask_degree(vk.config) + 1 ? LogupMask::kRandomRow : LogupMask::kColumns;
}

QuotientLayout quotient_layout(const VerifyingKey& vk, size_t table, unsigned log_n) {
  const air::AirShape& s = vk.shapes.at(table);
  const uint64_t n = uint64_t{1} << log_n;
  if (!vk.config.pcs.zk) return {s.log_quotient_chunks, s.quotient_chunks(), n};
  const uint64_t d = s.max_degree < 1 ? 1 : s.max_degree;
  if (const uint64_t r = zk_random_rows(vk, table); r != 0) {
    // C has degree <= d (n - 1), V_R degree r, Z_H degree n. A trace of at
    // most r rows (all random) leaves no stride: the prover refuses it.
    const uint64_t stride = n > r ? n - r : 1;
    const uint64_t deg_c = d * (n - 1) + r;
    const uint64_t max_deg_q = deg_c > n ? deg_c - n : 0;
    return {zk_log_domain(static_cast<size_t>(max_deg_q / n + 1)), static_cast<size_t>(max_deg_q / stride + 1), stride,
            max_deg_q};
  }
  const uint64_t m = std::min<uint64_t>(zk_mask_degree(vk.config), n);
  const uint64_t max_deg_q = (d - 1) * n + d * (m - 1);
  const size_t chunks = static_cast<size_t>(max_deg_q / n + 1);
  return {zk_log_domain(chunks), chunks, n};
}

size_t logup_mask_width(const VerifyingKey& vk, size_t t) {
  switch (logup_mask_kind(vk, t)) {
    case LogupMask::kColumns: return 4;
    case LogupMask::kRandomRow: return vk.airs[t]->width() < 4 ? 4 - vk.airs[t]->width() : 0;
    default: return 0;
  }
}

size_t committed_main_width(const VerifyingKey& vk, size_t t) {
  return vk.airs[t]->width() + logup_mask_width(vk, t);
}

std::vector<std::vector<pcs::MatrixDims>> round_dims(const VerifyingKey& vk, std::span<const unsigned> log_heights) {
  std::vector<std::vector<pcs::MatrixDims>> rounds;
  const size_t nt = vk.airs.size();
  const unsigned zk = vk.config.pcs.zk ? 1 : 0;  // zk: randomised matrices committed at 2n rows
  if (vk.has_pre()) {
    // Public, the same in every mode (docs/STARK.md "Preprocessed columns").
    rounds.emplace_back();
    for (size_t t = 0; t < nt; ++t)
      if (vk.pre_log_heights[t] != 0)
        rounds.back().push_back({vk.pre_log_heights[t], vk.airs[t]->preprocessed_width()});
  }
  rounds.emplace_back();
  // Tables with random rows stay at n rows.
  auto h = [&](size_t t) { return log_heights[t] + (zk_random_rows(vk, t) != 0 ? 0 : zk); };
  for (size_t t = 0; t < nt; ++t)
    if (present(log_heights, t)) rounds.back().push_back({h(t), committed_main_width(vk, t)});
  if (vk.has_bus()) {
    rounds.emplace_back();
    for (size_t t = 0; t < nt; ++t)
      if (present(log_heights, t) && vk.shapes[t].num_interactions != 0)
        rounds.back().push_back({h(t), 4 * vk.shapes[t].aux_width()});
  }
  rounds.emplace_back();
  for (size_t t = 0; t < nt; ++t)
    if (present(log_heights, t))
      rounds.back().push_back({h(t), 4 * quotient_layout(vk, t, log_heights[t]).chunks});
  // zk: FRI's masking codeword, the main round's last matrix (pcs.h). Its
  // 16 bytes per leaf mostly fit the main rows' last hash block.
  if (vk.config.pcs.zk) rounds[main_round(vk)].push_back({pcs::mask_log_height(rounds), pcs::kMaskWidth});
  return rounds;
}

size_t points_of_matrix(const VerifyingKey& vk, size_t round, size_t i,
                        const std::vector<std::vector<pcs::MatrixDims>>& dims) {
  if (round + 1 == dims.size()) return 1;  // quotient: zeta only
  if (vk.config.pcs.zk && round == main_round(vk) && i + 1 == dims[round].size()) return 0;  // the mask
  return 2;
}

std::vector<bool> unsalted_rounds(const VerifyingKey& vk) {
  const size_t n = (vk.has_pre() ? 1 : 0) + 1 + (vk.has_bus() ? 1 : 0) + 1;
  std::vector<bool> u(n, false);
  if (vk.has_pre()) u[0] = true;
  return u;
}

double security_bits(const VerifyingKey& vk, std::span<const unsigned> log_heights, std::string* weakest) {
  const auto dims = round_dims(vk, log_heights);
  unsigned log_max = 0;
  for (const auto& r : dims)
    for (const auto& d : r) log_max = std::max(log_max, d.log_height);
  // DEEP term: V3 is an identity between polynomials of degree about
  // factor * N, N = the tallest committed height (docs/SECURITY.md). Plain:
  // C has degree D n, Z_H Q' (chunks + 1) n. zk (N = 2n): columns of
  // degree < 2n give 2 D n, chunks of degree < 2n give (chunks + 2) n.
  // Random rows (height n): C V_R has degree < (D + 1) n, Z_H Q' degree
  // < (chunks + 1) n; relative to N that is 2^(log n - log N) as much,
  // rounded up (a short table with many chunks weighs by its own height).
  unsigned factor = 1;
  for (size_t t = 0; t < vk.airs.size(); ++t) {
    if (!present(log_heights, t)) continue;
    const unsigned d = std::max(1u, vk.shapes[t].max_degree);
    const size_t chunks = quotient_layout(vk, t, log_heights[t]).chunks;
    if (zk_random_rows(vk, t) != 0) {
      const uint64_t f = std::max<uint64_t>(d + 1, chunks + 1), sh = log_max - log_heights[t];
      factor = std::max(factor, static_cast<unsigned>((f + (uint64_t{1} << sh) - 1) >> sh));
      continue;
    }
    const unsigned id = vk.config.pcs.zk ? static_cast<unsigned>((chunks + 3) / 2) : static_cast<unsigned>(chunks + 1);
    factor = std::max({factor, d, id});
  }
  const auto e = fri::estimate_security(vk.config.pcs.fri, log_max + vk.config.pcs.fri.log_blowup, factor, 2);
  if (weakest != nullptr) {
    const std::pair<double, const char*> terms[] = {{e.query_bits, "query"},     {e.field_bits, "field"},
                                                    {e.hash_bits, "hash"},       {e.fold_bits, "fold"},
                                                    {e.batching_bits, "batching"}, {e.deep_bits, "DEEP"}};
    *weakest = std::min_element(std::begin(terms), std::end(terms))->second;
  }
  return e.strict;
}

double logup_degree(std::span<const air::PublicInteraction> terms) {
  double n = 0;
  for (const auto& pi : terms) n += static_cast<double>(pi.tuple.size() + 1);
  return n;
}

double logup_degree(const VerifyingKey& vk, std::span<const unsigned> log_heights,
                    const std::vector<std::vector<Fp>>& publics) {
  double n = 0;
  for (size_t t = 0; t < vk.airs.size() && t < log_heights.size(); ++t) {
    // Public terms of every table, absent ones too (the verifier adds them).
    if (t < publics.size()) n += logup_degree(vk.airs[t]->public_interactions(publics[t]));
    if (!present(log_heights, t)) continue;
    const auto& sh = vk.shapes[t];
    n += std::ldexp(static_cast<double>(sh.num_interactions) * static_cast<double>(sh.max_tuple_len + 1),
                    static_cast<int>(log_heights[t]));
  }
  return n;
}

unsigned logup_pow_bits(const VerifyingKey& vk, double degree) {
  const double field = 4 * std::log2(static_cast<double>(field::Fp::kModulus));
  const double bits = field - std::log2(std::max(1.0, degree));
  const unsigned floor_bits = vk.config.pcs.fri.challenge_pow_bits;  // as every algebraic challenge
  if (bits >= kLogupTargetBits) return floor_bits;
  // Not capped: a statement that would need more than the grind can take
  // (Challenger: 40 bits) is refused by the prover and rejected by the
  // verifier (check_pow fails above 40) rather than proven below the target.
  return std::max(floor_bits, static_cast<unsigned>(std::ceil(kLogupTargetBits - bits)));
}

StarkConfig StarkConfig::standard() { return for_height(20); }

StarkConfig StarkConfig::for_height(unsigned log_n, bool zk) {
  constexpr unsigned kBits = 100, kPow = 16, kChallengePow = 8;
  for (unsigned lb : {2u, 1u}) {
    for (unsigned k = 3; k >= 1; --k) {
      StarkConfig c;
      c.pcs.zk = zk;
      auto& f = c.pcs.fri;
      f.log_blowup = lb;
      f.num_queries = (kBits - kPow + lb - 1) / lb;
      f.pow_bits = kPow;
      f.challenge_pow_bits = kChallengePow;
      f.log_max_arity = k;
      f.log_final_poly_len = 3;
      if (log_n > c.max_log_height()) continue;
      // Every term falls as the LDE grows, so the tallest height is the
      // worst. DEEP degree: 3 (plain, D <= 3: max(D, chunks + 1)); 4 in zk
      // (chunks up to 2D at small n).
      const unsigned lh = std::max(log_n, c.min_log_height()) + (zk ? 1 : 0);
      if (fri::estimate_security(f, lh + lb, zk ? 4 : 3, 2).strict >= kBits) return c;
    }
  }
  throw std::invalid_argument("StarkConfig::for_height: no parameters reach 100 conjectured bits at 2^" +
                              std::to_string(log_n) + " rows" + (zk ? " with zero knowledge" : "") +
                              " (Fp4 challenges with " + std::to_string(kChallengePow) + " bits of challenge grinding)");
}

std::vector<uint8_t> serialize_proof(const StarkProof& p) {
  ByteWriter w;
  w.header(kProofMagic, kProofVersion);
  w.count(p.log_heights.size());
  for (unsigned h : p.log_heights) w.u8(static_cast<uint8_t>(h));
  for (const auto& pub : p.publics) w.fps(pub);
  write_commitment(w, p.main);
  if (!p.aux.roots.empty()) write_commitment(w, p.aux);
  write_commitment(w, p.quotient);
  if (!p.aux.roots.empty()) w.u64(p.logup_nonce);
  w.u64(p.alpha_nonce);
  w.u64(p.zeta_nonce);
  w.fp4s(p.cumsums);
  for (const auto& round : p.opened)
    for (const auto& mat : round)
      for (const auto& pt : mat) w.fp4s(pt);
  pcs::write_pcs_proof(w, p.pcs);
  return w.take();
}

ProofSizes proof_sizes(const StarkProof& p) {
  // Mirrors serialize_proof and pcs::write_pcs_proof field by field.
  constexpr size_t kDigest = 32, kCount = 4;
  ProofSizes s;
  for (const auto& round : p.opened)
    for (const auto& mat : round)
      for (const auto& pt : mat) s.ood_values += pt.size() * 16;
  const auto& f = p.pcs.fri;
  s.fri_commit = kCount + f.layer_roots.size() * (kDigest + 8) + kCount + f.final_poly.size() * 16 + 8 + 8;
  for (const auto& l : f.layers) {
    s.fri_commit += 2 * kCount;
    for (const auto& c : l.cosets) s.fri_values += c.size() * 16;
    s.fri_siblings += l.siblings.size() * kDigest;
  }
  auto add_tree = [&](const pcs::TreeOpening& t) {
    ++s.trees;
    s.fri_commit += 3 * kCount;
    s.round_rows.push_back(0);
    for (const auto& r : t.rows) s.round_rows.back() += r.size() * 4;
    s.query_rows += s.round_rows.back();
    for (const auto& salt : t.salts) s.query_salts += salt.size();
    s.query_siblings += t.siblings.size() * kDigest;
  };
  s.fri_commit += kCount;  // the opened round count
  for (const auto& round : p.pcs.openings) {
    s.fri_commit += kCount;
    for (const auto& t : round) add_tree(t);
  }
  s.header = 4 + 2 + kCount + p.log_heights.size();
  for (const auto& pub : p.publics) s.header += pub.size() * 4;
  for (const auto* c : {&p.main, &p.aux, &p.quotient})
    if (!c->roots.empty()) s.header += kCount + c->roots.size() * kDigest;
  s.header += p.cumsums.size() * 16 + 8 * ((p.aux.roots.empty() ? 0 : 1) + 2);  // grinding nonces
  return s;
}

StarkProof parse_proof(std::span<const uint8_t> bytes, const VerifyingKey& vk) {
  ByteReader r(bytes);
  auto top = r.scope("stark proof");
  r.header(kProofMagic, kProofVersion);
  StarkProof p;
  const size_t nt = vk.airs.size();
  r.expect_count(nt, "tables");
  const unsigned min_log = vk.config.min_log_height();
  for (size_t t = 0; t < nt; ++t) {
    auto sc = r.scope("table '" + vk.airs[t]->name() + "'");
    unsigned h = r.u8();
    if (h == 0 && !vk.airs[t]->may_be_absent()) r.fail("log height 0 (absent), but the table may not be absent");
    if (h != 0 && (h < min_log || h > vk.config.max_log_height()))
      r.fail("log height " + std::to_string(h) + " outside [" + std::to_string(min_log) + ", " +
             std::to_string(vk.config.max_log_height()) + "]");
    if (vk.pre_log_heights[t] != 0 && h != vk.pre_log_heights[t])
      r.fail("log height " + std::to_string(h) + " differs from its preprocessed height " +
             std::to_string(vk.pre_log_heights[t]));
    p.log_heights.push_back(h);
  }
  for (size_t t = 0; t < nt; ++t) {
    auto sc = r.scope("public values of '" + vk.airs[t]->name() + "'");
    p.publics.push_back(r.fps(vk.airs[t]->num_public_values()));
  }
  const auto dims = round_dims(vk, p.log_heights);
  p.main = read_commitment(r, "main");
  if (vk.has_bus()) p.aux = read_commitment(r, "aux");
  p.quotient = read_commitment(r, "quotient");
  {
    auto sc = r.scope("grinding nonces");
    if (vk.has_bus()) p.logup_nonce = r.u64();
    p.alpha_nonce = r.u64();
    p.zeta_nonce = r.u64();
  }
  {
    auto sc = r.scope("LogUp sums");
    size_t nbus = 0;
    for (size_t t = 0; t < nt; ++t) nbus += present(p.log_heights, t) && vk.shapes[t].num_interactions != 0;
    p.cumsums = r.fp4s(nbus);
  }
  {
    auto sc = r.scope("opened values");
    p.opened.resize(dims.size());
    for (size_t round = 0; round < dims.size(); ++round)
      for (size_t i = 0; i < dims[round].size(); ++i) {
        std::vector<std::vector<Fp4>> mat;
        for (size_t k = 0; k < points_of_matrix(vk, round, i, dims); ++k) mat.push_back(r.fp4s(dims[round][i].width));
        p.opened[round].push_back(std::move(mat));
      }
  }
  {
    auto sc = r.scope("pcs");
    p.pcs = pcs::read_pcs_proof(r, vk.config.pcs, dims, unsalted_rounds(vk));
  }
  r.expect_end();
  return p;
}

std::vector<uint8_t> serialize_vk(const VerifyingKey& vk) {
  ByteWriter w;
  w.header(kVkMagic, kProofVersion);
  w.u32(vk.program_id);
  const auto& f = vk.config.pcs.fri;
  w.u32(f.log_blowup);
  w.u32(f.num_queries);
  w.u32(f.pow_bits);
  w.u32(f.log_max_arity);
  w.u32(f.log_final_poly_len);
  w.u32(f.challenge_pow_bits);
  w.u8(vk.config.pcs.zk ? 1 : 0);
  w.count(vk.airs.size());
  for (unsigned h : vk.pre_log_heights) w.u8(static_cast<uint8_t>(h));
  w.count(vk.pre_commitment.roots.size());
  for (const auto& d : vk.pre_commitment.roots) w.bytes32(d.bytes);
  return w.take();
}

uint32_t read_vk_program_id(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  auto sc = r.scope("verifying key");
  r.header(kVkMagic, kProofVersion);
  return r.u32();
}

VerifyingKey parse_vk(std::span<const uint8_t> bytes, std::vector<const air::Air*> airs) {
  ByteReader r(bytes);
  auto sc = r.scope("verifying key");
  r.header(kVkMagic, kProofVersion);
  VerifyingKey vk;
  vk.program_id = r.u32();
  auto& f = vk.config.pcs.fri;
  f.log_blowup = r.u32();
  f.num_queries = r.u32();
  f.pow_bits = r.u32();
  f.log_max_arity = r.u32();
  f.log_final_poly_len = r.u32();
  f.challenge_pow_bits = r.u32();
  const uint8_t zk = r.u8();
  if (zk > 1) r.fail("zk flag " + std::to_string(zk) + " is not 0 or 1");
  vk.config.pcs.zk = zk == 1;
  try {
    vk.config.pcs.validate();
  } catch (const std::invalid_argument& e) {
    r.fail(std::string("bad parameters: ") + e.what());
  }
  r.expect_count(airs.size(), "tables");
  vk.airs = std::move(airs);
  for (size_t t = 0; t < vk.airs.size(); ++t) {
    unsigned h = r.u8();
    if (h > vk.config.max_log_height()) r.fail("preprocessed log height " + std::to_string(h) + " too large");
    if (h != 0 && h < vk.config.min_log_height())
      r.fail("preprocessed log height " + std::to_string(h) + " below the minimum " +
             std::to_string(vk.config.min_log_height()));
    vk.pre_log_heights.push_back(h);
  }
  // One mixed-height tree for all preprocessed columns (pcs.h), if any.
  const size_t roots = vk.has_pre() ? 1 : 0;
  r.expect_count(roots, "preprocessed roots");
  vk.pre_commitment.roots.resize(roots);
  for (auto& d : vk.pre_commitment.roots) d.bytes = r.bytes32();
  r.expect_end();
  try {
    prepare_vk(vk);
  } catch (const std::invalid_argument& e) {
    r.fail(e.what());
  }
  return vk;
}

}  // namespace zkvm::stark
