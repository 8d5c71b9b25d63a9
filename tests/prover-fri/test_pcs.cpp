// PCS tests: opened values equal the polynomials' values, verify accepts
// them, and wrong values / tampered openings / malformed bytes are rejected.
#include <catch2/catch.hpp>

#include <functional>

#include "fri_test_util.h"
#include "prover/hal/hal.h"
#include "prover/merkle/merkle.h"
#include "prover/pcs/pcs.h"
#include "prover/pcs/pcs_common.h"

using namespace zkvm;
using field::Fp;
using field::Fp4;
using pcs::MatrixDims;
using pcs::PcsConfig;
using test::Rng;

namespace {

PcsConfig test_config(bool zk = false) {
  PcsConfig c;
  c.fri.log_blowup = 1;
  c.fri.num_queries = 16;
  c.fri.pow_bits = 4;
  c.fri.log_max_arity = 3;
  c.fri.log_final_poly_len = 2;
  c.zk = zk;
  return c;
}

RowMajorMatrix<Fp> random_matrix(Rng& rng, size_t width, unsigned log_h) {
  RowMajorMatrix<Fp> m(width, size_t{1} << log_h);
  for (auto& v : m.values) v = rng.fp();
  return m;
}

// Column c of m (evaluations on H, natural order) evaluated at z, by
// Lagrange interpolation written out directly (independent of the PCS).
Fp4 eval_column(const RowMajorMatrix<Fp>& m, size_t c, const Fp4& z) {
  const size_t n = m.height;
  const Fp g = field::two_adic_generator(static_cast<unsigned>(__builtin_ctzll(n)));
  // f(z) = sum_i f(g^i) * (z^n - 1) / (n * g^-i * (z - g^i)) ... written as
  // prod form to stay obviously correct: L_i(z) = prod_{j != i} (z - g^j) / (g^i - g^j).
  Fp4 acc;
  Fp gi = Fp::one();
  for (size_t i = 0; i < n; ++i) {
    Fp4 num = Fp4::one();
    Fp den = Fp::one();
    Fp gj = Fp::one();
    for (size_t j = 0; j < n; ++j) {
      if (j != i) {
        num *= z - gj;
        den *= gi - gj;
      }
      gj *= g;
    }
    acc += num * (den.inverse() * m.at(i, c));
    gi *= g;
  }
  return acc;
}

struct Setup {
  PcsConfig config;
  std::vector<std::vector<RowMajorMatrix<Fp>>> mats;  // copies for checking
  pcs::OpeningPoints points;
};

Setup make_setup(bool zk, uint64_t seed) {
  Rng rng(seed);
  Setup s{test_config(zk), {}, {}};
  // Round 0: heights 2^6, 2^4, 2^6 (two share a tree); round 1: 2^5.
  s.mats.push_back({random_matrix(rng, 3, 6), random_matrix(rng, 2, 4), random_matrix(rng, 1, 6)});
  s.mats.push_back({random_matrix(rng, 4, 5)});
  const Fp4 zeta = rng.fp4();
  const Fp g6 = field::two_adic_generator(6);
  s.points = {{{zeta, zeta * g6}, {zeta}, {zeta * g6}}, {{zeta, rng.fp4()}}};
  if (zk) {  // the masking codeword (largest trace height 2^6) joins round 1 (kMask)
    s.mats[1].push_back(pcs::random_mask(6));
    s.points[1].emplace_back();
  }
  return s;
}

// Where make_setup puts the zk mask: round 1, matrix 1.
constexpr pcs::MaskRef kMask{1, 1};

struct Proven {
  std::vector<pcs::RoundClaim> claims;
  pcs::PcsProof proof;
  pcs::OpenedValues values;
};

// keep_rows(round, matrix) >= 0: keep_lde_rows(matrix, that many rows)
// after the commitment (memory mode; the proof must not change).
using KeepRows = std::function<long(size_t, size_t)>;

Proven prove(const Setup& s, pcs::PcsProver::CheatForTesting cheat = {},
             std::unique_ptr<hal::Hal> hal = hal::make_cpu_hal(), const KeepRows& keep_rows = {}) {
  pcs::PcsProver prover(s.config, *hal);
  prover.set_cheat_for_testing(std::move(cheat));
  transcript::Challenger ch("pcs-test");
  std::vector<std::shared_ptr<pcs::ProverRound>> rounds;
  for (const auto& r : s.mats) {
    rounds.push_back(prover.commit(r));
    pcs::observe_commitment(ch, "round", rounds.back()->commitment());
    for (size_t i = 0; keep_rows && i < r.size(); ++i)
      if (const long k = keep_rows(rounds.size() - 1, i); k >= 0)
        rounds.back()->keep_lde_rows(i, static_cast<size_t>(k));
  }
  std::vector<const pcs::ProverRound*> rp;
  for (auto& r : rounds) rp.push_back(r.get());
  std::optional<pcs::MaskRef> mask;
  if (s.config.zk) mask = kMask;
  auto opening = prover.open(rp, s.points, ch, mask);
  Proven p;
  for (size_t r = 0; r < rounds.size(); ++r) {
    pcs::RoundClaim c;
    c.commitment = rounds[r]->commitment();
    for (size_t i = 0; i < rounds[r]->num_matrices(); ++i) c.dims.push_back(rounds[r]->dims(i));
    c.points = s.points[r];
    c.values = opening.values[r];
    if (s.config.zk && r == kMask.round) c.mask = static_cast<int>(kMask.matrix);
    p.claims.push_back(std::move(c));
  }
  p.proof = std::move(opening.proof);
  p.values = std::move(opening.values);
  return p;
}

void verify(const Setup& s, const std::vector<pcs::RoundClaim>& claims, const pcs::PcsProof& proof) {
  transcript::Challenger ch("pcs-test");
  for (const auto& c : claims) pcs::observe_commitment(ch, "round", c.commitment);
  pcs::pcs_verify(s.config, claims, proof, ch);
}

std::vector<std::vector<MatrixDims>> dims_of(const std::vector<pcs::RoundClaim>& claims) {
  std::vector<std::vector<MatrixDims>> d;
  for (const auto& c : claims) d.push_back(c.dims);
  return d;
}

}  // namespace

