// zkvm-mpi: `zkvm prove` spread over MPI ranks (docs/DISTRIBUTED.md).
//
//   mpirun -np N zkvm-mpi prove GUEST.elf [--input F] [-o RECEIPT] [--no-zk]
//                                          [--segment-po2 K]
//
// Rank 0 reads the ELF and the input and broadcasts them with a fresh
// statement seed; every rank builds the same rv32im::SegmentedProver and
// takes a contiguous block of segments. Pass 1: each rank commits its
// segments' main traces; the commitments (roots, heights, public values,
// segment ends: a few hundred bytes per segment) are all-gathered, so every
// rank draws the same challenges. Pass 2: each rank finishes its segments;
// rank 0 gathers the proofs and writes the receipt, which `zkvm verify`
// checks like any other.
#include <mpi.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "prover/hal/hal.h"
#include "prover/merkle/merkle.h"
#include "prover/rv32im/prove.h"
#include "prover/hal/host_memory.h"
#include "prover/rv32im/receipt.h"
#include "prover/transcript/serialize.h"
#include "tools/zkvm/command.h"
#include "zkvm/vm/elf.h"

namespace {

using namespace zkvm;

using cli::kExitUnprovable;

struct Args {
  std::string guest, input, out;
  bool no_zk = false;
  unsigned segment_po2 = 0;
};

// Broadcasts rank 0's bytes to every rank.
std::vector<uint8_t> bcast_bytes(std::vector<uint8_t> bytes, int rank) {
  unsigned long long n = bytes.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  if (rank != 0) bytes.resize(n);
  for (size_t off = 0; off < n; off += size_t{1} << 30) {
    const int len = static_cast<int>(std::min<size_t>(n - off, size_t{1} << 30));
    MPI_Bcast(bytes.data() + off, len, MPI_BYTE, 0, MPI_COMM_WORLD);
  }
  return bytes;
}

// Every rank's bytes, in rank order, to every rank (root < 0) or to root.
std::vector<std::vector<uint8_t>> gather_bytes(const std::vector<uint8_t>& mine, int size, int root) {
  const int n = static_cast<int>(mine.size());
  std::vector<int> sizes(static_cast<size_t>(size));
  if (root < 0)
    MPI_Allgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
  else
    MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, root, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<size_t>(size), 0);
  size_t total = 0;
  for (int r = 0; r < size; ++r) {
    offsets[static_cast<size_t>(r)] = static_cast<int>(total);
    total += static_cast<size_t>(sizes[static_cast<size_t>(r)]);
  }
  if (total > static_cast<size_t>(INT32_MAX)) throw std::runtime_error("gathered data exceeds 2 GiB");
  std::vector<uint8_t> all(total);
  if (root < 0)
    MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE, MPI_COMM_WORLD);
  else
    MPI_Gatherv(mine.data(), n, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE, root, MPI_COMM_WORLD);
  std::vector<std::vector<uint8_t>> out;
  for (int r = 0; r < size; ++r) {
    const auto* p = all.data() + offsets[static_cast<size_t>(r)];
    out.emplace_back(p, p + sizes[static_cast<size_t>(r)]);
  }
  return out;
}

std::vector<uint8_t> serialize_proofs(const std::vector<rv32im::SegmentProof>& proofs) {
  transcript::ByteWriter w;
  rv32im::write_segments(w, proofs);
  return w.take();
}

