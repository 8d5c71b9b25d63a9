#include "prover/rv32im/prove.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>

#include "prover/merkle/merkle.h"
#include "prover/transcript/serialize.h"
#include "prover/rv32im/program.h"
#include "prover/rv32im/witness.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"

namespace zkvm::rv32im {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// log2 of the power-of-two height that holds `rows` (at least kMinTableRows).
unsigned log2_rows(uint64_t rows) {
  unsigned l = 0;
  while ((uint64_t{1} << l) < std::max<uint64_t>(rows, kMinTableRows)) ++l;
  return l;
}

}  // namespace

// Tallest table the parameters verify above the floor (every table that
// tall but the preprocessed ones, whose heights the image fixes).
unsigned max_log_segment(const stark::VerifyingKey& vk) {
  unsigned ok = 0;
  for (unsigned l = 1; l <= std::min(kMaxLogCycles, stark::kMaxLogHeight); ++l) {
    std::vector<unsigned> h(vk.airs.size(), l);
    for (size_t t = 0; t < h.size(); ++t)
      if (vk.pre_log_heights[t] != 0) h[t] = vk.pre_log_heights[t];
    if (stark::security_bits(vk, h) >= stark::VerifyOptions{}.min_security_bits) ok = l;
  }
  return ok;
}

namespace {

// The verifier refuses a proof below its floor (stark::VerifyOptions): a
// receipt it would refuse is not made.
void require_verifiable(const stark::VerifyingKey& vk, std::span<const unsigned> log_heights, const std::string& what) {
  unsigned tallest = 0;
  for (unsigned h : log_heights) tallest = std::max(tallest, h);
  const double bits = tallest > stark::kMaxLogHeight ? 0 : stark::security_bits(vk, log_heights);
  if (tallest > kMaxLogCycles || bits < stark::VerifyOptions{}.min_security_bits)
    throw std::invalid_argument(what + " needs tables of 2^" + std::to_string(tallest) + " rows, but receipts " +
                                (vk.config.pcs.zk ? "with" : "without") + " zero knowledge verify only up to 2^" +
                                std::to_string(max_log_segment(vk)) +
                                " rows at these parameters (the verifier's 100-bit floor, docs/SECURITY.md)");
}

std::vector<unsigned> log_heights_of(const std::vector<RowMajorMatrix<Fp>>& traces) {
  std::vector<unsigned> h;
  for (const auto& t : traces) h.push_back(t.height == 0 ? 0 : log2_rows(t.height));  // 0: absent
  return h;
}

}  // namespace

unsigned default_log_segment(const stark::VerifyingKey& vk) {
  return std::max(kMinLogSegment, std::min(18u, max_log_segment(vk) - 1));
}

ImageId image_id(const vm::Program& program, const stark::StarkConfig& config, hal::Hal& hal) {
  const Image image = build_image(program);
  const Circuit circuit(&image);
  const auto pk = stark::setup(kRv32imProgramId, circuit.airs(), config, hal);
  return compute_image_id(image.entry, pk.vk);
}

std::vector<uint8_t> serialize_commitments(std::span<const SegmentCommitment> cs) {
  transcript::ByteWriter w;
  w.count(cs.size());
  for (const auto& c : cs) {
    write_segment_end(w, c.end);
    w.count(c.log_heights.size());
    for (unsigned h : c.log_heights) w.u8(static_cast<uint8_t>(h));
    w.count(c.publics.size());
    for (const auto& p : c.publics) {
      w.count(p.size());
      w.fps(p);
    }
    w.count(c.main.roots.size());
    for (const auto& d : c.main.roots) w.bytes32(d.bytes);
  }
  return w.take();
}

std::vector<SegmentCommitment> parse_commitments(std::span<const uint8_t> bytes) {
  transcript::ByteReader rd(bytes);
  auto scope = rd.scope("segment commitments");
  const size_t n = rd.count(kMaxSegments, "segment count");
  std::vector<SegmentCommitment> out(n);
  for (auto& c : out) {
    c.end = read_segment_end(rd);
    const size_t nh = rd.count(kNumTables, "tables");
    for (size_t i = 0; i < nh; ++i) c.log_heights.push_back(rd.u8());
    const size_t np = rd.count(kNumTables, "tables");
    for (size_t i = 0; i < np; ++i) c.publics.push_back(rd.fps(rd.count(64, "public values")));
    const size_t nr = rd.count(64, "roots");
    for (size_t i = 0; i < nr; ++i) c.main.roots.push_back(hash::Digest{rd.bytes32()});
  }
  rd.expect_end();
  return out;
}

