// Proving guest executions: execute + witness + prove + verify with the
// standard parameters (the ones `zkvm prove` uses), zero knowledge on and off,
// same process (the modes alternate run by run), median of --reps runs. Prints one row per guest and mode,
// the zk/plain ratio of the prove time and the zk prove time with lean LDEs
// (ProveOptions::ldes) for the cost of dropping rows, then the trace area
// per table. --device picks the prover backend (cuda/select.h); the lean
// column means nothing on a device backend, which keeps no host LDE rows.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cuda/select.h"
#include "prover/hal/forwarding_hal.h"
#include "prover/hal/hal.h"
#include "prover/rv32im/prove.h"
#include "prover/rv32im/receipt.h"
#include "prover/rv32im/witness.h"
#include "zkvm/vm/elf.h"
#include "prover/hal/host_memory.h"

using namespace zkvm;

namespace {

struct Guest {
  std::string name, elf;
  std::vector<uint8_t> input;
};

std::vector<uint8_t> u32_input(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(f), {}};
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Row {
  uint64_t cycles = 0;
  unsigned log_rows = 0;
  double prove_s = 0, verify_ms = 0;
  size_t receipt_bytes = 0;
  stark::ProofSizes sizes;  // the first segment's proof
  rv32im::ProveReport report;
};

// Runs of several modes (zk, LDE memory) alternate rep by rep, so the
// process's heap and page state favour none of them (run in blocks, the
// mode measured second ran 10-20 % faster on this box).
struct Mode {
  bool zk;
  stark::LdeMemory ldes;
};

std::vector<Row> measure(const Guest& g, const std::vector<Mode>& modes, int reps, hal::Hal& hal) {
  const vm::Program prog = vm::load_elf_file(g.elf);
  vm::RunOptions run;
  run.input = g.input;
  run.on_output = [](int, std::span<const uint8_t>) {};
  std::vector<std::vector<double>> prove_s(modes.size()), verify_ms(modes.size());
  std::vector<Row> rows(modes.size());
  for (int r = 0; r < reps; ++r)
    for (size_t k = 0; k < modes.size(); ++k) {
      rv32im::ProveOptions opts;
      opts.config.pcs.zk = modes[k].zk;
      opts.ldes = modes[k].ldes;
      Row& row = rows[k];
      const auto t0 = std::chrono::steady_clock::now();
      const rv32im::Receipt receipt = rv32im::prove(prog, run, opts, hal, &row.report);
      prove_s[k].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      const auto bytes = rv32im::serialize_receipt(receipt);
      const auto t1 = std::chrono::steady_clock::now();
      const auto claim = rv32im::verify_receipt(receipt.claim.image_id, bytes);
      verify_ms[k].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
      row.cycles = claim.cycles;
      row.receipt_bytes = bytes.size();
      const rv32im::Circuit circuit(nullptr);
      const stark::VerifyingKey vk = stark::parse_vk(receipt.vk, circuit.airs());
      row.sizes = stark::proof_sizes(stark::parse_proof(receipt.segments[0].proof, vk));
      if (row.sizes.total() != receipt.segments[0].proof.size())
        throw std::logic_error("proof_sizes does not add up to the proof");
    }
  for (size_t k = 0; k < modes.size(); ++k) {
    Row& row = rows[k];
    row.log_rows = *std::max_element(row.report.log_heights.begin(), row.report.log_heights.end());
    row.prove_s = median(prove_s[k]);
    row.verify_ms = median(verify_ms[k]);
  }
  return rows;
}

// Under emulation: what a GPU would copy over PCIe, by HAL entry point (the
// outermost call; the emulated executor counts the bytes).
class TransferCounts final : public hal::ForwardingHal {
 public:
  TransferCounts(gpu::KernelHal<gpu::HostExec>& emu) : ForwardingHal(emu), emu_(emu) {}
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_entry;  // up, down

 protected:
  void before(const char*) override {
    if (depth_++ == 0) {
      up_ = emu_.exec().uploaded();
      down_ = emu_.exec().downloaded();
    }
  }
  void after(const char* entry) override {
    if (--depth_ != 0) return;
    auto& [u, d] = by_entry[entry];
    u += emu_.exec().uploaded() - up_;
    d += emu_.exec().downloaded() - down_;
  }

