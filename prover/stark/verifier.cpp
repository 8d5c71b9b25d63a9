// STARK verifier. Mirrors prover.cpp step for step (same transcript labels,
// same round order [pre], main, [aux], quotient).
//
// What this file checks (each has a test in tests/stark that fails without
// it, see docs/STARK.md "Verifier checks"):
//   V0 the proof's parameters at its heights reach the security floor
//   V1 proof shape matches the vk (tables, heights in range, publics,
//      opened value shapes)
//   V2 zeta avoids every trace domain H_t (else Z_H(zeta) = 0)
//   V3 per table: sum_i alpha^i C_i(zeta) == Z_H(zeta) * Q(zeta)
//   V4 sum of all tables' LogUp cumulative sums + public boundary terms == 0
//   V5 PCS: every opened value is the committed polynomial's value (FRI)
#include <algorithm>
#include <cstdio>
#include <new>
#include <string>

#include "prover/stark/verifier.h"

namespace zkvm::stark {

namespace {

Fp4 recombine(std::span<const Fp4> coords) {
  // h = sum_i c_i x^i: a committed Fp4 column is 4 base columns.
  const Fp4 x = Fp4::x();
  return coords[0] + x * coords[1] + x * x * coords[2] + x * x * x * coords[3];
}

std::vector<Fp4> recombine_all(std::span<const Fp4> flat) {
  std::vector<Fp4> out(flat.size() / 4);
  for (size_t k = 0; k < out.size(); ++k) out[k] = recombine(flat.subspan(4 * k, 4));
  return out;
}

void check_shape(const VerifyingKey& vk, const StarkProof& p) {
  const size_t nt = vk.airs.size();
  if (p.log_heights.size() != nt || p.publics.size() != nt)
    throw VerifyError("proof has " + std::to_string(p.log_heights.size()) + " tables, vk has " + std::to_string(nt));
  size_t nbus = 0;
  for (size_t t = 0; t < nt; ++t) {
    const std::string tn = "table '" + vk.airs[t]->name() + "': ";
    // SOUNDNESS: only a table whose AIR allows it may be absent (height 0):
    // absence skips its constraints and its LogUp sum.
    if (p.log_heights[t] == 0 && !vk.airs[t]->may_be_absent())
      throw VerifyError(tn + "absent, but the table may not be absent");
    if (p.publics[t].size() != vk.airs[t]->num_public_values()) throw VerifyError(tn + "wrong number of public values");
    if (p.log_heights[t] == 0) continue;
    // SOUNDNESS: bounds every shift and size derived from the height
    // (uint64_t{1} << h, LDE sizes) before anything uses it.
    if (p.log_heights[t] < vk.config.min_log_height() || p.log_heights[t] > vk.config.max_log_height())
      throw VerifyError(tn + "log height " + std::to_string(p.log_heights[t]) + " outside [" +
                        std::to_string(vk.config.min_log_height()) + ", " + std::to_string(vk.config.max_log_height()) +
                        "]");
    if (vk.pre_log_heights[t] != 0 && p.log_heights[t] != vk.pre_log_heights[t])
      throw VerifyError(tn + "height differs from its preprocessed height");
    nbus += vk.shapes[t].num_interactions != 0;
  }
  if (p.cumsums.size() != nbus) throw VerifyError("wrong number of LogUp sums");
  const auto dims = round_dims(vk, p.log_heights);
  if (p.opened.size() != dims.size()) throw VerifyError("wrong number of opened rounds");
  for (size_t r = 0; r < dims.size(); ++r) {
    if (p.opened[r].size() != dims[r].size()) throw VerifyError("opened round " + std::to_string(r) + ": wrong matrix count");
    for (size_t m = 0; m < dims[r].size(); ++m) {
      if (p.opened[r][m].size() != points_of_matrix(vk, r, m, dims)) throw VerifyError("opened round " + std::to_string(r) + ": wrong point count");
      for (const auto& v : p.opened[r][m])
        if (v.size() != dims[r][m].width) throw VerifyError("opened round " + std::to_string(r) + ": wrong width");
    }
  }
}

}  // namespace

transcript::Challenger start_transcript(const VerifyingKey& vk, std::span<const unsigned> log_heights,
                                        const std::vector<std::vector<Fp>>& publics) {
  transcript::Challenger ch(kTranscriptDomain);
  const auto vkb = serialize_vk(vk);
  ch.observe_bytes("vk", vkb);
  for (unsigned h : log_heights) ch.observe_u64("log height", h);
  // SOUNDNESS: public values are observed before any challenge.
  for (const auto& p : publics) ch.observe_fps("public values", p);
  return ch;
}

namespace {

// A grinding nonce before the challenge `what`: observed if it has `bits`
// leading zero bits, else VerifyError naming the challenge.
void check_grind(transcript::Challenger& ch, unsigned bits, uint64_t nonce, const std::string& what) {
  if (!ch.check_pow(bits, nonce))
    throw VerifyError(what + ": challenge grinding nonce " + std::to_string(nonce) + " does not have " +
                      std::to_string(bits) + " leading zero bits");
}

// V0, V1.
void check_proof(const VerifyingKey& vk, const StarkProof& proof, const VerifyOptions& opts) {
  check_shape(vk, proof);  // V1
  if (opts.min_security_bits != 0) {  // V0
    std::string weakest;
    const double bits = security_bits(vk, proof.log_heights, &weakest);
    if (bits < opts.min_security_bits) {
      unsigned tallest = 0;
      for (unsigned h : proof.log_heights) tallest = std::max(tallest, h);
      char b[32];
      std::snprintf(b, sizeof b, "%.1f", bits);
      throw InsecureError(std::string("security: ") + b + " conjectured bits for a tallest table of 2^" + std::to_string(tallest) +
                          " rows (weakest term: " + weakest + "), below the floor of " +
                          std::to_string(opts.min_security_bits) + " (docs/SECURITY.md)");
    }
  }
}

// Sum of public bus terms, each checked against the tuple length its bus
// has in the tables (the fingerprint does not encode the length).
Fp4 public_terms(const VerifyingKey& vk, std::span<const air::PublicInteraction> terms, const LogupChallenges& lc,
                 const std::string& owner) {
  Fp4 total_sum;
  {
    for (const air::PublicInteraction& pi : terms) {
      if (!vk.has_bus()) throw VerifyError(owner + ": public bus terms but no table uses a bus");
      // A public term must match the tuple length the tables use on its bus
      // (the fingerprint does not encode the length).
      bool arity_ok = false;
      for (const air::AirShape& s : vk.shapes) {
        const auto it = s.bus_arity.find(pi.bus);
        if (it != s.bus_arity.end()) arity_ok = it->second == pi.tuple.size();
      }
      if (!arity_ok)
        throw VerifyError(owner + ": public bus term on bus " + std::to_string(pi.bus) +
                          " has no table using that bus with a tuple of length " + std::to_string(pi.tuple.size()));
      const auto bp = powers(lc.beta, pi.tuple.size() + 1);
      const Fp4 d = lc.alpha - logup_fingerprint(pi.bus, pi.tuple, bp);
      if (d.is_zero()) throw VerifyError("LogUp: challenge hit a public tuple's fingerprint");
      total_sum += d.inverse() * (pi.send ? pi.mult : -pi.mult);
    }
  }
  return total_sum;
}

// V2, V3, V5 of one proof after its LogUp challenges; returns the proof's
// share of V4 (its LogUp sums plus its tables' public terms). With
// `balance` V4 itself is checked (before V5) for a proof on its own.
Fp4 verify_tables(const VerifyingKey& vk, const StarkProof& proof, transcript::Challenger& ch,
                  const LogupChallenges& lc, bool balance) {
  const size_t nt = vk.airs.size();
  const auto dims = round_dims(vk, proof.log_heights);
  const Fp4 logup_alpha = lc.alpha, logup_beta = lc.beta;
  if (vk.has_bus()) {
    pcs::observe_commitment(ch, "aux", proof.aux);
    ch.observe_fp4s("logup sums", proof.cumsums);
  }
  const unsigned grind = vk.config.pcs.fri.challenge_pow_bits;
  check_grind(ch, grind, proof.alpha_nonce, "constraint alpha");
  const Fp4 alpha = ch.sample_fp4("constraint alpha");
  pcs::observe_commitment(ch, "quotient", proof.quotient);
  check_grind(ch, grind, proof.zeta_nonce, "zeta");
  const Fp4 zeta = ch.sample_fp4("zeta");

  // Round indices.
  const size_t r_pre = 0;
  const size_t r_main = vk.has_pre() ? 1 : 0;
  const size_t r_aux = r_main + 1;
  const size_t r_q = dims.size() - 1;

  std::vector<pcs::RoundClaim> claims(dims.size());
  for (size_t r = 0; r < dims.size(); ++r) {
    claims[r].dims = dims[r];
    claims[r].values = proof.opened[r];
  }
  if (vk.has_pre()) {
    claims[r_pre].commitment = vk.pre_commitment;
    claims[r_pre].unsalted = true;  // public, committed with commit_public
  }
  claims[r_main].commitment = proof.main;
  if (vk.has_bus()) claims[r_aux].commitment = proof.aux;
  claims[r_q].commitment = proof.quotient;

  size_t pre_i = 0, aux_i = 0;
  Fp4 total_sum;
  for (size_t t = 0; t < nt; ++t) {
    if (!present(proof.log_heights, t)) continue;  // absent: nothing to check (check_shape)
    const size_t mi = matrix_index(proof.log_heights, t);
    const air::Air& a = *vk.airs[t];
    const air::AirShape& shape = vk.shapes[t];
    const std::string tn = "table '" + a.name() + "'";
    const unsigned log_n = proof.log_heights[t];
    const uint64_t n = uint64_t{1} << log_n;
    const Fp g = field::two_adic_generator(log_n);
    const Fp g_inv = g.inverse();
    const Fp4 zeta_next = zeta * g;
    const Fp4 zh = zeta.pow(n) - Fp4::one();
    // V2: Z_H(zeta) != 0 (zeta outside H); zeta - 1 and zeta - g^-1 then
    // cannot vanish either, as 1 and g^-1 lie in H.
    if (zh.is_zero()) throw VerifyError(tn + ": zeta lies in the trace domain");
    const std::vector<Fp4> zpts{zeta, zeta_next};

    air::PointBuilder b;
    b.local = proof.opened[r_main][mi][0];
    b.next = proof.opened[r_main][mi][1];
    set_logup_mask(b, vk, t);
    claims[r_main].points.push_back(zpts);
    if (vk.pre_log_heights[t] != 0) {
      b.pre_local = proof.opened[r_pre][pre_i][0];
      b.pre_next_row = proof.opened[r_pre][pre_i][1];
      claims[r_pre].points.push_back(zpts);
      ++pre_i;
    }
    std::vector<Fp4> aux_local, aux_next;
    if (shape.num_interactions != 0) {
      aux_local = recombine_all(proof.opened[r_aux][aux_i][0]);
      aux_next = recombine_all(proof.opened[r_aux][aux_i][1]);
      b.aux_local = aux_local;
      b.aux_next = aux_next;
      b.cumsum = proof.cumsums[aux_i];
      total_sum += proof.cumsums[aux_i];
      claims[r_aux].points.push_back(zpts);
      ++aux_i;
    }
    claims[r_q].points.push_back({zeta});
    b.publics = proof.publics[t];
    b.logup_alpha = logup_alpha;
    const auto beta_pows = powers(logup_beta, shape.max_tuple_len + 1);
    const auto alpha_pows = powers(alpha, shape.num_constraints);
    b.beta_pows = beta_pows;
    b.alpha_pows = alpha_pows;
    b.logup_groups = shape.logup_groups;
    // The last constrained row: n - 1, or n - 1 - r before r random rows,
    // which V_R(zeta) = prod_(j=1..r) (zeta - g^-j) takes out of the
    // vanishing polynomial (Z_H / V_R vanishes on rows 0 .. n - 1 - r only).
    const size_t zr = zk_random_rows(vk, t);
    const Fp g_last = g_inv.pow(zr + 1);
    Fp4 v_r = Fp4::one();
    Fp gj = g_inv;
    for (size_t j = 1; j <= zr; ++j, gj *= g_inv) v_r *= zeta - Fp4(gj);
    b.sel_first = zh * (zeta - Fp4::one()).inverse();
    b.sel_last = zh * (zeta - Fp4(g_last)).inverse();
    b.sel_transition = zeta - Fp4(g_last);
    b.reset();
    a.eval(b);
    if (b.index != shape.num_constraints) throw VerifyError(tn + ": AIR evaluated an unexpected number of constraints");

    // Q(zeta) = sum_c zeta^(c stride) q_c(zeta) (stride n, or n - r).
    const auto& qv = proof.opened[r_q][mi][0];
    const QuotientLayout ql = quotient_layout(vk, t, log_n);
    const Fp4 zs = zeta.pow(ql.stride);
    Fp4 q, zc = Fp4::one();
    for (size_t c = 0; c < ql.chunks; ++c) {
      q += zc * recombine(std::span<const Fp4>(qv).subspan(4 * c, 4));
      zc *= zs;
    }
    // V3: C(zeta) V_R(zeta) == Z_H(zeta) Q(zeta) (V_R = 1 without random rows).
    if (b.acc * v_r != zh * q) throw VerifyError(tn + ": constraints at zeta do not match the quotient");
  }
  if (vk.config.pcs.zk) {  // FRI's masking codeword, the main round's last matrix
    claims[r_main].mask = static_cast<int>(claims[r_main].points.size());
    claims[r_main].points.emplace_back();
  }
  // Public boundary terms: fixed by the statement (the public values).
  // (of absent tables too: they are part of the statement)
  for (size_t t = 0; t < nt; ++t)
    total_sum += public_terms(vk, vk.airs[t]->public_interactions(proof.publics[t]), lc, vk.airs[t]->name());
  // V4: every bus balances: tables' sums plus public boundary terms.
  if (balance && !total_sum.is_zero())
    throw VerifyError("LogUp: the bus sums (tables and public terms) do not add to zero");
  // V5
  try {
    pcs::pcs_verify(vk.config.pcs, claims, proof.pcs, ch);
  } catch (const fri::VerifyError& e) {
    throw VerifyError(std::string("pcs: ") + e.what());
  } catch (const transcript::ProofFormatError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    // Any other complaint of the PCS about prover-supplied data is a
    // rejection too (never a crash across the C API).
    throw VerifyError(std::string("pcs: ") + e.what());
  }
  return total_sum;
}

}  // namespace

void verify(const VerifyingKey& vk, const StarkProof& proof, const VerifyOptions& opts) {
  check_proof(vk, proof, opts);
  auto ch = start_transcript(vk, proof.log_heights, proof.publics);
  pcs::observe_commitment(ch, "main", proof.main);
  LogupChallenges lc;
  if (vk.has_bus())
    lc = logup_challenges(ch, logup_pow_bits(vk, logup_degree(vk, proof.log_heights, proof.publics)),
                          proof.logup_nonce);
  verify_tables(vk, proof, ch, lc, true);
}

LogupChallenges logup_challenges(transcript::Challenger& ch, unsigned bits, std::optional<uint64_t> nonce) {
  LogupChallenges lc;
  if (nonce) {
    check_grind(ch, bits, *nonce, "LogUp");
    lc.nonce = *nonce;
  } else {
    lc.nonce = ch.grind(bits);
  }
  lc.alpha = ch.sample_fp4("logup alpha");
  lc.beta = ch.sample_fp4("logup beta");
  return lc;
}

transcript::Challenger start_segments(const VerifyingKey& vk) {
  transcript::Challenger ch(kSegmentsTranscriptDomain);
  ch.observe_bytes("vk", serialize_vk(vk));
  return ch;
}

void observe_segment(transcript::Challenger& ch, std::span<const unsigned> log_heights,
                     const std::vector<std::vector<Fp>>& publics, const pcs::Commitment& main) {
  for (unsigned h : log_heights) ch.observe_u64("log height", h);
  // SOUNDNESS: public values are observed before any challenge.
  for (const auto& p : publics) ch.observe_fps("public values", p);
  pcs::observe_commitment(ch, "main", main);
}

LogupChallenges finish_segments(transcript::Challenger& ch, size_t num_segments, unsigned bits,
                                std::optional<uint64_t> nonce) {
  ch.observe_u64("segments", num_segments);
  return logup_challenges(ch, bits, nonce);
}

transcript::Challenger segment_transcript(const transcript::Challenger& global, size_t k) {
  transcript::Challenger ch = global;
  ch.observe_u64("segment", k);
  return ch;
}

void verify_segments(const VerifyingKey& vk, std::span<const StarkProof> proofs,
                     std::span<const air::PublicInteraction> extra_terms, const VerifyOptions& opts) {
  if (proofs.empty()) throw VerifyError("a segmented statement has no segments");
  if (!vk.has_bus()) throw VerifyError("segments of a statement without a bus cannot be linked");
  auto ch = start_segments(vk);
  for (size_t k = 0; k < proofs.size(); ++k) {
    try {
      check_proof(vk, proofs[k], opts);
    } catch (const VerifyError& e) {
      throw VerifyError("segment " + std::to_string(k) + ": " + e.what());
    }
    observe_segment(ch, proofs[k].log_heights, proofs[k].publics, proofs[k].main);
  }
  // One statement-wide nonce, carried by every segment's proof.
  for (size_t k = 1; k < proofs.size(); ++k)
    if (proofs[k].logup_nonce != proofs[0].logup_nonce)
      throw VerifyError("segment " + std::to_string(k) + ": its LogUp grinding nonce differs from segment 0's");
  double degree = logup_degree(extra_terms);
  for (const auto& p : proofs) degree += logup_degree(vk, p.log_heights, p.publics);
  const LogupChallenges lc = finish_segments(ch, proofs.size(), logup_pow_bits(vk, degree), proofs[0].logup_nonce);
  Fp4 total = public_terms(vk, extra_terms, lc, "the statement");
  for (size_t k = 0; k < proofs.size(); ++k) {
    auto sch = segment_transcript(ch, k);
    try {
      total += verify_tables(vk, proofs[k], sch, lc, false);
    } catch (const VerifyError& e) {
      throw VerifyError("segment " + std::to_string(k) + ": " + e.what());
    }
  }
  // V4 over the whole statement.
  if (!total.is_zero())
    throw VerifyError("LogUp: the bus sums of all segments (tables and public terms) do not add to zero");
}

void verify_bytes(const VerifyingKey& vk, std::span<const uint8_t> proof_bytes, const VerifyOptions& opts) {
  verify(vk, parse_proof(proof_bytes, vk), opts);
}

}  // namespace zkvm::stark