namespace {
// Thrown from a segment sink to stop the traced run once the last wanted
// segment is done (the emulator unwinds; nothing is half-built).
struct StopExecution {};
}  // namespace

struct SegmentedProver::State {
  const vm::Program& program;
  vm::RunOptions run, quiet;
  ProveOptions options;
  hal::Hal& hal;
  Image image;
  std::unique_ptr<Circuit> circuit;
  stark::ProvingKey pk;
  unsigned log_seg = 0;
  vm::RunResult pre;
  size_t n = 0;
  std::vector<field::Fp4> mask_offsets;  // per segment: its zk LogUp masks' sum
  std::vector<std::array<uint8_t, 32>> seeds;
  std::vector<pcs::Commitment> roots;  // every segment's pass-1 commitment (draw_challenges)
  std::vector<SegmentEnd> ends;
  std::optional<transcript::Challenger> ch;
  stark::LogupChallenges lc;
  std::mutex mu;  // guards what follows (segments may be worked on by several threads)
  std::vector<std::pair<std::string, double>> timings;
  std::vector<unsigned> tallest;
  double witness_seconds = 0;
  bool output_shown = false;
  uint64_t cycles_done = 0;
  std::chrono::steady_clock::time_point pass2_start;
  // Pass 1 keeps the commitment and witness of the last segment of a
  // worker's range (nothing else is in memory then); pass 2 finishes it
  // first, so it is neither rebuilt nor recommitted. Off when several
  // threads share this object (each would hold one while others work).
  bool keep_last = true;
  std::optional<stark::MainCommit> kept;
  std::optional<SegmentWitness> kept_witness;

  State(const vm::Program& p, const vm::RunOptions& r, const ProveOptions& o, hal::Hal& h)
      : program(p), run(r), quiet(r), options(o), hal(h) {
    quiet.on_output = [](int, std::span<const uint8_t>) {};
  }
  std::mutex say_mu;  // progress lines, one at a time
  void say(const std::string& s) {
    std::lock_guard lock(say_mu);
    if (options.progress) options.progress(s);
  }
  std::vector<air::TableWitness> witnesses(const SegmentWitness& sw) const {
    std::vector<air::TableWitness> w;
    for (size_t t = 0; t < kNumTables; ++t) w.push_back({circuit->airs()[t], &sw.traces[t], sw.publics[t]});
    return w;
  }
  stark::ProveOptions prove_options(std::vector<std::pair<std::string, double>>* t) const {
    stark::ProveOptions po;
    po.check_constraints = options.check_constraints;
    po.check_bus_balance = false;  // a segment's buses balance only with the others'
    po.timings = t;
    po.ldes = options.ldes;
    return po;
  }
  // Main commitment of a segment: its randomness comes from the segment's
  // seed, so pass 2 reproduces pass 1 bit for bit.
  stark::MainCommit commit(const SegmentWitness& sw, std::vector<std::pair<std::string, double>>* t) {
    merkle::ScopedRandomSeed seeded(seeds[sw.info.index]);
    return stark::commit_main(pk, witnesses(sw), mask_offsets[sw.info.index], hal, prove_options(t));
  }
  // Runs the guest traced and hands segments [first, last) to sink; the
  // run stops after segment last - 1.
  void run_segments(size_t first, size_t last, const std::function<void(SegmentWitness&&)>& sink) {
    bool show;
    {
      std::lock_guard lock(mu);
      show = !output_shown && first == 0;  // guest output once, from the first traced run of segment 0
      if (show) output_shown = true;
    }
    auto lap = std::chrono::steady_clock::now();
    try {
      const vm::RunResult r = execute_segments(program, image, show ? run : quiet, log_seg, first, [&](SegmentWitness&& sw) {
        const size_t k = sw.info.index;
        if (k >= first) {
          {
            std::lock_guard lock(mu);
            witness_seconds += seconds_since(lap);
          }
          sink(std::move(sw));
        }
        if (k + 1 >= last && last < n) throw StopExecution{};
        lap = std::chrono::steady_clock::now();
      });
      if (r.cycles != pre.cycles || r.exit_code != pre.exit_code || r.journal != pre.journal)
        throw std::logic_error("the traced run differs from the first run (is the guest deterministic?)");
    } catch (const StopExecution&) {
    }
  }
};

