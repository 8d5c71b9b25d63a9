#include "prover/rv32im/prove.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <optional>
#include <chrono>
#include <span>
#include <stdexcept>
#include <string>

#include "prover/merkle/merkle.h"
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

// Tallest table the parameters verify above the floor (all tables that tall).
unsigned floor_log_height(const stark::VerifyingKey& vk) {
  unsigned ok = 0;
  for (unsigned l = 1; l <= std::min(kMaxLogCycles, stark::kMaxLogHeight); ++l) {
    std::vector<unsigned> h(vk.airs.size(), l);
    if (stark::security_bits(vk, h) >= stark::VerifyOptions{}.min_security_bits) ok = l;
  }
  return ok;
}

// The verifier refuses a proof below its floor (stark::VerifyOptions): a
// receipt it would refuse is not made.
void require_verifiable(const stark::VerifyingKey& vk, std::span<const unsigned> log_heights, const std::string& what,
                        const stark::StarkConfig& config) {
  unsigned tallest = 0;
  for (unsigned h : log_heights) tallest = std::max(tallest, h);
  const double bits = tallest > stark::kMaxLogHeight ? 0 : stark::security_bits(vk, log_heights);
  if (tallest > kMaxLogCycles || bits < stark::VerifyOptions{}.min_security_bits)
    throw std::invalid_argument(what + " needs tables of 2^" + std::to_string(tallest) + " rows, but receipts " +
                                (config.pcs.zk ? "with" : "without") + " zero knowledge verify only up to 2^" +
                                std::to_string(floor_log_height(vk)) +
                                " rows at these parameters (the verifier's 100-bit floor, docs/SECURITY.md)");
}

std::vector<unsigned> log_heights_of(const std::vector<RowMajorMatrix<Fp>>& traces) {
  std::vector<unsigned> h;
  for (const auto& t : traces) h.push_back(log2_rows(t.height));
  return h;
}

}  // namespace

unsigned max_log_segment(const stark::VerifyingKey& vk) { return floor_log_height(vk); }

unsigned default_log_segment(const stark::VerifyingKey& vk) {
  return std::max(kMinLogSegment, std::min(max_log_segment(vk), 20u));
}

ImageId image_id(const vm::Program& program, const stark::StarkConfig& config, hal::Hal& hal) {
  const Image image = build_image(program);
  const Circuit circuit(&image);
  const auto pk = stark::setup(kRv32imProgramId, circuit.airs(), config, hal);
  return compute_image_id(image.entry, pk.vk);
}

