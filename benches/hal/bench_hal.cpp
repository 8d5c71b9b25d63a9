// The prover HAL's heavy kernels on one backend, timed in process (docs/
// CUDA.md "Running on a GPU"; docs/BENCHMARKS.md):
//
//   zkvm_bench_hal [--device cpu|cuda|cuda-emulated|dual] [--log-n N] [--width W]
//                  [--reps R] [--hbm-gbps G] [--stark-log-n S]
//
// - coset_lde of W columns x 2^N rows (random values) at blowup 4;
// - merkle_commit of that LDE (W x 2^(N+2), unsalted);
// - with --stark-log-n S: a whole proof of the synthetic 64-column degree-3
//   AIR at 2^S rows (standard parameters, zk off) with this HAL, verified.
// Each kernel runs once to warm up, then R times; the table gives the
// median, the bytes it must move (inputs read + outputs written, 4 bytes an
// element) over that time, and with --hbm-gbps G the ratio to the floor
// bytes / G (the LDE target is <= 2x the HBM floor on the GPU). The
// CUDA HAL copies every call's inputs to the device and its results back
// (docs/CUDA.md "Limits": no data residency yet), so its times include
// those transfers. dual runs the CPU and the CUDA HAL on every call and
// throws at the first difference: a correctness run, not a timing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/select.h"
#include "prover/air/examples.h"
#include "prover/hal/hal.h"
#include "prover/pcs/pcs.h"
#include "prover/stark/prover.h"
#include "prover/stark/verifier.h"
#if defined(ZKVM_HAVE_CUDA_HAL)
#include "cuda/cuda_hal.h"
#endif

using namespace zkvm;
using field::Fp;

namespace {

double seconds_of(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median_of(unsigned reps, const std::function<void()>& f) {
  f();  // warm-up: allocations, twiddles, device context
  std::vector<double> t;
  for (unsigned i = 0; i < reps; ++i) t.push_back(seconds_of(f));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

RowMajorMatrix<Fp> random_matrix(size_t width, size_t height, uint64_t seed) {
  RowMajorMatrix<Fp> m(width, height);
  std::mt19937_64 rng(seed);
  for (Fp& v : m.values) v = Fp::from_u64(rng() % Fp::kModulus);
  return m;
}

void row(const char* kernel, const std::string& shape, double secs, double bytes, double hbm_gbps) {
  const double gbps = bytes / secs / 1e9;
  std::printf("| %s | %s | %.4f | %.1f |", kernel, shape.c_str(), secs, gbps);
  if (hbm_gbps > 0) std::printf(" %.2f |", secs / (bytes / (hbm_gbps * 1e9)));
  else std::printf(" - |");
  std::printf("\n");
}

unsigned arg_u(int argc, char** argv, int& i) {
  if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + " needs a value");
  return static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
}

}  // namespace

int main(int argc, char** argv) try {
  std::string device = "cpu";
  unsigned log_n = 20, width = 64, reps = 3, stark_log_n = 0;
  double hbm = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--device" && i + 1 < argc) device = argv[++i];
    else if (a == "--log-n") log_n = arg_u(argc, argv, i);
    else if (a == "--width") width = arg_u(argc, argv, i);
    else if (a == "--reps") reps = std::max(1u, arg_u(argc, argv, i));
    else if (a == "--stark-log-n") stark_log_n = arg_u(argc, argv, i);
    else if (a == "--hbm-gbps" && i + 1 < argc) hbm = std::strtod(argv[++i], nullptr);
    else {
      std::fprintf(stderr,
                   "usage: %s [--device cpu|cuda|cuda-emulated|dual] [--log-n N] [--width W] [--reps R] "
                   "[--hbm-gbps G] [--stark-log-n S]\n",
                   argv[0]);
      return 2;
    }
  }
  if (log_n < 1 || log_n > 25 || width == 0) throw std::invalid_argument("--log-n 1..25 and --width >= 1");
  auto h = gpu::make_named_hal(device);
  std::printf("HAL benchmark: device %s (%s), %u x 2^%u, median of %u\n\n", device.c_str(), std::string(h->name()).c_str(),
              width, log_n, reps);
  std::printf("| kernel | shape | median s | GB/s moved | x HBM floor |\n|---|---|---|---|---|\n");

  const size_t n = size_t{1} << log_n;
  const auto m = random_matrix(width, n, 7);
  RowMajorMatrix<Fp> lde;
  const double lde_s = median_of(reps, [&] { lde = h->coset_lde(m, 2, pcs::kCosetShift); });
  const std::string shape = std::to_string(width) + " x 2^" + std::to_string(log_n);
  row("coset_lde (blowup 4)", shape, lde_s, 4.0 * width * n * 5, hbm);

  const double merkle_s = median_of(reps, [&] {
    std::vector<RowMajorMatrix<Fp>> mats;
    mats.push_back(lde);  // a copy: the tree keeps its matrices
    const auto tree = h->merkle_commit(std::move(mats), {}, 0);
    if (tree == nullptr) throw std::logic_error("merkle_commit returned no tree");
  });
  row("merkle_commit (of the LDE)", std::to_string(width) + " x 2^" + std::to_string(log_n + 2), merkle_s,
      4.0 * width * n * 4, hbm);

  if (stark_log_n != 0) {
    air::examples::SyntheticAir air(64);
    const auto cfg = stark::StarkConfig::standard();
    const auto pk = stark::setup(100, {&air}, cfg, *h);
    const auto trace = air::examples::synthetic_trace(64, size_t{1} << stark_log_n, 1);
    const std::vector<air::TableWitness> w{{&air, &trace, {trace.at(0, 0)}}};
    stark::ProveOptions opts;
    opts.check_constraints = false;  // timed: the prover alone
    std::vector<uint8_t> bytes;
    const double prove_s = median_of(reps, [&] { bytes = stark::serialize_proof(stark::prove(pk, w, *h, opts)); });
    stark::verify_bytes(pk.vk, bytes);
    std::printf("| prove (synthetic AIR, zk off, verified) | 64 x 2^%u | %.4f | - | - |\n", stark_log_n, prove_s);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "zkvm_bench_hal: %s\n", e.what());
  return 1;
}