SegmentedProver::SegmentedProver(const vm::Program& program, const vm::RunOptions& run, const ProveOptions& options,
                                 hal::Hal& hal, const std::array<uint8_t, 32>& statement_seed)
    : s_(std::make_unique<State>(program, run, options, hal)) {
  State& s = *s_;
  s.image = build_image(program);
  s.circuit = std::make_unique<Circuit>(&s.image);
  s.pk = stark::setup(kRv32imProgramId, s.circuit->airs(), options.config, hal);
  s.log_seg = options.log_segment == 0 ? default_log_segment(s.pk.vk) : options.log_segment;
  if (s.log_seg < kMinLogSegment || s.log_seg > kMaxLogCycles)
    throw std::invalid_argument("segment size 2^" + std::to_string(s.log_seg) + " is outside 2^" +
                                std::to_string(kMinLogSegment) + "..2^" + std::to_string(kMaxLogCycles));
  {
    std::vector<unsigned> heights(kNumTables, log2_rows(kMinTableRows));
    for (size_t t = 0; t < kNumTables; ++t)
      if (s.pk.vk.pre_log_heights[t] != 0) heights[t] = s.pk.vk.pre_log_heights[t];
    heights[kTableCpu] = s.log_seg;
    require_verifiable(s.pk.vk, heights, "a segment of 2^" + std::to_string(s.log_seg) + " cycles");
  }
  // A first, untraced run (fast) gives the cycle count and so the number of
  // segments, which the statement's transcript needs up front.
  s.say("executing");
  // It also plans the cuts (SegmentPlan: cycles and accelerator rows).
  SegmentPlan plan(s.log_seg);
  {
    vm::RunOptions planned = s.quiet;
    planned.on_syscall = [&](const vm::SyscallRecord& r) { plan.starts_segment(r.cycle, &r); };
    s.pre = vm::run(program, planned);
  }
  if (s.pre.status == vm::RunStatus::Faulted)
    throw std::invalid_argument("the guest faulted, so the execution cannot be proven: " + s.pre.fault->message());
  if (s.pre.status == vm::RunStatus::CycleLimit)
    throw std::invalid_argument("the guest hit the cycle limit (" + std::to_string(run.max_cycles) +
                                " cycles) before exiting");
  if (s.pre.cycles >= (uint64_t{1} << kMaxLogTotalCycles))
    throw std::invalid_argument("the execution (" + std::to_string(s.pre.cycles) +
                                " cycles) is longer than receipts cover (2^" + std::to_string(kMaxLogTotalCycles) +
                                " - 1 cycles)");
  s.n = plan.segments(s.pre.cycles);
  if (s.n > kMaxSegments)
    throw std::invalid_argument("the execution needs " + std::to_string(s.n) + " segments of 2^" +
                                std::to_string(s.log_seg) + " cycles; receipts hold at most " +
                                std::to_string(kMaxSegments));
  s.say("executed " + std::to_string(s.pre.cycles) + " cycles: " + std::to_string(s.n) + " segment" +
        (s.n == 1 ? "" : "s") + " of up to " + std::to_string(SegmentPlan::segment_cycles(s.log_seg)) +
        " cycles (2^" + std::to_string(s.log_seg) + " rows)");
  // The statement's secrets, expanded from its seed (the same on every
  // worker): the offsets of the segments' zk LogUp masks (summing to 0, so
  // all masks of the statement do; each segment draws its masks from its
  // seed, knowing which of its tables are absent), and each
  // segment's seed for its commitment randomness.
  {
    merkle::ScopedRandomSeed seeded(statement_seed);
    s.mask_offsets = stark::statement_mask_offsets(s.pk.vk, s.n);
    for (size_t k = 0; k < s.n; ++k) {
      const auto b = merkle::MerkleTree::random_salts(1, 32);
      std::copy(b.begin(), b.end(), s.seeds.emplace_back().begin());
    }
  }
  s.tallest.assign(kNumTables, 0);
}

SegmentedProver::~SegmentedProver() = default;

void SegmentedProver::keep_last(bool on) { s_->keep_last = on; }

size_t SegmentedProver::num_segments() const { return s_->n; }
unsigned SegmentedProver::log_segment() const { return s_->log_seg; }
uint64_t SegmentedProver::cycles() const { return s_->pre.cycles; }