std::vector<rv32im::SegmentProof> parse_proofs(std::span<const uint8_t> bytes) {
  transcript::ByteReader rd(bytes);
  auto out = rv32im::read_segments(rd);
  rd.expect_end();
  return out;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

int prove(const Args& a, int rank, int size) {
  const auto t0 = std::chrono::steady_clock::now();
  auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  auto say = [&](const std::string& s) { std::fprintf(stderr, "zkvm-mpi: [rank %d, %7.3f s] %s\n", rank, since(), s.c_str()); };

  // Rank 0 reads; a failure there is everyone's (the flag is broadcast).
  std::vector<uint8_t> elf, input, seed_bytes;
  std::string error;
  if (rank == 0) {
    try {
      elf = cli::read_file_bounded(a.guest, size_t{256} << 20, "ELF file");
      if (!a.input.empty()) input = cli::read_file_bounded(a.input, cli::kMaxInputBytes);
      const auto seed = merkle::ScopedRandomSeed::fresh();
      seed_bytes.assign(seed.begin(), seed.end());
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  int failed = error.empty() ? 0 : 1;
  MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (failed) {
    if (rank == 0) std::fprintf(stderr, "zkvm-mpi prove: %s\n", error.c_str());
    return cli::kExitToolError;
  }
  elf = bcast_bytes(std::move(elf), rank);
  input = bcast_bytes(std::move(input), rank);
  seed_bytes = bcast_bytes(std::move(seed_bytes), rank);
  std::array<uint8_t, 32> seed{};
  std::copy(seed_bytes.begin(), seed_bytes.end(), seed.begin());

  vm::Program program;
  try {
    program = vm::load_elf(elf, a.guest);
  } catch (const std::exception& e) {
    if (rank == 0) std::fprintf(stderr, "zkvm-mpi prove: %s\n", e.what());
    return cli::kExitToolError;
  }
  vm::RunOptions run;
  run.input = std::move(input);
  run.on_output = [rank](int fd, std::span<const uint8_t> bytes) {  // guest output once, from rank 0
    if (rank == 0) std::fwrite(bytes.data(), 1, bytes.size(), fd == 1 ? stdout : stderr);
  };
  rv32im::ProveOptions opts;
  if (a.no_zk) opts.config.pcs.zk = false;
  opts.log_segment = a.segment_po2;
  opts.progress = [&](const std::string& s) { say(s); };
  auto hal = hal::make_cpu_hal();

  // Every rank runs the same deterministic steps, so an unprovable run is
  // refused on every rank alike.
  std::unique_ptr<rv32im::SegmentedProver> sp;
  try {
    sp = std::make_unique<rv32im::SegmentedProver>(program, run, opts, *hal, seed);
  } catch (const std::invalid_argument& e) {
    if (rank == 0) std::fprintf(stderr, "zkvm-mpi prove: %s: cannot prove: %s\n", a.guest.c_str(), e.what());
    return kExitUnprovable;
  }
  const size_t n = sp->num_segments();
  const size_t first = static_cast<size_t>(rank) * n / static_cast<size_t>(size);
  const size_t last = static_cast<size_t>(rank + 1) * n / static_cast<size_t>(size);
  say("segments [" + std::to_string(first) + ", " + std::to_string(last) + ") of " + std::to_string(n));

  // Pass 1: commit this rank's segments; every rank gets every commitment.
  std::vector<rv32im::SegmentCommitment> mine;
  if (first < last) mine = sp->commit(first, last);
  std::vector<rv32im::SegmentCommitment> all;
  for (const auto& bytes : gather_bytes(rv32im::serialize_commitments(mine), size, -1)) {
    auto part = rv32im::parse_commitments(bytes);
    std::move(part.begin(), part.end(), std::back_inserter(all));
  }
  sp->draw_challenges(all);

  // Pass 2: finish this rank's segments; rank 0 collects the proofs.
  std::vector<rv32im::SegmentProof> proofs;
  if (first < last) proofs = sp->finish(first, last);
  const auto gathered = gather_bytes(serialize_proofs(proofs), size, 0);
  double rss = peak_rss_mib(), max_rss = 0;
  MPI_Reduce(&rss, &max_rss, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank != 0) return 0;

  std::vector<rv32im::SegmentProof> flat;
  for (const auto& bytes : gathered) {
    auto part = parse_proofs(bytes);
    std::move(part.begin(), part.end(), std::back_inserter(flat));
  }
  const rv32im::Receipt receipt = sp->receipt(std::move(flat));
  const std::vector<uint8_t> out = rv32im::serialize_receipt(receipt);
  const std::string path =
      a.out.empty() ? std::filesystem::path(a.guest).filename().string() + ".receipt" : a.out;
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
    if (!f) {
      std::fprintf(stderr, "zkvm-mpi prove: %s: cannot write receipt\n", path.c_str());
      return cli::kExitToolError;
    }
  }
  const double secs = since();
  std::fflush(stdout);
  std::fprintf(stderr,
               "zkvm-mpi prove: %llu cycles, %zu segments of 2^%u over %d ranks, proved in %.3f s (%.2f kHz), "
               "receipt %zu bytes, peak RSS %.0f MiB (largest rank), zk %s, exit code %u\n",
               static_cast<unsigned long long>(receipt.claim.cycles), n, sp->log_segment(), size, secs,
               static_cast<double>(receipt.claim.cycles) / secs / 1e3, out.size(), max_rss,
               opts.config.pcs.zk ? "on" : "off", receipt.claim.exit_code);
  std::fprintf(stderr, "zkvm-mpi prove: image %s -> %s\n", rv32im::image_id_hex(receipt.claim.image_id).c_str(),
               path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  zkvm::hal::keep_large_allocations_in_heap();  // as zkvm prove does (prover/hal/host_memory.h)
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  CLI::App app{"zkvm-mpi: prove an RV32IM guest's execution with its segments spread over MPI ranks"};
  app.require_subcommand(1);
  Args a;
  CLI::App* cmd = app.add_subcommand("prove", "Execute and prove (as `zkvm prove`), segments spread over the ranks");
  cmd->add_option("guest", a.guest, "Guest ELF (read by rank 0, sent to the others)")->required();
  cmd->add_option("--input", a.input, "Private input file (read by rank 0)");
  cmd->add_option("-o,--output", a.out, "Receipt file written by rank 0 (default: the ELF's name + .receipt)");
  cmd->add_flag("--no-zk", a.no_zk, "Prove without zero knowledge");
  cmd->add_option("--segment-po2", a.segment_po2, "Segments of 2^K cycles (default as zkvm prove)")
      ->check(CLI::Range(10u, 21u));
  int status = 0;
  try {
    app.parse(argc, argv);
    status = prove(a, rank, size);
  } catch (const CLI::ParseError& e) {
    const int code = rank == 0 ? app.exit(e) : e.get_exit_code();  // --help: 0
    status = code == 0 ? 0 : cli::kExitToolError;
  } catch (const std::exception& e) {
    // A failure on one rank leaves the others waiting in a collective.
    std::fprintf(stderr, "zkvm-mpi: rank %d: error while proving: %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, cli::kExitToolError);
  }
  MPI_Finalize();
  return status;
}