TEST_CASE("PCS opens each column at each point to its polynomial's value and verifies") {
  for (bool zk : {false, true}) {
    INFO("zk " << zk);
    const auto s = make_setup(zk, 1);
    const auto p = prove(s);
    for (size_t r = 0; r < s.mats.size(); ++r)
      for (size_t i = 0; i < s.mats[r].size(); ++i)
        for (size_t pt = 0; pt < s.points[r][i].size(); ++pt)
          for (size_t c = 0; c < s.mats[r][i].width; ++c)
            REQUIRE(p.values[r][i][pt][c] == eval_column(s.mats[r][i], c, s.points[r][i][pt]));
    REQUIRE_NOTHROW(verify(s, p.claims, p.proof));
  }
}

TEST_CASE("PCS proofs through the dual backend (cpu, cpu) equal the plain CPU proofs") {
  const auto s = make_setup(false, 20);
  const auto a = prove(s);
  const auto b = prove(s, {}, hal::make_dual_hal(hal::make_cpu_hal(), hal::make_cpu_hal()));
  transcript::ByteWriter wa, wb;
  pcs::write_pcs_proof(wa, a.proof);
  pcs::write_pcs_proof(wb, b.proof);
  REQUIRE(wa.data() == wb.data());
  REQUIRE(a.values == b.values);
}

TEST_CASE("PCS proofs are the same when the LDEs keep only their first rows (dropped rows recomputed)") {
  for (const bool zk : {false, true}) {
    INFO("zk " << zk);
    const auto s = make_setup(zk, 21);
    const auto seed = merkle::ScopedRandomSeed::fresh();
    auto run = [&](const KeepRows& keep) {
      const merkle::ScopedRandomSeed scoped(seed);  // the same salts and masks
      return prove(s, {}, hal::make_cpu_hal(), keep);
    };
    const auto full = run({});
    // Every matrix down to its trace height n; only round 0's first matrix
    // (2^6 rows, LDE 2^7) to a count between n and the LDE height.
    const auto lean = run([&](size_t r, size_t i) {
      return zk && r == kMask.round && i == kMask.matrix ? -1L : static_cast<long>(s.mats[r][i].height);
    });
    const auto some = run([](size_t r, size_t i) { return r == 0 && i == 0 ? 96L : -1L; });
    transcript::ByteWriter wf, wl, ws;
    pcs::write_pcs_proof(wf, full.proof);
    pcs::write_pcs_proof(wl, lean.proof);
    pcs::write_pcs_proof(ws, some.proof);
    REQUIRE(wf.data() == wl.data());
    REQUIRE(wf.data() == ws.data());
    REQUIRE(full.values == lean.values);
    REQUIRE_NOTHROW(verify(s, lean.claims, lean.proof));
  }
}

