// Shared helpers for the prover-core benchmarks.
#pragma once

#include <x86intrin.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <time.h>

namespace zkvm::bench {

// Time-stamp-counter ticks per nanosecond, measured once against
// steady_clock over 200 ms. On this CPU the TSC runs at a constant nominal
// rate (constant_tsc, nonstop_tsc), so "cycles" below are TSC cycles at the
// nominal clock, not the (boosted) core clock.
inline double tsc_ghz() {
  static const double ghz = [] {
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const uint64_t c1 = __rdtsc();
    const auto t1 = std::chrono::steady_clock::now();
    return static_cast<double>(c1 - c0) /
           static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  }();
  return ghz;
}

// CPU time of the whole process (all threads), in ns. On a shared machine
// this, unlike wall time, does not grow when other jobs take the cores;
// summed over threads it is the "per core" cost.
inline double process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

}  // namespace zkvm::bench
