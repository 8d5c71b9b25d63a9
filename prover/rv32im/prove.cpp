#include "prover/rv32im/prove.h"

#include <chrono>

#include "prover/rv32im/program.h"
#include "prover/rv32im/witness.h"
#include "prover/stark/prover.h"

namespace zkvm::rv32im {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
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
  say("executing and generating the witness");
  Execution ex = execute(program, image, run);
  const double t_exec = seconds_since(t0);
  const uint64_t cycles = ex.run.cycles;
  say("executed " + std::to_string(cycles) + " cycles; proving");
  const Circuit circuit(&image, ex.run.journal.size());
  const auto t1 = std::chrono::steady_clock::now();
  const auto pk = stark::setup(kRv32imProgramId, circuit.airs(), options.config, hal);
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