TEST_CASE("PCS keep_lde_rows refuses fewer rows than the matrix's height") {
  const auto s = make_setup(false, 22);
  auto hal = hal::make_cpu_hal();
  pcs::PcsProver prover(s.config, *hal);
  auto round = prover.commit(s.mats[0]);
  REQUIRE_THROWS_WITH(round->keep_lde_rows(0, 63), Catch::Contains("less than its height 64"));
  REQUIRE_NOTHROW(round->keep_lde_rows(0, 64));
  REQUIRE(round->lde(0).height == 64);
}

TEST_CASE("PCS commits each round as one mixed-height tree") {
  const auto s = make_setup(false, 2);
  const auto p = prove(s);
  REQUIRE(p.claims[0].commitment.roots.size() == 1);  // two heights, one tree
  REQUIRE(p.claims[1].commitment.roots.size() == 1);
  REQUIRE(p.proof.openings[0].size() == 1);
}

TEST_CASE("PCS verifier rejects a wrong claimed value from a prover that stays consistent") {
  for (bool zk : {false, true}) {
    for (size_t which : {0, 1}) {
      INFO("zk " << zk << ", case " << which);
      const auto s = make_setup(zk, 30 + which);
      // The cheater alters one value, observes the altered value, builds
      // the DEEP batch from it and lets FRI truncate the final polynomial.
      pcs::PcsProver::CheatForTesting cheat;
      cheat.tamper_values = [which](pcs::OpenedValues& v) {
        if (which == 0) v[0][1][0][1] += Fp4(Fp::one());
        else v[1][0][1][3] += Fp4(Fp::one());
      };
      const auto p = prove(s, cheat);
      REQUIRE_THROWS_WITH(verify(s, p.claims, p.proof),
                          Catch::Contains("final polynomial disagrees") ||
                              Catch::Contains("differs from the folded value"));
    }
  }
}

TEST_CASE("PCS cheating hook alone (no tamper) still yields accepted proofs") {
  const auto s = make_setup(false, 33);
  pcs::PcsProver::CheatForTesting cheat;
  cheat.tamper_values = [](pcs::OpenedValues&) {};
  const auto p = prove(s, cheat);
  REQUIRE_NOTHROW(verify(s, p.claims, p.proof));
}

TEST_CASE("PCS verifier rejects a wrong claimed value in an honest proof") {
  for (bool zk : {false, true}) {
    INFO("zk " << zk);
    const auto s = make_setup(zk, 3);
    auto p = prove(s);
    // Every (round, matrix, point, column) position is checked the same
    // way; try one in the small-height matrix and one in the second round.
    auto c1 = p.claims;
    c1[0].values[1][0][1] += Fp4(Fp::one());
    REQUIRE_THROWS_AS(verify(s, c1, p.proof), fri::VerifyError);
    auto c2 = p.claims;
    c2[1].values[0][1][3] += Fp4(Fp::one());
    REQUIRE_THROWS_AS(verify(s, c2, p.proof), fri::VerifyError);
  }
}

TEST_CASE("PCS verifier rejects a tampered opened row with the tree named") {
  const auto s = make_setup(false, 4);
  auto p = prove(s);
  // The last column of the tree row: the shorter matrix's, which joins
  // the tree above the leaves.
  p.proof.openings[0][0].rows[0].back() += Fp::one();
  REQUIRE_THROWS_WITH(verify(s, p.claims, p.proof),
                      Catch::Contains("pcs: round 0 tree 0: merkle"));
}

