#include "prover/rv32im/prove.h"

#include <algorithm>
#include <chrono>
#include <span>
#include <stdexcept>
#include <string>

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

// The verifier refuses a proof below its floor (stark::VerifyOptions): a
// receipt it would refuse is not made.
void require_verifiable(const stark::VerifyingKey& vk, std::span<const unsigned> log_heights, uint64_t cycles,
                        const stark::StarkConfig& config) {
  unsigned tallest = 0;
  for (unsigned h : log_heights) tallest = std::max(tallest, h);
  std::string weakest;
  const double bits = tallest > stark::kMaxLogHeight ? 0 : stark::security_bits(vk, log_heights, &weakest);
  if (tallest > kMaxLogCycles || bits < stark::VerifyOptions{}.min_security_bits) {
    unsigned ok = 0;  // tallest table these parameters verify
    for (unsigned l = 1; l <= std::min(kMaxLogCycles, stark::kMaxLogHeight); ++l) {
      std::vector<unsigned> h(log_heights.size(), l);
      if (stark::security_bits(vk, h) >= stark::VerifyOptions{}.min_security_bits) ok = l;
    }
    throw std::invalid_argument(
        "the execution (" + std::to_string(cycles) + " cycles) needs tables of 2^" + std::to_string(tallest) +
        " rows, but receipts " + (config.pcs.zk ? "with" : "without") +
        " zero knowledge verify only up to 2^" + std::to_string(ok) +
        " rows at the standard parameters (the verifier's 100-bit floor, docs/SECURITY.md); "
        "longer executions need continuations (not built yet)");
  }
}

}  // namespace

ImageId image_id(const vm::Program& program, const stark::StarkConfig& config, hal::Hal& hal) {
  const Image image = build_image(program);
  const Circuit circuit(&image, 0);
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
  // A first, untraced run (fast) gives the cycle count and the journal's
  // length (the io table's shape), so that an execution the verifier would
  // refuse is turned down before the witness is built.
  say("executing");
  vm::RunOptions quiet = run;
  quiet.on_output = [](int, std::span<const uint8_t>) {};
  const vm::RunResult pre = vm::run(program, quiet);
  if (pre.status == vm::RunStatus::Faulted)
    throw std::invalid_argument("the guest faulted, so the execution cannot be proven: " + pre.fault->message());
  if (pre.status == vm::RunStatus::CycleLimit)
    throw std::invalid_argument("the guest hit the cycle limit (" + std::to_string(run.max_cycles) +
                                " cycles) before exiting");
  const Circuit circuit(&image, pre.journal.size());
  const auto pk = stark::setup(kRv32imProgramId, circuit.airs(), options.config, hal);
  {
    std::vector<unsigned> heights(kNumTables, log2_rows(kMinTableRows));
    heights[kTableCpu] = log2_rows(pre.cycles);
    require_verifiable(pk.vk, heights, pre.cycles, options.config);
  }
  say("executed " + std::to_string(pre.cycles) + " cycles; generating the witness");
  Execution ex = execute(program, image, run);
  const double t_exec = seconds_since(t0);
  const uint64_t cycles = ex.run.cycles;
  {
    std::vector<unsigned> heights;
    for (const auto& t : ex.traces) heights.push_back(log2_rows(t.height));
    require_verifiable(pk.vk, heights, cycles, options.config);
  }
  say("proving");
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<air::TableWitness> tables;
  for (size_t t = 0; t < kNumTables; ++t) tables.push_back({circuit.airs()[t], &ex.traces[t], ex.publics[t]});
  stark::ProveOptions po;
  po.check_constraints = options.check_constraints;
  std::vector<std::pair<std::string, double>> timings;
  po.timings = &timings;
  const stark::StarkProof proof = stark::prove(pk, tables, hal, po);
  Receipt r;
  r.claim.entry = image.entry;
  r.claim.exit_code = ex.run.exit_code;
  r.claim.cycles = cycles;
  r.claim.journal = ex.run.journal;
  r.claim.image_id = compute_image_id(image.entry, pk.vk);
  r.vk = stark::serialize_vk(pk.vk);
  r.proof = stark::serialize_proof(proof);
  if (report != nullptr) {
    report->cycles = cycles;
    report->log_heights = proof.log_heights;
    report->widths.clear();
    for (const auto* a : circuit.airs()) report->widths.push_back(a->width());
    report->timings = std::move(timings);
    report->execute_seconds = t_exec;
    report->prove_seconds = seconds_since(t1);
  }
  return r;
}

}  // namespace zkvm::rv32im
