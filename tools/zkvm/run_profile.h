// `zkvm run --profile OUT`: the guest runs on the tracing path and the cycle
// profiler (zkvm/vm/profile.h) reads its rows; the profile is written as
// folded stacks or pprof. Used by cmd_run.cpp.
#pragma once

#include "zkvm/vm/machine.h"
#include "zkvm/vm/profile.h"

#include <cstdint>
#include <span>
#include <string>

namespace zkvm::cli {

class RunProfile {
 public:
  // The symbols of `elf` (the guest file's bytes); throws vm::LoadError for
  // a malformed symbol table. Warns on stderr when there are none.
  RunProfile(std::span<const std::uint8_t> elf, const std::string& guest, std::uint32_t entry);

  vm::RunResult run(const vm::Program& program, const vm::RunOptions& options);
  // Writes the profile to `path` as "folded" or "pprof"; with `top`, prints
  // the top 10 functions by exclusive cycles to stderr. Returns false after
  // printing an error.
  bool write(const std::string& path, const std::string& format, bool top) const;

 private:
  std::string guest_;
  vm::Profiler profiler_;
};

}  // namespace zkvm::cli