std::vector<SegmentCommitment> SegmentedProver::commit(size_t first, size_t last) {
  State& s = *s_;
  if (first >= last || last > s.n) throw std::invalid_argument("commit: bad segment range");
  std::vector<SegmentCommitment> out;
  std::vector<std::pair<std::string, double>> timings;
  s.run_segments(first, last, [&](SegmentWitness&& sw) {
    const std::vector<unsigned> h = log_heights_of(sw.traces);
    require_verifiable(s.pk.vk, h, "segment " + std::to_string(sw.info.index));
    stark::MainCommit mc = s.commit(sw, &timings);
    const size_t k = sw.info.index;
    SegmentCommitment c{{sw.info.cycles, sw.info.end_pc, sw.info.journal_end, sw.info.eof_out, sw.info.split_pc},
                        mc.log_heights, mc.publics, mc.commitment};
    {
      std::lock_guard lock(s.mu);
      for (size_t t = 0; t < kNumTables; ++t) s.tallest[t] = std::max(s.tallest[t], h[t]);
    }
    out.push_back(std::move(c));
    if (s.keep_last && k + 1 == last) s.kept = std::move(mc), s.kept_witness = std::move(sw);
    if (s.n > 1) s.say("segment " + std::to_string(k + 1) + "/" + std::to_string(s.n) + " committed");
  });
  if (out.size() != last - first) throw std::logic_error("the traced run has a different number of segments");
  std::lock_guard lock(s.mu);
  s.timings.insert(s.timings.end(), timings.begin(), timings.end());
  return out;
}

void SegmentedProver::draw_challenges(std::span<const SegmentCommitment> all) {
  State& s = *s_;
  if (all.size() != s.n) throw std::invalid_argument("draw_challenges: one commitment per segment expected");
  s.ch = stark::start_segments(s.pk.vk);
  s.roots.clear(), s.ends.clear();
  for (const SegmentCommitment& c : all) {
    stark::observe_segment(*s.ch, c.log_heights, c.publics, c.main);
    s.roots.push_back(c.main);
    s.ends.push_back(c.end);
  }
  // The statement's public terms (the journal, as the verifier adds them).
  double degree = stark::logup_degree(journal_terms(s.pre.journal));
  for (const SegmentCommitment& c : all) degree += stark::logup_degree(s.pk.vk, c.log_heights, c.publics);
  s.lc = stark::finish_segments(*s.ch, s.n, stark::logup_pow_bits(s.pk.vk, degree), std::nullopt);
  s.pass2_start = std::chrono::steady_clock::now();
}

std::vector<SegmentProof> SegmentedProver::finish(size_t first, size_t last) {
  State& s = *s_;
  if (first >= last || last > s.n) throw std::invalid_argument("finish: bad segment range");
  if (!s.ch) throw std::logic_error("finish: draw_challenges first");
  std::vector<SegmentProof> out;
  std::vector<std::pair<std::string, double>> timings;
  auto finish_one = [&](SegmentWitness&& sw, stark::MainCommit mc) {
    const size_t k = sw.info.index;
    if (mc.commitment.roots != s.roots[k].roots)
      throw std::logic_error("segment " + std::to_string(k) + ": the recommitted main trace differs from the first pass");
    auto sch = stark::segment_transcript(*s.ch, k);
    // The tables are freed once the aux trace is built: from there on the
    // committed LDEs hold them (docs/BENCHMARKS.md "Memory per segment").
    stark::ProveOptions po = s.prove_options(&timings);
    po.release_traces = [&sw] {
      for (auto& t : sw.traces) t = {};
    };
    const stark::StarkProof proof = stark::finish_proof(s.pk, s.witnesses(sw), std::move(mc), sch, s.lc, s.hal, po);
    out.push_back({s.ends[k], stark::serialize_proof(proof)});
    if (s.n > 1) {
      std::lock_guard lock(s.mu);
      s.cycles_done += sw.info.cycles;
      const double el = seconds_since(s.pass2_start), rate = static_cast<double>(s.cycles_done) / std::max(el, 1e-9);
      const double eta = static_cast<double>(s.pre.cycles - s.cycles_done) / std::max(rate, 1e-9);
      char buf[160];
      std::snprintf(buf, sizeof buf, "segment %zu/%zu proved: %llu/%llu cycles, %.1f kHz, ETA %.0f s", k + 1, s.n,
                    static_cast<unsigned long long>(s.cycles_done), static_cast<unsigned long long>(s.pre.cycles),
                    rate / 1e3, eta);
      s.say(buf);
    }
  };
  // The kept segment first (it is the range's last), then the others from
  // a second traced run.
  std::optional<SegmentProof> kept_proof;
  if (s.kept && s.kept_witness->info.index + 1 == last && s.kept_witness->info.index >= first) {
    if (s.n == 1) s.say("proving");
    finish_one(std::move(*s.kept_witness), std::move(*s.kept));
    kept_proof = std::move(out.back());
    out.pop_back();
    --last;
  }
  s.kept.reset(), s.kept_witness.reset();
  if (first < last)
    s.run_segments(first, last, [&](SegmentWitness&& sw) {
      auto mc = s.commit(sw, &timings);
      finish_one(std::move(sw), std::move(mc));
    });
  if (kept_proof) out.push_back(std::move(*kept_proof)), ++last;
  if (out.size() != last - first) throw std::logic_error("the traced run has a different number of segments");
  std::lock_guard lock(s.mu);
  s.timings.insert(s.timings.end(), timings.begin(), timings.end());
  return out;
}