TEST_CASE("PCS zk mask: a tampered mask opening, a missing, misplaced or misshapen mask are rejected") {
  const auto s = make_setup(true, 5);
  auto p = prove(s);
  REQUIRE_NOTHROW(verify(s, p.claims, p.proof));
  // Round 1's tree: the mask (2^6, the tallest) first, its 4 columns first.
  auto bad = p.proof;
  bad.openings[1][0].rows[0][2] += Fp::one();
  REQUIRE_THROWS_WITH(verify(s, p.claims, bad), Catch::Contains("pcs: round 1 tree 0: merkle"));
  auto s2 = s;
  s2.config.zk = false;
  REQUIRE_THROWS_WITH(verify(s2, p.claims, p.proof), Catch::Contains("1 masking codewords, expected none (no zk)"));
  auto none = p.claims;
  none[1].mask = -1;
  REQUIRE_THROWS_WITH(verify(s, none, p.proof), Catch::Contains("round 1 matrix 1: no opening point"));
  none[1].dims.pop_back(), none[1].points.pop_back(), none[1].values.pop_back();
  REQUIRE_THROWS_WITH(verify(s, none, p.proof), Catch::Contains("0 masking codewords, expected 1 (zk)"));
  auto shape = p.claims;
  shape[1].dims[1] = {5, 4};
  REQUIRE_THROWS_WITH(verify(s, shape, p.proof), Catch::Contains("the mask is 4 x 2^5, expected 4 x 2^6"));
  auto pub = p.claims;
  pub[1].unsalted = true;
  REQUIRE_THROWS_WITH(verify(s, pub, p.proof), Catch::Contains("the mask is in an unsalted round"));
  auto with_points = p.claims;
  with_points[1].points[1] = {s.points[1][0][0]};
  with_points[1].values[1] = {std::vector<Fp4>(4)};
  REQUIRE_THROWS_WITH(verify(s, with_points, p.proof), Catch::Contains("round 1: the mask has opening points"));
  auto range = p.claims;
  range[1].mask = 2;
  REQUIRE_THROWS_WITH(verify(s, range, p.proof), Catch::Contains("mask index 2 out of range"));
}

TEST_CASE("PCS prover refuses zk without a mask, a mask without zk, and a cut mask") {
  const auto s = make_setup(true, 6);
  auto hal = hal::make_cpu_hal();
  auto open_with = [&](const PcsConfig& config, std::optional<pcs::MaskRef> mask, bool cut) {
    pcs::PcsProver prover(config, *hal);
    transcript::Challenger ch("pcs-test");
    std::vector<std::shared_ptr<pcs::ProverRound>> rounds;
    for (const auto& r : s.mats) rounds.push_back(prover.commit(r));
    if (cut) rounds[1]->keep_lde_rows(1, 64);
    return prover.open({rounds[0].get(), rounds[1].get()}, s.points, ch, mask);
  };
  REQUIRE_THROWS_WITH(open_with(s.config, std::nullopt, false),
                      Catch::Contains("round 1 matrix 1 has no opening point"));
  auto plain = s.config;
  plain.zk = false;
  REQUIRE_THROWS_WITH(open_with(plain, kMask, false), Catch::Contains("a masking codeword without zk"));
  REQUIRE_THROWS_WITH(open_with(s.config, kMask, true), Catch::Contains("the mask's LDE was cut"));
  REQUIRE_THROWS_WITH(open_with(s.config, pcs::MaskRef{1, 0}, false),
                      Catch::Contains("round 1 matrix 0 is the mask but has opening points"));
  REQUIRE_NOTHROW(open_with(s.config, kMask, false));
}

TEST_CASE("PCS zk masking: the FRI layers of all-zero polynomials are random, and zero without zk") {
  // Zero columns make every DEEP quotient (f - f(z)) / (X - z) zero, so the
  // batch is the masking codeword alone: a mask that is not added (or is
  // zero) leaves every FRI value and the final polynomial zero, as the
  // plain proof shows.
  for (const bool zk : {false, true}) {
    INFO("zk " << zk);
    auto s = make_setup(zk, 12);
    for (auto& round : s.mats)
      for (size_t i = 0; i < round.size(); ++i)
        if (!(zk && &round == &s.mats[kMask.round] && i == kMask.matrix)) std::fill(round[i].values.begin(), round[i].values.end(), Fp());
    const auto p = prove(s);
    REQUIRE_NOTHROW(verify(s, p.claims, p.proof));
    size_t nonzero = 0, total = 0;
    for (const auto& c : p.proof.fri.final_poly) nonzero += !c.is_zero(), ++total;
    for (const auto& l : p.proof.fri.layers)
      for (const auto& coset : l.cosets)
        for (const auto& v : coset) nonzero += !v.is_zero(), ++total;
    REQUIRE(total > 0);
    if (zk) {
      REQUIRE(nonzero == total);  // uniform values: none zero (probability ~ total / 2^124)
    } else {
      REQUIRE(nonzero == 0);
    }
  }
}