 private:
  gpu::KernelHal<gpu::HostExec>& emu_;
  int depth_ = 0;
  uint64_t up_ = 0, down_ = 0;
};

const char* kTableNames[] = {"cpu",  "program",  "image",   "memory",   "bytes",    "bitwise",
                             "shift", "mul",     "div",     "io",       "boundary", "dotcall",
                             "dot",   "shacall", "sharound", "shaconst", "bytestail", "gaps", "dotrom",
                             "sharound-x", "cpu-x", "densecall", "dotrom-sx"};
static_assert(std::size(kTableNames) == rv32im::kNumTables, "a name per table");

}  // namespace

int main(int argc, char** argv) {
  hal::keep_large_allocations_in_heap();  // as zkvm prove does
  int reps = 1;
  bool quick = false, stages = false;  // --stages: each guest's stage timings, zk beside plain (last run)
  std::string elf, input, device = "cpu";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--elf") && i + 1 < argc) elf = argv[++i];
    else if (!std::strcmp(argv[i], "--input") && i + 1 < argc) input = argv[++i];
    else if (!std::strcmp(argv[i], "--stages")) stages = true;
    else if (!std::strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: %s [--reps N] [--stages] [--device cpu|cuda|cuda-emulated|dual] "
                   "[--quick | --elf GUEST.elf [--input FILE]]\n",
                   argv[0]);
      return 2;
    }
  }
  std::unique_ptr<hal::Hal> backend;
  try {
    backend = gpu::make_named_hal(device);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkvm_bench_rv32im: --device %s: %s\n", device.c_str(), e.what());
    return 2;
  }
  std::fprintf(stderr, "bench: prover backend %s\n", std::string(backend->name()).c_str());
  std::unique_ptr<TransferCounts> counts;
  if (auto* emu = dynamic_cast<gpu::KernelHal<gpu::HostExec>*>(backend.get()))
    counts = std::make_unique<TransferCounts>(*emu);
  hal::Hal* const hal = counts ? static_cast<hal::Hal*>(counts.get()) : backend.get();
  // --elf: that guest alone (its trace area below, zk and plain).
  std::vector<Guest> guests;
  if (!elf.empty()) guests.push_back({elf, elf, input.empty() ? std::vector<uint8_t>{} : slurp(input.c_str())});
  else guests.push_back({"xorshift loop, 2^12 iterations", ZKVM_BENCH_LOOP_ELF, u32_input(1u << 12)});
  if (!quick && elf.empty()) {
    guests.push_back({"xorshift loop, 2^14 iterations", ZKVM_BENCH_LOOP_ELF, u32_input(1u << 14)});
    guests.push_back({"xorshift loop, 2^15 iterations", ZKVM_BENCH_LOOP_ELF, u32_input(1u << 15)});
    std::vector<uint8_t> data(4096);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + 7);
    guests.push_back({"sha256 of 4 KiB", ZKVM_BENCH_SHA_ELF, data});
    guests.push_back({"Fashion-MNIST MLP, 1 image", ZKVM_BENCH_MLP_ELF, slurp(ZKVM_BENCH_MLP_INPUT)});
  }
  std::printf("| guest | cycles | rows | zk prove | kHz | plain prove | kHz | zk / plain | receipt zk / plain | verify zk | "
              "zk, lean LDEs | lean / auto |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  rv32im::ProveReport last, last_plain;
  std::vector<std::pair<std::string, stark::ProofSizes>> sizes;
  for (const Guest& g : guests) {
    std::fprintf(stderr, "bench: %s\n", g.name.c_str());
    // Third: the same zk proof with lean LDEs (ProveOptions::ldes; auto is
    // lean only from 2^20 rows): what dropping rows and recomputing the
    // opened ones costs in time.
    const auto rows = measure(g, {{true, stark::LdeMemory::Auto}, {false, stark::LdeMemory::Auto},
                                  {true, stark::LdeMemory::Lean}}, reps, *hal);
    const Row &z = rows[0], &p = rows[1], &f = rows[2];
    std::printf("| %s | %llu | 2^%u | %.2f s | %.1f | %.2f s | %.1f | %.2fx | %zu / %zu B | %.1f ms | %.2f s | %.2fx |\n",
                g.name.c_str(), static_cast<unsigned long long>(z.cycles), z.log_rows, z.prove_s,
                z.cycles / z.prove_s / 1e3, p.prove_s, p.cycles / p.prove_s / 1e3, z.prove_s / p.prove_s,
                z.receipt_bytes, p.receipt_bytes, z.verify_ms, f.prove_s, f.prove_s / z.prove_s);
    if (stages) {
      // A stage that runs per table (the quotient's) is summed.
      auto total = [](const rv32im::ProveReport& r, const std::string& stage) {
        double t = 0;
        for (const auto& [ps, pv] : r.timings)
          if (ps == stage) t += pv;
        return t;
      };
      std::printf("\n| stage (%s) | zk s | plain s |\n|---|---|---|\n", g.name.c_str());
      std::vector<std::string> seen;
      for (const auto& [stage, secs] : z.report.timings) {
        if (std::find(seen.begin(), seen.end(), stage) != seen.end()) continue;
        seen.push_back(stage);
        std::printf("| %s | %.3f | %.3f |\n", stage.c_str(), total(z.report, stage), total(p.report, stage));
      }
      std::printf("\n");
    }
    std::fflush(stdout);
    last = z.report;
    last_plain = p.report;
    sizes.emplace_back(g.name, z.sizes);
  }
  std::printf("\nWhere a zk segment proof's bytes go (kB = 1000 bytes):\n\n"
              "| guest | proof | trees | query siblings | query rows | salts | FRI siblings | FRI values | zeta values | "
              "other |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& [name, s] : sizes)
    std::printf("| %s | %.1f kB | %zu | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", name.c_str(),
                s.total() / 1e3, s.trees, s.query_siblings / 1e3, s.query_rows / 1e3, s.query_salts / 1e3,
                s.fri_siblings / 1e3, s.fri_values / 1e3, s.ood_values / 1e3, (s.header + s.fri_commit) / 1e3);
  std::printf("\nQuery rows by round (kB): pre, main (with the zk mask), aux, quotient\n\n");
  for (const auto& [name, s] : sizes) {
    std::printf("- %s:", name.c_str());
    for (size_t b : s.round_rows) std::printf(" %.1f", b / 1e3);
    std::printf("\n");
  }
  std::printf("\nTrace area of the last guest (main columns x rows; zk, and plain where its height differs):\n\n"
              "| table | columns | rows | cells | plain rows |\n|---|---|---|---|---|\n");
  uint64_t total = 0, total_plain = 0;
  for (size_t t = 0; t < last.widths.size() && t < rv32im::kNumTables; ++t) {
    const uint64_t cells = uint64_t{last.widths[t]} << last.log_heights[t];
    total += cells;
    const unsigned hp = t < last_plain.log_heights.size() ? last_plain.log_heights[t] : last.log_heights[t];
    total_plain += uint64_t{last.widths[t]} << hp;
    std::printf("| %s | %zu | 2^%u | %llu | %s |\n", kTableNames[t], last.widths[t], last.log_heights[t],
                static_cast<unsigned long long>(cells), hp == last.log_heights[t] ? "" : ("2^" + std::to_string(hp)).c_str());
  }
  std::printf("| total | | | %llu | %llu |\n", static_cast<unsigned long long>(total),
              static_cast<unsigned long long>(total_plain));
  if (counts) {
    const double proofs = static_cast<double>(guests.size()) * 3 * reps;
    std::printf("\nEmulated device: MB a GPU would copy per proof (mean of %.0f; the main trace's LDE at rate 1/4 "
                "of the last guest is %.1f MB)\n\n| HAL entry point | up | down |\n|---|---|---|\n",
                proofs, static_cast<double>(total) * 4 * sizeof(field::Fp) / 1e6);
    for (const auto& [entry, ud] : counts->by_entry)
      std::printf("| %s | %.2f | %.2f |\n", entry.c_str(), static_cast<double>(ud.first) / proofs / 1e6,
                  static_cast<double>(ud.second) / proofs / 1e6);
  }
  std::printf("\npeak RSS %.0f MiB\n", peak_rss_mib());
  return 0;
}