Receipt SegmentedProver::receipt(std::vector<SegmentProof> proofs) const {
  const State& s = *s_;
  if (proofs.size() != s.n) throw std::invalid_argument("receipt: one proof per segment expected");
  Receipt r;
  r.claim.entry = s.image.entry;
  r.claim.exit_code = s.pre.exit_code;
  r.claim.cycles = s.pre.cycles;
  r.claim.journal = s.pre.journal;
  r.claim.image_id = compute_image_id(s.image.entry, s.pk.vk);
  r.vk = stark::serialize_vk(s.pk.vk);
  r.segments = std::move(proofs);
  return r;
}

void SegmentedProver::fill_report(ProveReport& report) const {
  const State& s = *s_;
  report.cycles = s.pre.cycles;
  report.segments = s.n;
  report.log_segment = s.log_seg;
  report.log_heights = s.tallest;
  report.widths.clear();
  for (const auto* a : s.circuit->airs()) report.widths.push_back(a->width());
  report.timings = s.timings;
  report.witness_seconds = s.witness_seconds;
}

Receipt prove(const vm::Program& program, const vm::RunOptions& run, const ProveOptions& options, hal::Hal& hal,
              ProveReport* report) {
  const auto t0 = std::chrono::steady_clock::now();
  SegmentedProver sp(program, run, options, hal, merkle::ScopedRandomSeed::fresh());
  const double t_exec = seconds_since(t0);
  const size_t n = sp.num_segments();
  // Contiguous blocks of segments, one per job (each job runs the guest up
  // to the end of its block).
  const size_t jobs = std::clamp<size_t>(options.jobs, 1, n);
  std::vector<std::pair<size_t, size_t>> blocks;
  for (size_t j = 0; j < jobs; ++j) blocks.emplace_back(j * n / jobs, (j + 1) * n / jobs);
  auto in_parallel = [&](auto&& work) {
    if (jobs == 1) return work(0);
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> errors(jobs);
    for (size_t j = 0; j < jobs; ++j)
      threads.emplace_back([&, j] {
        try {
          work(j);
        } catch (...) {
          errors[j] = std::current_exception();
        }
      });
    for (auto& t : threads) t.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  };
  if (jobs > 1) sp.keep_last(false);
  std::vector<std::vector<SegmentCommitment>> commits(jobs);
  in_parallel([&](size_t j) { commits[j] = sp.commit(blocks[j].first, blocks[j].second); });
  std::vector<SegmentCommitment> all;
  for (auto& c : commits) std::move(c.begin(), c.end(), std::back_inserter(all));
  sp.draw_challenges(all);
  std::vector<std::vector<SegmentProof>> proofs(jobs);
  in_parallel([&](size_t j) { proofs[j] = sp.finish(blocks[j].first, blocks[j].second); });
  std::vector<SegmentProof> flat;
  for (auto& p : proofs) std::move(p.begin(), p.end(), std::back_inserter(flat));
  Receipt r = sp.receipt(std::move(flat));
  if (report != nullptr) {
    sp.fill_report(*report);
    const double total = seconds_since(t0);
    report->execute_seconds = t_exec + report->witness_seconds;
    report->prove_seconds = total - report->execute_seconds;
  }
  return r;
}

}  // namespace zkvm::rv32im