TEST_CASE("PCS zk commitments are hiding: the same matrices commit to different roots") {
  Rng rng(6);
  const auto m = random_matrix(rng, 2, 5);
  auto hal = hal::make_cpu_hal();
  pcs::PcsProver zk(test_config(true), *hal), plain(test_config(false), *hal);
  REQUIRE(zk.commit({m})->commitment().roots[0] != zk.commit({m})->commitment().roots[0]);
  REQUIRE(plain.commit({m})->commitment().roots[0] == plain.commit({m})->commitment().roots[0]);
}

TEST_CASE("PCS verifier rejects claims whose shapes disagree with the commitment") {
  const auto s = make_setup(false, 7);
  const auto p = prove(s);
  auto c = p.claims;
  c[0].values[0][0].pop_back();
  REQUIRE_THROWS_WITH(verify(s, c, p.proof), Catch::Contains("expected width 3"));
  auto c2 = p.claims;
  c2[0].commitment.roots.pop_back();
  REQUIRE_THROWS_WITH(verify(s, c2, p.proof), Catch::Contains("expected one (one tree per round)"));
}

TEST_CASE("PCS prover refuses an opening point inside the evaluation coset") {
  auto s = make_setup(false, 8);
  s.points[1][0][0] = Fp4(pcs::kCosetShift);  // s * g^0 is a trace-coset point
  REQUIRE_THROWS_WITH(prove(s), Catch::Contains("lies in the evaluation coset"));
}

TEST_CASE("PCS prover and verifier refuse a matrix that lists the same point twice") {
  auto s = make_setup(false, 10);
  const auto p = prove(s);
  auto bad = s;
  bad.points[0][0][1] = bad.points[0][0][0];
  REQUIRE_THROWS_WITH(prove(bad), Catch::Contains("round 0 matrix 0 lists point 0 twice"));
  auto c = p.claims;
  c[0].points[0][1] = c[0].points[0][0];
  REQUIRE_THROWS_WITH(verify(s, c, p.proof), Catch::Contains("lists point 0 twice"));
}

TEST_CASE("PCS proof round-trips through bytes, and truncations and bad counts are rejected") {
  for (bool zk : {false, true}) {
    INFO("zk " << zk);
    const auto s = make_setup(zk, 9);
    const auto p = prove(s);
    transcript::ByteWriter w;
    pcs::write_pcs_proof(w, p.proof);
    const auto bytes = w.take();
    {
      transcript::ByteReader r(bytes);
      const auto back = pcs::read_pcs_proof(r, s.config, dims_of(p.claims));
      REQUIRE_NOTHROW(r.expect_end());
      REQUIRE_NOTHROW(verify(s, p.claims, back));
    }
    for (size_t cut = 0; cut < bytes.size(); cut += 13) {
      transcript::ByteReader r(std::span<const uint8_t>(bytes).first(cut));
      REQUIRE_THROWS_AS(pcs::read_pcs_proof(r, s.config, dims_of(p.claims)),
                        transcript::ProofFormatError);
    }
    auto bad = bytes;
    bad[8] = 0x7f;  // after the batch nonce: FRI's layer root count
    transcript::ByteReader r(bad);
    REQUIRE_THROWS_WITH(pcs::read_pcs_proof(r, s.config, dims_of(p.claims)),
                        Catch::Contains("layer root count 127"));
  }
}

