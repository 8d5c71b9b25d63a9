// Process CPU time for the emulator benchmarks: on a shared machine it,
// unlike wall time, does not grow while other jobs hold the cores.
#pragma once

#include <ctime>

namespace zkvm::bench {

inline double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace zkvm::bench