Receipt prove(const vm::Program& program, const vm::RunOptions& run, const ProveOptions& options, hal::Hal& hal,
              ProveReport* report) {
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  const auto t0 = std::chrono::steady_clock::now();
  const Image image = build_image(program);
  const Circuit circuit(&image);
  const auto pk = stark::setup(kRv32imProgramId, circuit.airs(), options.config, hal);
  const unsigned log_seg = options.log_segment == 0 ? default_log_segment(pk.vk) : options.log_segment;
  if (log_seg < kMinLogSegment || log_seg > kMaxLogCycles)
    throw std::invalid_argument("segment size 2^" + std::to_string(log_seg) + " is outside 2^" +
                                std::to_string(kMinLogSegment) + "..2^" + std::to_string(kMaxLogCycles));
  {
    std::vector<unsigned> heights(kNumTables, log2_rows(kMinTableRows));
    heights[kTableCpu] = log_seg;
    require_verifiable(pk.vk, heights, "a segment of 2^" + std::to_string(log_seg) + " cycles", options.config);
  }
  // A first, untraced run (fast) gives the cycle count and so the number of
  // segments, which the statement's transcript needs up front.
  say("executing");
  vm::RunOptions quiet = run;
  quiet.on_output = [](int, std::span<const uint8_t>) {};
  const vm::RunResult pre = vm::run(program, quiet);
  if (pre.status == vm::RunStatus::Faulted)
    throw std::invalid_argument("the guest faulted, so the execution cannot be proven: " + pre.fault->message());
  if (pre.status == vm::RunStatus::CycleLimit)
    throw std::invalid_argument("the guest hit the cycle limit (" + std::to_string(run.max_cycles) +
                                " cycles) before exiting");
  if (pre.cycles >= (uint64_t{1} << kMaxLogTotalCycles))
    throw std::invalid_argument("the execution (" + std::to_string(pre.cycles) + " cycles) is longer than receipts cover (2^" +
                                std::to_string(kMaxLogTotalCycles) + " - 1 cycles)");
  const uint64_t seg_cycles = uint64_t{1} << log_seg;
  const size_t n = static_cast<size_t>((pre.cycles + seg_cycles - 1) / seg_cycles);
  if (n > kMaxSegments)
    throw std::invalid_argument("the execution needs " + std::to_string(n) + " segments of 2^" + std::to_string(log_seg) +
                                " cycles; receipts hold at most " + std::to_string(kMaxSegments));
  say("executed " + std::to_string(pre.cycles) + " cycles: " + std::to_string(n) + " segment" + (n == 1 ? "" : "s") +
      " of up to 2^" + std::to_string(log_seg) + " cycles");

  // The statement's secrets, fixed before anything is committed: zk LogUp
  // masks (summing to 0 over all segments) and per-segment seeds for the
  // commitment randomness.
  std::vector<std::vector<field::Fp4>> masks;
  {
    field::Fp4 others;
    for (size_t k = 0; k < n; ++k) {
      masks.push_back(stark::random_logup_masks(pk.vk));
      if (k + 1 == n) stark::cancel_logup_masks(pk.vk, masks.back(), others);
      for (const field::Fp4& m : masks.back()) others += m;
    }
  }
  std::vector<std::array<uint8_t, 32>> seeds(n);
  for (auto& sd : seeds) sd = merkle::ScopedRandomSeed::fresh();

  std::vector<std::pair<std::string, double>> timings;
  stark::ProveOptions po;
  po.check_constraints = options.check_constraints;
  po.check_bus_balance = false;  // a segment's buses balance only with the others'
  po.timings = &timings;
  std::vector<unsigned> tallest(kNumTables, 0);
  auto witnesses = [&](const SegmentWitness& sw) {
    std::vector<air::TableWitness> w;
    for (size_t t = 0; t < kNumTables; ++t) w.push_back({circuit.airs()[t], &sw.traces[t], sw.publics[t]});
    return w;
  };
  auto commit = [&](const SegmentWitness& sw) {
    merkle::ScopedRandomSeed seeded(seeds[sw.info.index]);
    return stark::commit_main(pk, witnesses(sw), masks[sw.info.index], hal, po);
  };
  bool first_pass = true;  // guest output shows once, in the first traced pass
  auto run_segments = [&](const std::function<void(SegmentWitness&&)>& sink) {
    const vm::RunResult r = execute_segments(program, image, first_pass ? run : quiet, log_seg, sink);
    first_pass = false;
    if (r.cycles != pre.cycles || r.exit_code != pre.exit_code || r.journal != pre.journal)
      throw std::logic_error("the traced run differs from the first run (is the guest deterministic?)");
    return r;
  };

  // Pass 1: commit every segment's main trace into the statement's transcript.
  auto ch = stark::start_segments(pk.vk);
  std::vector<SegmentEnd> ends;
  std::vector<pcs::Commitment> commitments;
  std::optional<stark::MainCommit> kept;  // one segment: no second pass
  std::optional<SegmentWitness> kept_witness;
  const auto t1 = std::chrono::steady_clock::now();
  double witness_seconds = 0;
  auto lap = std::chrono::steady_clock::now();
  run_segments([&](SegmentWitness&& sw) {
    witness_seconds += seconds_since(lap);
    const std::vector<unsigned> h = log_heights_of(sw.traces);
    require_verifiable(pk.vk, h, "segment " + std::to_string(sw.info.index), options.config);
    for (size_t t = 0; t < kNumTables; ++t) tallest[t] = std::max(tallest[t], h[t]);
    stark::MainCommit mc = commit(sw);
    stark::observe_segment(ch, mc.log_heights, mc.publics, mc.commitment);
    ends.push_back({sw.info.cycles, sw.info.end_pc, sw.info.journal_end, sw.info.eof_out});
    commitments.push_back(mc.commitment);
    if (n == 1) kept = std::move(mc), kept_witness = std::move(sw);
    if (n > 1) say("segment " + std::to_string(sw.info.index + 1) + "/" + std::to_string(n) + " committed");
    lap = std::chrono::steady_clock::now();
  });
  if (ends.size() != n) throw std::logic_error("the traced run has a different number of segments");
  const stark::LogupChallenges lc = stark::finish_segments(ch, n);

  // Pass 2: finish each segment's proof (n == 1: from the kept commitment).
  Receipt r;
  r.claim.entry = image.entry;
  r.claim.exit_code = pre.exit_code;
  r.claim.cycles = pre.cycles;
  r.claim.journal = pre.journal;
  r.claim.image_id = compute_image_id(image.entry, pk.vk);
  r.vk = stark::serialize_vk(pk.vk);
  const auto t2 = std::chrono::steady_clock::now();
  uint64_t cycles_done = 0;
  auto finish = [&](SegmentWitness&& sw, stark::MainCommit mc) {
    const size_t k = sw.info.index;
    if (mc.commitment.roots != commitments[k].roots)
      throw std::logic_error("segment " + std::to_string(k) + ": the recommitted main trace differs from the first pass");
    auto sch = stark::segment_transcript(ch, k);
    const stark::StarkProof proof = stark::finish_proof(pk, witnesses(sw), std::move(mc), masks[k], sch, lc, hal, po);
    r.segments.push_back({ends[k], stark::serialize_proof(proof)});
    cycles_done += sw.info.cycles;
    if (n > 1) {
      const double el = seconds_since(t2), rate = static_cast<double>(cycles_done) / std::max(el, 1e-9);
      const double eta = static_cast<double>(pre.cycles - cycles_done) / std::max(rate, 1e-9);
      char buf[160];
      std::snprintf(buf, sizeof buf, "segment %zu/%zu proved: %llu/%llu cycles, %.1f kHz, ETA %.0f s", k + 1, n,
                    static_cast<unsigned long long>(cycles_done), static_cast<unsigned long long>(pre.cycles),
                    rate / 1e3, eta);
      say(buf);
    }
  };
  if (n == 1) {
    say("proving");
    finish(std::move(*kept_witness), std::move(*kept));
  } else {
    run_segments([&](SegmentWitness&& sw) { finish(std::move(sw), commit(sw)); });
  }
  if (report != nullptr) {
    report->cycles = pre.cycles;
    report->segments = n;
    report->log_segment = log_seg;
    report->log_heights = tallest;
    report->widths.clear();
    for (const auto* a : circuit.airs()) report->widths.push_back(a->width());
    report->timings = std::move(timings);
    report->execute_seconds = seconds_since(t0) - seconds_since(t1) + witness_seconds;
    report->witness_seconds = witness_seconds;
    report->prove_seconds = seconds_since(t1) - witness_seconds;
  }
  return r;
}

}  // namespace zkvm::rv32im
