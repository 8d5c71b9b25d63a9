// STARK prover. Mirrors verifier.cpp step for step (see proof.h for the
// protocol and the transcript order).
#include "prover/stark/prover.h"

#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <stdexcept>

#include "prover/hal/quotient.h"
#include "prover/ntt/ntt.h"
#include "prover/stark/quotient_split.h"
#include "prover/stark/verifier.h"

namespace zkvm::stark {

namespace {

// Wall time and process CPU time (all threads) per prover stage; CPU time
// stays meaningful on a loaded machine.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

class StageTimer {
 public:
  explicit StageTimer(std::vector<std::pair<std::string, double>>* out) : out_(out) {}
  void lap(const char* stage) {
    if (out_ == nullptr) return;
    const auto now = std::chrono::steady_clock::now();
    const double cpu = process_cpu_seconds();
    out_->emplace_back(stage, std::chrono::duration<double>(now - last_).count());
    out_->emplace_back(std::string(stage) + " (cpu)", cpu - last_cpu_);
    last_ = now;
    last_cpu_ = cpu;
  }

 private:
  std::vector<std::pair<std::string, double>>* out_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  double last_cpu_ = process_cpu_seconds();
};

// zk random rows: the last r rows of every column become uniform values
// (the constraints and LogUp sums stop before them).
void randomise_last_rows(RowMajorMatrix<Fp>& m, size_t r) {
  if (r == 0) return;
  const auto rnd = pcs::random_fps(r * m.width);
  std::copy(rnd.begin(), rnd.end(), m.values.end() - static_cast<std::ptrdiff_t>(rnd.size()));
}

// LogUp aux trace of one table: columns h_g (per fraction group, the sum of
// its one or two fractions; AirShape::logup_groups) and the running sum s,
// each Fp4 as 4 base columns. Returns the final sum.
// With zk random rows (zk_rows = r > 0) the sum covers rows 0 .. n - 1 - r
// and the last r rows of every aux column are uniform.
RowMajorMatrix<Fp> build_aux(const air::TableWitness& tw, const air::AirShape& shape, const Fp4& alpha,
                             std::span<const Fp4> beta_pows, const Fp4& mask, LogupMask mask_kind, size_t zk_rows,
                             Fp4& cumsum) {
  const air::Air& a = *tw.air;
  const auto& m = *tw.trace;
  const size_t n = m.height, k = shape.num_interactions;
  std::optional<RowMajorMatrix<Fp>> pre = a.preprocessed_trace();
  const auto& groups = shape.logup_groups;
  const size_t ng = groups.size();
  const size_t used = n - zk_rows;
  RowMajorMatrix<Fp> aux = ntt::zeroed_matrix(4 * (ng + 1), n);
  std::vector<Fp4> row_sum(n);
  // Blocks of rows, one at a time per thread (OpenMP): the block's k
  // fractions per row (one builder per thread, written in place), then the
  // batch inversion of the denominators whose multiplicity is not zero (the
  // others' fractions are 0 whatever the denominator: inactive lookups and
  // padding rows, most of the CPU table's slots), then h = num / denom per
  // group and the row's sum. Only a block's fractions are in memory (the
  // whole table's took 20 bytes per row and interaction: 560 MiB for the
  // CPU table at 2^20 rows); inverses are unique, so the columns do not
  // depend on the blocking.
  constexpr size_t kBlockRows = 4096;
  const long long blocks = static_cast<long long>((n + kBlockRows - 1) / kBlockRows);
  bool count_changed = false, hit_zero = false;
  size_t first_bad = n;  // first random row with a bus multiplicity
#pragma omp parallel
  {
    air::FractionBuilder b;
    b.publics = tw.publics;
    b.alpha = alpha;
    b.beta_pows = beta_pows;
    b.last = n - 1 - zk_rows;
    std::vector<Fp4> denom(kBlockRows * k), live;
    std::vector<Fp> mult(kBlockRows * k);
    std::vector<size_t> at;
    live.reserve(kBlockRows * k), at.reserve(kBlockRows * k);
    bool changed = false, zero = false;
    size_t bad = n;
    // Dynamic: a table's padding rows (inactive lookups, nothing to invert)
    // sit at its end, so static halves left one thread most of the work.
#pragma omp for schedule(dynamic, 1)
    for (long long bb = 0; bb < blocks; ++bb) {
      const size_t lo = static_cast<size_t>(bb) * kBlockRows, hi = std::min(n, lo + kBlockRows);
      for (size_t r = lo; r < hi; ++r) {
        const size_t nr = (r + 1) % n;
        b.row = r;
        b.local = m.row(r);
        b.next = m.row(nr);
        if (pre) {
          b.pre_local = pre->row(r);
          b.pre_next_row = pre->row(nr);
        }
        b.den = denom.data() + (r - lo) * k;
        b.num = mult.data() + (r - lo) * k;
        b.count = 0;
        b.capacity = k;
        a.eval(b);
        if (b.count != k) changed = true;
      }
      const size_t cells = (hi - lo) * k;
      for (size_t i = (std::max(lo, used) - lo) * k; i < cells; ++i)
        if (!mult[i].is_zero()) bad = std::min(bad, lo + i / k);
      // A zero denominator means alpha hit a tuple's fingerprint
      // (probability about n*k / |Fp4|): the prover stops.
      bool ok = true;
      for (size_t i = 0; i < cells; ++i) ok = ok && !denom[i].is_zero();
      if (!ok) {
        zero = true;
        continue;
      }
      live.clear(), at.clear();
      for (size_t i = 0; i < cells; ++i)
        if (!mult[i].is_zero()) live.push_back(denom[i]), at.push_back(i);
      field::batch_inverse(live, live);
      for (size_t j = 0; j < at.size(); ++j) denom[at[j]] = live[j];
      for (size_t r = lo; r < hi; ++r) {
        auto row = aux.row(r);
        const Fp4* d = denom.data() + (r - lo) * k;
        const Fp* u = mult.data() + (r - lo) * k;
        Fp4 t;
        for (size_t g = 0; g < ng; ++g) {
          Fp4 h;
          for (const uint32_t j : groups[g]) h += d[j] * u[j];
          for (int c = 0; c < 4; ++c) row[4 * g + c] = h.c[c];
          t += h;
        }
        row_sum[r] = t;
      }
    }
#pragma omp critical
    {
      count_changed = count_changed || changed;
      hit_zero = hit_zero || zero;
      first_bad = std::min(first_bad, bad);
    }
  }
  if (count_changed) throw std::logic_error("table '" + a.name() + "': interaction count changed");
  if (first_bad < n)
    throw std::invalid_argument("table '" + a.name() + "': row " + std::to_string(first_bad) + " is among the last " +
                                std::to_string(zk_rows) +
                                ", which zero knowledge replaces by random rows, but has a bus multiplicity "
                                "(the witness must leave Air::zk_free_rows rows of padding)");
  if (hit_zero) throw std::invalid_argument("LogUp: alpha hit a tuple's fingerprint (retry the proof)");
  // The zk sum mask: in row 0 of the mask columns (kColumns), so in every
  // running sum; or in the first random row (kRandomRow), added at the end.
  Fp4 s = mask_kind == LogupMask::kColumns ? mask : Fp4();
  for (size_t r = 0; r < used; ++r) {
    s += row_sum[r];
    for (int c = 0; c < 4; ++c) aux.at(r, 4 * ng + c) = s.c[c];
  }
  cumsum = mask_kind == LogupMask::kRandomRow ? s + mask : s;
  randomise_last_rows(aux, zk_rows);
  return aux;
}

// zk trace randomisation: each column f (degree < n) becomes
// f' = f + Z_H r = f - r + X^n r with r uniform of degree < m (m <= n),
// returned as evaluations on H_(2n) (natural order; f' = f on H_n, the
// even rows).
RowMajorMatrix<Fp> zk_randomise(RowMajorMatrix<Fp> f, size_t m) {
  const size_t n = f.height, w = f.width;
  ntt::ntt_inverse(f);
  f.values.resize(2 * n * w);  // coefficients n..2n-1 start at zero
  f.height = 2 * n;
  const auto rnd = pcs::random_fps(m * w);
  for (size_t j = 0; j < m; ++j)
    for (size_t c = 0; c < w; ++c) {
      const Fp r = rnd[j * w + c];
      f.at(j, c) -= r;
      f.at(n + j, c) = r;
    }
  ntt::ntt_forward(f);
  return f;
}

}  // namespace

ProvingKey setup(uint32_t program_id, std::vector<const air::Air*> airs, const StarkConfig& config, hal::Hal& hal) {
  ProvingKey pk;
  pk.vk.program_id = program_id;
  pk.vk.config = config;
  pk.vk.airs = std::move(airs);
  std::vector<RowMajorMatrix<Fp>> pre;
  for (const air::Air* a : pk.vk.airs) {
    if (a->preprocessed_width() == 0) {
      pk.vk.pre_log_heights.push_back(0);
      continue;
    }
    auto m = a->preprocessed_trace();
    if (!m || m->width != a->preprocessed_width() || m->height < 2 || (m->height & (m->height - 1)) != 0)
      throw std::invalid_argument("table '" + a->name() + "': preprocessed trace missing or not a power-of-two height");
    unsigned lg = 0;
    while ((size_t{1} << lg) < m->height) ++lg;
    if (lg > config.max_log_height()) throw std::invalid_argument("table '" + a->name() + "': preprocessed trace too tall");
    pk.vk.pre_log_heights.push_back(lg);
    pre.push_back(std::move(*m));
  }
  prepare_vk(pk.vk);
  if (!pre.empty()) {
    // SOUNDNESS: the preprocessed columns are public; committing them at
    // their own height without salts makes the root a function of the
    // columns and log_blowup only, which a verifier can pin
    // (prover/verify/registry.cpp).
    const unsigned lb = config.pcs.fri.log_blowup;
    size_t i = 0;
    for (size_t t = 0; t < pk.vk.airs.size(); ++t) {
      if (pk.vk.pre_log_heights[t] == 0) continue;
      // zk quotient cosets can be twice the committed LDE (2^(lb + 1) n
      // points): keep a taller, uncommitted LDE for the kernel.
      const unsigned log_domain = quotient_layout(pk.vk, t, pk.vk.pre_log_heights[t]).log_domain;
      pk.pre_quotient_ldes.push_back(log_domain > lb ? hal.coset_lde(pre[i], log_domain, pcs::kCosetShift)
                                                     : RowMajorMatrix<Fp>());
      ++i;
    }
    pcs::PcsProver pcs(config.pcs, hal);
    pk.pre_round = pcs.commit_public(std::move(pre));
    pk.vk.pre_commitment = pk.pre_round->commitment();
  }
  return pk;
}

const RowMajorMatrix<Fp>& ProvingKey::pre_lde_for_quotient(size_t i) const {
  const auto& q = pre_quotient_ldes.at(i);
  return q.height != 0 ? q : pre_round->lde(i);
}

namespace {

Fp4 random_fp4() {
  const auto r = pcs::random_fps(4);
  return Fp4::from_base(r[0], r[1], r[2], r[3]);
}

}  // namespace

std::vector<Fp4> draw_logup_masks(const VerifyingKey& vk, std::span<const unsigned> log_heights, const Fp4& offset) {
  std::vector<Fp4> masks(vk.airs.size());
  if (!vk.config.pcs.zk) return masks;
  Fp4 total;
  int last = -1;
  for (size_t t = 0; t < vk.airs.size(); ++t) {
    if (logup_mask_kind(vk, t) == LogupMask::kNone || !present(log_heights, t)) continue;
    masks[t] = random_fp4();
    total += masks[t];
    last = static_cast<int>(t);
  }
  if (last >= 0) {
    masks[static_cast<size_t>(last)] += offset - total;
  } else if (!offset.is_zero()) {
    throw std::logic_error("LogUp masks: a non-zero offset but no bus table in the proof");
  }
  return masks;
}

std::vector<Fp4> statement_mask_offsets(const VerifyingKey& vk, size_t n) {
  std::vector<Fp4> offsets(n);
  if (!vk.config.pcs.zk || !vk.has_bus() || n == 0) return offsets;
  Fp4 total;
  for (size_t k = 0; k + 1 < n; ++k) total += offsets[k] = random_fp4();
  offsets[n - 1] = -total;
  return offsets;
}

MainCommit commit_main(const ProvingKey& pk, std::span<const air::TableWitness> tables, const Fp4& mask_offset,
                       hal::Hal& hal, const ProveOptions& opts) {
  const VerifyingKey& vk = pk.vk;
  const size_t nt = vk.airs.size();
  if (tables.size() != nt)
    throw std::invalid_argument("prove: " + std::to_string(tables.size()) + " tables given, program has " +
                                std::to_string(nt));
  MainCommit mc;
  for (size_t t = 0; t < nt; ++t) {
    if (tables[t].air != vk.airs[t])
      throw std::invalid_argument("prove: table " + std::to_string(t) + " is not the program's table '" +
                                  vk.airs[t]->name() + "'");
    if (std::string e = air::shape_error(tables[t]); !e.empty()) throw std::invalid_argument("prove: " + e);
    if (tables[t].trace->height == 0) {  // absent (shape_error checked that it may be)
      mc.log_heights.push_back(0);
      mc.publics.push_back(tables[t].publics);
      continue;
    }
    unsigned lg = 0;
    while ((size_t{1} << lg) < tables[t].trace->height) ++lg;
    if (lg < vk.config.pcs.fri.log_final_poly_len || lg > vk.config.max_log_height())
      throw std::invalid_argument("prove: table '" + vk.airs[t]->name() + "' height 2^" + std::to_string(lg) +
                                  " outside the supported range");
    // Hiding needs m = 2 * num_queries + 8 random coefficients per column
    // (as many as the verifier's view of it), and f + Z_H r must fit in 2n
    // rows: n >= m (docs/STARK.md "Zero knowledge"). With random rows, m
    // rows of the table itself, and at least one row before them.
    if (const size_t zr = zk_random_rows(vk, t); zr != 0 && (size_t{1} << lg) <= zr)
      throw std::invalid_argument("prove: zero-knowledge: table '" + vk.airs[t]->name() + "' has 2^" +
                                  std::to_string(lg) + " rows, not more than its " + std::to_string(zr) + " random rows");
    if (vk.config.pcs.zk && zk_random_rows(vk, t) == 0 && (size_t{1} << lg) < zk_min_rows(vk.config))
      throw std::invalid_argument("prove: zero-knowledge: table '" + vk.airs[t]->name() + "' has 2^" +
                                  std::to_string(lg) + " rows; hiding needs at least 2 * num_queries + 8 = " +
                                  std::to_string(zk_min_rows(vk.config)) + " (pad the trace)");
    mc.log_heights.push_back(lg);
    mc.publics.push_back(tables[t].publics);
  }
  const bool zk = vk.config.pcs.zk;
  StageTimer timer(opts.timings);
  if (opts.check_constraints) {
    auto r = air::check_constraints(tables, opts.check_bus_balance);
    if (!r.ok) throw std::invalid_argument("prove: trace does not satisfy the AIR: " + r.message);
    timer.lap("debug check");
  }
  // zk: every bus table's LogUp sum is offset by a random mask rho_t, the
  // masks of a statement summing to 0 (random_logup_masks,
  // cancel_logup_masks), committed here, before the LogUp challenges: in
  // main columns 0..3 of the table's first random row (LogupMask::
  // kRandomRow), or as 4 extra main columns (rho_t in row 0, zeros below;
  // kColumns, tables without a spare random row). A sum the verifier
  // sees is then uniform on its own (it reveals nothing about the table's
  // tuples), and the total is unchanged. SOUNDNESS: the masks are fixed
  // before alpha and beta, so an unbalanced bus still gives a non-zero
  // total except with probability ~ degree / |Fp4| (docs/STARK.md).
  mc.masks = draw_logup_masks(vk, mc.log_heights, mask_offset);
  std::vector<RowMajorMatrix<Fp>> mains;
  for (size_t t = 0; t < nt; ++t) {
    const auto& tw = tables[t];
    if (!present(mc.log_heights, t)) continue;
    if (!zk) {
      mains.push_back(*tw.trace);
      continue;
    }
    const size_t w = tw.trace->width, mw = logup_mask_width(vk, t);
    RowMajorMatrix<Fp> m = ntt::zeroed_matrix(w + mw, tw.trace->height);
    const int64_t rows = static_cast<int64_t>(m.height);
#pragma omp parallel for schedule(static) if (rows >= 4096)
    for (int64_t r = 0; r < rows; ++r)
      std::copy_n(tw.trace->row(static_cast<size_t>(r)).begin(), w, m.row(static_cast<size_t>(r)).begin());
    const LogupMask mk = logup_mask_kind(vk, t);
    if (mk == LogupMask::kColumns)
      for (size_t c = 0; c < mw; ++c) m.at(0, w + c) = mc.masks[t].c[c];
    if (const size_t zr = zk_random_rows(vk, t); zr != 0) {
      randomise_last_rows(m, zr);
      if (mk == LogupMask::kRandomRow)
        for (size_t c = 0; c < 4; ++c) m.at(m.height - zr, c) = mc.masks[t].c[c];
      mains.push_back(std::move(m));
    } else {
      mains.push_back(zk_randomise(std::move(m), std::min(zk_mask_degree(vk.config), tw.trace->height)));
    }
  }
  // zk: FRI's masking codeword joins the main round (round_dims), before
  // any challenge.
  if (zk) mains.push_back(pcs::random_mask(round_dims(vk, mc.log_heights)[main_round(vk)].back().log_height));
  pcs::PcsProver pcs(vk.config.pcs, hal);
  mc.round = pcs.commit(std::move(mains));
  mc.commitment = mc.round->commitment();
  timer.lap("commit main");
  return mc;
}

namespace {

// Which LDE rows the quotient of a table reads (bit-reversed positions of
// its coset of 2^(log_n + log_chunks) points): rows [0, resident) in place,
// and, under zk random rows when Q fits half the coset and a few more
// points (split_quotient_zk_half), the rows of `extra` points of the other
// half and their next rows. Those are gathered right after each commitment,
// so the LDEs can drop every row past `resident` before the quotient.
struct QuotientReads {
  QuotientLayout layout;
  size_t zk_rows = 0;
  size_t resident = 0;
  std::vector<size_t> extra;
};

QuotientReads quotient_reads(const VerifyingKey& vk, size_t t, unsigned log_n) {
  QuotientReads r;
  r.layout = quotient_layout(vk, t, log_n);
  r.zk_rows = zk_random_rows(vk, t);
  const unsigned log_big = log_n + r.layout.log_domain;
  r.resident = size_t{1} << log_big;
  // Random rows: Q has degree about (D - 1) n + m, just past a power of
  // two; evaluate half the coset and bit_ceil(m) points of the other half
  // instead of the whole coset.
  const size_t extra = r.zk_rows != 0 ? std::bit_ceil(r.zk_rows) : 0;
  const uint64_t half = r.resident / 2;
  if (extra != 0 && r.layout.log_domain >= 1 && extra <= half && r.layout.max_degree < half + extra) {
    const auto rows = half_coset_rows(log_big, extra);
    r.extra.assign(rows.begin() + static_cast<std::ptrdiff_t>(half), rows.end());
    r.resident = half;
  }
  return r;
}

}  // namespace

StarkProof prove(const ProvingKey& pk, std::span<const air::TableWitness> tables, hal::Hal& hal,
                 const ProveOptions& opts) {
  MainCommit mc = commit_main(pk, tables, Fp4(), hal, opts);
  auto ch = start_transcript(pk.vk, mc.log_heights, mc.publics);
  pcs::observe_commitment(ch, "main", mc.commitment);
  LogupChallenges lc;
  if (pk.vk.has_bus())
    lc = logup_challenges(ch, logup_pow_bits(pk.vk, logup_degree(pk.vk, mc.log_heights, mc.publics)), std::nullopt);
  return finish_proof(pk, tables, std::move(mc), ch, lc, hal, opts);
}

StarkProof finish_proof(const ProvingKey& pk, std::span<const air::TableWitness> tables, MainCommit mc,
                        transcript::Challenger& ch, const LogupChallenges& lc, hal::Hal& hal,
                        const ProveOptions& opts) {
  const VerifyingKey& vk = pk.vk;
  const size_t nt = vk.airs.size();
  StarkProof proof;
  proof.log_heights = std::move(mc.log_heights);
  proof.publics = std::move(mc.publics);
  proof.main = mc.commitment;
  proof.logup_nonce = lc.nonce;
  auto main_round = std::move(mc.round);
  const std::vector<Fp4> masks = std::move(mc.masks);
  const bool zk = vk.config.pcs.zk;
  // Table t's height from its log (the traces may be released after the aux).
  auto zk_m = [&](size_t t) { return std::min(zk_mask_degree(vk.config), size_t{1} << proof.log_heights[t]); };
  StageTimer timer(opts.timings);
  pcs::PcsProver pcs(vk.config.pcs, hal);
  const Fp4 logup_alpha = lc.alpha, logup_beta = lc.beta;
  // Memory: each LDE keeps only the rows its quotient reads in place; the
  // few other points' rows are gathered first (quotient_reads).
  unsigned tallest = 0;
  for (size_t t = 0; t < nt; ++t) tallest = std::max(tallest, present(proof.log_heights, t) ? proof.log_heights[t] : 0u);
  // A backend that keeps the LDEs on the device holds no host rows to cut.
  const bool lean = !hal.ldes_on_device_only() &&
                    (opts.ldes == LdeMemory::Lean || (opts.ldes == LdeMemory::Auto && tallest >= kLeanLdesFromLog));
  std::vector<QuotientReads> reads(nt);
  std::vector<RowMajorMatrix<Fp>> gathered_main(nt), gathered_aux(nt);
  auto trim = [&](pcs::ProverRound& round, size_t i, size_t t, RowMajorMatrix<Fp>& gathered) {
    if (!lean) return;
    const auto& qr = reads[t];
    const unsigned log_big = proof.log_heights[t] + qr.layout.log_domain;
    if (!qr.extra.empty()) gathered = gather_quotient_rows(round.lde(i), qr.extra, log_big, qr.layout.log_domain);
    round.keep_lde_rows(i, std::max(qr.resident, size_t{1} << round.dims(i).log_height));
  };
  for (size_t t = 0; t < nt; ++t) {
    if (!present(proof.log_heights, t)) continue;
    reads[t] = quotient_reads(vk, t, proof.log_heights[t]);
    trim(*main_round, matrix_index(proof.log_heights, t), t, gathered_main[t]);
  }
  std::shared_ptr<pcs::ProverRound> aux_round;
  std::vector<int> aux_index(nt, -1);
  if (vk.has_bus()) {
    std::vector<RowMajorMatrix<Fp>> auxes;
    for (size_t t = 0; t < nt; ++t) {
      const auto& shape = vk.shapes[t];
      if (shape.num_interactions == 0 || !present(proof.log_heights, t)) continue;
      const auto bp = powers(logup_beta, shape.max_tuple_len + 1);
      Fp4 cs;
      aux_index[t] = static_cast<int>(auxes.size());
      const size_t zr = zk_random_rows(vk, t);
      auto aux = build_aux(tables[t], shape, logup_alpha, bp, masks[t], logup_mask_kind(vk, t), zr, cs);
      auxes.push_back(zk && zr == 0 ? zk_randomise(std::move(aux), zk_m(t)) : std::move(aux));
      proof.cumsums.push_back(cs);
    }
    if (opts.release_traces) opts.release_traces();
    aux_round = pcs.commit(std::move(auxes));
    for (size_t t = 0; t < nt; ++t)
      if (aux_index[t] >= 0) trim(*aux_round, static_cast<size_t>(aux_index[t]), t, gathered_aux[t]);
    proof.aux = aux_round->commitment();
    pcs::observe_commitment(ch, "aux", proof.aux);
    ch.observe_fp4s("logup sums", proof.cumsums);
    timer.lap("logup aux");
  }

  proof.alpha_nonce = ch.grind(vk.config.pcs.fri.challenge_pow_bits);
  const Fp4 alpha = ch.sample_fp4("constraint alpha");
  // A backend that runs the quotient itself does so from the recorded
  // program (hal/quotient.h); otherwise the CPU kernel.
  auto kernel = hal.runs_quotient() ? hal::make_hal_quotient_kernel(hal) : hal::make_cpu_quotient_kernel();
  const auto cpu_kernel = hal::make_cpu_quotient_kernel();
  const unsigned vk_log_blowup = vk.config.pcs.fri.log_blowup;
  std::vector<RowMajorMatrix<Fp>> quotients;
  size_t pre_i = 0;
  for (size_t t = 0; t < nt; ++t) {
    if (!present(proof.log_heights, t)) continue;
    const auto& shape = vk.shapes[t];
    const auto bp = powers(logup_beta, shape.max_tuple_len + 1);
    const auto ap = powers(alpha, shape.num_constraints);
    const QuotientReads& qr = reads[t];
    const QuotientLayout& ql = qr.layout;
    hal::QuotientInputs in;
    in.air = vk.airs[t];
    in.log_n = proof.log_heights[t];
    in.log_chunks = ql.log_domain;
    in.shift = pcs::kCosetShift;
    const size_t mi = matrix_index(proof.log_heights, t);
    in.main = &main_round->lde(mi);
    const RowMajorMatrix<Fp>* pre_lde = nullptr;
    if (vk.pre_log_heights[t] != 0) in.pre = pre_lde = &pk.pre_lde_for_quotient(pre_i++);
    if (aux_index[t] >= 0) {
      in.aux = &aux_round->lde(static_cast<size_t>(aux_index[t]));
      in.cumsum = proof.cumsums[static_cast<size_t>(aux_index[t])];
      set_logup_mask(in, vk, t);
    }
    in.publics = tables[t].publics;
    in.logup_alpha = logup_alpha;
    in.beta_pows = bp;
    in.alpha_pows = ap;
    in.logup_groups = shape.logup_groups;
    in.zk_rows = qr.zk_rows;
    std::vector<Fp4> q;
    const size_t extra = qr.extra.size();
    if (extra == 0) {
      q = kernel->evaluate(in);
    } else if (!lean) {
      // The whole LDE is resident: the half coset and the extra points in
      // one pass (the reference for the path below; tests/rv32im).
      const auto rows = half_coset_rows(in.log_n + ql.log_domain, extra);
      in.rows = rows;
      q = kernel->evaluate(in);
    } else {
      // The first half of the coset s H_(2^(log_n + d)) in bit-reversed
      // order is the coset s H_(2^(log_n + d - 1)): the same points, so the
      // same values, with d - 1 (the next row stays natural index + 2^d).
      hal::QuotientInputs head = in;
      head.log_chunks = ql.log_domain - 1;
      q = kernel->evaluate(head);
      // The other half's points from their gathered rows.
      const unsigned log_big = in.log_n + ql.log_domain;
      RowMajorMatrix<Fp> pre_rows;
      hal::QuotientInputs tail = in;
      tail.rows = qr.extra;
      tail.gathered = true;
      tail.main = &gathered_main[t];
      if (in.aux) tail.aux = &gathered_aux[t];
      if (pre_lde) {
        pre_rows = gather_quotient_rows(*pre_lde, qr.extra, log_big, ql.log_domain);
        tail.pre = &pre_rows;
      }
      const auto qe = cpu_kernel->evaluate(tail);
      q.insert(q.end(), qe.begin(), qe.end());
      gathered_main[t] = {};
      gathered_aux[t] = {};
    }
    timer.lap("quotient kernel");
    // From here on only the coset s H_n of each LDE is read (opened values,
    // DEEP reduction); the openings recompute the other rows they need.
    // Half the LDE stays (all a half-coset quotient kept): recomputing the
    // other half at the openings costs one size-n inverse NTT and
    // 2^(log_blowup - 1) forward ones per column, a quarter would cost
    // twice the forward ones.
    if (lean) {
      const auto shrink = [&](pcs::ProverRound& round, size_t i) {
        const unsigned lh = round.dims(i).log_height;
        round.keep_lde_rows(i, std::max(size_t{1} << lh, (size_t{1} << (lh + vk_log_blowup)) / 2));
      };
      shrink(*main_round, mi);
      if (aux_index[t] >= 0) shrink(*aux_round, static_cast<size_t>(aux_index[t]));
    }
    if (extra != 0) {
      quotients.push_back(split_quotient_zk_half(q, in.log_n, in.log_chunks, extra, ql.chunks, ql.stride, in.zk_rows,
                                                 pcs::kCosetShift, pcs::random_fps(4 * (ql.chunks - 1) * in.zk_rows)));
    } else if (zk) {
      const size_t m = in.zk_rows != 0 ? in.zk_rows : zk_m(t);
      quotients.push_back(split_quotient_zk(q, in.log_n, in.log_chunks, ql.chunks, ql.stride, m, pcs::kCosetShift,
                                            pcs::random_fps(4 * (ql.chunks - 1) * m)));
    } else {
      quotients.push_back(split_quotient(q, in.log_n, in.log_chunks, pcs::kCosetShift));
    }
    timer.lap("quotient split");
  }
  auto q_round = pcs.commit(std::move(quotients));
  proof.quotient = q_round->commitment();
  timer.lap("commit quotient");
  pcs::observe_commitment(ch, "quotient", proof.quotient);

  proof.zeta_nonce = ch.grind(vk.config.pcs.fri.challenge_pow_bits);
  const Fp4 zeta = ch.sample_fp4("zeta");
  std::vector<const pcs::ProverRound*> rounds;
  pcs::OpeningPoints points;
  if (vk.has_pre()) {
    rounds.push_back(pk.pre_round.get());
    points.emplace_back();
  }
  rounds.push_back(main_round.get());
  points.emplace_back();
  if (aux_round) {
    rounds.push_back(aux_round.get());
    points.emplace_back();
  }
  rounds.push_back(q_round.get());
  points.emplace_back();
  const size_t r_main = vk.has_pre() ? 1 : 0;
  for (size_t t = 0; t < nt; ++t) {
    if (!present(proof.log_heights, t)) continue;
    const Fp g = field::two_adic_generator(proof.log_heights[t]);
    if ((zeta.pow(uint64_t{1} << proof.log_heights[t]) - Fp4::one()).is_zero())
      throw std::runtime_error("prove: zeta fell in a trace domain (probability ~2^-100)");
    const std::vector<Fp4> zp{zeta, zeta * g};
    if (vk.pre_log_heights[t] != 0) points[0].push_back(zp);
    points[r_main].push_back(zp);
    if (aux_index[t] >= 0) points[r_main + 1].push_back(zp);
    points.back().push_back({zeta});
  }
  std::optional<pcs::MaskRef> mask;
  if (zk) {
    mask = pcs::MaskRef{r_main, points[r_main].size()};
    points[r_main].emplace_back();  // the masking codeword: no points
  }
  auto opening = pcs.open(rounds, points, ch, mask);
  proof.opened = std::move(opening.values);
  proof.pcs = std::move(opening.proof);
  timer.lap("open (DEEP + FRI)");
  return proof;
}

std::vector<StarkProof> prove_segments(const ProvingKey& pk, std::span<const std::vector<air::TableWitness>> segments,
                                       hal::Hal& hal, const ProveOptions& opts,
                                       std::span<const air::PublicInteraction> extra_terms) {
  if (segments.empty()) throw std::invalid_argument("prove_segments: no segments");
  if (!pk.vk.has_bus()) throw std::invalid_argument("prove_segments: segments are linked by buses; the program has none");
  ProveOptions seg_opts = opts;
  seg_opts.check_bus_balance = false;
  const std::vector<Fp4> offsets = statement_mask_offsets(pk.vk, segments.size());
  auto ch = start_segments(pk.vk);
  std::vector<MainCommit> mains;
  for (size_t k = 0; k < segments.size(); ++k) {
    mains.push_back(commit_main(pk, segments[k], offsets[k], hal, seg_opts));
    observe_segment(ch, mains.back().log_heights, mains.back().publics, mains.back().commitment);
  }
  double degree = logup_degree(extra_terms);
  for (const auto& m : mains) degree += logup_degree(pk.vk, m.log_heights, m.publics);
  const LogupChallenges lc = finish_segments(ch, segments.size(), logup_pow_bits(pk.vk, degree), std::nullopt);
  std::vector<StarkProof> proofs;
  for (size_t k = 0; k < segments.size(); ++k) {
    auto sch = segment_transcript(ch, k);
    proofs.push_back(finish_proof(pk, segments[k], std::move(mains[k]), sch, lc, hal, seg_opts));
  }
  return proofs;
}

}  // namespace zkvm::stark