TEST_CASE("PCS verifier rejects every single-byte change of a serialized proof without crashing") {
  for (bool zk : {false, true}) {
    INFO("zk " << zk);
    const auto s = make_setup(zk, 21);
    const auto p = prove(s);
    transcript::ByteWriter w;
    pcs::write_pcs_proof(w, p.proof);
    const auto bytes = w.take();
    size_t rejected = 0, tried = 0;
    for (size_t i = 0; i < bytes.size(); i += 3) {
      auto bad = bytes;
      bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
      ++tried;
      try {
        transcript::ByteReader r(bad);
        const auto q = pcs::read_pcs_proof(r, s.config, dims_of(p.claims));
        r.expect_end();
        verify(s, p.claims, q);
      } catch (const transcript::ProofFormatError&) {
        ++rejected;
      } catch (const fri::VerifyError&) {
        ++rejected;
      }
    }
    REQUIRE(rejected == tried);
  }
}

TEST_CASE("PCS commit_public: the same root with and without zk, unsalted openings that verify only as unsalted") {
  Rng rng(21);
  const auto m = random_matrix(rng, 2, 5);
  auto hal = hal::make_cpu_hal();
  const PcsConfig plain = test_config(false);
  PcsConfig zk = test_config(true);
  zk.fri.num_queries = 9;  // other query count and PoW: same commitment
  zk.fri.pow_bits = 0;
  pcs::PcsProver pp(plain, *hal), pz(zk, *hal);
  const auto root = pp.commit({m})->commitment().roots;
  REQUIRE(pz.commit_public({m})->commitment().roots == root);
  REQUIRE(pz.commit_public({m})->commitment().roots == root);  // deterministic
  REQUIRE(pz.commit({m})->commitment().roots != root);         // salted
  // A zk opening of a public round and a salted round.
  auto pub = pz.commit_public({m});
  auto sec = pz.commit({random_matrix(rng, 3, 5), pcs::random_mask(5)});  // zk: the mask joins the salted round
  transcript::Challenger ch("pcs-test");
  pcs::observe_commitment(ch, "round", pub->commitment());
  pcs::observe_commitment(ch, "round", sec->commitment());
  const Fp4 z = rng.fp4();
  const pcs::OpeningPoints pts{{{z}}, {{z}, {}}};
  auto opening = pz.open({pub.get(), sec.get()}, pts, ch, pcs::MaskRef{1, 1});
  REQUIRE(opening.proof.openings[0][0].salts.empty());
  REQUIRE(opening.proof.openings[1][0].salts.size() == opening.proof.openings[1][0].rows.size());
  std::vector<pcs::RoundClaim> claims(2);
  for (size_t r = 0; r < 2; ++r) {
    const auto& round = r == 0 ? *pub : *sec;
    claims[r].commitment = round.commitment();
    for (size_t i = 0; i < round.num_matrices(); ++i) claims[r].dims.push_back(round.dims(i));
    claims[r].points = pts[r];
    claims[r].values = opening.values[r];
  }
  claims[0].unsalted = true;
  claims[1].mask = 1;
  auto run = [&](const std::vector<pcs::RoundClaim>& c, const pcs::PcsProof& p) {
    transcript::Challenger vch("pcs-test");
    for (const auto& x : c) pcs::observe_commitment(vch, "round", x.commitment);
    pcs::pcs_verify(zk, c, p, vch);
  };
  REQUIRE_NOTHROW(run(claims, opening.proof));
  auto salted = claims;
  salted[0].unsalted = false;  // a verifier expecting salts there refuses
  REQUIRE_THROWS_AS(run(salted, opening.proof), fri::VerifyError);
  // Bytes: the reader needs the same flags.
  transcript::ByteWriter w;
  pcs::write_pcs_proof(w, opening.proof);
  const auto bytes = w.take();
  const std::vector<std::vector<MatrixDims>> dims{claims[0].dims, claims[1].dims};
  {
    transcript::ByteReader r(bytes);
    const auto back = pcs::read_pcs_proof(r, zk, dims, {true, false});
    REQUIRE_NOTHROW(r.expect_end());
    REQUIRE_NOTHROW(run(claims, back));
  }
  transcript::ByteReader r(bytes);
  REQUIRE_THROWS_AS(pcs::read_pcs_proof(r, zk, dims), transcript::ProofFormatError);
}

TEST_CASE("PCS mask height is the largest trace height of the other matrices") {
  CHECK(pcs::mask_log_height({{{6, 3}, {4, 2}}, {{5, 4}}}) == 6);
  CHECK(pcs::mask_log_height({{{3, 1}}, {{9, 1}, {2, 8}}}) == 9);
  CHECK(pcs::mask_log_height({}) == 0);
}
