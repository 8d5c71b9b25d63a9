// Whole guest executions through the RV32IM AIR: execute, prove (debug
// checker off), verify; the exit code and journal agree with `zkvm run`.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "prover/rv32im/witness.h"
#include "prover/rv32im/receipt.h"
#include "tests/rv32im/rv32im_test_support.h"
#include "zkvm/vm/elf.h"
#include "zkvm/vm/machine.h"

using namespace zkvm;

namespace {

struct Proven {
  bool accepted = false;
  std::string why;
  vm::RunResult run;
};

Proven prove_elf(const std::string& path, std::vector<uint8_t> input = {}) {
  const vm::Program prog = vm::load_elf_file(path);
  const rv32im::Image image = rv32im::build_image(prog);
  vm::RunOptions opts;
  opts.input = std::move(input);
  rv32im::Execution ex = rv32im::execute(prog, image, opts);
  const rv32im::Circuit circuit(&image, ex.run.journal.size());
  auto& hal = stark_test::cpu();
  const auto pk = stark::setup(rv32im::kRv32imProgramId, circuit.airs(), stark_test::fast_config(), hal);
  std::vector<air::TableWitness> w;
  for (size_t t = 0; t < rv32im::kNumTables; ++t) w.push_back({circuit.airs()[t], &ex.traces[t], ex.publics[t]});
  {
    auto cr = air::check_constraints(w);
    if (!cr.ok) { Proven o; o.why = "checker: " + cr.message; return o; }
  }
  stark::ProveOptions po;
  po.check_constraints = false;
  const auto proof = stark::prove(pk, w, hal, po);
  Proven out;
  out.run = std::move(ex.run);
  out.accepted = !stark_test::rejects(pk.vk, stark::serialize_proof(proof), &out.why);
  return out;
}

std::string asm_elf(const std::string& name) { return std::string(ZKVM_VM_ASM_ELF_DIR) + "/" + name + ".elf"; }

}  // namespace

TEST_CASE("every instruction test proves and verifies with the emulator's exit code", "[rv32im][guests]") {
  for (const auto& entry : std::filesystem::directory_iterator(ZKVM_VM_ASM_ELF_DIR)) {
    if (entry.path().extension() != ".elf") continue;
    const std::string name = entry.path().stem().string();
    if (name == "ecall") continue;  // io calls: see the SDK guests
    INFO(name);
    const Proven p = prove_elf(entry.path().string());
    INFO(p.why);
    CHECK(p.accepted);
    const vm::RunResult ref = vm::run(vm::load_elf_file(entry.path().string()), {});
    CHECK(p.run.exit_code == ref.exit_code);
  }
}
