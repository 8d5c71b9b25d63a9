// Cycle profiler: per-function exclusive and inclusive cycles and the call
// stacks they were spent in, reconstructed from the trace of run_traced and
// the ELF's function symbols. Output as folded stacks (flamegraph.pl,
// speedscope) or pprof's profile.proto. Rules in docs/GUEST_SDK.md,
// "Profiling a guest".
//
// Call stacks follow the RISC-V calling convention (unprivileged spec,
// section 2.5, table 2.1 hints): JAL/JALR with rd = ra (x1) or t0 (x5) is a
// call, JALR with rd = x0 and rs1 = x1 or x5 a return. Guarantees: every
// cycle is attributed to exactly one stack, so the exclusive cycles of all
// functions sum to the run's cycle count, whatever the guest does.
#pragma once

#include "zkvm/vm/elf.h"
#include "zkvm/vm/trace.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace zkvm::vm {

// Frames beyond this depth are not pushed: a deeper call replaces the
// innermost frame and its return restores it, so deep recursion is cut off
// at this depth instead of making the stacks (and the output) quadratic.
inline constexpr std::size_t kMaxProfileDepth = 1024;

struct ProfileFunction {
  std::string name;          // printable ASCII (C++ names demangled)
  std::string system_name;   // the symbol as in the ELF (mangled), printable ASCII
  std::uint32_t addr = 0;    // first address attributed to it
  std::uint32_t end = 0;     // one past the last (0 = 2^32)
  bool placeholder = false;  // "[unknown 0x...]": code no symbol covers
  std::uint64_t exclusive = 0;  // cycles with this function as the innermost frame
  std::uint64_t inclusive = 0;  // cycles with it anywhere on the stack, counted once per cycle
};

struct ProfileStack {
  std::vector<std::uint32_t> frames;  // indices into Profile::functions, outermost first
  std::uint64_t cycles = 0;           // exclusive cycles of exactly this stack
};

struct Profile {
  std::vector<ProfileFunction> functions;  // the ones that ran, by address
  std::vector<ProfileStack> stacks;        // distinct stacks with cycles > 0, in order of their folded text
  std::uint64_t total_cycles = 0;          // = sum of stacks' cycles = sum of exclusive
  std::size_t symbols = 0;                 // function symbols the ELF had (after merging aliases)
  bool depth_limited = false;              // some calls went deeper than kMaxProfileDepth
};

// Feeds on a run's trace chunks; profile() summarises what it saw so far.
//
//   Profiler prof(load_elf_functions(bytes, path), program.entry);
//   run_traced(program, opts, [&](const TraceChunk& c) { prof.consume(c); });
//   const Profile p = prof.profile();
class Profiler {
 public:
  Profiler(const std::vector<FunctionSymbol>& symbols, std::uint32_t entry);
  ~Profiler();
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  void consume(const TraceChunk& chunk);
  Profile profile() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// "main;foo;bar 123\n" per stack, in Profile::stacks order.
std::string to_folded(const Profile& p);
// profile.proto (github.com/google/pprof/blob/main/proto/profile.proto),
// uncompressed: sample type cycles/count, one location and function per
// profiled function, one sample per stack. `guest` names the mapping.
std::vector<std::uint8_t> to_pprof(const Profile& p, std::string_view guest);
// The top `n` functions by exclusive cycles with their inclusive cycles, as
// an aligned text table (one header line, then one line per function).
std::string top_functions_table(const Profile& p, std::size_t n);

}  // namespace zkvm::vm
